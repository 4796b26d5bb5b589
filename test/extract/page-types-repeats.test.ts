// collapsedTextWithin: the short-text reader the page-type paths share (labels, headings, item actions).
import { load } from 'cheerio';
import type { Element } from 'domhandler';
import { describe, expect, it } from 'vitest';
import { collapsedTextWithin, firstToken } from '../../lib/core/extract/page-types/repeats.ts';
import { seededRandom } from '../helpers/seeded-random.ts';

const parse = (html: string) => load(html, { xml: { xmlMode: false, decodeEntities: true } });
const first = (html: string, selector: string): Element => parse(html)(selector)[0] as Element;

describe('collapsedTextWithin', () => {
  it('reads nested text in document order, whitespace collapsed and lower-cased', () => {
    const box = first(
      '<div id="b"><p>One <b>Two<i> three</i></b></p>\n <span>Four</span>five</div><p>six</p>',
      '#b',
    );
    expect(collapsedTextWithin(box, 100)).toBe('one two three fourfive');
    expect(collapsedTextWithin(box, 100, undefined, true)).toBe('One Two three Fourfive');
  });

  it('leaves out what skip accepts, the element itself included', () => {
    const box = first('<div id="b"><p>kept</p><nav>dropped <b>too</b></nav><p>also kept</p></div>', '#b');
    expect(collapsedTextWithin(box, 100, (element) => element.name === 'nav')).toBe('keptalso kept');
    expect(collapsedTextWithin(box, 100, (element) => element.name === 'div')).toBe('');
  });

  it('gives up past the limit, and reads the first items of a very wide element within it', () => {
    const items = Array.from({ length: 20_000 }, (_, i) => `<li>item ${i}</li>`).join('');
    const list = first(`<ul id="l">${items}</ul>`, '#l');
    expect(collapsedTextWithin(list, 100)).toBeUndefined();
    const short = first('<ul id="l"><li>a</li><li>b</li></ul>', '#l');
    expect(collapsedTextWithin(short, 2)).toBe('ab');
    expect(collapsedTextWithin(short, 1)).toBeUndefined();
  });
});

describe('firstToken', () => {
  it("is what .trim().split(/\\s+/)[0] gives, with every character JavaScript's \\s matches around the tokens", () => {
    const spaces: string[] = [];
    for (let code = 0; code < 0x10000; code++) {
      if (/\s/.test(String.fromCharCode(code))) spaces.push(String.fromCharCode(code));
    }
    // Near misses: characters beside the whitespace ranges that are not whitespace.
    const pieces = [...spaces, 'card', 'a', '-', '\u200b', '\u180e', '\u0085', '\u2027', '\u200c', 'é'];
    const next = seededRandom(31);
    const wrong: string[] = [];
    for (let i = 0; i < 20000; i++) {
      let classes = '';
      for (let n = Math.floor(next() * 6); n > 0; n--) classes += pieces[Math.floor(next() * pieces.length)];
      if (firstToken(classes) !== (classes.trim().split(/\s+/)[0] ?? '')) wrong.push(JSON.stringify(classes));
    }
    expect(wrong).toEqual([]);
  });
});
