import type { RawEntry } from './feeds.ts';
import { childElements, childText, localName, toIsoDate, type XmlDocument } from './xml.ts';

export interface SitemapEntry extends RawEntry {
  /** True when the entry carries a Google News block (news:news). */
  news: boolean;
}

export type SitemapKind = 'urlset' | 'sitemapindex';

export function sitemapKind(doc: XmlDocument): SitemapKind | undefined {
  if (doc.root === undefined) return undefined;
  const name = localName(doc.root);
  return name === 'urlset' || name === 'sitemapindex' ? name : undefined;
}

/** `<url>` entries with lastmod, and news:publication_date for Google News sitemaps. */
export function parseUrlset(doc: XmlDocument, limit: number): SitemapEntry[] {
  const root = doc.root;
  if (root === undefined) return [];
  const entries: SitemapEntry[] = [];
  for (const element of childElements(root, 'url')) {
    if (entries.length >= limit) break;
    const url = childText(element, 'loc');
    if (url === undefined) continue;
    const news = childElements(element, 'news')[0];
    entries.push({
      url,
      modifiedAt: toIsoDate(childText(element, 'lastmod')),
      publishedAt: news === undefined ? undefined : toIsoDate(childText(news, 'publication_date')),
      news: news !== undefined,
    });
  }
  return entries;
}

/** The child sitemaps of a sitemap index. */
export function parseSitemapIndex(doc: XmlDocument): RawEntry[] {
  const root = doc.root;
  if (root === undefined) return [];
  return childElements(root, 'sitemap').flatMap((element) => {
    const url = childText(element, 'loc');
    return url === undefined ? [] : [{ url, modifiedAt: toIsoDate(childText(element, 'lastmod')) }];
  });
}

/** `Sitemap:` lines of a robots.txt (the directive is not tied to any user-agent group). */
export function robotsSitemaps(robotsTxt: string): string[] {
  const found: string[] = [];
  for (const line of robotsTxt.split(/\r?\n/)) {
    const match = /^\s*sitemap\s*:\s*(\S+)/i.exec(line);
    if (match?.[1]) found.push(match[1]);
  }
  return found;
}
