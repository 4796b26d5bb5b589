// The dates a page shows and marks up in its body: <time datetime>, data-*date attributes, microdata, and the
// dateline near the headline. Dates of other pages (teaser cards, related posts, comments) and of updates are
// told apart here. Patterns and thresholds are in the table below.
import type { AnyNode, Element } from 'domhandler';
import { TEASER_CARD } from './boilerplate.ts';
import { caseInsensitiveTest } from './case-insensitive.ts';
import { VISIBLE_BYLINE_START } from './metadata-authors.ts';
import { headlineAncestors, insideUnlikelyBylineContext } from './metadata-context.ts';
import { parseMetadataDate, parseVisibleDate } from './metadata-dates.ts';
import {
  AUTHOR_LINK,
  ancestorsOf,
  dataDateElements,
  descendantsWhere,
  findDescendant,
  hasToken,
  isElement,
  type PageIndex,
  textOfNode,
  visibleTextLength,
} from './metadata-dom.ts';
import { isPostBlock } from './page-type.ts';

// ---------------------------------------------------------------------------------------------------------------
// Table

/** Labels that say a visible date is the update, not the publication. */
const UPDATED_LABEL = caseInsensitiveTest(
  String.raw`\b(?:updated|last updated|modified|revised|aktualisiert|mis à jour|actualizado|aggiornato|atualizado|bijgewerkt|zaktualizowano|обновлено|güncellen\w*)\b|更新|수정`,
);
/** Labels that say a visible date is the publication (such a date counts also past the window below the h1). */
const PUBLISHED_LABEL = caseInsensitiveTest(
  String.raw`\b(?:published|posted|publish(?:ing)? date|publication date|veröffentlicht|publié|publicado|pubblicato|gepubliceerd|opublikowano|опубликовано|yayınlanma)\b|公開|发布|發佈|게시|발행`,
);
/** Class/id words of blocks whose labelled dates are other posts' (a labelled date elsewhere is the page's). */
const COMMENT_OR_RELATED = /comment|repl(?:y|ies)|related|recommend|more-(?:posts|stories|articles)/i;

/**
 * Words just before a date that name another event than the page's publication: an offer's or a sale's end, a
 * validity, an event's start or end, a deadline, a member's joining, a check, an upcoming release ("Offer ends
 * Aug 2, 2026", "valid through 01/23/2026", "Joined: Dec 11, 2021", "Last checked: 2025-10-28", "gültig bis …").
 * Read at the end of the date's label, before the month name of a month-first date ("Ends Aug 2").
 */
const OTHER_EVENT_WORDS = [
  'expire|expires|expired|expiry|expiration|valid|valid (?:through|thru|until|till|to|from)|good (?:through|until)',
  'ends?|ending|until|till|through|thru|deadline|due|due date|effective(?: (?:date|from|beginning|as of|on))?',
  '(?:book|travel|register|apply|order) by|starts?|starting|begins?|opens?|closes?|closing date|event date',
  'last (?:checked|active|seen|login|visit|visited)|joined|member since|founded|established|releases',
  // de, fr, es, it, nl, pl, ru
  "gültig (?:bis|ab)|endet|läuft ab|bis|jusqu’au|jusqu'au|valable jusqu’au|hasta|válido hasta|fino al|valido fino al",
  'geldig tot|tot en met|ważne do|ważny do|действует до|до',
].join('|');
const OTHER_EVENT_LABEL = caseInsensitiveTest(
  `(?:^|[^\\p{L}])(?:${OTHER_EVENT_WORDS})[\\s:：,–—-]*(?:on\\s+)?(?:\\p{L}{3,10}\\.?,?\\s*)?$`,
);

/**
 * A date range ("1/27/2026 - 3/24/2026") is an event's or an offer's period, not a dateline: two ends joined by a
 * separator, each a date with little else ("Bern, 17.08.2007 - Rede von …, 18. August 2007" is not one).
 */
const DATE_RANGE_END_CHARS = 40;
const DATE_RANGE_SEPARATOR = /\s+[-–—]\s+|\s*[–—]\s*|\s+(?:to|bis|au|al|a)\s+/;

/**
 * One entry of a list of other pages (a listing, an archive, job or event cards, a list of days): the element or
 * one of its ancestors up to maxLevels is one of at least minItems siblings of the same tag and class that each
 * hold a date and a link to another page. Items longer than maxItemChars are the page's own posts or sections, not
 * cards; a thread's posts (post classes, Comment/DiscussionForumPosting microdata) are the page's own too: the
 * first one dates the thread. At most maxTextsPerItem short texts with digits are read in each sibling.
 */
