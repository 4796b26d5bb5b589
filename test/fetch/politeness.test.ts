import { afterEach, describe, expect, it } from 'vitest';
import { CRAWL_POLICY } from '../../lib/core/crawl-policy.ts';
import { type HostSlot, type SlotBlock, slotBlockEndMs, slotsOf } from '../../lib/core/fetch/host-slots.ts';
import { createFetcher, HostScheduler, type HostTokenStore } from '../../lib/core/fetch/index.ts';
import {
  createSharedPoliteness,
  isHostBusy,
  type SharedPolitenessOptions,
} from '../../lib/core/fetch/shared-politeness.ts';
import {
  bridgeConnector,
  fakeResolver,
  fetchError,
  PUBLIC_IP,
  recordingSleep,
  startServer,
  type TestServer,
} from './helpers.ts';

const servers: TestServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => server.close()));
});

const PAGE = '<html><body><p>page</p></body></html>';

/** Shared politeness on a test clock: `now` reads it, and a sleep moves it on by exactly the time slept. */
function politenessOnClock(
  clock: { now: number },
  options: Omit<SharedPolitenessOptions, 'now' | 'sleep'>,
): ReturnType<typeof createSharedPoliteness> {
  return createSharedPoliteness({
    ...options,
    now: () => clock.now,
    sleep: async (ms) => {
      clock.now += ms;
    },
  });
}

/** A site whose robots.txt is `robots` (or the given status), every other path a small HTML page. */
async function site(robots: string | number): Promise<TestServer> {
  const server = await startServer((request, response) => {
    if (request.url === '/robots.txt') {
      if (typeof robots === 'number') response.writeHead(robots).end();
      else response.writeHead(200, { 'content-type': 'text/plain' }).end(robots);
      return;
    }
    response.writeHead(200, { 'content-type': 'text/html' }).end(PAGE);
  });
  servers.push(server);
  return server;
}

function politeFetcher(server: TestServer, clock = { now: 1_000_000 }) {
  const { connector } = bridgeConnector(server);
  const { resolver } = fakeResolver({ 'news.example': [PUBLIC_IP], 'other.example': [PUBLIC_IP] });
  const { sleep, delays } = recordingSleep(clock);
  const fetcher = createFetcher({ connector, resolver, sleep, now: () => clock.now, minIntervalMs: 0 });
  return { fetcher, delays, clock };
}

const paths = (server: TestServer) => server.requests.map((request) => request.path);

describe('robots.txt', () => {
  it('a disallowed path is refused without being requested; robots.txt is fetched once per origin', async () => {
    const server = await site('User-agent: *\nDisallow: /private/\n');
    const { fetcher } = politeFetcher(server);
    const error = await fetchError(fetcher.fetch('http://news.example/private/secret'));
    expect(error.code).toBe('ROBOTS_DISALLOWED');
    expect(error.details.retryable).toBe(false);
    await fetcher.fetch('http://news.example/public/story');
    await fetcher.fetch('http://news.example/public/other');
    expect(paths(server)).toEqual(['/robots.txt', '/public/story', '/public/other']);
  });

  it('a group naming our bot applies to us', async () => {
    const server = await site('User-agent: article-pipeline\nDisallow: /\n\nUser-agent: *\nAllow: /\n');
    const { fetcher } = politeFetcher(server);
    expect((await fetchError(fetcher.fetch('http://news.example/story'))).code).toBe('ROBOTS_DISALLOWED');
  });

  it('is checked again on every redirect hop', async () => {
    const server = await startServer((request, response) => {
      if (request.url === '/robots.txt') response.writeHead(200).end('User-agent: *\nDisallow: /members\n');
      else if (request.url === '/go') response.writeHead(302, { location: '/members/area' }).end();
      else response.writeHead(200, { 'content-type': 'text/html' }).end(PAGE);
    });
    servers.push(server);
    const { fetcher } = politeFetcher(server);
    expect((await fetchError(fetcher.fetch('http://news.example/go'))).code).toBe('ROBOTS_DISALLOWED');
    expect(paths(server)).toEqual(['/robots.txt', '/go']);
  });

  it('a missing robots.txt (404) allows everything', async () => {
    const server = await site(404);
    const { fetcher } = politeFetcher(server);
    expect((await fetcher.fetch('http://news.example/story')).status).toBe(200);
  });

  it('an unavailable robots.txt (5xx) disallows the site for now, as RFC 9309 asks, and says so', async () => {
    const server = await site(503);
    const { fetcher } = politeFetcher(server);
    const error = await fetchError(fetcher.fetch('http://news.example/story'));
    expect(error.code).toBe('ROBOTS_DISALLOWED');
    expect(error.details.retryable).toBe(true);
    expect(error.message).toContain('unavailable');
    expect(paths(server).filter((path) => path !== '/robots.txt')).toEqual([]);
  });

  it('Crawl-delay spaces requests to the host', async () => {
    const server = await site('User-agent: *\nCrawl-delay: 5\n');
    const { fetcher, delays, clock } = politeFetcher(server);
    await fetcher.fetch('http://news.example/one');
    await fetcher.fetch('http://news.example/two');
    clock.now += 2000;
    await fetcher.fetch('http://news.example/three');
    expect(delays).toEqual([5000, 3000]);
  });

  it('a huge Crawl-delay is clamped', async () => {
    const server = await site('User-agent: *\nCrawl-delay: 86400\n');
    const { fetcher, delays } = politeFetcher(server);
    await fetcher.fetch('http://news.example/one');
    await fetcher.fetch('http://news.example/two');
    expect(delays).toEqual([30_000]);
  });

  it('exposes Sitemap lines', async () => {
    const server = await site('Sitemap: http://news.example/sitemap.xml\nUser-agent: *\nAllow: /\n');
    const { fetcher } = politeFetcher(server);
    expect((await fetcher.robots.rulesFor('http://news.example/')).sitemaps).toEqual([
      'http://news.example/sitemap.xml',
    ]);
  });
});

