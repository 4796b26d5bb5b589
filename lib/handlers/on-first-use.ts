// Dependencies the handlers load on first use. In the Lambda bundles each `await import()` becomes a chunk of its
// own, so its code is not compiled at cold start, and an invocation that never needs it never loads it: the HTML
// parser, extraction rules and Markdown converter (~270 KB) for an ingest batch that parses nothing (re-checks
// answered 304, messages dropped or put back), the SQS client for one that puts nothing back, the S3 client for
// one that writes nothing and for a query answered from DynamoDB alone.
import type { S3Client, S3ClientConfig } from '@aws-sdk/client-s3';
import type { IngestQueue } from '../queue/types.ts';
import type { ArticleExtractor } from './ingest.ts';

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

const markdownExtractor = onFirstUse(async () => (await import('../core/markdown.ts')).extractWithMarkdown);

/** extractWithMarkdown (lib/core/markdown.ts), imported on the first page extracted. */
export const extractWithMarkdownLazily: ArticleExtractor = async (input) =>
  (await markdownExtractor())(input);

/** An IngestQueue built by `load` on its first send. */
export function ingestQueueOnFirstUse(load: () => Promise<Required<IngestQueue>>): Required<IngestQueue> {
  const queue = onFirstUse(load);
  return {
    send: async (messages) => (await queue()).send(messages),
    sendDelayed: async (entries) => (await queue()).sendDelayed(entries),
  };
}

/** The store's S3 client (lib/store/aws/s3-client.ts), built on the first object read or write. */
export function s3ClientOnFirstUse(config: S3ClientConfig, env: NodeJS.ProcessEnv): () => Promise<S3Client> {
  return onFirstUse(async () => (await import('../store/aws/s3-client.ts')).createS3Client(config, env));
}
