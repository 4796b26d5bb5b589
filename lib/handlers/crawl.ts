import * as z from 'zod';
import type { CrawlSource } from '../config.ts';
import { interleaveByHost, type SkipReason, urlSkipReason } from '../core/crawl-policy.ts';
import { PipelineError, toPipelineError } from '../core/errors.ts';
import { canonicalizeUrl } from '../core/url.ts';
import { chunk, INGEST_BATCH_SIZE, type IngestMessage, type IngestQueue } from '../queue/types.ts';
import type { CrawlStateRecord, CrawlStateStore } from '../store/types.ts';
import { EventBridgeEvent } from './event-schemas.ts';
import type { HandlerLogger } from './logging.ts';

/** One URL found by discovery (the discoverer's DiscoveredUrl). */
export interface DiscoveredUrl {
  url: string;
  publishedAt?: string;
  modifiedAt?: string;
  via: string;
}

/** Reads a feed, sitemap or page and lists the article URLs in it; throws PipelineError. */
export type UrlDiscoverer = (
  sourceUrl: string,
  options: { allowOtherSites?: boolean },
) => Promise<DiscoveredUrl[]>;

export interface CrawlDependencies {
  sources: readonly CrawlSource[];
  discover: UrlDiscoverer;
  crawlState: CrawlStateStore;
  queue: IngestQueue;
  logger: HandlerLogger;
  now?: () => Date;
  /** Crawl-state look-ups in flight at once. */
  lookupConcurrency?: number;
  /** How long a queued URL is left alone by later crawls (unless ingest records a fetch first). */
  queueLeaseMs?: number;
}

/**
 * The default queue lease: one hour. A queued URL's lease is replaced as soon as ingest records a fetch of
 * it, so the lease only has to cover the time its message waits in the queue. In AWS a message lives at most
 * visibility timeout (6 x ingestTimeoutSeconds = 18 min by default) x maxReceiveCount (3) = 54 min before it
 * goes to the dead-letter queue when every receive ends without a state write (e.g. the crawl-state read
 * fails); one hour outlasts that, so a URL is not queued twice while its first message can still arrive. It
 * also bounds the harm when a message is lost (a failed send after the lease, a dead-lettered message): the
 * URL is queued again an hour later. A backlog longer than the lease costs one extra message per lease
 * period, which ingest handles idempotently.
 */
export const DEFAULT_QUEUE_LEASE_MS = 60 * 60 * 1000;

/** Why a URL is not queued: the crawl policy's reasons (lib/core/crawl-policy.ts). */
export type { SkipReason } from '../core/crawl-policy.ts';

export interface CrawlSummary {
  sources: number;
  failedSources: number;
  discovered: number;
  queued: number;
  skipped: Record<SkipReason, number>;
}

/**
 * The schedule's event: an EventBridge scheduled event in AWS, the timer's look-alike in the embedded stack.
 * Its detail may narrow the crawl to some sources (for a manual run); otherwise every configured source.
 */
export const CrawlEvent = EventBridgeEvent.extend({
  detail: z
    .object({ sources: z.array(z.url({ protocol: /^https?$/ })).optional() })
    .loose()
    .optional()
    .default({}),
});

export function scheduledEvent(at: Date, detail: { sources?: string[] } = {}): z.input<typeof CrawlEvent> {
  return {
    version: '0',
    id: crypto.randomUUID(),
    'detail-type': 'Scheduled Event',
    source: 'aws.events',
    account: '000000000000',
    time: at.toISOString().replace(/\.\d{3}Z$/, 'Z'),
    region: 'local',
    resources: [],
    detail,
  };
}

/** Messages gathered before they are sent: enough hosts to interleave, few enough that ingest starts early. */
const FLUSH_AFTER = INGEST_BATCH_SIZE * 10;

/** Why a URL need not be fetched now, or undefined when it should be: the crawl policy decides. */
export function skipReason(
  state: CrawlStateRecord | undefined,
  found: DiscoveredUrl,
  at: Date,
): SkipReason | undefined {
  return urlSkipReason(state, found, at);
}