/** The per-host token store in memory (the table's semantics: take when passed, hold only forward). */
/**
 * The shared token in memory. `movable` adds `extend` (a held token moved to a later slot, as the DynamoDB store
 * does); `writes` records each token write by name.
 */
function memoryTokens(options: { movable?: boolean; writes?: string[] } = {}): HostTokenStore & {
  next: Map<string, number>;
} {
  const next = new Map<string, number>();
  const { writes } = options;
  return {
    next,
    async take(host, nowMs, intervalMs) {
      writes?.push('take');
      const until = next.get(host);
      if (until !== undefined && until > nowMs) return { taken: false, nextAllowedAtMs: until };
      next.set(host, nowMs + intervalMs);
      return { taken: true };
    },
    async holdUntil(host, untilMs) {
      if ((next.get(host) ?? 0) < untilMs) next.set(host, untilMs);
    },
    ...(options.movable
      ? {
          async extend(host: string, heldUntilMs: number, untilMs: number) {
            writes?.push('extend');
            if (next.get(host) !== heldUntilMs) return false;
            next.set(host, untilMs);
            return true;
          },
        }
      : {}),
  };
}

/** A news.example host serving robots.txt and a feed, recording each request's path and the fake clock's time. */
async function feedHost(clock: { now: number }) {
  const seenAt: Array<[string, number]> = [];
  const server = await startServer((request, response) => {
    seenAt.push([request.url ?? '', clock.now]);
    const type = request.url === '/robots.txt' ? 'text/plain' : 'application/xml';
    response.writeHead(200, { 'content-type': type }).end(request.url === '/robots.txt' ? '' : '<rss/>');
  });
  servers.push(server);
  const { connector } = bridgeConnector(server);
  const { resolver } = fakeResolver({ 'news.example': [PUBLIC_IP] });
  const { sleep } = recordingSleep(clock);
  return { seenAt, connector, resolver, sleep };
}