const DATED_LIST = { maxLevels: 5, minItems: 3, maxItemChars: 600, maxTextsPerItem: 50 } as const;

/** A date at most this many texts after a byline line (of at most MAX_BYLINE_BEFORE_DATE characters) is its dateline. */
const BYLINE_BEFORE_DATE_TEXTS = 2;
const MAX_BYLINE_BEFORE_DATE = 80;

/** Short texts before and after the h1 searched for the dateline. */
const DATELINE_WINDOW_BEFORE = 10;
const DATELINE_WINDOW_AFTER = 120;

/** A dateline within this many short texts of the h1 is the headline's own, not a teaser's further down. */
const NEAR_HEADLINE_TEXTS = 30;

/** Class tokens of another article's teaser, or of a field that holds the update time ("field--name-changed"). */
const TEASER_OR_UPDATE_CLASS = /(?:^|[-_\s])(?:teaser|related|recommended|changed|modified)(?:$|[-_\s])/i;
/** A link around a date with more text than this holds another article's headline: the date is that one's. */
const TEASER_LINK_CHARS = 60;
/** The headings a teaser card's title may be (the page's own headline is its h1). */
const LINKED_HEADING = /^h[2-6]$/;

// ---------------------------------------------------------------------------------------------------------------
// Readers

/** data-published="…", data-date="…", data-timestamp="…" on an element that is not in a comment or list of others. */
export function dataAttributeDate(page: PageIndex, now: Date): string | undefined {
  for (const element of dataDateElements(page)) {
    if (insideUnlikelyBylineContext(element, page) || insideTeaserCard(element, page)) continue;
    for (const [key, value] of Object.entries(element.attribs)) {
      if (!key.startsWith('data-') || !/date|time|publish/.test(key) || /modif|updat|expir|end/.test(key))
        continue;
      const parsed = parseMetadataDate(value, now);
      if (parsed !== undefined) return parsed;
    }
  }
  return undefined;
}

export interface Dateline {
  published?: string;
  updated?: string;
  /** Where the published date is in page.texts. */
  publishedIndex?: number;
  publishedNearHeadline?: boolean;
}

/**
 * The dates shown near the headline: of those not labelled as an update, the one nearest the h1 (after it on a
 * tie: dates just above the h1 may end a list of other posts); and the first update before it. Only the window
 * around the h1 is read: past it only a labelled publication counts (labelledDateAfterWindow), and only the last
 * publication-date reader asks for one.
 */
export function visibleDateline(page: PageIndex, language: string | undefined, now: Date): Dateline {
  const center = page.headlineTextIndex ?? 0;
  const from = Math.max(0, center - DATELINE_WINDOW_BEFORE);
  const to = Math.min(page.texts.length, center + DATELINE_WINDOW_AFTER);
  const found: Dateline = {};
  const published: { index: number; value: string }[] = [];
  const updated: { index: number; value: string }[] = [];
  for (let i = from; i < to; i++) {
    const date = shownDateAt(page, i, false, language, now);
    if (date === undefined) continue;
    if (date.updated) {
      updated.push({ index: i, value: date.value });
    } else {
      published.push({ index: i, value: date.value });
      // Once past the h1, a later date is only farther from it.
      if (i >= center) break;
    }
  }
  const distance = (index: number) => Math.abs(index - center) - (index > center ? 0.5 : 0);
  const nearest = published.reduce<(typeof published)[number] | undefined>(
    (best, candidate) =>
      best === undefined || distance(candidate.index) < distance(best.index) ? candidate : best,
    undefined,
  );
  if (nearest !== undefined) {
    found.published = nearest.value;
    found.publishedIndex = nearest.index;
    found.publishedNearHeadline =
      page.headlineTextIndex !== undefined && Math.abs(nearest.index - center) <= NEAR_HEADLINE_TEXTS;
  }
  found.updated = updated.find((entry) => nearest === undefined || entry.index < nearest.index)?.value;
  return found;
}

/**
 * The first date past visibleDateline's window labelled as the publication ("Posted on …" at the end of the post),
 * for a page whose window shows none. Never near the headline, so no other reader than the last date reader needs it.
 */
