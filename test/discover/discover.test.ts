import { readFileSync } from 'node:fs';
import zlib from 'node:zlib';
import { afterEach, describe, expect, it } from 'vitest';
import { type DiscoverOptions, type DiscoveryWarning, discover } from '../../lib/core/discover/index.ts';
import { PipelineError } from '../../lib/core/errors.ts';
import {
  bridgeConnector,
  fakeResolver,
  PUBLIC_IP,
  recordingConnector,
  recordingSleep,
  startServer,
  type TestServer,
} from '../fetch/helpers.ts';

const fixture = (name: string) => readFileSync(new URL(`../fixtures/feeds/${name}`, import.meta.url));

interface Route {
  type?: string;
  body: Buffer | string;
  status?: number;
}

const servers: TestServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => server.close()));
});

/** Serves `routes` as the site http://news.example (and www.news.example), bridged to loopback. */
async function site(routes: Record<string, Route>, extra: DiscoverOptions = {}) {
  const server = await startServer((request, response) => {
    const route = routes[request.url ?? ''];
    if (route === undefined) {
      response.writeHead(404).end();
      return;
    }
    response.writeHead(route.status ?? 200, route.type === undefined ? {} : { 'content-type': route.type });
    response.end(route.body);
  });
  servers.push(server);
  const { connector } = bridgeConnector(server);
  const { resolver } = fakeResolver({
    'news.example': [PUBLIC_IP],
    'www.news.example': [PUBLIC_IP],
    'elsewhere.example': [PUBLIC_IP],
  });
  const warnings: DiscoveryWarning[] = [];
  const options: DiscoverOptions = {
    connector,
    resolver,
    sleep: recordingSleep().sleep,
    onWarning: (warning) => warnings.push(warning),
    ...extra,
  };
  return { server, options, warnings, paths: () => server.requests.map((request) => request.path) };
}

const XML = 'application/xml';

describe('feeds', () => {
  it('RSS 2.0: links, guids, FeedBurner origLink, dates; canonical, de-duplicated, on-site only', async () => {
    const { options } = await site({ '/rss.xml': { type: 'application/rss+xml', body: fixture('rss.xml') } });
    const urls = await discover('http://news.example/rss.xml', options);
    expect(urls).toEqual([
      {
        url: 'http://news.example/2024/05/ferry-timetable',
        publishedAt: '2024-05-01T09:30:00.000Z',
        via: 'rss',
      },
      {
        url: 'http://news.example/2024/04/harbour-wall',
        publishedAt: '2024-04-20T10:00:00.000Z',
        via: 'rss',
      },
      {
        url: 'http://www.news.example/2024/03/lighthouse',
        publishedAt: '2024-03-15T08:00:00.000Z',
        via: 'rss',
      },
      { url: 'http://news.example/2024/02/storm-damage', via: 'rss' },
    ]);
  });

  it('allowOtherSites keeps syndicated links', async () => {
    const { options } = await site({ '/rss.xml': { type: 'text/xml', body: fixture('rss.xml') } });
    const urls = await discover('http://news.example/rss.xml', { ...options, allowOtherSites: true });
    expect(urls.map((entry) => entry.url)).toContain('http://other.example/story');
  });

  it('Atom: the alternate link, published and updated', async () => {
    const { options } = await site({
      '/atom.xml': { type: 'application/atom+xml', body: fixture('atom.xml') },
    });
    expect(await discover('http://news.example/atom.xml', options)).toEqual([
      {
        url: 'http://news.example/2024/05/ferry-timetable',
        publishedAt: '2024-05-01T09:30:00.000Z',
        modifiedAt: '2024-05-02T10:00:00.000Z',
        via: 'atom',
      },
      {
        url: 'http://news.example/2024/04/harbour-wall',
        modifiedAt: '2024-04-20T10:00:00.000Z',
        via: 'atom',
      },
    ]);
  });

  it('RDF (RSS 1.0): link or rdf:about, dc:date', async () => {
    const { options } = await site({ '/rdf': { type: 'application/rdf+xml', body: fixture('rdf.xml') } });
    expect(await discover('http://news.example/rdf', options)).toEqual([
      {
        url: 'http://news.example/2024/05/ferry-timetable',
        publishedAt: '2024-05-01T09:30:00.000Z',
        via: 'rdf',
      },
      {
        url: 'http://news.example/2024/04/harbour-wall',
        publishedAt: '2024-04-20T10:00:00.000Z',
        via: 'rdf',
      },
    ]);
  });

  it('since drops older entries and keeps undated ones', async () => {
    const { options } = await site({ '/rss.xml': { type: 'application/rss+xml', body: fixture('rss.xml') } });
    const urls = await discover('http://news.example/rss.xml', { ...options, since: '2024-04-01T00:00:00Z' });
    expect(urls.map((entry) => entry.url)).toEqual([
      'http://news.example/2024/05/ferry-timetable',
      'http://news.example/2024/04/harbour-wall',
      'http://news.example/2024/02/storm-damage',
    ]);
  });

  it('malformed XML yields what can be read, never a crash', async () => {
    const { options } = await site({
      '/rss.xml': { type: 'application/rss+xml', body: fixture('malformed.xml') },
    });
    const urls = await discover('http://news.example/rss.xml', options);
    expect(urls.map((entry) => entry.url)).toContain('http://news.example/2024/04/harbour-wall');
  });

  it.each([
    ['JSON', 'application/json', '{"items": []}'],
    ['an unknown XML document', XML, '<?xml version="1.0"?><catalog><book/></catalog>'],
    ['binary noise', 'application/octet-stream', Buffer.from([0, 1, 2, 3, 250, 251])],
    ['an empty body', XML, ''],
  ])('%s is FEED_INVALID', async (_name, type, body) => {
    const { options } = await site({ '/feed': { type, body } });
    const error = await discover('http://news.example/feed', options).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(PipelineError);
    expect(error).toMatchObject({ code: 'FEED_INVALID' });
    expect((error as Error).message).toContain('http://news.example/feed');
  });
});