describe('shared politeness (the per-host token every worker takes)', () => {
  it('a crawl fetcher paces robots.txt, the feed and the sitemap on the token, waiting its turn (bounded)', async () => {
    const clock = { now: 1_000_000 };
    const { seenAt, connector, resolver, sleep } = await feedHost(clock);
    const tokens = memoryTokens();
    const crawl = createFetcher({
      connector,
      resolver,
      sleep,
      now: () => clock.now,
      minIntervalMs: 1000,
      shared: { tokens, maxWaitMs: CRAWL_POLICY.crawlMaxHostWaitMs },
    });
    await crawl.fetch('http://news.example/feed.xml', { accept: 'xml' });
    await crawl.fetch('http://news.example/sitemap.xml', { accept: 'xml' });
    expect(seenAt.map(([path]) => path)).toEqual(['/robots.txt', '/feed.xml', '/sitemap.xml']);
    const times = seenAt.map(([, at]) => at);
    for (let n = 1; n < times.length; n++) {
      expect((times[n] as number) - (times[n - 1] as number)).toBeGreaterThanOrEqual(1000);
    }
    // A host held longer than the crawl's wait bound is not waited for: HOST_BUSY, and nothing is sent.
    await tokens.holdUntil('news.example', clock.now + CRAWL_POLICY.crawlMaxHostWaitMs + 5000);
    expect((await fetchError(crawl.fetch('http://news.example/late.xml', { accept: 'xml' }))).code).toBe(
      'HOST_BUSY',
    );
    expect(seenAt).toHaveLength(3);
  });

  it('a crawl’s robots.txt take books the slot of the request that asked for it: one token write for both', async () => {
    const clock = { now: 1_500_000 };
    const { seenAt, connector, resolver, sleep } = await feedHost(clock);
    const tokens = memoryTokens();
    const writes: number[] = [];
    const counted: HostTokenStore = {
      ...tokens,
      take: (host, nowMs, intervalMs) => {
        writes.push(intervalMs);
        return tokens.take(host, nowMs, intervalMs);
      },
    };
    const shared = (waits: boolean) =>
      createFetcher({
        connector,
        resolver,
        sleep,
        now: () => clock.now,
        minIntervalMs: 1000,
        shared: { tokens: counted, ...(waits ? { maxWaitMs: CRAWL_POLICY.crawlMaxHostWaitMs } : {}) },
      });
    await shared(true).fetch('http://news.example/feed.xml', { accept: 'xml' });
    expect(seenAt.map(([path]) => path)).toEqual(['/robots.txt', '/feed.xml']);
    expect(writes).toHaveLength(1);
    const [robotsAt, feedAt] = seenAt.map(([, at]) => at) as [number, number];
    expect(feedAt - robotsAt).toBeGreaterThanOrEqual(1000);
    // The token holds both slots: nobody else's request comes within an interval of the feed.
    expect(tokens.next.get('news.example')).toBeGreaterThanOrEqual(feedAt + 1000);

    // A taker that does not wait (ingest) books one slot for robots.txt: its page's message is put back meanwhile.
    seenAt.length = 0;
    writes.length = 0;
    clock.now = (tokens.next.get('news.example') as number) + 10_000;
    const ingest = shared(false);
    expect((await fetchError(ingest.fetch('http://news.example/story', { accept: 'xml' }))).code).toBe(
      'HOST_BUSY',
    );
    expect(seenAt.map(([path]) => path)).toEqual(['/robots.txt']);
    expect(writes).toHaveLength(1);
  });

  it('a 429 or 503 slows the host for every worker: Retry-After (or the default) held on the shared token', async () => {
    const clock = { now: 2_000_000 };
    const server = await startServer((request, response) => {
      if (request.url === '/limited') response.writeHead(429, { 'retry-after': '120' }).end();
      else if (request.url === '/down') response.writeHead(503).end();
      else if (request.url === '/gone') response.writeHead(404).end();
      else response.writeHead(200, { 'content-type': 'text/html' }).end(PAGE);
    });
    servers.push(server);
    const { resolver } = fakeResolver({ 'a.example': [PUBLIC_IP], 'b.example': [PUBLIC_IP] });
    const tokens = memoryTokens();
    const instance = () =>
      createFetcher({
        connector: bridgeConnector(server).connector,
        resolver,
        sleep: recordingSleep(clock).sleep,
        now: () => clock.now,
        minIntervalMs: 1000,
        respectRobots: false,
        retries: 0,
        shared: { tokens },
      });
    const [first, second] = [instance(), instance()];
    expect(await fetchError(first.fetch('http://a.example/limited'))).toMatchObject({
      details: { status: 429 },
    });
    expect(tokens.next.get('a.example')).toBe(clock.now + 120_000);
    clock.now += 5000;
    const busy = await fetchError(second.fetch('http://a.example/story'));
    expect(busy.code).toBe('HOST_BUSY');
    expect(busy.details.retryAfterMs).toBeGreaterThanOrEqual(115_000);
    // A 503 without Retry-After: the policy's default; a 404 says nothing about load and holds nothing.
    await fetchError(first.fetch('http://b.example/down'));
    expect(tokens.next.get('b.example')).toBe(clock.now + CRAWL_POLICY.hostBackoffMs);
    clock.now += CRAWL_POLICY.hostBackoffMs;
    await fetchError(second.fetch('http://b.example/gone'));
    // (an ordinary slot: the interval plus the slack a late timer may use)
    expect(tokens.next.get('b.example')).toBeGreaterThanOrEqual(clock.now + 1000);
    expect(tokens.next.get('b.example')).toBeLessThanOrEqual(clock.now + 1025);
  });
});

