import { PipelineError } from '../errors.ts';
import { gunzipCapped, isGzip } from '../fetch/body.ts';
import { createFetcher, type FetcherConfig, type PoliteFetcher } from '../fetch/fetcher.ts';
import type { FetchResult } from '../fetch/types.ts';
import { canonicalizeUrl } from '../url.ts';
import { findFeedLinks, looksLikeHtmlDocument } from './autodiscover.ts';
import { feedKind, parseFeed, type RawEntry } from './feeds.ts';
import { parseSitemapIndex, parseUrlset, robotsSitemaps, sitemapKind } from './sitemaps.ts';
import { checkTagCount, parseXml, type XmlDocument } from './xml.ts';

export type DiscoveryVia = 'rss' | 'atom' | 'rdf' | 'sitemap' | 'news-sitemap' | 'page';

export interface DiscoveredUrl {
  /** Canonical URL (lib/core/url.ts). */
  url: string;
  /** ISO 8601 UTC, when the source gives one. */
  publishedAt?: string;
  modifiedAt?: string;
  via: DiscoveryVia;
}

export interface DiscoveryWarning {
  url: string;
  error: PipelineError;
}

export interface DiscoverOptions extends FetcherConfig {
  /** Drops URLs whose date (modified, else published) is older; undated URLs are kept. */
  since?: Date | string;
  /** Keep URLs on other sites (default: only the source's host and its www. variant). */
  allowOtherSites?: boolean;
  /** A shared polite fetcher (robots.txt + pacing); by default one is built from these options. */
  fetcher?: PoliteFetcher;
  /** Cap on URLs returned; default 50,000 (one sitemap's maximum). */
  maxUrls?: number;
  /** Cap on sitemap documents read from indexes and robots.txt; default 50. */
  maxSitemaps?: number;
  /** How deep sitemap indexes may nest; default 3. */
  maxDepth?: number;
  /** How many autodiscovered feeds of a page are read; default 3. */
  maxFeeds?: number;
  /** Told about child documents (feeds, sitemaps) that failed and were skipped. */
  onWarning?: (warning: DiscoveryWarning) => void;
  /** Sitemaps found (in robots.txt) are handed here instead of read (the streaming reader reads them). */
  deferSitemaps?: (urls: string[]) => void;
}

export const DISCOVERY_DEFAULTS = {
  maxUrls: 50_000,
  maxSitemaps: 50,
  maxDepth: 3,
  maxFeeds: 3,
  /** Sitemaps may be 50 MB uncompressed; a DOM of that size is too much for a small Lambda, so 20 MiB. */
  maxBytes: 20 * 1024 * 1024,
  /** Discovery reads few documents per site, so it is paced more lightly than article fetches. */
  minIntervalMs: 250,
} as const;

export type DocumentRole = 'source' | 'feed' | 'sitemap';

export class Discovery {
  private readonly found = new Map<string, DiscoveredUrl>();
  private readonly visited = new Set<string>();
  private readonly siteKeys = new Set<string>();
  private sitemapsRead = 0;
  private readonly since: number | undefined;
  private readonly maxUrls: number;
  private readonly maxBytes: number;

  constructor(
    private readonly options: DiscoverOptions,
    private readonly fetcher: PoliteFetcher,
  ) {
    this.maxUrls = options.maxUrls ?? DISCOVERY_DEFAULTS.maxUrls;
    this.maxBytes = options.maxBytes ?? DISCOVERY_DEFAULTS.maxBytes;
    const since = options.since === undefined ? undefined : new Date(options.since).getTime();
    if (since !== undefined && Number.isNaN(since)) {
      throw new PipelineError('BAD_REQUEST', `since is not a date: ${String(options.since)}`);
    }
    this.since = since;
  }

  get results(): DiscoveredUrl[] {
    return [...this.found.values()];
  }

  private get full(): boolean {
    return this.found.size >= this.maxUrls;
  }

  addSite(url: string): void {
    this.siteKeys.add(siteKey(new URL(url).hostname));
  }

  private onSite(url: string): boolean {
    return this.options.allowOtherSites === true || this.siteKeys.has(siteKey(new URL(url).hostname));
  }

  private isRecentEnough(entry: { publishedAt?: string; modifiedAt?: string }): boolean {
    const date = entry.modifiedAt ?? entry.publishedAt;
    return this.since === undefined || date === undefined || Date.parse(date) >= this.since;
  }

