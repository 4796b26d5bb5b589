import { PAGE_TYPES } from '../core/page-types.ts';
import * as z from '../core/zod.ts';
import type { CrawlStateRecord } from '../store/types.ts';

/** The body of one ingest-queue message: one URL to fetch, extract and store. */
export const IngestMessage = z.withMeta(
  z.object({
    url: z.url({ protocol: /^https?$/ }).check(z.maxLength(4096)),
    /** The feed, sitemap or page the URL was discovered from. */
    source: z.optional(z.string().check(z.maxLength(4096))),
    /** The registered source (lib/core/sources.ts) it came from, for the source's ingest count. */
    sourceId: z.optional(z.string().check(z.regex(/^[0-9a-f]{16}$/))),
    discoveredAt: z.iso.datetime({ offset: false }),
    publishedAt: z.optional(z.iso.datetime({ offset: false })),
    /**
     * When the crawl queued the URL (its in-flight marker's time). Ingest drops the message when the URL was
     * fetched after it, or when it has outlived its marker. Kept when a message is put back.
     */
    queuedAt: z.optional(z.iso.datetime({ offset: false })),
    /**
     * The crawl found no state for the URL and its lease created one: until a fetch is recorded, only this message
     * can fetch the URL, so ingest reads no article item to look for an earlier fetch. Kept when put back.
     */
    firstLease: z.optional(z.literal(true)),
    /**
     * A re-check on the time schedule, derived by the URL's owner source with no per-URL write (lib/handlers/crawl.ts):
     * the schedule's step and its nominal due time. Ingest drops it once the step's window has ended (a later step, or
     * the schedule's end, has taken over) and writes nothing for a 304 to it. Kept when put back.
     */
    recheck: z.optional(
      z.object({
        step: z.number().check(z.int(), z.gte(0), z.lte(100)),
        dueAt: z.iso.datetime({ offset: false }),
        /**
         * The URL's crawl-state item held only its first lease, queued at this time, when the crawl read it (a new
         * article's fetch is recorded by its commit alone): ingest then reads the article's CURRENT item, not that one.
         */
        bareLease: z.optional(z.iso.datetime({ offset: false })),
        /**
         * With `bareLease`: the fetch the crawl read from the article's CURRENT item (the first), so ingest reads
         * nothing for the message. A fetch recorded after the crawl's read (a direct ingest meanwhile) is not seen:
         * the page is fetched once more, conditionally, and an unchanged commit is not announced again.
         */
        fetched: z.optional(
          z.object({
            at: z.iso.datetime({ offset: false }),
            status: z.number().check(z.int()),
            outcome: z.optional(z.string().check(z.maxLength(200))),
            etag: z.optional(z.string().check(z.maxLength(1024))),
            lastModified: z.optional(z.string().check(z.maxLength(200))),
            contentHash: z.optional(z.string().check(z.regex(/^[0-9a-f]{64}$/))),
            articleId: z.string().check(z.regex(/^[0-9a-f]{64}$/)),
            pageType: z.optional(z.string().check(z.maxLength(40))),
          }),
        ),
      }),
    ),
    /**
     * The request slot the crawl reserved for this URL on its host's token (lib/core/fetch/host-slots.ts): fetched
     * inside it, the page takes no token write. Dropped when the message is put back.
     */
    hostSlot: z.optional(
      z.object({
        host: z.string().check(z.maxLength(300)),
        atMs: z.number().check(z.int(), z.nonnegative()),
        windowMs: z.number().check(z.int(), z.nonnegative()),
        blockStartMs: z.number().check(z.int(), z.nonnegative()),
        intervalMs: z.number().check(z.int(), z.nonnegative()),
      }),
    ),
  }),
  { id: 'IngestMessage' },
);
export type IngestMessage = z.infer<typeof IngestMessage>;

/** A time re-check's `recheck.fetched`: the fetch its crawl read from the article's CURRENT item. */
export type CarriedFetch = NonNullable<NonNullable<IngestMessage['recheck']>['fetched']>;

