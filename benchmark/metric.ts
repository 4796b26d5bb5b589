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

// ---- wcxb-dev (upstream evaluate.py): bag-of-words F1 per page, means over pages ----

export interface WordScore {
  precision: number;
  recall: number;
  f1: number;
}

function wordCounts(text: string): Map<string, number> {
  const counts = new Map<string, number>();
  for (const token of tokenize(text.toLowerCase())) counts.set(token, (counts.get(token) ?? 0) + 1);
  return counts;
}

/**
 * Tokens are `\w+` matches of the lower-cased text; overlap is the multiset intersection; precision = overlap /
 * predicted tokens, recall = overlap / reference tokens. Both empty scores 1; one side empty scores 0.
 */
export function scoreWords(
  reference: string | undefined | null,
  predicted: string | undefined | null,
): WordScore {
  const truth = wordCounts(reference ?? '');
  const prediction = wordCounts(predicted ?? '');
  let truthTotal = 0;
  let predictedTotal = 0;
  let overlap = 0;
  for (const count of truth.values()) truthTotal += count;
  for (const [token, count] of prediction) {
    predictedTotal += count;
    overlap += Math.min(count, truth.get(token) ?? 0);
  }
  if (truthTotal === 0 && predictedTotal === 0) return { precision: 1, recall: 1, f1: 1 };
  if (truthTotal === 0 || predictedTotal === 0) return { precision: 0, recall: 0, f1: 0 };
  const precision = overlap / predictedTotal;
  const recall = overlap / truthTotal;
  const f1 = precision + recall === 0 ? 0 : (2 * precision * recall) / (precision + recall);
  return { precision, recall, f1 };
}

export function meanWordScore(scores: readonly WordScore[]): WordScore {
  if (scores.length === 0) return { precision: 0, recall: 0, f1: 0 };
  const mean = (pick: (score: WordScore) => number) =>
    scores.reduce((sum, score) => sum + pick(score), 0) / scores.length;
  return { precision: mean((s) => s.precision), recall: mean((s) => s.recall), f1: mean((s) => s.f1) };
}

// ---- snippets: passages that must (with) or must not (without) appear in the extracted text ----

/**
 * Characters that never show (soft hyphen, zero-width space, word joiner, byte-order mark): a snippet copied from
 * a page keeps the page's hyphenation hints ('Lauf\u00adzei\u00adten'), so both sides drop them before comparing.
 */
const INVISIBLE_CHARS = /[\u00ad\u200b\u2060\ufeff]/g;

/**
 * Invisible characters removed, whitespace runs collapsed to one space, trimmed (trafilatura's evaluation);
 * optionally case-folded (WCXB).
 */
export function normalizeSnippetText(text: string, caseInsensitive = false): string {
  const collapsed = text.replace(INVISIBLE_CHARS, '').replace(/\s+/g, ' ').trim();
  return caseInsensitive ? collapsed.toLowerCase() : collapsed;
}

export interface SnippetCounts {
  /** `with` snippets found. */
  tp: number;
  /** `with` snippets missing. */
  fn: number;
  /** `without` snippets found. */
  fp: number;
  /** `without` snippets absent. */
  tn: number;
}

export function countSnippets(
  predicted: string | undefined | null,
  snippets: { with: readonly string[]; without: readonly string[] },
  options: { caseInsensitive?: boolean } = {},
): SnippetCounts {
  const caseInsensitive = options.caseInsensitive ?? false;
  const text = normalizeSnippetText(predicted ?? '', caseInsensitive);
  const found = (snippet: string) => text.includes(normalizeSnippetText(snippet, caseInsensitive));
  const withFound = snippets.with.filter(found).length;
  const withoutFound = snippets.without.filter(found).length;
  return {
    tp: withFound,
    fn: snippets.with.length - withFound,
    fp: withoutFound,
    tn: snippets.without.length - withoutFound,
  };
}

export function sumSnippets(counts: readonly SnippetCounts[]): SnippetCounts {
  const total: SnippetCounts = { tp: 0, fn: 0, fp: 0, tn: 0 };
  for (const c of counts) {
    total.tp += c.tp;
    total.fn += c.fn;
    total.fp += c.fp;
    total.tn += c.tn;
  }
  return total;
}

/** Summed counts to precision TP/(TP+FP), recall TP/(TP+FN) and their harmonic mean (trafilatura's figures). */
export function snippetScore(total: SnippetCounts): WordScore & { withRate: number; withoutRate: number } {
  const precision = total.tp + total.fp === 0 ? 0 : total.tp / (total.tp + total.fp);
  const recall = total.tp + total.fn === 0 ? 0 : total.tp / (total.tp + total.fn);
  const f1 = precision + recall === 0 ? 0 : (2 * precision * recall) / (precision + recall);
  const withCount = total.tp + total.fn;
  const withoutCount = total.fp + total.tn;
  return {
    precision,
    recall,
    f1,
    withRate: withCount === 0 ? 0 : total.tp / withCount,
    withoutRate: withoutCount === 0 ? 0 : total.fp / withoutCount,
  };
}
