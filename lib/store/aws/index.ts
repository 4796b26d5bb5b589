import type { S3Client } from '@aws-sdk/client-s3';
import type { CrawlStateStore, SourceRegistry } from '../types.ts';
import { AwsArticleStore, type AwsArticleStoreOptions } from './articles.ts';
import { createDynamoDbClient } from './clients.ts';
import { AwsClusterIndex } from './clusters.ts';
import { AwsCrawlStateStore } from './crawl-state.ts';
import { AwsSourceRegistry } from './sources.ts';

export { AwsArticleStore, DEFAULT_SINCE_FEED_SETTLE_MS, MAX_PAGE_SIZE } from './articles.ts';
export { createDynamoDbClient } from './clients.ts';
export { AwsClusterIndex } from './clusters.ts';
export { AwsCrawlStateStore } from './crawl-state.ts';
export { AwsSourceRegistry } from './sources.ts';

export type AwsStoreOptions = AwsArticleStoreOptions;

export interface AwsStore {
  articles: AwsArticleStore;
  crawlState: CrawlStateStore;
  sources: SourceRegistry;
  /** The near-duplicate index (lib/core/dedup). */
  clusters: AwsClusterIndex;
}

/** The store on S3 + DynamoDB (real AWS, or local servers through AWS_ENDPOINT_URL_*). */
export function createAwsStore(options: AwsStoreOptions): AwsStore {
  return {
    articles: new AwsArticleStore(options),
    crawlState: new AwsCrawlStateStore(options),
    sources: new AwsSourceRegistry(options),
    clusters: new AwsClusterIndex(options),
  };
}

/** The same, with clients from the factories (for Lambda entry points and the embedded stack). */
export function createAwsStoreFromEnv(
  names: { bucketName: string; tableName: string },
  options: Partial<Pick<AwsStoreOptions, 'sinceFeedSettleMs' | 'clock' | 'maxCommitAttempts'>> = {},
): AwsStore {
  // S3 on first use (s3-client.ts): this module is in the functions' bundles and must not import the S3 SDK.
  let s3: Promise<S3Client> | undefined;
  const s3OnFirstUse = () => {
    s3 ??= import('./s3-client.ts').then(({ createS3Client }) => createS3Client());
    return s3;
  };
  return createAwsStore({ s3: s3OnFirstUse, dynamodb: createDynamoDbClient(), ...names, ...options });
}
