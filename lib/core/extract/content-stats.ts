// Main-content statistics: text lengths and counts per element, computed bottom-up in one pass, and the small
// readers of elements (semantic class, block text, captions) every stage shares.
import type { AnyNode, Element } from 'domhandler';
import { resolveDocumentBase } from '../url.ts';
import {
  ARTICLE_BODY_ITEMPROP,
  BLOCK_CHILD_TAGS,
  CAPTION_TOKEN,
  EMBEDDED_POST,
  FORM_CONTROL_TAGS,
  GATED_STORY_MIN_PARAGRAPHS,
  MAX_BLOCK_ELEMENTS,
  MAX_CLASS_CHARS,
  NON_CONTENT_TAGS,
  NOSCRIPT_PAGE_MIN_RATIO,
  PAYWALL_CLASS,
  SECTION_SIBLINGS,
  TOGGLE_INPUT,
  UTILITY_CLASS_TOKEN,
} from './boilerplate.ts';
import {
  attributeOf,
  countCommas,
  elementsInOrder,
  findFirst,
  hasChildren,
  isElement,
  visibleLength,
} from './content-dom.ts';
import { toPlainText } from './text.ts';

export interface Stats {
  text: number;
  link: number;
  commas: number;
  directText: number;
  directCommas: number;
  hasBlockChild: boolean;
  p: number;
  img: number;
  li: number;
  input: number;
  embed: number;
  headingText: number;
  listText: number;
  embeddedPosts: number;
  /** Text inside <p> elements. */
  paragraphText: number;
  /** Elements in the subtree, itself included: bounds the cost of reading a block's text. */
  elements: number;
  /** <th>, <caption> and <thead> elements: the marks of a data table. */
  tableHeaders: number;
}

/** Whether an element lies inside one of the given (already chosen) blocks. */
export function isInside(element: Element, blocks: readonly Element[]): boolean {
  for (let node = element.parent; node; node = node.parent) if (blocks.includes(node as Element)) return true;
  return false;
}

/** A box classed as the paywall that holds paragraphs of its own: the story behind the paywall, not its prompt. */
export function isGatedStory(element: Element): boolean {
  if (!PAYWALL_CLASS.test(`${semanticClass(element)} ${element.attribs.id ?? ''}`)) return false;
  let paragraphs = 0;
  for (let child = element.firstChild; child; child = child.next) {
    if (isElement(child) && child.name === 'p' && ++paragraphs >= GATED_STORY_MIN_PARAGRAPHS) return true;
  }
  return false;
}

/** Captions describe pictures: kept in the html, but they are not body text. */
export function isCaption(element: Element): boolean {
  if (element.name === 'figcaption') return true;
  const className = semanticClass(element);
  return className !== '' && CAPTION_TOKEN.test(className);
}

/** Unlinked text of the page with never-content tags left out: what the furniture guard compares with. */
export interface PageText {
  bodyText: number;
  /** <noscript> elements that hold the page (the page as served to readers without scripts). */
  unwrapped: Set<Element>;
}

/**
 * Visible text outside links under `root` (never-content tags skipped), stopping once it exceeds `stopAbove`.
 * Link text is left out so that a menu is never mistaken for the page.
 */
function unlinkedText(root: AnyNode, stopAbove = Number.POSITIVE_INFINITY, noscript?: Element[]): number {
  let total = 0;
  const stack: AnyNode[] = [root];
  while (stack.length > 0 && total <= stopAbove) {
    const node = stack.pop()!;
    if (node.type === 'text') {
      total += visibleLength(node.data);
      continue;
    }
    if (isElement(node) && node !== root) {
      if (node.name === 'a') continue;
      if (node.name === 'noscript' && noscript) {
        noscript.push(node);
        continue;
      }
      if (NON_CONTENT_TAGS.has(node.name)) continue;
    }
    if (hasChildren(node)) for (let i = node.children.length - 1; i >= 0; i--) stack.push(node.children[i]!);
  }
  return total;
}

