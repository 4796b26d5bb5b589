// Main-content scoring (Readability.js): furniture left out before scoring, paragraph scores flowing to ancestors,
// the top candidate and the siblings that continue it, and the lead above it.
import type { AnyNode, Element } from 'domhandler';
import {
  ALTERNATIVE_MIN_SCORE_RATIO,
  ALTERNATIVES_MIN_COUNT,
  ALTERNATIVES_SCAN,
  ARTICLE_BODY_CLASS,
  ARTICLE_BODY_ITEMPROP,
  BOILERPLATE_ROLES,
  CLASS_WEIGHT,
  CLIMB_SCORE_DIVISOR,
  FURNITURE_MAX_SHARE,
  FURNITURE_TAGS,
  HIDDEN_STYLE,
  isBoilerplateText,
  LEAD_BLOCK_TAGS,
  LEAD_MAX_BLOCKS,
  LEAD_MAX_GAP_CHARS,
  LEAD_MAX_LINK_DENSITY,
  LEAD_MAX_SCAN,
  LEAD_MIN_CHARS,
  LEAD_OWNER_BOX_MAX_ELEMENTS,
  LEAD_PHOTO_BOX_MAX_LEVELS,
  LEAD_PHOTO_BOX_MAX_OTHER_CHARS,
  LEAD_REPEAT_SCAN_BLOCKS,
  LOOSE_TEXT_CONTAINERS,
  MAX_CLASS_CHARS,
  MAYBE_CONTENT,
  MIN_PARAGRAPH_CHARS,
  NEGATIVE_CLASS,
  NON_CONTENT_TAGS,
  OPENING_SECTION,
  PARAGRAPH_TAGS,
  POSITIVE_CLASS,
  SAME_KIND_MAX_SCAN,
  SAME_KIND_MIN_CLASS_OVERLAP,
  SAME_KIND_MIN_PARTS,
  SAME_KIND_MIN_SCORE_RATIO,
  SCORE_ANCESTOR_LEVELS,
  SECTION_SIBLINGS,
  SENTENCE_END,
  SIBLING_CLASS_BONUS,
  SIBLING_MAX_LINK_DENSITY,
  SIBLING_MIN_SCORE,
  SIBLING_PARAGRAPH_MIN_CHARS,
  SIBLING_SCORE_RATIO,
  SIBLING_SECTION_MIN_CHARS,
  SIBLING_SECTION_MIN_PARAGRAPHS,
  SIBLING_SECTION_MIN_PROSE_SHARE,
  TAG_BASE_SCORE,
  UNLIKELY_CANDIDATE,
  WRAPPED_TOP_MAX_LEVELS,
  WRAPPED_TOP_MAX_LINK_DENSITY,
  WRAPPED_TOP_MIN_PROSE_RATIO,
  WRAPPED_TOP_MIN_SCORE_RATIO,
} from './boilerplate.ts';
import { elementsInOrder, hasChildren, isElement, visitElements } from './content-dom.ts';
import { isByline, isDateline } from './content-prune.ts';
import {
  ancestorsOf,
  blockText,
  elementChildren,
  hasAncestor,
  isCaption,
  isGatedStory,
  isHeadedSection,
  isInside,
  isInsideCode,
  isMarkedArticleBody,
  linkDensity,
  meaningfulId,
  normalizeForCompare,
  type PageText,
  parentElement,
  type Stats,
  semanticClass,
  unlinkedTextExceeds,
} from './content-stats.ts';
import { AUTHOR_LINK } from './metadata-dom.ts';
import { collapseWhitespace } from './text.ts';

export interface Flags {
  stripUnlikely: boolean;
  weightClasses: boolean;
  cleanConditionally: boolean;
}

/**
 * The lead (standfirst, deck, intro) often sits between the headline and the chosen body, outside it: the short
 * text blocks there, after the page's <h1> and before the body, that read as sentences rather than furniture.
 * Without a headline in reach, a block there that repeats the page description is the lead.
 */
