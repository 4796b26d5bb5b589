// Main-content detection: which part of a page is the article body, with its furniture pruned.
//
// In the spirit of Readability.js (paragraph scores flowing to ancestors, link density, class weights,
// sibling merging, conditional cleaning) and trafilatura (pruning boilerplate inside the chosen container by
// class and by text). Nothing is removed from the DOM: judged nodes go into an `excluded` set, so a failed
// attempt can be retried with relaxed rules on the same tree. Every traversal is iterative.
//
// The stages, one module each, run in this order by runAttempt below; every threshold and pattern they use is
// named in boilerplate.ts:
//   content-stats.ts  statistics: text, link, paragraph counts per element, bottom-up in one pass
//   content-score.ts  scoring: furniture left out, candidates scored, the top one and its siblings, the lead
//   content-prune.ts  pruning: boilerplate inside the chosen content by class, text, heading and structure
//   content-clean.ts  conditional cleaning: containers that are mostly links, images, inputs or teasers
//   content-trim.ts   trimming: the headline repeating the title and the labels above it
import type { AnyNode, Element } from 'domhandler';
import { MIN_TEXT_CHARS, RETRY_MIN_GAIN } from './boilerplate.ts';
import { cleanConditionally } from './content-clean.ts';
import { documentRoot, elementsInOrder, type ParsedPage } from './content-dom.ts';
import { pruneBoilerplate } from './content-prune.ts';
import { repairTree } from './content-repair.ts';
import {
  chooseTopCandidate,
  classWeight,
  excludeFurniture,
  type Flags,
  findLeadAbove,
  gatherSiblings,
  scoreCandidates,
} from './content-score.ts';
import {
  computeStats,
  documentBaseUrl,
  isCaption,
  keptInOrder,
  mainBody,
  measurePage,
  metaDescription,
  type PageText,
  statsInOrder,
} from './content-stats.ts';
import { dropHeadline } from './content-trim.ts';
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

const ATTEMPTS: Flags[] = [
  { stripUnlikely: true, weightClasses: true, cleanConditionally: true },
  { stripUnlikely: false, weightClasses: true, cleanConditionally: true },
  { stripUnlikely: false, weightClasses: false, cleanConditionally: true },
  { stripUnlikely: false, weightClasses: false, cleanConditionally: false },
];

/** Finds, prunes and serializes the main content. Never throws; undefined when there is no content. */
export function extractContent($: ParsedPage, options: ContentOptions): ExtractedContent | undefined {
  try {
    const root = documentRoot($);
    // The whole page listed once for both.
    const elements = elementsInOrder(root);
    const body = mainBody(root, elements);
    repairTree(root, body, elements);
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
      if (!best || attempt.text.length > best.text.length * RETRY_MIN_GAIN) best = attempt;
      if (best.text.length >= MIN_TEXT_CHARS) break;
    }
    if (!best || best.text.trim().length === 0) return undefined;
    const excluded = best.excluded;
    const looseText = best.looseText;
    const html = sanitizeToHtml(best.nodes, {
      baseUrl,
      skip: (element) => excluded.has(element),
      skipText: (node) => looseText.has(node),
    });
    return { html, text: best.text, wordCount: countWords(best.text) };
  } catch {
    return undefined;
  }
}

interface Attempt {
  nodes: AnyNode[];
  excluded: Set<Element>;
  /** Loose text nodes judged boilerplate (no element of their own to put in `excluded`). */
  looseText: Set<AnyNode>;
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

interface PageHints {
  title: string | undefined;
  description: string | undefined;
}

function runAttempt(body: AnyNode, flags: Flags, page: PageHints, pageText: PageText): Attempt {
  const excluded = new Set<Element>();
  const unlikely = excludeFurniture(body, flags, excluded, pageText);
  // The body's kept elements in document order, listed once: the statistics, the scoring, the siblings and the lead
  // all read them, and nothing is excluded until pruning.
  const order = keptInOrder([body], excluded);
  let stats = statsInOrder(order);
  const scores = scoreCandidates(body, order, stats, flags);
  const weights = [...scores.keys()].some((element) => classWeight(element, flags) !== 0);
  // Sections are read whole only while the page's furniture is left out: with it back in, a consent dialog's
  // headed panels would pass for sections.
  const sections = flags.stripUnlikely ? new Set<Element>() : undefined;
  const top = chooseTopCandidate(body, scores, stats, excluded, sections);
  const nodes = gatherSiblings(top, body, order, scores, stats, excluded);
  nodes.unshift(...findLeadAbove(body, order, nodes, stats, excluded, page.description, page.title));

  const looseText = new Set<AnyNode>();
  const introducedLists = pruneBoilerplate(nodes, top, stats, excluded, looseText);
  let conditional = false;
  if (flags.cleanConditionally) {
    stats = computeStats(nodes, excluded);
    conditional = cleanConditionally(nodes, top, stats, scores, excluded, flags, sections, introducedLists);
  }
  dropHeadline(nodes, excluded, stats, page.title);
  const text = toPlainText(nodes, {
    skip: (element) => excluded.has(element) || isCaption(element),
    skipText: (node) => looseText.has(node),
  });
  return { nodes, excluded, looseText, text, effects: { unlikely, weights, conditional } };
}
