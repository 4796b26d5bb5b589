import { createHash } from 'node:crypto';
import {
  closeSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readSync,
  rmSync,
  unlinkSync,
  writeSync,
} from 'node:fs';
import { join } from 'node:path';
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
  /**
   * Keep waiting messages' bodies in files under this directory (removed on close) instead of the JS heap: a crawl's
   * backlog (100,000 messages in bench:crawl) then costs tens of bytes a message in memory instead of ~1.6 KB of RSS.
   */
  spillDir?: string;
  /** Picks which visible message goes next (tests seed it); Math.random unless given. */
  random?: () => number;
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
  /** Bytes of waiting messages' bodies kept in spill files (0 without spillDir). */
  spilledBytes: number;
}

/**
 * Simulated time for the queue's own waits (bench:cost runs the deployed 30-second batching window this way): while
 * no batch is being handled, the queue moves the clock on to its next due time (a delayed message, the batching
 * window's end) instead of waiting for it. The caller's clock must be what Date.now() reads (it patches it), so the
 * handlers see the time move too.
 */
export interface QueueClock {
  /** Moves the clock forward to `epochMs` (no-op when it already reads that or later). */
  advanceTo(epochMs: number): void;
}

const QUEUE_ARN = 'arn:aws:sqs:local:000000000000:embedded-ingest-queue';
/** The largest ingest batch the CDK stack allows (ingestBatchSize). */
const MAX_BATCH_SIZE = 100;

/**
 * A message while it waits or is being handled: a compact record, its body in the heap or, with spill files, only
 * where it lies in them. Times are ms since the queue started (small integers V8 keeps unboxed).
 */
interface Waiting {
  /** Order sent; also the message id. */
  seq: number;
  /** When it becomes visible (delayed messages and retries). */
  dueAt: number;
  /** The body, or its position in the spill files. */
  body: string | number;
  bodyBytes: number;
  receiveCount: number;
  sentAt: number;
  /** -1 until first received. */
  firstReceivedAt: number;
}

/**
 * The embedded stand-in for SQS + the Lambda event source mapping: holds messages, hands them to the handler
 * in SQS-shaped batches with bounded concurrency, re-queues the records the handler reports in
 * `batchItemFailures` (all of them when it throws) and moves a record to the dead-letter list after
 * `maxReceiveCount` receives.
 *
 * Like an SQS standard queue, it hands out visible messages in no particular order: each batch takes messages at
 * random from all that are visible. In send or due order, a backlog's batches held runs of one host's messages
 * (a crawl queues a host's URLs together, and a busy host's put-backs fall due together), of which one could be
 * fetched and the rest went back, ~10 put-backs per article in bench:crawl; SQS would have mixed them.
 */
export class InProcessIngestQueue implements IngestQueue {
  readonly deadLetters: QueuedMessage[] = [];
  /** Visible messages, in no order (taken at random, the last moved into the gap). */
  private readonly visible: Waiting[] = [];
  private readonly handler: SqsBatchHandler;
  private readonly concurrency: number;
  private readonly batchSize: number;
  private readonly maxReceiveCount: number;
  private readonly retryDelayMs: number;
  private readonly onBatch: ((result: BatchOutcome) => void) | undefined;
  private readonly random: () => number;
  private readonly spill: SpillFiles | undefined;
  private readonly epoch = Date.now();
  private inFlight = 0;
  private inFlightMessages = 0;
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
  private readonly delayedHeap = new DueHeap();
  private delayTimer: NodeJS.Timeout | undefined;
  private delayTimerDueAt = Number.POSITIVE_INFINITY;
  private readonly batchWindowMs: number;
  private windowTimer: NodeJS.Timeout | undefined;
  private windowElapsed = false;
  /** When the running batching window ends (epoch ms), for simulated time. */
  private windowDueAt = Number.POSITIVE_INFINITY;
  private clock: QueueClock | undefined;
  private fastForwardPending = false;
  private closed = false;

  constructor(options: InProcessQueueOptions) {
    this.handler = options.handler;
    this.concurrency = Math.max(1, options.concurrency ?? 4);
    this.batchSize = Math.min(MAX_BATCH_SIZE, Math.max(1, options.batchSize ?? INGEST_BATCH_SIZE));
    this.batchWindowMs = Math.max(0, options.batchWindowMs ?? 0);
    this.maxReceiveCount = Math.max(1, options.maxReceiveCount ?? 3);
    this.retryDelayMs = Math.max(0, options.retryDelayMs ?? 1000);
    this.onBatch = options.onBatch;
    this.random = options.random ?? Math.random;
    this.spill = options.spillDir === undefined ? undefined : new SpillFiles(options.spillDir);
  }