  private add<Entry extends RawEntry>(
    entries: Entry[],
    base: string,
    via: DiscoveryVia | ((entry: Entry) => DiscoveryVia),
  ): void {
    for (const entry of entries) {
      if (this.full) return;
      let url: string;
      try {
        url = canonicalizeUrl(entry.url, base);
      } catch {
        continue; // not an http(s) URL: skip the entry, keep the rest
      }
      if (!this.onSite(url) || !this.isRecentEnough(entry)) continue;
      const previous = this.found.get(url);
      if (previous !== undefined) {
        previous.publishedAt ??= entry.publishedAt;
        previous.modifiedAt ??= entry.modifiedAt;
        continue;
      }
      const discovered: DiscoveredUrl = { url, via: typeof via === 'function' ? via(entry) : via };
      if (entry.publishedAt !== undefined) discovered.publishedAt = entry.publishedAt;
      if (entry.modifiedAt !== undefined) discovered.modifiedAt = entry.modifiedAt;
      this.found.set(url, discovered);
    }
  }

  private async fetch(url: string): Promise<FetchResult> {
    return this.fetcher.fetch(url, { accept: 'any', maxBytes: this.maxBytes });
  }

  /** Reads one document and adds what it lists. Errors of the source are thrown; callers decide for children. */
  async read(url: string, role: DocumentRole, depth: number): Promise<void> {
    if (this.full || this.visited.has(url)) return;
    this.visited.add(url);
    await this.process(await this.fetch(url), role, depth);
  }

  /** Adds what a fetched document lists (the streaming reader hands its buffered feeds and pages here). */
  async process(
    result: Pick<FetchResult, 'url' | 'notModified' | 'body' | 'contentType'>,
    role: DocumentRole,
    depth: number,
  ): Promise<void> {
    if (role === 'source') this.addSite(result.url);
    if (result.notModified) return;
    let bytes = result.body;
    if (isGzip(bytes)) bytes = gunzipCapped(bytes, this.maxBytes, result.url);
    const text = decodeText(bytes);
    const finalUrl = result.url;
    checkTagCount(text, finalUrl);

    if (role === 'source' && new URL(finalUrl).pathname === '/robots.txt') {
      await this.readSitemaps(robotsSitemaps(text), finalUrl, depth);
      return;
    }
    const isHtml = looksLikeHtmlDocument(text);
    const doc = isHtml ? undefined : parseXml(text);
    if (doc !== undefined && (await this.readXml(doc, finalUrl, depth))) return;
    if (isHtml || result.contentType === 'text/html') {
      if (role !== 'source') {
        throw new PipelineError('FEED_INVALID', `${finalUrl} is an HTML page, not a ${role}`, {
          url: finalUrl,
          retryable: false,
        });
      }
      await this.readPage(text, finalUrl, depth);
      return;
    }
    const root = doc?.root === undefined ? 'no XML element' : `<${doc.root.name}>`;
    throw new PipelineError(
      'FEED_INVALID',
      `${finalUrl} is not an RSS, Atom or RDF feed nor a sitemap (found ${root})`,
      { url: finalUrl, retryable: false },
    );
  }

  /** Handles a feed or a sitemap; false when the XML is neither. */
  private async readXml(doc: XmlDocument, finalUrl: string, depth: number): Promise<boolean> {
    const feed = feedKind(doc);
    if (feed !== undefined) {
      this.add(parseFeed(doc, feed), finalUrl, feed);
      return true;
    }
    const sitemap = sitemapKind(doc);
    if (sitemap === 'urlset') {
      this.add(parseUrlset(doc, this.maxUrls), finalUrl, (entry) =>
        entry.news ? 'news-sitemap' : 'sitemap',
      );
      return true;
    }
    if (sitemap === 'sitemapindex') {
      const children = parseSitemapIndex(doc).filter((child) => this.isRecentEnough(child));
      await this.readSitemaps(
        children.map((child) => child.url),
        finalUrl,
        depth + 1,
      );
      return true;
    }
    return false;
  }

  private async readChild(url: string, role: 'feed' | 'sitemap', depth: number): Promise<boolean> {
    try {
      await this.read(url, role, depth);
      return true;
    } catch (error) {
      const wrapped =
        error instanceof PipelineError ? error : new PipelineError('FEED_INVALID', String(error), { url });
      this.options.onWarning?.({ url, error: wrapped });
      return false;
    }
  }

