// The extraction benchmark's metric (benchmark/metric.ts), checked on tiny hand-made texts so that the port of
// the upstream scoring is tested without the benchmark data.
import { describe, expect, it } from 'vitest';
import { plausibleUrl } from '../../benchmark/corpora.ts';
import {
  aggregate,
  countSnippets,
  evaluateCorpus,
  scorePage,
  scoreWords,
  shingles,
  snippetScore,
  sumSnippets,
  tokenize,
} from '../../benchmark/metric.ts';

describe('tokenize (Python re \\w+ semantics)', () => {
  it('keeps letters, digits and underscores, drops punctuation and keeps case', () => {
    expect(tokenize("Hello, world! It's snake_case 2024.")).toEqual([
      'Hello',
      'world',
      'It',
      's',
      'snake_case',
      '2024',
    ]);
  });

  it('is Unicode-aware, and splits at combining marks as Python does', () => {
    expect(tokenize('Привет, мир — 東京')).toEqual(['Привет', 'мир', '東京']);
    // "e" + U+0301 COMBINING ACUTE ACCENT: the mark is not a word character in Python's re.
    expect(tokenize('cafe\u0301 noir')).toEqual(['cafe', 'noir']);
    expect(tokenize('café noir')).toEqual(['café', 'noir']);
  });

  it('gives no tokens for empty or missing text', () => {
    expect(tokenize('')).toEqual([]);
    expect(tokenize(undefined)).toEqual([]);
    expect(tokenize(' -- ')).toEqual([]);
  });
});

describe('shingles', () => {
  it('counts overlapping 4-grams as a multiset', () => {
    const counts = shingles(['a', 'b', 'c', 'd', 'a', 'b', 'c', 'd']);
    expect(counts.size).toBe(4);
    expect(counts.get(['a', 'b', 'c', 'd'].join('\u0001'))).toBe(2);
  });

  it('gives one shorter shingle below four tokens, none for no tokens', () => {
    expect([...shingles(['a', 'b'])]).toEqual([['a\u0001b', 1]]);
    expect(shingles([]).size).toBe(0);
  });
});

describe('scorePage', () => {
  it('scores an exact copy as perfect', () => {
    const page = scorePage('One two three four five.', 'One, two; three four five!');
    expect(page).toMatchObject({ precision: 1, recall: 1, exact: true });
  });

  it('normalises TP, FP and FN by their sum', () => {
    // truth shingles: [a b c d], [b c d e]; predicted: [a b c d], [b c d x] → TP 1, FP 1, FN 1.
    const page = scorePage('a b c d e', 'a b c d x');
    expect(page.tp).toBeCloseTo(1 / 3);
    expect(page.fp).toBeCloseTo(1 / 3);
    expect(page.fn).toBeCloseTo(1 / 3);
    expect(page.precision).toBeCloseTo(0.5);
    expect(page.recall).toBeCloseTo(0.5);
    expect(page.exact).toBe(false);
  });

  it('counts repeated shingles with their multiplicity', () => {
    // Predicting the text twice gives 5 shingles (w x y z twice, plus 3 spanning the seam) for 1 true one:
    // TP 1, FP 4, so precision is 1/5 while recall stays whole.
    const page = scorePage('w x y z', 'w x y z w x y z');
    expect(page.recall).toBe(1);
    expect(page.precision).toBeCloseTo(1 / 5);
  });

  it('gives precision 0 and no prediction for an empty output, recall 0', () => {
    const page = scorePage('some true text here', '');
    expect(page).toMatchObject({ precision: 0, recall: 0, hasPrediction: false, hasTruth: true });
  });
});

