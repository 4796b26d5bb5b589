// Builds the re-extraction service over the S3 + DynamoDB store from the environment named in lib/config.ts:
// the `articles reextract` command (embedded store) and the AWS job's functions (lambdas/reextract.ts) share it.
import type { S3Client } from '@aws-sdk/client-s3';
import { type PipelineConfig, required } from '../config.ts';
import type { ArticleEventPublisher } from '../core/events.ts';
import { EventBridgePublisher } from '../events/eventbridge.ts';
import { AwsArticleStore } from '../store/aws/articles.ts';
import { createDynamoDbClient } from '../store/aws/clients.ts';
import { createS3Client } from '../store/aws/s3-client.ts';
import { createLogger, type HandlerLogger } from './logging.ts';
import { extractWithMarkdownLazily } from './on-first-use.ts';
import { createReextractService, type ReextractService } from './reextract.ts';
import { awsClientConfig } from './wiring.ts';

export interface ReextractWiring {
  config: PipelineConfig;
  /** The environment the AWS clients read (endpoints, region, credentials); process.env by default. */
  env?: NodeJS.ProcessEnv;
  /** EventBridge (from ENV.eventBusName) unless given, e.g. the embedded stack's in-process bus. */
  events?: ArticleEventPublisher;
  logger?: HandlerLogger;
}

export function buildReextractService(wiring: ReextractWiring): {
  service: ReextractService;
  articles: AwsArticleStore;
  s3: S3Client;
  bucketName: string;
} {
  const { config } = wiring;
  const env = wiring.env ?? process.env;
  const bucketName = required(config.bucketName, 'bucketName');
  const s3 = createS3Client(awsClientConfig(env), env);
  // The article store alone: the job never reads the crawl state, sources or clusters (nor compiles their code).
  const articles = new AwsArticleStore({
    s3,
    dynamodb: createDynamoDbClient(awsClientConfig(env), env),
    bucketName,
    tableName: required(config.tableName, 'tableName'),
  });
  const events =
    wiring.events ??
    new EventBridgePublisher({
      // Made on the first publish: the job's list and summary steps never load the EventBridge SDK.
      client: async () =>
        new (await import('../events/eventbridge-sdk.ts')).EventBridgeClient(awsClientConfig(env)),
      eventBusName: required(config.eventBusName, 'eventBusName'),
      ...(config.articleEventFormat === undefined ? {} : { format: config.articleEventFormat }),
    });
  const service = createReextractService({
    reader: articles,
    writer: articles,
    // The same extraction as ingest: stored Articles carry content.markdown.
    extract: extractWithMarkdownLazily,
    events,
    bucketName,
    logger: wiring.logger ?? createLogger({ handler: 'reextract' }),
  });
  return { service, articles, s3, bucketName };
}
