// What repeats across a page's items (forum posts, list items, product cards), shared by the page-type paths:
// which siblings share a shape, and which short texts recur from item to item.
import type { Element } from 'domhandler';
import { isElement } from '../content-dom.ts';

/** A parent's element children grouped by shape, tag name and first class ("li.card"), in document order. */
export function childrenByShape(parent: Element): Map<string, Element[]> {
  const groups = new Map<string, Element[]>();
  for (const child of parent.children) {
    if (!isElement(child)) continue;
    const key = `${child.name}.${(child.attribs.class ?? '').trim().split(/\s+/)[0] ?? ''}`;
    const group = groups.get(key);
    if (group) group.push(child);
    else groups.set(key, [child]);
  }
  return groups;
}

/** Where one label occurs: the indexes of the items that hold it, and every element that carries it. */
export interface LabelOccurrences {
  items: Set<number>;
  elements: Element[];
}

/**
 * The labels found inside each item (`inside` lists an item's descendants; the item itself is never its own
 * label; `labelOf` gives an element's label or undefined), with the items and elements each occurs in.
 */
export function labelsAcrossItems(
  items: readonly Element[],
  inside: (item: Element) => Iterable<Element>,
  labelOf: (element: Element) => string | undefined,
): Map<string, LabelOccurrences> {
  const labels = new Map<string, LabelOccurrences>();
  items.forEach((item, index) => {
    for (const element of inside(item)) {
      if (element === item) continue;
      const label = labelOf(element);
      if (label === undefined) continue;
      const occurrences = labels.get(label) ?? { items: new Set<number>(), elements: [] };
      occurrences.items.add(index);
      occurrences.elements.push(element);
      labels.set(label, occurrences);
    }
  });
  return labels;
}
