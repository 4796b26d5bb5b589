// What repeats across a page's items (forum posts, list items, product cards), shared by the page-type paths:
// which siblings share a shape, and which short texts recur from item to item.
import type { AnyNode, Element } from 'domhandler';
import { hasChildren, isElement } from '../content-dom.ts';
import { isWhiteSpaceCode } from '../letters.ts';

/** A parent's element children grouped by shape, tag name and first class ("li.card"), in document order. */
export function childrenByShape(parent: Element): Map<string, Element[]> {
  const groups = new Map<string, Element[]>();
  for (const child of parent.children) {
    if (!isElement(child)) continue;
    const key = `${child.name}.${firstToken(child.attribs.class ?? '')}`;
    const group = groups.get(key);
    if (group) group.push(child);
    else groups.set(key, [child]);
  }
  return groups;
}

/**
 * The first whitespace-separated token of a class list, as `.trim().split(/\s+/)[0]` gives it ('' for none), without
 * the array and the strings of every other token. JavaScript's \s and trim() strip the same characters (isWhiteSpaceCode).
 */
export function firstToken(classes: string): string {
  const end = classes.length;
  let start = 0;
  while (start < end && isWhiteSpaceCode(String.prototype.charCodeAt.call(classes, start))) start++;
  let stop = start;
  while (stop < end && !isWhiteSpaceCode(String.prototype.charCodeAt.call(classes, stop))) stop++;
  return start === 0 && stop === end ? classes : classes.slice(start, stop);
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

/**
 * An element's text, whitespace collapsed and lower-cased (unless `keepCase`), read without going past `rawLimit`
 * characters of its text nodes (undefined beyond: a label is short, and a long item is not read whole); elements
 * `skip` accepts are left out.
 */
export function collapsedTextWithin(
  element: Element,
  rawLimit: number,
  skip?: (element: Element) => boolean,
  keepCase = false,
): string | undefined {
  let text = '';
  // A walk along the tree's own links (first child, next sibling, back up), not a stack of every child: a wide
  // element's thousands of children are not all listed to read the first few hundred characters of its text.
  let node: AnyNode | null = element;
  while (node) {
    let descend = false;
    if (node.type === 'text') {
      text += (node as unknown as { data: string }).data;
      if (text.length > rawLimit) return undefined;
    } else if (isElement(node) && skip?.(node)) {
    } else descend = hasChildren(node) && node.children.length > 0;
    if (descend) {
      node = (node as Element).children[0]!;
      continue;
    }
    while (node && node !== element && !node.next) node = node.parent;
    node = node && node !== element ? node.next : null;
  }
  const collapsed = text.replace(/\s+/g, ' ').trim();
  return keepCase ? collapsed : collapsed.toLowerCase();
}

/** A word (letters and digits), as texts are compared word by word. */
export const WORD = /[\p{L}\p{N}]+/gu;

/** The share of `text`'s words (counted with repeats, case-folded) that `other` also holds. */
export function wordShareFound(text: string, other: string): number {
  const words = text.toLowerCase().match(WORD) ?? [];
  if (words.length === 0) return 1;
  const available = new Map<string, number>();
  for (const word of other.toLowerCase().match(WORD) ?? [])
    available.set(word, (available.get(word) ?? 0) + 1);
  let found = 0;
  for (const word of words) {
    const left = available.get(word) ?? 0;
    if (left > 0) {
      found++;
      available.set(word, left - 1);
    }
  }
  return found / words.length;
}
