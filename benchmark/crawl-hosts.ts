// The loopback hosts of `npm run bench:crawl`, on their own worker thread: request times are taken on an event
// loop the pipeline does not block (extraction, the store), so the gaps measured are the gaps the hosts saw.
// One host per source (127.0.0.2, 127.0.0.3, ...): even hosts serve an RSS feed, odd ones a sitemap index of two
// child sitemaps; every host serves robots.txt and its articles, and counts every request.

import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { isMainThread, parentPort, workerData } from 'node:worker_threads';
import type { SiteArticle } from '../lib/embedded/example-site/articles.ts';
import { renderArticlePage } from '../lib/embedded/example-site/render.ts';
import { spawnModuleWorker } from '../lib/embedded/thread.ts';

export interface HostStats {
  requests: number;
  /** Article path -> fetches of it. */
  articleFetches: Map<string, number>;
  /**
   * Arrival time of every request, epoch ms at sub-ms resolution (this thread's timeOrigin + performance.now()),
   * so it can be set against the time the pipeline sent the same request from the main thread.
   */
  starts: number[];
  /** The path of each request, in the order of `starts`. */
  paths: string[];
}

/** What the main thread gets back: the stats as plain data. */
export interface HostReport {
  requests: number;
  articleFetches: Array<[string, number]>;
  starts: number[];
  paths: string[];
}

type ToWorker = { type: 'stats' } | { type: 'reset-article-fetches' } | { type: 'close' };
type FromWorker =
  | { type: 'ready'; hosts: Array<{ origin: string; source: string }> }
  | { type: 'stats'; hosts: HostReport[] }
  | { type: 'done' };

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

/** One loopback host serving one source (feed or sitemap index) and its articles, counting every request. */
async function startHost(
  host: number,
  address: string,
  URLS: number,
): Promise<{ origin: string; source: string; stats: HostStats; server: Server }> {
  const stats: HostStats = { requests: 0, articleFetches: new Map(), starts: [], paths: [] };
  const feed = host % 2 === 0;
  let origin = '';
  const etag = `"v1-${host}"`;
  const half = Math.ceil(URLS / 2);
  const server = createServer((request, response) => {
    const path = new URL(request.url ?? '/', 'http://x').pathname;
    stats.requests++;
    stats.starts.push(performance.timeOrigin + performance.now());
    stats.paths.push(path);
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

export interface LoopbackHosts {
  hosts: Array<{ origin: string; source: string }>;
  stats(): Promise<HostReport[]>;
  resetArticleFetches(): Promise<void>;
  close(): Promise<void>;
}

/** Starts `sources` hosts of `urls` articles each on a worker thread. */
export async function startLoopbackHosts(sources: number, urls: number): Promise<LoopbackHosts> {
  const worker = spawnModuleWorker(
    import.meta.url,
    { role: 'bench-crawl-hosts', sources, urls },
    {
      maxOldGenerationSizeMb: 256,
    },
  );
  const next = <T extends FromWorker['type']>(type: T): Promise<Extract<FromWorker, { type: T }>> =>
    new Promise((resolve, reject) => {
      const onMessage = (message: FromWorker) => {
        if (message.type !== type) return;
        worker.off('message', onMessage);
        resolve(message as Extract<FromWorker, { type: T }>);
      };
      worker.on('message', onMessage);
      worker.once('error', reject);
    });
  const ready = await next('ready');
  const ask = <T extends FromWorker['type']>(message: ToWorker, type: T) => {
    const answer = next(type);
    worker.postMessage(message);
    return answer;
  };
  return {
    hosts: ready.hosts,
    stats: async () => (await ask({ type: 'stats' }, 'stats')).hosts,
    resetArticleFetches: async () => {
      await ask({ type: 'reset-article-fetches' }, 'done');
    },
    close: async () => {
      await ask({ type: 'close' }, 'done');
      await worker.terminate();
    },
  };
}

if (!isMainThread && (workerData as { role?: string } | undefined)?.role === 'bench-crawl-hosts') {
  const { sources, urls } = workerData as { sources: number; urls: number };
  const port = parentPort as NonNullable<typeof parentPort>;
  const hosts = await Promise.all(
    Array.from({ length: sources }, (_, index) =>
      startHost(index, `127.0.${Math.floor((index + 2) / 256)}.${(index + 2) % 256}`, urls),
    ),
  );
  port.on('message', async (message: ToWorker) => {
    if (message.type === 'stats') {
      const reports = hosts.map(({ stats }) => ({
        requests: stats.requests,
        articleFetches: [...stats.articleFetches],
        starts: stats.starts,
        paths: stats.paths,
      }));
      port.postMessage({ type: 'stats', hosts: reports } satisfies FromWorker);
    } else if (message.type === 'reset-article-fetches') {
      for (const { stats } of hosts) stats.articleFetches.clear();
      port.postMessage({ type: 'done' } satisfies FromWorker);
    } else {
      await Promise.all(
        hosts.map((host) => new Promise<void>((resolve) => host.server.close(() => resolve()))),
      );
      port.postMessage({ type: 'done' } satisfies FromWorker);
    }
  });
  port.postMessage({
    type: 'ready',
    hosts: hosts.map(({ origin, source }) => ({ origin, source })),
  } satisfies FromWorker);
}
