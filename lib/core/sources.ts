import { PipelineError } from './errors.ts';
import { sha256Hex } from './hash.ts';
import { canonicalizeUrl } from './url.ts';
import * as z from './zod.ts';

/**
 * The crawl sources registry, as plain data: what a source is, how its id is made, how its interval is written,
 * and the health a crawl records on it. No I/O (the store keeps it; CLI, API and CDK seeding create it).
 */

/** feed: RSS/Atom/RDF; sitemap: a sitemap, sitemap index or robots.txt; site: a home page (feeds found on it);
 * urls: a plain-text list of URLs, one a line. A crawl records the kind it actually found. */
export const SOURCE_KINDS = ['feed', 'sitemap', 'site', 'urls'] as const;
export type SourceKind = (typeof SOURCE_KINDS)[number];

export const SOURCE_INTERVAL = {
  defaultSeconds: 15 * 60,
  minSeconds: 60,
  maxSeconds: 7 * 24 * 3600,
} as const;

/** Characters of the SHA-256 of the canonical URL that make a source id: short to type, collision-free enough. */
const SOURCE_ID_LENGTH = 16;
export const SOURCE_ID_PATTERN = /^[0-9a-f]{16}$/;

export const SourceId = z
  .string()
  .check(z.regex(SOURCE_ID_PATTERN, 'a source id is 16 lowercase hex characters (see `sources list`)'));

const httpUrl = z.url({ protocol: /^https?$/, error: 'not an http(s) URL' }).check(z.maxLength(2048));
const timestamp = z.iso.datetime({ offset: false });

export const CRAWL_OUTCOMES = ['ok', 'not-modified', 'failed'] as const;
export type CrawlOutcome = (typeof CRAWL_OUTCOMES)[number];

/** What the last crawls of a source said. Counts are of the last crawl, except articlesIngested (a total). */
export const SourceHealth = z.object({
  lastCrawledAt: z.optional(timestamp),
  lastOutcome: z.optional(z.enum(CRAWL_OUTCOMES)),
  consecutiveFailures: z.number().check(z.int(), z.nonnegative()),
  lastError: z.optional(
    z.object({ code: z.string().check(z.maxLength(100)), message: z.string().check(z.maxLength(500)) }),
  ),
  /** URLs the last crawl read in the source (after the high-water mark dropped the old ones). */
  urlsDiscovered: z.number().check(z.int(), z.nonnegative()),
  /** URLs the last crawl queued for ingest. */
  urlsQueued: z.number().check(z.int(), z.nonnegative()),
  /** Articles created or updated from this source's messages, since it was added. */
  articlesIngested: z.number().check(z.int(), z.nonnegative()),
});
export type SourceHealth = z.infer<typeof SourceHealth>;

export const SourceRecord = z.object({
  id: SourceId,
  url: httpUrl,
  kind: z.enum(SOURCE_KINDS),
  intervalSeconds: z
    .number()
    .check(z.int(), z.gte(SOURCE_INTERVAL.minSeconds), z.lte(SOURCE_INTERVAL.maxSeconds)),
  allowOtherSites: z.boolean(),
  paused: z.boolean(),
  createdAt: timestamp,
  /** When the schedule next hands the source to a crawl worker (absent from the due index while paused). */
  nextDueAt: timestamp,
  health: SourceHealth,
  /** The source document's HTTP validators, sent back on the next crawl (a 304 ends it). */
  validators: z.optional(
    z.object({
      etag: z.optional(z.string().check(z.maxLength(1024))),
      lastModified: z.optional(z.string().check(z.maxLength(200))),
    }),
  ),
  /** The latest date (sitemap lastmod, feed item date) a complete crawl of the source saw. */
  highWaterMark: z.optional(timestamp),
  /**
   * The start of the source's last complete read (no failure, no child sitemap left unread, not answered 304): its
   * crawls queue the time re-checks of the URLs it owns whose nominal due time falls after it (lib/handlers/crawl.ts).
   */
  recheckedThrough: z.optional(timestamp),
});
export type SourceRecord = z.infer<typeof SourceRecord>;

/** What a caller gives to register a source. */
export const NewSource = z.object({
  url: httpUrl,
  kind: z.optional(z.enum(SOURCE_KINDS)),
  intervalSeconds: z.optional(
    z.number().check(z.int(), z.gte(SOURCE_INTERVAL.minSeconds), z.lte(SOURCE_INTERVAL.maxSeconds)),
  ),
  allowOtherSites: z.optional(z.boolean()),
  paused: z.optional(z.boolean()),
});
export type NewSource = z.infer<typeof NewSource>;

