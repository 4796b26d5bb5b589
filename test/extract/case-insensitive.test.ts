import { describe, expect, it } from 'vitest';
import * as boilerplate from '../../lib/core/extract/boilerplate.ts';
import {
  CaseInsensitiveMatcher,
  CaseInsensitiveTest,
  caseInsensitiveSource,
  caseInsensitiveTests,
  caseVariants,
  lowerCaseFold,
} from '../../lib/core/extract/case-insensitive.ts';
// Imported for the patterns they build at load (metadata's bylines and datelines, the written-out dates).
import '../../lib/core/extract/metadata.ts';
import '../../lib/core/extract/metadata-dates.ts';
import '../../lib/core/extract/metadata-dateline.ts';

/** The boilerplate tables' exported names, to name their patterns in failures. */
type Named = RegExp | CaseInsensitiveTest | CaseInsensitiveMatcher;
const isNamed = (value: unknown): value is Named =>
  value instanceof RegExp || value instanceof CaseInsensitiveTest || value instanceof CaseInsensitiveMatcher;
const exportedNames = new Map<Named, string>();
for (const [name, value] of Object.entries(boilerplate)) {
  if (isNamed(value)) exportedNames.set(value, name);
  if (Array.isArray(value))
    value.forEach((item, index) => {
      if (isNamed(item)) exportedNames.set(item, `${name}[${index}]`);
    });
}