describe('aggregate', () => {
  it('averages precision over pages with output and recall over all pages, F1 from the means', () => {
    const perfect = scorePage('one two three four five', 'one two three four five');
    const empty = scorePage('six seven eight nine ten', '');
    const half = scorePage('a b c d e', 'a b c d x');
    const score = aggregate([perfect, empty, half]);
    expect(score.precision).toBeCloseTo((1 + 0.5) / 2);
    expect(score.recall).toBeCloseTo((1 + 0 + 0.5) / 3);
    expect(score.f1).toBeCloseTo((2 * 0.75 * 0.5) / 1.25);
    expect(score.accuracy).toBeCloseTo(1 / 3);
  });

  it('bootstraps reproducibly with a seed, with no spread when every page scores the same', () => {
    const pages = [scorePage('a b c d e', 'a b c d x'), scorePage('p q r s t', 'p q r s y')];
    const first = evaluateCorpus(pages, { resamples: 200, seed: 7 });
    const second = evaluateCorpus(pages, { resamples: 200, seed: 7 });
    expect(first).toEqual(second);
    expect(first.stdev.f1).toBe(0);
    const mixed = evaluateCorpus([scorePage('a b c d', 'a b c d'), scorePage('e f g h', '')], { seed: 1 });
    expect(mixed.stdev.recall).toBeGreaterThan(0);
  });
});

describe('scoreWords (wcxb-dev evaluate.py)', () => {
  it('scores lower-cased bag-of-words overlap', () => {
    const score = scoreWords('The cat sat on the mat', 'the CAT sat, the dog');
    // predicted 5 tokens, reference 6; overlap: the x2, cat, sat = 4
    expect(score.precision).toBeCloseTo(4 / 5);
    expect(score.recall).toBeCloseTo(4 / 6);
    expect(score.f1).toBeCloseTo((2 * (4 / 5) * (4 / 6)) / (4 / 5 + 4 / 6));
  });

  it('gives 1 when both sides are empty and 0 when only one is', () => {
    expect(scoreWords('', '').f1).toBe(1);
    expect(scoreWords('words here', '').f1).toBe(0);
    expect(scoreWords('', 'words here').f1).toBe(0);
  });
});

describe('snippets (trafilatura-dev and wcxb-dev)', () => {
  it('finds snippets after collapsing whitespace, case-sensitively unless asked', () => {
    const text = 'Die GEMA dreht\n völlig   am Zeiger! Impressum';
    const snippets = { with: ['dreht völlig am', 'fehlt hier'], without: ['Impressum', 'Newsletter'] };
    expect(countSnippets(text, snippets)).toEqual({ tp: 1, fn: 1, fp: 1, tn: 1 });
    expect(countSnippets(text, { with: ['die gema'], without: [] }).tp).toBe(0);
    expect(countSnippets(text, { with: ['die gema'], without: [] }, { caseInsensitive: true }).tp).toBe(1);
  });

  it('finds a snippet whose hyphenation hints the text does not keep (and the other way round)', () => {
    const hinted = { with: ['Lauf\u00adzei\u00adten be\u00adhan\u00addelt'], without: [] };
    expect(countSnippets('Die Laufzeiten behandelt er.', hinted).tp).toBe(1);
    expect(countSnippets('Lauf\u200bzeiten', { with: ['Laufzeiten'], without: [] }).tp).toBe(1);
    expect(countSnippets('Lauf-zeiten', { with: ['Laufzeiten'], without: [] }).tp).toBe(0);
  });

  it('sums counts over pages before computing precision and recall', () => {
    const total = sumSnippets([
      { tp: 3, fn: 1, fp: 0, tn: 2 },
      { tp: 1, fn: 1, fp: 2, tn: 0 },
    ]);
    const score = snippetScore(total);
    expect(score.precision).toBeCloseTo(4 / 6);
    expect(score.recall).toBeCloseTo(4 / 6);
    expect(score.withoutRate).toBeCloseTo(2 / 4);
  });
});

describe('plausibleUrl (trafilatura-dev labels)', () => {
  it('turns labels into https addresses and leaves URLs alone', () => {
    expect(plausibleUrl('https://a.example/x')).toBe('https://a.example/x');
    expect(plausibleUrl('xhttps://zoo.example/news')).toBe('https://zoo.example/news');
    expect(plausibleUrl('hard::jamaicaobserver.com-attacks.html')).toBe(
      'https://jamaicaobserver.com/attacks',
    );
    expect(plausibleUrl('hard::laprensagrafica.com.fiscal.html')).toBe('https://laprensagrafica.com/fiscal');
  });
});
