import type {
  EventBridgeClient,
  PutEventsCommandOutput,
  PutEventsRequestEntry,
} from '@aws-sdk/client-eventbridge';
import { PipelineError } from '../core/errors.ts';
import {
  ARTICLE_EVENT_SOURCE,
  ARTICLE_INGESTED_DETAIL_TYPE,
  ARTICLES_INGESTED_DETAIL_TYPE,
  type ArticleEventFormat,
  type ArticleEventGroup,
  type ArticleEventPublisher,
  type ArticleIngestedDetail,
} from '../core/events.ts';
import { gatherEvents, packDetails } from './batch.ts';
import { checkedDetail } from './detail.ts';

export interface EventBridgePublisherOptions {
  /**
   * The client, or how to make it on the first publish: the Lambda bundles then load the EventBridge SDK (a chunk
   * of its own, as is PutEventsCommand here) only once a batch has something to announce.
   */
  client: EventBridgeClient | (() => Promise<EventBridgeClient>);
  /** The bus name or ARN (ENV.eventBusName); "default" is the account's default bus. */
  eventBusName: string;
  /**
   * batch (default): one ArticlesIngested event (schemaVersion 2) per ingest batch, a fraction of the events billed;
   * per-article: one ArticleIngested (schemaVersion 1) per article, for consumers not yet moved to the batch form.
   */
  format?: ArticleEventFormat;
}

/** EventBridge caps an entry, and a whole PutEvents request, at 256 KB; a summary is far smaller. */
const MAX_ENTRY_BYTES = 256 * 1024;
/** PutEvents takes at most 10 entries. */
const MAX_ENTRIES_PER_REQUEST = 10;

/**
 * Publishes on EventBridge (source "article-pipeline"): by default one "ArticlesIngested" event per ingest batch
 * (a group), whose detail lists the batch's ArticleIngested details; with format per-article, one
 * "ArticleIngested" event per article. PutEvents reports per-entry failures in a 200 response, so FailedEntryCount
 * is checked and turned into a retryable error: the ingest handler then fails the messages and SQS delivers them
 * again.
 */
export class EventBridgePublisher implements ArticleEventPublisher {
  readonly #makeClient: () => Promise<EventBridgeClient>;
  #madeClient: Promise<EventBridgeClient> | undefined;
  readonly #eventBusName: string;
  readonly #format: ArticleEventFormat;

  constructor(options: EventBridgePublisherOptions) {
    if (!options.eventBusName)
      throw new PipelineError('INTERNAL', 'EventBridgePublisher needs an event bus name');
    const { client } = options;
    this.#makeClient = typeof client === 'function' ? client : async () => client;
    this.#eventBusName = options.eventBusName;
    this.#format = options.format ?? 'batch';
  }

  async publishArticleIngested(detail: ArticleIngestedDetail): Promise<void> {
    await this.publishAll([checkedDetail(detail)]);
  }

  group(size: number): ArticleEventGroup {
    return gatherEvents(size, (details) => this.publishAll(details));
  }

  /** The details (already checked) as entries of the configured format, in as few PutEvents requests as fit. */
  private async publishAll(details: ArticleIngestedDetail[]): Promise<void> {
    const entries =
      this.#format === 'per-article'
        ? details.map((detail) => this.entry(ARTICLE_INGESTED_DETAIL_TYPE, detail, [detail]))
        : packDetails(details).map((pack) => this.entry(ARTICLES_INGESTED_DETAIL_TYPE, pack, pack.articles));
    let request: PutEventsRequestEntry[] = [];
    let requestBytes = 0;
    for (const entry of entries) {
      const bytes = Buffer.byteLength(entry.Detail ?? '');
      if (bytes > MAX_ENTRY_BYTES) {
        throw new PipelineError('INTERNAL', `an event detail of ${bytes} bytes exceeds EventBridge's 256 KB`);
      }
      if (request.length >= MAX_ENTRIES_PER_REQUEST || requestBytes + bytes > MAX_ENTRY_BYTES) {
        await this.send(request);
        request = [];
        requestBytes = 0;
      }
      request.push(entry);
      requestBytes += bytes;
    }
    if (request.length > 0) await this.send(request);
  }

  private entry(
    detailType: string,
    detail: unknown,
    articles: readonly ArticleIngestedDetail[],
  ): PutEventsRequestEntry {
    const times = articles.map((article) => article.ingestedAt).sort();
    const objects = new Set(
      articles.map((article) => `arn:aws:s3:::${article.location.bucket}/${article.location.articleKey}`),
    );
    return {
      EventBusName: this.#eventBusName,
      Source: ARTICLE_EVENT_SOURCE,
      DetailType: detailType,
      Detail: JSON.stringify(detail),
      Time: new Date(times[times.length - 1] as string),
      Resources: [...objects],
    };
  }

  /** Made once; a failed attempt (the SDK chunk did not load) is tried again on the next publish. */
  #client(): Promise<EventBridgeClient> {
    this.#madeClient ??= this.#makeClient().catch((error: unknown) => {
      this.#madeClient = undefined;
      throw error;
    });
    return this.#madeClient;
  }

  private async send(entries: PutEventsRequestEntry[]): Promise<void> {
    let output: PutEventsCommandOutput;
    try {
      const [client, { PutEventsCommand }] = await Promise.all([
        this.#client(),
        import('./eventbridge-sdk.ts'),
      ]);
      output = await client.send(new PutEventsCommand({ Entries: entries }));
    } catch (error) {
      throw new PipelineError(
        'INTERNAL',
        `PutEvents failed: ${error instanceof Error ? error.message : String(error)}`,
        { retryable: true },
        { cause: error },
      );
    }
    if ((output.FailedEntryCount ?? 0) > 0) {
      const index = output.Entries?.findIndex((result) => result.ErrorCode) ?? -1;
      const failure = output.Entries?.[index];
      const ids = index >= 0 ? describeEntry(entries[index]) : 'an entry';
      throw new PipelineError(
        'INTERNAL',
        `EventBridge rejected ${ids}: ${failure?.ErrorCode ?? 'unknown'} ${failure?.ErrorMessage ?? ''}`.trim(),
        { retryable: true, errorCode: failure?.ErrorCode },
      );
    }
  }
}

/** Which articles an entry carried, for the error message. */
function describeEntry(entry: PutEventsRequestEntry | undefined): string {
  const detail = JSON.parse(entry?.Detail ?? '{}') as {
    article?: { id?: string };
    articles?: Array<{ article?: { id?: string } }>;
  };
  if (detail.article?.id) return `${entry?.DetailType} for ${detail.article.id}`;
  const ids = (detail.articles ?? []).map((item) => item.article?.id);
  return `${entry?.DetailType} for ${ids.length} articles (${ids.slice(0, 3).join(', ')}${ids.length > 3 ? ', …' : ''})`;
}