describe('shared politeness when the token write overruns its slot', () => {
  it('ingest does not send late into the next taker’s interval: it puts the message back past its own slot', async () => {
    const clock = { now: 1_000_000 };
    let writeMs = 500; // a slow write: longer than the lead the taker booked its slot with
    const next = new Map<string, number>();
    const tokens: HostTokenStore = {
      async take(host, nowMs, intervalMs) {
        clock.now += writeMs;
        if ((next.get(host) ?? 0) > nowMs) return { taken: false, nextAllowedAtMs: next.get(host) as number };
        next.set(host, nowMs + intervalMs);
        return { taken: true };
      },
      async holdUntil() {},
    };
    const politeness = politenessOnClock(clock, {
      tokens,
      minIntervalMs: 1000,
      random: () => 0,
    });
    const url = new URL('http://a.example/story');
    const busy = await politeness.acquire(url).then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(isHostBusy(busy)).toBe(true);
    // Back after the booked slot's interval, not at once.
    expect((busy as { details: { retryAfterMs: number } }).details.retryAfterMs).toBeGreaterThan(500);
    // Writes fast again and the slot passed: taken and sent.
    writeMs = 2;
    clock.now = (next.get('a.example') as number) + 1;
    await expect(politeness.acquire(url)).resolves.toBeTypeOf('function');
  });

  it('with a store that can move a held token, ingest books a later slot instead and sends then', async () => {
    const clock = { now: 1_000_000 };
    const writes: number[] = [500, 2]; // the take overruns; the move is quick
    const next = new Map<string, number>();
    const sentAfter: number[] = [];
    const tokens: HostTokenStore = {
      async take(host, nowMs, intervalMs) {
        clock.now += writes.shift() ?? 2;
        if ((next.get(host) ?? 0) > nowMs) return { taken: false, nextAllowedAtMs: next.get(host) as number };
        next.set(host, nowMs + intervalMs);
        return { taken: true };
      },
      async holdUntil() {},
      async extend(host, heldUntilMs, untilMs) {
        clock.now += writes.shift() ?? 2;
        if (next.get(host) !== heldUntilMs) return false;
        next.set(host, untilMs);
        return true;
      },
    };
    const politeness = politenessOnClock(clock, {
      tokens,
      minIntervalMs: 1000,
    });
    await politeness.acquire(new URL('http://a.example/story'));
    sentAfter.push(clock.now);
    // Sent within its new slot's slack, and nobody may take the host until an interval after it.
    expect((next.get('a.example') as number) - (sentAfter[0] as number)).toBeGreaterThanOrEqual(1000);
  });
});

describe('shared politeness when a request misses its turn (nothing sent)', () => {
  it('ingest moves the token it still holds to a later slot (one write) instead of finding its own booking busy', async () => {
    const clock = { now: 2_000_000 };
    const writes: string[] = [];
    const tokens = memoryTokens({ movable: true, writes });
    const { next } = tokens;
    const ingest = politenessOnClock(clock, {
      tokens,
      minIntervalMs: 100,
      random: () => 0,
    });
    const url = new URL('http://a.example/story');
    const first = await ingest.acquire(url);
    // The loop got to the write 50 ms late (past the 10 ms slack, inside the interval its token holds): not sent.
    clock.now += 50;
    expect(first.inTime?.()).toBe(false);
    const second = await ingest.acquire(url);
    expect(second.inTime?.()).toBe(true);
    expect(writes).toEqual(['take', 'extend']);
    // Sent now, and nobody may take the host until an interval after it.
    expect((next.get('a.example') as number) - clock.now).toBeGreaterThanOrEqual(100);
  });

  it('the token taken by another worker since: the message is put back as before', async () => {
    const clock = { now: 2_000_000 };
    const tokens = memoryTokens({ movable: true });
    const { next } = tokens;
    const ingest = politenessOnClock(clock, {
      tokens,
      minIntervalMs: 100,
      random: () => 0,
    });
    const url = new URL('http://a.example/story');
    const first = await ingest.acquire(url);
    clock.now += 50;
    expect(first.inTime?.()).toBe(false);
    // Another worker's block or back-off moved the token on.
    next.set('a.example', clock.now + 500);
    const error = await ingest.acquire(url).then(
      () => undefined,
      (thrown: unknown) => thrown,
    );
    expect(isHostBusy(error)).toBe(true);
  });
});

