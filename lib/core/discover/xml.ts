import { parseDocument } from 'htmlparser2';
import { PipelineError } from '../errors.ts';

type DomNode = ReturnType<typeof parseDocument>['children'][number];
/** A DOM element as htmlparser2's XML mode produces it (domhandler's Element). */
export type XmlElement = Extract<DomNode, { attribs: Record<string, string> }>;

export interface XmlDocument {
  root: XmlElement | undefined;
}

/**
 * Most tags a feed, sitemap or page is parsed with. A real 50,000-URL sitemap has about 500,000; a DOM node costs
 * a few hundred bytes, so 20 MiB of `<x/>` (5 million elements) would exhaust a 512 MB Lambda, and in HTML, where
 * such tags nest, parsing them takes minutes.
 */
export const MAX_TAGS = 1_000_000;

/** Throws TOO_LARGE when the text has more than MAX_TAGS tags; counts `<` without building anything. */
export function checkTagCount(text: string, url: string): void {
  let count = 0;
  for (let index = text.indexOf('<'); index !== -1; index = text.indexOf('<', index + 1)) {
    if (++count > MAX_TAGS) {
      throw new PipelineError('TOO_LARGE', `${url} has more than ${MAX_TAGS} tags; it is not parsed`, {
        url,
        maxTags: MAX_TAGS,
        retryable: false,
      });
    }
  }
}

/**
 * Parses XML tolerantly (htmlparser2 in XML mode never throws; malformed input yields a partial tree), with no
 * cheerio: the crawl function parses feeds and sitemaps only, and cheerio with its selector engine is ~45 KB of it.
 */
export function parseXml(text: string): XmlDocument {
  const document = parseDocument(text, { xmlMode: true });
  return { root: document.children.find(isElement) };
}

/** Lowercase element name without its namespace prefix: `news:publication_date` → `publication_date`. */
export function localName(element: XmlElement): string {
  const name = element.name.toLowerCase();
  const colon = name.indexOf(':');
  return colon === -1 ? name : name.slice(colon + 1);
}

export function prefixOf(element: XmlElement): string {
  const colon = element.name.indexOf(':');
  return colon === -1 ? '' : element.name.slice(0, colon).toLowerCase();
}

/** Walks the DOM directly: wrapping every node in a cheerio selection is ten times slower on big sitemaps. */
export function childElements(element: XmlElement, name?: string): XmlElement[] {
  const children: XmlElement[] = [];
  for (const child of element.children) {
    if (!isElement(child)) continue;
    if (name === undefined || localName(child) === name) children.push(child);
  }
  return children;
}

function isElement(node: DomNode | XmlElement['children'][number]): node is XmlElement {
  return 'name' in node && 'attribs' in node;
}

/** Text of an element and its descendants (CDATA included). */
export function textOf(node: XmlElement['children'][number] | XmlElement): string {
  if ('data' in node && node.type !== 'comment' && node.type !== 'directive') return node.data;
  if (!('children' in node)) return '';
  let text = '';
  for (const child of node.children) text += textOf(child);
  return text;
}

/** Trimmed text of the first child with that local name (optionally with that prefix), or undefined. */
export function childText(element: XmlElement, name: string, prefix?: string): string | undefined {
  const child = childElements(element, name).find(
    (candidate) => prefix === undefined || prefixOf(candidate) === prefix,
  );
  if (child === undefined) return undefined;
  const text = textOf(child).trim();
  return text === '' ? undefined : text;
}

/** Every descendant with that local name, in document order (nested ones included). */
export function descendants(element: XmlElement, name: string): XmlElement[] {
  const found: XmlElement[] = [];
  const walk = (node: XmlElement) => {
    for (const child of childElements(node)) {
      if (localName(child) === name) found.push(child);
      // Recurse into matches too: an unclosed <item> swallows the next one in a tolerant parse.
      walk(child);
    }
  };
  walk(element);
  return found;
}

/** A date as an ISO 8601 UTC timestamp with milliseconds, or undefined when it cannot be read. */
export function toIsoDate(text: string | undefined): string | undefined {
  if (text === undefined) return undefined;
  const time = Date.parse(text.trim());
  if (Number.isNaN(time)) return undefined;
  const date = new Date(time);
  // Years outside 1970..2200 are typos or placeholders, not publication dates.
  if (date.getUTCFullYear() < 1970 || date.getUTCFullYear() > 2200) return undefined;
  return date.toISOString();
}