  async send(messages: IngestMessage[]): Promise<void> {
    if (this.closed) throw new Error('the ingest queue is closed');
    for (const message of messages) this.visible.push(this.waiting(JSON.stringify(message)));
    this.sent += messages.length;
    this.pump();
  }

  /** Each message joins the queue after its delay (SQS DelaySeconds, not rounded); drain waits for it. */
  async sendDelayed(entries: DelayedMessage[]): Promise<void> {
    if (this.closed) throw new Error('the ingest queue is closed');
    for (const { message, delayMs } of entries) {
      this.sent++;
      this.enqueueAfter(this.waiting(JSON.stringify(message)), Math.max(0, delayMs));
    }
  }

  /** Sends raw bodies as they are, valid or not (tests use it to deliver malformed records). */
  sendRaw(bodies: string[]): void {
    for (const body of bodies) this.visible.push(this.waiting(body));
    this.sent += bodies.length;
    this.pump();
  }

  /**
   * Simulated time on (a clock) or off (undefined): while on, whenever no batch is in flight and nothing visible can
   * go out yet, the clock jumps to the queue's next due time. Turn it on only while nothing else needs real time
   * (bench:cost turns it on once a crawl has queued its messages, and off once drained).
   */
  simulateTime(clock: QueueClock | undefined): void {
    this.clock = clock;
    this.scheduleFastForward();
  }

  stats(): QueueStats {
    return {
      sent: this.sent,
      handled: this.handled,
      retried: this.retried,
      pending: this.visible.length + this.delayedHeap.size,
      inFlight: this.inFlight,
      inFlightMessages: this.inFlightMessages,
      deadLettered: this.deadLetters.length,
      spilledBytes: this.spill?.liveBytes ?? 0,
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
    this.visible.length = 0;
    await this.drain();
    this.spill?.close();
  }

  private waiting(body: string): Waiting {
    const sentAt = Date.now() - this.epoch;
    const spilled = this.spill?.put(body);
    return {
      seq: this.messageCount++,
      dueAt: sentAt,
      body: spilled === undefined ? body : spilled.at,
      bodyBytes: spilled?.bytes ?? 0,
      receiveCount: 0,
      sentAt,
      firstReceivedAt: -1,
    };
  }

  private bodyOf(message: Waiting): string {
    return typeof message.body === 'string'
      ? message.body
      : (this.spill as SpillFiles).get(message.body, message.bodyBytes);
  }

  /** Done with a message for good (handled, dead-lettered or dropped): its spilled body's space can go. */
  private release(message: Waiting): void {
    if (typeof message.body === 'number') this.spill?.free(message.body, message.bodyBytes);
  }

  private isIdle(): boolean {
    return this.visible.length === 0 && this.inFlight === 0 && this.delayedHeap.size === 0;
  }

  /** Up to `count` visible messages taken at random (SQS standard: best-effort, no order). */
  private takeBatch(count: number): Waiting[] {
    const batch: Waiting[] = [];
    const visible = this.visible;
    while (batch.length < count && visible.length > 0) {
      const index = Math.min(visible.length - 1, Math.floor(this.random() * visible.length));
      batch.push(visible[index] as Waiting);
      const last = visible.pop() as Waiting;
      if (index < visible.length) visible[index] = last;
    }
    return batch;
  }

  private pump(): void {
    while (!this.closed && this.inFlight < this.concurrency && this.visible.length > 0) {
      // A batching window: a short batch waits (from its first pending record) for more, up to the window.
      if (this.batchWindowMs > 0 && this.visible.length < this.batchSize && !this.windowElapsed) {
        if (this.windowTimer === undefined) {
          this.windowDueAt = Date.now() + this.batchWindowMs;
          this.windowTimer = setTimeout(() => this.endWindow(), this.batchWindowMs);
        }
        break;
      }
      this.windowElapsed = false;
      if (this.windowTimer) clearTimeout(this.windowTimer);
      this.windowTimer = undefined;
      this.windowDueAt = Number.POSITIVE_INFINITY;
      const batch = this.takeBatch(this.batchSize);
      this.inFlight++;
      this.inFlightMessages += batch.length;
      void this.handle(batch).finally(() => {
        this.inFlight--;
        this.inFlightMessages -= batch.length;
        this.pump();
        this.notifyIfIdle();
      });
    }
    if (this.inFlight === 0) this.scheduleFastForward();
    this.notifyIfIdle();
  }

  private endWindow(): void {
    this.windowTimer = undefined;
    this.windowDueAt = Number.POSITIVE_INFINITY;
    this.windowElapsed = true;
    this.pump();
  }

  /** With simulated time: after the current turn, jumps to the next due time if the queue would only wait. */
  private scheduleFastForward(): void {
    if (this.clock === undefined || this.fastForwardPending || this.closed) return;
    this.fastForwardPending = true;
    setImmediate(() => {
      this.fastForwardPending = false;
      this.fastForward();
    });
  }

  private fastForward(): void {
    const clock = this.clock;
    if (clock === undefined || this.closed || this.inFlight > 0) return;
    const delayedDueAt = this.delayedHeap.peekDueAt();
    const next = Math.min(
      this.windowTimer === undefined ? Number.POSITIVE_INFINITY : this.windowDueAt,
      delayedDueAt === undefined ? Number.POSITIVE_INFINITY : this.epoch + delayedDueAt,
    );
    if (!Number.isFinite(next)) return;
    clock.advanceTo(next);
    if (this.windowTimer !== undefined && this.windowDueAt <= next) {
      clearTimeout(this.windowTimer);
      this.endWindow();
    }
    if (delayedDueAt !== undefined && this.epoch + delayedDueAt <= next) {
      if (this.delayTimer) clearTimeout(this.delayTimer);
      this.releaseDue();
    }
  }

  private notifyIfIdle(): void {
    if (!this.isIdle()) return;
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const resolve of waiters) resolve();
  }

