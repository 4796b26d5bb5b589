import { Parser } from 'htmlparser2';

const FEED_TYPES = new Set([
  'application/rss+xml',
  'application/atom+xml',
  'application/rdf+xml',
  'application/xml',
  'text/xml',
]);

/** A `<link>` start tag; `[^<>]` keeps every attempt short, so the scan is linear on any input. */
const LINK_TAG = /<link\b[^<>]*>/gi;

/** Feed URLs announced by `<link rel="alternate" type="application/rss+xml|atom+xml" href>` (raw, in order). */
export function findFeedLinks(html: string): string[] {
  // Only the <link> tags are parsed, not the page: a hostile page of deeply nested elements takes the DOM
  // builder minutes (a million `<x/>` took ten), and a DOM of it would not fit in a small Lambda anyway.
  const tags = html.replace(/<!--[\s\S]*?-->/g, '').match(LINK_TAG) ?? [];
  const links: string[] = [];
  const parser = new Parser({
    onopentag(name, attributes) {
      if (name !== 'link' || attributes.rel === undefined || attributes.href === undefined) return;
      const rel = attributes.rel.toLowerCase().split(/\s+/);
      const type = (attributes.type ?? '').toLowerCase().split(';')[0]?.trim() ?? '';
      const href = attributes.href.trim();
      if (rel.includes('alternate') && FEED_TYPES.has(type) && href) links.push(href);
    },
  });
  parser.end(tags.join(''));
  return links;
}

/** True when the text is an HTML document rather than XML. */
export function looksLikeHtmlDocument(text: string): boolean {
  const head = text.slice(0, 2048).trimStart().toLowerCase();
  return /^(<\?xml[^>]*>\s*)?(<!--[\s\S]*?-->\s*)*(<!doctype html|<html[\s>])/.test(head);
}
