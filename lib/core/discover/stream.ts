import { Readable } from 'node:stream';
import { StringDecoder } from 'node:string_decoder';
import zlib from 'node:zlib';
import { Parser } from 'htmlparser2';
import { isRereadableFailure } from '../crawl-policy.ts';
import { PipelineError } from '../errors.ts';
import { isGzip, tooLarge } from '../fetch/body.ts';
import type { PoliteFetcher } from '../fetch/fetcher.ts';
import type { StreamedResponse } from '../fetch/types.ts';
import type { SourceKind } from '../sources.ts';
import { canonicalizeUrl } from '../url.ts';
import type { RawEntry } from './feeds.ts';
import {
  DISCOVERY_DEFAULTS,
  type DiscoveredUrl,
  Discovery,
  type DiscoveryVia,
  type DiscoveryWarning,
} from './index.ts';
import { toIsoDate } from './xml.ts';

/**
 * Reads one crawl source in bounded memory: sitemaps and sitemap indexes (plain or .gz, any size) are parsed
 * as they stream in, with a SAX parser, and their URLs handed over in small batches whose processing holds the
 * socket back; robots.txt and plain URL lists are read a line at a time. Feeds and HTML pages, which are small,
 * are buffered (capped) and read by the DOM-based Discovery. A conditional GET with the source's validators
 * ends at a 304; entries dated before `notBefore` (the source's high-water mark, less a look-back) are dropped
 * without being handed over, and child sitemaps whose lastmod is before it are not fetched at all.
 */

export interface SourceReadOptions {
  fetcher: PoliteFetcher;
  /** The source document's validators from the last crawl (child sitemaps are fetched unconditionally). */
  validators?: { etag?: string; lastModified?: string };
  allowOtherSites?: boolean;
  /** Epoch ms: dated entries older than this are skipped, and so are child sitemaps last modified before it. */
  notBefore?: number;
  /**
   * Called with each batch of found URLs (at most `batchSize`); the read waits for it. `moreDocuments`: the read
   * will still fetch documents after this batch (child sitemaps), so the crawl must not book the host's time ahead
   * for these URLs yet: its own next request would find the host taken.
   */
  onEntries: (entries: DiscoveredUrl[], context: { moreDocuments: boolean }) => Promise<void>;
  onWarning?: (warning: DiscoveryWarning) => void;
  batchSize?: number;
  maxSitemaps?: number;
  maxDepth?: number;
  /** Cap on one streamed document (decoded); memory does not grow with it. Default 1 GiB. */
  maxStreamBytes?: number;
  /** Cap on a buffered document (feed, page); default 20 MiB as for discovery. */
  maxBufferedBytes?: number;
  /** A streamed read may take this long (it waits on the batches' processing); default 10 minutes. */
  streamTimeoutMs?: number;
  now?: () => number;
}

export interface SourceReadResult {
  notModified: boolean;
  /** What the source turned out to be. */
  kind: SourceKind;
  validators: { etag?: string; lastModified?: string };
  /** URLs handed over. */
  urls: number;
  /** Dated entries skipped as older than notBefore. */
  older: number;
  sitemapsRead: number;
  sitemapsSkipped: number;
  /**
   * Child sitemaps that failed or were left for later (depth, count): the read is partial, so the source's
   * validators and high-water mark must not move past what was not read.
   */
  sitemapsUnread?: number;
  /** Of those, the ones whose fetch failed transiently (isRereadableFailure): a read again soon may get them. */
  sitemapsRetryable?: number;
  /** The latest entry date seen (dates more than a day ahead are ignored as bogus). */
  newest?: string;
}

export const STREAM_DEFAULTS = {
  batchSize: 100,
  maxStreamBytes: 1024 * 1024 * 1024,
  streamTimeoutMs: 10 * 60 * 1000,
} as const;

/** Dates further ahead than this are typos or placeholders; they would freeze a high-water mark. */
const MAX_FUTURE_MS = 24 * 3600 * 1000;

type Root = 'urlset' | 'sitemapindex' | 'text' | 'other';

interface SitemapChild {
  url: string;
  modifiedAt?: string;
}

