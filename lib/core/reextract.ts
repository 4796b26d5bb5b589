import type { Article } from './article.ts';

/**
 * Re-extraction's pure rules: when a re-extracted Article counts as changed, how extractor versions compare, and
 * the run's summary. The walk over the store and the writes are in lib/handlers/reextract.ts.
 */

/** Fields that differ on every extraction without the Article changing: when, and by which extractor. */
const VOLATILE_FIELDS = ['extractedAt', 'extractor'] as const satisfies readonly (keyof Article)[];

/**
 * Whether the fresh extraction differs from the stored Article in content or metadata. Every field counts but
 * the volatile ones; an added field (content.markdown, pageType on an old article) is a change, so re-extraction
 * fills in what older extractors did not produce.
 */
export function articleChanged(stored: Article, fresh: Article): boolean {
  return comparable(stored) !== comparable(fresh);
}

function comparable(article: Article): string {
  const copy: Record<string, unknown> = { ...article };
  for (const field of VOLATILE_FIELDS) delete copy[field];
  return stableJson(copy);
}

/** JSON with object keys sorted, so field order (which a schema change can shuffle) is not a difference. */
function stableJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(stableJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, item]) => item !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([key, item]) => `${JSON.stringify(key)}:${stableJson(item)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

const VERSION_PATTERN = /^\d+(\.\d+){0,3}$/;

export function isExtractorVersion(text: string): boolean {
  return VERSION_PATTERN.test(text);
}

/**
 * Compares dotted numeric versions (1.1.0 < 1.10.0; missing parts are 0). A version that is not dotted numbers
 * (a test extractor's "0-dev") sorts before every numbered one, so `--extractor-below` selects it.
 */
export function compareExtractorVersions(a: string, b: string): number {
  const parts = (text: string) => (isExtractorVersion(text) ? text.split('.').map(Number) : undefined);
  const left = parts(a);
  const right = parts(b);
  if (left === undefined || right === undefined) return (left ? 1 : 0) - (right ? 1 : 0);
  for (let index = 0; index < Math.max(left.length, right.length); index++) {
    const difference = (left[index] ?? 0) - (right[index] ?? 0);
    if (difference !== 0) return Math.sign(difference);
  }
  return 0;
}

/**
 * changed: a new version was written (or, in a dry run, would be). unchanged: the extraction gave the same
 * Article, or a newer version came in meanwhile. skipped: not selected (site, extractor version). failed: by code.
 */
export type ReextractStatus = 'changed' | 'unchanged' | 'skipped' | 'failed';

export interface ReextractOutcome {
  id: string;
  status: ReextractStatus;
  /** The version written (changed), or the version looked at. */
  version?: number;
  error?: { code: string; message: string };
}

export interface ReextractCounts {
  scanned: number;
  changed: number;
  unchanged: number;
  skipped: number;
  failed: number;
  failedByCode: Record<string, number>;
}

export function emptyCounts(): ReextractCounts {
  return { scanned: 0, changed: 0, unchanged: 0, skipped: 0, failed: 0, failedByCode: {} };
}

/** Adds one outcome to the counts (in place). */
export function countOutcome(counts: ReextractCounts, outcome: ReextractOutcome): ReextractCounts {
  counts.scanned++;
  counts[outcome.status]++;
  if (outcome.status === 'failed') {
    const code = outcome.error?.code ?? 'INTERNAL';
    counts.failedByCode[code] = (counts.failedByCode[code] ?? 0) + 1;
  }
  return counts;
}

/** Sums counts (the parts of a distributed run). */
export function addCounts(total: ReextractCounts, part: ReextractCounts): ReextractCounts {
  total.scanned += part.scanned;
  total.changed += part.changed;
  total.unchanged += part.unchanged;
  total.skipped += part.skipped;
  total.failed += part.failed;
  for (const [code, count] of Object.entries(part.failedByCode)) {
    total.failedByCode[code] = (total.failedByCode[code] ?? 0) + count;
  }
  return total;
}
