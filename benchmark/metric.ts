// A port of the article-body metric of scrapinghub/article-extraction-benchmark, as described in
// ../shared/benchmarks/article-extraction/README.md: 4-gram shingle multisets over Unicode \w+ tokens,
// per-page normalised TP/FP/FN, corpus means of precision and recall, F1 from the means, exact-token accuracy,
// and bootstrap standard deviations. Pure: no file access, so it is unit-tested on hand-made texts.

/**
 * Python's `\w` (re with str patterns) matches characters for which str.isalnum() is true, plus "_":
 * letters (L*) and numerics (N*). Combining marks (M*) are NOT word characters in Python, so they split tokens.
 */
const TOKEN_PATTERN = /[\p{L}\p{N}_]+/gu;
const SHINGLE_SIZE = 4;

export function tokenize(text: string | undefined | null): string[] {
  if (!text) return [];
  return text.match(TOKEN_PATTERN) ?? [];
}

/** Overlapping n-grams as a multiset; fewer than n tokens give one shorter shingle, no tokens give none. */
export function shingles(tokens: readonly string[], size = SHINGLE_SIZE): Map<string, number> {
  const counts = new Map<string, number>();
  if (tokens.length === 0) return counts;
  const last = Math.max(1, tokens.length - size + 1);
  for (let i = 0; i < last; i++) {
    // \u0001 cannot occur inside a token, so joined keys are unambiguous.
    const key = tokens.slice(i, i + size).join('\u0001');
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  return counts;
}

export interface PageScore {
  /** Normalised so that tp + fp + fn = 1 (all 0 when both texts are empty). */
  tp: number;
  fp: number;
  fn: number;
  precision: number;
  recall: number;
  /** Whether precision is defined for this page (the system predicted something). */
  hasPrediction: boolean;
  /** Whether recall is defined for this page (the truth has tokens). */
  hasTruth: boolean;
  /** Predicted token list exactly equals the true token list. */
  exact: boolean;
}

export function scorePage(
  expected: string | undefined | null,
  predicted: string | undefined | null,
): PageScore {
  const trueTokens = tokenize(expected);
  const predTokens = tokenize(predicted);
  const trueShingles = shingles(trueTokens);
  const predShingles = shingles(predTokens);
  let tp = 0;
  let fp = 0;
  let fn = 0;
  for (const [key, trueCount] of trueShingles) {
    const predCount = predShingles.get(key) ?? 0;
    tp += Math.min(trueCount, predCount);
    fn += Math.max(0, trueCount - predCount);
  }
  for (const [key, predCount] of predShingles) {
    fp += Math.max(0, predCount - (trueShingles.get(key) ?? 0));
  }
  const total = tp + fp + fn;
  if (total > 0) {
    tp /= total;
    fp /= total;
    fn /= total;
  }
  let precision: number;
  let recall: number;
  if (fp === 0 && fn === 0) {
    precision = 1;
    recall = 1;
  } else {
    precision = tp + fp === 0 ? 0 : tp / (tp + fp);
    recall = tp + fn === 0 ? 0 : tp / (tp + fn);
  }
  const exact =
    trueTokens.length === predTokens.length && trueTokens.every((token, i) => token === predTokens[i]);
  return { tp, fp, fn, precision, recall, hasPrediction: tp + fp > 0, hasTruth: tp + fn > 0, exact };
}

export interface CorpusScore {
  precision: number;
  recall: number;
  f1: number;
  accuracy: number;
}

export function aggregate(pages: readonly PageScore[]): CorpusScore {
  let precisionSum = 0;
  let precisionCount = 0;
  let recallSum = 0;
  let recallCount = 0;
  let exactCount = 0;
  for (const page of pages) {
    if (page.hasPrediction) {
      precisionSum += page.precision;
      precisionCount++;
    }
    if (page.hasTruth) {
      recallSum += page.recall;
      recallCount++;
    }
    if (page.exact) exactCount++;
  }
  const precision = precisionCount === 0 ? 0 : precisionSum / precisionCount;
  const recall = recallCount === 0 ? 0 : recallSum / recallCount;
  const f1 = precision + recall === 0 ? 0 : (2 * precision * recall) / (precision + recall);
  return { precision, recall, f1, accuracy: pages.length === 0 ? 0 : exactCount / pages.length };
}

/** mulberry32: a small seeded PRNG so bootstrap ± values are reproducible run to run. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface CorpusScoreWithError {
  score: CorpusScore;
  /** Standard deviation of each measure over bootstrap resamples of the pages. */
  stdev: CorpusScore;
}

export function evaluateCorpus(
  pages: readonly PageScore[],
  options: { resamples?: number; seed?: number } = {},
): CorpusScoreWithError {
  const resamples = options.resamples ?? 1000;
  const random = seededRandom(options.seed ?? 42);
  const samples: CorpusScore[] = [];
  for (let r = 0; r < resamples; r++) {
    const sample: PageScore[] = [];
    for (let i = 0; i < pages.length; i++) sample.push(pages[Math.floor(random() * pages.length)]!);
    samples.push(aggregate(sample));
  }
  const stdevOf = (pick: (score: CorpusScore) => number): number => {
    if (samples.length < 2) return 0;
    const values = samples.map(pick);
    const mean = values.reduce((a, b) => a + b, 0) / values.length;
    return Math.sqrt(values.reduce((a, b) => a + (b - mean) ** 2, 0) / values.length);
  };
  return {
    score: aggregate(pages),
    stdev: {
      precision: stdevOf((s) => s.precision),
      recall: stdevOf((s) => s.recall),
      f1: stdevOf((s) => s.f1),
      accuracy: stdevOf((s) => s.accuracy),
    },
  };
}