/** Every caseInsensitiveTest and caseInsensitiveMatcher, each with its `iu` original. */
const lowerCaseTests = caseInsensitiveTests().map((test) => {
  const flags = test instanceof CaseInsensitiveMatcher ? test.flags : '';
  return {
    name: exportedNames.get(test) ?? test.source.slice(0, 60),
    test,
    original: new RegExp(test.source, `iu${flags}`),
    source: test.source,
  };
});
/** The same, rewritten (the texts lower case does not fold are matched by it). */
const rewritten = lowerCaseTests.map(({ name, original, source }) => ({
  name,
  pattern: new RegExp(caseInsensitiveSource(source), original.flags.replace('i', '')),
  original,
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

describe('caseInsensitiveSource (the rewritten fallback)', () => {
  it('covers the long multilingual table patterns', () => {
    expect([...rewritten, ...lowerCaseTests].map(({ name }) => name)).toEqual(
      expect.arrayContaining([
        'BOILERPLATE_HEADING',
        'BOILERPLATE_HEADING_LINE',
        'DATELINE_WORDS_INTL',
        'READING_TIME',
      ]),
    );
    // Outside the tables: the self-attribution and bio-greeting patterns of metadata.ts and the named-month dates.
    expect(rewritten.filter(({ pattern }) => !exportedNames.has(pattern)).length).toBeGreaterThanOrEqual(4);
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
      '(?<name>a)',
      String.raw`[^\W]`,
    ])
      expect(() => caseInsensitiveSource(source), source).toThrow();
  });
});

/** Each distinct escape (class or property) the sources use, as `iu` reads it and as `u` reads lower-cased text. */
function escapesOf(sources: string[]): { construct: string; original: RegExp; lowerCase: RegExp }[] {
  const escapes = new Set(sources.flatMap((source) => source.match(/\\[pP]\{\w+\}|\\[a-zA-Z]/g) ?? []));
  escapes.delete('\\b'); // a boundary between \w and \W, both checked
  return [...escapes, '.'].map((construct) => ({
    construct,
    original: new RegExp(construct, 'iu'),
    lowerCase: new RegExp(construct, 'u'),
  }));
}

describe('caseInsensitiveTest', () => {
  it('covers the long table patterns that are only tested', () => {
    expect(lowerCaseTests.map(({ name }) => name)).toEqual(
      expect.arrayContaining(['BOILERPLATE_HEADING', 'BOILERPLATE_HEADING_LINE']),
    );
    const tableTests = boilerplate.BOILERPLATE_TEXT_INTL.filter(
      (item) => item instanceof CaseInsensitiveTest,
    );
    expect(tableTests.length).toBeGreaterThanOrEqual(25);
    // Outside the tables: metadata's byline labels and dateline tails, the dateline's other-event labels.
    expect(lowerCaseTests.filter(({ test }) => !exportedNames.has(test)).length).toBeGreaterThanOrEqual(5);
  });

  it('lower-cases a text only where that is its `iu` fold: every code point kept matches every letter and escape of the sources as under `iu`', () => {
    const sources = lowerCaseTests.map(({ source }) => source);
    const letters = [...new Set(sources.flatMap((source) => [...source.replace(/\\[pP]\{\w+\}|\\./g, '')]))];
    const anyLetter = `[${letters.map(escapeForClass).join('')}]`;
    const anyLetterOriginal = new RegExp(anyLetter, 'iu');
    const anyLetterLowerCase = new RegExp(anyLetter, 'u');
    const escapes = escapesOf(sources);
    expect(escapes.map(({ construct }) => construct)).toEqual(
      expect.arrayContaining(['\\p{L}', '\\s', '\\W', '.']),
    );
    const differing: string[] = [];
    const matchingLetters: string[] = [];
    let kept = 0;
    for (const char of everyCodePoint()) {
      const folded = lowerCaseFold(char);
      if (folded === undefined) continue;
      kept++;
      const name = `U+${char.codePointAt(0)!.toString(16)}`;
      const matched = anyLetterOriginal.test(char);
      if (anyLetterLowerCase.test(folded) !== matched) differing.push(`${name} to a letter`);
      if (matched) matchingLetters.push(char);
      for (const { construct, original, lowerCase } of escapes)
        if (original.test(char) !== lowerCase.test(folded)) differing.push(`${name} by ${construct}`);
    }
    // Each letter: the characters `iu` matches it with are those lower-casing to it.
    for (const letter of letters) {
      const original = new RegExp(`^[${escapeForClass(letter)}]$`, 'iu');
      for (const char of matchingLetters)
        if (original.test(char) !== (lowerCaseFold(char) === letter))
          differing.push(`U+${char.codePointAt(0)!.toString(16)} to ${letter}`);
    }
    expect(differing).toEqual([]);
    // Nearly every code point takes the lower-case path: only the few lower case does not fold exactly are left out.
    expect(kept).toBeGreaterThan(0x10f000);
    // Lower case is context-dependent in one place: a final capital sigma becomes ς, which `iu` folds to σ.
    expect(lowerCaseFold('ΟΔΟΣ')).toBeUndefined();
    expect(lowerCaseFold('ſign up')).toBeUndefined();
    expect(lowerCaseFold('İlgili')).toBeUndefined();
    expect(lowerCaseFold('Sign Up')).toBe('sign up');
  });

  it('answers what the `iu` original answers on every phrase in every case, with neighbours at both ends', () => {
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
      'Σ',
      'ς',
      'µ',
      'я',
      '関',
      '😀',
    ];
    const differing: string[] = [];
    for (const { name, test, original, source } of lowerCaseTests)
      for (const phrase of phrasesOf(source))
        for (const form of [
          ...caseForms(phrase),
          phrase.replaceAll('s', 'ſ'),
          phrase.replaceAll('k', '\u212A'),
        ]) {
          const texts = [form, `5 ${form}`, `${form} 5 min`];
          for (const neighbour of neighbours)
            texts.push(`${neighbour}${form}`, `${form}${neighbour}`, `5 ${form}${neighbour}`);
          for (const text of texts) {
            original.lastIndex = 0;
            if (test.test(text) !== original.test(text)) differing.push(`${name} on ${text}`);
            if (!(test instanceof CaseInsensitiveMatcher)) continue;
            // exec: the first match and its groups, as written; replace: every match (a global one's) removed.
            original.lastIndex = 0;
            if (JSON.stringify(test.exec(text)) !== JSON.stringify(original.exec(text)))
              differing.push(`${name} exec on ${text}`);
            if (test.exec(text)?.index !== new RegExp(original.source, 'iu').exec(text)?.index)
              differing.push(`${name} index on ${text}`);
            if (text.replace(test, '') !== text.replace(original, ''))
              differing.push(`${name} replace on ${text}`);
          }
        }
    expect(differing).toEqual([]);
  });

  it('isBoilerplateText answers what the table of `iu` originals answers, on each phrase and its odd neighbours', () => {
    const originals = boilerplate.BOILERPLATE_TEXT_ANY_LANGUAGE.map((item) =>
      item instanceof CaseInsensitiveTest ? new RegExp(item.source, 'iu') : item,
    );
    const sources = boilerplate.BOILERPLATE_TEXT_ANY_LANGUAGE.map((item) => item.source);
    const differing: string[] = [];
    let matched = 0;
    for (const phrase of sources.flatMap(phrasesOf))
      for (const text of [
        phrase,
        phrase.toUpperCase(),
        `${phrase} ſ`,
        `İ ${phrase}`,
        `x${phrase}`,
        `${phrase}:`,
      ]) {
        const expected = originals.some((pattern) => pattern.test(text));
        if (expected) matched++;
        if (boilerplate.isBoilerplateText(text) !== expected) differing.push(text);
      }
    expect(differing).toEqual([]);
    expect(matched).toBeGreaterThan(100);
  });

  it('a gated test (mustContain) answers what its `iu` original answers: each alternative of its gate group, in any case', () => {
    const gated = boilerplate.BOILERPLATE_TEXT_ANY_LANGUAGE.filter(
      (item): item is CaseInsensitiveTest =>
        item instanceof CaseInsensitiveTest && item.mustContain !== undefined,
    );
    expect(gated.length).toBeGreaterThanOrEqual(5);
    // One text per alternative of each gated group: a gate missing any of them would skip a text the original matches.
    const texts = [
      'Únete a nuestro canal de WhatsApp',
      'Join our channel on Telegram now',
      '¿Ya sabías que tenemos canal de Telegram? Únete',
      'Rejoignez notre chaîne sur WhatsApp',
      'Suscríbete a nuestro newsletter',
      'Suscríbete a nuestros boletines',
      'Recibe nuestro boletín',
      'Abonnez-vous à notre lettre d’information',
      "Abonnez-vous à notre lettre d'information",
      'Abonnieren Sie unseren Newsletter',
      'Iscriviti alla nostra newsletter',
      'Assine a nossa newsletter',
      'Schrijf je in voor onze nieuwsbrief',
      'Zapisz się do naszego newslettera',
      'Tags: Politik, Wirtschaft',
      'Foto - Schlagwörter: Berlin, Kultur',
      'Étiquettes : cuisine, été',
      'Теги: новости, спорт',
      ...['hier klicken', 'klicken sie hier', 'klick hier', 'cliquez ici', 'haga clic aquí', 'haz clic aquí']
        .concat([
          'pulse aquí',
          'pulsa aquí',
          'clicca qui',
          'clique aqui',
          'klik hier',
          'kliknij tutaj',
          'нажмите здесь',
        ])
        .map((phrase) => `Mehr dazu: ${phrase}`),
    ];
    const differing: string[] = [];
    let matched = 0;
    for (const test of gated) {
      const original = new RegExp(test.source, 'iu');
      for (const text of texts.flatMap((text) => [text, text.toUpperCase(), text.toLowerCase()])) {
        const expected = original.test(text);
        if (expected) matched++;
        if (test.test(text) !== expected || CaseInsensitiveTest.any([test], text) !== expected)
          differing.push(`${test.source.slice(0, 40)} on ${text}`);
      }
    }
    expect(differing).toEqual([]);
    expect(matched).toBeGreaterThanOrEqual(texts.length * 3);
    expect(() => new CaseInsensitiveTest('^tags:', ['Tags'])).toThrow(/lower case/);
  });

  it('compiles the rewritten pattern for the texts lower case does not fold', () => {
    for (const { source } of lowerCaseTests)
      expect(() => caseInsensitiveSource(source), source).not.toThrow();
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
