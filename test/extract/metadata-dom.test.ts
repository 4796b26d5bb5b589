import type { Element } from 'domhandler';
import { describe, expect, it } from 'vitest';
import { parseHtml } from '../../lib/core/extract/index.ts';
import { isWhiteSpaceCode } from '../../lib/core/extract/letters.ts';
import { extractMetadata } from '../../lib/core/extract/metadata.ts';
import { labelledDateAfterWindow, visibleDateline } from '../../lib/core/extract/metadata-dateline.ts';
import {
  authorElements,
  dataDateElements,
  hasToken,
  indexPage,
} from '../../lib/core/extract/metadata-dom.ts';
import { cheerioPage } from '../helpers/cheerio-page.ts';
import { countReads, type ReadCounter } from '../helpers/read-count.ts';
import { seededRandom } from '../helpers/seeded-random.ts';

describe('isWhiteSpaceCode', () => {
  it('answers as /\\s/ does for every UTF-16 code unit', () => {
    const differing: number[] = [];
    for (let code = 0; code <= 0xffff; code++) {
      if (isWhiteSpaceCode(code) !== /\s/.test(String.fromCharCode(code))) differing.push(code);
    }
    expect(differing).toEqual([]);
  });
});

describe('hasToken', () => {
  const bySplitting = (value: string | undefined, token: string) =>
    value?.toLowerCase().split(/\s+/).includes(token.toLowerCase()) === true;

  it('finds a token as splitting the list at white space finds it', () => {
    const random = seededRandom(17);
    const pieces = [
      'author',
      'AUTHOR',
      'co-author',
      'authors',
      'name',
      'x',
      '',
      ' ',
      '  ',
      '\t',
      '\n',
      '\u00a0',
      '\u3000',
    ];
    const tokens = ['author', 'Author', 'name', 'x', ''];
    const differing: [string, string][] = [];
    let checked = 0;
    for (let round = 0; round < 3000; round++) {
      let value = '';
      const length = Math.floor(random() * 6);
      for (let i = 0; i < length; i++) value += pieces[Math.floor(random() * pieces.length)];
      for (const token of tokens) {
        if (hasToken(value, token) !== bySplitting(value, token)) differing.push([value, token]);
        checked++;
      }
    }
    expect(differing).toEqual([]);
    expect(checked).toBe(15_000);
    expect(hasToken(undefined, 'author')).toBe(false);
    expect(hasToken('Nofollow Author', 'author')).toBe(true);
    expect(hasToken('co-author', 'author')).toBe(false);
  });
});

describe('the author and data-date element lists', () => {
  const html = `<html><head><title>T</title></head><body>
    <header><a href="/author/jane-doe" class="byline">Jane Doe</a></header>
    ${Array.from({ length: 70 }, (_, i) => `<span class="post-author" id="a${i}" data-date="2024-01-${String((i % 28) + 1).padStart(2, '0')}">x</span>`).join('')}
    ${Array.from({ length: 45 }, (_, i) => `<a href="/writers/w${i}/">W</a>`).join('')}
    <a rel="author" href="/about">About</a>
  </body></html>`;

  it('lists byline candidates (60), author links (40) and data-date elements (20) in document order', () => {
    const page = indexPage(parseHtml(html)._root);
    const { bylineCandidates, authorLinks } = authorElements(page);
    expect(bylineCandidates).toHaveLength(60);
    expect(bylineCandidates[0]?.attribs.href).toBe('/author/jane-doe');
    expect(bylineCandidates.slice(1).map((element) => element.attribs.id)).toEqual(
      Array.from({ length: 59 }, (_, i) => `a${i}`),
    );
    expect(authorLinks).toHaveLength(40);
    expect(authorLinks.map((element) => element.attribs.href)).toEqual([
      '/author/jane-doe',
      ...Array.from({ length: 39 }, (_, i) => `/writers/w${i}/`),
    ]);
    expect(dataDateElements(page).map((element) => element.attribs.id)).toEqual(
      Array.from({ length: 20 }, (_, i) => `a${i}`),
    );
    // Found once: a second ask gives the same lists.
    expect(authorElements(page).bylineCandidates).toBe(bylineCandidates);
  });

  it('are not looked for when the page declares its author and dates', () => {
    const declared = `<html><head><title>Harbour ferry returns</title>
      <script type="application/ld+json">{"@type":"NewsArticle","headline":"Harbour ferry returns",
      "author":{"@type":"Person","name":"Ines Varga"},"datePublished":"2024-03-05T07:15:00Z",
      "dateModified":"2024-03-05T09:00:00Z"}</script></head>
      <body><h1>Harbour ferry returns</h1><p>By Ines Varga</p><p>The ferry is back after winter repairs.</p>
      <footer><a class="author-link" href="/author/ines-varga" data-updated="2024-03-05">Ines</a></footer></body></html>`;
    const $ = cheerioPage(declared);
    const link = $('footer a')[0] as Element;
    const reads: ReadCounter = { reads: 0 };
    for (const attribute of ['href', 'class', 'data-updated']) countReads(link.attribs, attribute, reads);
    const metadata = extractMetadata($, new URL('https://ledger.example.com/news/ferry'), {
      now: new Date('2025-01-01T00:00:00Z'),
    });
    expect(metadata.authors).toEqual(['Ines Varga']);
    expect(reads.reads).toBe(0);
  });
});

