// The loopback hosts of `npm run bench:crawl`, in their own process: request times are taken on an event loop and
// a heap the pipeline does not share (extraction, GC, the store), as another machine's would be, so the gaps
// measured are the gaps the hosts saw. Each request is stamped twice on the monotonic clock (monotonicMs, the
// same clock in every process on the machine, so a stamp compares with the pipeline's send): when its connection
// is accepted (the pipeline's connector opens one per request) and when its request line and headers have
// arrived (what a server's access log records).
// One host per source (127.0.0.2, 127.0.0.3, ...): even hosts serve an RSS feed, odd ones a sitemap index of two
// child sitemaps; every host serves robots.txt and its articles, and counts every request.

import { type ChildProcess, fork } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { getPriority, setPriority } from 'node:os';
import { fileURLToPath } from 'node:url';
import type { SiteArticle } from '../lib/embedded/example-site/articles.ts';
import { renderArticlePage } from '../lib/embedded/example-site/render.ts';

/**
 * Milliseconds on the machine's monotonic clock (process.hrtime: CLOCK_MONOTONIC on Linux, one clock for every
 * process), so the hosts' arrival stamps and the pipeline's send stamps are on one time line.
 */
export function monotonicMs(): number {
  return Number(process.hrtime.bigint()) / 1e6;
}

export interface HostStats {
  requests: number;
  /** Article path -> fetches of it. */
  articleFetches: Map<string, number>;
  /** Arrival of every request (its headers read), monotonicMs, in arrival order. */
  starts: number[];
  /** When each request's connection was accepted, monotonicMs, in the order of `starts`. */
  accepted: number[];
  /** The path of each request, in the order of `starts`. */
  paths: string[];
}

/** What the pipeline's process gets back: the stats as plain data. */
export interface HostReport {
  requests: number;
  articleFetches: Array<[string, number]>;
  starts: number[];
  accepted: number[];
  paths: string[];
}