describe('sitemaps', () => {
  it('a sitemap index with gzipped children (by extension and by magic bytes), skipping failures', async () => {
    const { options, warnings } = await site({
      '/sitemap.xml': { type: XML, body: fixture('sitemap-index.xml') },
      '/sitemaps/2024-05.xml.gz': {
        type: 'application/gzip',
        body: zlib.gzipSync(fixture('sitemap-2024-05.xml')),
      },
      '/sitemaps/2024-04.xml.gz': {
        type: 'application/octet-stream',
        body: zlib.gzipSync(fixture('sitemap-2024-04.xml')),
      },
      '/sitemaps/broken.xml': { type: 'text/html', body: '<!doctype html><html><body>oops</body></html>' },
    });
    const urls = await discover('http://news.example/sitemap.xml', options);
    expect(urls).toEqual([
      {
        url: 'http://news.example/2024/05/ferry-timetable',
        modifiedAt: '2024-05-02T10:00:00.000Z',
        via: 'sitemap',
      },
      { url: 'http://news.example/2024/05/regatta', modifiedAt: '2024-05-01T00:00:00.000Z', via: 'sitemap' },
      {
        url: 'http://news.example/2024/04/harbour-wall',
        modifiedAt: '2024-04-20T10:00:00.000Z',
        via: 'sitemap',
      },
    ]);
    // HTML served where a sitemap was promised is reported, not fatal; the off-site sitemap is never fetched.
    expect(warnings.map((warning) => [warning.url, warning.error.code])).toEqual([
      ['http://news.example/sitemaps/broken.xml', 'FEED_INVALID'],
    ]);
  });

  it('since skips child sitemaps whose lastmod is older', async () => {
    const { options, paths } = await site({
      '/sitemap.xml': { type: XML, body: fixture('sitemap-index.xml') },
      '/sitemaps/2024-05.xml.gz': {
        type: 'application/gzip',
        body: zlib.gzipSync(fixture('sitemap-2024-05.xml')),
      },
      '/sitemaps/2024-04.xml.gz': {
        type: 'application/gzip',
        body: zlib.gzipSync(fixture('sitemap-2024-04.xml')),
      },
    });
    await discover('http://news.example/sitemap.xml', { ...options, since: '2024-05-01T12:00:00Z' });
    expect(paths()).not.toContain('/sitemaps/2024-04.xml.gz');
    expect(paths()).toContain('/sitemaps/2024-05.xml.gz');
  });

  it('a Google News sitemap gives publication dates', async () => {
    const { options } = await site({ '/news-sitemap.xml': { type: XML, body: fixture('news-sitemap.xml') } });
    expect(await discover('http://news.example/news-sitemap.xml', options)).toEqual([
      {
        url: 'http://news.example/2024/05/ferry-timetable',
        publishedAt: '2024-05-01T08:30:00.000Z',
        via: 'news-sitemap',
      },
      {
        url: 'http://news.example/2024/05/regatta',
        publishedAt: '2024-05-01T00:00:00.000Z',
        via: 'news-sitemap',
      },
    ]);
  });

  it('a huge sitemap gives a bounded result', async () => {
    const entries = Array.from(
      { length: 5000 },
      (_, index) => `<url><loc>http://news.example/a/${index}</loc></url>`,
    );
    const body = `<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">${entries.join('')}</urlset>`;
    const { options } = await site({ '/sitemap.xml': { type: XML, body } });
    const urls = await discover('http://news.example/sitemap.xml', { ...options, maxUrls: 1000 });
    expect(urls).toHaveLength(1000);
    expect(urls[999]?.url).toBe('http://news.example/a/999');
  });

  it('a sitemap over the byte cap is a clear TOO_LARGE error', async () => {
    const { options } = await site({ '/sitemap.xml': { type: XML, body: Buffer.alloc(4096, 0x20) } });
    const error = await discover('http://news.example/sitemap.xml', { ...options, maxBytes: 1024 }).catch(
      (caught: unknown) => caught,
    );
    expect(error).toMatchObject({ code: 'TOO_LARGE' });
  });

  it.each([
    ['a sitemap', '/sitemap.xml', XML, (tags: string) => `<?xml version="1.0"?><urlset>${tags}</urlset>`],
    ['a home page', '/', 'text/html', (tags: string) => `<!doctype html><html><body>${tags}</body></html>`],
  ])(
    '%s of millions of tiny elements is refused before it is parsed, not an out-of-memory crash',
    async (_name, path, type, wrap) => {
      // 20 MiB of <x/> is 5 million elements: a DOM of them needs more than a 512 MB Lambda has.
      const body = wrap('<x/>'.repeat(1_100_000));
      const { options } = await site({ [path]: { type, body } });
      const error = await discover(`http://news.example${path}`, options).catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(PipelineError);
      expect(error).toMatchObject({ code: 'TOO_LARGE', details: { url: `http://news.example${path}` } });
      expect((error as Error).message).toMatch(/more than 1000000 tags/);
    },
  );

  it('a gzipped sitemap bomb is stopped by the same cap', async () => {
    const bomb = zlib.gzipSync(Buffer.alloc(16 * 1024 * 1024, 0x20));
    const { options } = await site({ '/sitemap.xml.gz': { type: 'application/gzip', body: bomb } });
    const error = await discover('http://news.example/sitemap.xml.gz', {
      ...options,
      maxBytes: 1024 * 1024,
    }).catch((caught: unknown) => caught);
    expect(error).toMatchObject({ code: 'TOO_LARGE' });
  });

  it('Sitemap: lines in robots.txt', async () => {
    const { options } = await site({
      '/robots.txt': {
        type: 'text/plain',
        body: 'User-agent: *\nAllow: /\nSitemap: http://news.example/news-sitemap.xml\n',
      },
      '/news-sitemap.xml': { type: XML, body: fixture('news-sitemap.xml') },
    });
    const urls = await discover('http://news.example/robots.txt', options);
    expect(urls.map((entry) => entry.via)).toEqual(['news-sitemap', 'news-sitemap']);
  });

  it('robots.txt can always be read, even when it disallows everything', async () => {
    const { options, paths, warnings } = await site({
      '/robots.txt': {
        type: 'text/plain',
        body: 'User-agent: *\nDisallow: /\nSitemap: http://news.example/s.xml\n',
      },
      '/s.xml': { type: XML, body: fixture('news-sitemap.xml') },
    });
    expect(await discover('http://news.example/robots.txt', options)).toEqual([]);
    // robots.txt was read (its Sitemap line was found), but the sitemap it names is disallowed by it.
    expect(paths()).not.toContain('/s.xml');
    expect(warnings.map((warning) => [warning.url, warning.error.code])).toEqual([
      ['http://news.example/s.xml', 'ROBOTS_DISALLOWED'],
    ]);
  });

  it('a sitemap index that lists itself does not loop', async () => {
    const body = `<?xml version="1.0"?><sitemapindex><sitemap><loc>http://news.example/sitemap.xml</loc></sitemap></sitemapindex>`;
    const { options, paths } = await site({ '/sitemap.xml': { type: XML, body } });
    expect(await discover('http://news.example/sitemap.xml', options)).toEqual([]);
    expect(paths().filter((path) => path === '/sitemap.xml')).toHaveLength(1);
  });
});

