// Trimming: the headline that repeats the title, and the short labels above it, are left out of the text.
import type { AnyNode, Element } from 'domhandler';
import { SHORT_LABEL_MAX_CHARS, SHORT_LABEL_MAX_WORDS } from './boilerplate.ts';
import { elementsInOrder } from './content-dom.ts';
import { blockText, normalizeForCompare, type Stats } from './content-stats.ts';

/**
 * Leaves out a leading h1/h2 that repeats the title (and any h1 that does), so the text has no headline, and
 * with the first such headline the short labels above it (kicker, eyebrow, section link): header furniture.
 */
export function dropHeadline(
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
  return (
    text.length > 0 &&
    text.length <= SHORT_LABEL_MAX_CHARS &&
    text.split(/\s+/).length <= SHORT_LABEL_MAX_WORDS
  );
}
