// Conditional cleaning (Readability.js's cleanConditionally): containers in the chosen content that are mostly
// links, images, inputs or lists of teasers.
import type { AnyNode, Element } from 'domhandler';
import {
  CONDITIONAL_TAGS,
  DATA_TABLE_WRAPPER,
  DESTRUCTIVE_MAX_SHARE,
  SECTION_SIBLINGS,
} from './boilerplate.ts';
import { elementsInOrder, isElement, visitElements } from './content-dom.ts';
import { keepCollectiveParts } from './content-prune.ts';
import { classWeight, type Flags } from './content-score.ts';
import { hasAncestor, linkDensity, type Stats } from './content-stats.ts';

/** Readability's cleanConditionally: containers that are mostly links, images, inputs or lists of teasers. */
export function cleanConditionally(
  nodes: AnyNode[],
  top: Element | undefined,
  stats: Map<Element, Stats>,
  scores: Map<Element, number>,
  excluded: Set<Element>,
  flags: Flags,
  sections: ReadonlySet<Element> = new Set(),
  introducedLists: ReadonlySet<Element> = new Set(),
): boolean {
  let removedAny = false;
  let total = 0;
  for (const node of nodes) if (isElement(node)) total += stats.get(node)?.text ?? 0;
  const doomed: Element[] = [];
  const spared: Element[] = [];
  for (const node of nodes) {
    visitElements(node, (element) => {
      if (excluded.has(element)) return true;
      // The sections the top candidate climbed to are the content (SECTION_SIBLINGS): inside them only boxes of
      // links go (a call-to-action button, a link row); their classes, icons and controls do not count.
      if (sections.has(element)) {
        if (shouldRemove(element, stats, scores, flags)) spared.push(element);
        doomed.push(...linkBoxesIn(element, stats, excluded));
        return true;
      }
      // A list of links the story introduces with a sentence is content, and so are its links in the box around it.
      if (introducedLists.has(element)) return true;
      if (element === top || !CONDITIONAL_TAGS.has(element.name)) return false;
      // No single rule may remove most of the chosen content: such a box is the story, not furniture in it.
      if ((stats.get(element)?.text ?? 0) > total * DESTRUCTIVE_MAX_SHARE) return false;
      if (element.name === 'pre' || element.name === 'code') return true;
      if ((stats.get(element)?.embeddedPosts ?? 0) > 0) return false;
      if (element.name === 'table' && isDataTable(element, stats)) return true;
      // A box around a data table (a scroll or responsive wrapper) is judged as the table, not by its class.
      if (wrapsDataTable(element, stats)) return false;
      if (shouldRemove(element, stats, scores, flags, introducedLinks(element, stats, introducedLists))) {
        doomed.push(element);
        return true;
      }
      return false;
    });
  }
  for (const element of keepCollectiveParts(doomed, stats, total, { plainProseParts: true }, spared)) {
    excluded.add(element);
    removedAny = true;
  }
  return removedAny;
}

/** The boxes of a section linked more than SECTION_SIBLINGS.maxLinkDensityInside (outermost ones). */
function linkBoxesIn(section: Element, stats: Map<Element, Stats>, excluded: Set<Element>): Element[] {
  const boxes: Element[] = [];
  visitElements(section, (element) => {
    if (excluded.has(element)) return true;
    if (element === section || !CONDITIONAL_TAGS.has(element.name)) return false;
    if (linkDensity(stats.get(element)) <= SECTION_SIBLINGS.maxLinkDensityInside) return false;
    boxes.push(element);
    return true;
  });
  return boxes;
}

function isDataTable(table: Element, stats: Map<Element, Stats>): boolean {
  if (table.attribs.role === 'presentation') return false;
  return (stats.get(table)?.tableHeaders ?? 0) > 0;
}

/** A box whose text is mostly one data table's (DATA_TABLE_WRAPPER), the table among its first elements. */
function wrapsDataTable(box: Element, stats: Map<Element, Stats>): boolean {
  const s = stats.get(box);
  if (!s || s.tableHeaders === 0 || s.text === 0) return false;
  const table = elementsInOrder(box, undefined, DATA_TABLE_WRAPPER.maxScan).find((e) => e.name === 'table');
  return (
    table !== undefined &&
    isDataTable(table, stats) &&
    (stats.get(table)?.text ?? 0) >= s.text * DATA_TABLE_WRAPPER.minShare
  );
}

/** The link text of the introduced lists inside the box. */
function introducedLinks(box: Element, stats: Map<Element, Stats>, lists: ReadonlySet<Element>): number {
  let links = 0;
  for (const list of lists) {
    for (let node = list.parent; node; node = node.parent) {
      if (node !== box) continue;
      links += stats.get(list)?.link ?? 0;
      break;
    }
  }
  return links;
}

function shouldRemove(
  element: Element,
  stats: Map<Element, Stats>,
  scores: Map<Element, number>,
  flags: Flags,
  ownLinks = 0,
): boolean {
  const measured = stats.get(element);
  if (!measured) return false;
  const s = ownLinks > 0 ? { ...measured, link: Math.max(0, measured.link - ownLinks) } : measured;
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
