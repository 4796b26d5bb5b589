import {
  childElements,
  childText,
  descendants,
  localName,
  textOf,
  toIsoDate,
  type XmlDocument,
  type XmlElement,
} from './xml.ts';

export type FeedKind = 'rss' | 'atom' | 'rdf';

/** One entry as the document gives it; the URL is raw (resolved and canonicalized by the caller). */
export interface RawEntry {
  url: string;
  publishedAt?: string;
  modifiedAt?: string;
}

export function feedKind(doc: XmlDocument): FeedKind | undefined {
  if (doc.root === undefined) return undefined;
  const name = localName(doc.root);
  if (name === 'rss') return 'rss';
  if (name === 'feed') return 'atom';
  if (name === 'rdf') return 'rdf';
  return undefined;
}

function looksLikeUrl(text: string | undefined): text is string {
  return text !== undefined && /^(https?:)?\/\//i.test(text);
}

function rssItem(item: XmlElement): RawEntry | undefined {
  // FeedBurner rewrites links through its tracker and keeps the original here.
  const original = childText(item, 'origlink');
  const link = childElements(item, 'link').find((element) => element.name.toLowerCase() === 'link');
  const linkText = link === undefined ? undefined : textOf(link).trim() || undefined;
  const atomLink = childElements(item, 'link')
    .map((element) => element.attribs.href)
    .find((href) => href !== undefined && href !== '');
  const guidElement = childElements(item, 'guid')[0];
  const guid =
    guidElement !== undefined && guidElement.attribs.ispermalink?.toLowerCase() !== 'false'
      ? textOf(guidElement).trim()
      : undefined;
  const url = original ?? linkText ?? atomLink ?? (looksLikeUrl(guid) ? guid : undefined);
  if (url === undefined) return undefined;
  return {
    url,
    publishedAt: toIsoDate(childText(item, 'pubdate') ?? childText(item, 'date', 'dc')),
    modifiedAt: toIsoDate(childText(item, 'updated') ?? childText(item, 'modified')),
  };
}

function atomEntry(entry: XmlElement): RawEntry | undefined {
  const links = childElements(entry, 'link');
  const alternate =
    links.find(
      (link) => (link.attribs.rel ?? 'alternate').toLowerCase() === 'alternate' && link.attribs.href,
    ) ?? undefined;
  const url = alternate?.attribs.href?.trim();
  if (!url) return undefined;
  return {
    url,
    publishedAt: toIsoDate(childText(entry, 'published') ?? childText(entry, 'issued')),
    modifiedAt: toIsoDate(childText(entry, 'updated') ?? childText(entry, 'modified')),
  };
}

function rdfItem(item: XmlElement): RawEntry | undefined {
  const url = childText(item, 'link') ?? item.attribs['rdf:about'] ?? item.attribs.about;
  if (!url) return undefined;
  return {
    url,
    publishedAt: toIsoDate(childText(item, 'date')),
    modifiedAt: toIsoDate(childText(item, 'modified')),
  };
}

/** The entries of an RSS 2.0, Atom or RDF (RSS 1.0) feed, in document order. */
export function parseFeed(doc: XmlDocument, kind: FeedKind): RawEntry[] {
  const root = doc.root;
  if (root === undefined) return [];
  const entries: Array<RawEntry | undefined> =
    kind === 'atom'
      ? childElements(root, 'entry').map((entry) => atomEntry(entry))
      : kind === 'rdf'
        ? descendants(root, 'item').map((item) => rdfItem(item))
        : descendants(root, 'item').map((item) => rssItem(item));
  return entries.filter((entry): entry is RawEntry => entry !== undefined);
}
