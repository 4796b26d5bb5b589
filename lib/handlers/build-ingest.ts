// Builds the ingest service (SQS batch of URLs → fetch, extract, store, announce) from the environment named in
// lib/config.ts: the Lambda entry (lambdas/ingest.ts) and the embedded stack, with its own event bus, share it.
import { type PipelineConfig, required } from '../config.ts';
import { CRAWL_POLICY, withPermanentRetryDays } from '../core/crawl-policy.ts';
import type { ArticleEventPublisher } from '../core/events.ts';
import { createFetcher, type FetcherConfig, type PoliteFetcher } from '../core/fetch/index.ts';
import { EventBridgePublisher } from '../events/eventbridge.ts';
import type { IngestQueue } from '../queue/types.ts';
import { createDynamoDbClient } from '../store/aws/clients.ts';
import { createAwsStore } from '../store/aws/index.ts';
import { AwsPolitenessStore } from '../store/aws/politeness.ts';
import { AwsSourceRegistry } from '../store/aws/sources.ts';
import { s3ClientOnFirstUse } from './first-use.ts';
import { createIngestService, type IngestDependencies, type IngestService } from './ingest.ts';
import { createLogger, type HandlerLogger } from './logging.ts';
import { extractWithMarkdownLazily, ingestQueueOnFirstUse } from './on-first-use.ts';
import { awsClientConfig, pipelineFetchOptions } from './wiring.ts';

export interface IngestWiring {
  config: PipelineConfig;
  /** The environment the AWS clients read (endpoints, region, credentials); process.env by default. */
  env?: NodeJS.ProcessEnv;
  /** EventBridge (from ENV.eventBusName) unless given, e.g. the embedded stack's in-process bus. */
  events?: ArticleEventPublisher;
  /** Overrides of the fetcher's settings: limits and politeness (per-host pacing, robots.txt). */
  fetcher?: FetcherConfig;
  logger?: HandlerLogger;
  onOutcome?: IngestDependencies['onOutcome'];
  /** Where busy hosts' messages are put back: SQS (from ENV.ingestQueueUrl) unless given. */
  queue?: IngestQueue;
  /** The ingest queue's batching window, when it is not ENV.ingestBatchWindowSeconds (the embedded queue's). */
  batchWindowMs?: number;
}

export function buildIngestService(wiring: IngestWiring): IngestService {
  const { config } = wiring;
  const env = wiring.env ?? process.env;
  const bucketName = required(config.bucketName, 'bucketName');
  const tableName = required(config.tableName, 'tableName');
  const dynamodb = createDynamoDbClient(awsClientConfig(env), env);
  const store = createAwsStore({
    // Built on the first write: a batch of put-backs, dropped messages and 304s never loads the S3 SDK.
    s3: s3ClientOnFirstUse(awsClientConfig(env), env),
    dynamodb,
    bucketName,
    tableName,
  });
  // Per-host token and robots.txt shared by every instance through the table.
  const politeness = new AwsPolitenessStore({ dynamodb, tableName });
  const queueUrl = config.ingestQueueUrl;
  // Put-backs only: the SQS client loads when a batch first puts a busy host's message back.
  const queue =
    wiring.queue ??
    (queueUrl === undefined
      ? undefined
      : ingestQueueOnFirstUse(async () => {
          const { SQSClient, SqsIngestQueue } = await import('../queue/sqs-sdk.ts');
          return new SqsIngestQueue(new SQSClient(awsClientConfig(env)), queueUrl);
        }));
  const events =
    wiring.events ??
    new EventBridgePublisher({
      // Made on the first publish: a batch with nothing to announce never loads the EventBridge SDK.
      client: async () =>
        new (await import('../events/eventbridge-sdk.ts')).EventBridgeClient(awsClientConfig(env)),
      eventBusName: required(config.eventBusName, 'eventBusName'),
      ...(config.articleEventFormat === undefined ? {} : { format: config.articleEventFormat }),
    });
  const fetcher = createIngestFetcher(
    config,
    politeness,
    wiring.fetcher,
    wiring.batchWindowMs ?? (config.ingestBatchWindowSeconds ?? 0) * 1000,
  );
  return createIngestService({
    fetchPage: (url, options) => fetcher.fetch(url, options),
    knownBusy: (url, reserved) => fetcher.knownBusy(url, reserved),
    // Stored articles carry content.markdown, so the query API serves it without a converter of its own.
    extract: extractWithMarkdownLazily,
    articles: store.articles,
    crawlState: store.crawlState,
    clusters: store.clusters,
    // Each new article counts on its source's health (one UpdateItem per source per batch).
    sources: new AwsSourceRegistry({ dynamodb, tableName }),
    events,
    bucketName,
    ...(queue ? { queue } : {}),
    ...(config.crawlQueueLeaseSeconds === undefined
      ? {}
      : {
          inFlightMarker: {
            markerMs: config.crawlQueueLeaseSeconds * 1000,
            handlerBudgetMs: CRAWL_POLICY.handlerBudgetMs,
          },
        }),
    storePageTypes: config.ingestPageTypes,
    policy: withPermanentRetryDays(config.permanentRetryDays),
    logger: wiring.logger ?? createLogger({ handler: 'ingest' }),
    ...(wiring.onOutcome ? { onOutcome: wiring.onOutcome } : {}),
  });
}

/**
 * Ingest's polite fetcher: the shared per-host token and robots.txt copy. The crawl refreshes that copy when it reads
 * a source (CRAWL_POLICY.robotsTtlMs); ingest keeps it ingestRobotsGraceMs longer, so it does not fetch robots.txt
 * itself inside the slots the crawl reserved for its messages.
 */
export function createIngestFetcher(
  config: PipelineConfig,
  politeness: AwsPolitenessStore,
  overrides: FetcherConfig = {},
  batchWindowMs = (config.ingestBatchWindowSeconds ?? 0) * 1000,
): PoliteFetcher {
  return createFetcher({
    ...pipelineFetchOptions(config),
    robotsTtlMs: CRAWL_POLICY.robotsTtlMs + CRAWL_POLICY.ingestRobotsGraceMs,
    // Busy hosts' messages go back spread by the host's queue spacing, which counts the batching window.
    shared: { tokens: politeness, robots: politeness, batchWindowMs },
    ...overrides,
  });
}