describe('put-backs of a busy host', () => {
  it('are spread by the host’s queue spacing (twice the interval plus the batching window), not by one interval', async () => {
    const clock = { now: 3_000_000 };
    const tokens = memoryTokens();
    // Another worker holds the host for the next 500 ms.
    tokens.next.set('a.example', clock.now + 500);
    const ingest = politenessOnClock(clock, {
      tokens,
      minIntervalMs: 100,
      batchWindowMs: 1000,
      random: () => 0,
    });
    const returns: number[] = [];
    for (let n = 0; n < 4; n++) {
      const error = await ingest.acquire(new URL(`http://a.example/story-${n}`)).then(
        () => undefined,
        (thrown: unknown) => thrown,
      );
      expect(isHostBusy(error)).toBe(true);
      returns.push(clock.now + (error as { details: { retryAfterMs: number } }).details.retryAfterMs);
    }
    expect(returns[0]).toBeGreaterThanOrEqual(3_000_500);
    for (let n = 1; n < returns.length; n++) {
      expect((returns[n] as number) - (returns[n - 1] as number)).toBeGreaterThanOrEqual(2 * 100 + 1000);
    }
  });
});

describe('shared politeness when timers fire late (a loaded machine, a batch busy extracting)', () => {
  /** A clock whose every sleep wakes 30 ms late (by default): three times a 100 ms interval's slack (10 ms). */
  function lateClock(lateMs = 30) {
    const clock = { now: 5_000_000 };
    return {
      clock,
      now: () => clock.now,
      sleep: async (ms: number) => {
        clock.now += ms + lateMs;
      },
    };
  }

  it('timers 1.5 s late (15 intervals): the crawl books slots that long and sends, an interval apart, within its wait', async () => {
    // With the late slack capped at 1 s, every slot was overrun until the crawl's minute of waiting ran out.
    const { clock, now, sleep } = lateClock(1500);
    const tokens = memoryTokens();
    const crawl = createSharedPoliteness({
      tokens,
      minIntervalMs: 100,
      now,
      sleep,
      random: () => 0,
      maxWaitMs: CRAWL_POLICY.crawlMaxHostWaitMs,
    });
    const started = clock.now;
    const sentAt: number[] = [];
    for (let n = 0; n < 3; n++) {
      await crawl.acquire(new URL(`http://a.example/sitemap-${n}.xml`));
      sentAt.push(clock.now);
      expect((tokens.next.get('a.example') as number) - clock.now).toBeGreaterThanOrEqual(100);
    }
    for (let n = 1; n < sentAt.length; n++) {
      expect((sentAt[n] as number) - (sentAt[n - 1] as number)).toBeGreaterThanOrEqual(100);
    }
    expect(clock.now - started).toBeLessThan(CRAWL_POLICY.crawlMaxHostWaitMs);
  });

  it('a waiting taker (the crawl) books slack for its late timers and sends, an interval apart, instead of re-booking until its wait runs out', async () => {
    const { clock, now, sleep } = lateClock();
    const tokens = memoryTokens();
    let writes = 0;
    const counted: HostTokenStore = {
      ...tokens,
      take: (...args) => {
        writes++;
        return tokens.take(...args);
      },
    };
    const crawl = createSharedPoliteness({
      tokens: counted,
      minIntervalMs: 100,
      now,
      sleep,
      random: () => 0,
      maxWaitMs: CRAWL_POLICY.crawlMaxHostWaitMs,
    });
    const sentAt: number[] = [];
    for (let n = 0; n < 5; n++) {
      await crawl.acquire(new URL(`http://a.example/sitemap-${n}.xml`));
      sentAt.push(clock.now);
      // The taker's booked slot covers its request: nobody else may take the host until an interval after it.
      expect((tokens.next.get('a.example') as number) - clock.now).toBeGreaterThanOrEqual(100);
    }
    for (let n = 1; n < sentAt.length; n++) {
      expect((sentAt[n] as number) - (sentAt[n - 1] as number)).toBeGreaterThanOrEqual(100);
    }
    // One overrun teaches it the lateness; after that each request is one token write.
    expect(writes).toBeLessThanOrEqual(sentAt.length + 1);
  });

  it('a waiting taker whose token writes take 3 s (past ingest’s 2 s lead) books its slots further ahead and sends', async () => {
    const clock = { now: 6_000_000 };
    const tokens = memoryTokens();
    const slow: HostTokenStore = {
      ...tokens,
      take: async (...args) => {
        clock.now += 3000;
        return tokens.take(...args);
      },
    };
    const crawl = politenessOnClock(clock, {
      tokens: slow,
      minIntervalMs: 100,
      random: () => 0,
      maxWaitMs: CRAWL_POLICY.crawlMaxHostWaitMs,
    });
    const sentAt: number[] = [];
    for (let n = 0; n < 3; n++) {
      await crawl.acquire(new URL(`http://a.example/sitemap-${n}.xml`));
      sentAt.push(clock.now);
      expect((tokens.next.get('a.example') as number) - clock.now).toBeGreaterThanOrEqual(100);
    }
    for (let n = 1; n < sentAt.length; n++) {
      expect((sentAt[n] as number) - (sentAt[n - 1] as number)).toBeGreaterThanOrEqual(100);
    }
  });

  it('ingest puts back the message whose slot its late timer overran, and sends the next one within a slot booked with room', async () => {
    const { clock, now, sleep } = lateClock();
    const tokens = memoryTokens();
    const ingest = createSharedPoliteness({ tokens, minIntervalMs: 100, now, sleep, random: () => 0 });
    const url = new URL('http://a.example/story');
    const first = await ingest.acquire(url).then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(isHostBusy(first)).toBe(true);
    clock.now = (tokens.next.get('a.example') as number) + 1;
    await expect(ingest.acquire(url)).resolves.toBeTypeOf('function');
    expect((tokens.next.get('a.example') as number) - clock.now).toBeGreaterThanOrEqual(100);
  });
});

