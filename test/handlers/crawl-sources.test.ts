import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readSource } from '../../lib/core/discover/stream.ts';
import { createFetcher } from '../../lib/core/fetch/index.ts';
import { newSourceRecord } from '../../lib/core/sources.ts';
import {
  type CrawlSourceMessage,
  createScheduleHandler,
  createSourceCrawler,
  scheduledEvent,
} from '../../lib/handlers/crawl.ts';
import { createSeedSourcesHandler, isCustomResourceEvent } from '../../lib/handlers/seed-sources.ts';
import type { DelayedMessage, IngestMessage } from '../../lib/queue/types.ts';
import { AwsPolitenessStore } from '../../lib/store/aws/politeness.ts';
import { useLocalServers } from '../helpers/local-servers.ts';
import { silentLogger, sqsEvent } from './helpers.ts';

// The real schedule and crawl worker on dynalite, against sources served on loopback.
const local = useLocalServers();

/** A loopback site whose documents the test rewrites; it counts requests per path and answers validators. */
class TestSite {
  readonly documents = new Map<string, { body: string | Buffer; type: string; etag: string }>();
  readonly requests: string[] = [];
  /** Paths answered 503 this many more times before their document. */
  readonly unavailable = new Map<string, number>();
  private server: Server | undefined;
  origin = '';

  set(path: string, body: string | Buffer, type = 'application/xml'): void {
    this.documents.set(path, { body, type, etag: `"${this.documents.size}-${body.length}-${Date.now()}"` });
  }

  async start(): Promise<void> {
    const server = createServer((request: IncomingMessage, response: ServerResponse) => {
      const path = new URL(request.url ?? '/', 'http://x').pathname;
      this.requests.push(path);
      const document = this.documents.get(path);
      const outages = this.unavailable.get(path) ?? 0;
      if (outages > 0) {
        this.unavailable.set(path, outages - 1);
        response.writeHead(503).end('busy');
        return;
      }
      if (path === '/robots.txt' && document === undefined) {
        response.writeHead(404).end();
        return;
      }
      if (document === undefined) {
        response.writeHead(500).end('broken');
        return;
      }
      if (request.headers['if-none-match'] === document.etag) {
        response.writeHead(304, { etag: document.etag }).end();
        return;
      }
      response.writeHead(200, { 'content-type': document.type, etag: document.etag }).end(document.body);
    });
    this.server = server;
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    this.origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  }

  count(path: string): number {
    return this.requests.filter((request) => request === path).length;
  }

  async close(): Promise<void> {
    await new Promise<void>((resolve) => this.server?.close(() => resolve()));
  }
}

const site = new TestSite();
beforeAll(() => site.start());
afterAll(() => site.close());

const urlset = (entries: Array<{ path: string; lastmod?: string }>) =>
  `<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">${entries
    .map(
      (entry) =>
        `<url><loc>${site.origin}${entry.path}</loc>${entry.lastmod ? `<lastmod>${entry.lastmod}</lastmod>` : ''}</url>`,
    )
    .join('')}</urlset>`;
const sitemapIndex = (children: Array<{ path: string; lastmod: string }>) =>
  `<?xml version="1.0"?><sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">${children
    .map(
      (child) =>
        `<sitemap><loc>${site.origin}${child.path}</loc><lastmod>${child.lastmod}</lastmod></sitemap>`,
    )
    .join('')}</sitemapindex>`;
const rss = (items: Array<{ path: string; date: string }>) =>
  `<?xml version="1.0"?><rss version="2.0"><channel><title>t</title>${items
    .map((item) => `<item><link>${site.origin}${item.path}</link><pubDate>${item.date}</pubDate></item>`)
    .join('')}</channel></rss>`;