export function labelledDateAfterWindow(
  page: PageIndex,
  language: string | undefined,
  now: Date,
  authors: readonly string[] = [],
): string | undefined {
  const center = page.headlineTextIndex ?? 0;
  for (let i = Math.min(page.texts.length, center + DATELINE_WINDOW_AFTER); i < page.texts.length; i++) {
    const date = shownDateAt(page, i, true, language, now, authors);
    if (date !== undefined && !date.updated) return date.value;
  }
  return undefined;
}

/** The date page.texts[i] shows, when it is the page's own; past the window only one labelled as the publication. */
function shownDateAt(
  page: PageIndex,
  i: number,
  beyondWindow: boolean,
  language: string | undefined,
  now: Date,
  authors: readonly string[] = [],
): { value: string; updated: boolean } | undefined {
  const entry = page.texts[i];
  if (entry === undefined || entry.text.length > 120 || !/\d/.test(entry.text)) return undefined;
  if (entry.parent.name === 'title' || entry.parent.name === 'script') return undefined;
  const labelledNear =
    beyondWindow &&
    [entry, page.texts[i - 1], page.texts[i - 2]].some((near) => PUBLISHED_LABEL.test(near?.text ?? ''));
  // Past the window, the line of the byline that names the page's authors labels a date too ("Written by" /
  // "Jane Doe and John Roe" / "April 8"); a card's byline names other people.
  const afterByline = beyondWindow && !labelledNear && followsByline(page, i, authors);
  if (beyondWindow && !labelledNear && !afterByline) return undefined;
  const parsed = parseVisibleDate(entry.text, language, now);
  if (parsed === undefined) return undefined;
  // The label is before the date in the same text, or alone in the text before it.
  const ownLabel = entry.text.slice(0, Math.max(0, entry.text.search(/\d/)));
  // A label split from its colon ("Updated" / ":" / date) is read across the punctuation.
  const previous = page.texts[i - 1]?.text ?? '';
  const before = /^[\p{P}\s]*$/u.test(previous) ? `${page.texts[i - 2]?.text ?? ''} ${previous}` : previous;
  const label =
    UPDATED_LABEL.test(ownLabel) || PUBLISHED_LABEL.test(ownLabel) ? ownLabel : `${before} ${ownLabel}`;
  if (beyondWindow && !((afterByline || PUBLISHED_LABEL.test(label)) && !UPDATED_LABEL.test(label)))
    return undefined;
  // A date labelled "Published" in a post's sidebar is the post's; only comments and related posts are others'.
  const unlikelyContext = PUBLISHED_LABEL.test(label)
    ? ancestorsOf(entry.parent).some((ancestor) =>
        COMMENT_OR_RELATED.test(`${ancestor.attribs.class ?? ''} ${ancestor.attribs.id ?? ''}`),
      )
    : insideUnlikelyBylineContext(entry.parent, page);
  if (unlikelyContext || insideDataTable(entry.parent) || isTeaserOrUpdateDate(entry.parent, page))
    return undefined;
  if (OTHER_EVENT_LABEL.test(label) || isDateRange(entry.text, language, now)) return undefined;
  if (insideDatedList(entry.parent, page, language, now)) return undefined;
  return { value: parsed, updated: UPDATED_LABEL.test(label) };
}

/**
 * One of the BYLINE_BEFORE_DATE_TEXTS texts before page.texts[i] opens a short byline line, and it or a text after
 * it names one of the page's authors.
 */
function followsByline(page: PageIndex, i: number, authors: readonly string[]): boolean {
  if (authors.length === 0) return false;
  const names = authors.map((name) => name.toLowerCase());
  for (let j = Math.max(0, i - BYLINE_BEFORE_DATE_TEXTS); j < i; j++) {
    const text = page.texts[j]?.text ?? '';
    if (text.length > MAX_BYLINE_BEFORE_DATE || !VISIBLE_BYLINE_START.test(text)) continue;
    for (let k = j; k < i; k++) {
      const line = (page.texts[k]?.text ?? '').toLowerCase();
      if (names.some((name) => line.includes(name))) return true;
    }
  }
  return false;
}

/** Two dates joined as a range ("1/27/2026 - 3/24/2026", "DATE: 2025-12-12 - 2025-12-17"). */
function isDateRange(text: string, language: string | undefined, now: Date): boolean {
  if (!DATE_RANGE_SEPARATOR.test(text)) return false;
  let dates = 0;
  for (const part of text.split(DATE_RANGE_SEPARATOR)) {
    if (part.length <= DATE_RANGE_END_CHARS && parseVisibleDate(part, language, now) !== undefined) dates++;
  }
  return dates >= 2;
}

