import { createHash } from 'node:crypto';
import type { SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { type DelayedMessage, INGEST_BATCH_SIZE, type IngestMessage, type IngestQueue } from './types.ts';

export type SqsBatchHandler = (event: SQSEvent) => Promise<SQSBatchResponse | undefined>;

export interface InProcessQueueOptions {
  /** The consumer: the ingest handler, called with SQS-shaped events of up to `batchSize` records. */
  handler: SqsBatchHandler;
  /** Batches handled at the same time (the Lambda concurrency of the embedded stack). */
  concurrency?: number;
  batchSize?: number;
  /**
   * Longest wait for a full batch before handing out what is pending (the event source's batching window).
   * 0 (the default): a batch goes out as soon as a record is pending.
   */
  batchWindowMs?: number;
  /** A record that failed this many receives goes to the dead-letter list (the SQS redrive policy). */
  maxReceiveCount?: number;
  /** Wait before a failed record becomes visible again (the SQS visibility timeout, scaled down). */
  retryDelayMs?: number;
  /** Called after every handled batch, for progress output. */
  onBatch?: (result: BatchOutcome) => void;
}

export interface BatchOutcome {
  size: number;
  failed: number;
  deadLettered: number;
}

export interface QueuedMessage {
  messageId: string;
  body: string;
  receiveCount: number;
  sentAt: number;
  firstReceivedAt?: number;
}

export interface QueueStats {
  sent: number;
  handled: number;
  retried: number;
  pending: number;
  inFlight: number;
  /** Messages in the batches being handled now (what a shutdown waits for). */
  inFlightMessages: number;
  deadLettered: number;
}

const QUEUE_ARN = 'arn:aws:sqs:local:000000000000:embedded-ingest-queue';
/** The largest ingest batch the CDK stack allows (ingestBatchSize). */
const MAX_BATCH_SIZE = 100;

/**
 * The embedded stand-in for SQS + the Lambda event source mapping: holds messages, hands them to the handler
 * in SQS-shaped batches with bounded concurrency, re-queues the records the handler reports in
 * `batchItemFailures` (all of them when it throws) and moves a record to the dead-letter list after
 * `maxReceiveCount` receives.
 */
export class InProcessIngestQueue implements IngestQueue {
  readonly deadLetters: QueuedMessage[] = [];
  private readonly pending: QueuedMessage[] = [];
  private readonly handler: SqsBatchHandler;
  private readonly concurrency: number;
  private readonly batchSize: number;
  private readonly maxReceiveCount: number;
  private readonly retryDelayMs: number;
  private readonly onBatch: ((result: BatchOutcome) => void) | undefined;
  private inFlight = 0;
  private inFlightMessages = 0;
  private delayed = 0;
  private messageCount = 0;
  private sent = 0;
  private handled = 0;
  private retried = 0;
  private idleWaiters: Array<() => void> = [];
  /**
   * Delayed messages, earliest due first, under one timer set for the earliest: a timer per message cost a
   * timer object, its closure and a timer list per distinct delay for each of a crawl's spaced messages (100,000
   * in bench:crawl at full size).
   */
  private readonly delayedHeap = new DueHeap<QueuedMessage>();
  private delayTimer: NodeJS.Timeout | undefined;
  private delayTimerDueAt = Number.POSITIVE_INFINITY;
  private readonly batchWindowMs: number;
  private windowTimer: NodeJS.Timeout | undefined;
  private windowElapsed = false;
  private closed = false;

  constructor(options: InProcessQueueOptions) {
    this.handler = options.handler;
    this.concurrency = Math.max(1, options.concurrency ?? 4);
    this.batchSize = Math.min(MAX_BATCH_SIZE, Math.max(1, options.batchSize ?? INGEST_BATCH_SIZE));
    this.batchWindowMs = Math.max(0, options.batchWindowMs ?? 0);
    this.maxReceiveCount = Math.max(1, options.maxReceiveCount ?? 3);
    this.retryDelayMs = Math.max(0, options.retryDelayMs ?? 1000);
    this.onBatch = options.onBatch;
  }

  async send(messages: IngestMessage[]): Promise<void> {
    if (this.closed) throw new Error('the ingest queue is closed');
    for (const message of messages) {
      this.pending.push({
        messageId: this.nextMessageId(),
        body: JSON.stringify(message),
        receiveCount: 0,
        sentAt: Date.now(),
      });
    }
    this.sent += messages.length;
    this.pump();
  }

  /** Each message joins the queue after its delay (SQS DelaySeconds, not rounded); drain waits for it. */
  async sendDelayed(entries: DelayedMessage[]): Promise<void> {
    if (this.closed) throw new Error('the ingest queue is closed');
    for (const { message, delayMs } of entries) {
      const queued: QueuedMessage = {
        messageId: this.nextMessageId(),
        body: JSON.stringify(message),
        receiveCount: 0,
        sentAt: Date.now(),
      };
      this.sent++;
      this.enqueueAfter(queued, Math.max(0, delayMs));
    }
  }

  /** Sends raw bodies as they are, valid or not (tests use it to deliver malformed records). */
  sendRaw(bodies: string[]): void {
    for (const body of bodies) {
      this.pending.push({ messageId: this.nextMessageId(), body, receiveCount: 0, sentAt: Date.now() });
    }
    this.sent += bodies.length;
    this.pump();
  }

  stats(): QueueStats {
    return {
      sent: this.sent,
      handled: this.handled,
      retried: this.retried,
      pending: this.pending.length + this.delayed,
      inFlight: this.inFlight,
      inFlightMessages: this.inFlightMessages,
      deadLettered: this.deadLetters.length,
    };
  }

  /** Resolves when nothing is pending, delayed or in flight. */
  drain(): Promise<void> {
    if (this.isIdle()) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  /** Stops handing out batches; in-flight batches finish; delayed retries are dropped. */
  async close(): Promise<void> {
    this.closed = true;
    if (this.delayTimer) clearTimeout(this.delayTimer);
    this.delayTimer = undefined;
    this.delayedHeap.clear();
    if (this.windowTimer) clearTimeout(this.windowTimer);
    this.windowTimer = undefined;
    this.delayed = 0;
    this.pending.length = 0;
    await this.drain();
  }

  /**
   * Unique within this queue, which is all a message id is used for here (batch item failures): a counter is a
   * fraction of a UUID's memory and time, for each of the 100,000 messages a crawl may hold.
   */
  private nextMessageId(): string {
    return `m${(this.messageCount++).toString(36)}`;
  }

  private isIdle(): boolean {
    return this.pending.length === 0 && this.inFlight === 0 && this.delayed === 0;
  }

  private pump(): void {
    while (!this.closed && this.inFlight < this.concurrency && this.pending.length > 0) {
      // A batching window: a short batch waits (from its first pending record) for more, up to the window.
      if (this.batchWindowMs > 0 && this.pending.length < this.batchSize && !this.windowElapsed) {
        this.windowTimer ??= setTimeout(() => {
          this.windowTimer = undefined;
          this.windowElapsed = true;
          this.pump();
        }, this.batchWindowMs);
        break;
      }
      this.windowElapsed = false;
      if (this.windowTimer) clearTimeout(this.windowTimer);
      this.windowTimer = undefined;
      const batch = this.pending.splice(0, this.batchSize);
      this.inFlight++;
      this.inFlightMessages += batch.length;
      void this.handle(batch).finally(() => {
        this.inFlight--;
        this.inFlightMessages -= batch.length;
        this.pump();
        this.notifyIfIdle();
      });
    }
    this.notifyIfIdle();
  }

  private notifyIfIdle(): void {
    if (!this.isIdle()) return;
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const resolve of waiters) resolve();
  }

  private async handle(batch: QueuedMessage[]): Promise<void> {
    const now = Date.now();
    for (const message of batch) {
      message.receiveCount++;
      message.firstReceivedAt ??= now;
    }
    let failedIds: Set<string>;
    try {
      const response = await this.handler({ Records: batch.map(toSqsRecord) });
      failedIds = new Set((response?.batchItemFailures ?? []).map((failure) => failure.itemIdentifier));
    } catch {
      // A handler that throws fails the whole batch, as with Lambda.
      failedIds = new Set(batch.map((message) => message.messageId));
    }
    this.handled += batch.length;
    let deadLettered = 0;
    for (const message of batch) {
      if (!failedIds.has(message.messageId)) continue;
      if (message.receiveCount >= this.maxReceiveCount) {
        this.deadLetters.push(message);
        deadLettered++;
      } else {
        this.retried++;
        this.requeueLater(message);
      }
    }
    this.onBatch?.({ size: batch.length, failed: failedIds.size, deadLettered });
  }

  private requeueLater(message: QueuedMessage): void {
    this.enqueueAfter(message, this.retryDelayMs);
  }

  private enqueueAfter(message: QueuedMessage, delayMs: number): void {
    if (this.closed) return;
    this.delayed++;
    this.delayedHeap.push(Date.now() + delayMs, message);
    this.armDelayTimer();
  }

  /** The one timer, set for the earliest delayed message (kept when it is already set for that or earlier). */
  private armDelayTimer(): void {
    const dueAt = this.delayedHeap.peekDueAt();
    if (dueAt === undefined || (this.delayTimer !== undefined && this.delayTimerDueAt <= dueAt)) return;
    if (this.delayTimer) clearTimeout(this.delayTimer);
    this.delayTimerDueAt = dueAt;
    this.delayTimer = setTimeout(() => this.releaseDue(), Math.max(0, dueAt - Date.now()));
  }

  private releaseDue(): void {
    this.delayTimer = undefined;
    this.delayTimerDueAt = Number.POSITIVE_INFINITY;
    const now = Date.now();
    for (let dueAt = this.delayedHeap.peekDueAt(); dueAt !== undefined && dueAt <= now; ) {
      this.pending.push(this.delayedHeap.pop() as QueuedMessage);
      this.delayed--;
      dueAt = this.delayedHeap.peekDueAt();
    }
    this.armDelayTimer();
    this.pump();
  }
}

/** A binary min-heap by due time; equal times come out in the order they went in (as timers of one delay do). */
class DueHeap<T> {
  private readonly entries: Array<{ dueAt: number; order: number; value: T }> = [];
  private order = 0;

  push(dueAt: number, value: T): void {
    const entries = this.entries;
    entries.push({ dueAt, order: this.order++, value });
    let index = entries.length - 1;
    while (index > 0) {
      const parent = (index - 1) >> 1;
      if (!this.before(index, parent)) break;
      this.swap(index, parent);
      index = parent;
    }
  }

  peekDueAt(): number | undefined {
    return this.entries[0]?.dueAt;
  }

  pop(): T | undefined {
    const entries = this.entries;
    const top = entries[0];
    const last = entries.pop();
    if (top === undefined || last === undefined) return undefined;
    if (entries.length > 0) {
      entries[0] = last;
      let index = 0;
      for (;;) {
        const left = 2 * index + 1;
        const right = left + 1;
        let smallest = index;
        if (left < entries.length && this.before(left, smallest)) smallest = left;
        if (right < entries.length && this.before(right, smallest)) smallest = right;
        if (smallest === index) break;
        this.swap(index, smallest);
        index = smallest;
      }
    }
    return top.value;
  }

  clear(): void {
    this.entries.length = 0;
  }

  private before(a: number, b: number): boolean {
    const x = this.entries[a] as { dueAt: number; order: number };
    const y = this.entries[b] as { dueAt: number; order: number };
    return x.dueAt < y.dueAt || (x.dueAt === y.dueAt && x.order < y.order);
  }

  private swap(a: number, b: number): void {
    const entries = this.entries;
    [entries[a], entries[b]] = [
      entries[b] as (typeof entries)[number],
      entries[a] as (typeof entries)[number],
    ];
  }
}

function toSqsRecord(message: QueuedMessage): SQSRecord {
  return {
    messageId: message.messageId,
    receiptHandle: `embedded-${message.messageId}-${message.receiveCount}`,
    body: message.body,
    attributes: {
      ApproximateReceiveCount: String(message.receiveCount),
      SentTimestamp: String(message.sentAt),
      SenderId: 'embedded',
      ApproximateFirstReceiveTimestamp: String(message.firstReceivedAt ?? message.sentAt),
    },
    messageAttributes: {},
    md5OfBody: createHash('md5').update(message.body).digest('hex'),
    eventSource: 'aws:sqs',
    eventSourceARN: QUEUE_ARN,
    awsRegion: 'local',
  };
}
