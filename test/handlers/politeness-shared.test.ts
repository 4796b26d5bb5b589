import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../lib/config.ts';
import { CRAWL_POLICY } from '../../lib/core/crawl-policy.ts';
import { extract } from '../../lib/core/extract/index.ts';
import { slotsOf } from '../../lib/core/fetch/host-slots.ts';
import {
  createFetcher,
  createSharedPoliteness,
  isHostBusy,
  nodeConnector,
} from '../../lib/core/fetch/index.ts';
import { EXAMPLE_ARTICLES, type SiteArticle } from '../../lib/embedded/example-site/articles.ts';
import { renderArticlePage } from '../../lib/embedded/example-site/render.ts';
import { InProcessEventBus } from '../../lib/events/in-process.ts';
import { createIngestFetcher } from '../../lib/handlers/build-ingest.ts';
import { createIngestService, type IngestOutcome } from '../../lib/handlers/ingest.ts';
import { InProcessIngestQueue } from '../../lib/queue/in-process.ts';
import type { IngestMessage } from '../../lib/queue/types.ts';
import { AwsPolitenessStore } from '../../lib/store/aws/politeness.ts';
import { type TestStore, useLocalServers } from '../helpers/local-servers.ts';
import { silentLogger, sqsEvent } from './helpers.ts';

/**
 * Politeness across workers: two ingest services (two "instances", each with its own fetcher and memory) share
 * one queue and one table, and fetch from three loopback hosts. The intervals are asserted where the pipeline
 * sends each request (its connector), on the clock its politeness reads: what the token decides, whatever the
 * machine's load. The test servers share this event loop, so the times they would record add how late each
 * request's arrival was handled (a page being extracted holds it back): under load that alone made two requests
 * arrive closer than the interval. The servers still count every page and robots.txt request.
 */

const local = useLocalServers();
const INTERVAL_MS = 500;
/** The politeness clock: the fetchers read it, and the connector stamps each request with it as it leaves. */
const clock = () => Date.now();
/** A timer may fire up to a ms early on this clock, and a ms may tick between the check and the send. */
const CLOCK_TICK_MS = 2;

interface RecordingHost {
  origin: string;
  host: string;
  /** Page requests the server received (paths, in arrival order). */
  pages: string[];
  robotsRequests: number;
  close(): Promise<void>;
}

