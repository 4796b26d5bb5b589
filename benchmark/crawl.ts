// `npm run bench:crawl [-- --sources 100 --urls 1000 --interval-ms 100 --concurrency 8]`: registered sources
// on loopback hosts (127.0.0.2, 127.0.0.3, ...: one host per source, half RSS feeds, half sitemap indexes with
// two child sitemaps), crawled through the embedded stack (schedule → one crawl task per source → ingest).
// Measured at the test servers: every request per host (the highest rate any host saw against the configured
// per-host interval, and duplicate article fetches), the time to drain, peak RSS; then every source is made
// due again and crawled a second time, which must fetch no article (the feeds and sitemaps answer 304).

import '../lib/runtime/sdk-warning.ts';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import type { SiteArticle } from '../lib/embedded/example-site/articles.ts';
import { renderArticlePage } from '../lib/embedded/example-site/render.ts';
import { startEmbeddedStack } from '../lib/embedded/stack.ts';
import { writeResultSection } from './report.ts';

const { values } = parseArgs({
  options: {
    sources: { type: 'string', default: '100' },
    urls: { type: 'string', default: '1000' },
    'interval-ms': { type: 'string', default: '100' },
    concurrency: { type: 'string', default: '8' },
    'no-report': { type: 'boolean', default: false },
  },
});
const SOURCES = Number(values.sources);
const URLS = Number(values.urls);
const INTERVAL_MS = Number(values['interval-ms']);
const CONCURRENCY = Number(values.concurrency);

const WORDS =
  'river council budget school bridge harbour market library festival transport housing energy'.split(' ');

/** A deterministic article for (host, index): enough text to be an article, no two alike. */
function article(host: number, index: number): SiteArticle {
  const word = (n: number) => WORDS[(host * 7 + index * 13 + n) % WORDS.length] as string;
  const sentence = (n: number) =>
    `The ${word(n)} plan for the ${word(n + 1)} was discussed again by residents of district ${host} on item ${index}, ${n} times this week.`;
  return {
    slug: `story-${index}`,
    title: `Story ${index} of host ${host}: the ${word(1)} and the ${word(2)}`,
    description: sentence(0),
    authors: ['Ada Brook'],
    section: 'City',
    tags: [word(3)],
    publishedAt: new Date(Date.UTC(2026, 0, 1) + index * 60_000).toISOString(),
    paragraphs: Array.from({ length: 6 }, (_, p) =>
      [sentence(p), sentence(p + 1), sentence(p + 2)].join(' '),
    ),
  };
}

interface HostStats {
  requests: number;
  articleFetches: Map<string, number>;
  starts: number[];
}