  private async handle(batch: Waiting[]): Promise<void> {
    const now = Date.now() - this.epoch;
    const records: SQSRecord[] = [];
    for (const message of batch) {
      message.receiveCount++;
      if (message.firstReceivedAt < 0) message.firstReceivedAt = now;
      records.push(
        toSqsRecord({
          messageId: messageIdOf(message),
          body: this.bodyOf(message),
          receiveCount: message.receiveCount,
          sentAt: this.epoch + message.sentAt,
          firstReceivedAt: this.epoch + message.firstReceivedAt,
        }),
      );
    }
    let failedIds: Set<string>;
    try {
      const response = await this.handler({ Records: records });
      failedIds = new Set((response?.batchItemFailures ?? []).map((failure) => failure.itemIdentifier));
    } catch {
      // A handler that throws fails the whole batch, as with Lambda.
      failedIds = new Set(records.map((record) => record.messageId));
    }
    this.handled += batch.length;
    let deadLettered = 0;
    for (const [index, message] of batch.entries()) {
      const record = records[index] as SQSRecord;
      if (!failedIds.has(record.messageId)) {
        this.release(message);
      } else if (message.receiveCount >= this.maxReceiveCount) {
        this.deadLetters.push({
          messageId: record.messageId,
          body: record.body,
          receiveCount: message.receiveCount,
          sentAt: this.epoch + message.sentAt,
          firstReceivedAt: this.epoch + message.firstReceivedAt,
        });
        this.release(message);
        deadLettered++;
      } else {
        this.retried++;
        this.enqueueAfter(message, this.retryDelayMs);
      }
    }
    this.onBatch?.({ size: batch.length, failed: failedIds.size, deadLettered });
  }

  private enqueueAfter(message: Waiting, delayMs: number): void {
    if (this.closed) {
      this.release(message);
      return;
    }
    message.dueAt = Date.now() - this.epoch + delayMs;
    this.delayedHeap.push(message);
    this.armDelayTimer();
  }

  /** The one timer, set for the earliest delayed message (kept when it is already set for that or earlier). */
  private armDelayTimer(): void {
    const dueAt = this.delayedHeap.peekDueAt();
    if (dueAt === undefined || (this.delayTimer !== undefined && this.delayTimerDueAt <= dueAt)) return;
    if (this.delayTimer) clearTimeout(this.delayTimer);
    this.delayTimerDueAt = dueAt;
    this.delayTimer = setTimeout(() => this.releaseDue(), Math.max(0, dueAt - (Date.now() - this.epoch)));
  }

