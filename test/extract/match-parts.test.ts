// Matching a phrase pattern across a page's text nodes as if they were one text.
import { describe, expect, it } from 'vitest';
import { forEachMatchInParts, maxMatchLength } from '../../lib/core/extract/match-parts.ts';
import { seededRandom } from '../helpers/seeded-random.ts';

describe('maxMatchLength', () => {
  it('reads the longest match off a pattern of characters, classes, groups, alternatives and optionals', () => {
    expect(maxMatchLength(/ab?c/)).toBe(3);
    expect(maxMatchLength(/\b(?:get (?:a|your) (?:free )?quote)\b/gi)).toBe(19);
    expect(maxMatchLength(/[a-z\]]x|\.\./)).toBe(2);
    expect(maxMatchLength(/(one|three)|two/)).toBe(5);
  });

  it('refuses patterns whose matches it cannot bound', () => {
    for (const pattern of [/a+/, /a*/, /a{2}/, /(?=a)b/, /(a)\1/, /a/u, /\u0041/])
      expect(() => maxMatchLength(pattern), String(pattern)).toThrow(/maxMatchLength/);
  });
});

describe('forEachMatchInParts', () => {
  const random = seededRandom;
  // Phrases that overlap and run into each other, so which match is taken first matters.
  const PATTERN = /\b(?:(get (?:a|your) (?:free )?quote|free quote)|(quote me)|(me now|now))\b/gi;
  const WORDS = [
    'get',
    'a',
    'your',
    'free',
    'quote',
    'me',
    'now',
    'GET',
    'Quote',
    'xget',
    'quotes',
    ' ',
    '  ',
    '\n',
    '.',
    'é',
  ];

  it('finds what one scan of the joined text finds, however the text is cut, in long and short parts', () => {
    const next = random(3);
    const maxChars = maxMatchLength(PATTERN);
    for (let round = 0; round < 120; round++) {
      let text = '';
      const length = round % 3 === 0 ? 20_000 : 300;
      while (text.length < length)
        text += WORDS[Math.floor(next() * WORDS.length)]! + (next() < 0.7 ? ' ' : '');
      const parts: string[] = [];
      for (let at = 0; at < text.length; ) {
        // Mostly short parts, some far longer than a chunk is made of.
        const size = next() < 0.05 ? 4000 + Math.floor(next() * 20_000) : Math.floor(next() * 30);
        parts.push(text.slice(at, at + size));
        at += size;
      }
      const found: string[] = [];
      forEachMatchInParts(parts, PATTERN, maxChars, (match, at) =>
        found.push(`${at}:${match[0]}:${match.findIndex((group, i) => i > 0 && group !== undefined)}`),
      );
      const expected = [...text.matchAll(PATTERN)].map(
        (match) =>
          `${match.index}:${match[0]}:${match.findIndex((group, i) => i > 0 && group !== undefined)}`,
      );
      expect(found).toEqual(expected);
    }
  });

  it('finds the same where a chunk or a long part ends at any point of a phrase', () => {
    const maxChars = maxMatchLength(PATTERN);
    const phrases = 'get your free quotes xget a quote me now quote me nowx get a free quote';
    const expected = (text: string) =>
      [...text.matchAll(PATTERN)].map((match) => `${match.index}:${match[0]}`);
    for (let shift = 0; shift < phrases.length + 2; shift++) {
      // Two long parts, read in place, meeting inside the phrases ...
      const long = `${'z '.repeat(2500).slice(shift)}${phrases}${'z '.repeat(2500)}`;
      // ... and short parts, joined into chunks that end inside them.
      const short = `${'z '.repeat(8200).slice(shift)}${phrases}${'z '.repeat(100)}`;
      for (const [text, parts] of [
        [long, [long.slice(0, 5000), long.slice(5000)]],
        [short, short.match(/[\s\S]{1,7}/g)!],
      ] as const) {
        const found: string[] = [];
        forEachMatchInParts(parts, PATTERN, maxChars, (match, at) => found.push(`${at}:${match[0]}`));
        expect(found, `shift ${shift}`).toEqual(expected(text));
      }
    }
  });

  it('refuses a pattern that is not global', () => {
    expect(() => forEachMatchInParts(['a'], /a/, 1, () => {})).toThrow(/global/);
  });
});
