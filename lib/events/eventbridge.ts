import {
  type EventBridgeClient,
  PutEventsCommand,
  type PutEventsCommandOutput,
  type PutEventsRequestEntry,
} from '@aws-sdk/client-eventbridge';
import { PipelineError } from '../core/errors.ts';
import {
  ARTICLE_EVENT_SOURCE,
  ARTICLE_INGESTED_DETAIL_TYPE,
  type ArticleEventPublisher,
  type ArticleIngestedDetail,
} from '../core/events.ts';
import { checkedDetail } from './detail.ts';

export interface EventBridgePublisherOptions {
  client: EventBridgeClient;
  /** The bus name or ARN (ENV.eventBusName); "default" is the account's default bus. */
  eventBusName: string;
}

/** EventBridge caps an entry at 256 KB; a summary is far smaller, so hitting it means a bug upstream. */
const MAX_ENTRY_BYTES = 256 * 1024;

/**
 * Publishes ArticleIngested on EventBridge (source "article-pipeline", detail-type "ArticleIngested").
 * PutEvents reports per-entry failures in a 200 response, so FailedEntryCount is checked and turned into a
 * retryable error: the ingest handler then fails the message and SQS delivers it again.
 */
export class EventBridgePublisher implements ArticleEventPublisher {
  readonly #client: EventBridgeClient;
  readonly #eventBusName: string;

  constructor(options: EventBridgePublisherOptions) {
    if (!options.eventBusName)
      throw new PipelineError('INTERNAL', 'EventBridgePublisher needs an event bus name');
    this.#client = options.client;
    this.#eventBusName = options.eventBusName;
  }

  async publishArticleIngested(detail: ArticleIngestedDetail): Promise<void> {
    const checked = checkedDetail(detail);
    const entry: PutEventsRequestEntry = {
      EventBusName: this.#eventBusName,
      Source: ARTICLE_EVENT_SOURCE,
      DetailType: ARTICLE_INGESTED_DETAIL_TYPE,
      Detail: JSON.stringify(checked),
      Time: new Date(checked.ingestedAt),
      Resources: [`arn:aws:s3:::${checked.location.bucket}/${checked.location.articleKey}`],
    };
    if (Buffer.byteLength(entry.Detail ?? '') > MAX_ENTRY_BYTES) {
      throw new PipelineError('INTERNAL', `ArticleIngested detail for ${checked.article.id} exceeds 256 KB`);
    }
    let output: PutEventsCommandOutput;
    try {
      output = await this.#client.send(new PutEventsCommand({ Entries: [entry] }));
    } catch (error) {
      throw new PipelineError(
        'INTERNAL',
        `PutEvents failed: ${error instanceof Error ? error.message : String(error)}`,
        { retryable: true },
        { cause: error },
      );
    }
    if ((output.FailedEntryCount ?? 0) > 0) {
      const failure = output.Entries?.find((result) => result.ErrorCode);
      throw new PipelineError(
        'INTERNAL',
        `EventBridge rejected ArticleIngested for ${checked.article.id}: ${failure?.ErrorCode ?? 'unknown'} ${failure?.ErrorMessage ?? ''}`.trim(),
        { retryable: true, errorCode: failure?.ErrorCode },
      );
    }
  }
}