class SourceReader {
  private readonly siteKeys = new Set<string>();
  private pending: DiscoveredUrl[] = [];
  private readonly visited = new Set<string>();
  readonly result: SourceReadResult = {
    notModified: false,
    kind: 'site',
    validators: {},
    urls: 0,
    older: 0,
    sitemapsRead: 0,
    sitemapsSkipped: 0,
  };
  private readonly batchSize: number;
  private readonly now: () => number;
  /** Child sitemaps listed and still to be fetched (every level of the index). */
  private childrenToRead = 0;
  /** Whether the document being read has named child sitemaps of its own so far (an index, robots.txt). */
  private currentNamesChildren: () => boolean = () => false;

  constructor(private readonly options: SourceReadOptions) {
    this.batchSize = options.batchSize ?? STREAM_DEFAULTS.batchSize;
    this.now = options.now ?? Date.now;
  }

  addSite(url: string): void {
    this.siteKeys.add(siteKey(new URL(url).hostname));
  }

  private onSite(url: string): boolean {
    return this.options.allowOtherSites === true || this.siteKeys.has(siteKey(new URL(url).hostname));
  }

  private noteDate(date: string | undefined): void {
    if (date === undefined || Date.parse(date) > this.now() + MAX_FUTURE_MS) return;
    if (this.result.newest === undefined || date > this.result.newest) this.result.newest = date;
  }

  private tooOld(date: string | undefined): boolean {
    return (
      this.options.notBefore !== undefined && date !== undefined && Date.parse(date) < this.options.notBefore
    );
  }

  /** Queues one raw entry for the next batch (synchronous: SAX callbacks cannot wait). */
  add(entry: RawEntry, base: string, via: DiscoveryVia): void {
    let url: string;
    try {
      url = canonicalizeUrl(entry.url, base);
    } catch {
      return; // not an http(s) URL: skip the entry, keep the rest
    }
    if (!this.onSite(url)) return;
    const date = entry.modifiedAt ?? entry.publishedAt;
    this.noteDate(date);
    if (this.tooOld(date)) {
      this.result.older++;
      return;
    }
    const found: DiscoveredUrl = { url, via };
    if (entry.publishedAt !== undefined) found.publishedAt = entry.publishedAt;
    if (entry.modifiedAt !== undefined) found.modifiedAt = entry.modifiedAt;
    this.pending.push(found);
  }

  async flush(force = false): Promise<void> {
    while (this.pending.length >= this.batchSize || (force && this.pending.length > 0)) {
      const batch = this.pending.splice(0, this.batchSize);
      this.result.urls += batch.length;
      await this.options.onEntries(batch, {
        moreDocuments: this.childrenToRead > 0 || this.currentNamesChildren(),
      });
    }
  }

  /** Reads the source document, then (for indexes and robots.txt) the sitemaps it names. */
  async readSource(sourceUrl: string): Promise<void> {
    const start = canonicalizeUrl(sourceUrl);
    this.addSite(start);
    const children = await this.readDocument(start, 'source');
    await this.readSitemaps(children, 1);
    await this.flush(true);
  }

  /** The children this level will fetch (the checks of readSitemaps, made before reading any of them). */
  private toRead(children: SitemapChild[], depth: number): number {
    const maxDepth = this.options.maxDepth ?? DISCOVERY_DEFAULTS.maxDepth;
    const maxSitemaps = this.options.maxSitemaps ?? DISCOVERY_DEFAULTS.maxSitemaps;
    if (depth > maxDepth) return 0;
    const fetched = children.filter(
      (child) => !this.visited.has(child.url) && this.onSite(child.url) && !this.tooOld(child.modifiedAt),
    ).length;
    return Math.min(fetched, Math.max(0, maxSitemaps - this.result.sitemapsRead));
  }

  private async readSitemaps(children: SitemapChild[], depth: number): Promise<void> {
    const maxDepth = this.options.maxDepth ?? DISCOVERY_DEFAULTS.maxDepth;
    const maxSitemaps = this.options.maxSitemaps ?? DISCOVERY_DEFAULTS.maxSitemaps;
    let toRead = this.toRead(children, depth);
    this.childrenToRead += toRead;
    try {
      await this.readChildren(children, depth, maxDepth, maxSitemaps, () => {
        if (toRead === 0) return;
        toRead--;
        this.childrenToRead--;
      });
    } finally {
      this.childrenToRead -= toRead;
    }
  }

