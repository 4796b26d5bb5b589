// Main-content detection: which part of a page is the article body, with its furniture pruned.
//
// In the spirit of Readability.js (paragraph scores flowing to ancestors, link density, class weights,
// sibling merging, conditional cleaning) and trafilatura (pruning boilerplate inside the chosen container by
// class and by text). Nothing is removed from the DOM: judged nodes go into an `excluded` set, so a failed
// attempt can be retried with relaxed rules on the same tree. Every traversal is iterative.
import type { CheerioAPI } from 'cheerio';
import type { AnyNode, Element } from 'domhandler';
import { resolveDocumentBase } from '../url.ts';
import {
  ARTICLE_BODY_CLASS,
  ARTICLE_BODY_ITEMPROP,
  BLOCK_CHILD_TAGS,
  BOILERPLATE_HEADING,
  BOILERPLATE_HEADING_LINE,
  BOILERPLATE_HEADING_LINE_MAX_CHARS,
  BOILERPLATE_ROLES,
  BOILERPLATE_TEXT_ANY_LANGUAGE,
  BOILERPLATE_TEXT_MAX_CHARS,
  BOILERPLATE_TEXT_TAGS,
  BOILERPLATE_TOKEN,
  BYLINE_JOINERS,
  BYLINE_MAX_CHARS,
  BYLINE_START,
  CAPTION_TOKEN,
  COLLECTIVE_PART_MAX_LINK_DENSITY,
  COLLECTIVE_PART_MIN_PARAGRAPHS,
  CONDITIONAL_TAGS,
  CONTENT_TOKEN,
  DATELINE_MAX_CHARS,
  DATELINE_WORDS,
  DATELINE_WORDS_INTL,
  DESTRUCTIVE_MAX_SHARE,
  EMBEDDED_POST,
  FORM_CONTROL_TAGS,
  FURNITURE_MAX_SHARE,
  FURNITURE_TAGS,
  HIDDEN_STYLE,
  LABEL_LINE_END,
  LABEL_LINK_MAX_CHARS,
  LABEL_LINK_MAX_LABEL_CHARS,
  LABEL_LINK_MIN_DENSITY,
  LABEL_LINK_MIN_LINK_CHARS,
  LABEL_LINK_SEPARATOR,
  LEAD_BLOCK_TAGS,
  LEAD_MAX_BLOCKS,
  LEAD_MAX_GAP_CHARS,
  LEAD_MAX_LINK_DENSITY,
  LEAD_MAX_SCAN,
  LEAD_MIN_CHARS,
  LINK_LIST_MIN_DENSITY,
  LINK_LIST_MIN_ITEMS,
  LINK_PARAGRAPH_MAX_CHARS,
  LINK_PARAGRAPH_MIN_DENSITY,
  LOOSE_TEXT_CONTAINERS,
  MAYBE_CONTENT,
  NEGATIVE_CLASS,
  NON_CONTENT_TAGS,
  NOSCRIPT_PAGE_MIN_RATIO,
  PARAGRAPH_TAGS,
  POSITIVE_CLASS,
  SAME_KIND_MAX_SCAN,
  SAME_KIND_MIN_PARTS,
  SAME_KIND_MIN_SCORE_RATIO,
  SENTENCE_END,
  TAG_BASE_SCORE,
  UNLIKELY_CANDIDATE,
  UTILITY_CLASS_TOKEN,
} from './boilerplate.ts';
import {
  countCommas,
  elementsInOrder,
  findFirst,
  hasChildren,
  isElement,
  visibleLength,
} from './content-dom.ts';
import { sanitizeToHtml } from './sanitize.ts';
import { countWords, toPlainText } from './text.ts';

export interface ExtractedContent {
  /** Sanitized body HTML. */
  html: string;
  /** Plain text without the headline; paragraphs separated by a blank line. */
  text: string;
  wordCount: number;
}

export interface ContentOptions {
  pageUrl: URL;
  /** The article title (from metadata), so a leading headline repeating it is left out. */
  title?: string;
}

/** Readability's retry threshold: below this many characters, try again with relaxed rules. */
const MIN_TEXT_CHARS = 500;
const MIN_PARAGRAPH_CHARS = 25;

interface Flags {
  stripUnlikely: boolean;
  weightClasses: boolean;
  cleanConditionally: boolean;
}

const ATTEMPTS: Flags[] = [
  { stripUnlikely: true, weightClasses: true, cleanConditionally: true },
  { stripUnlikely: false, weightClasses: true, cleanConditionally: true },
  { stripUnlikely: false, weightClasses: false, cleanConditionally: true },
  { stripUnlikely: false, weightClasses: false, cleanConditionally: false },
];