describe('HostScheduler', () => {
  it('keeps a minimum interval between request starts per host, not across hosts', async () => {
    const clock = { now: 0 };
    const { sleep, delays } = recordingSleep(clock);
    const scheduler = new HostScheduler({ minIntervalMs: 1000, now: () => clock.now, sleep });
    (await scheduler.acquire('a.example'))();
    (await scheduler.acquire('b.example'))();
    (await scheduler.acquire('a.example'))();
    clock.now += 400;
    (await scheduler.acquire('A.EXAMPLE'))();
    expect(delays).toEqual([1000, 600]);
  });

  it('caps requests in flight per host and lets the next in when one is released', async () => {
    const scheduler = new HostScheduler({ minIntervalMs: 0, maxConcurrentPerHost: 2 });
    const first = await scheduler.acquire('a.example');
    await scheduler.acquire('a.example');
    let thirdStarted = false;
    const third = scheduler.acquire('a.example').then((release) => {
      thirdStarted = true;
      return release;
    });
    const otherHost = await scheduler.acquire('b.example');
    await new Promise((resolve) => setImmediate(resolve));
    expect(thirdStarted).toBe(false);
    expect(scheduler.active('a.example')).toBe(2);
    first();
    first(); // releasing twice is harmless
    await third;
    expect(thirdStarted).toBe(true);
    expect(scheduler.active('a.example')).toBe(2);
    otherHost();
    expect(scheduler.active('b.example')).toBe(0);
  });

  it('lets waiting callers in in arrival order', async () => {
    const scheduler = new HostScheduler({ minIntervalMs: 0, maxConcurrentPerHost: 1 });
    const order: number[] = [];
    const release = await scheduler.acquire('a.example');
    const waiting = [1, 2, 3].map((index) =>
      scheduler.acquire('a.example').then((done) => {
        order.push(index);
        done();
      }),
    );
    release();
    await Promise.all(waiting);
    expect(order).toEqual([1, 2, 3]);
  });
});

