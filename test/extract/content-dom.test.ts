import type { AnyNode } from 'domhandler';
import { describe, expect, it } from 'vitest';
import {
  documentRoot,
  elementsInOrder,
  findFirst,
  isElement,
  nextInOrder,
  textContent,
  visitElements,
} from '../../lib/core/extract/content-dom.ts';
import { parseHtml } from '../../lib/core/extract/index.ts';
import { cheerioPage, cheerioPieces } from '../helpers/cheerio-page.ts';
import { countingArray, countReads } from '../helpers/read-count.ts';

const page = `<html><head><title>T &amp; t</title><style>p{color:red}</style></head><body>
<div id="a">One <b>two</b><!-- a comment --> three<script>var x = "<p>four</p>";</script>
<ul><li>five</li><li>six <i>seven</i></li></ul></div><p>eight</p></body></html>`;

describe('textContent', () => {
  it('gives what cheerio .text() gives: every text node in order, scripts and styles included, no comments', () => {
    const $ = cheerioPage(page);
    for (const selector of ['html', 'head', 'body', '#a', 'ul', 'script']) {
      const element = $(selector)[0]!;
      expect(textContent(element)).toBe($(selector).text());
    }
    expect(textContent($('body')[0]!)).toContain('var x = "<p>four</p>";');
    expect(textContent($('body')[0]!)).not.toContain('a comment');
  });
});

describe('documentRoot', () => {
  it("is the node $.root() holds, for a page parsed whole or from pieces (it reads cheerio's private _root)", () => {
    for (const $ of [cheerioPage(page), cheerioPieces([page.slice(0, 50), page.slice(50)])]) {
      const root = documentRoot($);
      expect(root).toBe($.root()[0]);
      expect(root.type).toBe('root');
      expect(textContent(root)).toBe($.root().text());
    }
  });
});

describe('elementsInOrder', () => {
  it('stops after the first `limit` elements, in document order', () => {
    const $ = cheerioPage(page);
    const body = $('body')[0]!;
    const all = elementsInOrder(body).map((element) => element.name);
    expect(all).toEqual(['body', 'div', 'b', 'script', 'ul', 'li', 'li', 'i', 'p']);
    expect(elementsInOrder(body, undefined, 4).map((element) => element.name)).toEqual(all.slice(0, 4));
    expect(elementsInOrder(body, (element) => element.name === 'ul', 6).map((e) => e.name)).toEqual([
      'body',
      'div',
      'b',
      'script',
      'p',
    ]);
  });

  it('with a limit, touches only the children it lists, not every child of a wide element', () => {
    // Scans of a few dozen elements run per heading and per list item: listing a wide element's thousands of children
    // each time made pages of thousands of headings quadratic.
    const $ = cheerioPage(`<body><ul>${'<li>item</li>'.repeat(5_000)}</ul><p>after</p></body>`);
    const list = $('ul')[0]!;
    const touched = { reads: 0 };
    for (const item of list.children) countReads(item, 'next', touched);
    list.children = countingArray(list.children, touched);
    const first = elementsInOrder(list, undefined, 10);
    expect(first.map((element) => element.name)).toEqual(['ul', ...Array(9).fill('li')]);
    expect(first[9]).toBe(list.children[8]);
    expect(touched.reads).toBeLessThan(30);
    // Skipped subtrees are stepped over, and the walk does not leave the root.
    const body = $('body')[0]!;
    expect(elementsInOrder(body, (element) => element.name === 'ul', 10).map((e) => e.name)).toEqual([
      'body',
      'p',
    ]);
  });
});

describe('walks from the document root', () => {
  it('descend through the root and past the doctype, comments and text to every element', () => {
    const root = documentRoot(parseHtml(`<!doctype html><!-- c -->${page}`));
    expect(elementsInOrder(root).map((element) => element.name)).toEqual([
      'html',
      'head',
      'title',
      'style',
      'body',
      'div',
      'b',
      'script',
      'ul',
      'li',
      'li',
      'i',
      'p',
    ]);
    const visited: string[] = [];
    visitElements(root, (element) => {
      visited.push(element.name);
      return element.name === 'head';
    });
    expect(visited.slice(0, 3)).toEqual(['html', 'head', 'body']);
    expect(findFirst(root, 'i')?.name).toBe('i');
    expect(findFirst(root, 'table')).toBeUndefined();
  });
});

describe('visitElements', () => {
  it('visits the elements elementsInOrder lists after the root, in that order, skipping subtrees it is told to', () => {
    const $ = cheerioPage(page);
    const body = $('body')[0]!;
    const all: string[] = [];
    visitElements(body, (element) => {
      all.push(element.name);
      return false;
    });
    expect(all).toEqual(
      elementsInOrder(body)
        .slice(1)
        .map((element) => element.name),
    );
    const skipped: string[] = [];
    visitElements(body, (element) => {
      skipped.push(element.name);
      return element.name === 'ul';
    });
    expect(skipped).toEqual(['div', 'b', 'script', 'ul', 'p']);
  });
});

describe('nextInOrder', () => {
  it('steps through the nodes of a subtree in the order elementsInOrder lists its elements, stepping over subtrees when told', () => {
    const root = documentRoot(parseHtml(`<!doctype html><!-- c -->${page}<p>after</p>`));
    const body = findFirst(root, 'body')!;
    for (const start of [root, body, findFirst(root, 'ul')!, findFirst(root, 'i')!]) {
      const stepped: string[] = [];
      for (let node: AnyNode | null = start; node !== null; node = nextInOrder(node, start)) {
        if (isElement(node)) stepped.push(node.name);
      }
      expect(stepped).toEqual(elementsInOrder(start).map((element) => element.name));
    }
    const skipping: string[] = [];
    for (let node: AnyNode | null = body; node !== null; ) {
      const skip = isElement(node) && (node.name === 'ul' || node.name === 'script');
      if (isElement(node) && !skip) skipping.push(node.name);
      node = nextInOrder(node, body, !skip);
    }
    expect(skipping).toEqual(
      elementsInOrder(body, (element) => element.name === 'ul' || element.name === 'script').map(
        (element) => element.name,
      ),
    );
    // Nothing after the subtree's end, not even the root's next sibling.
    const head = findFirst(root, 'head')!;
    expect(nextInOrder(head, head, false)).toBeNull();
  });
});