export function findLeadAbove(
  body: AnyNode,
  order: readonly Element[],
  nodes: readonly AnyNode[],
  stats: Map<Element, Stats>,
  excluded: Set<Element>,
  description: string | undefined,
  title?: string,
): Element[] {
  const described = description ? normalizeForCompare(description) : '';
  const titled = title ? normalizeForCompare(title) : '';
  let repeatsDescription: Element | undefined;
  const first = nodes[0];
  if (!first || !isElement(first) || first === body) return [];
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
      // Found the headline: what lies between it and the body is the lead, but for the author's blurb.
      const holdsHeadline = new Set<AnyNode>();
      for (let node: AnyNode | null = element; node; node = node.parent) holdsHeadline.add(node);
      const outside = (node: AnyNode): boolean => !holdsFirst.has(node) && !holdsHeadline.has(node);
      return blocks
        .reverse()
        .filter((block) => !inAuthorBox(block, outside))
        .slice(-LEAD_MAX_BLOCKS)
        .filter((block) => !opensBody(block, nodes, stats, excluded));
    }
    const s = stats.get(element);
    if (!s || s.hasBlockChild || !LEAD_BLOCK_TAGS.has(element.name) || isInside(element, blocks)) continue;
    gap += s.text;
    if (gap > LEAD_MAX_GAP_CHARS) break;
    if (
      s.text < LEAD_MIN_CHARS ||
      linkDensity(s) > LEAD_MAX_LINK_DENSITY ||
      inCaption(element, stats) ||
      // A part of the headline (a span that styles its words) repeats the title, it does not lead the story.
      hasAncestor(element, 'h1') ||
      describesPhoto(element, stats)
    )
      continue;
    const text = collapseWhitespace(blockText(element, excluded, stats));
    if (
      // The headline printed again in a box of its own ("<div class=title>"), not a lead.
      repeatsTitle(normalizeForCompare(text), titled) ||
      isByline(text) ||
      isDateline(text) ||
      isBoilerplateText(text)
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
  return repeatsDescription && !opensBody(repeatsDescription, nodes, stats, excluded)
    ? [repeatsDescription]
    : [];
}

/** The block is the title, or the title's start (the title may carry the site's name after it). */
function repeatsTitle(text: string, title: string): boolean {
  return title !== '' && text !== '' && title.startsWith(text);
}

/**
 * Whether the body's opening blocks already say what the lead says (the deck printed again as the body's abstract):
 * prepending it would print it twice.
 */
function opensBody(
  lead: Element,
  nodes: readonly AnyNode[],
  stats: Map<Element, Stats>,
  excluded: Set<Element>,
): boolean {
  const said = normalizeForCompare(blockText(lead, excluded, stats));
  let left = LEAD_REPEAT_SCAN_BLOCKS;
  for (const node of nodes) {
    // Bounded: the opening blocks are among the first few hundred elements.
    for (const element of elementsInOrder(node, (inner) => excluded.has(inner), LEAD_MAX_SCAN)) {
      const s = stats.get(element);
      if (excluded.has(element) || !s || s.hasBlockChild || s.text < LEAD_MIN_CHARS) continue;
      if (normalizeForCompare(blockText(element, excluded, stats)) === said) return true;
      if (--left <= 0) return false;
    }
  }
  return false;
}

/**
 * Whether a block is a caption (a caption or credit class) or sits in a <figcaption>: the photo above the story is
 * captioned where a lead would stand, and its caption and credit are no lead. So is a block that is all the text of
 * its caption-classed parent (beside a credit line, no heading): "<div class=caption-text-block><p>…</p></div>". A
 * caption class further up is not enough: a video page's description sits in its player's 'item-caption' box, and
 * some sites print the deck under the top photo.
 */
function inCaption(block: Element, stats: Map<Element, Stats>): boolean {
  if (isCaption(block) || hasAncestor(block, 'figcaption')) return true;
  const parent = block.parent;
  if (!parent || !isElement(parent) || !isCaption(parent)) return false;
  const box = stats.get(parent);
  const own = stats.get(block)?.text ?? 0;
  return box !== undefined && box.headingText === 0 && box.text - own <= LEAD_PHOTO_BOX_MAX_OTHER_CHARS;
}

/**
 * Whether a block is the only text of a small box around a photo: the picture's caption even when nothing marks it
 * as one ("<div class=image><img><p>In this 2006 file photo, ...</p></div>"). A box that also holds a heading is
 * the article's header with its top photo, where the deck is no caption.
 */