/** Finds, prunes and serializes the main content. Never throws; undefined when there is no content. */
export function extractContent($: CheerioAPI, options: ContentOptions): ExtractedContent | undefined {
  try {
    const root = $.root()[0] as AnyNode;
    const body = mainBody(root);
    const baseUrl = documentBaseUrl(root, options.pageUrl);
    const page: PageHints = { title: options.title, description: metaDescription(root) };
    const pageText = measurePage(body);
    // A <noscript> that holds the page is read as an ordinary container (text and sanitizer skip <noscript>).
    for (const element of pageText.unwrapped) element.name = 'div';
    let best: Attempt | undefined;
    let previous: Attempt | undefined;
    for (const flags of ATTEMPTS) {
      // A relaxed attempt that switches off only rules which changed nothing last time would repeat it.
      if (previous && !relaxationMatters(previous, flags)) continue;
      const attempt = runAttempt(body, flags, page, pageText);
      previous = attempt;
      // Relaxed rules also let some furniture back in, so a later attempt must find clearly more text.
      if (!best || attempt.text.length > best.text.length * 2) best = attempt;
      if (best.text.length >= MIN_TEXT_CHARS) break;
    }
    if (!best || best.text.trim().length === 0) return undefined;
    const excluded = best.excluded;
    const html = sanitizeToHtml(best.nodes, { baseUrl, skip: (element) => excluded.has(element) });
    return { html, text: best.text, wordCount: countWords(best.text) };
  } catch {
    return undefined;
  }
}

interface Attempt {
  nodes: AnyNode[];
  excluded: Set<Element>;
  text: string;
  /** Which rules actually excluded or weighted something in this attempt. */
  effects: { unlikely: boolean; weights: boolean; conditional: boolean };
}

function relaxationMatters(previous: Attempt, next: Flags): boolean {
  const { effects } = previous;
  return (
    (!next.stripUnlikely && effects.unlikely) ||
    (!next.weightClasses && effects.weights) ||
    (!next.cleanConditionally && effects.conditional)
  );
}

