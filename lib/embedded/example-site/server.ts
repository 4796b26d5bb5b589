import { createHash } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { EXAMPLE_ARTICLES, EXAMPLE_SITE_NAME, type SiteArticle } from './articles.ts';
import {
  articlePath,
  renderArticlePage,
  renderHomePage,
  renderRssFeed,
  renderSitemap,
  type SiteInfo,
} from './render.ts';

export interface SiteServerOptions {
  articles?: SiteArticle[];
  name?: string;
  host?: string;
  /** 0 (the default) picks a free port. */
  port?: number;
  /** How many related links each page carries. */
  relatedCount?: number;
}

/** A canned response for one path, replacing the page (tests use it for 404s, 500s and non-HTML). */
export interface PathOverride {
  status: number;
  contentType?: string;
  body?: string;
}

export interface SiteServer {
  origin: string;
  feedUrl: string;
  sitemapUrl: string;
  articleUrl(slug: string): string;
  articles(): SiteArticle[];
  /** Adds or replaces an article; its page changes (new ETag) from the next request on. */
  upsert(article: SiteArticle): void;
  remove(slug: string): void;
  override(path: string, response: PathOverride | undefined): void;
  /** Requests served per path (query string dropped), for asserting what was fetched. */
  requestCount(path: string): number;
  /** Article page responses with a full body (200), as opposed to 304s. */
  fullPageResponses(): number;
  /** Whether article pages answer a matching If-None-Match with 304 (default true), as origins that ignore it do not. */
  honourValidators(honour: boolean): void;
  /** Renders every page now instead of on first request (so a benchmark times the pipeline, not the site). */
  prerender(): void;
  close(): Promise<void>;
}

interface RenderedPage {
  html: string;
  etag: string;
  lastModified: string;
}

/**
 * Serves a news site (the bundled example site by default) on loopback: home page, RSS feed, sitemap, robots.txt
 * and article pages that honour If-None-Match, as a well-behaved origin does.
 */
export async function startSiteServer(options: SiteServerOptions = {}): Promise<SiteServer> {
  const articles = new Map<string, SiteArticle>(
    (options.articles ?? EXAMPLE_ARTICLES).map((a) => [a.slug, a]),
  );
  const overrides = new Map<string, PathOverride>();
  const requests = new Map<string, number>();
  const rendered = new Map<string, RenderedPage>();
  const relatedCount = options.relatedCount ?? 3;
  let fullPages = 0;
  let honourValidators = true;
  let site: SiteInfo = { origin: '', name: options.name ?? EXAMPLE_SITE_NAME };

  const render = (article: SiteArticle): RenderedPage => {
    const cached = rendered.get(article.slug);
    if (cached) return cached;
    const all = [...articles.values()];
    const index = all.findIndex((other) => other.slug === article.slug);
    const related = Array.from({ length: Math.min(relatedCount, all.length - 1) }, (_, offset) => {
      return all[(index + offset + 1) % all.length] as SiteArticle;
    });
    const html = renderArticlePage(article, site, related);
    const page = {
      html,
      etag: `"${createHash('sha256').update(html).digest('hex').slice(0, 32)}"`,
      lastModified: new Date(article.modifiedAt ?? article.publishedAt).toUTCString(),
    };
    rendered.set(article.slug, page);
    return page;
  };

  const send = (response: ServerResponse, status: number, contentType: string, body: string) => {
    response.writeHead(status, { 'content-type': contentType, 'content-length': Buffer.byteLength(body) });
    response.end(body);
  };

  const handle = (request: IncomingMessage, response: ServerResponse) => {
    const path = new URL(request.url ?? '/', 'http://site.invalid').pathname;
    requests.set(path, (requests.get(path) ?? 0) + 1);
    const override = overrides.get(path);
    if (override)
      return send(
        response,
        override.status,
        override.contentType ?? 'text/html; charset=utf-8',
        override.body ?? '',
      );
    const list = [...articles.values()];
    if (path === '/robots.txt')
      return send(response, 200, 'text/plain', 'User-agent: *\nDisallow: /search\n');
    if (path === '/feed.xml')
      return send(response, 200, 'application/rss+xml; charset=utf-8', renderRssFeed(list, site));
    if (path === '/sitemap.xml')
      return send(response, 200, 'application/xml; charset=utf-8', renderSitemap(list, site));
    if (path === '/') return send(response, 200, 'text/html; charset=utf-8', renderHomePage(list, site));
    const slug = path.startsWith('/news/') ? path.slice('/news/'.length) : undefined;
    const article = slug === undefined ? undefined : articles.get(slug);
    if (article === undefined)
      return send(response, 404, 'text/html; charset=utf-8', '<h1>Page not found</h1>');
    const page = render(article);
    const headers = { etag: page.etag, 'last-modified': page.lastModified, 'cache-control': 'max-age=60' };
    if (honourValidators && request.headers['if-none-match'] === page.etag) {
      response.writeHead(304, headers);
      return response.end();
    }
    fullPages++;
    response.writeHead(200, {
      ...headers,
      'content-type': 'text/html; charset=utf-8',
      'content-length': Buffer.byteLength(page.html),
    });
    response.end(page.html);
  };

  const server = createServer(handle);
  server.keepAliveTimeout = 5_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => resolve());
  });
  const { address, port } = server.address() as AddressInfo;
  const origin = `http://${address.includes(':') ? `[${address}]` : address}:${port}`;
  site = { ...site, origin };

  return {
    origin,
    feedUrl: `${origin}/feed.xml`,
    sitemapUrl: `${origin}/sitemap.xml`,
    articleUrl: (slug) => `${origin}${articlePath({ slug })}`,
    articles: () => [...articles.values()],
    upsert(article) {
      articles.set(article.slug, article);
      // Related links on other pages name this one; re-render everything lazily.
      rendered.clear();
    },
    remove(slug) {
      articles.delete(slug);
      rendered.clear();
    },
    override(path, response) {
      if (response === undefined) overrides.delete(path);
      else overrides.set(path, response);
    },
    requestCount: (path) => requests.get(path) ?? 0,
    fullPageResponses: () => fullPages,
    honourValidators(honour) {
      honourValidators = honour;
    },
    prerender() {
      for (const article of articles.values()) render(article);
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