function describesPhoto(block: Element, stats: Map<Element, Stats>): boolean {
  const own = stats.get(block)?.text ?? 0;
  let node = block.parent;
  for (let level = 0; level < LEAD_PHOTO_BOX_MAX_LEVELS && node && isElement(node); level++) {
    const box = stats.get(node);
    if (!box || box.headingText > 0 || box.text - own > LEAD_PHOTO_BOX_MAX_OTHER_CHARS) return false;
    if (box.img > 0) return true;
    node = node.parent;
  }
  return false;
}

/**
 * Whether a block sits in the author's box: it, or a box around it that holds neither the headline nor the body,
 * links to an author's page (the byline's name, photo or "more by" link). An author's blurb ("Jane is a reporter
 * who covers...") sits there, between the headline and the story, where a lead would.
 */
function inAuthorBox(block: Element, outside: (node: AnyNode) => boolean): boolean {
  for (let node: AnyNode | null = block; node && isElement(node) && outside(node); node = node.parent) {
    const inside = elementsInOrder(node, undefined, LEAD_OWNER_BOX_MAX_ELEMENTS);
    if (inside.some((element) => element.name === 'a' && isAuthorLink(element))) return true;
  }
  return false;
}

function isAuthorLink(link: Element): boolean {
  const rel = link.attribs.rel;
  if (rel && /(^|\s)author(\s|$)/i.test(rel)) return true;
  const href = link.attribs.href;
  return href !== undefined && AUTHOR_LINK.test(href);
}

/**
 * Page furniture that is never content: dropped tags, hidden elements, furniture roles, unlikely classes.
 * Guarded: an element holding most of the page's text is not furniture, whatever its tag, class or style says
 * (an unclosed <aside> swallowing the page, a whole page hidden until scripts reveal it, a "newsletter" wrapper
 * that is the newsletter issue being read). Returns whether the unlikely-candidate rule excluded anything (so a
 * retry without it can change things).
 */