/** The crawl handler: discover every source's URLs, drop the ones that need no fetch, queue the rest. */
export function createCrawlHandler(deps: CrawlDependencies) {
  const now = deps.now ?? (() => new Date());
  const { logger } = deps;
  const lookupConcurrency = Math.max(1, deps.lookupConcurrency ?? 16);
  const queueLeaseMs = deps.queueLeaseMs ?? DEFAULT_QUEUE_LEASE_MS;
  if (!Number.isFinite(queueLeaseMs) || queueLeaseMs <= 0) {
    throw new PipelineError('BAD_REQUEST', `queueLeaseMs must be a positive number, got ${queueLeaseMs}`);
  }

  return async function handler(event: unknown): Promise<CrawlSummary> {
    const parsed = CrawlEvent.safeParse(event);
    if (!parsed.success) {
      throw new PipelineError(
        'BAD_REQUEST',
        `crawl expects a scheduled event: ${z.prettifyError(parsed.error)}`,
      );
    }
    const only = parsed.data.detail.sources;
    const sources =
      only === undefined ? deps.sources : deps.sources.filter((source) => only.includes(source.url));
    const at = now();
    const summary: CrawlSummary = {
      sources: sources.length,
      failedSources: 0,
      discovered: 0,
      queued: 0,
      skipped: { 'permanent-failure': 0, 'not-due': 0, fresh: 0, queued: 0, 'changed-meanwhile': 0 },
    };
    // Feeds and sitemaps often list the same page; merged, a URL keeps the latest dates any source gave.
    const found = new Map<string, { item: DiscoveredUrl; source: string }>();
    for (const source of sources) {
      let items: DiscoveredUrl[];
      try {
        items = await deps.discover(source.url, source.allowOtherSites ? { allowOtherSites: true } : {});
      } catch (thrown) {
        // One broken source must not stop the others; the next run tries it again.
        summary.failedSources++;
        logger.error('source discovery failed', {
          source: source.url,
          error: toPipelineError(thrown).toJSON(),
        });
        continue;
      }
      for (const item of items) {
        const url = safeCanonical(item.url);
        if (url === undefined) continue;
        const known = found.get(url);
        if (known === undefined) {
          found.set(url, { item: { ...item, url }, source: source.url });
          continue;
        }
        known.item.publishedAt = latest(known.item.publishedAt, item.publishedAt);
        known.item.modifiedAt = latest(known.item.modifiedAt, item.modifiedAt);
      }
      logger.info('source discovered', { source: source.url, urls: items.length });
    }
    summary.discovered = found.size;
    // Messages go out a batch at a time while the look-ups go on, so ingest starts before the crawl ends.
    let pending: IngestMessage[] = [];
    const flush = async () => {
      // Hosts mixed within each batch of 10: a busy host then holds up a message or two, not a whole batch.
      const mixed = interleaveByHost(pending, (message) => message.url);
      pending = [];
      for (const batch of chunk(mixed, INGEST_BATCH_SIZE)) {
        await deps.queue.send(batch);
        summary.queued += batch.length;
      }
    };
    const leaseUntil = new Date(at.getTime() + queueLeaseMs);
    await mapLimit([...found.values()], lookupConcurrency, async ({ item, source }) => {
      let state: CrawlStateRecord | undefined;
      try {
        state = await deps.crawlState.get(item.url);
      } catch (thrown) {
        // One failed look-up must not stop the crawl. Unknown state is treated like no state: the URL is
        // queued, and ingest (idempotent, with its own read of the state) decides what it needs.
        logger.warn('crawl state look-up failed; queueing the URL', {
          url: item.url,
          error: toPipelineError(thrown).toJSON(),
        });
      }
      const reason = skipReason(state, item, at);
      if (reason !== undefined) {
        summary.skipped[reason]++;
        return;
      }
      // The lease goes in before the message goes out, so a later crawl never queues the URL again while
      // this message waits. Conditional: a fetch or a lease newer than this crawl's look-up wins.
      try {
        if (!(await deps.crawlState.markQueued(item.url, at, leaseUntil))) {
          summary.skipped['changed-meanwhile']++;
          return;
        }
      } catch (thrown) {
        // Like a failed look-up: the URL is queued without a lease, so the next crawl may queue it again.
        logger.warn('could not record the queue lease; queueing the URL', {
          url: item.url,
          error: toPipelineError(thrown).toJSON(),
        });
      }
      pending.push({
        url: item.url,
        source,
        discoveredAt: at.toISOString(),
        queuedAt: at.toISOString(),
        ...(item.publishedAt === undefined ? {} : { publishedAt: item.publishedAt }),
      });
      if (pending.length >= FLUSH_AFTER) await flush();
    });
    await flush();
    logger.info('crawl done', { ...summary });
    return summary;
  };
}

function latest(a: string | undefined, b: string | undefined): string | undefined {
  if (a === undefined || b === undefined) return a ?? b;
  return Date.parse(b) > Date.parse(a) ? b : a;
}

function safeCanonical(url: string): string | undefined {
  try {
    return canonicalizeUrl(url);
  } catch {
    return undefined;
  }
}

/** Maps with at most `limit` calls in flight, keeping order. */
export async function mapLimit<T, R>(
  items: readonly T[],
  limit: number,
  map: (item: T) => Promise<R>,
): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await map(items[index] as T);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}
