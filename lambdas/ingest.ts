// The ingest Lambda: SQS batch of URLs → fetch, extract, store, announce. Built from the environment named in
// lib/config.ts; the embedded stack calls buildIngestService with the same variables and its own event bus.
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import type { Context, SQSBatchResponse } from 'aws-lambda';
import { loadConfig, type PipelineConfig, required } from '../lib/config.ts';
import type { ArticleEventPublisher } from '../lib/core/events.ts';
import { extract } from '../lib/core/extract/index.ts';
import { createFetcher, type FetcherConfig } from '../lib/core/fetch/index.ts';
import { EventBridgePublisher } from '../lib/events/eventbridge.ts';
import { createIngestService, type IngestDependencies, type IngestService } from '../lib/handlers/ingest.ts';
import { createLogger, type HandlerLogger } from '../lib/handlers/logging.ts';
import { awsClientConfig, pipelineFetchOptions } from '../lib/handlers/wiring.ts';
import { createDynamoDbClient, createS3Client } from '../lib/store/aws/clients.ts';
import { createAwsStore } from '../lib/store/aws/index.ts';

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
}

export function buildIngestService(wiring: IngestWiring): IngestService {
  const { config } = wiring;
  const env = wiring.env ?? process.env;
  const bucketName = required(config.bucketName, 'bucketName');
  const store = createAwsStore({
    s3: createS3Client(awsClientConfig(env), env),
    dynamodb: createDynamoDbClient(awsClientConfig(env), env),
    bucketName,
    tableName: required(config.tableName, 'tableName'),
  });
  const events =
    wiring.events ??
    new EventBridgePublisher({
      client: new EventBridgeClient(awsClientConfig(env)),
      eventBusName: required(config.eventBusName, 'eventBusName'),
    });
  // One polite fetcher per instance, so robots.txt and per-host pacing are shared by the whole batch.
  const fetcher = createFetcher({ ...pipelineFetchOptions(config), ...wiring.fetcher });
  return createIngestService({
    fetchPage: (url, options) => fetcher.fetch(url, options),
    extract,
    articles: store.articles,
    crawlState: store.crawlState,
    events,
    bucketName,
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