/** One loopback host serving one source (feed or sitemap index) and its articles, counting every request. */
async function startHost(
  host: number,
  address: string,
): Promise<{ origin: string; source: string; stats: HostStats; server: Server }> {
  const stats: HostStats = { requests: 0, articleFetches: new Map(), starts: [] };
  const feed = host % 2 === 0;
  let origin = '';
  const etag = `"v1-${host}"`;
  const half = Math.ceil(URLS / 2);
  const server = createServer((request, response) => {
    const path = new URL(request.url ?? '/', 'http://x').pathname;
    stats.requests++;
    stats.starts.push(performance.now());
    const conditional = (type: string, body: () => string) => {
      if (request.headers['if-none-match'] === etag) {
        response.writeHead(304, { etag }).end();
        return;
      }
      response.writeHead(200, { 'content-type': type, etag }).end(body());
    };
    if (path === '/robots.txt') {
      response.writeHead(200, { 'content-type': 'text/plain' }).end('User-agent: *\nAllow: /\n');
    } else if (feed && path === '/feed.xml') {
      conditional('application/rss+xml', () => {
        const items = Array.from({ length: URLS }, (_, index) => {
          const item = article(host, index);
          return `<item><title>${item.title}</title><link>${origin}/news/${item.slug}</link><pubDate>${new Date(item.publishedAt).toUTCString()}</pubDate></item>`;
        });
        return `<?xml version="1.0"?><rss version="2.0"><channel><title>host ${host}</title>${items.join('')}</channel></rss>`;
      });
    } else if (!feed && path === '/sitemap_index.xml') {
      conditional(
        'application/xml',
        () =>
          `<?xml version="1.0"?><sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">${[0, 1]
            .map(
              (part) =>
                `<sitemap><loc>${origin}/sitemap-${part}.xml</loc><lastmod>2026-02-01T00:00:00Z</lastmod></sitemap>`,
            )
            .join('')}</sitemapindex>`,
      );
    } else if (!feed && /^\/sitemap-[01]\.xml$/.test(path)) {
      const part = Number(path.charAt(9));
      conditional('application/xml', () => {
        const entries = [];
        for (let index = part * half; index < Math.min(URLS, (part + 1) * half); index++) {
          const item = article(host, index);
          entries.push(
            `<url><loc>${origin}/news/${item.slug}</loc><lastmod>${item.publishedAt}</lastmod></url>`,
          );
        }
        return `<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">${entries.join('')}</urlset>`;
      });
    } else if (path.startsWith('/news/story-')) {
      const index = Number(path.slice('/news/story-'.length));
      stats.articleFetches.set(path, (stats.articleFetches.get(path) ?? 0) + 1);
      response
        .writeHead(200, { 'content-type': 'text/html; charset=utf-8' })
        .end(renderArticlePage(article(host, index), { origin, name: `Host ${host}` }));
    } else {
      response.writeHead(404).end();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, address, resolve));
  origin = `http://${address}:${(server.address() as AddressInfo).port}`;
  return { origin, source: `${origin}${feed ? '/feed.xml' : '/sitemap_index.xml'}`, stats, server };
}

/** Most requests any one host saw within one second (sliding window), and the shortest gap between two. */
function rates(hosts: HostStats[]): { maxPerSecond: number; minGapMs: number } {
  let maxPerSecond = 0;
  let minGapMs = Number.POSITIVE_INFINITY;
  for (const { starts } of hosts) {
    const sorted = [...starts].sort((a, b) => a - b);
    let from = 0;
    for (let to = 0; to < sorted.length; to++) {
      while ((sorted[to] as number) - (sorted[from] as number) >= 1000) from++;
      maxPerSecond = Math.max(maxPerSecond, to - from + 1);
      if (to > 0) minGapMs = Math.min(minGapMs, (sorted[to] as number) - (sorted[to - 1] as number));
    }
  }
  return { maxPerSecond, minGapMs: Number.isFinite(minGapMs) ? Math.round(minGapMs) : 0 };
}

const round = (value: number, digits = 1) => Math.round(value * 10 ** digits) / 10 ** digits;

async function main() {
  const loadAverage = round(loadavg()[0] ?? 0);
  const hosts = await Promise.all(
    Array.from({ length: SOURCES }, (_, index) =>
      startHost(index, `127.0.${Math.floor((index + 2) / 256)}.${(index + 2) % 256}`),
    ),
  );
  const dataDir = await mkdtemp(join(tmpdir(), 'bench-crawl-'));
  let peakRss = process.memoryUsage.rss();
  const sampler = setInterval(() => {
    peakRss = Math.max(peakRss, process.memoryUsage.rss());
  }, 200);
  let sourcesDone = 0;
  const stack = await startEmbeddedStack({
    dataDir,
    sources: hosts.map((host) => ({ url: host.source })),
    port: false,
    allowPrivateNetwork: true,
    concurrency: CONCURRENCY,
    crawlConcurrency: 4,
    serversThread: true,
    logLevel: 'SILENT',
    fetcher: { minIntervalMs: INTERVAL_MS, maxConcurrentPerHost: 1, retries: 0 },
    onProgress: (event) => {
      if (event.kind === 'source') sourcesDone++;
    },
  });
  try {
    const started = performance.now();
    const progress = setInterval(() => {
      const totals = stack.totals();
      process.stderr.write(
        `bench:crawl: sources ${sourcesDone}/${SOURCES}, ingested ${totals.ingested}, failed ${totals.failed}\n`,
      );
    }, 5000);
    const first = await stack.runOnce();
    clearInterval(progress);
    const drainSeconds = (performance.now() - started) / 1000;
    const articleFetches = hosts.reduce(
      (sum, host) => sum + [...host.stats.articleFetches.values()].reduce((a, b) => a + b, 0),
      0,
    );
    const duplicates = hosts.reduce(
      (sum, host) => sum + [...host.stats.articleFetches.values()].filter((count) => count > 1).length,
      0,
    );
    const firstRates = rates(hosts.map((host) => host.stats));

    // Second run: every source due again (pause + resume); unchanged feeds and sitemaps answer 304.
    for (const host of hosts) host.stats.articleFetches.clear();
    let after: string | undefined;
    do {
      const page = await stack.registry.list({ limit: 100, ...(after ? { after } : {}) });
      for (const source of page.items) {
        await stack.registry.update(source.id, { paused: true }, new Date());
        await stack.registry.update(source.id, { paused: false }, new Date());
      }
      after = page.next;
    } while (after !== undefined);
    const secondStarted = performance.now();
    const before = stack.totals();
    await stack.runOnce();
    const secondSeconds = (performance.now() - secondStarted) / 1000;
    const secondArticleFetches = hosts.reduce((sum, host) => sum + host.stats.articleFetches.size, 0);
    const second = stack.totals();
    const result = {
      sources: SOURCES,
      urlsPerSource: URLS,
      pages: SOURCES * URLS,
      hostIntervalMs: INTERVAL_MS,
      ingestConcurrency: CONCURRENCY,
      ingested: first.ingested,
      failed: first.failed,
      deadLettered: first.deadLettered,
      drainSeconds: round(drainSeconds),
      articlesPerSecond: round(first.ingested / drainSeconds),
      articleFetches,
      duplicateFetches: duplicates,
      maxRequestsPerSecondOneHost: firstRates.maxPerSecond,
      minGapMsOneHost: firstRates.minGapMs,
      secondRun: {
        seconds: round(secondSeconds),
        articleFetches: secondArticleFetches,
        queued: second.queued - before.queued,
      },
      peakRssMb: round(Math.max(peakRss, process.resourceUsage().maxRSS * 1024) / 2 ** 20, 0),
      loadAverage,
    };
    process.stdout.write(`${JSON.stringify(result)}\n`);
    if (!values['no-report']) {
      const lines = [
        `${SOURCES} sources x ${URLS} URLs (${SOURCES * URLS} generated article pages) on ${SOURCES} loopback hosts`,
        '(127.0.0.2 onwards; half RSS feeds, half sitemap indexes of two child sitemaps), registered in the sources',
        'registry and crawled through the embedded stack: the schedule sends one crawl task per due source (4 crawl',
        `workers), ingest runs ${CONCURRENCY} batches at once, the per-host interval is ${INTERVAL_MS} ms (set for the`,
        'benchmark; the default is 1 s). Request rates and duplicate fetches are counted at the test servers. The second',
        'run makes every source due again: feeds and sitemaps answer 304, so no article is fetched.',
        '',
        '| pages | ingested | failed | drain s | articles/s | duplicate fetches | max req/s one host | min gap ms | 2nd run article fetches | 2nd run s | peak RSS MB | load avg |',
        '| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
        `| ${result.pages} | ${result.ingested} | ${result.failed} | ${result.drainSeconds} | ${result.articlesPerSecond} | ${result.duplicateFetches} | ${result.maxRequestsPerSecondOneHost} | ${result.minGapMsOneHost} | ${result.secondRun.articleFetches} | ${result.secondRun.seconds} | ${result.peakRssMb} | ${result.loadAverage} |`,
        '',
        'Peak RSS is the whole process: the pipeline, the loopback hosts and (on a worker thread) the S3/DynamoDB servers.',
      ];
      writeResultSection({
        name: '45-crawl',
        title: 'Crawl at scale: sources registry, one crawl task per source',
        command: `npm run bench:crawl -- --sources ${SOURCES} --urls ${URLS} --interval-ms ${INTERVAL_MS} --concurrency ${CONCURRENCY}`,
        markdown: lines.join('\n'),
        data: result,
      });
    }
  } finally {
    clearInterval(sampler);
    await stack.stop();
    await Promise.all(
      hosts.map((host) => new Promise<void>((resolve) => host.server.close(() => resolve()))),
    );
    await rm(dataDir, { recursive: true, force: true });
  }
}

await main();