describe('pages', () => {
  it('autodiscovers the feeds a home page announces', async () => {
    const { options, paths } = await site({
      '/': { type: 'text/html; charset=utf-8', body: fixture('home.html') },
      '/rss.xml': { type: 'application/rss+xml', body: fixture('rss.xml') },
      '/atom.xml': { type: 'application/atom+xml', body: fixture('atom.xml') },
    });
    const urls = await discover('http://news.example/', options);
    expect(paths()).toEqual(expect.arrayContaining(['/', '/rss.xml', '/atom.xml']));
    const ferry = urls.find((entry) => entry.url === 'http://news.example/2024/05/ferry-timetable');
    // Found by RSS first; Atom fills in the modified date.
    expect(ferry).toEqual({
      url: 'http://news.example/2024/05/ferry-timetable',
      publishedAt: '2024-05-01T09:30:00.000Z',
      modifiedAt: '2024-05-02T10:00:00.000Z',
      via: 'rss',
    });
  });

  it('a home page without feeds falls back to the sitemaps in robots.txt', async () => {
    const { options } = await site({
      '/': {
        type: 'text/html',
        body: '<!doctype html><html><head><title>x</title></head><body></body></html>',
      },
      '/robots.txt': { type: 'text/plain', body: 'Sitemap: http://news.example/news-sitemap.xml\n' },
      '/news-sitemap.xml': { type: XML, body: fixture('news-sitemap.xml') },
    });
    const urls = await discover('http://news.example/', options);
    expect(urls).toHaveLength(2);
  });

  it('an article page without feeds is itself the one URL', async () => {
    const { options } = await site({
      '/2024/05/ferry-timetable': {
        type: 'text/html',
        body: '<!doctype html><html><body><p>story</p></body></html>',
      },
    });
    expect(await discover('http://news.example/2024/05/ferry-timetable?utm_source=x', options)).toEqual([
      { url: 'http://news.example/2024/05/ferry-timetable', via: 'page' },
    ]);
  });

  it('HTML served at a feed address is FEED_INVALID, not an article', async () => {
    const page = '<!doctype html><html><body><p>Please accept cookies</p></body></html>';
    const { options } = await site({
      '/rss.xml': { type: 'text/html', body: page },
      '/feed/': { type: 'text/html', body: page },
    });
    for (const source of ['http://news.example/rss.xml', 'http://news.example/feed/']) {
      const error = await discover(source, options).catch((caught: unknown) => caught);
      expect(error).toMatchObject({ code: 'FEED_INVALID' });
    }
  });

  it('a feed mislabelled as text/html is still read as a feed', async () => {
    const { options } = await site({ '/rss.xml': { type: 'text/html', body: fixture('rss.xml') } });
    expect(await discover('http://news.example/rss.xml', options)).toHaveLength(4);
  });

  it('robots.txt is honoured for the source', async () => {
    const { options, paths } = await site({
      '/robots.txt': { type: 'text/plain', body: 'User-agent: *\nDisallow: /\n' },
      '/rss.xml': { type: 'application/rss+xml', body: fixture('rss.xml') },
    });
    const error = await discover('http://news.example/rss.xml', options).catch((caught: unknown) => caught);
    expect(error).toMatchObject({ code: 'ROBOTS_DISALLOWED' });
    expect(paths()).toEqual(['/robots.txt']);
  });

  it('the source is guarded like any fetch, before any connection', async () => {
    // Injected resolver and connector: a guard failure shows up as a recorded attempt, never as traffic.
    const { connector, attempts } = recordingConnector();
    const { resolver, calls } = fakeResolver({ 'metadata.example': ['169.254.169.254'] });
    for (const source of ['http://169.254.169.254/latest/', 'http://metadata.example/sitemap.xml']) {
      const error = await discover(source, { connector, resolver }).catch((caught: unknown) => caught);
      expect(error).toMatchObject({ code: 'BLOCKED_ADDRESS' });
    }
    expect(calls).toEqual(['metadata.example']);
    expect(attempts).toEqual([]);
  });

  it('a sitemap child at an internal address is refused and reported, even with allowOtherSites', async () => {
    const index = `<?xml version="1.0"?><sitemapindex>
      <sitemap><loc>http://169.254.169.254/latest/meta-data/</loc></sitemap></sitemapindex>`;
    const { options, paths, warnings } = await site(
      { '/sitemap.xml': { type: XML, body: index } },
      { allowOtherSites: true },
    );
    expect(await discover('http://news.example/sitemap.xml', options)).toEqual([]);
    expect(warnings.map((warning) => [warning.url, warning.error.code])).toEqual([
      ['http://169.254.169.254/latest/meta-data/', 'BLOCKED_ADDRESS'],
    ]);
    expect(paths()).toEqual(['/robots.txt', '/sitemap.xml']);
  });
});