  private async readSitemaps(urls: string[], base: string, depth: number): Promise<void> {
    const maxDepth = this.options.maxDepth ?? DISCOVERY_DEFAULTS.maxDepth;
    const maxSitemaps = this.options.maxSitemaps ?? DISCOVERY_DEFAULTS.maxSitemaps;
    if (depth > maxDepth) {
      this.options.onWarning?.({
        url: base,
        error: new PipelineError('FEED_INVALID', `sitemap indexes nested deeper than ${maxDepth}`, {
          url: base,
        }),
      });
      return;
    }
    const defer = this.options.deferSitemaps;
    if (defer !== undefined) {
      // The caller reads sitemaps itself (streamed); it gets their URLs instead.
      defer(urls.flatMap((raw) => (URL.canParse(raw, base) ? [new URL(raw, base).href] : [])));
      return;
    }
    for (const raw of urls) {
      if (this.full || this.sitemapsRead >= maxSitemaps) return;
      let url: string;
      try {
        url = canonicalizeUrl(raw, base);
      } catch {
        continue;
      }
      if (!this.onSite(url)) continue;
      this.sitemapsRead++;
      await this.readChild(url, 'sitemap', depth);
    }
  }

  /** An HTML source: its announced feeds; else, for a home page, the sitemaps in robots.txt; else the page. */
  private async readPage(html: string, pageUrl: string, depth: number): Promise<void> {
    const maxFeeds = this.options.maxFeeds ?? DISCOVERY_DEFAULTS.maxFeeds;
    const feeds: string[] = [];
    for (const href of findFeedLinks(html)) {
      try {
        const url = canonicalizeUrl(href, pageUrl);
        if (!feeds.includes(url)) feeds.push(url);
      } catch {
        // an unusable href: ignore it
      }
    }
    let readAny = false;
    for (const feed of feeds.slice(0, maxFeeds)) {
      if (await this.readChild(feed, 'feed', depth)) readAny = true;
    }
    if (readAny) return;
    if (new URL(pageUrl).pathname === '/') {
      const rules = await this.fetcher.robots.rulesFor(pageUrl).catch(() => undefined);
      if (rules !== undefined && rules.sitemaps.length > 0) {
        await this.readSitemaps(rules.sitemaps, pageUrl, depth);
        return;
      }
    }
    if (FEED_LIKE_PATH.test(new URL(pageUrl).pathname)) {
      // A feed address answering with a page (a consent wall, an error page) is not an article.
      throw new PipelineError('FEED_INVALID', `${pageUrl} should be a feed or sitemap but is an HTML page`, {
        url: pageUrl,
        retryable: false,
      });
    }
    this.add([{ url: pageUrl }], pageUrl, 'page');
  }
}

/** Paths that name a feed or a sitemap rather than an article page. */
const FEED_LIKE_PATH = /(\.(xml|rss|rdf|atom)(\.gz)?|\/(feed|rss|atom)s?\/?)$/i;

function siteKey(hostname: string): string {
  return hostname.toLowerCase().replace(/^www\./, '');
}

function decodeText(bytes: Uint8Array): string {
  const head = Buffer.from(bytes.subarray(0, 200)).toString('latin1');
  const declared = /<\?xml[^>]*encoding=["']([\w.:-]+)["']/i.exec(head)?.[1];
  try {
    return new TextDecoder(declared ?? 'utf-8').decode(bytes);
  } catch {
    return new TextDecoder('utf-8').decode(bytes);
  }
}

/**
 * From a source (feed, sitemap, sitemap index, robots.txt, or a site's page) to article URLs: canonical,
 * de-duplicated, with the dates the source gives, on the source's site unless `allowOtherSites`, newer than
 * `since`. Throws PipelineError for the source itself (FEED_INVALID when it is neither a feed, a sitemap nor a
 * page); child documents that fail are skipped and reported through `onWarning`. Bounded by `maxUrls`.
 */
export async function discover(sourceUrl: string, options: DiscoverOptions = {}): Promise<DiscoveredUrl[]> {
  const start = canonicalizeUrl(sourceUrl);
  const fetcher =
    options.fetcher ??
    createFetcher({ minIntervalMs: DISCOVERY_DEFAULTS.minIntervalMs, ...withoutDiscoveryKeys(options) });
  const discovery = new Discovery(options, fetcher);
  discovery.addSite(start);
  await discovery.read(start, 'source', 0);
  return discovery.results;
}

function withoutDiscoveryKeys(options: DiscoverOptions): FetcherConfig {
  const {
    since,
    allowOtherSites,
    fetcher,
    maxUrls,
    maxSitemaps,
    maxDepth,
    maxFeeds,
    onWarning,
    deferSitemaps,
    ...rest
  } = options;
  void [since, allowOtherSites, fetcher, maxUrls, maxSitemaps, maxDepth, maxFeeds, onWarning, deferSitemaps];
  return rest;
}

export { findFeedLinks } from './autodiscover.ts';
export { parseFeed } from './feeds.ts';
export { parseSitemapIndex, parseUrlset, robotsSitemaps } from './sitemaps.ts';
export { parseXml } from './xml.ts';
