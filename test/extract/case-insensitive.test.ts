import { describe, expect, it } from 'vitest';
import * as boilerplate from '../../lib/core/extract/boilerplate.ts';
import {
  caseInsensitivePatterns,
  caseInsensitiveSource,
  caseVariants,
} from '../../lib/core/extract/case-insensitive.ts';
// Imported for the patterns they build at load (metadata's bylines and datelines, the written-out dates).
import '../../lib/core/extract/metadata.ts';
import '../../lib/core/extract/metadata-dates.ts';

/** The boilerplate tables' exported names, to name their patterns in failures. */
const exportedNames = new Map<RegExp, string>();
for (const [name, value] of Object.entries(boilerplate)) {
  if (value instanceof RegExp) exportedNames.set(value, name);
  if (Array.isArray(value))
    value.forEach((item, index) => {
      if (item instanceof RegExp) exportedNames.set(item, `${name}[${index}]`);
    });
}

/** Every pattern compiled through caseInsensitivePattern, each with its `iu` original. */
const rewritten = caseInsensitivePatterns().map(({ pattern, source }) => ({
  name: exportedNames.get(pattern) ?? source.slice(0, 60),
  pattern,
  original: new RegExp(source, `iu${pattern.flags.replace('u', '')}`),
  source,
}));

function* everyCodePoint(): Generator<string> {
  for (let codePoint = 0; codePoint <= 0x10ffff; codePoint++)
    if (codePoint < 0xd800 || codePoint > 0xdfff) yield String.fromCodePoint(codePoint);
}

const escapeForClass = (char: string) => char.replace(/[-\\\]^]/, '\\$&');

/** The match (position and text) a pattern finds, from the start; a global pattern's every match. */
function matches(pattern: RegExp, text: string): string {
  pattern.lastIndex = 0;
  if (!pattern.global) {
    const found = pattern.exec(text);
    return found ? `${found.index}:${found[0]}` : '-';
  }
  return [...text.matchAll(pattern)].map((found) => `${found.index}:${found[0]}`).join(',');
}

/** The phrases of an alternation, regex syntax removed: "more (from|on)" gives "more from" and "more on"'s parts. */
function phrasesOf(source: string): string[] {
  const phrases = source
    .replace(/\\[pP]\{\w+\}|\\[a-zA-Z]|\{\d*,?\d*\}|\(\?<?[!=:]/g, ' ')
    .split(/[|()]/)
    .map((part) => part.replace(/[\\^$?*+[\]]/g, '').trim())
    .filter((part) => part !== '');
  return [...new Set(phrases)];
}

function caseForms(phrase: string): string[] {
  const title = phrase.replace(/(?<![\p{L}])\p{L}/gu, (letter) => letter.toUpperCase());
  return [phrase, phrase.toUpperCase(), phrase.toLowerCase(), title];
}

describe('caseInsensitivePattern', () => {
  it('covers the long multilingual table patterns', () => {
    expect(rewritten.map(({ name }) => name)).toEqual(
      expect.arrayContaining([
        'BOILERPLATE_HEADING',
        'BOILERPLATE_HEADING_LINE',
        'DATELINE_WORDS_INTL',
        'READING_TIME',
      ]),
    );
    // Outside the tables: the byline and dateline patterns of metadata.ts and the named-month dates.
    expect(rewritten.filter(({ pattern }) => !exportedNames.has(pattern)).length).toBeGreaterThanOrEqual(5);
    for (const { pattern } of rewritten) expect(pattern.flags).not.toContain('i');
  });

  it('gives each letter of the table patterns exactly the characters `iu` matches it with', () => {
    const letters = [...new Set(rewritten.flatMap(({ source }) => [...source]))];
    const anyLetter = new RegExp(`[${letters.map(escapeForClass).join('')}]`, 'iu');
    const anyVariant = new RegExp(`[${letters.flatMap(caseVariants).map(escapeForClass).join('')}]`, 'u');
    // Every code point `iu` matches to one of the letters, and every code point the variants list: the same set.
    const foldedToLetters: string[] = [];
    const differing: string[] = [];
    for (const char of everyCodePoint()) {
      const folded = anyLetter.test(char);
      if (anyVariant.test(char) !== folded) differing.push(char);
      if (folded) foldedToLetters.push(char);
    }
    expect(differing).toEqual([]);
    for (const letter of letters) {
      const original = new RegExp(`^[${escapeForClass(letter)}]$`, 'iu');
      const variants = foldedToLetters.filter((char) => original.test(char));
      expect(caseVariants(letter).sort(), letter).toEqual(variants.sort());
    }
  });

  it('matches what the `iu` original matches on every phrase in every case, with neighbours at both ends', () => {
    // One neighbour of each kind: ASCII, Latin-1, a case-folding oddity (ſ, Kelvin sign, ypogegrammeni, dotted and
    // dotless i), another script, an astral character. case-insensitive.ci.test.ts tries every code point.
    const neighbours = [
      ' ',
      'x',
      'X',
      '1',
      '-',
      ':',
      'é',
      'ſ',
      '\u212A',
      '\u0345',
      'İ',
      'ı',
      'я',
      '関',
      '😀',
    ];
    const differing: string[] = [];
    for (const { name, pattern, original, source } of rewritten)
      for (const phrase of phrasesOf(source))
        for (const form of caseForms(phrase)) {
          const texts = [form, `5 ${form}`, `${form} 5 min`];
          for (const neighbour of neighbours)
            texts.push(`${neighbour}${form}`, `${form}${neighbour}`, `5 ${form}${neighbour}`);
          for (const text of texts)
            if (matches(pattern, text) !== matches(original, text)) differing.push(`${name} on ${text}`);
        }
    expect(differing).toEqual([]);
  });

  it('refuses constructs it does not model', () => {
    for (const source of [
      '[a-z]',
      String.raw`\B`,
      String.raw`(a)\1`,
      String.raw`\u0041`,
      String.raw`(?<name>a)`,
      String.raw`[^\W]`,
    ])
      expect(() => caseInsensitiveSource(source), source).toThrow();
  });
});

describe('class-token patterns without the i flag', () => {
  it('match every lowercased token as they did with i', () => {
    const differing: string[] = [];
    for (const pattern of [boilerplate.BOILERPLATE_TOKEN, boilerplate.CONTENT_TOKEN]) {
      const withCaseFlag = new RegExp(pattern.source, 'i');
      for (const phrase of phrasesOf(pattern.source))
        for (const form of caseForms(phrase))
          for (const token of [form, `x-${form}`, `${form}-x`, `${form}ſ`, `${form}\u212A`].map((text) =>
            text.toLowerCase(),
          ))
            if (pattern.test(token) !== withCaseFlag.test(token)) differing.push(token);
    }
    expect(differing).toEqual([]);
  });
});