  private async readChildren(
    children: SitemapChild[],
    depth: number,
    maxDepth: number,
    maxSitemaps: number,
    taken: () => void,
  ): Promise<void> {
    for (const child of children) {
      if (depth > maxDepth) {
        this.result.sitemapsUnread = (this.result.sitemapsUnread ?? 0) + 1;
        this.warn(child.url, `sitemap indexes nested deeper than ${maxDepth}`);
        return;
      }
      if (this.result.sitemapsRead >= maxSitemaps) {
        this.result.sitemapsUnread = (this.result.sitemapsUnread ?? 0) + 1;
        this.warn(child.url, `more than ${maxSitemaps} sitemaps; the rest are read next time`);
        return;
      }
      if (this.visited.has(child.url) || !this.onSite(child.url)) continue;
      // Unchanged since the high-water mark: nothing in it is new.
      if (this.tooOld(child.modifiedAt)) {
        this.result.sitemapsSkipped++;
        continue;
      }
      this.result.sitemapsRead++;
      taken();
      try {
        const grandchildren = await this.readDocument(child.url, 'sitemap');
        await this.readSitemaps(grandchildren, depth + 1);
      } catch (error) {
        const wrapped =
          error instanceof PipelineError
            ? error
            : new PipelineError('FEED_INVALID', String(error), { url: child.url });
        this.result.sitemapsUnread = (this.result.sitemapsUnread ?? 0) + 1;
        if (isRereadableFailure(wrapped))
          this.result.sitemapsRetryable = (this.result.sitemapsRetryable ?? 0) + 1;
        this.options.onWarning?.({ url: child.url, error: wrapped });
      }
    }
  }

  private warn(url: string, message: string): void {
    this.options.onWarning?.({ url, error: new PipelineError('FEED_INVALID', message, { url }) });
  }

  /** Fetches one document and reads it; returns the child sitemaps it names (for indexes and robots.txt). */
  private async readDocument(url: string, role: 'source' | 'sitemap'): Promise<SitemapChild[]> {
    this.visited.add(url);
    const maxStream = this.options.maxStreamBytes ?? STREAM_DEFAULTS.maxStreamBytes;
    const maxBuffered = this.options.maxBufferedBytes ?? DISCOVERY_DEFAULTS.maxBytes;
    let root: Root | undefined;
    let children: SitemapChild[] = [];
    let buffered: Buffer[] | undefined;
    let finalUrl = url;
    let contentType: string | undefined;
    const result = await this.options.fetcher.fetch(url, {
      accept: 'any',
      maxBytes: maxStream,
      timeoutMs: this.options.streamTimeoutMs ?? STREAM_DEFAULTS.streamTimeoutMs,
      ...(role === 'source' && this.options.validators ? { validators: this.options.validators } : {}),
      consumeBody: async (chunks, response: StreamedResponse) => {
        // A retried attempt starts over: what an earlier attempt queued is harmless (crawls lease URLs).
        finalUrl = response.url;
        contentType = response.contentType;
        if (role === 'source') this.addSite(finalUrl);
        const textual = contentType === 'text/plain' || new URL(finalUrl).pathname.endsWith('/robots.txt');
        const reader = textual ? new LineReader(this, finalUrl) : new XmlSniffer(this, finalUrl);
        this.currentNamesChildren = () => reader.root === 'sitemapindex' || reader.children.length > 0;
        let bufferedBytes = 0;
        buffered = undefined;
        for await (const chunk of gunzipIfNeeded(chunks, maxStream, finalUrl)) {
          if (buffered !== undefined) {
            bufferedBytes += chunk.length;
            if (bufferedBytes > maxBuffered) throw tooLarge(finalUrl, maxBuffered);
            buffered.push(chunk);
            continue;
          }
          reader.write(chunk);
          if (reader.root === 'other') {
            // A feed or a page: small, read whole by the DOM-based discovery below.
            buffered = [...reader.takeBuffered()];
            bufferedBytes = buffered.reduce((sum, part) => sum + part.length, 0);
            continue;
          }
          await this.flush();
        }
        if (buffered === undefined) reader.end();
        root = reader.root ?? 'other';
        if (root === 'other' && buffered === undefined) buffered = [...reader.takeBuffered()];
        children = reader.children;
        await this.flush();
      },
    });
    this.currentNamesChildren = () => false;
    if (role === 'source') {
      this.result.validators = {
        ...(result.etag ? { etag: result.etag } : {}),
        ...(result.lastModified ? { lastModified: result.lastModified } : {}),
      };
    }
    if (result.notModified) {
      if (role === 'source') this.result.notModified = true;
      return [];
    }
    if (role === 'source') {
      this.result.kind = root === 'urlset' || root === 'sitemapindex' ? 'sitemap' : 'site';
    }
    if (root === 'text') {
      if (role === 'source') this.result.kind = children.length > 0 ? 'sitemap' : 'urls';
      return children;
    }
    if (root !== 'other') return children;
    return this.readBuffered(Buffer.concat(buffered ?? []), finalUrl, contentType, role);
  }

