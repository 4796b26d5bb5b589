// Repairs made to the parsed tree before anything is scored, so that it holds what a browser would show:
// htmlparser2 is not an HTML5 tree builder, and some pages put their text in place with a script.
//   - Content after </body> or </html>: a browser's tree builder puts it at the end of <body>; htmlparser2
//     leaves it outside, where the extractor never looks (templates that close the document early).
//   - Streamed server rendering (React's Suspense boundaries, used by Next.js and others): the page is sent
//     with placeholders (<template id="B:0"> then a "Loading..." fallback) and the real sections arrive at the
//     end of <body> in hidden segments (<div hidden id="S:0">), which a script moves into place. The extractor
//     would drop them as hidden; here they are moved into place as that script does.
//   - Accordion headers: an FAQ's question is a <button> inside a heading (<h3><button aria-expanded>How do I
//     ...?</button></h3>, the WAI-ARIA accordion pattern; also role="heading" or a <dl>'s <dt>). A browser shows its
//     words as the heading; the extractor drops every <button> as a control, so the answers would lose their
//     questions. Such a button is read as text; so is a disclosure button (aria-expanded / aria-controls) whose
//     words are a question (DISCLOSED_QUESTION), an FAQ's header without a heading around it.
//   - A heading left open: a heading holds phrasing content only, and a browser closes an open heading at any
//     heading's end tag (`<h2>The deck…</h3>`), where htmlparser2 ignores the end tag that does not match and
//     nests the rest of the section (the story's body) in the heading. Blocks after a heading's own words are
//     moved out after it.
import type { AnyNode, Element, ParentNode } from 'domhandler';
import { DISCLOSED_QUESTION, MAX_BLOCK_ELEMENTS, STREAMED_FALLBACK_MAX_CHARS } from './boilerplate.ts';
import { elementsInOrder, hasChildren, isElement, visibleLength } from './content-dom.ts';

/**
 * Moves content a browser would show in <body> into `body`, and streamed segments into their placeholders. `listed`:
 * the root's elements in document order, when the caller has listed them already.
 */
export function repairTree(root: AnyNode, body: AnyNode, listed?: readonly Element[]): void {
  const moved = isElement(body) && body.name === 'body' && adoptContentAfterBody(root, body);
  // One walk serves the repairs below; the caller's list holds while nothing has moved.
  const elements = listed !== undefined && !moved ? listed : elementsInOrder(root);
  readHeadingButtonsAsText(elements);
  revealStreamedSegments(elements);
  closeOpenHeadings(elements);
}

const HEADING = /^h[1-6]$/;

/** A heading by tag or by role, or a definition list's term (an FAQ written as <dl>: the question over its answer). */
function headsASection(element: Element): boolean {
  return HEADING.test(element.name) || element.name === 'dt' || element.attribs.role === 'heading';
}

/** Whether anything moved. */
function adoptContentAfterBody(root: AnyNode, body: Element): boolean {
  const html = body.parent;
  const stray: AnyNode[] = [];
  if (html && isElement(html) && html.name === 'html') {
    for (let node = body.next; node; node = node.next) if (node.type !== 'comment') stray.push(node);
    if (html.parent === root) {
      for (let node = html.next; node; node = node.next) if (node.type !== 'comment') stray.push(node);
    }
  }
  // Only worth moving when an element comes along (whitespace alone changes nothing).
  if (!stray.some((node) => isElement(node))) return false;
  for (const node of stray) appendTo(body, node);
  return true;
}

/** Flow content a heading cannot hold (HTML's content model: a heading holds phrasing content only). */
const FLOW_BLOCK =
  /^(p|div|section|article|main|header|footer|aside|nav|ul|ol|dl|table|blockquote|pre|figure|form|h[1-6])$/;

/**
 * A heading whose own words are followed by blocks (a paragraph, a box, another heading) is read as left open: those
 * blocks follow it, as a browser that closed it at the mismatched end tag shows them. The parsed tree no longer says
 * whether an end tag was mismatched, so a closed heading that holds a block after its words (`<h2>Title<div>…</div>
 * </h2>`, which a browser keeps inside) is split the same way; no text is lost either way (one of the 2,118
 * benchmark pages changed when this came in). Linear however the headings nest: every heading's cut is found on the tree
 * as parsed, then each parent's children are rebuilt once.
 */
function closeOpenHeadings(elements: readonly Element[]): void {
  // Where each open heading's blocks start (the index of its first block child).
  const cuts = new Map<Element, number>();
  for (const heading of elements) {
    if (!HEADING.test(heading.name)) continue;
    const children = heading.children;
    let words = false;
    for (let i = 0; i < children.length; i++) {
      const child = children[i]!;
      if (isElement(child) && FLOW_BLOCK.test(child.name)) {
        if (words) cuts.set(heading, i);
        break;
      }
      words ||= hasWords(child);
    }
  }
  if (cuts.size === 0) return;
  // The parent a moved block ends up in: the open heading's own parent, or further up when that heading is itself
  // among another open heading's blocks (a heading child is always among them: it is a block). Elements come in
  // document order, so a heading's parent is settled first.
  const landing = new Map<Element, ParentNode>();
  const parents = new Set<ParentNode>();
  for (const heading of cuts.keys()) {
    const parent = heading.parent;
    const settled = parent && isElement(parent) && cuts.has(parent) ? landing.get(parent) : parent;
    if (!settled) continue;
    landing.set(heading, settled);
    parents.add(settled);
  }
  for (const parent of parents) {
    const rebuilt: AnyNode[] = [];
    // Each node, then the blocks of each open heading among them right after it (depth first, in order).
    const stack: AnyNode[] = [...parent.children].reverse();
    while (stack.length > 0) {
      const node = stack.pop()!;
      rebuilt.push(node);
      const cut = isElement(node) && landing.get(node) === parent ? cuts.get(node) : undefined;
      if (cut === undefined || !isElement(node)) continue;
      const blocks = node.children.splice(cut);
      const kept = node.children[node.children.length - 1];
      if (kept) kept.next = null;
      for (let i = blocks.length - 1; i >= 0; i--) stack.push(blocks[i]!);
    }
    parent.children = rebuilt;
    rebuilt.forEach((node, i) => {
      node.parent = parent;
      node.prev = rebuilt[i - 1] ?? null;
      node.next = rebuilt[i + 1] ?? null;
    });
  }
}