/** The element is in one entry of a list of dated items, each another page's (DATED_LIST): its date and byline. */
export function insideDatedList(
  element: Element,
  page: PageIndex,
  language: string | undefined,
  now: Date,
): boolean {
  const layout = headlineAncestors(page);
  for (const item of [element, ...ancestorsOf(element, DATED_LIST.maxLevels)]) {
    if (layout.has(item) || item.name === 'main' || item.name === 'body') return false;
    const parent = item.parent;
    if (parent === null || !isElement(parent)) return false;
    const list = datedListKind(parent, item, page, language, now);
    if (list === 'fewItems') continue;
    if (visibleTextLength(item, DATED_LIST.maxItemChars) > DATED_LIST.maxItemChars || isPostBlock(item))
      return false;
    if (list === 'dated') return true;
  }
  return false;
}

export type DatedListKind = 'fewItems' | 'dated' | 'undated';

/**
 * Whether the parent's children like `item` (same tag and class) are too few for a list (DATED_LIST.minItems), or
 * enough of them hold a date and a link to another page ('dated').
 */
function datedListKind(
  parent: Element,
  item: Element,
  page: PageIndex,
  language: string | undefined,
  now: Date,
): DatedListKind {
  // Kept per page (page.memo): every candidate date and byline asks about its list again, and a list of thousands of
  // undated entries was read whole for each of them.
  let byParent = page.memo.datedListKinds;
  if (byParent === undefined) {
    byParent = new Map();
    page.memo.datedListKinds = byParent;
  }
  let byKind = byParent.get(parent);
  if (byKind === undefined) {
    byKind = new Map();
    byParent.set(parent, byKind);
  }
  const className = item.attribs.class;
  const key = `${item.name} ${className === undefined ? '-' : `.${className}`} ${language ?? ''} ${now.getTime()}`;
  let kind = byKind.get(key);
  if (kind !== undefined) return kind;
  const isLike = (child: AnyNode): child is Element =>
    isElement(child) && child.name === item.name && child.attribs.class === className;
  let siblings = 0;
  for (const child of parent.children) if (isLike(child)) siblings++;
  kind = siblings < DATED_LIST.minItems ? 'fewItems' : 'undated';
  if (kind === 'undated') {
    let dated = 0;
    for (const sibling of parent.children) {
      if (!isLike(sibling)) continue;
      if (
        holdsDate(sibling, language, now, { texts: DATED_LIST.maxTextsPerItem }) &&
        findDescendant(sibling, (link) => link.name === 'a' && linksElsewhere(link, page)) !== undefined
      )
        dated++;
      if (dated >= DATED_LIST.minItems) {
        kind = 'dated';
        break;
      }
    }
  }
  byKind.set(key, kind);
  return kind;
}

/** A short text in the node that reads as a date, looking at no more than budget.texts texts with digits. */
function holdsDate(
  node: AnyNode,
  language: string | undefined,
  now: Date,
  budget: { texts: number },
): boolean {
  if (node.type === 'text') {
    const value = (node as unknown as { data: string }).data;
    if (value.length > 120 || !/\d/.test(value) || budget.texts-- <= 0) return false;
    return parseVisibleDate(value, language, now) !== undefined;
  }
  if (!isElement(node) || node.name === 'script' || node.name === 'style') return false;
  for (const child of node.children) if (holdsDate(child, language, now, budget)) return true;
  return false;
}

/** The page's URL, for telling a link to another page from a permalink to this one. */
export function notePageUrls(page: PageIndex, urls: { page: URL; base: URL }): void {
  page.memo.urls = urls;
}

/** A link to another page than this one (not a fragment, not a permalink). */
function linksElsewhere(link: Element, page: PageIndex): boolean {
  const href = link.attribs.href?.trim();
  const urls = page.memo.urls;
  if (href === undefined || href === '' || href.startsWith('#') || urls === undefined) return false;
  let target: URL;
  try {
    target = new URL(href, urls.base);
  } catch {
    return false;
  }
  const path = (url: URL) => url.pathname.replace(/\/+$/, '');
  return target.host !== urls.page.host || path(target) !== path(urls.page);
}

