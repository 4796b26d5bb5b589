// The ingest Lambda: SQS batch of URLs → fetch, extract, store, announce. Built from the environment named in
// lib/config.ts; the embedded stack calls buildIngestService with the same variables and its own event bus.
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { SQSClient } from '@aws-sdk/client-sqs';
import type { Context, SQSBatchResponse } from 'aws-lambda';
import { loadConfig, type PipelineConfig, required } from '../lib/config.ts';
import { CRAWL_POLICY } from '../lib/core/crawl-policy.ts';
import type { ArticleEventPublisher } from '../lib/core/events.ts';
import { extract } from '../lib/core/extract/index.ts';
import { createFetcher, type FetcherConfig } from '../lib/core/fetch/index.ts';
import { EventBridgePublisher } from '../lib/events/eventbridge.ts';
import { createIngestService, type IngestDependencies, type IngestService } from '../lib/handlers/ingest.ts';
import { createLogger, type HandlerLogger } from '../lib/handlers/logging.ts';
import { awsClientConfig, pipelineFetchOptions } from '../lib/handlers/wiring.ts';
import { SqsIngestQueue } from '../lib/queue/sqs.ts';
import type { IngestQueue } from '../lib/queue/types.ts';
import { createDynamoDbClient, createS3Client } from '../lib/store/aws/clients.ts';
import { createAwsStore } from '../lib/store/aws/index.ts';
import { AwsPolitenessStore } from '../lib/store/aws/politeness.ts';

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
}

export function buildIngestService(wiring: IngestWiring): IngestService {
  const { config } = wiring;
  const env = wiring.env ?? process.env;
  const bucketName = required(config.bucketName, 'bucketName');
  const tableName = required(config.tableName, 'tableName');
  const dynamodb = createDynamoDbClient(awsClientConfig(env), env);
  const store = createAwsStore({
    s3: createS3Client(awsClientConfig(env), env),
    dynamodb,
    bucketName,
    tableName,
  });
  // Per-host token and robots.txt shared by every instance through the table.
  const politeness = new AwsPolitenessStore({ dynamodb, tableName });
  const queue =
    wiring.queue ??
    (config.ingestQueueUrl === undefined
      ? undefined
      : new SqsIngestQueue(new SQSClient(awsClientConfig(env)), config.ingestQueueUrl));
  const events =
    wiring.events ??
    new EventBridgePublisher({
      client: new EventBridgeClient(awsClientConfig(env)),
      eventBusName: required(config.eventBusName, 'eventBusName'),
    });
  const fetcher = createFetcher({
    ...pipelineFetchOptions(config),
    shared: { tokens: politeness, robots: politeness },
    ...wiring.fetcher,
  });
  return createIngestService({
    fetchPage: (url, options) => fetcher.fetch(url, options),
    extract,
    articles: store.articles,
    crawlState: store.crawlState,
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
    logger: wiring.logger ?? createLogger({ handler: 'ingest' }),
    ...(wiring.onOutcome ? { onOutcome: wiring.onOutcome } : {}),
  });
}

const logger = createLogger({ handler: 'ingest' });
let service: IngestService | undefined;

export const handler = async (event: unknown, context?: Context): Promise<SQSBatchResponse> => {
  if (context) logger.addContext(context);
  service ??= buildIngestService({ config: loadConfig(), logger });
  return service.handler(event);
};