async function startHost(address: string, articles: SiteArticle[], robots: string): Promise<RecordingHost> {
  const pages: string[] = [];
  let robotsRequests = 0;
  let origin = '';
  const server: Server = createServer((request, response) => {
    const path = (request.url ?? '/').split('?')[0] ?? '/';
    if (path === '/robots.txt') {
      robotsRequests++;
      response.writeHead(200, { 'content-type': 'text/plain' }).end(robots);
      return;
    }
    pages.push(path);
    const article = articles.find((candidate) => `/news/${candidate.slug}` === path);
    if (article === undefined) {
      response.writeHead(404).end();
      return;
    }
    const html = renderArticlePage(article, { origin, name: `Site ${address}` });
    response.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(html);
  });
  await new Promise<void>((resolve) => server.listen(0, address, resolve));
  origin = `http://${address}:${(server.address() as AddressInfo).port}`;
  return {
    origin,
    host: new URL(origin).host,
    pages,
    get robotsRequests() {
      return robotsRequests;
    },
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

function gaps(times: number[]): number[] {
  const sorted = [...times].sort((a, b) => a - b);
  return sorted.slice(1).map((time, index) => time - (sorted[index] as number));
}

/** One table for the file: the tests use different hosts, so their items never meet (a table costs ~1 s). */
let shared: Promise<TestStore> | undefined;
const tableForFile = (): Promise<TestStore> => {
  shared ??= local.freshStore();
  return shared;
};

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

function worker(
  store: TestStore,
  origins: string[],
  queue: () => InProcessIngestQueue,
  outcomes: IngestOutcome[],
  pageSends: Map<string, number[]>,
) {
  const politeness = new AwsPolitenessStore({ dynamodb: store.dynamodb, tableName: store.tableName });
  const fetcher = createFetcher({
    allowedOrigins: origins,
    minIntervalMs: INTERVAL_MS,
    retries: 0,
    now: clock,
    shared: { tokens: politeness, robots: politeness },
    // Stamps each page request as it is written (robots.txt is paced too, but the assertion is about pages): once
    // connected, when its turn still holds (a request the loop got to after its turn is not sent, and taken again).
    connector: (request) => {
      const { inTime } = request;
      const stamp = () => {
        if (request.url.pathname === '/robots.txt') return;
        const times = pageSends.get(request.url.host) ?? [];
        times.push(clock());
        pageSends.set(request.url.host, times);
      };
      if (inTime === undefined) {
        stamp();
        return nodeConnector(request);
      }
      let asks = 0;
      return nodeConnector({
        ...request,
        inTime: () => {
          const ok = inTime();
          if (ok && ++asks === 2) stamp();
          return ok;
        },
      });
    },
  });
  return createIngestService({
    fetchPage: (url, options) => fetcher.fetch(url, options),
    extract,
    articles: store.articles,
    crawlState: store.crawlState,
    events: new InProcessEventBus(),
    bucketName: store.bucketName,
    logger: silentLogger,
    queue: {
      send: (messages) => queue().send(messages),
      sendDelayed: (entries) => queue().sendDelayed(entries),
    },
    onOutcome: (outcome) => outcomes.push(outcome),
  });
}

describe('politeness shared by every worker', () => {
  it('keeps each host’s interval (and its Crawl-delay) across two workers, putting busy hosts back, never waiting', async () => {
    const store = await tableForFile();
    const pages = (prefix: string) =>
      EXAMPLE_ARTICLES.slice(0, 4).map((article, n) => ({ ...article, slug: `${prefix}-${n}` }));
    const hosts = [
      await startHost('127.0.0.2', pages('a'), 'User-agent: *\nAllow: /\n'),
      await startHost('127.0.0.3', pages('b'), 'User-agent: *\nAllow: /\n'),
      await startHost('127.0.0.4', pages('c').slice(0, 3), 'User-agent: *\nCrawl-delay: 1\n'),
    ];
    for (const host of hosts) cleanups.push(() => host.close());
    const origins = hosts.map((host) => host.origin);
    const outcomes: IngestOutcome[] = [];
    const pageSends = new Map<string, number[]>();
    let queue: InProcessIngestQueue | undefined;
    const workers = [
      worker(store, origins, () => queue as InProcessIngestQueue, outcomes, pageSends),
      worker(store, origins, () => queue as InProcessIngestQueue, outcomes, pageSends),
    ];
    let turn = 0;
    // Two batches in flight at a time, handed to the two workers in turn, as two Lambda instances would be.
    queue = new InProcessIngestQueue({
      handler: (event) => (workers[turn++ % 2] as (typeof workers)[number]).handler(event),
      concurrency: 2,
      batchSize: 4,
      retryDelayMs: 5,
    });
    cleanups.push(() => (queue as InProcessIngestQueue).close());
    const queuedAt = new Date().toISOString();
    const messages: IngestMessage[] = [];
    for (const [index, host] of hosts.entries()) {
      const prefix = ['a', 'b', 'c'][index] as string;
      const count = index === 2 ? 3 : 4;
      for (let n = 0; n < count; n++) {
        messages.push({ url: `${host.origin}/news/${prefix}-${n}`, discoveredAt: queuedAt, queuedAt });
      }
    }
    // All of one host first: the worst order for politeness (the crawl interleaves; here the token must hold).
    await queue.send(messages);
    await queue.drain();

    const created = outcomes.filter((outcome) => outcome.status === 'created').map((outcome) => outcome.url);
    expect(created.sort()).toEqual(messages.map((message) => message.url).sort());
    expect(outcomes.some((outcome) => outcome.status === 'failed')).toBe(false);
    // Busy hosts were put back, not waited for: some deferrals happened, and no record was retried as a failure.
    expect(outcomes.filter((outcome) => outcome.status === 'deferred').length).toBeGreaterThan(0);
    expect(queue.stats().retried).toBe(0);
    for (const [index, host] of hosts.entries()) {
      const expected = index === 2 ? 1000 : INTERVAL_MS;
      // Each page reached its server once, and left the pipeline at least the host's interval after the last.
      expect(host.pages).toHaveLength(index === 2 ? 3 : 4);
      expect(new Set(host.pages).size).toBe(host.pages.length);
      const sends = pageSends.get(host.host) ?? [];
      expect(sends).toHaveLength(host.pages.length);
      for (const gap of gaps(sends)) expect(gap).toBeGreaterThanOrEqual(expected - CLOCK_TICK_MS);
      // robots.txt is shared through the table: at most once per worker that raced for it.
      expect(host.robotsRequests).toBeLessThanOrEqual(2);
    }
  });

  it('a failing host is a failure, not a put-back: the fetch’s own retry meets the host’s interval and gives up', async () => {
    const store = await tableForFile();
    let requests = 0;
    const server = createServer((_request, response) => {
      requests++;
      response.writeHead(503).end();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.6', resolve));
    cleanups.push(() => new Promise((resolve) => server.close(() => resolve())));
    const origin = `http://127.0.0.6:${(server.address() as AddressInfo).port}`;
    const politeness = new AwsPolitenessStore({ dynamodb: store.dynamodb, tableName: store.tableName });
    // A clock that moves only when the fetcher sleeps: a token write or a timer made late by a loaded machine
    // cannot overrun the booked slot (which puts the message back instead of fetching), so the one request is
    // always sent and its retry always meets the host's 60 s interval.
    let clockMs = Date.now();
    const fetcher = createFetcher({
      allowedOrigins: [origin],
      minIntervalMs: 60_000,
      respectRobots: false,
      retries: 2,
      retryBaseDelayMs: 1,
      now: () => clockMs,
      sleep: async (ms) => {
        clockMs += ms;
      },
      shared: { tokens: politeness, robots: politeness },
    });
    const outcomes: IngestOutcome[] = [];
    const service = createIngestService({
      fetchPage: (url, options) => fetcher.fetch(url, options),
      extract,
      articles: store.articles,
      crawlState: store.crawlState,
      events: new InProcessEventBus(),
      bucketName: store.bucketName,
      logger: silentLogger,
      onOutcome: (outcome) => outcomes.push(outcome),
    });
    const queuedAt = new Date().toISOString();
    const url = `${origin}/news/down`;
    const response = await service.handler(
      sqsEvent([JSON.stringify({ url, discoveredAt: queuedAt, queuedAt })]),
    );
    expect(outcomes).toMatchObject([{ status: 'failed', retryable: true, error: { code: 'HTTP_ERROR' } }]);
    expect(response.batchItemFailures).toHaveLength(1);
    expect(requests).toBe(1);
  });

  it('shares robots.txt through the table: a new instance reads it without asking the site', async () => {
    const store = await tableForFile();
    const host = await startHost('127.0.0.5', [], 'User-agent: *\nDisallow: /private\nCrawl-delay: 2\n');
    cleanups.push(() => host.close());
    const politeness = new AwsPolitenessStore({ dynamodb: store.dynamodb, tableName: store.tableName });
    // robots.txt takes the host's token like any request; waiting (as the crawl worker does) rather than HOST_BUSY
    // keeps this test about the shared cache when a loaded machine makes a token write overrun its slot.
    const instance = () =>
      createFetcher({
        allowedOrigins: [host.origin],
        shared: { tokens: politeness, robots: politeness, maxWaitMs: 60_000 },
      });
    const first = await instance().robots.check(`${host.origin}/news/x`);
    expect(first.crawlDelayMs).toBe(2000);
    const second = instance().robots;
    await expect(second.check(`${host.origin}/private/y`)).rejects.toMatchObject({
      code: 'ROBOTS_DISALLOWED',
    });
    expect((await second.check(`${host.origin}/news/z`)).crawlDelayMs).toBe(2000);
    expect(host.robotsRequests).toBe(1);
  });

  it('ingest keeps the shared robots.txt copy past the crawl’s hour: the crawl refreshes it, not a reserved slot', async () => {
    const store = await tableForFile();
    const rules = 'User-agent: *\nCrawl-delay: 2\n';
    const host = await startHost('127.0.0.7', [], rules);
    cleanups.push(() => host.close());
    const politeness = new AwsPolitenessStore({ dynamodb: store.dynamodb, tableName: store.tableName });
    // Stored by a crawl, read again ten minutes after the hour the crawl keeps rules for.
    const fetchedAtMs = Date.now() - CRAWL_POLICY.robotsTtlMs - 10 * 60_000;
    await politeness.put(host.origin, { state: 'fetched', text: rules, fetchedAtMs });
    const ingest = createIngestFetcher(loadConfig({}), politeness, { allowedOrigins: [host.origin] });
    expect((await ingest.robots.check(`${host.origin}/news/a`)).crawlDelayMs).toBe(2000);
    expect(host.robotsRequests).toBe(0);
    // The crawl's fetcher (the hour) asks the site again.
    const crawl = createFetcher({
      allowedOrigins: [host.origin],
      shared: { tokens: politeness, robots: politeness, maxWaitMs: 60_000 },
    });
    expect((await crawl.robots.check(`${host.origin}/news/a`)).crawlDelayMs).toBe(2000);
    expect(host.robotsRequests).toBe(1);
  });

  it('takes a host token with one conditional write; a second taker inside the interval is refused', async () => {
    const store = await tableForFile();
    const tokens = new AwsPolitenessStore({ dynamodb: store.dynamodb, tableName: store.tableName });
    const at = 1_800_000_000_000;
    expect(await tokens.take('news.example', at, 1000)).toEqual({ taken: true });
    const refused = await tokens.take('news.example', at + 999, 1000);
    expect(refused.taken).toBe(false);
    // Engines that return the old item on a failed condition tell when the host frees up.
    if (!refused.taken && refused.nextAllowedAtMs !== undefined)
      expect(refused.nextAllowedAtMs).toBe(at + 1000);
    expect(await tokens.take('other.example', at + 1, 1000)).toEqual({ taken: true });
    expect(await tokens.take('news.example', at + 1000, 1000)).toEqual({ taken: true });
    // A back-off (429/503) pushes the slot forward for every taker, and a shorter one never pulls it back.
    await tokens.holdUntil('news.example', at + 60_000);
    await tokens.holdUntil('news.example', at + 30_000);
    expect((await tokens.take('news.example', at + 59_999, 1000)).taken).toBe(false);
    expect(await tokens.take('news.example', at + 60_000, 1000)).toEqual({ taken: true });
  });

  it('reserves a block of slots with one write; free takes go only in its gaps; a new block only once it has ended', async () => {
    const store = await tableForFile();
    const tokens = new AwsPolitenessStore({ dynamodb: store.dynamodb, tableName: store.tableName });
    const at = 1_900_000_000_000;
    const host = 'slots.example';
    const block = { startMs: at + 2_000, spacingMs: 4_000, count: 3, windowMs: 1_950, intervalMs: 1_000 };
    expect(await tokens.take(host, at, 1_025)).toEqual({ taken: true });
    // A request's interval still runs at the first slot: refused, with the time it ends.
    const early = await tokens.reserve(host, { ...block, startMs: at + 500 }, at);
    expect(early).toEqual({ reserved: false, state: { nextAllowedAtMs: at + 1_025 } });
    expect(await tokens.reserve(host, block, at)).toEqual({ reserved: true });
    expect(await tokens.peek(host)).toEqual({ nextAllowedAtMs: at + 1_025, block });
    // Another block while this one runs: refused, whatever its start.
    const other = { ...block, startMs: at + 60_000 };
    expect((await tokens.reserve(host, other, at + 5_000)).reserved).toBe(false);
    // A free take that does not name the block is refused inside it, and told the block.
    const refused = await tokens.take(host, at + 4_950, 1_025);
    expect(refused).toEqual({ taken: false, nextAllowedAtMs: at + 1_025, block });
    // Naming it (its slot placed in a gap: host-slots.ts firstFreeSlotMs), it is taken.
    expect(await tokens.take(host, at + 4_950, 1_025, block.startMs)).toEqual({ taken: true });
    // Once the block has ended, anyone takes the token and a new block can be reserved.
    const end = block.startMs + 2 * block.spacingMs + block.windowMs + block.intervalMs;
    expect(await tokens.take(host, end, 1_025)).toEqual({ taken: true });
    expect(await tokens.reserve(host, { ...other, startMs: end + 1_025 }, end)).toEqual({ reserved: true });
  });

  it('ingest that gets a slot’s message a window past its close cuts the block: the later slots go to free takers', async () => {
    const store = await tableForFile();
    const tokens = new AwsPolitenessStore({ dynamodb: store.dynamodb, tableName: store.tableName });
    const t0 = 2_000_000_000_000;
    const host = 'behind.example';
    const block = { startMs: t0, spacingMs: 4_000, count: 10, windowMs: 1_950, intervalMs: 1_000 };
    expect(await tokens.reserve(host, block, t0)).toEqual({ reserved: true });
    const slots = slotsOf(block, host);
    const first = slots[0];
    const sixth = slots[5];
    if (first === undefined || sixth === undefined) throw new Error('no slots');
    // The first slot's message arrives in the fourth slot's window: the queue is three slots behind the block.
    let clock = t0 + 3 * block.spacingMs + 100;
    const ingest = createSharedPoliteness({
      tokens,
      minIntervalMs: 1_000,
      now: () => clock,
      sleep: async (ms) => {
        clock += ms;
      },
      random: () => 0,
    });
    const url = new URL(`http://${host}/story`);
    // Not put back behind the block on what the instance knows: it goes on to cut the block.
    expect(ingest.knownBusy?.(url, first)).toBeUndefined();
    const refused = await ingest.acquire(url, undefined, first).then(
      () => undefined,
      (error: unknown) => error,
    );
    // Kept: the windows opening within CRAWL_POLICY.slotCutMarginMs (the fourth, which may be in use now).
    expect((await tokens.peek(host)).block).toEqual({ ...block, count: 4 });
    // The message waits for the cut block's end (its fourth window and an interval), not the whole block's.
    const cutEnd = t0 + 3 * block.spacingMs + block.windowMs + block.intervalMs;
    if (!isHostBusy(refused)) throw new Error('expected HOST_BUSY');
    expect(refused.details.retryAfterMs).toBeLessThanOrEqual(cutEnd - clock + 1_000);
    // The sixth slot's message, in its window, is no longer reserved: it takes the token like any request.
    clock = sixth.atMs + 10;
    const writes: string[] = [];
    const counting = {
      ...tokens,
      take: (...args: Parameters<typeof tokens.take>) => {
        writes.push('take');
        return tokens.take(...args);
      },
      peek: tokens.peek.bind(tokens),
      holdUntil: tokens.holdUntil.bind(tokens),
    };
    const later = createSharedPoliteness({ tokens: counting, minIntervalMs: 1_000, now: () => clock });
    await later.acquire(url, undefined, sixth);
    expect(writes).toEqual(['take']);
  });

  it('grows a block it reserved while the block stands and nobody took the host past its first new slot', async () => {
    const store = await tableForFile();
    const tokens = new AwsPolitenessStore({ dynamodb: store.dynamodb, tableName: store.tableName });
    const at = 1_900_000_000_000;
    const host = 'grow.example';
    const block = { startMs: at, spacingMs: 4_000, count: 2, windowMs: 1_950, intervalMs: 1_000 };
    expect(await tokens.reserve(host, block, at)).toEqual({ reserved: true });
    expect(await tokens.extendBlock(host, block, 5)).toBe(true);
    expect(await tokens.peek(host)).toEqual({ block: { ...block, count: 5 } });
    // Named by its old count, the block is no longer as the caller knew it: refused.
    expect(await tokens.extendBlock(host, block, 6)).toBe(false);
    // A request that took the host in a gap after the first slot a growth would add: refused too.
    const grown = { ...block, count: 5 };
    const gap = grown.startMs + 5 * grown.spacingMs + grown.windowMs + grown.intervalMs;
    expect(await tokens.take(host, gap, 1_000, grown.startMs)).toEqual({ taken: true });
    expect(await tokens.extendBlock(host, grown, 8)).toBe(false);
    expect((await tokens.peek(host)).block).toEqual(grown);
  });
});
