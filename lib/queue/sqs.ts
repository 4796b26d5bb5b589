import { SendMessageBatchCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { PipelineError } from '../core/errors.ts';
import {
  chunk,
  type DelayedMessage,
  delaySeconds,
  INGEST_BATCH_SIZE,
  type IngestMessage,
  type IngestQueue,
} from './types.ts';

/** How often a batch's failed entries are re-sent before giving up (SQS can throttle single entries). */
const MAX_SEND_ATTEMPTS = 3;

/** JSON messages on Amazon SQS: SendMessageBatch in batches of 10, re-sending entries SQS rejected. */
export class SqsJsonQueue<Message> {
  constructor(
    private readonly sqs: SQSClient,
    private readonly queueUrl: string,
  ) {}

  async send(messages: Message[]): Promise<void> {
    await this.sendDelayed(messages.map((message) => ({ message, delayMs: 0 })));
  }

  async sendDelayed(entries: Array<{ message: Message; delayMs: number }>): Promise<void> {
    for (const batch of chunk(entries, INGEST_BATCH_SIZE)) await this.sendBatch(batch);
  }

  private async sendBatch(batch: Array<{ message: Message; delayMs: number }>): Promise<void> {
    let pending = batch.map(({ message, delayMs }, index) => ({
      Id: String(index),
      MessageBody: JSON.stringify(message),
      ...(delayMs > 0 ? { DelaySeconds: delaySeconds(delayMs) } : {}),
    }));
    for (let attempt = 1; pending.length > 0; attempt++) {
      const response = await this.sqs.send(
        new SendMessageBatchCommand({ QueueUrl: this.queueUrl, Entries: pending }),
      );
      const failed = response.Failed ?? [];
      if (failed.length === 0) return;
      // Sender faults (a malformed entry) never succeed on a re-send; say which entry and why.
      const senderFault = failed.find((entry) => entry.SenderFault);
      if (senderFault !== undefined || attempt >= MAX_SEND_ATTEMPTS) {
        const first = senderFault ?? failed[0];
        throw new PipelineError(
          'INTERNAL',
          `SQS rejected ${failed.length} of ${batch.length} messages: ${first?.Code ?? 'unknown'} ${first?.Message ?? ''}`.trim(),
          { retryable: senderFault === undefined },
        );
      }
      const failedIds = new Set(failed.map((entry) => entry.Id));
      pending = pending.filter((entry) => failedIds.has(entry.Id));
    }
  }
}

/** The ingest queue on Amazon SQS (delays for put-back messages included). */
export class SqsIngestQueue extends SqsJsonQueue<IngestMessage> implements IngestQueue {
  override async sendDelayed(entries: DelayedMessage[]): Promise<void> {
    await super.sendDelayed(entries);
  }
}
