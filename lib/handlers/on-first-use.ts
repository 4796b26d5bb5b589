// Dependencies the handlers load on first use. In the Lambda bundles each `await import()` becomes a chunk of its
// own, so its code is not compiled at cold start, and an invocation that never needs it never loads it: the HTML
// parser, extraction rules and Markdown converter (~270 KB) for an ingest batch that parses nothing (re-checks
// answered 304, messages dropped or put back), the SQS client for one that puts nothing back. (The S3 client:
// first-use.ts.)
import type { IngestQueue } from '../queue/types.ts';
import { onFirstUse } from './first-use.ts';
import type { ArticleExtractor } from './ingest.ts';

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