export function unlinkedTextExceeds(element: Element, limit: number): boolean {
  return unlinkedText(element, limit) > limit;
}

export function measurePage(body: AnyNode): PageText {
  const noscripts: Element[] = [];
  const outside = unlinkedText(body, Number.POSITIVE_INFINITY, noscripts);
  // Pages rendered by scripts often serve their text to script-less readers inside <noscript>; when that is
  // where nearly all the text is (as markup, not as escaped text), it is the page.
  const parsed = noscripts.filter((element) => element.children.some((child) => isElement(child)));
  let inside = 0;
  for (const element of parsed) inside += unlinkedText(element);
  const unwrapped = new Set<Element>(inside > outside * NOSCRIPT_PAGE_MIN_RATIO ? parsed : []);
  return { bodyText: outside + (unwrapped.size > 0 ? inside : 0), unwrapped };
}

/**
 * The <body>, or with broken markup that opens several (htmlparser2 keeps each), the one holding the most
 * elements: a stray early "<body>" may hold only a script. `elements`: the root's elements in document order.
 */
export function mainBody(root: AnyNode, elements: readonly Element[] = elementsInOrder(root)): AnyNode {
  const bodies = elements.filter((element) => element.name === 'body');
  if (bodies.length <= 1) return bodies[0] ?? root;
  let best = bodies[0]!;
  let bestSize = -1;
  for (const body of bodies) {
    const size = elementsInOrder(body).length;
    if (size > bestSize) {
      best = body;
      bestSize = size;
    }
  }
  return best;
}

/** Microdata saying "this is the article body" outweighs any class name on the same element. */
export function isMarkedArticleBody(element: Element): boolean {
  const itemprop = element.attribs.itemprop;
  return itemprop !== undefined && ARTICLE_BODY_ITEMPROP.test(itemprop);
}

/**
 * The class attribute without utility tokens: "lg:hidden" or "[&_figcaption]:mt-xs" style an element, they do
 * not say what it is, so no class rule may read them. Capped: a hostile megabyte-long class must not cost time.
 * Not cached: a module-level WeakMap of the answers kept each page's elements alive through young-generation
 * collections (see PageIndex.memo) and cost more than the two pattern tests it saved.
 */
export function semanticClass(element: Element): string {
  const raw = element.attribs.class;
  // Most elements have no class.
  if (!raw) return '';
  const capped = raw.slice(0, MAX_CLASS_CHARS);
  // Usually no token is a utility one and the tokens are single-spaced already: then the value is the attribute.
  if (UTILITY_CLASS_TOKEN.test(capped)) {
    return capped
      .split(/\s+/)
      .filter((token) => token !== '' && !UTILITY_CLASS_TOKEN.test(token))
      .join(' ');
  }
  return SINGLE_SPACED_TOKENS.test(capped) ? capped : capped.trim().split(/\s+/).join(' ');
}
const SINGLE_SPACED_TOKENS = /^\S+(?: \S+)*$/;

/** Text lengths and counts for every kept element, bottom-up in one pass (no repeated .text()). */
export function computeStats(roots: readonly AnyNode[], excluded: Set<Element>): Map<Element, Stats> {
  return statsInOrder(keptInOrder(roots, excluded));
}

/** The elements of the roots' subtrees in document order, excluded subtrees left out (the roots themselves kept). */
export function keptInOrder(roots: readonly AnyNode[], excluded: Set<Element>): Element[] {
  const skip = (element: Element) => excluded.has(element);
  if (roots.length === 1) return elementsInOrder(roots[0]!, skip);
  const order: Element[] = [];
  for (const root of roots) for (const element of elementsInOrder(root, skip)) order.push(element);
  return order;
}