// The two halves of `recheck.bareLease` and `recheck.fetched`: the crawl writes them from the state it read
// (bareLeaseOf), ingest reads the state back from them (carriedFetchState).

/**
 * A time re-check's `bareLease`, when the crawl read the URL's state as its bare first lease (presumed answered, or
 * folded with the article's CURRENT item): ingest then reads only CURRENT, not the item the crawl has just read
 * (CrawlStateStore's known). The cost bench queues its re-checks with it too.
 */
export function bareLeaseOf(
  state: CrawlStateRecord | undefined,
): Pick<NonNullable<IngestMessage['recheck']>, 'bareLease' | 'fetched'> {
  if (state === undefined || state.queuedAt === undefined) return {};
  if (state.presumedFirstFetch !== true && state.foldedFirstLease !== true) return {};
  // Folded with CURRENT (the crawl that queues a step reads it so): the fetch it found travels with the message.
  const fetched: CarriedFetch | undefined =
    state.foldedFirstLease === true &&
    state.indexedFetch === true &&
    state.lastFetchedAt !== undefined &&
    state.articleId !== undefined
      ? {
          at: new Date(state.lastFetchedAt).toISOString(),
          status: state.lastStatus ?? 200,
          ...(state.lastOutcome === undefined ? {} : { outcome: state.lastOutcome }),
          ...(state.etag === undefined ? {} : { etag: state.etag }),
          ...(state.lastModified === undefined ? {} : { lastModified: state.lastModified }),
          ...(state.contentHash === undefined ? {} : { contentHash: state.contentHash }),
          articleId: state.articleId,
          ...(state.pageType === undefined ? {} : { pageType: state.pageType }),
        }
      : undefined;
  return { bareLease: state.queuedAt, ...(fetched === undefined ? {} : { fetched }) };
}

/**
 * The fetch a time re-check's crawl read from the article's CURRENT item (IngestMessage's `recheck.fetched`), as the
 * folded crawl state it was read as (foldIndexedFetch): with it, ingest reads neither item for the message.
 */
export function carriedFetchState(fetched: CarriedFetch | undefined): Partial<CrawlStateRecord> {
  if (fetched === undefined) return {};
  const pageType = PAGE_TYPES.find((type) => type === fetched.pageType);
  return {
    lastFetchedAt: fetched.at,
    lastStatus: fetched.status,
    ...(fetched.outcome === undefined ? {} : { lastOutcome: fetched.outcome }),
    ...(fetched.etag === undefined ? {} : { etag: fetched.etag }),
    ...(fetched.lastModified === undefined ? {} : { lastModified: fetched.lastModified }),
    ...(fetched.contentHash === undefined ? {} : { contentHash: fetched.contentHash }),
    articleId: fetched.articleId,
    pageType: pageType ?? 'article',
    permanentFailure: false,
    indexedFetch: true,
  };
}

/** SQS SendMessageBatch takes at most 10 entries; the in-process queue hands batches of the same size. */
export const INGEST_BATCH_SIZE = 10;

/** Where the crawl handler sends URLs to ingest: SQS in AWS, an in-process queue in the embedded stack. */
export interface IngestQueue {
  /** Sends every message or throws; batching is the adapter's business. */
  send(messages: IngestMessage[]): Promise<void>;
  /**
   * Sends messages that become visible only after their delay (a busy host's URLs put back by ingest). SQS:
   * DelaySeconds, whole seconds up to 900. Optional: without it, ingest hands the record back to the queue.
   */
  sendDelayed?(entries: DelayedMessage[]): Promise<void>;
}

export interface DelayedMessage {
  message: IngestMessage;
  delayMs: number;
}

/** SQS delays a message by whole seconds, at most 15 minutes. */
export const MAX_DELAY_SECONDS = 900;

export function delaySeconds(delayMs: number): number {
  return Math.min(MAX_DELAY_SECONDS, Math.max(0, Math.ceil(delayMs / 1000)));
}

export function chunk<T>(items: readonly T[], size: number): T[][] {
  const chunks: T[][] = [];
  for (let start = 0; start < items.length; start += size) chunks.push(items.slice(start, start + size));
  return chunks;
}
