// Text normalization of the extracted body: one spelling per character, nothing invisible, no ruby readings.
import { load } from 'cheerio';
import type { Element } from 'domhandler';
import { describe, expect, it } from 'vitest';
import { extractContent } from '../../lib/core/extract/content.ts';
import { documentRoot, elementsInOrder, findFirst } from '../../lib/core/extract/content-dom.ts';
import { repairTree } from '../../lib/core/extract/content-repair.ts';
import { extract } from '../../lib/core/extract/index.ts';
import {
  collapseWhitespace,
  countWords,
  normalizeText,
  plainTextLengthBound,
  readsAsProse,
  titleFromOpening,
  toPlainText,
} from '../../lib/core/extract/text.ts';
import { seededRandom } from '../helpers/seeded-random.ts';

const parse = (html: string) => load(html, { xml: { xmlMode: false, decodeEntities: true } });
const textOf = (html: string) => toPlainText(parse(html).root().toArray());

describe('normalizeText', () => {
  it('composes decomposed letters (NFC), so "é" is one code point however the page spelled it', () => {
    const decomposed = 'Cafe\u0301 au lait';
    expect(decomposed).not.toBe('Café au lait');
    expect(normalizeText(decomposed)).toBe('Café au lait');
  });

  it('removes soft hyphens, zero-width spaces, word joiners and stray byte-order marks', () => {
    expect(normalizeText('Donau\u00addampf\u00adschiff\u200bfahrt\u2060s\ufeffgesellschaft')).toBe(
      'Donaudampfschifffahrtsgesellschaft',
    );
  });

  it('keeps the zero-width non-joiner, which is spelling in Persian', () => {
    expect(normalizeText('می\u200cخواهم')).toBe('می\u200cخواهم');
  });
});

describe('untitled pages', () => {
  const story =
    'The ferry to the island runs twice a day in winter. Tickets are sold on board, and the crossing takes forty minutes.';

  it('reads sentences as prose, in spaced and unspaced scripts', () => {
    expect(readsAsProse(story)).toBe(true);
    expect(readsAsProse('冬のフェリーは一日二回運航します。切符は船内で買えます。')).toBe(true);
  });

  it('does not read short text, symbols, markup debris or decoded bytes as prose', () => {
    expect(readsAsProse('Test')).toBe(false);
    expect(readsAsProse('<'.repeat(500))).toBe(false);
    expect(readsAsProse('{"a":1,"b":[2,3]} {"a":1,"b":[2,3]} {"a":1,"b":[2,3]} {"a":1}')).toBe(false);
    expect(
      readsAsProse('gVE4#\u0012\u0001 hWF5$\u0013 iXG6%\u0014 jYH7& kZI8 l[J9( m\\K:) n]L;* o^M<+'),
    ).toBe(false);
  });

  it('takes the opening sentence as the title, cut at a word when long', () => {
    expect(titleFromOpening(story)).toBe('The ferry to the island runs twice a day in winter.');
    const long = `${'Along the northern shore the old road '.repeat(4)}ends at the harbour.`;
    const title = titleFromOpening(long)!;
    expect(title.length).toBeLessThanOrEqual(101);
    expect(title).toBe(`${'Along the northern shore the old road '.repeat(2)}Along the northern…`);
    expect(titleFromOpening('<<<<<<<<<<<<<<<<<<<<<<<<<<<<<<<<<<<<<<<<<<<')).toBeUndefined();
  });

  it('makes an article of a page with prose but no title or headline, and says where its title came from', () => {
    const result = extract({
      html: `<html><body><p>${story}</p></body></html>`,
      url: 'https://a.example/ferry',
    });
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.value.title).toBe('The ferry to the island runs twice a day in winter.');
    expect(result.value.metadataSources.title).toBe('text');
    expect(result.value.content.text).toBe(story);
  });
});