async function setUp() {
  const store = await local.freshStore();
  const clock = { now: new Date('2026-03-01T12:00:00.000Z') };
  const fetcher = createFetcher({ allowedOrigins: [site.origin], minIntervalMs: 0, retries: 0 });
  const ingestMessages: IngestMessage[] = [];
  const crawlMessages: CrawlSourceMessage[] = [];
  const schedule = createScheduleHandler({
    registry: store.sources,
    crawlQueue: { send: async (messages) => void crawlMessages.push(...messages) },
    logger: silentLogger,
    now: () => clock.now,
  });
  const crawler = createSourceCrawler({
    registry: store.sources,
    crawlState: store.crawlState,
    queue: { send: async (messages) => void ingestMessages.push(...messages) },
    fetcher,
    logger: silentLogger,
    now: () => clock.now,
    // The longest backoff the jitter allows, so a failing source's return time does not depend on chance.
    random: () => 1,
  });
  /** One schedule run, then every task it queued through the SQS entry point. */
  const round = async () => {
    crawlMessages.length = 0;
    const scheduled = await schedule(scheduledEvent(clock.now));
    if (crawlMessages.length > 0) {
      const tasks = sqsEvent(crawlMessages.map((message) => JSON.stringify(message)));
      expect((await crawler.handler(tasks)).batchItemFailures).toEqual([]);
    }
    return scheduled;
  };
  /** A schedule run at `now` (its own clock: a second invocation, or a tick early or late), queuing only. */
  const scheduleAt = (now: Date) =>
    createScheduleHandler({
      registry: store.sources,
      crawlQueue: { send: async (messages) => void crawlMessages.push(...messages) },
      logger: silentLogger,
      now: () => now,
    })(scheduledEvent(now));
  return { store, clock, crawler, ingestMessages, crawlMessages, round, scheduleAt };
}

