import { afterEach, describe, expect, it } from 'vitest';
import { createFetcher, HostScheduler } from '../../lib/core/fetch/index.ts';
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
