// Pruning inside the chosen content (trafilatura): furniture by class, short boilerplate blocks by text and by
// heading, teasers, bylines and datelines, nested teaser cards.
import type { AnyNode, Element } from 'domhandler';
import {
  BOILERPLATE_HEADING,
  BOILERPLATE_HEADING_LINE,
  BOILERPLATE_HEADING_LINE_MAX_CHARS,
  BOILERPLATE_TEXT_MAX_CHARS,
  BOILERPLATE_TEXT_TAGS,
  BOILERPLATE_TOKEN,
  BYLINE_JOINERS,
  BYLINE_MAX_CHARS,
  BYLINE_START,
  CLASS_PRUNE_MAX_SHARE,
  COLLECTIVE_PART_MAX_LINK_DENSITY,
  COLLECTIVE_PART_MIN_PARAGRAPHS,
  COLLECTIVE_PROSE_MAX_LINK_DENSITY,
  COLLECTIVE_PROSE_MIN_PARAGRAPH_SHARE,
  CONTENT_TOKEN,
  DATELINE_MAX_CHARS,
  DATELINE_WORDS,
  DATELINE_WORDS_INTL,
  DESTRUCTIVE_MAX_SHARE,
  DUPLICATE_SIBLING_MIN_CHARS,
  ESCALATE_MAX_CHARS,
  ESCALATE_MAX_SHARE,
  ESCALATE_STOP_LIST_MAX_LINK_DENSITY,
  FORM_BOX_MAX_CHARS,
  isBoilerplateText,
  LABEL_LINE_END,
  LABEL_LINK_MAX_CHARS,
  LABEL_LINK_MAX_LABEL_CHARS,
  LABEL_LINK_MIN_DENSITY,
  LABEL_LINK_MIN_LINK_CHARS,
  LABEL_LINK_SEPARATOR,
  LINE_BROKEN_TAGS,
  LINK_LIST_MIN_DENSITY,
  LINK_LIST_MIN_ITEMS,
  LINK_PARAGRAPH_MAX_CHARS,
  LINK_PARAGRAPH_MIN_DENSITY,
  LOOSE_RUN_READ_MAX_CHARS,
  LOOSE_TEXT_CONTAINERS,
  MAX_BLOCK_ELEMENTS,
  META_LINE_LABEL_MAX_CHARS,
  META_LINE_LABEL_MAX_WORDS,
  META_LINE_SEPARATOR,
  PHOTO_CREDIT_END,
  PROSE_INTRO,
  READING_TIME,
  TAG_LINK,
  TAG_LIST_MIN_LINKS,
  TAG_LIST_MIN_SHARE,
  TEASER_BLOCK_MIN_DENSITY,
  TEASER_LIST_MIN_DENSITY,
} from './boilerplate.ts';
import { elementsInOrder, isElement, textContent, visitElements } from './content-dom.ts';
import {
  blockText,
  classTokens,
  isCaption,
  isGatedStory,
  isInsideCode,
  isMarkedArticleBody,
  linkDensity,
  nextElementSibling,
  type Stats,
} from './content-stats.ts';
import { HAS_LETTER } from './letters.ts';
import { localizedMonth } from './metadata-dates.ts';
import { BLOCK_TAGS, collapseWhitespace, countWords } from './text.ts';

function looksLikeBoilerplateByClass(element: Element): boolean {
  // Most elements have neither: no token list to build for them.
  const { class: className, id } = element.attribs;
  if (!className && !id) return false;
  const tokens = classTokens(element);
  if (tokens.length === 0) return false;
  let boilerplate = false;
  for (const token of tokens) {
    if (CONTENT_TOKEN.test(token)) return false;
    if (BOILERPLATE_TOKEN.test(token)) boilerplate = true;
  }
  return boilerplate;
}

/**
 * Furniture inside the chosen content: by class/id token, by text of short blocks, by heading. Returns the link
 * lists kept because the story introduces them (PROSE_INTRO), which conditional cleaning must not count as links.
 */