describe('schedule → one crawl task per due source → worker', () => {
  it('crawls each due source once: index children streamed, feed read, health and validators recorded', async () => {
    const { store, clock, ingestMessages, round } = await setUp();
    site.set(
      '/a/sitemap_index.xml',
      sitemapIndex([
        { path: '/a/sitemap-1.xml', lastmod: '2026-02-01T00:00:00Z' },
        { path: '/a/sitemap-2.xml.gz', lastmod: '2026-02-27T00:00:00Z' },
      ]),
    );
    site.set(
      '/a/sitemap-1.xml',
      urlset([
        { path: '/a/old-1', lastmod: '2026-01-30T00:00:00Z' },
        { path: '/a/old-2', lastmod: '2026-02-01T00:00:00Z' },
      ]),
    );
    site.set(
      '/a/sitemap-2.xml.gz',
      gzipSync(
        urlset([
          { path: '/a/new-1', lastmod: '2026-02-27T00:00:00Z' },
          { path: '/a/new-2' },
          { path: '/a/old-1', lastmod: '2026-01-30T00:00:00Z' },
        ]),
      ),
      'application/octet-stream',
    );
    site.set(
      '/b/feed.xml',
      rss([
        { path: '/b/story-1', date: 'Sat, 28 Feb 2026 10:00:00 GMT' },
        { path: '/b/story-2', date: 'Sun, 01 Mar 2026 09:00:00 GMT' },
      ]),
      'application/rss+xml',
    );
    const index = newSourceRecord({ url: `${site.origin}/a/sitemap_index.xml` }, clock.now);
    const feed = newSourceRecord({ url: `${site.origin}/b/feed.xml`, intervalSeconds: 3600 }, clock.now);
    const broken = newSourceRecord({ url: `${site.origin}/c/missing.xml` }, clock.now);
    const paused = newSourceRecord({ url: `${site.origin}/d/feed.xml`, paused: true }, clock.now);
    await store.sources.addMany([index, feed, broken, paused]);

    expect(await round()).toEqual({ queued: 3, lostClaims: 0 });
    expect(site.count('/d/feed.xml')).toBe(0);
    // Every URL once, with its source; old-1 is listed twice but queued once.
    expect(ingestMessages.map((message) => message.url).sort()).toEqual(
      ['/a/new-1', '/a/new-2', '/a/old-1', '/a/old-2', '/b/story-1', '/b/story-2'].map(
        (path) => `${site.origin}${path}`,
      ),
    );
    expect(ingestMessages.find((message) => message.url.endsWith('/b/story-1'))).toMatchObject({
      sourceId: feed.id,
      source: feed.url,
      publishedAt: '2026-02-28T10:00:00.000Z',
    });

    const crawledIndex = await store.sources.get(index.id);
    expect(crawledIndex).toMatchObject({
      kind: 'sitemap',
      highWaterMark: '2026-02-27T00:00:00.000Z',
      validators: { etag: expect.any(String) },
      nextDueAt: '2026-03-01T12:15:00.000Z',
      health: { lastOutcome: 'ok', consecutiveFailures: 0, urlsDiscovered: 5, urlsQueued: 4 },
    });
    expect((await store.sources.get(feed.id))?.health).toMatchObject({ lastOutcome: 'ok', urlsQueued: 2 });
    expect((await store.sources.get(feed.id))?.kind).toBe('feed');
    const failed = await store.sources.get(broken.id);
    expect(failed?.health).toMatchObject({
      lastOutcome: 'failed',
      consecutiveFailures: 1,
      lastError: { code: 'HTTP_ERROR' },
    });
    // A failing source backs off (the crawl policy's doubling, with jitter): later than its 15-minute interval.
    expect(Date.parse(failed?.nextDueAt ?? '')).toBeGreaterThan(Date.parse('2026-03-01T12:15:00.000Z'));

    // Nothing is due a minute later: no task, no fetch.
    const before = site.requests.length;
    clock.now = new Date('2026-03-01T12:01:00.000Z');
    expect(await round()).toEqual({ queued: 0, lostClaims: 0 });
    expect(site.requests.length).toBe(before);

    // 15 minutes on: the index answers 304 and its task ends there (the broken source is still backing off).
    clock.now = new Date('2026-03-01T12:16:00.000Z');
    ingestMessages.length = 0;
    expect(await round()).toEqual({ queued: 1, lostClaims: 0 });
    expect(ingestMessages).toEqual([]);
    expect(site.count('/a/sitemap-1.xml')).toBe(1);
    expect((await store.sources.get(index.id))?.health.lastOutcome).toBe('not-modified');

    // The index changes: only the child modified since the high-water mark is fetched again.
    site.set(
      '/a/sitemap_index.xml',
      sitemapIndex([
        { path: '/a/sitemap-1.xml', lastmod: '2026-02-01T00:00:00Z' },
        { path: '/a/sitemap-3.xml', lastmod: '2026-03-01T12:20:00Z' },
      ]),
    );
    site.set('/a/sitemap-3.xml', urlset([{ path: '/a/newest', lastmod: '2026-03-01T12:20:00Z' }]));
    clock.now = new Date('2026-03-01T12:32:00.000Z');
    await round();
    expect(site.count('/a/sitemap-1.xml')).toBe(1);
    expect(site.count('/a/sitemap-3.xml')).toBe(1);
    expect(ingestMessages.map((message) => message.url)).toEqual([`${site.origin}/a/newest`]);
    expect((await store.sources.get(index.id))?.highWaterMark).toBe('2026-03-01T12:20:00.000Z');
  });

  it('a child sitemap that fails leaves the index unread for next time: no validators kept, no high-water move', async () => {
    const { store, clock, ingestMessages, round } = await setUp();
    site.set(
      '/e/sitemap_index.xml',
      sitemapIndex([
        { path: '/e/sitemap-1.xml', lastmod: '2026-02-27T00:00:00Z' },
        { path: '/e/sitemap-2.xml', lastmod: '2026-02-28T00:00:00Z' },
      ]),
    );
    site.set('/e/sitemap-1.xml', urlset([{ path: '/e/one', lastmod: '2026-02-27T00:00:00Z' }]));
    // /e/sitemap-2.xml is not there yet: the site answers 500.
    const index = newSourceRecord({ url: `${site.origin}/e/sitemap_index.xml` }, clock.now);
    await store.sources.addMany([index]);
    await round();
    expect(ingestMessages.map((message) => message.url)).toEqual([`${site.origin}/e/one`]);
    const partial = await store.sources.get(index.id);
    expect(partial?.health.lastOutcome).toBe('ok');
    expect(partial?.validators).toBeUndefined();
    expect(partial?.highWaterMark).toBeUndefined();

    // Next time the index is read again (no 304), and the child that failed is read with it.
    site.set('/e/sitemap-2.xml', urlset([{ path: '/e/two', lastmod: '2026-02-28T00:00:00Z' }]));
    ingestMessages.length = 0;
    clock.now = new Date(clock.now.getTime() + 16 * 60_000);
    await round();
    expect(ingestMessages.map((message) => message.url)).toEqual([`${site.origin}/e/two`]);
    const complete = await store.sources.get(index.id);
    expect(complete?.validators).toBeDefined();
    expect(complete?.highWaterMark).toBe('2026-02-28T00:00:00.000Z');
  });

  it('a read cut short by a transient failure is read again once in the same task: no child sitemap left for later', async () => {
    const { store, clock, ingestMessages, round } = await setUp();
    site.set(
      '/t/sitemap_index.xml',
      sitemapIndex([
        { path: '/t/sitemap-1.xml', lastmod: '2026-02-27T00:00:00Z' },
        { path: '/t/sitemap-2.xml', lastmod: '2026-02-28T00:00:00Z' },
      ]),
    );
    site.set('/t/sitemap-1.xml', urlset([{ path: '/t/one', lastmod: '2026-02-27T00:00:00Z' }]));
    site.set('/t/sitemap-2.xml', urlset([{ path: '/t/two', lastmod: '2026-02-28T00:00:00Z' }]));
    // The second child's host has a bad moment (past the fetch's own retries): one 503.
    site.unavailable.set('/t/sitemap-2.xml', 1);
    // A feed whose own fetch fails that way the first time.
    site.set('/t/feed.xml', rss([{ path: '/t/three', date: 'Sun, 01 Mar 2026 09:00:00 GMT' }]));
    site.unavailable.set('/t/feed.xml', 1);
    const index = newSourceRecord({ url: `${site.origin}/t/sitemap_index.xml` }, clock.now);
    const feed = newSourceRecord({ url: `${site.origin}/t/feed.xml` }, clock.now);
    await store.sources.addMany([index, feed]);
    await round();
    // Every URL queued once, by one task per source; the first read's URL was not queued again by the second.
    expect(ingestMessages.map((message) => message.url).sort()).toEqual(
      ['/t/one', '/t/three', '/t/two'].map((path) => `${site.origin}${path}`),
    );
    expect(site.count('/t/sitemap_index.xml')).toBe(2);
    expect(site.count('/t/sitemap-2.xml')).toBe(2);
    expect(site.count('/t/feed.xml')).toBe(2);
    // Read whole: validators and the high-water mark move, and the sources say so.
    const read = await store.sources.get(index.id);
    expect(read?.validators).toBeDefined();
    expect(read?.highWaterMark).toBe('2026-02-28T00:00:00.000Z');
    expect(read?.health).toMatchObject({ lastOutcome: 'ok', consecutiveFailures: 0 });
    expect((await store.sources.get(feed.id))?.health).toMatchObject({
      lastOutcome: 'ok',
      consecutiveFailures: 0,
      urlsQueued: 1,
    });
  });

  it('a claim is exclusive while its lease runs and comes back when the worker that held it died', async () => {
    const { store, clock, crawlMessages, round, scheduleAt: schedule } = await setUp();
    site.set('/claim/feed.xml', rss([{ path: '/claim/story', date: 'Sun, 01 Mar 2026 09:00:00 GMT' }]));
    const source = newSourceRecord({ url: `${site.origin}/claim/feed.xml` }, clock.now);
    await store.sources.add(source);

    // Two schedule runs at once (an overlapping invocation): the source is claimed and queued once.
    const both = await Promise.all([schedule(clock.now), schedule(clock.now)]);
    expect(both.map((summary) => summary.queued).sort()).toEqual([0, 1]);
    expect(crawlMessages).toHaveLength(1);
    // Its worker dies with the task (the message is lost): the source stays claimed, so schedules within the
    // lease do not hand it out again, though its 15-minute interval has long passed.
    crawlMessages.length = 0;
    expect(await schedule(new Date('2026-03-01T12:30:00.000Z'))).toEqual({ queued: 0, lostClaims: 0 });
    expect(await schedule(new Date('2026-03-01T12:59:00.000Z'))).toEqual({ queued: 0, lostClaims: 0 });
    expect(site.count('/claim/feed.xml')).toBe(0);
    // After the lease (an hour) it is due again, and this time the crawl completes and sets the real due time.
    clock.now = new Date('2026-03-01T13:01:00.000Z');
    expect(await round()).toEqual({ queued: 1, lostClaims: 0 });
    expect(site.count('/claim/feed.xml')).toBe(1);
    expect(await store.sources.get(source.id)).toMatchObject({
      nextDueAt: '2026-03-01T13:16:00.000Z',
      health: { lastOutcome: 'ok', urlsQueued: 1 },
    });
  });

  it('keeps the source on its beat: due an interval after the run that found it, taken by a tick a little early', async () => {
    const { store, clock, crawler, crawlMessages, scheduleAt: schedule } = await setUp();
    site.set('/beat/feed.xml', rss([{ path: '/beat/story', date: 'Sun, 01 Mar 2026 09:00:00 GMT' }]));
    const source = newSourceRecord({ url: `${site.origin}/beat/feed.xml` }, clock.now);
    await store.sources.add(source);
    const work = async (at: string) => {
      clock.now = new Date(at);
      const tasks = sqsEvent(crawlMessages.splice(0).map((message) => JSON.stringify(message)));
      expect((await crawler.handler(tasks)).batchItemFailures).toEqual([]);
    };

    // Found due at 12:00, crawled 40 s later: next due at 12:15, not 12:15:40 (which the 12:15 tick would miss,
    // leaving a 15-minute source to the 12:30 tick).
    expect(await schedule(new Date('2026-03-01T12:00:00.000Z'))).toEqual({ queued: 1, lostClaims: 0 });
    await work('2026-03-01T12:00:40.000Z');
    expect((await store.sources.get(source.id))?.nextDueAt).toBe('2026-03-01T12:15:00.000Z');
    // The next tick comes 2 s early: the source due at 12:15 is still taken.
    expect(await schedule(new Date('2026-03-01T12:14:58.000Z'))).toEqual({ queued: 1, lostClaims: 0 });
    // Its task waits 20 minutes in the queue: the next crawl is not due at once but the shortest interval later.
    await work('2026-03-01T12:35:00.000Z');
    expect((await store.sources.get(source.id))?.nextDueAt).toBe('2026-03-01T12:36:00.000Z');
    expect(site.count('/beat/feed.xml')).toBe(2);
  });

  it('a task for a removed or paused source is skipped; a malformed task is dropped; the schedule needs its event', async () => {
    const { store, clock, crawler } = await setUp();
    const source = newSourceRecord({ url: `${site.origin}/e/feed.xml` }, clock.now);
    await store.sources.add(source);
    await store.sources.update(source.id, { paused: true }, clock.now);
    expect((await crawler.crawlSource(source.id)).outcome).toBe('skipped');
    expect((await crawler.crawlSource('0123456789abcdef')).outcome).toBe('skipped');
    expect(site.count('/e/feed.xml')).toBe(0);
    const response = await crawler.handler(sqsEvent(['not json', JSON.stringify({ sourceId: 'x' })]));
    expect(response.batchItemFailures).toEqual([]);
    const schedule = createScheduleHandler({
      registry: store.sources,
      crawlQueue: { send: async () => {} },
      logger: silentLogger,
    });
    await expect(schedule({ Records: [] })).rejects.toMatchObject({ code: 'BAD_REQUEST' });
  });
});

