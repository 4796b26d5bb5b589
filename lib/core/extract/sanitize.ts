// Serializes the chosen content as sanitized HTML. Sanitizing while serializing (an allowlist of tags and
// attributes) means nothing unsafe can slip through a mutation we forgot, and the explicit stack keeps deep
// trees from overflowing the call stack (dom-serializer recurses).
import type { AnyNode, Element } from 'domhandler';
import { NON_CONTENT_TAGS } from './boilerplate.ts';
import { hasChildren, isElement } from './content-dom.ts';

/** Dropped with everything inside them: never content, plus the parts of <head> and of form controls. */
const DROP_WITH_CONTENT: ReadonlySet<string> = new Set([
  ...NON_CONTENT_TAGS,
  'head',
  'title',
  'optgroup',
  'datalist',
  'param',
]);

/** Kept as elements; anything else (form, font, span, custom elements ...) is unwrapped: its children stay. */
const ALLOWED_TAGS = new Set([
  'a',
  'abbr',
  'article',
  'b',
  'bdi',
  'bdo',
  'blockquote',
  'br',
  'caption',
  'cite',
  'code',
  'col',
  'colgroup',
  'dd',
  'del',
  'details',
  'dfn',
  'div',
  'dl',
  'dt',
  'em',
  'figcaption',
  'figure',
  'h1',
  'h2',
  'h3',
  'h4',
  'h5',
  'h6',
  'hr',
  'i',
  'img',
  'ins',
  'kbd',
  'li',
  'mark',
  'ol',
  'p',
  'pre',
  'q',
  's',
  'samp',
  'section',
  'small',
  'strong',
  'sub',
  'summary',
  'sup',
  'table',
  'tbody',
  'td',
  'tfoot',
  'th',
  'thead',
  'time',
  'tr',
  'u',
  'ul',
  'var',
  'wbr',
]);

const VOID_TAGS = new Set(['br', 'col', 'hr', 'img', 'wbr']);

const GLOBAL_ATTRIBUTES = new Set(['lang', 'dir', 'title']);
const TAG_ATTRIBUTES: Record<string, Set<string>> = {
  a: new Set(['href']),
  img: new Set(['src', 'alt', 'width', 'height']),
  td: new Set(['colspan', 'rowspan', 'headers', 'scope']),
  th: new Set(['colspan', 'rowspan', 'headers', 'scope']),
  col: new Set(['span']),
  colgroup: new Set(['span']),
  time: new Set(['datetime']),
  blockquote: new Set(['cite']),
  q: new Set(['cite']),
  del: new Set(['cite', 'datetime']),
  ins: new Set(['cite', 'datetime']),
  ol: new Set(['start', 'reversed', 'type']),
  li: new Set(['value']),
};
const URL_ATTRIBUTES = new Set(['href', 'src', 'cite']);
const SAFE_PROTOCOLS = new Set(['http:', 'https:', 'mailto:', 'tel:']);

/** Attributes lazy-loading scripts read the real image from, in order of preference. */
const LAZY_SRC_ATTRIBUTES = [
  'data-src',
  'data-lazy-src',
  'data-original',
  'data-lazy',
  'data-url',
  'data-hi-res-src',
];
const LAZY_SRCSET_ATTRIBUTES = ['data-srcset', 'data-lazy-srcset', 'srcset'];
const PLACEHOLDER_SRC =
  /^data:|blank\.(gif|png)|placeholder|spacer|transparent|1x1|pixel\.(gif|png)|lazy[-_]?load|loading\.(gif|svg)/i;

export interface SanitizeOptions {
  /** Base for relative URLs: <base href> resolved against the page URL, or the page URL. */
  baseUrl: URL;
  /** Subtrees to leave out (boilerplate already judged). */
  skip?: (element: Element) => boolean;
  /** Loose text runs to leave out (content-prune's excludeLooseBoilerplate). */
  skipText?: (node: AnyNode) => boolean;
}

const EXIT = Symbol('exit');
type Frame = AnyNode | { [EXIT]: string };

export function sanitizeToHtml(nodes: readonly AnyNode[], options: SanitizeOptions): string {
  const out: string[] = [];
  let preDepth = 0;
  const stack: Frame[] = [];
  for (let i = nodes.length - 1; i >= 0; i--) stack.push(nodes[i]!);
  while (stack.length > 0) {
    const frame = stack.pop()!;
    if (EXIT in frame) {
      if (frame[EXIT] === 'pre') preDepth--;
      out.push(`</${frame[EXIT]}>`);
      continue;
    }
    const node = frame;
    if (node.type === 'text') {
      if (options.skipText?.(node)) continue;
      const data = (node as { data: string }).data;
      // Indentation between tags (left behind by removed furniture) shrinks to one separator; <pre> keeps all.
      if (preDepth === 0 && /^[\s]+$/.test(data)) out.push(data.includes('\n') ? '\n' : ' ');
      else out.push(escapeText(data));
      continue;
    }
    if (!isElement(node)) continue; // comments, CDATA, directives
    const name = node.name.toLowerCase();
    if (DROP_WITH_CONTENT.has(name) || options.skip?.(node)) continue;
    if (name === 'img') {
      const img = renderImage(node, options.baseUrl) ?? noscriptFallback(node, options.baseUrl);
      if (img) out.push(img);
      continue;
    }
    if (name === 'picture') {
      // A <picture> keeps only its <img>, with the best source resolved.
      const img = node.children.find((child) => isElement(child) && child.name === 'img') as
        | Element
        | undefined;
      const rendered = img ? renderImage(img, options.baseUrl, pictureSrcset(node)) : undefined;
      if (rendered) out.push(rendered);
      continue;
    }
    const allowed = ALLOWED_TAGS.has(name);
    if (allowed) {
      out.push(`<${name}${renderAttributes(node, name, options.baseUrl)}>`);
      if (VOID_TAGS.has(name)) continue;
      if (name === 'pre') preDepth++;
      stack.push({ [EXIT]: name });
    }
    if (hasChildren(node)) {
      const children = node.children;
      for (let i = children.length - 1; i >= 0; i--) stack.push(children[i]!);
    }
  }
  return out.join('');
}