describe('reserved host slots (one token write for a crawl’s spaced messages)', () => {
  /** The table's token with a block (lib/store/aws/politeness.ts semantics), counting writes. */
  function blockTokens() {
    const state: { next?: number; block?: SlotBlock } = {};
    const writes: string[] = [];
    const tokens: HostTokenStore = {
      async take(_host, nowMs, intervalMs, known) {
        writes.push('take');
        const blocked =
          state.block !== undefined && slotBlockEndMs(state.block) > nowMs && state.block.startMs !== known;
        if ((state.next ?? 0) > nowMs || blocked) {
          return {
            taken: false,
            ...(state.next === undefined ? {} : { nextAllowedAtMs: state.next }),
            ...(state.block === undefined ? {} : { block: state.block }),
          };
        }
        state.next = nowMs + intervalMs;
        return { taken: true };
      },
      async holdUntil(_host, untilMs) {
        if ((state.next ?? 0) < untilMs) state.next = untilMs;
      },
      async peek() {
        return { ...(state.next === undefined ? {} : { nextAllowedAtMs: state.next }), ...state };
      },
    };
    return { tokens, state, writes };
  }

  const block: SlotBlock = {
    startMs: 10_000,
    spacingMs: 4_000,
    count: 2,
    windowMs: 1_950,
    intervalMs: 1_000,
  };
  const [first, second] = slotsOf(block, 'news.example') as [HostSlot, HostSlot];
  const page = new URL('https://news.example/a');

  function politenessAt(clock: { now: number }, tokens: HostTokenStore) {
    return politenessOnClock(clock, {
      tokens,
      minIntervalMs: 1_000,
    });
  }

  it('a request inside its slot’s window takes no token write; once only, and not outside the window', async () => {
    const clock = { now: 10_500 };
    const { tokens, state, writes } = blockTokens();
    state.block = block;
    const politeness = politenessAt(clock, tokens);
    await politeness.acquire(page, undefined, first);
    expect(writes).toEqual([]);
    // The same slot again (a message delivered twice): an ordinary request, which the block keeps out of the window.
    const again = await politeness.acquire(page, undefined, first).catch((error: unknown) => error);
    expect(isHostBusy(again)).toBe(true);
    if (isHostBusy(again)) expect(clock.now + again.details.retryAfterMs).toBeGreaterThanOrEqual(12_950);
    // Too late for its window: an ordinary request, for the gap after the window (the block, read with the first
    // slot, tells when without a write).
    clock.now = 16_500;
    const late = await politeness.acquire(page, undefined, second).catch((error: unknown) => error);
    expect(isHostBusy(late)).toBe(true);
    if (isHostBusy(late)) expect(clock.now + late.details.retryAfterMs).toBeGreaterThanOrEqual(16_950);
    expect(writes).toEqual([]);
  });

  it('a slot of a block the token no longer holds, or under a back-off, is not used: the host is busy', async () => {
    const clock = { now: 10_500 };
    const replaced = blockTokens();
    replaced.state.block = { ...block, startMs: 9_000 };
    const stale = await politenessAt(clock, replaced.tokens)
      .acquire(page, undefined, first)
      .catch((error: unknown) => error);
    expect(isHostBusy(stale)).toBe(true);
    const held = blockTokens();
    held.state.block = block;
    held.state.next = 60_000;
    const backedOff = await politenessAt(clock, held.tokens)
      .acquire(page, undefined, first)
      .catch((error: unknown) => error);
    expect(isHostBusy(backedOff)).toBe(true);
  });

  it('an ordinary request learns the block from the refusal and goes in the gap between two windows', async () => {
    const clock = { now: 12_950 - 40 };
    const { tokens, state, writes } = blockTokens();
    state.block = block;
    const politeness = politenessAt(clock, tokens);
    // Its booked slot (now + the write lead) is clear of both windows: refused once for the unknown block, then taken.
    await politeness.acquire(page);
    expect(writes).toEqual(['take', 'take']);
    expect(state.next).toBeLessThanOrEqual(second.atMs);
  });
});