export function pruneBoilerplate(
  nodes: AnyNode[],
  top: Element | undefined,
  stats: Map<Element, Stats>,
  excluded: Set<Element>,
  looseText: Set<AnyNode>,
): Set<Element> {
  const introducedLists = new Set<Element>();
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
    visitElements(node, (element) => {
      if (excluded.has(element)) return true;
      if (roots.has(element) || !isNestedArticle(element)) return false;
      nestedArticles.push(element);
      return true;
    });
  }
  const teaserArticles = new Set(
    keepCollectiveParts(nestedArticles, stats, total, { plainProseParts: false }),
  );
  const isCopyOfPrevious = copyDetector(stats, total);
  const judge = (element: Element): boolean => {
    if (excluded.has(element)) return true;
    const s = stats.get(element);
    // A copy goes even when it is one of the chosen blocks (a variant that scored as well as the original).
    if (isCopyOfPrevious(element, s)) {
      excluded.add(element);
      return true;
    }
    // Also in the wrappers of the story: their loose prompts are not part of it.
    if (
      s &&
      (s.hasBlockChild
        ? LOOSE_TEXT_CONTAINERS.has(element.name)
        : s.text > BOILERPLATE_TEXT_MAX_CHARS && LINE_BROKEN_TAGS.has(element.name))
    ) {
      excludeLooseBoilerplate(element, excluded, looseText);
    }
    if (roots.has(element) && holdsTop.has(element)) return false;
    const text = s?.text ?? 0;
    if (teaserArticles.has(element)) {
      excluded.add(element);
      return true;
    }
    // Never prune by class an element that holds most of the article: a stray "comments-on" class on the
    // article wrapper must not cost the whole body.
    if (
      text < total * CLASS_PRUNE_MAX_SHARE &&
      !isMarkedArticleBody(element) &&
      looksLikeBoilerplateByClass(element) &&
      !isLinkInProse(element) &&
      !isInsideCode(element) &&
      !isGatedStory(element)
    ) {
      excluded.add(element);
      return true;
    }
    if (
      (element.name === 'ul' || element.name === 'ol') &&
      s !== undefined &&
      s.li >= LINK_LIST_MIN_ITEMS &&
      linkDensity(s) >= LINK_LIST_MIN_DENSITY
    ) {
      // A list the story introduces is kept whole: its entries are not teaser links either.
      if (introducedByProse(element, stats, excluded)) introducedLists.add(element);
      else excluded.add(element);
      return true;
    }
    if (element.name === 'form' && (s?.input ?? 0) > 0 && text < FORM_BOX_MAX_CHARS) {
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
      const blockString = collapseWhitespace(blockText(element, excluded, stats));
      // An <h1> inside the content is no headline (that is trimmed later): "Mehr zum Thema" as a page region's title.
      const isHeading = /^h[1-6]$/.test(element.name);
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
          if (linkDensity(stats.get(next)) <= (isList ? TEASER_LIST_MIN_DENSITY : TEASER_BLOCK_MIN_DENSITY))
            break;
          excluded.add(next);
        }
        return true;
      }
      if (
        (blockString.length <= DATELINE_MAX_CHARS && (isDateline(blockString) || isMetaLine(blockString))) ||
        isByline(blockString)
      ) {
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
      // A caption whose last words credit the photo ("… (Foto: Agency)", "… | © Name/Agency"): no prose ends so.
      // Marked captions are left out of the text already, and kept in the html; a box holding a paragraph is more
      // than a caption (a step of a how-to with its photo credited below it).
      const holdsParagraph = (s?.p ?? 0) > (element.name === 'p' ? 1 : 0);
      if (!holdsParagraph && !isCaption(element) && PHOTO_CREDIT_END.test(blockString)) {
        excluded.add(element);
        return true;
      }
      if (isBoilerplateText(blockString)) {
        excluded.add(escalate(element, roots, stats, total));
        return true;
      }
      if (s && isTagList(element, s)) {
        excluded.add(element);
        return true;
      }
      const teaser = labelledTeaser(element, blockString, s, stats);
      if (teaser.length > 0) {
        for (const part of teaser) excluded.add(part);
        return true;
      }
    }
    return false;
  };
  for (const node of nodes) {
    // A block gathered beside the story (a sibling paragraph, a lead) is judged as a block inside it is.
    if (isElement(node) && !holdsTop.has(node)) {
      judge(node);
      if (excluded.has(node)) continue;
    } else if (isElement(node) && stats.get(node)?.hasBlockChild && LOOSE_TEXT_CONTAINERS.has(node.name)) {
      excludeLooseBoilerplate(node, excluded, looseText);
    }
    visitElements(node, judge);
  }
  return introducedLists;
}