/** Whether a node shows non-blank text within its first MAX_BLOCK_ELEMENTS elements (a bounded look). */
function hasWords(node: AnyNode): boolean {
  if (node.type === 'text') return /\S/.test((node as unknown as { data: string }).data);
  if (!isElement(node)) return false;
  return elementsInOrder(node, undefined, MAX_BLOCK_ELEMENTS).some((element) =>
    element.children.some((child) => child.type === 'text' && /\S/.test(child.data)),
  );
}

const SEGMENT_ID = /^S:(.{1,40})$/;

/**
 * A <button> that is a heading's content (an accordion header), or a disclosure button whose words are a question
 * (an FAQ's header), is read as the words it shows: a <span>.
 */
function readHeadingButtonsAsText(elements: readonly Element[]): void {
  for (const element of elements) {
    if (element.name !== 'button') continue;
    const parent = element.parent;
    if ((parent && isElement(parent) && headsASection(parent)) || isDisclosedQuestion(element))
      element.name = 'span';
  }
}

function isDisclosedQuestion(button: Element): boolean {
  const { attribs } = button;
  if (attribs['aria-expanded'] === undefined && attribs['aria-controls'] === undefined) return false;
  const text = boundedText(button, DISCLOSED_QUESTION.maxChars);
  return text !== undefined && DISCLOSED_QUESTION.ending.test(text);
}

/** The text of a subtree, or undefined once it passes `max` characters (a walk that stops early: bounded work). */
function boundedText(root: Element, max: number): string | undefined {
  let text = '';
  const stack: AnyNode[] = [...root.children];
  stack.reverse();
  while (stack.length > 0) {
    const node = stack.pop()!;
    if (node.type === 'text') {
      text += (node as unknown as { data: string }).data;
      if (text.length > max) return undefined;
    } else if (hasChildren(node)) {
      const children = node.children;
      for (let i = children.length - 1; i >= 0; i--) stack.push(children[i]!);
    }
  }
  return text;
}

function revealStreamedSegments(elements: readonly Element[]): void {
  const placeholders = new Map<string, Element>();
  const segments: [Element, string][] = [];
  for (const element of elements) {
    const id = element.attribs.id;
    if (id === undefined) continue;
    if (element.name === 'template' && (id.startsWith('B:') || id.startsWith('P:')))
      placeholders.set(id, element);
    else if (element.name === 'div' && element.attribs.hidden !== undefined) {
      const match = SEGMENT_ID.exec(id);
      if (match) segments.push([element, match[1]!]);
    }
  }
  if (segments.length === 0) return;
  for (const [segment, key] of segments) {
    const boundary = placeholders.get(`B:${key}`);
    const placeholder = boundary ?? placeholders.get(`P:${key}`);
    if (!placeholder?.parent) continue;
    if (boundary) removeFallback(boundary);
    for (const child of [...segment.children]) insertBefore(placeholder, child);
    detach(segment);
    detach(placeholder);
  }
}

/**
 * The fallback shown until a boundary's content arrives: what follows its <template> up to the "/$" comment that
 * closes the boundary; with comments stripped, a short leaf block right after it ("Loading paragraph...").
 */
function removeFallback(template: Element): void {
  const following: AnyNode[] = [];
  for (let node = template.next; node; node = node.next) {
    if (node.type === 'comment') {
      const data = (node as { data: string }).data;
      if (data === '/$') {
        for (const part of following) detach(part);
        return;
      }
      if (data === '$' || data === '$?' || data === '$!') break;
      continue;
    }
    following.push(node);
  }
  let next = template.next;
  while (next && !isElement(next)) next = next.next;
  if (
    next &&
    next.name === 'div' &&
    next.children.every((child) => !isElement(child) || child.name === 'span') &&
    textLength(next) <= STREAMED_FALLBACK_MAX_CHARS
  ) {
    detach(next);
  }
}

function textLength(element: Element): number {
  let length = 0;
  for (const node of elementsInOrder(element))
    for (const child of node.children) if (child.type === 'text') length += visibleLength(child.data);
  return length;
}

function detach(node: AnyNode): void {
  const parent = node.parent;
  if (parent && hasChildren(parent)) {
    const index = parent.children.indexOf(node as never);
    if (index >= 0) parent.children.splice(index, 1);
  }
  if (node.prev) node.prev.next = node.next;
  if (node.next) node.next.prev = node.prev;
  node.parent = null;
  node.prev = null;
  node.next = null;
}

function appendTo(parent: Element, node: AnyNode): void {
  detach(node);
  const last = parent.children[parent.children.length - 1] ?? null;
  node.parent = parent;
  node.prev = last;
  if (last) last.next = node;
  parent.children.push(node as never);
}

function insertBefore(reference: AnyNode, node: AnyNode): void {
  detach(node);
  const parent = reference.parent;
  if (!parent || !hasChildren(parent)) return;
  const index = parent.children.indexOf(reference as never);
  parent.children.splice(index, 0, node as never);
  node.parent = parent;
  node.prev = reference.prev;
  node.next = reference;
  if (reference.prev) reference.prev.next = node;
  reference.prev = node;
}