describe('a labelled publication date far below the headline', () => {
  // More short texts after the h1 than the dateline window reads, then "Posted on" the date (a post's footer).
  const html = `<html><head><title>Ferry returns</title></head><body><h1>Ferry returns</h1>
    ${Array.from({ length: 160 }, (_, i) => `<p>Paragraph number ${['one', 'two', 'three'][i % 3]} of the post.</p>`).join('')}
    <p class="meta">Posted on</p><p class="meta">March 5, 2024</p></body></html>`;
  const now = new Date('2025-01-01T00:00:00Z');

  it('is not read with the dateline near the headline, only when asked for', () => {
    const page = indexPage(parseHtml(html)._root);
    const dateline = visibleDateline(page, 'en', now);
    expect(dateline.published).toBeUndefined();
    expect(labelledDateAfterWindow(page, 'en', now)).toBe('2024-03-05T00:00:00.000Z');
  });

  it('is still the publication date of a page that declares none', () => {
    const metadata = extractMetadata(parseHtml(html), new URL('https://ledger.example.com/news/ferry'), {
      now,
    });
    expect(metadata.publishedAt).toBe('2024-03-05T00:00:00.000Z');
    expect(metadata.sources.publishedAt).toBe('dom');
  });
});

describe('a date right after a byline far below the headline', () => {
  // A long contents list between the h1 and the byline, then "Written by" / the names / the date.
  const filler = Array.from(
    { length: 160 },
    (_, i) => `<li><a href="#part-${i}">Part ${['one', 'two', 'three'][i % 3]} of the guide</a></li>`,
  ).join('');
  const pageWith = (lines: string) =>
    `<html><head><title>Ferry guide</title></head><body><h1>Ferry guide</h1><ul>${filler}</ul>${lines}
    <p>The ferry is back after winter repairs.</p></body></html>`;
  const now = new Date('2025-01-01T00:00:00Z');

  it('is the publication date (en, de)', () => {
    for (const [lines, expected] of [
      [
        '<p>Written by <a href="/author/ines-varga">Ines Varga and Tom Hale</a></p><p>April 8, 2024</p>',
        '2024-04-08T00:00:00.000Z',
      ],
      ['<p>Von Jana Vogel</p><p>8. April 2024</p>', '2024-04-08T00:00:00.000Z'],
    ] as const) {
      const page = indexPage(parseHtml(pageWith(lines))._root);
      expect(labelledDateAfterWindow(page, 'en', now, ['Ines Varga', 'Jana Vogel'])).toBe(expected);
    }
    const metadata = extractMetadata(
      parseHtml(
        pageWith('<p>Written by <a href="/author/ines-varga">Ines Varga</a></p><p>April 8, 2024</p>'),
      ),
      new URL('https://ledger.example.com/news/ferry-guide'),
      { now },
    );
    expect(metadata.authors).toEqual(['Ines Varga']);
    expect(metadata.publishedAt).toBe('2024-04-08T00:00:00.000Z');
  });

  it('is not read after an unrelated line, an update label, or a byline naming others (a card)', () => {
    for (const lines of [
      '<p>Ferry timetable</p><p>April 8, 2024</p>',
      '<p>By Ines Varga</p><p>Updated April 8, 2024</p>',
      '<p>Written by <a href="/author/tom-hale">Tom Hale</a></p><p>April 8, 2024</p>',
    ]) {
      const page = indexPage(parseHtml(pageWith(lines))._root);
      expect(labelledDateAfterWindow(page, 'en', now, ['Ines Varga'])).toBeUndefined();
    }
  });
});
