// Small iterative helpers over domhandler nodes. Everything here uses explicit stacks, never recursion, so
// 50,000 nested elements cannot overflow the call stack (cheerio's .text() and domutils recurse).
import type { AnyNode, Document, Element, ParentNode } from 'domhandler';

/**
 * A parsed page as the stages take it: its document. parseHtml() gives one without cheerio (whose API, css-select
 * and a class made anew per loaded page cost ~135 KB of bundle and ~3 % of the instructions of a page); a cheerio
 * `load()` result is one too (its `_root`), so callers holding a `$` pass it as it is.
 */
export interface ParsedPage {
  readonly _root: Document;
}

/** The page's document node. */
export function documentRoot(page: ParsedPage): Document {
  return page._root;
}

export function isElement(node: AnyNode): node is Element {
  return node.type === 'tag' || node.type === 'script' || node.type === 'style';
}

export function hasChildren(node: AnyNode): node is ParentNode {
  return 'children' in node && Array.isArray((node as ParentNode).children);
}

/**
 * An attribute's value, read at this one site. Attribute objects take a hidden class per attribute set, so a read
 * written out in a rarely taken branch of a hot function has seen only a few of them when V8 optimizes the
 * function, which is then thrown away at each new one; this site sees every element's and is generic from the start.
 */
export function attributeOf(element: Element, name: string): string | undefined {
  return element.attribs[name];
}

/**
 * Elements of a subtree in document order (pre-order), skipping the subtrees for which `skip` is true; only the
 * first `limit` when a limit is given (a scan that looks at the first few hundred need not list a whole page).
 */
export function elementsInOrder(
  root: AnyNode,
  skip?: (element: Element) => boolean,
  limit = Number.POSITIVE_INFINITY,
): Element[] {
  const out: Element[] = [];
  if (limit !== Number.POSITIVE_INFINITY) {
    // A bounded scan walks the tree's own links (first child, next sibling, back up) instead of stacking the children
    // of each element it enters: scans of a few dozen elements asked per heading or per item would otherwise list
    // a wide element's thousands of children each time.
    let node: AnyNode | null = root;
    while (node && out.length < limit) {
      let descend = hasChildren(node) && node.children.length > 0;
      if (isElement(node) && node !== root && skip?.(node)) descend = false;
      else if (isElement(node)) out.push(node);
      if (descend) {
        node = (node as ParentNode).children[0]!;
        continue;
      }
      while (node && node !== root && !node.next) node = node.parent;
      node = node && node !== root ? node.next : null;
    }
    return out;
  }
  const stack: AnyNode[] = [root];
  while (stack.length > 0) {
    const node = stack.pop()!;
    if (isElement(node)) {
      if (node !== root && skip?.(node)) continue;
      out.push(node);
    } else if (!hasChildren(node)) continue;
    pushChildren(stack, (node as ParentNode).children);
  }
  return out;
}

/**
 * Visits a subtree's elements as elementsInOrder lists them (pre-order; `visit` returns true to skip an element's
 * subtree; the root is not visited), without building the list: for walks that only act on each element.
 */
export function visitElements(root: AnyNode, visit: (element: Element) => boolean): void {
  const stack: AnyNode[] = [root];
  while (stack.length > 0) {
    const node = stack.pop()!;
    if (isElement(node)) {
      if (node !== root && visit(node)) continue;
    } else if (!hasChildren(node)) continue;
    pushChildren(stack, (node as ParentNode).children);
  }
}

/**
 * The node after `node` in a pre-order walk of `root`'s subtree (the nodes elementsInOrder steps through with a
 * limit: first child, next sibling, back up), or null at the subtree's end; `descend` false steps over `node`'s
 * children. A walk written with it lists nothing and keeps no stack: `for (let node = root; node; node =
 * nextInOrder(node, root))`.
 */
export function nextInOrder(node: AnyNode, root: AnyNode, descend = true): AnyNode | null {
  if (descend && hasChildren(node) && node.children.length > 0) return node.children[0]!;
  let at: AnyNode | null = node;
  while (at && at !== root && !at.next) at = at.parent;
  return at && at !== root ? at.next : null;
}

/**
 * Pushes a node's children for a pre-order walk (last first), leaving out text and comments: an element walk would
 * only pop them again, and they are about half of a page's nodes.
 */
function pushChildren(stack: AnyNode[], children: readonly AnyNode[]): void {
  for (let i = children.length - 1; i >= 0; i--) {
    const child = children[i]!;
    const type = child.type;
    if (type !== 'text' && type !== 'comment') stack.push(child);
  }
}

/**
 * All the text of a subtree, as cheerio's .text() gives it (every text node, scripts and styles included), without
 * recursion and with one join instead of one per element.
 */
export function textContent(root: AnyNode): string {
  const parts: string[] = [];
  const stack: AnyNode[] = [root];
  while (stack.length > 0) {
    const node = stack.pop()!;
    if (node.type === 'text') parts.push((node as unknown as { data: string }).data);
    else if (node.type !== 'comment' && hasChildren(node)) {
      const children = node.children;
      for (let i = children.length - 1; i >= 0; i--) stack.push(children[i]!);
    }
  }
  return parts.join('');
}

/** The first element with this tag name in document order, or undefined. */
export function findFirst(root: AnyNode, name: string): Element | undefined {
  const stack: AnyNode[] = [root];
  while (stack.length > 0) {
    const node = stack.pop()!;
    if (isElement(node)) {
      if (node.name === name) return node;
    } else if (!hasChildren(node)) continue;
    pushChildren(stack, (node as ParentNode).children);
  }
  return undefined;
}

/*
 * The loops over every character of text nodes read it with String.prototype.charCodeAt.call(text, i), not
 * text.charCodeAt(i), and the length once. Text nodes come as more than four kinds of string (one- or two-byte;
 * flat, sliced or joined: see utf8Pieces), and looking `charCodeAt` or `length` up on each kind makes the lookup
 * megamorphic: a slow generic load per character. The built-in named in full is a constant to the optimizing
 * compiler, which then reads the character inline, whatever the kind.
 */

/** Collapsed-whitespace length of a string: runs of whitespace count as one, leading/trailing ones as none. */
export function visibleLength(text: string): number {
  let length = 0;
  let pendingSpace = false;
  for (let i = 0, end = text.length; i < end; i++) {
    const code = String.prototype.charCodeAt.call(text, i);
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
  for (let i = 0, end = text.length; i < end; i++) {
    const code = String.prototype.charCodeAt.call(text, i);
    // , ، 、 ，
    if (code === 44 || code === 0x060c || code === 0x3001 || code === 0xff0c) count++;
  }
  return count;
}
