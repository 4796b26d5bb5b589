// Builds the crawl handler from configuration: the Lambda entry (lambdas/crawl.ts) and the embedded stack share it.
import { SQSClient } from '@aws-sdk/client-sqs';
import { type PipelineConfig, required } from '../config.ts';
import { discover } from '../core/discover/index.ts';
import type { FetcherConfig } from '../core/fetch/index.ts';
import { SqsIngestQueue } from '../queue/sqs.ts';
import type { IngestQueue } from '../queue/types.ts';
import { createDynamoDbClient } from '../store/aws/clients.ts';
import { AwsCrawlStateStore } from '../store/aws/crawl-state.ts';
import { type CrawlSummary, createCrawlHandler } from './crawl.ts';
import { createLogger, type HandlerLogger } from './logging.ts';
import { awsClientConfig, pipelineFetchOptions } from './wiring.ts';

export interface CrawlWiring {
  config: PipelineConfig;
  env?: NodeJS.ProcessEnv;
  /** SQS (from ENV.ingestQueueUrl) unless given, e.g. the embedded stack's in-process queue. */
  queue?: IngestQueue;
  fetcher?: FetcherConfig;
  logger?: HandlerLogger;
  /** How long later crawls leave a queued URL alone; DEFAULT_QUEUE_LEASE_MS unless given. */
  queueLeaseMs?: number;
}

export function buildCrawlHandler(wiring: CrawlWiring): (event: unknown) => Promise<CrawlSummary> {
  const { config } = wiring;
  const env = wiring.env ?? process.env;
  // Crawl reads crawl state and writes only its queue lease: no S3 client, no article store, so neither is in
  // its bundle or its role.
  const crawlState = new AwsCrawlStateStore({
    dynamodb: createDynamoDbClient(awsClientConfig(env), env),
    tableName: required(config.tableName, 'tableName'),
  });
  const queue =
    wiring.queue ??
    new SqsIngestQueue(
      new SQSClient(awsClientConfig(env)),
      required(config.ingestQueueUrl, 'ingestQueueUrl'),
    );
  const fetchOptions = { ...pipelineFetchOptions(config), ...wiring.fetcher };
  const queueLeaseMs =
    wiring.queueLeaseMs ??
    (config.crawlQueueLeaseSeconds === undefined ? undefined : config.crawlQueueLeaseSeconds * 1000);
  return createCrawlHandler({
    sources: config.crawlSources,
    discover: (sourceUrl, options) => discover(sourceUrl, { ...fetchOptions, ...options }),
    crawlState,
    queue,
    logger: wiring.logger ?? createLogger({ handler: 'crawl' }),
    ...(queueLeaseMs === undefined ? {} : { queueLeaseMs }),
  });
}
