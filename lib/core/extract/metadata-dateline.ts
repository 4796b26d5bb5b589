// The dates a page shows and marks up in its body: <time datetime>, data-*date attributes, microdata, and the
// dateline near the headline. Dates of other pages (teaser cards, related posts, comments) and of updates are
// told apart here. Patterns and thresholds are in the table below.
import type { Element } from 'domhandler';
import { TEASER_CARD } from './boilerplate.ts';
import { headlineAncestors, insideUnlikelyBylineContext } from './metadata-context.ts';
import { parseMetadataDate, parseVisibleDate } from './metadata-dates.ts';
import {
  AUTHOR_LINK,
  ancestorsOf,
  descendantsWhere,
  findDescendant,
  hasToken,
  type PageIndex,
  textOfNode,
  visibleTextLength,
} from './metadata-dom.ts';

// ---------------------------------------------------------------------------------------------------------------
// Table

/** Labels that say a visible date is the update, not the publication. */
const UPDATED_LABEL =
  /\b(?:updated|last updated|modified|revised|aktualisiert|mis à jour|actualizado|aggiornato|atualizado|bijgewerkt|zaktualizowano|обновлено|güncellen\w*)\b|更新|수정/iu;
/** Labels that say a visible date is the publication (such a date counts also past the window below the h1). */
const PUBLISHED_LABEL =
  /\b(?:published|posted|publish(?:ing)? date|publication date|veröffentlicht|publié|publicado|pubblicato|gepubliceerd|opublikowano|опубликовано|yayınlanma)\b|公開|发布|發佈|게시|발행/iu;
/** Class/id words of blocks whose labelled dates are other posts' (a labelled date elsewhere is the page's). */
const COMMENT_OR_RELATED = /comment|repl(?:y|ies)|related|recommend|more-(?:posts|stories|articles)/i;

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
  for (const element of page.dataDates) {
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
 * tie: dates just above the h1 may end a list of other posts); and the first update before it.
 */
export function visibleDateline(page: PageIndex, language: string | undefined, now: Date): Dateline {
  const center = page.headlineTextIndex ?? 0;
  const from = Math.max(0, center - DATELINE_WINDOW_BEFORE);
  const to = Math.min(page.texts.length, center + DATELINE_WINDOW_AFTER);
  const found: Dateline = {};
  const published: { index: number; value: string }[] = [];
  const updated: { index: number; value: string }[] = [];
  // Past the window only a date labelled as the publication counts ("Posted on …" at the end of the post).
  for (let i = from; i < page.texts.length; i++) {
    const beyondWindow = i >= to;
    if (beyondWindow && published.length > 0) break;
    const entry = page.texts[i];
    if (entry === undefined || entry.text.length > 120 || !/\d/.test(entry.text)) continue;
    if (entry.parent.name === 'title' || entry.parent.name === 'script') continue;
    if (
      beyondWindow &&
      ![entry, page.texts[i - 1], page.texts[i - 2]].some((near) => PUBLISHED_LABEL.test(near?.text ?? ''))
    ) {
      continue;
    }
    const parsed = parseVisibleDate(entry.text, language, now);
    if (parsed === undefined) continue;
    // The label is before the date in the same text, or alone in the text before it.
    const ownLabel = entry.text.slice(0, Math.max(0, entry.text.search(/\d/)));
    // A label split from its colon ("Updated" / ":" / date) is read across the punctuation.
    const previous = page.texts[i - 1]?.text ?? '';
    const before = /^[\p{P}\s]*$/u.test(previous) ? `${page.texts[i - 2]?.text ?? ''} ${previous}` : previous;
    const label =
      UPDATED_LABEL.test(ownLabel) || PUBLISHED_LABEL.test(ownLabel) ? ownLabel : `${before} ${ownLabel}`;
    if (beyondWindow && !(PUBLISHED_LABEL.test(label) && !UPDATED_LABEL.test(label))) continue;
    // A date labelled "Published" in a post's sidebar is the post's; only comments and related posts are others'.
    const unlikelyContext = PUBLISHED_LABEL.test(label)
      ? ancestorsOf(entry.parent).some((ancestor) =>
          COMMENT_OR_RELATED.test(`${ancestor.attribs.class ?? ''} ${ancestor.attribs.id ?? ''}`),
        )
      : insideUnlikelyBylineContext(entry.parent, page);
    if (unlikelyContext || insideDataTable(entry.parent) || isTeaserOrUpdateDate(entry.parent, page))
      continue;
    if (UPDATED_LABEL.test(label)) {
      updated.push({ index: i, value: parsed });
    } else {
      published.push({ index: i, value: parsed });
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

/** The page's URL, for telling a link to another page from a permalink to this one. */
const pageUrlOf = new WeakMap<PageIndex, { page: URL; base: URL }>();
export function notePageUrls(page: PageIndex, urls: { page: URL; base: URL }): void {
  pageUrlOf.set(page, urls);
}

/** A link to another page than this one (not a fragment, not a permalink). */
function linksElsewhere(link: Element, page: PageIndex): boolean {
  const href = link.attribs.href?.trim();
  const urls = pageUrlOf.get(page);
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