describe('toPlainText', () => {
  it('drops ruby annotations (<rt>, <rp>) and keeps the base characters', () => {
    expect(textOf('<p><ruby>漢<rp>(</rp><rt>かん</rt><rp>)</rp>字<rt>じ</rt></ruby>を読む</p>')).toBe(
      '漢字を読む',
    );
  });

  it('joins a word split by soft hyphens from the page', () => {
    expect(textOf('<p>An extra&shy;ordinary day in Ham&#173;burg.</p>')).toBe(
      'An extraordinary day in Hamburg.',
    );
  });

  it('collapses runs of whitespace (tabs, newlines, no-break spaces) and keeps single-spaced text as it is', () => {
    expect(textOf('<p>one\t two\n\nthree\u00a0 four</p><p>five six</p>')).toBe(
      'one two three four\n\nfive six',
    );
  });
});

describe('countWords', () => {
  it('counts joined words once, and each character of unsegmented scripts', () => {
    expect(countWords("don't stop e-mail — x--y a’b 'quoted' trailing- -leading")).toBe(9);
    expect(countWords('中文字 ภาษาไทย 日本語のテキスト')).toBe(18);
    expect(countWords('naïve cafe\u0301 x_y 3.5 1,000')).toBe(7);
    expect(countWords('Привет, мир! Ünïcödé-wörds’s')).toBe(3);
  });

  it('reads characters beyond the BMP whole and passes lone surrogates over', () => {
    expect(countWords('𝐀𝐁𝐂 word 😀 emoji 𠀀𠀁')).toBe(5);
    expect(countWords('\ud800 lone \udc00 surrogates')).toBe(2);
    expect(countWords('')).toBe(0);
  });
});

describe('extractContent', () => {
  const sentence =
    'Die Bergbauern im Tal ernten das Heu im August, wenn das Wetter, wie meistens, trocken bleibt.';
  const html = `<html><body><article>${Array.from(
    { length: 6 },
    (_, i) => `<p>${sentence.replace('Heu', 'He\u00adu')} <ruby>山<rt>やま</rt></ruby> ${i}.</p>`,
  ).join('')}</article></body></html>`;
  const content = extractContent(parse(html), { pageUrl: new URL('https://alm.example/heu') });

  it('stores the normalized text and leaves ruby readings out of the html', () => {
    expect(content?.text).toContain(`${sentence} 山 0.`);
    expect(content?.text).not.toContain('やま');
    expect(content?.html).not.toContain('やま');
  });
});

