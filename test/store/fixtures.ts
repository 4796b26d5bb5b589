import { ARTICLE_SCHEMA_VERSION, type Article } from '../../lib/core/article.ts';
import { sha256Hex } from '../../lib/core/hash.ts';
import { articleIdForUrl, canonicalizeUrl } from '../../lib/core/url.ts';
import type { RawPage } from '../../lib/store/types.ts';

/** A valid Article for store tests; the content text decides the contentHash, as in the extractor. */
export function makeArticle(options: {
  url: string;
  text?: string;
  title?: string;
  publishedAt?: string;
  extractedAt?: string;
}): Article {
  const url = canonicalizeUrl(options.url);
  const text = options.text ?? `The body of ${url}.\n\nA second paragraph.`;
  const domain = new URL(url).hostname.replace(/^www\./, '');
  return {
    schemaVersion: ARTICLE_SCHEMA_VERSION,
    id: articleIdForUrl(url),
    url,
    sourceUrl: url,
    site: { domain, name: 'Test Gazette' },
    title: options.title ?? `Title of ${new URL(url).pathname}`,
    authors: ['Ada Writer'],
    ...(options.publishedAt ? { publishedAt: options.publishedAt } : {}),
    language: 'en',
    tags: ['test'],
    content: {
      html: text
        .split('\n\n')
        .map((paragraph) => `<p>${paragraph}</p>`)
        .join(''),
      text,
      wordCount: text.split(/\s+/).filter(Boolean).length,
    },
    contentHash: sha256Hex(text),
    extractedAt: options.extractedAt ?? new Date().toISOString(),
    metadataSources: { title: 'dom' },
    extractor: { name: 'test', version: '0' },
  };
}

/** The fetched page of an article; `fetchedAt` is now unless given (racing workers that fetched at once). */
export function makeRaw(article: Article, html?: string, fetchedAt?: string): RawPage {
  const body =
    html ?? `<html><head><title>${article.title}</title></head><body>${article.content.html}</body></html>`;
  return {
    url: article.sourceUrl,
    finalUrl: article.url,
    status: 200,
    contentType: 'text/html; charset=utf-8',
    charset: 'utf-8',
    body: new TextEncoder().encode(body),
    fetchedAt: fetchedAt ?? new Date().toISOString(),
    etag: '"abc123"',
    lastModified: 'Wed, 01 May 2024 09:30:00 GMT',
  };
}

/** A clock the test moves by hand. */
export function manualClock(start: string): {
  now: () => Date;
  set(iso: string): void;
  advance(ms: number): void;
} {
  let current = new Date(start).getTime();
  return {
    now: () => new Date(current),
    set: (iso) => {
      current = new Date(iso).getTime();
    },
    advance: (ms) => {
      current += ms;
    },
  };
}
