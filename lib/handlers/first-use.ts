// What the builders make on first use, apart from on-first-use.ts: esbuild writes out the chunk of every
// `await import()` of a module it bundles, called or not, so the query function must not import on-first-use.ts
// (its extractor import would ship the whole HTML extraction in the query zip).
import type { S3Client, S3ClientConfig } from '@aws-sdk/client-s3';

/** `load()` once, on the first call; a failed load is tried again on the next call. */
export function onFirstUse<T>(load: () => Promise<T>): () => Promise<T> {
  let loading: Promise<T> | undefined;
  return () => {
    loading ??= load().catch((error: unknown) => {
      loading = undefined;
      throw error;
    });
    return loading;
  };
}

/**
 * The store's S3 client (lib/store/aws/s3-client.ts), built on the first object read or write: an ingest batch
 * that writes nothing and a query answered from DynamoDB alone never load the S3 SDK.
 */
export function s3ClientOnFirstUse(config: S3ClientConfig, env: NodeJS.ProcessEnv): () => Promise<S3Client> {
  return onFirstUse(async () => (await import('../store/aws/s3-client.ts')).createS3Client(config, env));
}