describe('plainTextLengthBound', () => {
  const random = seededRandom;
  // Words that NFC lengthens (presentation forms, a musical symbol, a Greek dialytika tonos after a letter, a
  // precomposed Ǖ before a mark that keeps its own marks apart) ...
  const GROWING = [
    'e\u0301',
    '\ufb2c\ufb2c',
    '\ud834\udd60',
    'a\u0344',
    '\u01d5\u0323',
    '\u1f82',
    '&#x1D160;',
  ];
  // ... and words below U+0300 with every kind of whitespace, where the whitespace rules decide.
  const PLAIN = [
    'plain',
    'caf\u00e9',
    'soft\u00adhyphen',
    ' ',
    '  ',
    '\n\t ',
    'x \n\n y',
    '\u00a0',
    '&nbsp;',
    '\u3000',
  ];
  const TAGS = [
    'div',
    'p',
    'span',
    'b',
    'pre',
    'table',
    'tr',
    'td',
    'th',
    'br',
    'h2',
    'button',
    'noscript',
    'a',
    'script',
    'style',
    'template',
  ];

  function randomDocument(next: () => number, words: readonly string[]): string {
    const pick = <T>(items: readonly T[]) => items[Math.floor(next() * items.length)]!;
    const fragment = (depth: number): string => {
      let html = '';
      const parts = 1 + Math.floor(next() * 5);
      for (let i = 0; i < parts; i++) {
        if (depth > 4 || next() < 0.6) {
          // Long runs of one word: text that outweighs the elements around it, where the bound is tight.
          html += pick(words).repeat(1 + Math.floor(next() * 40));
        } else {
          const tag = pick(TAGS);
          html +=
            tag === 'br'
              ? '<br>'.repeat(1 + Math.floor(next() * 10))
              : `<${tag}>${fragment(depth + 1)}</${tag}>`;
        }
      }
      return html;
    };
    // Content after </body> and a streamed segment: repairTree moves both into the page.
    return `<html><head><title>t</title></head><body>${fragment(0)}<template id="B:1"></template></body></html>${fragment(2)}<div hidden id="S:1">${fragment(2)}</div>`;
  }

  it('is never below the text of any element, with any elements skipped, before or after the tree is repaired', () => {
    const next = random(9);
    const over: string[] = [];
    for (let page = 0; page < 120; page++) {
      const $ = parse(randomDocument(next, page % 2 === 0 ? PLAIN : [...PLAIN, ...GROWING]));
      const root = documentRoot($);
      const bound = plainTextLengthBound(root);
      repairTree(root, findFirst(root, 'body')!);
      const elements = elementsInOrder(root);
      for (const element of elements) {
        const skipped = new Set(elements.filter(() => next() < 0.2));
        for (const skip of [undefined, (inner: Element) => skipped.has(inner)]) {
          for (const separateElements of [false, true]) {
            const text = toPlainText([element], { skip, separateElements });
            if (text.length > bound) over.push($.html());
          }
        }
      }
    }
    expect(over).toEqual([]);
  });

  it('holds for what NFC does to single characters: nothing below U+0300 grows, nothing grows past 8 units', () => {
    const wrong: number[] = [];
    for (let code = 0; code < 0x110000; code++) {
      if (code >= 0xd800 && code < 0xe000) continue;
      const char = String.fromCodePoint(code);
      const fits =
        code < 0x300
          ? char.normalize('NFC') === char && !/\p{M}/u.test(char)
          : char.normalize('NFD').length <= 8 && char.normalize('NFC').length <= 8;
      if (!fits) wrong.push(code);
    }
    expect(wrong).toEqual([]);
  });

  it('holds where each of its rules is tight: kept whitespace, line breaks, cells, paragraphs, NFC', () => {
    const pages = [
      `<pre>a${' '.repeat(50)}b</pre>`,
      `<pre>a${'<br>'.repeat(50)}b</pre>`,
      `<pre>${'<td></td>'.repeat(50)}x</pre>`,
      '<p>x</p>'.repeat(50),
      '\ufb2c'.repeat(50),
      '\ud834\udd60'.repeat(50),
    ];
    for (const page of pages) {
      const root = documentRoot(parse(`<body>${page}</body>`));
      const body = findFirst(root, 'body')!;
      const text = toPlainText([body], { separateElements: true });
      expect(text.length, page).toBeGreaterThan(45);
      expect(text.length, page).toBeLessThanOrEqual(plainTextLengthBound(root));
    }
  });

  it('counts collapsed whitespace once and leaves scripts out', () => {
    const $ = parse('<body><p>one   two</p><script>var x = "a long script text";</script></body>');
    // "one two" (7), the paragraph's blank line (2), body, p and script (3)
    expect(plainTextLengthBound(documentRoot($))).toBe(12);
  });
});

describe('collapseWhitespace', () => {
  it("gives what replace(/\\s+/g, ' ').trim() gives, for every kind of whitespace and run", () => {
    // Each whitespace kind (space, tab, newlines, no-break, line separator, BOM, ideographic space) alone, doubled
    // and beside a space, at the edges and between words.
    const spaces = [' ', '\t', '\n', '\r', '\f', '\v', '\u00a0', '\u2028', '\ufeff', '\u3000'];
    const random = seededRandom(7);
    const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
    for (let i = 0; i < 2000; i++) {
      let text = '';
      const parts = 1 + Math.floor(random() * 6);
      for (let part = 0; part < parts; part++) {
        const run = Math.floor(random() * 3);
        for (let k = 0; k < run; k++) text += random() < 0.6 ? ' ' : pick(spaces);
        text += pick(['a', 'word', 'É', '日本']);
      }
      if (random() < 0.3) text += pick(spaces);
      expect(collapseWhitespace(text)).toBe(text.replace(/\s+/g, ' ').trim());
    }
  });

  it('collapses a lone tab or newline and a double space, and trims', () => {
    expect(collapseWhitespace(' Read\tmore:\nnow  here ')).toBe('Read more: now here');
  });
});