function renderAttributes(element: Element, name: string, baseUrl: URL): string {
  const allowed = TAG_ATTRIBUTES[name];
  let out = '';
  for (const [key, value] of Object.entries(element.attribs)) {
    const attribute = key.toLowerCase();
    if (!GLOBAL_ATTRIBUTES.has(attribute) && !allowed?.has(attribute)) continue;
    let finalValue: string | undefined = value;
    if (URL_ATTRIBUTES.has(attribute)) finalValue = safeUrl(value, baseUrl);
    if (finalValue === undefined) continue;
    out += ` ${attribute}="${escapeAttribute(finalValue)}"`;
  }
  return out;
}

function renderImage(img: Element, baseUrl: URL, extraSrcset?: string): string | undefined {
  const src = imageSource(img, extraSrcset);
  const url = src ? safeUrl(src, baseUrl, true) : undefined;
  if (!url) return undefined;
  let out = `<img src="${escapeAttribute(url)}"`;
  for (const attribute of ['alt', 'title', 'width', 'height']) {
    const value = img.attribs[attribute];
    if (value !== undefined) out += ` ${attribute}="${escapeAttribute(value)}"`;
  }
  return `${out}>`;
}

/**
 * A lazy image with nothing but a placeholder is often followed by <noscript><img src="real"></noscript> for
 * readers without scripts: that image stands in for it. (Only htmlparser2 gives <noscript> children as elements.)
 */
function noscriptFallback(img: Element, baseUrl: URL): string | undefined {
  let next = img.next;
  while (next && next.type === 'text' && /^\s*$/.test((next as { data: string }).data)) next = next.next;
  if (!next || !isElement(next) || next.name !== 'noscript') return undefined;
  const fallback = next.children.find((child): child is Element => isElement(child) && child.name === 'img');
  return fallback ? renderImage(fallback, baseUrl) : undefined;
}

/** The real image URL: src unless it is a lazy-loading placeholder, then data-src and kin, then srcset. */
export function imageSource(img: Element, extraSrcset?: string): string | undefined {
  const attribs = img.attribs;
  const src = attribs.src?.trim();
  if (src && !PLACEHOLDER_SRC.test(src)) return src;
  for (const attribute of LAZY_SRC_ATTRIBUTES) {
    const value = attribs[attribute]?.trim();
    if (value && !PLACEHOLDER_SRC.test(value)) return value;
  }
  for (const attribute of LAZY_SRCSET_ATTRIBUTES) {
    const best = bestFromSrcset(attribs[attribute]);
    if (best) return best;
  }
  const fromPicture = bestFromSrcset(extraSrcset);
  if (fromPicture) return fromPicture;
  return undefined;
}

function pictureSrcset(picture: Element): string | undefined {
  for (const child of picture.children) {
    if (isElement(child) && child.name === 'source') {
      const value = child.attribs.srcset ?? child.attribs['data-srcset'];
      if (value) return value;
    }
  }
  return undefined;
}

/** The widest (or densest) candidate of a srcset; the first one when no descriptors are given. */
export function bestFromSrcset(srcset: string | undefined): string | undefined {
  if (!srcset) return undefined;
  let best: string | undefined;
  let bestSize = -1;
  // Candidates are separated by commas followed by whitespace (URLs may contain bare commas).
  for (const candidate of srcset.split(/,\s+/)) {
    const [url, descriptor] = candidate.trim().split(/\s+/);
    if (!url || PLACEHOLDER_SRC.test(url)) continue;
    const size = descriptor ? Number.parseFloat(descriptor) : 1;
    const weighted = descriptor?.endsWith('x') ? size * 1000 : size;
    if (Number.isFinite(weighted) && weighted > bestSize) {
      best = url;
      bestSize = weighted;
    }
  }
  return best;
}

/** An absolute URL with a safe scheme, or undefined (javascript:, vbscript:, data: ... are dropped). */
export function safeUrl(value: string, baseUrl: URL, isImage = false): string | undefined {
  // Browsers strip control characters and whitespace inside URLs before parsing; do the same before checking.
  const trimmed = value.replace(/[\u0000-\u0020]+/g, (match, offset: number) =>
    offset === 0 || offset + match.length === value.length ? '' : match.replace(/[\t\n\r]/g, ''),
  );
  if (trimmed.length === 0) return undefined;
  let url: URL;
  try {
    url = new URL(trimmed, baseUrl);
  } catch {
    return undefined;
  }
  if (!SAFE_PROTOCOLS.has(url.protocol)) return undefined;
  if (isImage && url.protocol !== 'http:' && url.protocol !== 'https:') return undefined;
  return url.href;
}

function escapeText(text: string): string {
  return text.replace(/[&<>\u00a0]/g, (char) =>
    char === '&' ? '&amp;' : char === '<' ? '&lt;' : char === '>' ? '&gt;' : '&nbsp;',
  );
}

function escapeAttribute(value: string): string {
  return value.replace(/[&"<>]/g, (char) =>
    char === '&' ? '&amp;' : char === '"' ? '&quot;' : char === '<' ? '&lt;' : '&gt;',
  );
}
