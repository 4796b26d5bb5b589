// The crawl Lambda: on the schedule, discover the configured sources' URLs and queue the ones due for a fetch.
import { SQSClient } from '@aws-sdk/client-sqs';
import type { Context } from 'aws-lambda';
import { loadConfig, type PipelineConfig, required } from '../lib/config.ts';
import { discover } from '../lib/core/discover/index.ts';
import type { FetcherConfig } from '../lib/core/fetch/index.ts';
import { type CrawlSummary, createCrawlHandler } from '../lib/handlers/crawl.ts';
import { createLogger, type HandlerLogger } from '../lib/handlers/logging.ts';
import { awsClientConfig, pipelineFetchOptions } from '../lib/handlers/wiring.ts';
import { SqsIngestQueue } from '../lib/queue/sqs.ts';
import type { IngestQueue } from '../lib/queue/types.ts';
import { createDynamoDbClient } from '../lib/store/aws/clients.ts';
import { AwsCrawlStateStore } from '../lib/store/aws/crawl-state.ts';

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

const logger = createLogger({ handler: 'crawl' });
let crawl: ((event: unknown) => Promise<CrawlSummary>) | undefined;

export const handler = async (event: unknown, context?: Context): Promise<CrawlSummary> => {
  if (context) logger.addContext(context);
  crawl ??= buildCrawlHandler({ config: loadConfig(), logger });
  return crawl(event);
};
