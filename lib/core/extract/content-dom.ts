// Small iterative helpers over domhandler nodes. Everything here uses explicit stacks, never recursion, so
// 50,000 nested elements cannot overflow the call stack (cheerio's .text() and domutils recurse).
import type { AnyNode, Element, ParentNode } from 'domhandler';

export function isElement(node: AnyNode): node is Element {
  return node.type === 'tag' || node.type === 'script' || node.type === 'style';
}

export function hasChildren(node: AnyNode): node is ParentNode {
  return 'children' in node && Array.isArray((node as ParentNode).children);
}

export function tagName(node: AnyNode): string {
  return isElement(node) ? node.name.toLowerCase() : '';
}

/** Elements of a subtree in document order (pre-order), skipping the subtrees for which `skip` is true. */
export function elementsInOrder(root: AnyNode, skip?: (element: Element) => boolean): Element[] {
  const out: Element[] = [];
  const stack: AnyNode[] = [root];
  while (stack.length > 0) {
    const node = stack.pop()!;
    if (isElement(node)) {
      if (node !== root && skip?.(node)) continue;
      out.push(node);
    }
    if (hasChildren(node)) {
      const children = node.children;
      for (let i = children.length - 1; i >= 0; i--) stack.push(children[i]!);
    }
  }
  return out;
}

/** The first element with this tag name in document order, or undefined. */
export function findFirst(root: AnyNode, name: string): Element | undefined {
  const stack: AnyNode[] = [root];
  while (stack.length > 0) {
    const node = stack.pop()!;
    if (isElement(node) && node.name === name) return node;
    if (hasChildren(node)) {
      const children = node.children;
      for (let i = children.length - 1; i >= 0; i--) stack.push(children[i]!);
    }
  }
  return undefined;
}

/** Removes the given nodes from their parents in one O(n) sweep (per-node splicing would be quadratic). */
export function detachAll(nodes: Iterable<AnyNode>): void {
  const doomed = new Set<AnyNode>(nodes);
  const parents = new Set<ParentNode>();
  for (const node of doomed) if (node.parent) parents.add(node.parent);
  for (const parent of parents) {
    relink(
      parent,
      parent.children.filter((child) => !doomed.has(child)),
    );
  }
  for (const node of doomed) {
    node.parent = null;
    node.prev = null;
    node.next = null;
  }
}

/** Replaces each element by its children (unwraps it), in one sweep per parent. */
export function unwrapAll(elements: Iterable<Element>): void {
  const doomed = new Set<AnyNode>(elements);
  // Unwrap inner elements first so a nested unwrap sees its final children.
  const ordered = [...doomed].reverse();
  for (const element of ordered) {
    const parent = element.parent;
    if (!parent) continue;
    const next: AnyNode[] = [];
    for (const child of parent.children) {
      if (child === element) {
        for (const grandchild of (element as Element).children) next.push(grandchild);
      } else {
        next.push(child);
      }
    }
    (element as Element).children = [];
    relink(parent, next);
    element.parent = null;
  }
}

function relink(parent: ParentNode, children: AnyNode[]): void {
  for (let i = 0; i < children.length; i++) {
    const child = children[i]!;
    child.parent = parent;
    child.prev = children[i - 1] ?? null;
    child.next = children[i + 1] ?? null;
  }
  parent.children = children;
}

/** Collapsed-whitespace length of a string: runs of whitespace count as one, leading/trailing ones as none. */
export function visibleLength(text: string): number {
  let length = 0;
  let pendingSpace = false;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code === 32 || code === 10 || code === 9 || code === 13 || code === 12 || code === 160) {
      pendingSpace = length > 0;
    } else {
      if (pendingSpace) length++;
      pendingSpace = false;
      length++;
    }
  }
  return length;
}

export function countCommas(text: string): number {
  let count = 0;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    // , ، 、 ，
    if (code === 44 || code === 0x060c || code === 0x3001 || code === 0xff0c) count++;
  }
  return count;
}