/**
 * Loose text between a container's blocks (text and inline elements up to the next block or <br>) is judged by
 * BOILERPLATE_TEXT as a block is: a prompt written straight into the story's wrapper ("Du musst <a>eingeloggt</a>
 * sein um Kommentare zu schreiben!") has no block of its own for the block rules to see; nor has a line of a long
 * paragraph broken by <br> ("… Käse.<br>Rezept drucken").
 */
function excludeLooseBoilerplate(element: Element, excluded: Set<Element>, looseText: Set<AnyNode>): void {
  let run: AnyNode[] = [];
  let text = '';
  const close = (): void => {
    if (run.length > 0 && text.length <= LOOSE_RUN_READ_MAX_CHARS) {
      const line = collapseWhitespace(text);
      if (line.length > 0 && line.length <= BOILERPLATE_TEXT_MAX_CHARS && isBoilerplateText(line)) {
        for (const node of run) {
          if (isElement(node)) excluded.add(node);
          else looseText.add(node);
        }
      }
    }
    run = [];
    text = '';
  };
  for (const child of element.children) {
    if (child.type === 'text') {
      run.push(child);
      // Only the length matters once a run is too long to be a prompt.
      if (text.length <= LOOSE_RUN_READ_MAX_CHARS) text += (child as { data: string }).data;
    } else if (isElement(child)) {
      if (BLOCK_TAGS.has(child.name) || child.name === 'br') close();
      else if (!excluded.has(child)) {
        run.push(child);
        if (text.length <= LOOSE_RUN_READ_MAX_CHARS) text += textContent(child);
      }
    }
  }
  close();
}

/**
 * A link in a paragraph's running text ("… keep a <a class=recommendation-link>vegetable garden</a> near …"): its
 * words are the sentence's whatever its class says, so class pruning leaves it.
 */
function isLinkInProse(element: Element): boolean {
  if (element.name !== 'a') return false;
  const parent = element.parent;
  if (!parent || !isElement(parent) || parent.name !== 'p') return false;
  for (const node of parent.children) {
    if (node.type === 'text' && HAS_LETTER.test((node as { data: string }).data)) return true;
  }
  return false;
}

/**
 * Whether a box of blocks repeats its previous element sibling's text word for word (a responsive variant: the
 * same section rendered for another screen size and hidden by CSS). Texts are read only for siblings of equal length,
 * within a budget of twice the content's text, so a tree built to make every comparison long stays linear.
 */