describe('a sitemap index on a paced host whose slots the crawl reserves', () => {
  it('reads every child: the URLs of a read that has more documents to fetch go out spaced but unreserved', async () => {
    // Each child lists 110 URLs (read and queued 100 at a time). Reserved while the first child was read, the first
    // 100's slots (300 ms apart) held the host for 30 s, past the crawl's 3 s wait for its next request: the second
    // child failed HOST_BUSY and its URLs were never queued, with the source reported ok.
    const INTERVAL = 100;
    const child = (part: number) =>
      urlset(
        Array.from({ length: 110 }, (_, n) => ({
          path: `/paced/${part}/${n}`,
          lastmod: '2026-02-27T00:00:00Z',
        })),
      );
    site.set(
      '/paced/sitemap_index.xml',
      sitemapIndex([
        { path: '/paced/sitemap-1.xml', lastmod: '2026-02-27T00:00:00Z' },
        { path: '/paced/sitemap-2.xml', lastmod: '2026-02-27T00:00:00Z' },
      ]),
    );
    site.set('/paced/sitemap-1.xml', child(1));
    site.set('/paced/sitemap-2.xml', child(2));
    const store = await local.freshStore();
    const politeness = new AwsPolitenessStore({ dynamodb: store.dynamodb, tableName: store.tableName });
    const fetcher = createFetcher({
      allowedOrigins: [site.origin],
      minIntervalMs: INTERVAL,
      retries: 0,
      shared: { tokens: politeness, robots: politeness, maxWaitMs: 3_000 },
    });
    const sent: DelayedMessage[] = [];
    const crawler = createSourceCrawler({
      registry: store.sources,
      crawlState: store.crawlState,
      queue: {
        send: async (messages) => void sent.push(...messages.map((message) => ({ message, delayMs: 0 }))),
        sendDelayed: async (entries) => void sent.push(...entries),
      },
      fetcher,
      logger: silentLogger,
      hostSpacingMs: 2 * INTERVAL,
      hostSlots: {
        intervalMs: INTERVAL,
        reserve: (host, block, nowMs) => politeness.reserve(host, block, nowMs),
        extendBlock: (host, block, count) => politeness.extendBlock(host, block, count),
      },
    });
    const source = newSourceRecord({ url: `${site.origin}/paced/sitemap_index.xml` }, new Date());
    await store.sources.add(source);

    const summary = await crawler.crawlSource(source.id);
    expect(summary).toMatchObject({ outcome: 'ok', sitemapsRead: 2, sitemapsUnread: 0, queued: 220 });
    expect(site.count('/paced/sitemap-2.xml')).toBe(1);
    // The URLs queued while the second child was still to be read carry no slot; the rest are reserved, in slots
    // after the earlier messages' delays.
    const unreserved = sent.filter(({ message }) => message.hostSlot === undefined);
    const reserved = sent.filter(({ message }) => message.hostSlot !== undefined);
    expect(unreserved).toHaveLength(100);
    expect(unreserved.every(({ message }) => message.url.includes('/paced/1/'))).toBe(true);
    expect(reserved).toHaveLength(120);
    const lastUnreserved = Math.max(...unreserved.map(({ delayMs }) => delayMs));
    expect(Math.min(...reserved.map(({ delayMs }) => delayMs))).toBeGreaterThan(lastUnreserved);
  });
});