/** computeStats over a list keptInOrder gave (children after their parent, so read back to front). */
export function statsInOrder(order: readonly Element[]): Map<Element, Stats> {
  const stats = new Map<Element, Stats>();
  for (let i = order.length - 1; i >= 0; i--) {
    const element = order[i]!;
    const s: Stats = {
      text: 0,
      link: 0,
      commas: 0,
      directText: 0,
      directCommas: 0,
      hasBlockChild: false,
      p: 0,
      img: 0,
      li: 0,
      input: 0,
      embed: 0,
      headingText: 0,
      listText: 0,
      embeddedPosts: 0,
      paragraphText: 0,
      elements: 1,
      tableHeaders: 0,
    };
    for (const child of element.children) {
      if (child.type === 'text') {
        const data = child.data;
        const length = visibleLength(data);
        if (length > 0) {
          // Adjacent text runs are separated by a space in the collapsed text.
          s.text += length + (s.text > 0 ? 1 : 0);
          s.directText += length;
          const commas = countCommas(data);
          s.commas += commas;
          s.directCommas += commas;
        }
        continue;
      }
      if (!isElement(child)) continue;
      const c = stats.get(child);
      if (!c) {
        // Excluded; form controls still tell that their container is a form (Readability's input count), but
        // not a toggle: the checkbox of a checklist item, or the hidden checkbox of a CSS-only tab or accordion.
        if (FORM_CONTROL_TAGS.has(child.name) && !isToggle(child, element)) s.input++;
        continue;
      }
      // Empty blocks (clearfix divs, spacers) do not make their parent a container.
      if (BLOCK_CHILD_TAGS.has(child.name) && (c.text > 0 || c.img > 0 || child.name === 'img')) {
        s.hasBlockChild = true;
      }
      s.text += c.text;
      s.link += c.link;
      s.commas += c.commas;
      s.p += c.p;
      s.img += c.img;
      s.li += c.li;
      s.input += c.input;
      s.embed += c.embed;
      s.headingText += c.headingText;
      s.listText += c.listText;
      s.embeddedPosts += c.embeddedPosts;
      s.paragraphText += c.paragraphText;
      s.elements += c.elements;
      s.tableHeaders += c.tableHeaders;
    }
    const name = element.name;
    if (name === 'a') s.link = s.text;
    else if (name === 'p') s.p++;
    else if (name === 'img') s.img++;
    else if (name === 'li') s.li++;
    else if (FORM_CONTROL_TAGS.has(name)) s.input++;
    else if (name === 'iframe' || name === 'embed' || name === 'object' || name === 'video') s.embed++;
    else if (/^h[1-6]$/.test(name)) s.headingText = s.text;
    if (name === 'ul' || name === 'ol') s.listText = s.text;
    if (name === 'p') s.paragraphText = s.text;
    // Added for every element rather than incremented in a rarely taken branch, which would deoptimize the walk.
    s.tableHeaders += name === 'th' || name === 'caption' || name === 'thead' ? 1 : 0;
    s.embeddedPosts +=
      name === 'blockquote' && EMBEDDED_POST.test(attributeOf(element, 'class') ?? '') ? 1 : 0;
    stats.set(element, s);
  }
  return stats;
}

/**
 * A control that opens or marks rather than asks: a disclosure button (accordion, FAQ, "show more": it has
 * aria-expanded or aria-controls), a checkbox marking a list item ("- [x] done", a checklist), or a checkbox or
 * radio outside any <form> (CSS-only tabs and accordions open their panels with them).
 */
function isToggle(control: Element, parent: Element): boolean {
  // Read for every control, not in the branch for buttons: a branch first taken after computeStats (where this is
  // inlined) is optimized throws the optimized code away.
  const disclosure =
    attributeOf(control, 'aria-expanded') !== undefined ||
    attributeOf(control, 'aria-controls') !== undefined;
  if (control.name === 'button') return disclosure;
  if (control.name !== 'input' || !TOGGLE_INPUT.test(attributeOf(control, 'type') ?? '')) return false;
  if (parent.name === 'li') return true;
  for (let node: Element | null = parent, depth = 0; node && depth < 32; depth++) {
    if (node.name === 'form') return false;
    node = node.parent && isElement(node.parent) ? node.parent : null;
  }
  return true;
}

export function linkDensity(s: Stats | undefined): number {
  if (!s || s.text === 0) return 0;
  return Math.min(1, s.link / s.text);
}