function copyDetector(
  stats: Map<Element, Stats>,
  total: number,
): (element: Element, s: Stats | undefined) => boolean {
  let budget = 2 * total;
  const normalized = (element: Element) => collapseWhitespace(textContent(element));
  return (element, s) => {
    // A box of blocks: a paragraph said twice may be meant (a refrain, filler text), a section rendered twice is not.
    if (!s?.hasBlockChild || s.text < DUPLICATE_SIBLING_MIN_CHARS || budget <= 0) return false;
    let previous = element.prev;
    while (previous && !isElement(previous)) previous = previous.prev;
    if (!previous || stats.get(previous)?.text !== s.text) return false;
    budget -= 2 * s.text;
    return normalized(previous) === normalized(element);
  };
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

/**
 * Whether a sentence of prose ending with a colon introduces the list (PROSE_INTRO): the element before it, or
 * before the wrappers it is the only child of ("<div class=paragraph><p>…:</p></div><div class=ulist><ul>").
 */
function introducedByProse(list: Element, stats: Map<Element, Stats>, excluded: Set<Element>): boolean {
  let box: Element = list;
  let intro = previousElementSibling(box);
  while (!intro && box.parent && isElement(box.parent) && onlyElementChild(box.parent, box)) {
    box = box.parent;
    intro = previousElementSibling(box);
  }
  if (!intro || excluded.has(intro)) return false;
  const s = stats.get(intro);
  if (!s || s.text === 0 || linkDensity(s) > PROSE_INTRO.maxLinkDensity || /^h[1-6]$/.test(intro.name))
    return false;
  const text = blockText(intro, excluded, stats).trim();
  // "Related articles from our blog:" is a teaser's label however long.
  return (
    PROSE_INTRO.end.test(text) && countWords(text) >= PROSE_INTRO.minWords && !BOILERPLATE_HEADING.test(text)
  );
}

function previousElementSibling(element: Element): Element | undefined {
  let previous = element.prev;
  while (previous && !isElement(previous)) previous = previous.prev;
  return previous ?? undefined;
}

function onlyElementChild(parent: Element, child: Element): boolean {
  for (const node of parent.children) if (isElement(node) && node !== child) return false;
  return true;
}

/** A block made of links to tag pages ("Tags: <a rel=tag>…</a>, <a rel=tag>…</a>"). */
function isTagList(element: Element, s: Stats): boolean {
  if (s.link < s.text * TAG_LIST_MIN_SHARE) return false;
  let links = 0;
  let linkText = 0;
  for (const link of elementsInOrder(element, undefined, MAX_BLOCK_ELEMENTS)) {
    if (link.name !== 'a') continue;
    const rel = link.attribs.rel ?? '';
    if (!/(^|\s)tag(\s|$)/i.test(rel) && !TAG_LINK.test(link.attribs.href ?? '')) continue;
    links++;
    linkText += textContent(link).trim().length;
  }
  return links >= TAG_LIST_MIN_LINKS && linkText >= s.text * TAG_LIST_MIN_SHARE;
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
export function isDateline(text: string): boolean {
  if (!/\d/.test(text)) return false;
  // A lone number is a quantity ('300' grams in an ingredient line, a count), unless it reads as a year.
  const lone = /^[\s\p{P}]*(\d+)[\s\p{P}]*$/u.exec(text);
  if (lone && !/^(1[89]|20)\d\d$/.test(lone[1]!)) return false;
  return stripDates(text).replace(/[\s.,:;|/()\-–—·•]+/g, '').length === 0;
}

/**
 * A post's meta line: a dateline and short labels (its section, a tag) in segments split by bars or dots
 * ("24. März 2004, 19:49 | Genesis", "2021-10-16 | Politik").
 */
export function isMetaLine(text: string): boolean {
  const segments = text.split(META_LINE_SEPARATOR).map((segment) => segment.trim());
  if (segments.length < 2 || !segments.some((segment) => segment !== '' && isDateline(segment))) return false;
  return segments.every(
    (segment) =>
      segment === '' ||
      isDateline(segment) ||
      (segment.length <= META_LINE_LABEL_MAX_CHARS &&
        segment.split(/\s+/).length <= META_LINE_LABEL_MAX_WORDS &&
        !/\d/.test(segment)),
  );
}

/** A word that may be a month name or abbreviation (global: for String.prototype.replace only). */
const MONTH_WORD_CANDIDATE = /\p{L}{3,}\.?/gu;

function stripDates(text: string): string {
  return (
    text
      // a time glued to its meridiem ("10:39AM") before the words, whose \b needs a gap
      .replace(/\d{1,2}[:.]\d{2}\s*[ap]\.?m\b\.?/gi, '')
      .replace(READING_TIME, '')
      .replace(DATELINE_WORDS, '')
      .replace(DATELINE_WORDS_INTL, '')
      // Month names and abbreviations of every language the date reader knows ("16 marca 2021", "3 окт. 2020").
      .replace(MONTH_WORD_CANDIDATE, (word) => (localizedMonth(word) === undefined ? word : ''))
      .replace(/\d+(st|nd|rd|th|º|ª)?\b/g, '')
      .replace(/\d+/g, '')
  );
}

/** "By Jane Doe, John Roe on Monday, November 18th, 2019": names (capitalized words) and dates only. */
export function isByline(text: string): boolean {
  if (text.length > BYLINE_MAX_CHARS || !BYLINE_START.test(text)) return false;
  const words = stripDates(text.replace(BYLINE_START, ''))
    .split(/[\s,;|·•]+/)
    .filter((word) => HAS_LETTER.test(word));
  if (words.length === 0 || words.length > 12) return false;
  return words.every(
    (word) => BYLINE_JOINERS.has(word.toLowerCase()) || /^[\p{Lu}][\p{L}.'’-]*$/u.test(word),
  );
}

/** A boilerplate line usually sits in a small box (newsletter, share bar): take the whole box when small. */
function escalate(element: Element, roots: Set<AnyNode>, stats: Map<Element, Stats>, total: number): Element {
  // The box must stay small both absolutely and against the whole content, or it is the story itself.
  const limit = Math.min(ESCALATE_MAX_CHARS, total * ESCALATE_MAX_SHARE);
  let current = element;
  for (let level = 0; level < 3; level++) {
    const parent = current.parent;
    // A line inside a figure (its credit, its caption) belongs to the figure: the box around the figure holds the
    // story's own blocks beside it (the lead under the top photo).
    if (!parent || !isElement(parent) || roots.has(parent) || current.name === 'figure') break;
    const s = stats.get(parent);
    if (!s || s.text > limit || s.p > 4) break;
    // A box that is mostly a list of unlinked items holds content: a servings form above an ingredient list.
    if (
      s.li >= LINK_LIST_MIN_ITEMS &&
      s.listText >= s.text / 2 &&
      linkDensity(s) < ESCALATE_STOP_LIST_MAX_LINK_DENSITY
    )
      break;
    current = parent;
  }
  return current;
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

/**
 * Nor may a rule remove most of the chosen content in many pieces: boxes that one rule would drop, that together
 * hold more than DESTRUCTIVE_MAX_SHARE of it and have paragraphs of their own, are the story's parts (listicle
 * entries, reviewed products, repeated sections), not furniture in it. Then only the link-dense ones go.
 */
export function keepCollectiveParts(
  doomed: readonly Element[],
  stats: Map<Element, Stats>,
  total: number,
  options: { plainProseParts: boolean },
  spared: readonly Element[] = [],
): Element[] {
  let removed = 0;
  let paragraphs = 0;
  // Boxes the rule would drop but that are spared anyway (sections of the content) count as parts too.
  const judged = spared.length > 0 ? [...doomed, ...spared] : doomed;
  for (const element of judged) {
    removed += stats.get(element)?.text ?? 0;
    paragraphs += stats.get(element)?.p ?? 0;
  }
  // Parts of a story have paragraphs of their own; one-paragraph cards are teasers however many there are,
  // unless the boxes are plain prose: nearly all their text in paragraphs and almost none of it linked (a page
  // builder's one-paragraph text widgets), where a teaser card's headline is a link. Not for <article>s: each
  // is a story of its own (a related post may be one unlinked paragraph).
  const parts =
    paragraphs >= judged.length * COLLECTIVE_PART_MIN_PARAGRAPHS ||
    (options.plainProseParts && isPlainProse(judged, stats));
  if (removed <= total * DESTRUCTIVE_MAX_SHARE || !parts) {
    return [...doomed];
  }
  return doomed.filter((element) => linkDensity(stats.get(element)) > COLLECTIVE_PART_MAX_LINK_DENSITY);
}

function isPlainProse(elements: readonly Element[], stats: Map<Element, Stats>): boolean {
  let text = 0;
  let paragraphText = 0;
  let linkText = 0;
  for (const element of elements) {
    const s = stats.get(element);
    if (!s) continue;
    text += s.text;
    paragraphText += s.paragraphText;
    linkText += s.link;
  }
  return (
    text > 0 &&
    paragraphText >= text * COLLECTIVE_PROSE_MIN_PARAGRAPH_SHARE &&
    linkText <= text * COLLECTIVE_PROSE_MAX_LINK_DENSITY
  );
}
