// The extraction benchmark's metric (benchmark/metric.ts), checked on tiny hand-made texts so that the port of
// the upstream scoring is tested without the benchmark data.
import { describe, expect, it } from 'vitest';
import { aggregate, evaluateCorpus, scorePage, shingles, tokenize } from '../../benchmark/metric.ts';

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