interface Stats {
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

interface PageHints {
  title: string | undefined;
  description: string | undefined;
}

function runAttempt(body: AnyNode, flags: Flags, page: PageHints, pageText: PageText): Attempt {
  const excluded = new Set<Element>();
  const unlikely = excludeFurniture(body, flags, excluded, pageText);
  let stats = computeStats([body], excluded);
  const scores = scoreCandidates(body, stats, excluded, flags);
  const weights = [...scores.keys()].some((element) => classWeight(element, flags) !== 0);
  const top = chooseTopCandidate(body, scores, stats, excluded);
  const nodes = gatherSiblings(top, body, scores, stats, excluded);
  nodes.unshift(...findLeadAbove(body, nodes, stats, excluded, page.description));

  pruneBoilerplate(nodes, top, stats, excluded);
  let conditional = false;
  if (flags.cleanConditionally) {
    stats = computeStats(nodes, excluded);
    conditional = cleanConditionally(nodes, top, stats, scores, excluded, flags);
  }
  dropHeadline(nodes, excluded, stats, page.title);
  const text = toPlainText(nodes, { skip: (element) => excluded.has(element) || isCaption(element) });
  return { nodes, excluded, text, effects: { unlikely, weights, conditional } };
}

/**
 * The lead (standfirst, deck, intro) often sits between the headline and the chosen body, outside it: the short
 * text blocks there, after the page's <h1> and before the body, that read as sentences rather than furniture.
 * Without a headline in reach, a block there that repeats the page description is the lead.
 */
function findLeadAbove(
  body: AnyNode,
  nodes: readonly AnyNode[],
  stats: Map<Element, Stats>,
  excluded: Set<Element>,
  description: string | undefined,
): Element[] {
  const described = description ? normalizeForCompare(description) : '';
  let repeatsDescription: Element | undefined;
  const first = nodes[0];
  if (!first || !isElement(first) || first === body) return [];
  const order = elementsInOrder(body, (element) => excluded.has(element));
  const start = order.indexOf(first);
  if (start <= 0) return [];
  const holdsFirst = new Set<AnyNode>();
  for (let node: AnyNode | null = first; node; node = node.parent) holdsFirst.add(node);
  const blocks: Element[] = [];
  let gap = 0;
  for (let i = start - 1; i >= Math.max(0, start - LEAD_MAX_SCAN); i--) {
    const element = order[i]!;
    if (holdsFirst.has(element)) continue;
    if (element.name === 'h1') {
      // Found the headline: what lies between it and the body is the lead.
      return blocks.reverse().slice(-LEAD_MAX_BLOCKS);
    }
    const s = stats.get(element);
    if (!s || s.hasBlockChild || !LEAD_BLOCK_TAGS.has(element.name) || isInside(element, blocks)) continue;
    gap += s.text;
    if (gap > LEAD_MAX_GAP_CHARS) break;
    if (s.text < LEAD_MIN_CHARS || linkDensity(s) > LEAD_MAX_LINK_DENSITY || isCaption(element)) continue;
    const text = blockText(element, excluded, stats).replace(/\s+/g, ' ').trim();
    if (
      isByline(text) ||
      isDateline(text) ||
      BOILERPLATE_TEXT_ANY_LANGUAGE.some((pattern) => pattern.test(text))
    )
      continue;
    blocks.push(element);
    if (!repeatsDescription && described.length >= LEAD_MIN_CHARS) {
      const normalized = normalizeForCompare(text);
      if (normalized === described || described.startsWith(normalized) || normalized.startsWith(described)) {
        repeatsDescription = element;
      }
    }
  }
  return repeatsDescription ? [repeatsDescription] : [];
}

/** Whether an element lies inside one of the given (already chosen) blocks. */
function isInside(element: Element, blocks: readonly Element[]): boolean {
  for (let node = element.parent; node; node = node.parent) if (blocks.includes(node as Element)) return true;
  return false;
}

/** Captions describe pictures: kept in the html, but they are not body text. */
function isCaption(element: Element): boolean {
  if (element.name === 'figcaption') return true;
  const className = semanticClass(element);
  return className !== '' && CAPTION_TOKEN.test(className);
}

/**
 * Page furniture that is never content: dropped tags, hidden elements, furniture roles, unlikely classes.
 * Guarded: an element holding most of the page's text is not furniture, whatever its tag, class or style says
 * (an unclosed <aside> swallowing the page, a whole page hidden until scripts reveal it, a "newsletter" wrapper
 * that is the newsletter issue being read). Returns whether the unlikely-candidate rule excluded anything (so a
 * retry without it can change things).
 */
function excludeFurniture(body: AnyNode, flags: Flags, excluded: Set<Element>, page: PageText): boolean {
  let unlikely = false;
  const limit = page.bodyText * FURNITURE_MAX_SHARE;
  // Only the outermost such element is spared: nested ones are judged normally (and each check stays linear).
  let spared = false;
  // Ids of the panels that disclosure controls (accordion headings, "show more" buttons) open and close.
  const disclosed = new Set<string>();
  elementsInOrder(body, (element) => {
    const controls = element.attribs['aria-controls'];
    if (controls) for (const id of controls.split(/\s+/).slice(0, 8)) disclosed.add(id);
    if (NON_CONTENT_TAGS.has(element.name) && !page.unwrapped.has(element)) {
      excluded.add(element);
      return true;
    }
    const verdict = furnitureVerdict(element, flags);
    if (verdict === undefined) return false;
    // A collapsed accordion panel is hidden only until the reader opens it: it is part of the page.
    if (verdict === 'hidden' && isDisclosurePanel(element, disclosed)) return false;
    if (verdict !== 'unlikely' && !spared && limit > 0 && unlinkedTextExceeds(element, limit)) {
      spared = true;
      return false;
    }
    if (verdict === 'unlikely') unlikely = true;
    excluded.add(element);
    return true;
  });
  return unlikely;
}

/** A panel a disclosure control opens (its id named in an earlier aria-controls), or an ARIA accordion region. */
function isDisclosurePanel(element: Element, disclosed: ReadonlySet<string>): boolean {
  const { id, role } = element.attribs;
  if (id !== undefined && disclosed.has(id)) return true;
  return role === 'region' && element.attribs['aria-labelledby'] !== undefined;
}

/** Unlinked text of the page with never-content tags left out: what the furniture guard compares with. */
interface PageText {
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

function unlinkedTextExceeds(element: Element, limit: number): boolean {
  return unlinkedText(element, limit) > limit;
}

function measurePage(body: AnyNode): PageText {
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
 * elements: a stray early "<body>" may hold only a script.
 */
function mainBody(root: AnyNode): AnyNode {
  const bodies = elementsInOrder(root).filter((element) => element.name === 'body');
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
function isMarkedArticleBody(element: Element): boolean {
  const itemprop = element.attribs.itemprop;
  return itemprop !== undefined && ARTICLE_BODY_ITEMPROP.test(itemprop);
}

function furnitureVerdict(element: Element, flags: Flags): 'furniture' | 'hidden' | 'unlikely' | undefined {
  const name = element.name;
  if (FURNITURE_TAGS.has(name)) return 'furniture';
  const attribs = element.attribs;
  if (attribs.hidden !== undefined || attribs['aria-hidden'] === 'true') return 'hidden';
  const style = attribs.style;
  if (style && HIDDEN_STYLE.test(style)) return 'hidden';
  const role = attribs.role;
  if (role && BOILERPLATE_ROLES.has(role.toLowerCase())) return 'furniture';
  if (
    flags.stripUnlikely &&
    name !== 'body' &&
    name !== 'a' &&
    name !== 'html' &&
    !isMarkedArticleBody(element)
  ) {
    // Capped: a hostile megabyte-long class attribute must not cost regex time.
    const match = `${semanticClass(element)} ${meaningfulId(element) ?? ''}`;
    if (match.length > 1 && UNLIKELY_CANDIDATE.test(match) && !MAYBE_CONTENT.test(match)) return 'unlikely';
  }
  return undefined;
}

const MAX_CLASS_CHARS = 500;

const semanticClasses = new WeakMap<Element, string>();
/**
 * The class attribute without utility tokens: "lg:hidden" or "[&_figcaption]:mt-xs" style an element, they do
 * not say what it is, so no class rule may read them. Capped: a hostile megabyte-long class must not cost time.
 */
function semanticClass(element: Element): string {
  let value = semanticClasses.get(element);
  if (value === undefined) {
    const raw = element.attribs.class;
    value = raw
      ? raw
          .slice(0, MAX_CLASS_CHARS)
          .split(/\s+/)
          .filter((token) => token !== '' && !UTILITY_CLASS_TOKEN.test(token))
          .join(' ')
      : '';
    semanticClasses.set(element, value);
  }
  return value;
}

/** Text lengths and counts for every kept element, bottom-up in one pass (no repeated .text()). */
function computeStats(roots: readonly AnyNode[], excluded: Set<Element>): Map<Element, Stats> {
  const order: Element[] = [];
  for (const root of roots)
    for (const element of elementsInOrder(root, (e) => excluded.has(e))) order.push(element);
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
        // Excluded; form controls still tell that their container is a form (Readability's input count).
        if (FORM_CONTROL_TAGS.has(child.name)) s.input++;
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
    if (name === 'th' || name === 'caption' || name === 'thead') s.tableHeaders++;
    if (name === 'blockquote' && EMBEDDED_POST.test(element.attribs.class ?? '')) s.embeddedPosts++;
    stats.set(element, s);
  }
  return stats;
}

function linkDensity(s: Stats | undefined): number {
  if (!s || s.text === 0) return 0;
  return Math.min(1, s.link / s.text);
}

function classWeight(element: Element, flags: Flags): number {
  if (!flags.weightClasses) return 0;
  let weight = 0;
  const className = semanticClass(element);
  const id = element.attribs.id?.slice(0, MAX_CLASS_CHARS);
  if (className) {
    if (NEGATIVE_CLASS.test(className)) weight -= 25;
    if (POSITIVE_CLASS.test(className)) weight += 25;
  }
  if (id) {
    if (NEGATIVE_CLASS.test(id)) weight -= 25;
    if (POSITIVE_CLASS.test(id)) weight += 25;
  }
  const itemprop = element.attribs.itemprop;
  if (
    (itemprop && ARTICLE_BODY_ITEMPROP.test(itemprop)) ||
    ARTICLE_BODY_CLASS.test(`${className ?? ''} ${id ?? ''}`)
  ) {
    weight += 25;
  }
  return weight;
}

function isParagraphLike(element: Element, s: Stats): boolean {
  const name = element.name;
  if (name === 'p' || name === 'pre') return true;
  if (PARAGRAPH_TAGS.has(name) || name === 'div' || name === 'article') return !s.hasBlockChild;
  return false;
}

/** Readability's scoring: each paragraph gives 1 + commas + length/100 (max 3) to five levels of ancestors. */
function scoreCandidates(
  body: AnyNode,
  stats: Map<Element, Stats>,
  excluded: Set<Element>,
  flags: Flags,
): Map<Element, number> {
  const scores = new Map<Element, number>();
  const addScore = (element: Element, amount: number): void => {
    let current = scores.get(element);
    if (current === undefined) current = (TAG_BASE_SCORE[element.name] ?? 0) + classWeight(element, flags);
    scores.set(element, current + amount);
  };
  const distribute = (start: Element | null, score: number): void => {
    let ancestor: Element | null = start;
    for (let level = 0; level < 5 && ancestor; level++) {
      const divider = level === 0 ? 1 : level === 1 ? 2 : level * 3;
      addScore(ancestor, score / divider);
      // <body> itself may be the container (paragraphs straight under it), nothing above it may.
      if (ancestor === body) break;
      ancestor = ancestor.parent && isElement(ancestor.parent) ? ancestor.parent : null;
    }
  };
  for (const element of elementsInOrder(body, (e) => excluded.has(e))) {
    const s = stats.get(element);
    if (!s) continue;
    if (isParagraphLike(element, s)) {
      if (s.text < MIN_PARAGRAPH_CHARS) continue;
      const score = 1 + s.commas + Math.min(Math.floor(s.text / 100), 3);
      distribute(element.parent && isElement(element.parent) ? element.parent : null, score);
    } else if (s.directText >= MIN_PARAGRAPH_CHARS && LOOSE_TEXT_CONTAINERS.has(element.name)) {
      // Loose text beside block children: Readability wraps it in a <p> inside this element.
      distribute(element, 1 + s.directCommas + Math.min(Math.floor(s.directText / 100), 3));
    }
  }
  for (const [element, score] of scores) scores.set(element, score * (1 - linkDensity(stats.get(element))));
  return scores;
}

function parentElement(element: Element, body: AnyNode): Element | undefined {
  const parent = element.parent;
  if (!parent || parent === body || !isElement(parent)) return undefined;
  return parent;
}

function chooseTopCandidate(
  body: AnyNode,
  scores: Map<Element, number>,
  stats: Map<Element, Stats>,
  excluded: Set<Element>,
): Element | undefined {
  const ranked = [...scores].sort((a, b) => b[1] - a[1]);
  const first = ranked[0];
  if (!first || first[1] <= 0) return undefined;
  let top = first[0];
  const topScore = first[1];

  // When several near-best candidates share an ancestor, the article is that ancestor (Readability).
  const alternatives = ranked.slice(1, 5).filter(([, score]) => score / topScore >= 0.75);
  if (alternatives.length >= 3) {
    const ancestorSets = alternatives.map(([element]) => ancestorsOf(element, body));
    let parent = parentElement(top, body);
    while (parent) {
      const containing = ancestorSets.filter((set) => set.has(parent!)).length;
      if (containing >= 3) {
        top = parent;
        break;
      }
      parent = parentElement(parent, body);
    }
  }

  // Parts of one story made alike (the entries of a listicle, the sections of a guide, each in its own wrapper):
  // several strong candidates of the same tag and class as the top one. The story is their common ancestor.
  const signature = candidateSignature(top);
  if (signature !== undefined && top === first[0]) {
    const parts = ranked
      .slice(1, SAME_KIND_MAX_SCAN)
      .filter(
        ([element, score]) =>
          score >= topScore * SAME_KIND_MIN_SCORE_RATIO && candidateSignature(element) === signature,
      )
      .map(([element]) => element);
    if (parts.length >= SAME_KIND_MIN_PARTS) {
      const common = commonAncestor([top, ...parts], body);
      if (common) top = common;
    }
  }

  // Climb while the parent keeps a comparable score: the content may be split across its children.
  let lastScore = scores.get(top) ?? 0;
  const threshold = lastScore / 3;
  let parent = parentElement(top, body);
  while (parent) {
    const parentScore = scores.get(parent);
    if (parentScore === undefined) {
      parent = parentElement(parent, body);
      continue;
    }
    if (parentScore < threshold) break;
    if (parentScore > lastScore) {
      top = parent;
      break;
    }
    lastScore = parentScore;
    parent = parentElement(parent, body);
  }

  // An only child says nothing more than its parent.
  parent = parentElement(top, body);
  while (parent && elementChildren(parent, excluded).length === 1) {
    top = parent;
    parent = parentElement(parent, body);
  }
  if (!stats.has(top)) return undefined;
  return top;
}

/** Tag and semantic class: what makes candidates "made alike"; none for an element without a class. */
function candidateSignature(element: Element): string | undefined {
  const className = semanticClass(element);
  return className === '' ? undefined : `${element.name}.${className}`;
}

/** The deepest element holding all the given ones, below <body>; undefined when only <body> holds them all. */
function commonAncestor(elements: readonly Element[], body: AnyNode): Element | undefined {
  const [first, ...rest] = elements;
  if (!first) return undefined;
  const others = rest.map((element) => ancestorsOf(element, body));
  for (let parent = parentElement(first, body); parent; parent = parentElement(parent, body)) {
    if (others.every((set) => set.has(parent!))) return parent;
  }
  return undefined;
}

function ancestorsOf(element: Element, body: AnyNode): Set<Element> {
  const set = new Set<Element>();
  let parent = parentElement(element, body);
  while (parent) {
    set.add(parent);
    parent = parentElement(parent, body);
  }
  return set;
}

function elementChildren(element: Element, excluded: Set<Element>): Element[] {
  return element.children.filter((child): child is Element => isElement(child) && !excluded.has(child));
}

/** The top candidate and those of its siblings that look like more of the same article. */
function gatherSiblings(
  top: Element | undefined,
  body: AnyNode,
  scores: Map<Element, number>,
  stats: Map<Element, Stats>,
  excluded: Set<Element>,
): AnyNode[] {
  if (!top) return hasChildren(body) ? [body] : [];
  const parent = parentElement(top, body);
  if (!parent) return [top];
  const topScore = scores.get(top) ?? 0;
  const threshold = Math.max(10, topScore * 0.2);
  const topClass = top.attribs.class ?? '';
  const nodes: AnyNode[] = [];
  for (const sibling of elementChildren(parent, excluded)) {
    if (sibling === top) {
      nodes.push(sibling);
      continue;
    }
    let bonus = 0;
    if (topClass !== '' && sibling.attribs.class === topClass) bonus += topScore * 0.2;
    const score = scores.get(sibling);
    if (score !== undefined && score + bonus >= threshold) {
      nodes.push(sibling);
      continue;
    }
    const s = stats.get(sibling);
    if (!s) continue;
    const density = linkDensity(s);
    // A sibling section made of several paragraphs of prose: more of the story split by a figure or an ad.
    if (s.p >= 2 && s.text > 200 && density < 0.25 && s.paragraphText >= s.text * 0.8) {
      nodes.push(sibling);
      continue;
    }
    if (!isParagraphLike(sibling, s) || (sibling.name !== 'p' && sibling.name !== 'div')) continue;
    if (s.text > 80 && density < 0.25) nodes.push(sibling);
    else if (
      s.text > 0 &&
      s.text <= 80 &&
      density === 0 &&
      SENTENCE_END.test(blockText(sibling, excluded, stats))
    ) {
      nodes.push(sibling);
    }
  }
  return nodes;
}

/** Most elements a block may have for its text to be read: short-block checks must stay linear overall. */
const MAX_BLOCK_ELEMENTS = 200;

/** The text of a small block, or '' for a big subtree (which no short-block pattern could match anyway). */
function blockText(element: Element, excluded: Set<Element>, stats: Map<Element, Stats>): string {
  const s = stats.get(element);
  if (!s || s.elements > MAX_BLOCK_ELEMENTS) return '';
  return toPlainText([element], { skip: (e) => excluded.has(e) });
}

function classTokens(element: Element): string[] {
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
function meaningfulId(element: Element): string | undefined {
  const id = element.attribs.id;
  if (!id || id.split(/[-_]/).length > 3) return undefined;
  return id;
}

function looksLikeBoilerplateByClass(element: Element): boolean {
  const tokens = classTokens(element);
  if (tokens.length === 0) return false;
  let boilerplate = false;
  for (const token of tokens) {
    if (CONTENT_TOKEN.test(token)) return false;
    if (BOILERPLATE_TOKEN.test(token)) boilerplate = true;
  }
  return boilerplate;
}

/** Furniture inside the chosen content: by class/id token, by text of short blocks, by heading. */
function pruneBoilerplate(
  nodes: AnyNode[],
  top: Element | undefined,
  stats: Map<Element, Stats>,
  excluded: Set<Element>,
): void {
  let total = 0;
  for (const node of nodes) if (isElement(node)) total += stats.get(node)?.text ?? 0;
  const roots = new Set(nodes);
  // Ancestors of the top candidate, collected once (a per-element walk up would be quadratic on deep trees).
  const holdsTop = new Set<AnyNode>();
  for (let node: AnyNode | null | undefined = top; node; node = node.parent) holdsTop.add(node);
  const insideArticle = insideArticleMemo();
  // An <article> inside the article (other than the one holding the story) is a teaser card or a comment,
  // unless such cards together make most of the content: then they are its parts (the entries of a listicle).
  const isNestedArticle = (element: Element): boolean =>
    element.name === 'article' &&
    (stats.get(element)?.text ?? 0) < total * DESTRUCTIVE_MAX_SHARE &&
    !holdsTop.has(element) &&
    insideArticle(element);
  const nestedArticles: Element[] = [];
  for (const node of nodes) {
    elementsInOrder(node, (element) => {
      if (excluded.has(element)) return true;
      if (roots.has(element) || !isNestedArticle(element)) return false;
      nestedArticles.push(element);
      return true;
    });
  }
  const teaserArticles = new Set(keepCollectiveParts(nestedArticles, stats, total));
  for (const node of nodes) {
    elementsInOrder(node, (element) => {
      if (excluded.has(element)) return true;
      if (roots.has(element)) return false;
      const s = stats.get(element);
      const text = s?.text ?? 0;
      if (teaserArticles.has(element)) {
        excluded.add(element);
        return true;
      }
      // Never prune by class an element that holds most of the article: a stray "comments-on" class on the
      // article wrapper must not cost the whole body.
      if (text < total * 0.6 && !isMarkedArticleBody(element) && looksLikeBoilerplateByClass(element)) {
        excluded.add(element);
        return true;
      }
      if (
        (element.name === 'ul' || element.name === 'ol') &&
        s !== undefined &&
        s.li >= LINK_LIST_MIN_ITEMS &&
        linkDensity(s) >= LINK_LIST_MIN_DENSITY
      ) {
        excluded.add(element);
        return true;
      }
      if (element.name === 'form' && (s?.input ?? 0) > 0 && text < 600) {
        // A signup or search form, with the little box around it (its pitch and small print).
        excluded.add(escalate(element, roots, stats, total));
        return true;
      }
      if (
        text > 0 &&
        text <= BOILERPLATE_TEXT_MAX_CHARS &&
        BOILERPLATE_TEXT_TAGS.has(element.name) &&
        !s?.hasBlockChild
      ) {
        const blockString = blockText(element, excluded, stats).replace(/\s+/g, ' ').trim();
        const isHeading = /^h[2-6]$/.test(element.name);
        const headingLike = isHeading
          ? BOILERPLATE_HEADING.test(blockString)
          : blockString.length <= BOILERPLATE_HEADING_LINE_MAX_CHARS &&
            BOILERPLATE_HEADING_LINE.test(blockString);
        if (headingLike) {
          // "Related", "Read more", "Don't miss": the heading and the teaser links it introduces.
          excluded.add(element);
          for (let next = nextElementSibling(element); next; next = nextElementSibling(next)) {
            // Teaser lists often mix a plain lead-in with the link, so lists need fewer links to qualify.
            const isList = next.name === 'ul' || next.name === 'ol';
            if (linkDensity(stats.get(next)) <= (isList ? 0.3 : 0.5)) break;
            excluded.add(next);
          }
          return true;
        }
        if ((blockString.length <= DATELINE_MAX_CHARS && isDateline(blockString)) || isByline(blockString)) {
          excluded.add(element);
          return true;
        }
        if (
          element.name === 'p' &&
          text <= LINK_PARAGRAPH_MAX_CHARS &&
          linkDensity(s) >= LINK_PARAGRAPH_MIN_DENSITY
        ) {
          excluded.add(element);
          return true;
        }
        if (BOILERPLATE_TEXT_ANY_LANGUAGE.some((pattern) => pattern.test(blockString))) {
          excluded.add(escalate(element, roots, stats, total));
          return true;
        }
        const teaser = labelledTeaser(element, blockString, s, stats);
        if (teaser.length > 0) {
          for (const part of teaser) excluded.add(part);
          return true;
        }
      }
      return false;
    });
  }
}

/**
 * A short label then a link ("Read also: <a>...</a>") in any language, or a short unlinked label line ending in a
 * colon whose next sibling is a list of links: the blocks to drop, or none. Short, link-dense blocks only.
 */
function labelledTeaser(
  element: Element,
  text: string,
  s: Stats | undefined,
  stats: Map<Element, Stats>,
): Element[] {
  if (!s || text.length > LABEL_LINK_MAX_CHARS) return [];
  const label = LABEL_LINK_SEPARATOR.exec(text)?.[1];
  if (
    label !== undefined &&
    s.link >= LABEL_LINK_MIN_LINK_CHARS &&
    !startsWithLink(element) &&
    linkDensity(s) >= LABEL_LINK_MIN_DENSITY &&
    // The label is all the unlinked text: "21) <a>Star Wars: ...</a>" or "<a>a</a>, <a>b</a>" are not labelled.
    s.text - s.link >= label.length - 1 &&
    s.text - s.link <= label.length + 3
  ) {
    return [element];
  }
  if (s.link === 0 && text.length <= LABEL_LINK_MAX_LABEL_CHARS && LABEL_LINE_END.test(text)) {
    const next = nextElementSibling(element);
    const list = next && (next.name === 'ul' || next.name === 'ol') ? stats.get(next) : undefined;
    if (next && list && list.li > 0 && linkDensity(list) >= LINK_LIST_MIN_DENSITY) return [element, next];
  }
  return [];
}

/** Whether the block's first words are a link (a list entry "<a>Title</a> – note", not a label). */
function startsWithLink(element: Element): boolean {
  for (let node: AnyNode | null = element.firstChild; node; ) {
    if (isElement(node)) {
      if (node.name === 'a') return true;
      node = node.firstChild ?? node.next;
      continue;
    }
    if (node.type === 'text' && (node as { data: string }).data.trim() !== '') return false;
    node = node.next;
  }
  return false;
}

/** A line made only of dates, times and words such as "Published" or "Updated". */
function isDateline(text: string): boolean {
  if (!/\d/.test(text)) return false;
  return stripDates(text).replace(/[\s.,:;|/()\-–—·•]+/g, '').length === 0;
}

function stripDates(text: string): string {
  return text
    .replace(DATELINE_WORDS, '')
    .replace(DATELINE_WORDS_INTL, '')
    .replace(/\d+(st|nd|rd|th|º|ª)?\b/g, '')
    .replace(/\d+/g, '');
}

/** "By Jane Doe, John Roe on Monday, November 18th, 2019": names (capitalized words) and dates only. */
function isByline(text: string): boolean {
  if (text.length > BYLINE_MAX_CHARS || !BYLINE_START.test(text)) return false;
  const words = stripDates(text.replace(BYLINE_START, ''))
    .split(/[\s,;|·•]+/)
    .filter((word) => /\p{L}/u.test(word));
  if (words.length === 0 || words.length > 12) return false;
  return words.every(
    (word) => BYLINE_JOINERS.has(word.toLowerCase()) || /^[\p{Lu}][\p{L}.'’-]*$/u.test(word),
  );
}

function nextElementSibling(element: Element): Element | undefined {
  let next = element.next;
  while (next && !isElement(next)) next = next.next;
  return next ?? undefined;
}

/** A boilerplate line usually sits in a small box (newsletter, share bar): take the whole box when small. */
function escalate(element: Element, roots: Set<AnyNode>, stats: Map<Element, Stats>, total: number): Element {
  // The box must stay small both absolutely and against the whole content, or it is the story itself.
  const limit = Math.min(500, total * 0.3);
  let current = element;
  for (let level = 0; level < 3; level++) {
    const parent = current.parent;
    if (!parent || !isElement(parent) || roots.has(parent)) break;
    const s = stats.get(parent);
    if (!s || s.text > limit || s.p > 4) break;
    current = parent;
  }
  return current;
}

/** Readability's cleanConditionally: containers that are mostly links, images, inputs or lists of teasers. */
function cleanConditionally(
  nodes: AnyNode[],
  top: Element | undefined,
  stats: Map<Element, Stats>,
  scores: Map<Element, number>,
  excluded: Set<Element>,
  flags: Flags,
): boolean {
  let removedAny = false;
  let total = 0;
  for (const node of nodes) if (isElement(node)) total += stats.get(node)?.text ?? 0;
  const doomed: Element[] = [];
  for (const node of nodes) {
    elementsInOrder(node, (element) => {
      if (excluded.has(element)) return true;
      if (element === top || !CONDITIONAL_TAGS.has(element.name)) return false;
      // No single rule may remove most of the chosen content: such a box is the story, not furniture in it.
      if ((stats.get(element)?.text ?? 0) > total * DESTRUCTIVE_MAX_SHARE) return false;
      if (element.name === 'pre' || element.name === 'code') return true;
      if ((stats.get(element)?.embeddedPosts ?? 0) > 0) return false;
      if (element.name === 'table' && isDataTable(element, stats)) return true;
      if (shouldRemove(element, stats, scores, flags)) {
        doomed.push(element);
        return true;
      }
      return false;
    });
  }
  for (const element of keepCollectiveParts(doomed, stats, total)) {
    excluded.add(element);
    removedAny = true;
  }
  return removedAny;
}

/**
 * Nor may a rule remove most of the chosen content in many pieces: boxes that one rule would drop, that together
 * hold more than DESTRUCTIVE_MAX_SHARE of it and have paragraphs of their own, are the story's parts (listicle
 * entries, reviewed products, repeated sections), not furniture in it. Then only the link-dense ones go.
 */
function keepCollectiveParts(
  doomed: readonly Element[],
  stats: Map<Element, Stats>,
  total: number,
): Element[] {
  let removed = 0;
  let paragraphs = 0;
  for (const element of doomed) {
    removed += stats.get(element)?.text ?? 0;
    paragraphs += stats.get(element)?.p ?? 0;
  }
  // Parts of a story have paragraphs of their own; one-paragraph cards are teasers however many there are.
  if (
    removed <= total * DESTRUCTIVE_MAX_SHARE ||
    paragraphs < doomed.length * COLLECTIVE_PART_MIN_PARAGRAPHS
  ) {
    return [...doomed];
  }
  return doomed.filter((element) => linkDensity(stats.get(element)) > COLLECTIVE_PART_MAX_LINK_DENSITY);
}

function isDataTable(table: Element, stats: Map<Element, Stats>): boolean {
  if (table.attribs.role === 'presentation') return false;
  return (stats.get(table)?.tableHeaders ?? 0) > 0;
}

function shouldRemove(
  element: Element,
  stats: Map<Element, Stats>,
  scores: Map<Element, number>,
  flags: Flags,
): boolean {
  const s = stats.get(element);
  if (!s) return false;
  const weight = classWeight(element, flags);
  const contentScore = scores.get(element) ?? 0;
  // Lists start with a negative tag score, so a list of prose items would go for its tag alone; the link and
  // shape rules below judge lists instead.
  const isListTag = element.name === 'ul' || element.name === 'ol';
  if (weight + contentScore < 0 && !isListTag) return true;
  if (s.commas >= 10) return false;
  const isList = element.name === 'ul' || element.name === 'ol' || (s.text > 0 && s.listText / s.text > 0.9);
  const density = linkDensity(s);
  const headingDensity = s.text > 0 ? s.headingText / s.text : 0;
  const inFigure = hasAncestor(element, 'figure');
  const remove =
    (s.img > 1 && s.p / s.img < 0.5 && !inFigure) ||
    (!isList && s.li - 100 > s.p) ||
    s.input > Math.floor(s.p / 3) ||
    (!isList && headingDensity < 0.9 && s.text < 25 && (s.img === 0 || s.img > 2) && !inFigure) ||
    (!isList && weight < 25 && density > 0.2) ||
    (weight >= 25 && density > 0.5) ||
    (s.embed === 1 && s.text < 75) ||
    s.embed > 1;
  if (remove && isList) {
    // A simple list of images stays (one image per item).
    if (s.li > 0 && s.li === s.img) return false;
  }
  return remove;
}

function hasAncestor(element: Element, name: string): boolean {
  let parent = element.parent;
  for (let depth = 0; parent && depth < 10; depth++) {
    if (isElement(parent) && parent.name === name) return true;
    parent = parent.parent;
  }
  return false;
}

function normalizeForCompare(text: string): string {
  return text
    .toLowerCase()
    .replace(/[\s\u00a0]+/g, ' ')
    .replace(/[^\p{L}\p{N} ]/gu, '')
    .trim();
}

/**
 * Leaves out a leading h1/h2 that repeats the title (and any h1 that does), so the text has no headline, and
 * with the first such headline the short labels above it (kicker, eyebrow, section link): header furniture.
 */
function dropHeadline(
  nodes: AnyNode[],
  excluded: Set<Element>,
  stats: Map<Element, Stats>,
  title: string | undefined,
): void {
  const wanted = title ? normalizeForCompare(title) : undefined;
  let sawText = false;
  let droppedHeadline = false;
  const labelsAbove: Element[] = [];
  for (const node of nodes) {
    for (const element of elementsInOrder(node, (e) => excluded.has(e))) {
      const name = element.name;
      if (name === 'h1' || name === 'h2') {
        const heading = normalizeForCompare(blockText(element, excluded, stats));
        const repeatsTitle =
          wanted !== undefined &&
          (heading === wanted || wanted.startsWith(heading) || heading.startsWith(wanted));
        if (heading.length > 0 && (repeatsTitle || (!sawText && name === 'h1' && wanted === undefined))) {
          excluded.add(element);
          if (!droppedHeadline && !sawText) for (const label of labelsAbove) excluded.add(label);
          droppedHeadline = true;
          continue;
        }
      }
      if (!sawText && !droppedHeadline && isShortLabel(element, excluded, stats)) labelsAbove.push(element);
      if (!sawText && element.name === 'p') sawText = true;
    }
  }
}

/** A leaf element of at most three words: a kicker or section label, never a paragraph of the story. */
function isShortLabel(element: Element, excluded: Set<Element>, stats: Map<Element, Stats>): boolean {
  if (element.name === 'p' || element.children.some((child) => child.type === 'tag')) return false;
  const text = blockText(element, excluded, stats).trim();
  return text.length > 0 && text.length <= 40 && text.split(/\s+/).length <= 3;
}

/** og:description or meta description, read from <head> without touching the rest of the page. */
function metaDescription(root: AnyNode): string | undefined {
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

/**
 * Whether an element sits inside an <article>, remembering the answer for every ancestor it walks past: many
 * teaser cards deep under one wrapper would otherwise each walk the whole way up (quadratic on deep trees).
 */
function insideArticleMemo(): (element: Element) => boolean {
  const known = new Map<AnyNode, boolean>();
  return (element) => {
    const path: AnyNode[] = [];
    let answer = false;
    for (let node = element.parent; node; node = node.parent) {
      const cached = known.get(node);
      if (cached !== undefined) {
        answer = cached;
        break;
      }
      if (isElement(node) && node.name === 'article') {
        answer = true;
        break;
      }
      path.push(node);
    }
    // Every node on the path has the same answer: the article (or none) found above them.
    for (const node of path) known.set(node, answer);
    return answer;
  };
}

function documentBaseUrl(root: AnyNode, pageUrl: URL): URL {
  const head = findFirst(root, 'head');
  const base = head ? findFirst(head, 'base') : undefined;
  return resolveDocumentBase(base?.attribs.href, pageUrl);
}
