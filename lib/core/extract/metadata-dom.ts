// One walk over the parsed page collects every element the metadata readers need, so they never run a CSS
// selector over the whole document (each such query costs about as much as the walk itself).
import type { AnyNode, Element } from 'domhandler';
import { attributeOf, nextInOrder } from './content-dom.ts';
import { isWhiteSpaceCode } from './letters.ts';
import type { DatedListKind } from './metadata-dateline.ts';

const BYLINE_PATTERN = /byline|author|dateline|writtenby|p-author/i;
const MAX_BYLINE_CANDIDATES = 60;
/** Links to an author's page: /author/jane-doe, /autor/…, /writers/…, ?author=12. */
export const AUTHOR_LINK =
  /\/(?:authors?|autor(?:es|en)?|autore|autori|auteurs?|writers?|contributors?|columnists?|journalists?|redakteur|profiles?|people|staff)\/[^/?#]+\/?(?:[?#]|$)|[?&]author=/i;
const MAX_AUTHOR_LINKS = 40;
const MAX_DATA_DATES = 20;
const MAX_SHORT_TEXTS = 5000;
const SHORT_TEXT_CHARS = 200;
const MAX_SAMPLE_CHARS = 5000;
const MIN_SAMPLE_TEXT_CHARS = 40;

/** A short visible text in document order, with the element that holds it. */
export interface ShortText {
  text: string;
  parent: Element;
}

export interface PageIndex {
  /** The walked tree, for the lists read only by the readers that need them (authorElements, dataDateElements). */
  root: AnyNode;
  html?: Element;
  body?: Element;
  /** The first <title> (in the head when there is one). */
  title?: Element;
  metas: Element[];
  links: Element[];
  bases: Element[];
  jsonLdScripts: Element[];
  /** h1 and h2 elements in document order. */
  headings: Element[];
  /** <time> elements with a datetime attribute. */
  times: Element[];
  /** Elements with an itemprop attribute. */
  itemprops: Element[];
  /** Short text nodes of the body in document order (for datelines and bylines near the headline). */
  texts: ShortText[];
  /** Index in `texts` of the first text after the first h1 opens; undefined without an h1. */
  headlineTextIndex?: number;
  /** The first few thousand characters of body text, for language detection. */
  sample: string;
  /** authorElements' answer once asked (most pages' authors are declared, and no reader asks). */
  authorElements: AuthorElements | undefined;
  /** dataDateElements' answer once asked. */
  dataDates: Element[] | undefined;
  /**
   * What the readers work out once per page, filled on first use (metadata-context.ts, metadata-dateline.ts). Kept
   * here, not in module-level WeakMaps keyed by the page: a young-generation collection keeps the values of an
   * old-space WeakMap alive until it finds their key dead, so every page's elements, hence its whole tree, were
   * copied once more and promoted whenever a collection fell within the page (~4x the bytes promoted).
   */
  memo: PageMemo;
}

interface PageMemo {
  /** headlineAncestors(page). */
  headlineAncestors: Set<Element> | undefined;
  /** Per parent and kind of item, what datedListKind found. */
  datedListKinds: Map<Element, Map<string, DatedListKind>> | undefined;
  /** The page's URL and its base URL (notePageUrls). */
  urls: { page: URL; base: URL } | undefined;
}

export interface AuthorElements {
  /** a[rel~=author] and elements whose class or id looks like a byline, in document order. */
  bylineCandidates: Element[];
  /** Links whose URL looks like an author's page, in document order. */
  authorLinks: Element[];
}

const VISUALLY_HIDDEN_CLASS = /(?:^|\s)(?:sr-only|visually-hidden|screen-reader-text|hidden)(?:$|\s)/;
const isVisuallyHidden = (element: Element) =>
  attributeOf(element, 'hidden') !== undefined ||
  VISUALLY_HIDDEN_CLASS.test(attributeOf(element, 'class') ?? '');

export function isElement(node: AnyNode): node is Element {
  return node.type === 'tag' || node.type === 'script' || node.type === 'style';
}

/**
 * A new list, made at this one site: an array literal makes arrays for small integers until its first object is
 * pushed, and a list filled only on rare pages (<base>, data-date attributes) would meet its first object after the
 * walk is optimized and throw the optimized code away. Arrays made here learn on the first page to hold objects.
 */
function emptyList<T>(): T[] {
  return [];
}

export function indexPage(root: AnyNode): PageIndex {
  // Every field is set here, also those a page may lack: objects that gain fields in different orders get different
  // hidden classes, and V8 throws away the walk's optimized code each time it meets a new one.
  const index: PageIndex = {
    root,
    html: undefined,
    body: undefined,
    title: undefined,
    headlineTextIndex: undefined,
    metas: emptyList(),
    links: emptyList(),
    bases: emptyList(),
    jsonLdScripts: emptyList(),
    headings: emptyList(),
    times: emptyList(),
    itemprops: emptyList(),
    texts: emptyList(),
    sample: '',
    authorElements: undefined,
    dataDates: undefined,
    memo: { headlineAncestors: undefined, datedListKinds: undefined, urls: undefined },
  };
  const sampleParts: string[] = [];
  let sampleLength = 0;
  let titleInHead: Element | undefined;
  let anyTitle: Element | undefined;
  const bases = index.bases;
  const stack: AnyNode[] = [root];
  while (stack.length > 0) {
    const node = stack.pop() as AnyNode;
    if (isElement(node)) {
      // Already lower case: the parser lower-cases tag names in HTML mode (each copy here cost ~12 % of the walk).
      const name = node.name;
      const attributes = node.attribs;
      switch (name) {
        case 'html':
          index.html ??= node;
          break;
        case 'body':
          index.body ??= node;
          break;
        case 'title':
          anyTitle ??= node;
          if (titleInHead === undefined && node.parent !== null && (node.parent as Element).name === 'head') {
            titleInHead = node;
          }
          break;
        case 'meta':
        case 'link':
        case 'base':
          // One push for the three lists: a push written out for <base> alone runs first on a rare page, after the
          // walk is optimized, and each such first run throws the optimized walk away (V8 deoptimizes it).
          (name === 'meta' ? index.metas : name === 'link' ? index.links : bases).push(node);
          break;
        case 'script':
          if (/^\s*application\/ld\+json\s*$/i.test(attributes.type ?? '')) index.jsonLdScripts.push(node);
          break;
        case 'h1':
          // A visually hidden h1 ("Search" for screen readers) is not the headline the dateline sits under.
          if (index.headlineTextIndex === undefined && !isVisuallyHidden(node))
            index.headlineTextIndex = index.texts.length;
          index.headings.push(node);
          break;
        case 'h2':
          index.headings.push(node);
          break;
        case 'time':
          if (attributeOf(node, 'datetime') !== undefined) index.times.push(node);
          break;
      }
      if (attributes.itemprop !== undefined) index.itemprops.push(node);
    } else if (node.type === 'text' && index.texts.length < MAX_SHORT_TEXTS && node.parent !== null) {
      const parent = node.parent as Element;
      const data = (node as unknown as { data: string }).data;
      let trimmed: string | undefined;
      if (
        sampleLength < MAX_SAMPLE_CHARS &&
        isElement(parent) &&
        parent.type === 'tag' &&
        parent.name !== 'title' &&
        parent.name !== 'noscript'
      ) {
        // Sentences, not menu items: only texts of some length (the language of navigation is often English).
        trimmed = data.trim();
        if (trimmed.length >= MIN_SAMPLE_TEXT_CHARS) {
          sampleParts.push(trimmed.slice(0, MAX_SAMPLE_CHARS));
          sampleLength += trimmed.length;
        }
      }
      if (data.length <= SHORT_TEXT_CHARS * 2 && isElement(parent) && parent.type === 'tag') {
        trimmed ??= data.trim();
        if (trimmed !== '' && trimmed.length <= SHORT_TEXT_CHARS) index.texts.push({ text: trimmed, parent });
      }
    }
    const children = (node as { children?: AnyNode[] }).children;
    if (children !== undefined) {
      for (let i = children.length - 1; i >= 0; i--) stack.push(children[i] as AnyNode);
    }
  }
  index.title = titleInHead ?? anyTitle;
  index.sample = sampleParts.join(' ').slice(0, MAX_SAMPLE_CHARS);
  return index;
}

/** Elements in document order, without recursion; `visit` returns true to stop. */
function forEachElement(root: AnyNode, visit: (element: Element) => boolean): void {
  const stack: AnyNode[] = [root];
  while (stack.length > 0) {
    const node = stack.pop() as AnyNode;
    if (isElement(node) && visit(node)) return;
    const children = (node as { children?: AnyNode[] }).children;
    if (children !== undefined) {
      for (let i = children.length - 1; i >= 0; i--) stack.push(children[i] as AnyNode);
    }
  }
}

/**
 * The page's byline candidates and author links, found by a walk of their own at the first ask: only the DOM author
 * readers ask, and they run on the ~40 % of pages that declare no author.
 */
export function authorElements(page: PageIndex): AuthorElements {
  if (page.authorElements !== undefined) return page.authorElements;
  const found: AuthorElements = { bylineCandidates: [], authorLinks: [] };
  const { bylineCandidates, authorLinks } = found;
  forEachElement(page.root, (element) => {
    const attributes = element.attribs;
    if (
      element.name === 'a' &&
      authorLinks.length < MAX_AUTHOR_LINKS &&
      attributes.href !== undefined &&
      AUTHOR_LINK.test(attributes.href)
    ) {
      authorLinks.push(element);
    }
    if (
      bylineCandidates.length < MAX_BYLINE_CANDIDATES &&
      ((element.name === 'a' && /\bauthor\b/i.test(attributes.rel ?? '')) ||
        // The class and the id one at a time: no match of the pattern spans the space that joined them.
        (attributes.class !== undefined && BYLINE_PATTERN.test(attributes.class)) ||
        (attributes.id !== undefined && BYLINE_PATTERN.test(attributes.id)))
    ) {
      bylineCandidates.push(element);
    }
    return authorLinks.length >= MAX_AUTHOR_LINKS && bylineCandidates.length >= MAX_BYLINE_CANDIDATES;
  });
  page.authorElements = found;
  return found;
}

/**
 * Elements with a data-*date* / data-*time* attribute holding a year (data-published, data-date, data-timestamp…),
 * found at the first ask: only the last publication-date readers ask, on pages that declare no date.
 */
export function dataDateElements(page: PageIndex): Element[] {
  if (page.dataDates !== undefined) return page.dataDates;
  const found: Element[] = [];
  forEachElement(page.root, (element) => {
    for (const key of Object.keys(element.attribs)) {
      if (
        key.startsWith('data-') &&
        /date|time|publish/.test(key) &&
        /\d{4}/.test(attributeOf(element, key) ?? '')
      ) {
        found.push(element);
        break;
      }
    }
    return found.length >= MAX_DATA_DATES;
  });
  page.dataDates = found;
  return found;
}

/** The text of a subtree, without recursion (pages can nest deeply). */
export function textOfNode(node: AnyNode | undefined, maxChars = 100_000): string {
  return textRead(node, maxChars, Number.POSITIVE_INFINITY) as string;
}

/**
 * A short element's text, as textOfNode reads it up to `maxChars`; undefined when that takes more than
 * MAX_SHORT_READ_NODES nodes (thousands of empty elements are not a label's or a byline's element, and walking them
 * again for every short text near them was quadratic).
 */
export function shortTextOfNode(node: AnyNode | undefined, maxChars: number): string | undefined {
  return textRead(node, maxChars, MAX_SHORT_READ_NODES);
}

/** Nodes (elements and texts) a short read walks at most: no page of the benchmarks comes near it. */
export const MAX_SHORT_READ_NODES = 2000;

function textRead(node: AnyNode | undefined, maxChars: number, maxNodes: number): string | undefined {
  if (node === undefined) return '';
  const parts: string[] = [];
  let length = 0;
  let nodesLeft = maxNodes;
  // A walk along the tree's own links (first child, next sibling, back up), not a stack of every child: reading
  // the first few characters of a paragraph of thousands of lines does not list all its children each time.
  let current: AnyNode | null = node;
  while (current !== null && length < maxChars) {
    if (nodesLeft-- <= 0) return undefined;
    if (current.type === 'text' || current.type === 'cdata') {
      const data = (current as unknown as { data: string }).data;
      parts.push(data);
      length += data.length;
    }
    current = nextInOrder(current, node);
  }
  return parts.join('');
}

/**
 * How long a subtree's text reads, each run of white space counted as one character and the runs at its ends not
 * at all (source indentation is not text), counted up to `maxChars + 1`: "longer than maxChars" without building it.
 */
export function visibleTextLength(node: AnyNode | undefined, maxChars: number): number {
  if (node === undefined) return 0;
  let length = 0;
  let pendingSpace = false;
  // Along the tree's links, as textOfNode: a long paragraph's children are not all listed for its first words.
  let current: AnyNode | null = node;
  while (current !== null && length <= maxChars) {
    if (current.type === 'text' || current.type === 'cdata') {
      const data = (current as unknown as { data: string }).data;
      for (let i = 0; i < data.length && length <= maxChars; i++) {
        if (isWhiteSpaceCode(data.charCodeAt(i))) {
          pendingSpace = true;
        } else {
          if (pendingSpace && length > 0) length++;
          pendingSpace = false;
          length++;
        }
      }
    }
    current = nextInOrder(current, node);
  }
  return Math.min(length, maxChars + 1);
}

/** Element ancestors, nearest first. */
export function ancestorsOf(element: Element, max = 12): Element[] {
  const result: Element[] = [];
  let current = element.parent;
  while (current !== null && result.length < max) {
    if (isElement(current)) result.push(current);
    current = current.parent;
  }
  return result;
}

/** Descendant elements (document order) matching a predicate, without recursion. */
export function findDescendant(
  element: Element,
  predicate: (candidate: Element) => boolean,
): Element | undefined {
  // Along the tree's links: a search that stops at the first match does not list every child on its way.
  for (let node = nextInOrder(element, element); node !== null; node = nextInOrder(node, element))
    if (isElement(node) && predicate(node)) return node;
  return undefined;
}

/** How many descendant elements match a predicate, counted up to `max`. */
export function descendantsWhere(
  element: Element,
  predicate: (candidate: Element) => boolean,
  max: number,
): number {
  let count = 0;
  const stack: AnyNode[] = [...element.children].reverse();
  while (stack.length > 0 && count < max) {
    const node = stack.pop() as AnyNode;
    if (isElement(node)) {
      if (predicate(node)) count++;
      for (let i = node.children.length - 1; i >= 0; i--) stack.push(node.children[i] as AnyNode);
    }
  }
  return count;
}

/**
 * Whether a space-separated list (rel, itemprop) holds the token, letter case aside: a token without white space,
 * found between white space or the value's ends (no list of tokens built: every <link> and itemprop is asked).
 */
export function hasToken(value: string | undefined, token: string): boolean {
  if (value === undefined) return false;
  const list = value.toLowerCase();
  const wanted = token.toLowerCase();
  // An empty token is an empty piece of the list: an empty list, or white space at one of its ends.
  if (wanted === '')
    return (
      list === '' ||
      isWhiteSpaceCode(list.charCodeAt(0)) ||
      isWhiteSpaceCode(list.charCodeAt(list.length - 1))
    );
  for (let at = list.indexOf(wanted); at !== -1; at = list.indexOf(wanted, at + 1)) {
    const end = at + wanted.length;
    if (
      (at === 0 || isWhiteSpaceCode(list.charCodeAt(at - 1))) &&
      (end === list.length || isWhiteSpaceCode(list.charCodeAt(end)))
    ) {
      return true;
    }
  }
  return false;
}