  /** A feed or a page: the DOM-based discovery reads it; sitemaps it finds (robots.txt) come back here. */
  private async readBuffered(
    body: Buffer,
    url: string,
    contentType: string | undefined,
    role: 'source' | 'sitemap',
  ): Promise<SitemapChild[]> {
    const deferred: SitemapChild[] = [];
    const discovery = new Discovery(
      {
        ...(this.options.allowOtherSites ? { allowOtherSites: true } : {}),
        ...(this.options.onWarning ? { onWarning: this.options.onWarning } : {}),
        deferSitemaps: (urls) => deferred.push(...urls.map((child) => ({ url: child }))),
      },
      this.options.fetcher,
    );
    for (const key of this.siteKeys) discovery.addSite(`http://${key}/`);
    await discovery.process(
      { url, notModified: false, body: new Uint8Array(body), contentType },
      role === 'source' ? 'source' : 'sitemap',
      0,
    );
    const found = discovery.results;
    if (role === 'source') {
      const feed = found.some((item) => item.via === 'rss' || item.via === 'atom' || item.via === 'rdf');
      this.result.kind = feed && !looksLikePage(body) ? 'feed' : 'site';
    }
    for (const item of found) this.add(item, url, item.via);
    this.currentNamesChildren = () => deferred.length > 0;
    await this.flush();
    this.currentNamesChildren = () => false;
    return deferred;
  }
}

function looksLikePage(body: Buffer): boolean {
  return /^\s*(<\?xml[^>]*>\s*)?(<!--[\s\S]*?-->\s*)*(<!doctype html|<html[\s>])/i.test(
    body.subarray(0, 2048).toString('latin1'),
  );
}

function siteKey(hostname: string): string {
  return hostname.toLowerCase().replace(/^www\./, '');
}

/** Undoes a gzip container (a .xml.gz sitemap served as application/gzip) while streaming, with the same cap. */
async function* gunzipIfNeeded(
  chunks: AsyncIterable<Buffer>,
  maxBytes: number,
  url: string,
): AsyncIterable<Buffer> {
  const iterator = chunks[Symbol.asyncIterator]();
  const first = await iterator.next();
  if (first.done) return;
  const rest = async function* () {
    yield first.value;
    for (;;) {
      const next = await iterator.next();
      if (next.done) return;
      yield next.value;
    }
  };
  if (!isGzip(first.value)) {
    yield* rest();
    return;
  }
  const gunzip = zlib.createGunzip({ finishFlush: zlib.constants.Z_SYNC_FLUSH });
  const source = Readable.from(rest());
  source.on('error', (error) => gunzip.destroy(error));
  source.pipe(gunzip);
  let total = 0;
  try {
    for await (const chunk of gunzip as AsyncIterable<Buffer>) {
      total += chunk.length;
      if (total > maxBytes) throw tooLarge(url, maxBytes);
      yield chunk;
    }
  } catch (error) {
    if (error instanceof PipelineError) throw error;
    throw new PipelineError('DECODE_FAILED', `could not gunzip ${url}: ${(error as Error).message}`, {
      url,
      retryable: false,
    });
  } finally {
    source.destroy();
    gunzip.destroy();
  }
}

interface DocumentReader {
  root: Root | undefined;
  children: SitemapChild[];
  write(chunk: Buffer): void;
  end(): void;
  takeBuffered(): Buffer[];
}

/**
 * Finds the root element; for sitemaps (urlset, sitemapindex) parses on as the bytes come (SAX: nothing is
 * kept but the entry being read); anything else is handed back (buffered) for the DOM-based reader.
 */
class XmlSniffer implements DocumentReader {
  root: Root | undefined;
  readonly children: SitemapChild[] = [];
  private readonly decoder = new StringDecoder('utf8');
  private readonly parser: Parser;
  private readonly seen: Buffer[] = [];
  private readonly path: string[] = [];
  private entry: { loc: string; lastmod: string; published: string; news: boolean } | undefined;
  private field: 'loc' | 'lastmod' | 'published' | undefined;

