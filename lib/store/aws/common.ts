import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type {
  GetObjectCommandInput,
  GetObjectCommandOutput,
  PutObjectCommandInput,
  S3Client,
} from '@aws-sdk/client-s3';
import { DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import { PipelineError } from '../../core/errors.ts';
import { ATTR } from '../table.ts';

/** What the article store's write path and read path share: clients, names and error mapping. */
export interface AwsArticleStoreOptions {
  /** Or a function giving the one client, built on first use (the Lambda functions: see s3-client.ts). */
  s3: S3Client | (() => Promise<S3Client>);
  dynamodb: DynamoDBClient;
  bucketName: string;
  tableName: string;
  /** Injected for tests (days, the settle window). */
  clock?: () => Date;
  /**
   * The "ingested since" feed hides items younger than this. Each item's ingestedAt is stamped just before
   * its commit, so commits can land slightly out of ingestedAt order (and a GSI lags its table); a poller
   * that has moved past a position must not find a new item behind it. See docs/capacity.md.
   */
  sinceFeedSettleMs?: number;
  /** Conditional-write conflicts tolerated per commit before giving up with CONFLICT (retryable). */
  maxCommitAttempts?: number;
}

export const DEFAULT_SINCE_FEED_SETTLE_MS = 5_000;

/** The two S3 operations of the store. */
export interface StoreObjects {
  get(input: GetObjectCommandInput): Promise<GetObjectCommandOutput>;
  put(input: PutObjectCommandInput): Promise<void>;
}

/**
 * GetObject and PutObject on the store's client, the commands taken from s3-client.ts by `await import()`: in the
 * Lambda bundles that module and the S3 SDK are a chunk loaded by the first object read or write.
 */
export function storeObjects(s3: AwsArticleStoreOptions['s3']): StoreObjects {
  const client = typeof s3 === 'function' ? s3 : async () => s3;
  const sdk = () => import('./s3-client.ts');
  return {
    get: async (input) => {
      const [{ GetObjectCommand }, s3Client] = await Promise.all([sdk(), client()]);
      return s3Client.send(new GetObjectCommand(input));
    },
    put: async (input) => {
      const [{ PutObjectCommand }, s3Client] = await Promise.all([sdk(), client()]);
      await s3Client.send(new PutObjectCommand(input));
    },
  };
}

/**
 * Attribute of the CURRENT item naming the commit() call that wrote it. Not part of ArticleRecord (the record
 * schema strips it on every read); only commit() looks at it.
 */
export const COMMIT_ID_ATTR = 'commitId';
/** Attribute of the CURRENT item: when the page of that version was fetched (ISO 8601 UTC), read only by commit(). */
export const FETCHED_AT_ATTR = 'fetchedAt';

export function documentClient(dynamodb: DynamoDBClient): DynamoDBDocumentClient {
  return DynamoDBDocumentClient.from(dynamodb, { marshallOptions: { removeUndefinedValues: true } });
}

export function isArticleId(id: string): boolean {
  return typeof id === 'string' && /^[0-9a-f]{64}$/.test(id);
}

export function isConditionFailure(error: unknown): boolean {
  return (error as { name?: string } | undefined)?.name === 'ConditionalCheckFailedException';
}

export function storageError(action: string, error: unknown): PipelineError {
  if (error instanceof PipelineError) return error;
  const name = (error as { name?: string } | undefined)?.name ?? 'Error';
  const message = error instanceof Error ? error.message : String(error);
  return new PipelineError(
    'INTERNAL',
    `store: ${action} failed: ${name}: ${message}`,
    { retryable: true },
    {
      cause: error,
    },
  );
}

/** One item by its keys, or undefined; a storage fault becomes a retryable PipelineError. */
export async function getTableItem(
  documents: DynamoDBDocumentClient,
  tableName: string,
  key: { pk: string; sk: string },
  consistent: boolean,
): Promise<Record<string, unknown> | undefined> {
  try {
    const result = await documents.send(
      new GetCommand({
        TableName: tableName,
        Key: { [ATTR.pk]: key.pk, [ATTR.sk]: key.sk },
        ConsistentRead: consistent,
      }),
    );
    return result.Item;
  } catch (error) {
    throw storageError('read', error);
  }
}
