import { afterEach, describe, expect, it } from 'vitest';
import { discover } from '../../lib/core/discover/index.ts';
import { PipelineError } from '../../lib/core/errors.ts';
import { EXAMPLE_ARTICLES, type SiteArticle } from '../../lib/embedded/example-site/articles.ts';
import { type CrawlDependencies, createCrawlHandler, scheduledEvent } from '../../lib/handlers/crawl.ts';
import type { IngestMessage } from '../../lib/queue/types.ts';
import type { CrawlStateStore } from '../../lib/store/types.ts';
import { useLocalServers } from '../helpers/local-servers.ts';
import { type Pipeline, silentLogger, startPipeline } from './helpers.ts';

// The crawl's queue lease against dynalite and a loopback news site: a URL queued but not yet ingested is
// not queued again until its lease expires or ingest records a fetch.
const local = useLocalServers();
const MINUTE = 60_000;
const LEASE_MS = 60 * MINUTE;
let pipeline: Pipeline | undefined;

afterEach(async () => {
  await pipeline?.close();
  pipeline = undefined;
});

/** A crawl of the site's sitemap whose messages wait in a list (nothing ingests them) and whose clock is the test's. */
async function crawlWithWaitingQueue(options: { crawlState?: CrawlStateStore } = {}) {
  pipeline = await startPipeline(local);
  const p = pipeline;
  const sent: IngestMessage[] = [];
  const clock = { now: new Date('2026-05-01T12:00:00.000Z') };
  const deps: CrawlDependencies = {
    sources: [{ url: p.site.sitemapUrl }],
    discover: (sourceUrl, discoverOptions) =>
      discover(sourceUrl, { allowedOrigins: [p.site.origin], ...discoverOptions }),
    crawlState: options.crawlState ?? p.store.crawlState,
    queue: { send: async (messages) => void sent.push(...messages) },
    logger: silentLogger,
    now: () => clock.now,
    queueLeaseMs: LEASE_MS,
  };
  const crawl = createCrawlHandler(deps);
  return { p, sent, clock, crawl: () => crawl(scheduledEvent(clock.now)) };
}

const slugs = EXAMPLE_ARTICLES.slice(0, 4).map((article: SiteArticle) => article.slug);

describe('crawl queue lease', () => {
  it('a second crawl within the lease queues nothing; after it expires the URLs are queued again', async () => {
    const { p, sent, clock, crawl } = await crawlWithWaitingQueue();
    const first = await crawl();
    expect(first).toMatchObject({ discovered: 4, queued: 4 });
    const url = p.site.articleUrl(slugs[0] as string);
    expect(await p.store.crawlState.get(url)).toMatchObject({
      queuedAt: '2026-05-01T12:00:00.000Z',
      leaseUntil: '2026-05-01T13:00:00.000Z',
    });

    clock.now = new Date(clock.now.getTime() + 15 * MINUTE);
    const second = await crawl();
    expect(second).toMatchObject({ discovered: 4, queued: 0, skipped: { queued: 4 } });
    expect(sent).toHaveLength(4);

    clock.now = new Date('2026-05-01T13:00:00.001Z');
    const third = await crawl();
    expect(third).toMatchObject({ discovered: 4, queued: 4, skipped: { queued: 0 } });
    expect(
      sent
        .slice(4)
        .map((message) => message.url)
        .sort(),
    ).toEqual(
      sent
        .slice(0, 4)
        .map((message) => message.url)
        .sort(),
    );
    expect(await p.store.crawlState.get(url)).toMatchObject({ leaseUntil: '2026-05-01T14:00:00.001Z' });
  });

  it('ingest’s write ends the lease: the next crawl decides from the fetch’s outcome', async () => {
    const { p, clock, crawl } = await crawlWithWaitingQueue();
    await crawl();
    const url = p.site.articleUrl(slugs[0] as string);
    p.clock.now = new Date(clock.now.getTime() + MINUTE);
    expect(await p.ingest.ingest({ url })).toMatchObject({ status: 'created' });
    const state = await p.store.crawlState.get(url);
    expect(state?.leaseUntil).toBeUndefined();
    expect(state?.queuedAt).toBeUndefined();

    clock.now = new Date(clock.now.getTime() + 15 * MINUTE);
    const next = await crawl();
    // The ingested URL is judged by its fetch (fresh or not due), the other three are still leased.
    expect(next.queued).toBe(0);
    expect(next.skipped.queued).toBe(3);
    expect(next.skipped.fresh + next.skipped['not-due']).toBe(1);
  });

  it('a crawl’s lease never overwrites a newer ingest outcome', async () => {
    let ingestDuringLookup: ((url: string) => Promise<void>) | undefined;
    const { p, sent, clock, crawl } = await crawlWithWaitingQueue({
      crawlState: {
        // Between the crawl's look-up and its lease, ingest fetches the URL (a message from an earlier crawl).
        get: async (url) => {
          const read = await pipeline?.store.crawlState.get(url);
          await ingestDuringLookup?.(url);
          return read;
        },
        put: (state) => (pipeline as Pipeline).store.crawlState.put(state),
        markQueued: (...lease) => (pipeline as Pipeline).store.crawlState.markQueued(...lease),
      },
    });
    const raced = p.site.articleUrl(slugs[1] as string);
    p.clock.now = new Date(clock.now.getTime() + 1000);
    ingestDuringLookup = async (url) => {
      if (url === raced) expect(await p.ingest.ingest({ url })).toMatchObject({ status: 'created' });
    };

    const summary = await crawl();
    expect(summary).toMatchObject({ discovered: 4, queued: 3, skipped: { 'changed-meanwhile': 1 } });
    expect(sent.map((message) => message.url)).not.toContain(raced);
    const state = await p.store.crawlState.get(raced);
    expect(state).toMatchObject({ lastOutcome: 'created', lastFetchedAt: p.clock.now.toISOString() });
    expect(state?.leaseUntil).toBeUndefined();
  });

  it('a failed lease write does not stop the crawl: the URL is queued without a lease', async () => {
    const unlucky = { url: '' };
    const { p, sent, crawl } = await crawlWithWaitingQueue({
      crawlState: {
        get: (url) => (pipeline as Pipeline).store.crawlState.get(url),
        put: (state) => (pipeline as Pipeline).store.crawlState.put(state),
        markQueued: async (url, ...lease) => {
          if (url === unlucky.url) throw new PipelineError('INTERNAL', 'throttled', { retryable: true });
          return (pipeline as Pipeline).store.crawlState.markQueued(url, ...lease);
        },
      },
    });
    unlucky.url = p.site.articleUrl(slugs[2] as string);
    expect(await crawl()).toMatchObject({ discovered: 4, queued: 4 });
    expect(sent.map((message) => message.url)).toContain(unlucky.url);
    expect(await p.store.crawlState.get(unlucky.url)).toBeUndefined();
    // Only a lease the crawl wrote is a first lease: this message's ingest must look for earlier fetches.
    expect(sent.find((message) => message.url === unlucky.url)?.firstLease).toBeUndefined();
    expect(sent.filter((message) => message.firstLease === true)).toHaveLength(3);
  });

  it('refuses a lease that is not a positive duration', async () => {
    const { crawlState } = await local.freshStore();
    for (const queueLeaseMs of [0, -1, Number.NaN]) {
      expect(() =>
        createCrawlHandler({
          sources: [],
          discover: async () => [],
          crawlState,
          queue: { send: async () => {} },
          logger: silentLogger,
          queueLeaseMs,
        }),
      ).toThrow(/queueLeaseMs must be a positive number/);
    }
  });
});