describe('reading a source in bounded memory', () => {
  it('streams a 10,000-URL sitemap (gzip) in batches of at most 100, never holding the document', async () => {
    const entries = Array.from({ length: 10_000 }, (_, index) => ({
      path: `/big/${index}`,
      lastmod: new Date(Date.UTC(2026, 0, 1) + index * 60_000).toISOString(),
    }));
    site.set('/big/sitemap.xml.gz', gzipSync(urlset(entries)), 'application/gzip');
    const fetcher = createFetcher({ allowedOrigins: [site.origin], minIntervalMs: 0, retries: 0 });
    let largest = 0;
    let total = 0;
    let first: string | undefined;
    const result = await readSource(`${site.origin}/big/sitemap.xml.gz`, {
      fetcher,
      onEntries: async (batch) => {
        largest = Math.max(largest, batch.length);
        total += batch.length;
        first ??= batch[0]?.url;
      },
    });
    expect(total).toBe(10_000);
    expect(largest).toBeLessThanOrEqual(100);
    expect(first).toBe(`${site.origin}/big/0`);
    expect(result).toMatchObject({ kind: 'sitemap', urls: 10_000, newest: entries.at(-1)?.lastmod });

    // With a high-water mark, the old entries are dropped before any look-up.
    let kept = 0;
    const recent = await readSource(`${site.origin}/big/sitemap.xml.gz`, {
      fetcher,
      notBefore: Date.parse(entries[9_900]?.lastmod ?? ''),
      onEntries: async (batch) => {
        kept += batch.length;
      },
    });
    expect(kept).toBe(100);
    expect(recent.older).toBe(9_900);
  });

  it('reads robots.txt sitemaps and plain URL lists line by line', async () => {
    const fetcher = createFetcher({ allowedOrigins: [site.origin], minIntervalMs: 0, retries: 0 });
    site.set('/list.txt', `${site.origin}/l/1\n\n${site.origin}/l/2\nnot a url\n`, 'text/plain');
    const found: string[] = [];
    const list = await readSource(`${site.origin}/list.txt`, {
      fetcher,
      onEntries: async (batch) => void found.push(...batch.map((item) => item.url)),
    });
    expect(list.kind).toBe('urls');
    expect(found).toEqual([`${site.origin}/l/1`, `${site.origin}/l/2`]);
  });
});