/** A section of a page of sections (SECTION_SIBLINGS): a heading and some unlinked text besides it, few links. */
export function isHeadedSection(s: Stats | undefined): boolean {
  return (
    s !== undefined &&
    s.headingText > 0 &&
    s.text - s.headingText - s.link >= SECTION_SIBLINGS.minProseChars &&
    linkDensity(s) <= SECTION_SIBLINGS.maxLinkDensity
  );
}

export function parentElement(element: Element, body: AnyNode): Element | undefined {
  const parent = element.parent;
  if (!parent || parent === body || !isElement(parent)) return undefined;
  return parent;
}

export function ancestorsOf(element: Element, body: AnyNode): Set<Element> {
  const set = new Set<Element>();
  let parent = parentElement(element, body);
  while (parent) {
    set.add(parent);
    parent = parentElement(parent, body);
  }
  return set;
}

export function elementChildren(element: Element, excluded: Set<Element>): Element[] {
  return element.children.filter((child): child is Element => isElement(child) && !excluded.has(child));
}

/** The text of a small block, or '' for a big subtree (which no short-block pattern could match anyway). */
export function blockText(element: Element, excluded: Set<Element>, stats: Map<Element, Stats>): string {
  const s = stats.get(element);
  if (!s || s.elements > MAX_BLOCK_ELEMENTS) return '';
  return toPlainText([element], { skip: (e) => excluded.has(e) });
}

export function classTokens(element: Element): string[] {
  const tokens: string[] = [];
  const className = semanticClass(element);
  if (className) {
    for (const token of className.split(' '))
      if (token && token.length <= 100) tokens.push(token.toLowerCase());
  }
  const id = meaningfulId(element);
  if (id) tokens.push(id.toLowerCase());
  return tokens;
}

/**
 * The id, unless it is a slug made from a heading ("sharing-with-a-single-developer"): documentation and
 * Markdown generators name sections after their titles, which says nothing about what the section is.
 */
export function meaningfulId(element: Element): string | undefined {
  const id = element.attribs.id;
  if (!id || id.split(/[-_]/).length > 3) return undefined;
  return id;
}

export function nextElementSibling(element: Element): Element | undefined {
  let next = element.next;
  while (next && !isElement(next)) next = next.next;
  return next ?? undefined;
}

/** Inside a code block: class names there are syntax highlighting ("hljs-comment"), not page furniture. */
export function isInsideCode(element: Element): boolean {
  for (let node = element.parent, depth = 0; node && depth < 32; node = node.parent, depth++) {
    if (isElement(node) && (node.name === 'pre' || node.name === 'code')) return true;
  }
  return false;
}

export function hasAncestor(element: Element, name: string): boolean {
  let parent = element.parent;
  for (let depth = 0; parent && depth < 10; depth++) {
    if (isElement(parent) && parent.name === name) return true;
    parent = parent.parent;
  }
  return false;
}

export function normalizeForCompare(text: string): string {
  return text
    .toLowerCase()
    .replace(/[\s\u00a0]+/g, ' ')
    .replace(/[^\p{L}\p{N} ]/gu, '')
    .trim();
}

/** og:description or meta description, read from <head> without touching the rest of the page. */
export function metaDescription(root: AnyNode): string | undefined {
  const head = findFirst(root, 'head');
  if (!head) return undefined;
  let fallback: string | undefined;
  for (const element of elementsInOrder(head)) {
    if (element.name !== 'meta') continue;
    const key = (element.attribs.property ?? element.attribs.name ?? '').toLowerCase();
    const content = element.attribs.content;
    if (!content) continue;
    if (key === 'og:description') return content;
    if (key === 'description' || key === 'twitter:description') fallback ??= content;
  }
  return fallback;
}

export function documentBaseUrl(root: AnyNode, pageUrl: URL): URL {
  const head = findFirst(root, 'head');
  const base = head ? findFirst(head, 'base') : undefined;
  return resolveDocumentBase(base?.attribs.href, pageUrl);
}