type ToHosts = { type: 'stats' } | { type: 'reset-article-fetches' } | { type: 'close' };
type FromHosts =
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
  const stats: HostStats = { requests: 0, articleFetches: new Map(), starts: [], accepted: [], paths: [] };
  const acceptedAt = new WeakMap<Socket, number>();
  const feed = host % 2 === 0;
  let origin = '';
  const etag = `"v1-${host}"`;
  // The feed or sitemaps, built once the origin is known and served as built: building a 1,000-item feed per
  // request took 200-600 ms at load 26, during which every other host in this process accepted nothing and the
  // requests sent to them meanwhile were stamped late and together.
  const documents = new Map<string, { type: string; body: Buffer }>();
  const server = createServer((request, response) => {
    const path = new URL(request.url ?? '/', 'http://x').pathname;
    const arrived = monotonicMs();
    stats.requests++;
    stats.starts.push(arrived);
    stats.accepted.push(acceptedAt.get(request.socket) ?? arrived);
    stats.paths.push(path);
    const document = documents.get(path);
    if (path === '/robots.txt') {
      response.writeHead(200, { 'content-type': 'text/plain' }).end('User-agent: *\nAllow: /\n');
    } else if (document !== undefined) {
      if (request.headers['if-none-match'] === etag) response.writeHead(304, { etag }).end();
      else response.writeHead(200, { 'content-type': document.type, etag }).end(document.body);
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
  server.on('connection', (socket: Socket) => acceptedAt.set(socket, monotonicMs()));
  await new Promise<void>((resolve) => server.listen(0, address, resolve));
  origin = `http://${address}:${(server.address() as AddressInfo).port}`;
  const xml = (type: string, text: string) => ({ type, body: Buffer.from(text) });
  if (feed) {
    const items = Array.from({ length: URLS }, (_, index) => {
      const item = article(host, index);
      return `<item><title>${item.title}</title><link>${origin}/news/${item.slug}</link><pubDate>${new Date(item.publishedAt).toUTCString()}</pubDate></item>`;
    });
    documents.set(
      '/feed.xml',
      xml(
        'application/rss+xml',
        `<?xml version="1.0"?><rss version="2.0"><channel><title>host ${host}</title>${items.join('')}</channel></rss>`,
      ),
    );
  } else {
    const half = Math.ceil(URLS / 2);
    const children = [0, 1].map(
      (part) =>
        `<sitemap><loc>${origin}/sitemap-${part}.xml</loc><lastmod>2026-02-01T00:00:00Z</lastmod></sitemap>`,
    );
    documents.set(
      '/sitemap_index.xml',
      xml(
        'application/xml',
        `<?xml version="1.0"?><sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">${children.join('')}</sitemapindex>`,
      ),
    );
    for (const part of [0, 1]) {
      const entries = [];
      for (let index = part * half; index < Math.min(URLS, (part + 1) * half); index++) {
        const item = article(host, index);
        entries.push(
          `<url><loc>${origin}/news/${item.slug}</loc><lastmod>${item.publishedAt}</lastmod></url>`,
        );
      }
      documents.set(
        `/sitemap-${part}.xml`,
        xml(
          'application/xml',
          `<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">${entries.join('')}</urlset>`,
        ),
      );
    }
  }
  return { origin, source: `${origin}${feed ? '/feed.xml' : '/sitemap_index.xml'}`, stats, server };
}

/**
 * The hosts' scheduling priority (nice) when the system allows it: they stand in for other machines, which the
 * pipeline's load does not slow, and a process that waits its turn behind a loaded machine's runnable ones accepts
 * and stamps late and in bunches (at load 24 on 2 cores, two connections sent 244 ms apart were stamped 0 ms
 * apart). They use little CPU, so going first costs the pipeline little.
 */
const HOSTS_NICE = -10;

export interface LoopbackHosts {
  hosts: Array<{ origin: string; source: string }>;
  /** The hosts' process (for its memory: processMemory). */
  pid: number;
  /** Its nice value: HOSTS_NICE, or the inherited one where raising the priority is not allowed. */
  nice: number;
  stats(): Promise<HostReport[]>;
  resetArticleFetches(): Promise<void>;
  close(): Promise<void>;
}

const CHILD_ROLE_ARG = '--bench-crawl-hosts';

/** Starts `sources` hosts of `urls` articles each in a child process. */
export async function startLoopbackHosts(sources: number, urls: number): Promise<LoopbackHosts> {
  const path = fileURLToPath(import.meta.url);
  // From TypeScript source the child needs tsx's loader, as the parent had.
  const child: ChildProcess = fork(path, [CHILD_ROLE_ARG, String(sources), String(urls)], {
    execArgv: path.endsWith('.ts') ? ['--import', 'tsx'] : [],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    // Structured clone, not JSON: the stats of 100,000 requests are arrays of numbers.
    serialization: 'advanced',
  });
  const exited = new Promise<never>((_, reject) =>
    child.once('exit', (code) => reject(new Error(`bench:crawl hosts process exited with code ${code}`))),
  );
  exited.catch(() => {});
  const next = <T extends FromHosts['type']>(type: T): Promise<Extract<FromHosts, { type: T }>> =>
    Promise.race([
      exited,
      new Promise<Extract<FromHosts, { type: T }>>((resolve) => {
        const onMessage = (message: FromHosts) => {
          if (message.type !== type) return;
          child.off('message', onMessage);
          resolve(message as Extract<FromHosts, { type: T }>);
        };
        child.on('message', onMessage);
      }),
    ]);
  const ready = await next('ready');
  try {
    setPriority(child.pid as number, HOSTS_NICE);
  } catch {
    // Not allowed (no CAP_SYS_NICE): the stamps may then be late on a loaded machine, as the report's trips show.
  }
  const ask = <T extends FromHosts['type']>(message: ToHosts, type: T) => {
    const answer = next(type);
    child.send(message);
    return answer;
  };
  return {
    hosts: ready.hosts,
    pid: child.pid as number,
    nice: getPriority(child.pid as number),
    stats: async () => (await ask({ type: 'stats' }, 'stats')).hosts,
    resetArticleFetches: async () => {
      await ask({ type: 'reset-article-fetches' }, 'done');
    },
    close: async () => {
      if (child.exitCode !== null) return;
      const gone = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      await ask({ type: 'close' }, 'done');
      child.disconnect();
      await gone;
    },
  };
}

// Only in a child started for this purpose: the module is imported by its parent too.
if (process.argv[2] === CHILD_ROLE_ARG && process.send !== undefined) {
  const sources = Number(process.argv[3]);
  const urls = Number(process.argv[4]);
  const send = (message: FromHosts) => process.send?.(message);
  const hosts = await Promise.all(
    Array.from({ length: sources }, (_, index) =>
      startHost(index, `127.0.${Math.floor((index + 2) / 256)}.${(index + 2) % 256}`, urls),
    ),
  );
  const closeAll = () =>
    Promise.all(hosts.map((host) => new Promise<void>((resolve) => host.server.close(() => resolve()))));
  process.on('message', async (message: ToHosts) => {
    if (message.type === 'stats') {
      const reports = hosts.map(({ stats }) => ({
        requests: stats.requests,
        articleFetches: [...stats.articleFetches],
        starts: stats.starts,
        accepted: stats.accepted,
        paths: stats.paths,
      }));
      send({ type: 'stats', hosts: reports });
    } else if (message.type === 'reset-article-fetches') {
      for (const { stats } of hosts) stats.articleFetches.clear();
      send({ type: 'done' });
    } else {
      await closeAll();
      send({ type: 'done' });
    }
  });
  // The parent is gone (stopped, or died without closing us): nothing is left to serve.
  process.once('disconnect', () => void closeAll().finally(() => process.exit(0)));
  send({ type: 'ready', hosts: hosts.map(({ origin, source }) => ({ origin, source })) });
}