export function excludeFurniture(
  body: AnyNode,
  flags: Flags,
  excluded: Set<Element>,
  page: PageText,
): boolean {
  let unlikely = false;
  const limit = page.bodyText * FURNITURE_MAX_SHARE;
  // Only the outermost such element is spared: nested ones are judged normally (and each check stays linear).
  let spared = false;
  // Ids of the panels that disclosure controls (accordion headings, "show more" buttons) open and close.
  const disclosed = new Set<string>();
  visitElements(body, (element) => {
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
    // The guard holds for class names too: "page-footer" on the wrapper of nearly all the page's prose is layout.
    if (!spared && limit > 0 && unlinkedTextExceeds(element, limit)) {
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
    if (
      match.length > 1 &&
      UNLIKELY_CANDIDATE.test(match) &&
      !MAYBE_CONTENT.test(match) &&
      !isInsideCode(element) &&
      !isGatedStory(element)
    )
      return 'unlikely';
  }
  return undefined;
}

export function classWeight(element: Element, flags: Flags): number {
  if (!flags.weightClasses) return 0;
  let weight = 0;
  const className = semanticClass(element);
  const id = element.attribs.id?.slice(0, MAX_CLASS_CHARS);
  if (className) {
    if (NEGATIVE_CLASS.test(className)) weight -= CLASS_WEIGHT;
    if (POSITIVE_CLASS.test(className)) weight += CLASS_WEIGHT;
  }
  if (id) {
    if (NEGATIVE_CLASS.test(id)) weight -= CLASS_WEIGHT;
    if (POSITIVE_CLASS.test(id)) weight += CLASS_WEIGHT;
  }
  const itemprop = element.attribs.itemprop;
  if (
    (itemprop && ARTICLE_BODY_ITEMPROP.test(itemprop)) ||
    ARTICLE_BODY_CLASS.test(`${className ?? ''} ${id ?? ''}`)
  ) {
    weight += CLASS_WEIGHT;
  }
  return weight;
}

function isParagraphLike(element: Element, s: Stats): boolean {
  const name = element.name;
  if (name === 'p' || name === 'pre') return true;
  if (PARAGRAPH_TAGS.has(name) || name === 'div' || name === 'article') return !s.hasBlockChild;
  return false;
}

/**
 * Readability's scoring: each paragraph gives 1 + commas + length/100 (max 3) to five levels of ancestors. `order`
 * is the body's kept elements in document order (keptInOrder).
 */
export function scoreCandidates(
  body: AnyNode,
  order: readonly Element[],
  stats: Map<Element, Stats>,
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
    for (let level = 0; level < SCORE_ANCESTOR_LEVELS && ancestor; level++) {
      const divider = level === 0 ? 1 : level === 1 ? 2 : level * 3;
      addScore(ancestor, score / divider);
      // <body> itself may be the container (paragraphs straight under it), nothing above it may.
      if (ancestor === body) break;
      ancestor = ancestor.parent && isElement(ancestor.parent) ? ancestor.parent : null;
    }
  };
  for (const element of order) {
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

export function chooseTopCandidate(
  body: AnyNode,
  scores: Map<Element, number>,
  stats: Map<Element, Stats>,
  excluded: Set<Element>,
  sections?: Set<Element>,
): Element | undefined {
  const ranked = [...scores].sort((a, b) => b[1] - a[1]);
  const first = ranked[0];
  if (!first || first[1] <= 0) return undefined;
  let top = first[0];
  const topScore = first[1];

  // When several near-best candidates share an ancestor, the article is that ancestor (Readability).
  const alternatives = ranked
    .slice(1, ALTERNATIVES_SCAN)
    .filter(([, score]) => score / topScore >= ALTERNATIVE_MIN_SCORE_RATIO);
  if (alternatives.length >= ALTERNATIVES_MIN_COUNT) {
    const ancestorSets = alternatives.map(([element]) => ancestorsOf(element, body));
    let parent = parentElement(top, body);
    while (parent) {
      const containing = ancestorSets.filter((set) => set.has(parent!)).length;
      if (containing >= ALTERNATIVES_MIN_COUNT) {
        top = parent;
        break;
      }
      parent = parentElement(parent, body);
    }
  }

  // Parts of one story made alike (the entries of a listicle, the sections of a guide, each in its own wrapper):
  // several strong candidates of the same tag and class as the top one. The story is their common ancestor.
  const kind = candidateKind(top);
  if (kind !== undefined && top === first[0]) {
    const minScore = topScore * SAME_KIND_MIN_SCORE_RATIO;
    const parts = ranked
      .slice(1, SAME_KIND_MAX_SCAN)
      .filter(([element, score]) => score >= minScore && sameKind(kind, candidateKind(element)))
      .map(([element]) => element);
    if (parts.length >= SAME_KIND_MIN_PARTS) {
      const common = commonAncestor([top, ...parts], body);
      if (common) top = common;
    }
  }

  // Climb while the parent keeps a comparable score: the content may be split across its children.
  let lastScore = scores.get(top) ?? 0;
  const threshold = lastScore / CLIMB_SCORE_DIVISOR;
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

  // A small box of paragraphs that outscores the story around it (an FAQ answer, a pull quote with commas): an
  // ancestor a few levels up that scores nearly as well and holds many times its paragraph text is the story.
  const topStats = stats.get(top);
  const topProse = topStats?.paragraphText ?? 0;
  const topFinal = scores.get(top) ?? 0;
  parent = topProse > 0 ? parentElement(top, body) : undefined;
  for (let level = 0; parent && level < WRAPPED_TOP_MAX_LEVELS; level++) {
    const parentScore = scores.get(parent);
    const parentStats = stats.get(parent);
    if (
      parentScore !== undefined &&
      parentStats !== undefined &&
      parentScore >= topFinal * WRAPPED_TOP_MIN_SCORE_RATIO &&
      parentStats.paragraphText >= topProse * WRAPPED_TOP_MIN_PROSE_RATIO &&
      linkDensity(parentStats) <= WRAPPED_TOP_MAX_LINK_DENSITY
    ) {
      top = parent;
      break;
    }
    parent = parentElement(parent, body);
  }

  if (sections) top = climbToSiblingSections(top, body, stats, excluded, sections);

  // An only child says nothing more than its parent.
  parent = parentElement(top, body);
  while (parent && elementChildren(parent, excluded).length === 1) {
    top = parent;
    parent = parentElement(parent, body);
  }
  if (!stats.has(top)) return undefined;
  return top;
}

/**
 * One section of a page of headed sections (SECTION_SIBLINGS) is not the content: the ancestor holding it and its
 * sibling sections of the same shape is. Climbs while such an ancestor is found, at most maxLevels up. The
 * sections of the box it ends on (the content's parts, which cleaning spares) go into `sections`: those it
 * climbed to, or the top's own children (under only children) when they are such sections.
 */
function climbToSiblingSections(
  top: Element,
  body: AnyNode,
  stats: Map<Element, Stats>,
  excluded: Set<Element>,
  sections: Set<Element>,
): Element {
  let chosen = top;
  // The top's own sections may sit under wrappers that are only children ("<main><div class=sections>").
  let box = top;
  for (let children = elementChildren(box, excluded); children.length === 1; ) {
    box = children[0]!;
    children = elementChildren(box, excluded);
  }
  let parts = sectionsOf(box, undefined, stats, excluded);
  let branch = top;
  let ancestor = parentElement(top, body);
  for (let level = 0; ancestor && level < SECTION_SIBLINGS.maxLevels; level++) {
    const found = sectionsOf(ancestor, branch, stats, excluded);
    if (found.length > 0) {
      chosen = ancestor;
      parts = found;
    }
    branch = ancestor;
    ancestor = parentElement(ancestor, body);
  }
  for (const part of parts) sections.add(part);
  return chosen;
}

/**
 * The box's children that are headed sections of one tag (the most text), when there are at least minSections of
 * them holding minShareOfAncestor of its text and the box is linked at most maxLinkDensity; with a `branch`
 * (the child the climb comes from), only when it is one of them and the others hold minOthersShare of the text.
 * Else none.
 */
function sectionsOf(
  box: Element,
  branch: Element | undefined,
  stats: Map<Element, Stats>,
  excluded: Set<Element>,
): Element[] {
  const whole = stats.get(box);
  if (!whole || whole.text === 0 || linkDensity(whole) > SECTION_SIBLINGS.maxLinkDensity) return [];
  const byTag = new Map<string, { elements: Element[]; text: number }>();
  for (const child of elementChildren(box, excluded)) {
    const s = stats.get(child);
    if (!isHeadedSection(s)) continue;
    let group = byTag.get(child.name);
    if (!group) {
      group = { elements: [], text: 0 };
      byTag.set(child.name, group);
    }
    group.elements.push(child);
    group.text += s?.text ?? 0;
  }
  let best: { elements: Element[]; text: number } | undefined;
  for (const group of byTag.values()) if (!best || group.text > best.text) best = group;
  if (
    !best ||
    best.elements.length < SECTION_SIBLINGS.minSections ||
    best.text < whole.text * SECTION_SIBLINGS.minShareOfAncestor
  )
    return [];
  if (branch === undefined) return best.elements;
  if (!best.elements.includes(branch)) return [];
  const othersText = best.text - (stats.get(branch)?.text ?? 0);
  return othersText >= whole.text * SECTION_SIBLINGS.minOthersShare ? best.elements : [];
}

interface CandidateKind {
  tag: string;
  classes: ReadonlySet<string>;
}

/** Tag and semantic class tokens: what makes candidates "made alike"; none for an element without a class. */
function candidateKind(element: Element): CandidateKind | undefined {
  const className = semanticClass(element);
  return className === '' ? undefined : { tag: element.name, classes: new Set(className.split(' ')) };
}

/**
 * Same tag and most class tokens shared: page builders give each part an instance token beside its kind
 * ('elementor-element elementor-element-5f61a26 elementor-widget-text-editor') or a state one ('w-dyn-bind-empty').
 */
function sameKind(a: CandidateKind, b: CandidateKind | undefined): boolean {
  if (b === undefined || a.tag !== b.tag) return false;
  // <article>s with their own instance tokens ('post-1806', 'post-7932') are separate stories: the related
  // posts under one. Only identically classed ones are parts.
  const overlap = a.tag === 'article' ? 1 : SAME_KIND_MIN_CLASS_OVERLAP;
  let shared = 0;
  for (const token of a.classes) if (b.classes.has(token)) shared++;
  const union = a.classes.size + b.classes.size - shared;
  return shared >= union * overlap;
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

/** The top candidate and those of its siblings that look like more of the same article. */
export function gatherSiblings(
  top: Element | undefined,
  body: AnyNode,
  order: readonly Element[],
  scores: Map<Element, number>,
  stats: Map<Element, Stats>,
  excluded: Set<Element>,
): AnyNode[] {
  if (!top) return hasChildren(body) ? [body] : [];
  const parent = parentElement(top, body);
  if (!parent) return [top];
  const topScore = scores.get(top) ?? 0;
  const threshold = Math.max(SIBLING_MIN_SCORE, topScore * SIBLING_SCORE_RATIO);
  const topClass = top.attribs.class ?? '';
  const nodes: AnyNode[] = [];
  for (const sibling of elementChildren(parent, excluded)) {
    if (sibling === top) {
      nodes.push(sibling);
      continue;
    }
    let bonus = 0;
    if (topClass !== '' && sibling.attribs.class === topClass) bonus += topScore * SIBLING_CLASS_BONUS;
    const score = scores.get(sibling);
    if (score !== undefined && score + bonus >= threshold) {
      nodes.push(sibling);
      continue;
    }
    const s = stats.get(sibling);
    if (!s) continue;
    const density = linkDensity(s);
    // A sibling section made of several paragraphs of prose: more of the story split by a figure or an ad.
    if (
      s.p >= SIBLING_SECTION_MIN_PARAGRAPHS &&
      s.text > SIBLING_SECTION_MIN_CHARS &&
      density < SIBLING_MAX_LINK_DENSITY &&
      s.paragraphText >= s.text * SIBLING_SECTION_MIN_PROSE_SHARE
    ) {
      nodes.push(sibling);
      continue;
    }
    if (!isParagraphLike(sibling, s) || (sibling.name !== 'p' && sibling.name !== 'div')) continue;
    if (s.text > SIBLING_PARAGRAPH_MIN_CHARS && density < SIBLING_MAX_LINK_DENSITY) nodes.push(sibling);
    else if (
      s.text > 0 &&
      s.text <= SIBLING_PARAGRAPH_MIN_CHARS &&
      density === 0 &&
      SENTENCE_END.test(blockText(sibling, excluded, stats))
    ) {
      nodes.push(sibling);
    }
  }
  return [...openingSections(parent, body, order, stats, excluded), ...nodes];
}

/**
 * Prose sections before the top's branch a level or two above its parent (OPENING_SECTION): the story's opening
 * in a container of its own, after the page's headline (<h1>) or holding it. Only those before the body: after it,
 * such boxes are as often testimonials, notes or the next story.
 */
function openingSections(
  parent: Element,
  body: AnyNode,
  order: readonly Element[],
  stats: Map<Element, Stats>,
  excluded: Set<Element>,
): Element[] {
  let opening: Element[] = [];
  let branch = parent;
  for (let level = 0; level < OPENING_SECTION.maxLevels; level++) {
    const ancestor = parentElement(branch, body);
    if (!ancestor) break;
    const before: Element[] = [];
    for (const child of elementChildren(ancestor, excluded)) {
      if (child === branch) break;
      const s = stats.get(child);
      if (
        s !== undefined &&
        s.p >= SIBLING_SECTION_MIN_PARAGRAPHS &&
        s.text > SIBLING_SECTION_MIN_CHARS &&
        linkDensity(s) < SIBLING_MAX_LINK_DENSITY &&
        s.paragraphText >= s.text * OPENING_SECTION.minProseShare
      )
        before.push(child);
    }
    opening = [...before, ...opening];
    branch = ancestor;
  }
  if (opening.length === 0) return opening;
  // Only after the headline, as a lead: above it sit the page's notices (a reprint notice, a site-wide intro).
  const headline = order.findIndex((element) => element.name === 'h1');
  if (headline < 0) return [];
  const holdsHeadline = new Set<AnyNode>();
  for (let node: AnyNode | null = order[headline]!; node; node = node.parent) holdsHeadline.add(node);
  return opening.filter((section) => holdsHeadline.has(section) || order.indexOf(section) > headline);
}