  constructor(
    private readonly reader: SourceReader,
    private readonly base: string,
  ) {
    this.parser = new Parser(
      {
        onopentag: (name) => this.open(localName(name)),
        ontext: (text) => {
          if (this.entry !== undefined && this.field !== undefined) this.entry[this.field] += text;
        },
        onclosetag: (name) => this.close(localName(name)),
      },
      { xmlMode: true, decodeEntities: true },
    );
  }

  private open(name: string): void {
    this.path.push(name);
    if (this.root === undefined) {
      this.root = name === 'urlset' || name === 'sitemapindex' ? name : 'other';
      return;
    }
    const depth = this.path.length;
    if (depth === 2 && (name === 'url' || name === 'sitemap')) {
      this.entry = { loc: '', lastmod: '', published: '', news: false };
    } else if (this.entry !== undefined && depth >= 3) {
      if (name === 'news') this.entry.news = true;
      this.field =
        name === 'loc' && depth === 3
          ? 'loc'
          : name === 'lastmod' && depth === 3
            ? 'lastmod'
            : name === 'publication_date'
              ? 'published'
              : undefined;
    }
  }

  private close(name: string): void {
    this.path.pop();
    this.field = undefined;
    if (this.path.length !== 1 || this.entry === undefined || (name !== 'url' && name !== 'sitemap')) return;
    const { loc, lastmod, published, news } = this.entry;
    this.entry = undefined;
    const url = loc.trim();
    if (url === '') return;
    const modifiedAt = toIsoDate(lastmod || undefined);
    if (this.root === 'sitemapindex') {
      let child: string;
      try {
        child = canonicalizeUrl(url, this.base);
      } catch {
        return;
      }
      this.children.push({ url: child, ...(modifiedAt ? { modifiedAt } : {}) });
      return;
    }
    const publishedAt = toIsoDate(published || undefined);
    this.reader.add(
      {
        url,
        ...(modifiedAt ? { modifiedAt } : {}),
        ...(publishedAt ? { publishedAt } : {}),
      },
      this.base,
      news ? 'news-sitemap' : 'sitemap',
    );
  }

  write(chunk: Buffer): void {
    if (this.root === undefined) this.seen.push(chunk);
    this.parser.write(this.decoder.write(chunk));
    if (this.root !== 'other') this.seen.length = 0;
  }

  end(): void {
    this.parser.write(this.decoder.end());
    this.parser.end();
  }

  takeBuffered(): Buffer[] {
    return this.seen.splice(0);
  }
}

/** robots.txt (`Sitemap:` lines) and plain URL lists (one URL a line), a line at a time. */
class LineReader implements DocumentReader {
  root: Root | undefined = 'text';
  readonly children: SitemapChild[] = [];
  private readonly decoder = new StringDecoder('utf8');
  private carry = '';

  constructor(
    private readonly reader: SourceReader,
    private readonly base: string,
  ) {}

  write(chunk: Buffer): void {
    const lines = (this.carry + this.decoder.write(chunk)).split(/\r?\n/);
    this.carry = lines.pop() ?? '';
    for (const line of lines) this.line(line);
  }

  end(): void {
    this.line(this.carry + this.decoder.end());
    this.carry = '';
  }

  private line(text: string): void {
    const sitemap = /^\s*sitemap\s*:\s*(\S+)/i.exec(text);
    if (sitemap?.[1]) {
      try {
        this.children.push({ url: canonicalizeUrl(sitemap[1], this.base) });
      } catch {
        // not a URL: ignore the line
      }
      return;
    }
    const url = text.trim();
    if (/^https?:\/\//i.test(url)) this.reader.add({ url }, this.base, 'page');
  }

  takeBuffered(): Buffer[] {
    return [];
  }
}

function localName(name: string): string {
  const lower = name.toLowerCase();
  const colon = lower.indexOf(':');
  return colon === -1 ? lower : lower.slice(colon + 1);
}

/** Reads a crawl source (see the module comment); throws PipelineError when the source itself fails. */
export async function readSource(sourceUrl: string, options: SourceReadOptions): Promise<SourceReadResult> {
  const reader = new SourceReader(options);
  await reader.readSource(sourceUrl);
  return reader.result;
}