describe('seeding the registry at deploy (CloudFormation custom resource)', () => {
  const request = (type: 'Create' | 'Update' | 'Delete', sources: unknown) => ({
    RequestType: type,
    ResponseURL: 'https://cloudformation-custom-resource-response.example/signed',
    StackId: 'arn:aws:cloudformation:us-east-1:000000000000:stack/articles/1',
    RequestId: 'request-1',
    LogicalResourceId: 'SourcesSeed0',
    ResourceProperties: { ServiceToken: 'arn', Sources: JSON.stringify(sources) },
  });

  it('adds the new sources, keeps registered ones as they are, and answers CloudFormation either way', async () => {
    const store = await local.freshStore();
    const responses: Array<{ url: string; body: Record<string, unknown> }> = [];
    const seed = createSeedSourcesHandler({
      registry: store.sources,
      logger: silentLogger,
      send: async (url, body) => void responses.push({ url, body: JSON.parse(body) }),
    });
    const paused = newSourceRecord({ url: 'https://a.example/feed.xml', paused: true }, new Date());
    await store.sources.add(paused);
    const sources = Array.from({ length: 30 }, (_, index) => ({
      url: `https://s${index}.example/sitemap.xml`,
    }));
    expect(isCustomResourceEvent(request('Create', sources))).toBe(true);
    await seed(request('Create', [...sources, { url: 'https://a.example/feed.xml' }]));
    expect(responses[0]).toMatchObject({
      url: 'https://cloudformation-custom-resource-response.example/signed',
      body: { Status: 'SUCCESS', Data: { created: 30, existing: 1 }, LogicalResourceId: 'SourcesSeed0' },
    });
    expect((await store.sources.get(paused.id))?.paused).toBe(true);
    expect((await store.sources.list({ limit: 100 })).items).toHaveLength(31);

    await seed(request('Delete', sources));
    expect(responses[1]?.body.Status).toBe('SUCCESS');
    expect((await store.sources.list({ limit: 100 })).items).toHaveLength(31);

    await seed(request('Update', [{ url: 'ftp://bad.example/' }]));
    expect(responses[2]?.body).toMatchObject({ Status: 'FAILED', Reason: expect.stringMatching(/url/) });
  });
});
