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

function rssItem(doc: XmlDocument, item: XmlElement): RawEntry | undefined {
  // FeedBurner rewrites links through its tracker and keeps the original here.
  const original = childText(doc, item, 'origlink');
  const link = childElements(doc, item, 'link').find((element) => element.name.toLowerCase() === 'link');
  const linkText = link === undefined ? undefined : textOf(link).trim() || undefined;
  const atomLink = childElements(doc, item, 'link')
    .map((element) => element.attribs.href)
    .find((href) => href !== undefined && href !== '');
  const guidElement = childElements(doc, item, 'guid')[0];
  const guid =
    guidElement !== undefined && guidElement.attribs.ispermalink?.toLowerCase() !== 'false'
      ? textOf(guidElement).trim()
      : undefined;
  const url = original ?? linkText ?? atomLink ?? (looksLikeUrl(guid) ? guid : undefined);
  if (url === undefined) return undefined;
  return {
    url,
    publishedAt: toIsoDate(childText(doc, item, 'pubdate') ?? childText(doc, item, 'date', 'dc')),
    modifiedAt: toIsoDate(childText(doc, item, 'updated') ?? childText(doc, item, 'modified')),
  };
}

function atomEntry(doc: XmlDocument, entry: XmlElement): RawEntry | undefined {
  const links = childElements(doc, entry, 'link');
  const alternate =
    links.find(
      (link) => (link.attribs.rel ?? 'alternate').toLowerCase() === 'alternate' && link.attribs.href,
    ) ?? undefined;
  const url = alternate?.attribs.href?.trim();
  if (!url) return undefined;
  return {
    url,
    publishedAt: toIsoDate(childText(doc, entry, 'published') ?? childText(doc, entry, 'issued')),
    modifiedAt: toIsoDate(childText(doc, entry, 'updated') ?? childText(doc, entry, 'modified')),
  };
}

function rdfItem(doc: XmlDocument, item: XmlElement): RawEntry | undefined {
  const url = childText(doc, item, 'link') ?? item.attribs['rdf:about'] ?? item.attribs.about;
  if (!url) return undefined;
  return {
    url,
    publishedAt: toIsoDate(childText(doc, item, 'date')),
    modifiedAt: toIsoDate(childText(doc, item, 'modified')),
  };
}

/** The entries of an RSS 2.0, Atom or RDF (RSS 1.0) feed, in document order. */
export function parseFeed(doc: XmlDocument, kind: FeedKind): RawEntry[] {
  const root = doc.root;
  if (root === undefined) return [];
  const entries: Array<RawEntry | undefined> =
    kind === 'atom'
      ? childElements(doc, root, 'entry').map((entry) => atomEntry(doc, entry))
      : kind === 'rdf'
        ? descendants(doc, root, 'item').map((item) => rdfItem(doc, item))
        : descendants(doc, root, 'item').map((item) => rssItem(doc, item));
  return entries.filter((entry): entry is RawEntry => entry !== undefined);
}
