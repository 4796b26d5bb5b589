import * as z from 'zod';

/** The body of one ingest-queue message: one URL to fetch, extract and store. */
export const IngestMessage = z
  .object({
    url: z.url({ protocol: /^https?$/ }).max(4096),
    /** The feed, sitemap or page the URL was discovered from. */
    source: z.string().max(4096).optional(),
    discoveredAt: z.iso.datetime({ offset: false }),
    publishedAt: z.iso.datetime({ offset: false }).optional(),
  })
  .meta({ id: 'IngestMessage' });
export type IngestMessage = z.infer<typeof IngestMessage>;

/** SQS SendMessageBatch takes at most 10 entries; the in-process queue hands batches of the same size. */
export const INGEST_BATCH_SIZE = 10;

/** Where the crawl handler sends URLs to ingest: SQS in AWS, an in-process queue in the embedded stack. */
export interface IngestQueue {
  /** Sends every message or throws; batching is the adapter's business. */
  send(messages: IngestMessage[]): Promise<void>;
}

export function chunk<T>(items: readonly T[], size: number): T[][] {
  const chunks: T[][] = [];
  for (let start = 0; start < items.length; start += size) chunks.push(items.slice(start, start + size));
  return chunks;
}