  private releaseDue(): void {
    this.delayTimer = undefined;
    this.delayTimerDueAt = Number.POSITIVE_INFINITY;
    const now = Date.now() - this.epoch;
    for (let dueAt = this.delayedHeap.peekDueAt(); dueAt !== undefined && dueAt <= now; ) {
      this.visible.push(this.delayedHeap.pop() as Waiting);
      dueAt = this.delayedHeap.peekDueAt();
    }
    this.armDelayTimer();
    this.pump();
  }
}

/**
 * Unique within this queue, which is all a message id is used for here (batch item failures): a counter is a
 * fraction of a UUID's memory and time.
 */
function messageIdOf(message: Waiting): string {
  return `m${message.seq.toString(36)}`;
}

/** A binary min-heap of messages by due time; equal times come out in the order sent. */
class DueHeap {
  private readonly entries: Waiting[] = [];

  get size(): number {
    return this.entries.length;
  }

  push(message: Waiting): void {
    const entries = this.entries;
    entries.push(message);
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

  pop(): Waiting | undefined {
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
    return top;
  }

  clear(): void {
    this.entries.length = 0;
  }

  private before(a: number, b: number): boolean {
    const x = this.entries[a] as Waiting;
    const y = this.entries[b] as Waiting;
    return x.dueAt < y.dueAt || (x.dueAt === y.dueAt && x.seq < y.seq);
  }

  private swap(a: number, b: number): void {
    const entries = this.entries;
    [entries[a], entries[b]] = [entries[b] as Waiting, entries[a] as Waiting];
  }
}

/** Spill files hold this much each; one whose bodies have all been taken is deleted. */
const SPILL_SEGMENT_BYTES = 8 * 2 ** 20;
/** A body's position: segment number times this, plus its offset in the segment. */
const SEGMENT_STRIDE = 2 ** 32;

/**
 * Waiting messages' bodies in append-only segment files: a body is written once when sent and read once per
 * receive (synchronous: a few hundred bytes from the page cache). Each segment counts its live bodies and is
 * deleted when the last is taken, so the files hold roughly the backlog.
 */
class SpillFiles {
  private readonly dir: string;
  private readonly segments = new Map<number, { fd: number; path: string; live: number; size: number }>();
  private current = -1;
  private next = 0;
  liveBytes = 0;

  constructor(parent: string) {
    mkdirSync(parent, { recursive: true });
    this.dir = mkdtempSync(join(parent, 'queue-'));
  }

  put(body: string): { at: number; bytes: number } {
    let segment = this.segments.get(this.current);
    if (segment === undefined || (segment.size > 0 && segment.size + body.length > SPILL_SEGMENT_BYTES)) {
      this.current = this.next++;
      const path = join(this.dir, `${this.current}.bodies`);
      segment = { fd: openSync(path, 'w+'), path, live: 0, size: 0 };
      this.segments.set(this.current, segment);
    }
    const at = this.current * SEGMENT_STRIDE + segment.size;
    const bytes = writeSync(segment.fd, body, segment.size, 'utf8');
    segment.size += bytes;
    segment.live++;
    this.liveBytes += bytes;
    return { at, bytes };
  }

  get(at: number, bytes: number): string {
    const segment = this.segments.get(Math.floor(at / SEGMENT_STRIDE));
    if (segment === undefined) throw new Error('spilled message body not found');
    const data = Buffer.allocUnsafe(bytes);
    readSync(segment.fd, data, 0, bytes, at % SEGMENT_STRIDE);
    return data.toString('utf8');
  }

  free(at: number, bytes: number): void {
    const number = Math.floor(at / SEGMENT_STRIDE);
    const segment = this.segments.get(number);
    if (segment === undefined) return;
    segment.live--;
    this.liveBytes -= bytes;
    if (segment.live > 0) return;
    if (number === this.current) {
      // The segment being written: start it again from the beginning instead of opening another.
      segment.size = 0;
      return;
    }
    closeSync(segment.fd);
    unlinkSync(segment.path);
    this.segments.delete(number);
  }

  close(): void {
    for (const segment of this.segments.values()) closeSync(segment.fd);
    this.segments.clear();
    this.liveBytes = 0;
    rmSync(this.dir, { recursive: true, force: true });
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