/**
 * Another page's teaser card around an element (TEASER_CARD): a small block, not around the page's h1, holding one
 * heading that links elsewhere (inside the heading or around it). A block holding two is a list of cards: the
 * element is in none of them.
 */
function insideTeaserCard(element: Element, page: PageIndex): boolean {
  const layout = headlineAncestors(page);
  const ownHeading = [element, ...ancestorsOf(element, TEASER_CARD.maxLevels)].find((ancestor) =>
    LINKED_HEADING.test(ancestor.name),
  );
  for (const block of ancestorsOf(element, TEASER_CARD.maxLevels)) {
    if (layout.has(block) || block.name === 'main' || block.name === 'body') return false;
    if (visibleTextLength(block, TEASER_CARD.maxChars) > TEASER_CARD.maxChars) return false;
    // The element's own heading ("<h3>By <a>Jane Doe</a></h3>") is its line, not another page's title.
    const titles = descendantsWhere(
      block,
      (candidate) => candidate !== ownHeading && isTeaserTitle(candidate, page),
      2,
    );
    if (titles > 0) return titles === 1;
  }
  return false;
}

/** A heading (h2-h6) of a few words that links to another page than this one and not to an author's page. */
function isTeaserTitle(heading: Element, page: PageIndex): boolean {
  if (!LINKED_HEADING.test(heading.name)) return false;
  const link =
    findDescendant(heading, (candidate) => candidate.name === 'a') ??
    ancestorsOf(heading, 3).find((ancestor) => ancestor.name === 'a');
  if (link === undefined || AUTHOR_LINK.test(link.attribs.href ?? '') || !linksElsewhere(link, page))
    return false;
  return textOfNode(heading, 400).trim().split(/\s+/).length >= TEASER_CARD.minTitleWords;
}

/** A date that belongs to a teaser of another article (a card, a link holding a headline) or marks an update. */
function isTeaserOrUpdateDate(element: Element, page: PageIndex): boolean {
  if (insideTeaserCard(element, page)) return true;
  for (const node of [element, ...ancestorsOf(element, 6)]) {
    if (node.name === 'article' || node.name === 'main' || node.name === 'body') return false;
    if (TEASER_OR_UPDATE_CLASS.test(`${node.attribs.class ?? ''} ${node.attribs.id ?? ''}`)) return true;
    if (
      node.name === 'a' &&
      textOfNode(node, TEASER_LINK_CHARS + 1).trim().length > TEASER_LINK_CHARS &&
      // A permalink around the page's own headline and date is not a teaser.
      !ancestorsOf(node, 4).some((ancestor) => ancestor.name === 'h1')
    ) {
      return true;
    }
  }
  return false;
}

/** A cell of a data table (one with header cells): its dates are data, not the page's dateline. */
function insideDataTable(element: Element): boolean {
  const table = [element, ...ancestorsOf(element, 8)].find((ancestor) => ancestor.name === 'table');
  return table !== undefined && findDescendant(table, (candidate) => candidate.name === 'th') !== undefined;
}

export function microdataDate(page: PageIndex, property: string, now: Date): string | undefined {
  const element = page.itemprops.find((candidate) => hasToken(candidate.attribs.itemprop, property));
  if (element === undefined) return undefined;
  return parseMetadataDate(
    element.attribs.content ?? element.attribs.datetime ?? textOfNode(element, 200),
    now,
  );
}

/** A <time datetime> that marks publication: [pubdate], else the first in an article/header/date block, else any. */
export function domPublishedDate(page: PageIndex, now: Date): string | undefined {
  const inDateContext = (time: Element) =>
    ancestorsOf(time, 20).some(
      (ancestor) =>
        ancestor.name === 'article' ||
        ancestor.name === 'header' ||
        /date/i.test(ancestor.attribs.class ?? ''),
    );
  const candidates = [
    page.times.find((time) => time.attribs.pubdate !== undefined),
    page.times.find(inDateContext),
    page.times[0],
  ];
  for (const candidate of candidates) {
    if (
      candidate === undefined ||
      // An aside inside the article holds the post's own meta (date, tags); one beside it is another's.
      insideUnlikelyBylineContext(
        candidate,
        page,
        !ancestorsOf(candidate, 30).some((ancestor) => ancestor.name === 'article'),
      ) ||
      isTeaserOrUpdateDate(candidate, page)
    ) {
      continue;
    }
    const parsed = parseMetadataDate(candidate.attribs.datetime, now);
    if (parsed !== undefined) return parsed;
  }
  return undefined;
}