/** What may change on a registered source (its URL, hence its id, may not). */
export const SourcePatch = z.strictObject(z.omit(NewSource, { url: true }).shape);
export type SourcePatch = z.infer<typeof SourcePatch>;

/** The id of a source: the start of the SHA-256 of its canonical URL, so one URL is one source. */
export function sourceIdForUrl(url: string): string {
  return sha256Hex(canonicalizeUrl(url)).slice(0, SOURCE_ID_LENGTH);
}

/** A likely kind from the URL alone; the first crawl corrects it from what the document is. */
export function guessSourceKind(url: string): SourceKind {
  const path = new URL(url).pathname.toLowerCase();
  if (/sitemap|\/robots\.txt$/.test(path) || /\.xml(\.gz)?$/.test(path)) {
    return /(rss|atom|feed)/.test(path) ? 'feed' : 'sitemap';
  }
  if (/(\.(rss|atom|rdf)|\/(feed|rss|atom)s?\/?)$/.test(path)) return 'feed';
  if (/\.txt$/.test(path)) return 'urls';
  return 'site';
}

export const EMPTY_HEALTH: SourceHealth = {
  consecutiveFailures: 0,
  urlsDiscovered: 0,
  urlsQueued: 0,
  articlesIngested: 0,
};

/** A new source, due at once. Throws INVALID_URL or BAD_REQUEST with a message naming the problem. */
export function newSourceRecord(input: unknown, now: Date): SourceRecord {
  const parsed = NewSource.safeParse(input);
  if (!parsed.success) {
    const urlIssue = parsed.error.issues.find((issue) => issue.path[0] === 'url');
    if (urlIssue !== undefined) {
      const given = (input as { url?: unknown } | undefined)?.url;
      throw new PipelineError(
        'INVALID_URL',
        `not an http(s) URL: ${JSON.stringify(String(given ?? '')).slice(0, 200)}`,
        { retryable: false, status: 400 },
      );
    }
    throw new PipelineError('BAD_REQUEST', `invalid source: ${z.prettifyError(parsed.error)}`, {
      retryable: false,
      status: 400,
    });
  }
  const source = parsed.data;
  let url: string;
  try {
    url = canonicalizeUrl(source.url);
  } catch {
    throw new PipelineError('INVALID_URL', `not an http(s) URL: ${JSON.stringify(source.url)}`, {
      retryable: false,
      status: 400,
    });
  }
  const at = now.toISOString();
  return {
    id: sourceIdForUrl(url),
    url,
    kind: source.kind ?? guessSourceKind(url),
    intervalSeconds: source.intervalSeconds ?? SOURCE_INTERVAL.defaultSeconds,
    allowOtherSites: source.allowOtherSites ?? false,
    paused: source.paused ?? false,
    createdAt: at,
    nextDueAt: at,
    health: { ...EMPTY_HEALTH },
  };
}

/** `90s`, `15m`, `1h`, `1d` (or plain seconds) as whole seconds within the allowed interval range. */
export function parseInterval(text: string): number {
  const match = /^(\d+)(s|m|h|d)?$/.exec(text.trim());
  if (!match) {
    throw new PipelineError('BAD_REQUEST', `not an interval: ${JSON.stringify(text)} (try 15m, 1h or 1d)`, {
      status: 400,
    });
  }
  const seconds = Number(match[1]) * { s: 1, m: 60, h: 3600, d: 86_400 }[(match[2] ?? 's') as 's'];
  if (seconds < SOURCE_INTERVAL.minSeconds || seconds > SOURCE_INTERVAL.maxSeconds) {
    throw new PipelineError(
      'BAD_REQUEST',
      `the interval must be from ${SOURCE_INTERVAL.minSeconds / 60}m to ${SOURCE_INTERVAL.maxSeconds / 86_400}d, got ${text}`,
      { status: 400 },
    );
  }
  return seconds;
}

/** The source id from CLI or API input, or a BAD_REQUEST naming the expected form. */
export function parseSourceId(text: string): string {
  const parsed = SourceId.safeParse(text);
  if (!parsed.success) {
    throw new PipelineError(
      'BAD_REQUEST',
      `not a source id: ${JSON.stringify(text.slice(0, 80))} (16 lowercase hex characters, see \`sources list\`)`,
      { status: 400 },
    );
  }
  return parsed.data;
}

/** The source reader's look-back (rescheduling itself is lib/core/crawl-policy.ts's sourceNextDueAt). */
export const SOURCE_SCHEDULE = {
  /**
   * Entries dated up to this long before the high-water mark are still looked up: a page re-dated a little
   * late, or one whose first fetch failed, gets the re-check window (CRAWL_POLICY's 24 h) before only a newer
   * date brings it back.
   */
  highWaterLookbackMs: 24 * 3600 * 1000,
} as const;
