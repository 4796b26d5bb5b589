// Builds the crawl handlers from configuration: the Lambda entry (lambdas/crawl.ts) and the embedded stack share
// them. Three triggers: the schedule (EventBridge) finds the due sources and sends one crawl task each; each task
// (SQS, one per invocation) crawls one source; CloudFormation requests seed the registry at deploy.
import { SQSClient } from '@aws-sdk/client-sqs';
import type { SQSBatchResponse } from 'aws-lambda';
import { type PipelineConfig, required } from '../config.ts';
import { CRAWL_POLICY, hostQueueSpacingMs } from '../core/crawl-policy.ts';
import { createFetcher, type FetcherConfig } from '../core/fetch/index.ts';
import { SqsIngestQueue, SqsJsonQueue } from '../queue/sqs.ts';
import type { IngestQueue } from '../queue/types.ts';
import { createDynamoDbClient } from '../store/aws/clients.ts';
import { AwsCrawlStateStore } from '../store/aws/crawl-state.ts';
import { AwsPolitenessStore } from '../store/aws/politeness.ts';
import { AwsSourceRegistry } from '../store/aws/sources.ts';
import {
  type CrawlQueue,
  type CrawlSourceMessage,
  createScheduleHandler,
  createSourceCrawler,
  isSqsEvent,
  type ScheduleSummary,
  type SourceCrawlSummary,
} from './crawl.ts';
import { createLogger, type HandlerLogger } from './logging.ts';
import { createSeedSourcesHandler, isCustomResourceEvent } from './seed-sources.ts';
import { awsClientConfig, pipelineFetchOptions } from './wiring.ts';

export interface CrawlWiring {
  config: PipelineConfig;
  env?: NodeJS.ProcessEnv;
  /** SQS (from ENV.ingestQueueUrl) unless given, e.g. the embedded stack's in-process queue. */
  queue?: IngestQueue;
  /** SQS (from ENV.crawlQueueUrl) unless given. */
  crawlQueue?: CrawlQueue;
  fetcher?: FetcherConfig;
  logger?: HandlerLogger;
  /** How long later crawls leave a queued URL alone; DEFAULT_QUEUE_LEASE_MS unless given. */
  queueLeaseMs?: number;
  /** The ingest queue's batching window, when it is not ENV.ingestBatchWindowSeconds (the embedded queue's). */
  ingestBatchWindowMs?: number;
  onSourceDone?: (summary: SourceCrawlSummary) => void;
}

export interface CrawlHandlers {
  schedule: (event: unknown) => Promise<ScheduleSummary>;
  crawlSource: (id: string) => Promise<SourceCrawlSummary>;
  worker: (event: unknown) => Promise<SQSBatchResponse>;
  /** The deploy-time registry seeding (CloudFormation custom resources). */
  seed: (event: unknown) => Promise<void>;
}

export function buildCrawlHandlers(wiring: CrawlWiring): CrawlHandlers {
  const { config } = wiring;
  const env = wiring.env ?? process.env;
  const logger = wiring.logger ?? createLogger({ handler: 'crawl' });
  // Crawl reads the registry and crawl state and writes source health and queue leases: no S3 client.
  const dynamodb = createDynamoDbClient(awsClientConfig(env), env);
  const tableName = required(config.tableName, 'tableName');
  const registry = new AwsSourceRegistry({ dynamodb, tableName });
  const crawlState = new AwsCrawlStateStore({ dynamodb, tableName });
  let sqs: SQSClient | undefined;
  const sqsClient = () => {
    sqs ??= new SQSClient(awsClientConfig(env));
    return sqs;
  };
  const queue =
    wiring.queue ?? new SqsIngestQueue(sqsClient(), required(config.ingestQueueUrl, 'ingestQueueUrl'));
  const crawlQueue =
    wiring.crawlQueue ??
    new SqsJsonQueue<CrawlSourceMessage>(sqsClient(), required(config.crawlQueueUrl, 'crawlQueueUrl'));
  // One polite fetcher per instance. Feed, sitemap and robots.txt requests take the same per-host token as
  // ingest's article fetches (so a host sees one paced stream); a task reads a few documents per host, so it
  // waits for a busy host's turn (bounded) rather than putting the whole source back.
  const politeness = new AwsPolitenessStore({ dynamodb, tableName });
  // The same default interval as ingest's: the token records one next-allowed time whoever takes it.
  const fetcher = createFetcher({
    ...pipelineFetchOptions(config),
    ...wiring.fetcher,
    shared: { tokens: politeness, robots: politeness, maxWaitMs: CRAWL_POLICY.crawlMaxHostWaitMs },
  });
  const queueLeaseMs =
    wiring.queueLeaseMs ??
    (config.crawlQueueLeaseSeconds === undefined ? undefined : config.crawlQueueLeaseSeconds * 1000);
  const schedule = createScheduleHandler({
    registry,
    crawlQueue,
    logger,
    ...(config.crawlClaimLeaseSeconds === undefined
      ? {}
      : { claimLeaseMs: config.crawlClaimLeaseSeconds * 1000 }),
  });
  // One host's URLs go to ingest spaced by its interval and the queue's batching window (few put-backs).
  const hostSpacingMs = hostQueueSpacingMs(
    wiring.fetcher?.minIntervalMs ?? CRAWL_POLICY.hostMinIntervalMs,
    wiring.ingestBatchWindowMs ?? (config.ingestBatchWindowSeconds ?? 0) * 1000,
  );
  const crawler = createSourceCrawler({
    registry,
    crawlState,
    queue,
    fetcher,
    logger,
    hostSpacingMs,
    // The spaced messages' slots reserved on each host's token: ingest then fetches them without a token write.
    hostSlots: {
      intervalMs: wiring.fetcher?.minIntervalMs ?? CRAWL_POLICY.hostMinIntervalMs,
      reserve: (host, block, nowMs) => politeness.reserve(host, block, nowMs),
      extendBlock: (host, block, count) => politeness.extendBlock(host, block, count),
      busyUntilMs: (host) => fetcher.busyUntilMs(host),
    },
    ...(queueLeaseMs === undefined ? {} : { queueLeaseMs }),
    ...(wiring.onSourceDone ? { onSourceDone: wiring.onSourceDone } : {}),
  });
  const seed = createSeedSourcesHandler({ registry, logger });
  return { schedule, crawlSource: crawler.crawlSource, worker: crawler.handler, seed };
}

export type CrawlResult = ScheduleSummary | SQSBatchResponse | undefined;

/** One entry point: SQS records are crawl tasks, CloudFormation requests seed the registry, else the schedule. */
export function buildCrawlHandler(wiring: CrawlWiring): (event: unknown) => Promise<CrawlResult> {
  const handlers = buildCrawlHandlers(wiring);
  return async (event) => {
    if (isSqsEvent(event)) return handlers.worker(event);
    if (isCustomResourceEvent(event)) {
      await handlers.seed(event);
      return undefined;
    }
    return handlers.schedule(event);
  };
}
