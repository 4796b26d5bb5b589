import { PipelineError } from '../core/errors.ts';
import { sha256Hex } from '../core/hash.ts';
import { PAGE_TYPES } from '../core/page-types.ts';
import { canonicalizeUrl } from '../core/url.ts';
import { VERSION_REASONS } from '../core/version-reasons.ts';
import * as z from '../core/zod.ts';
import { INGESTED_SHARD_COUNT } from './table.ts';
import type { ArticleRecord, ArticleVersionRecord, CrawlStateRecord, StoreCursor } from './types.ts';

/**
 * Where things live in S3 and DynamoDB: object keys, item keys, record schemas and cursors. Pure functions,
 * no AWS SDK, so the layout can be tested and read on its own.
 *
 * S3 keys group by site and by the article's FIRST-INGEST date, not its publication date:
 * - every article has one (publishedAt is optional, and sometimes absent or wrong on real pages);
 * - it never changes, so all versions of an article sit in one folder even when a later version corrects
 *   publishedAt;
 * - browsing "what came in on the 3rd" is what an operator does; publication order is the index's job.
 *
 *   articles/<site>/<yyyy>/<mm>/<dd>/<id>/v<version>-<tag>.json      the normalized Article
 *   raw/<site>/<yyyy>/<mm>/<dd>/<id>/v<version>-<tag>.html.gz        the page as fetched, gzip
 *
 * `<tag>` is the start of the SHA-256 of the stored Article JSON. Two workers that race to write the same
 * version number therefore write different objects; the loser's pair is never referenced (an orphan) and
 * never overwrites the winner's. A retry of the same Article writes the same keys again (idempotent).
 */

/**
 * The bucket's key prefixes: the one definition. The store writes under them; the CDK stack grants access and sets
 * lifecycle rules by them (raw pages age out, articles never do).
 */
export const BUCKET_PREFIXES = { raw: 'raw/', articles: 'articles/' } as const;

const OBJECT_TAG_LENGTH = 12;
const VERSION_DIGITS = 10;

export const CURRENT_SK = 'CURRENT';
export const CRAWL_STATE_SK = 'STATE';

/** Host-derived segment, restricted to characters that are safe and readable in S3 keys and paths. */
export function siteSegment(domain: string): string {
  return domain.toLowerCase().replace(/[^a-z0-9.-]/g, '_') || '_';
}

function datePath(isoTimestamp: string): string {
  const date = new Date(isoTimestamp);
  if (Number.isNaN(date.getTime()))
    throw new PipelineError('BAD_REQUEST', `not a timestamp: ${isoTimestamp}`);
  const iso = date.toISOString();
  return `${iso.slice(0, 4)}/${iso.slice(5, 7)}/${iso.slice(8, 10)}`;
}

export function objectTag(articleJson: string): string {
  return sha256Hex(articleJson).slice(0, OBJECT_TAG_LENGTH);
}

export interface ObjectKeyParts {
  site: string;
  firstIngestedAt: string;
  id: string;
  version: number;
  tag: string;
}

function objectStem(prefix: string, parts: ObjectKeyParts): string {
  return `${prefix}${siteSegment(parts.site)}/${datePath(parts.firstIngestedAt)}/${parts.id}/v${parts.version}-${parts.tag}`;
}

export function articleObjectKey(parts: ObjectKeyParts): string {
  return `${objectStem(BUCKET_PREFIXES.articles, parts)}.json`;
}

export function rawObjectKey(parts: ObjectKeyParts): string {
  return `${objectStem(BUCKET_PREFIXES.raw, parts)}.html.gz`;
}

/**
 * Layout 2 (batches): the pages of one commit batch go into one WARC object (a gzip member per page), their
 * Articles into one JSON Lines object (a gzip member per Article), so a batch costs two PUTs however many
 * articles it holds. The index item keeps each record's byte range; a reader GETs that range and gunzips it.
 * Keys carry the batch's commit date and a random batch id; nothing is ever overwritten.
 *
 *   articles/<yyyy>/<mm>/<dd>/<batch>.jsonl.gz
 *   raw/<yyyy>/<mm>/<dd>/<batch>.warc.gz
 *
 * Records written by layout 1 (one object per page and per Article, keys above) carry no range and are read whole.
 */
export interface BatchObjectKeys {
  articles: string;
  raw: string;
}

export function batchObjectKeys(batchId: string, committedAt: string): BatchObjectKeys {
  if (!/^[0-9a-z-]{8,64}$/.test(batchId)) throw new PipelineError('INTERNAL', `not a batch id: ${batchId}`);
  const stem = `${datePath(committedAt)}/${batchId}`;
  return {
    articles: `${BUCKET_PREFIXES.articles}${stem}.jsonl.gz`,
    raw: `${BUCKET_PREFIXES.raw}${stem}.warc.gz`,
  };
}

/** Where one record sits in a batch object: a gzip member, read with `Range: bytes=<offset>-<offset+length-1>`. */
export interface ByteRange {
  offset: number;
  length: number;
}

export function rangeHeader(range: ByteRange): string {
  return `bytes=${range.offset}-${range.offset + range.length - 1}`;
}

// ---- DynamoDB keys ----

export function articlePk(id: string): string {
  return `ARTICLE#${id}`;
}

export function versionSk(version: number): string {
  return `VERSION#${String(version).padStart(VERSION_DIGITS, '0')}`;
}

export const VERSION_SK_PREFIX = 'VERSION#';

export function sitePk(site: string): string {
  return `SITE#${site}`;
}

/** Sort key of the bySite index: publication date, or first-ingest date when the page gives none. */
export function siteSortKey(record: Pick<ArticleRecord, 'publishedAt' | 'firstIngestedAt' | 'id'>): string {
  return `${record.publishedAt ?? record.firstIngestedAt}#${record.id}`;
}

/** The shard of an article in the byIngested index: stable per id, spread evenly (ids are hashes). */
export function ingestedShard(id: string, shardCount = INGESTED_SHARD_COUNT): number {
  return Number.parseInt(id.slice(0, 8), 16) % shardCount;
}

export function ingestedPk(day: string, shard: number): string {
  return `INGESTED#${day}#${shard}`;
}

export function ingestedSortKey(ingestedAt: string, id: string): string {
  return `${ingestedAt}#${id}`;
}

/**
 * The "since" feed (store layout 3): one item per commit batch, keyed by the UTC day and the time its commits are
 * stamped with, holding the ids of the articles the batch commits (`ids`). Each article id is listed with the
 * batch's stamp, which is also the ingestedAt of the version it commits; a reader keeps an entry only while the
 * article's CURRENT item still carries that ingestedAt (a later version has its own entry), so an entry of a commit
 * that lost a race or never happened is skipped. One write per batch replaces the `byIngested` index copy each
 * article cost (layouts 1 and 2 keep their index entries, and readers still merge them). One partition per day: a
 * batch item is written per ingest batch, far below a partition's 1,000 writes a second.
 */
export function feedPk(day: string): string {
  return `FEED#${day}`;
}

/** `<stamp>#<batch id>`: string order is stamp order, then the batch; an entry's feed key is `<stamp>#<article id>`. */
export function feedSk(stampedAt: string, batchId: string): string {
  return `${stampedAt}#${batchId}`;
}

/** Ids per feed item: 1,000 ids are ~66 KB, far below DynamoDB's 400 KB item limit (an SQS batch is at most 100). */
export const FEED_IDS_PER_ITEM = 1_000;

/**
 * One small item per UTC day that has (or may have) commits, so a "since" reader finds the days worth
 * querying with one Query instead of probing every shard of every empty day since `since`.
 */
export const INGESTED_DAYS_PK = 'INGESTED_DAYS';

/**
 * Articles ingested per source, counted per ingest batch (one small item per batch: `counts` maps source id to new
 * articles, `expiresAt` lets DynamoDB's TTL delete it for free) instead of one counter update per source and batch
 * (batches mix hosts, so that was about one write per article). The crawl schedule folds the items stamped since its
 * last fold into the sources' `articlesIngested` (`INGEST_COUNTS_FOLD_SK` under `INGEST_COUNTS_PK` holds how far),
 * one update per source per fold. One partition per day, like the feed's.
 */
export function ingestCountsPk(day: string): string {
  return `COUNTS#${day}`;
}

/** `<stamp>#<batch id>`: string order is stamp order, as the fold reads them. */
export function ingestCountsSk(stampedAt: string, batchId: string): string {
  return `${stampedAt}#${batchId}`;
}

/** The fold's progress item: every count item stamped at or before its `through` is in the sources' totals. */
export const INGEST_COUNTS_PK = 'COUNTS';
export const INGEST_COUNTS_FOLD_SK = 'FOLDED';

/** Crawl state is keyed by the hash of the canonical URL: URLs can outgrow DynamoDB's 2 KB key limit. */
export function crawlPk(url: string): string {
  return `CRAWL#${sha256Hex(canonicalizeUrl(url))}`;
}

/**
 * Politeness items, one partition per host (host[:port], lower case): the token (`TOKEN`, nextAllowedAt in epoch
 * ms) every worker takes before a request, and robots.txt as fetched per scheme (`ROBOTS#http`, `ROBOTS#https`).
 */
export function hostPk(host: string): string {
  return `HOST#${host.toLowerCase()}`;
}
export const HOST_TOKEN_SK = 'TOKEN';
export function robotsSk(scheme: string): string {
  return `ROBOTS#${scheme.replace(/:$/, '').toLowerCase()}`;
}

/**
 * Near-duplicate anchor entries: one partition per anchor key (lib/core/dedup), sorted by their place under the
 * key (the order they were written) so the newest are read first.
 */
export function anchorPk(key: string): string {
  return `DEDUP#${key}`;
}

/**
 * An anchor entry's sort key: `~~<place>` for a representative's claim of its place (a conditional write: one
 * holder per place), `~~<place>#<article id>` for an entry written without a claim. '~~' sorts after the
 * entries of earlier releases (`<first seen>#<id>`, `~claim`), so the newest are read first.
 */
export function anchorSk(slot: number, articleId?: string): string {
  const place = `~~${String(slot).padStart(ANCHOR_SLOT_DIGITS, '0')}`;
  return articleId === undefined ? place : `${place}#${articleId}`;
}

const ANCHOR_SLOT_DIGITS = 8;

/** The place of an anchor entry under its key, from its sort key (0 for entries of earlier releases). */
export function anchorSlot(sk: string): number {
  const match = /^~~(\d+)(?:#|$)/.exec(sk);
  return match ? Number(match[1]) : 0;
}

/** A near-duplicate cluster's members (not its representative, whose id is the cluster id), sort key the article id. */
export function clusterPk(clusterId: string): string {
  return `CLUSTER#${clusterId}`;
}

/** The UTC day (yyyy-mm-dd) of a timestamp. */
export function utcDay(isoTimestamp: string): string {
  return isoTimestamp.slice(0, 10);
}

/** Every UTC day from `fromDay` to `toDay` inclusive. */
export function daysBetween(fromDay: string, toDay: string): string[] {
  const days: string[] = [];
  for (let day = new Date(`${fromDay}T00:00:00.000Z`); ; day = new Date(day.getTime() + 86_400_000)) {
    const text = day.toISOString().slice(0, 10);
    if (text > toDay) break;
    days.push(text);
  }
  return days;
}

// ---- records ----

const sha256 = z.string().check(z.regex(/^[0-9a-f]{64}$/));
const timestamp = z.iso.datetime({ offset: false, precision: 3 });
const byteRange = z.object({
  offset: z.number().check(z.int(), z.nonnegative()),
  length: z.number().check(z.int(), z.positive()),
}) satisfies z.ZodMiniType<ByteRange>;

export const ArticleRecordSchema = z.object({
  id: sha256,
  url: z.string().check(z.minLength(1)),
  site: z.string().check(z.minLength(1)),
  title: z.string(),
  authors: z.array(z.string()),
  publishedAt: z.optional(timestamp),
  modifiedAt: z.optional(timestamp),
  language: z.optional(z.string()),
  pageType: z.optional(z.enum(PAGE_TYPES)),
  cluster: z.optional(
    z.object({
      id: sha256,
      role: z.enum(['representative', 'duplicate', 'related']),
      similarity: z.number().check(z.gte(0), z.lte(1)),
    }),
  ),
  contentHash: sha256,
  version: z.number().check(z.int(), z.positive()),
  ingestedAt: timestamp,
  firstIngestedAt: timestamp,
  articleKey: z.string().check(z.minLength(1)),
  rawKey: z.string().check(z.minLength(1)),
  articleRange: z.optional(byteRange),
  rawRange: z.optional(byteRange),
  reason: z.optional(z.enum(VERSION_REASONS)),
}) satisfies z.ZodMiniType<ArticleRecord>;

export const ArticleVersionRecordSchema = z.object({
  id: sha256,
  version: z.number().check(z.int(), z.positive()),
  contentHash: sha256,
  ingestedAt: timestamp,
  articleKey: z.string().check(z.minLength(1)),
  rawKey: z.string().check(z.minLength(1)),
  articleRange: z.optional(byteRange),
  rawRange: z.optional(byteRange),
  reason: z.optional(z.enum(VERSION_REASONS)),
}) satisfies z.ZodMiniType<ArticleVersionRecord>;

/** A "since" feed item as stored (feedPk): its stamp leads the sort key. */
export const FeedItemSchema = z.object({
  sk: z.string().check(z.regex(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z#/)),
  ids: z.array(sha256),
});

/** The longest HTTP validators crawl state keeps (a server may send longer ones; they are not kept). */
export const MAX_VALIDATOR_LENGTH = { etag: 1024, lastModified: 200 } as const;

export const CrawlStateRecordSchema = z.object({
  url: z.string().check(z.minLength(1), z.maxLength(8192)),
  lastFetchedAt: z.optional(z.iso.datetime()),
  lastStatus: z.optional(z.number().check(z.int())),
  lastOutcome: z.optional(z.string().check(z.maxLength(200))),
  lastErrorCode: z.optional(z.string().check(z.maxLength(200))),
  etag: z.optional(z.string().check(z.maxLength(MAX_VALIDATOR_LENGTH.etag))),
  lastModified: z.optional(z.string().check(z.maxLength(MAX_VALIDATOR_LENGTH.lastModified))),
  contentHash: z.optional(sha256),
  articleId: z.optional(sha256),
  pageType: z.optional(z.enum(PAGE_TYPES)),
  nextDueAt: z.optional(z.iso.datetime()),
  failureCount: z.number().check(z.int(), z.nonnegative()),
  permanentFailure: z.optional(z.boolean()),
  queuedAt: z.optional(z.iso.datetime()),
  leaseUntil: z.optional(z.iso.datetime()),
  recheckStep: z.optional(z.number().check(z.int(), z.gte(0), z.lte(100))),
  presumedAt: z.optional(z.iso.datetime()),
  indexedFetch: z.optional(z.boolean()),
  owner: z.optional(z.string().check(z.regex(/^[0-9a-f]{16}$/))),
}) satisfies z.ZodMiniType<CrawlStateRecord>;

/**
 * The article index item (CURRENT) as stored. DynamoDB bills a write per started KB, for the item and again for
 * each index copy (both article indexes project ALL), so an item just over 1 KB costs 6 write units where one
 * under it costs 3. Layout 2 therefore leaves out what the item's other attributes already say:
 * - `id`: the partition key is `ARTICLE#<id>`;
 * - `articleKey` and `rawKey` of a batch: both are the batch's stem (`<yyyy>/<mm>/<dd>/<batch>`) under their
 *   prefixes, stored once as `batch`;
 * - the two byte ranges as one number list `ranges`: article offset and length, raw offset and length.
 * Items written before (or by a writer that stored full keys) keep their attributes and read the same.
 */
export function slimArticleAttributes(record: ArticleRecord): Record<string, unknown> {
  const { id: _id, articleKey, rawKey, articleRange, rawRange, cluster, ...full } = record;
  const rest = cluster === undefined ? full : { ...full, cluster: compactCluster(record.id, cluster) };
  const batch = batchStem(articleKey, rawKey);
  if (batch === undefined || articleRange === undefined || rawRange === undefined) {
    return {
      ...rest,
      articleKey,
      rawKey,
      ...(articleRange ? { articleRange } : {}),
      ...(rawRange ? { rawRange } : {}),
    };
  }
  return {
    ...rest,
    batch,
    ranges: [articleRange.offset, articleRange.length, rawRange.offset, rawRange.length],
  };
}

/** The stem two batch object keys share, or undefined when they are not one batch's pair. */
function batchStem(articleKey: string, rawKey: string): string | undefined {
  const articles = /^articles\/(\d{4}\/\d{2}\/\d{2}\/[0-9a-z-]{8,64})\.jsonl\.gz$/.exec(articleKey)?.[1];
  return articles !== undefined && rawKey === `${BUCKET_PREFIXES.raw}${articles}.warc.gz`
    ? articles
    : undefined;
}

/**
 * The cluster decision as one string (about 70 bytes instead of 110, which would push most items over 1 KB): `r`
 * for the representative of its own cluster, else the role's initial, the similarity and the cluster id
 * (`d0.93:<id>`, `l0.71:<id>` for related).
 */
function compactCluster(id: string, cluster: NonNullable<ArticleRecord['cluster']>): string {
  if (cluster.role === 'representative' && cluster.id === id && cluster.similarity === 1) return 'r';
  return `${cluster.role === 'related' ? 'l' : cluster.role[0]}${cluster.similarity}:${cluster.id}`;
}

const CLUSTER_ROLES = { r: 'representative', d: 'duplicate', l: 'related' } as const;

function expandCluster(id: string, text: string): unknown {
  if (text === 'r') return { id, role: 'representative', similarity: 1 };
  const match = /^([rdl])([0-9.e-]+):([0-9a-f]{64})$/.exec(text);
  if (!match) return text; // not a compact form: the schema reports it
  return {
    id: match[3],
    role: CLUSTER_ROLES[match[1] as keyof typeof CLUSTER_ROLES],
    similarity: Number(match[2]),
  };
}

/**
 * Store layout 4: the fetch a version was committed from, recorded in its CURRENT item when the page was fetched
 * from the article's own URL (the crawl-state item of that URL and the article share the hash), so ingest writes
 * no crawl state for a new or changed article: the commit is the fetch's outcome. Attribute `fetch`, compact
 * because it rides in the item and its bySite copy (each under 1 KB): `s` the HTTP status when not 200, `e` the
 * ETag, `m` the Last-Modified (validators longer than crawl state keeps are left out). Its time is the item's
 * `fetchedAt`, or `t` once a later version came from elsewhere (another URL with this canonical URL, a
 * re-extraction), which keeps the fetch with its time. Readers of crawl state fold it in (foldIndexedFetch).
 */
export const FETCH_OUTCOME_ATTR = 'fetch';

export interface IndexedFetch {
  status: number;
  etag?: string;
  lastModified?: string;
}

export function compactFetch(fetch: IndexedFetch): Record<string, string | number> {
  const fits = (value: string | undefined, max: number) =>
    value !== undefined && value.length <= max ? value : undefined;
  const etag = fits(fetch.etag, MAX_VALIDATOR_LENGTH.etag);
  const lastModified = fits(fetch.lastModified, MAX_VALIDATOR_LENGTH.lastModified);
  return {
    ...(fetch.status === 200 ? {} : { s: fetch.status }),
    ...(etag === undefined ? {} : { e: etag }),
    ...(lastModified === undefined ? {} : { m: lastModified }),
  };
}

/**
 * A URL's crawl state with the fetch its article's CURRENT item records folded in (layout 4), when that fetch is
 * later than any the crawl-state item records: what ingest's state write would have said (the outcome, validators,
 * hash, the re-check schedule from step 0, no failures). The queue lease that fetch answered is over; a lease a
 * crawl took after it stands (with the schedule a presumed re-check moved on). `indexedFetch` marks the result,
 * and `queuedAt` stays: it names the lease the fetch ended, which a crawl's next lease may replace (markQueued).
 * Unchanged when the item records no such fetch.
 */
export function foldIndexedFetch(
  state: CrawlStateRecord,
  currentItem: Record<string, unknown> | undefined,
  recheckScheduleMs: readonly number[],
): CrawlStateRecord {
  const fetch = currentItem?.[FETCH_OUTCOME_ATTR];
  const pk = currentItem?.pk;
  if (typeof fetch !== 'object' || fetch === null) return state;
  const { s: status, e: etag, m: lastModified, t: time } = fetch as Record<string, unknown>;
  const fetchedAt = typeof time === 'string' ? time : currentItem?.fetchedAt;
  if (typeof fetchedAt !== 'string') return state;
  if (typeof pk !== 'string' || `CRAWL#${pk.slice('ARTICLE#'.length)}` !== crawlPk(state.url)) return state;
  const fetchedMs = Date.parse(fetchedAt);
  if (Number.isNaN(fetchedMs)) return state;
  if (state.lastFetchedAt !== undefined && Date.parse(state.lastFetchedAt) >= fetchedMs) return state;
  const version = Number(currentItem?.version);
  const pageType = currentItem?.pageType;
  const first = recheckScheduleMs[0];
  const leasedLater = state.queuedAt !== undefined && Date.parse(state.queuedAt) > fetchedMs;
  // A crawl that presumed a re-check after this fetch moved the schedule on with its lease: that schedule stands.
  const presumedLater = leasedLater && state.presumedAt !== undefined;
  // An owned URL's first fetch counts its steps from its first lease, as its owner's crawl does without this read
  // (presumeFirstFetch), so every reader derives the same nominal times.
  const stepsFrom =
    !leasedLater && isBareFirstLease(state) ? Date.parse(state.queuedAt as string) : fetchedMs;
  return {
    url: state.url,
    lastFetchedAt: new Date(fetchedMs).toISOString(),
    lastStatus: typeof status === 'number' ? status : 200,
    lastOutcome: version > 1 ? 'updated' : 'created',
    ...(typeof etag === 'string' ? { etag } : {}),
    ...(typeof lastModified === 'string' ? { lastModified } : {}),
    ...(typeof currentItem?.contentHash === 'string' ? { contentHash: currentItem.contentHash } : {}),
    articleId: pk.slice('ARTICLE#'.length),
    pageType: typeof pageType === 'string' ? (pageType as CrawlStateRecord['pageType']) : 'article',
    ...(presumedLater
      ? { nextDueAt: state.nextDueAt, recheckStep: state.recheckStep, presumedAt: state.presumedAt }
      : first === undefined
        ? {}
        : { nextDueAt: new Date(stepsFrom + first).toISOString(), recheckStep: 0 }),
    failureCount: 0,
    permanentFailure: false,
    ...(state.owner === undefined ? {} : { owner: state.owner }),
    ...(state.queuedAt === undefined ? {} : { queuedAt: state.queuedAt }),
    ...(leasedLater && state.leaseUntil !== undefined ? { leaseUntil: state.leaseUntil } : {}),
    indexedFetch: true,
  };
}

/**
 * Whether a crawl-state item may have an outcome recorded only in its article's CURRENT item: it holds a lease no
 * fetch it records came after (ingest folds a new or changed article's fetch only into a message's own lease), and
 * its URL's page is not known to be another URL's article (a page whose canonical URL differs is recorded by a write).
 */
export function mayHaveIndexedFetch(state: CrawlStateRecord): boolean {
  if (state.queuedAt === undefined) return false;
  if (state.articleId !== undefined && `CRAWL#${state.articleId}` !== crawlPk(state.url)) return false;
  return state.lastFetchedAt === undefined || Date.parse(state.lastFetchedAt) < Date.parse(state.queuedAt);
}

/**
 * Whether a crawl-state item is an owned URL's first lease and nothing more: the crawl that found the URL wrote it
 * (with its owner), and no write since recorded a fetch, a failure or a presumed re-check. Its first fetch, if any,
 * is recorded only in the article's CURRENT item (store layout 4).
 */
export function isBareFirstLease(state: CrawlStateRecord): boolean {
  return (
    state.owner !== undefined &&
    state.queuedAt !== undefined &&
    state.leaseUntil !== undefined &&
    state.lastFetchedAt === undefined &&
    state.articleId === undefined &&
    state.presumedAt === undefined &&
    state.lastOutcome === undefined
  );
}

/**
 * An owned URL's bare first lease (isBareFirstLease) as its owner's crawl reads it without the article's CURRENT
 * item: presumed answered at the lease's time, so its time re-check steps are counted from there (1 h, 7 h, 31 h after
 * the URL was first queued). Nothing is written from it (no validators, no hash: ingest reads CURRENT for those), and
 * it is no `indexedFetch` (a lease never carries it). Ingest of a step whose first fetch has not happened fetches the
 * page as new, and the first message then finds it fetched (stale).
 */
export function presumeFirstFetch(
  state: CrawlStateRecord,
  recheckScheduleMs: readonly number[],
): CrawlStateRecord {
  const queuedAt = state.queuedAt as string;
  const first = recheckScheduleMs[0];
  return {
    url: state.url,
    lastFetchedAt: queuedAt,
    lastOutcome: 'created',
    ...(first === undefined
      ? {}
      : { nextDueAt: new Date(Date.parse(queuedAt) + first).toISOString(), recheckStep: 0 }),
    failureCount: 0,
    permanentFailure: false,
    ...(state.owner === undefined ? {} : { owner: state.owner }),
    queuedAt,
    presumedFirstFetch: true,
  };
}

/** A stored article item with the attributes slimArticleAttributes left out put back (other items unchanged). */
export function expandArticleItem(item: Record<string, unknown>): Record<string, unknown> {
  const pk = item.pk;
  if (typeof pk !== 'string' || !pk.startsWith('ARTICLE#')) return item;
  const expanded: Record<string, unknown> = { ...item };
  if (expanded.id === undefined) expanded.id = pk.slice('ARTICLE#'.length);
  const { batch, ranges } = expanded;
  if (typeof batch === 'string' && expanded.articleKey === undefined) {
    expanded.articleKey = `${BUCKET_PREFIXES.articles}${batch}.jsonl.gz`;
    expanded.rawKey = `${BUCKET_PREFIXES.raw}${batch}.warc.gz`;
  }
  if (Array.isArray(ranges) && ranges.length === 4 && expanded.articleRange === undefined) {
    const [articleOffset, articleLength, rawOffset, rawLength] = ranges as number[];
    expanded.articleRange = { offset: articleOffset, length: articleLength };
    expanded.rawRange = { offset: rawOffset, length: rawLength };
  }
  if (typeof expanded.cluster === 'string')
    expanded.cluster = expandCluster(String(expanded.id), expanded.cluster);
  delete expanded.batch;
  delete expanded.ranges;
  delete expanded[FETCH_OUTCOME_ATTR];
  return expanded;
}

/** Reads a stored item back through its schema; a malformed item is a storage fault, not user input. */
export function parseStoredItem<T>(schema: z.ZodMiniType<T>, item: unknown, what: string): T {
  const parsed = schema.safeParse(item);
  if (!parsed.success) {
    throw new PipelineError('INTERNAL', `stored ${what} is malformed: ${z.prettifyError(parsed.error)}`);
  }
  return parsed.data;
}

// ---- cursors ----
// Cursors come back from API callers. The API signs them, but the store still validates their shape before a
// value from one reaches a DynamoDB key: only these exact fields, in these exact formats.

export const SiteCursorSchema = z.strictObject({ date: timestamp, id: sha256 });
export type SiteCursor = z.infer<typeof SiteCursorSchema>;

export const IngestedCursorSchema = z.strictObject({ ingestedAt: timestamp, id: sha256 });
export type IngestedCursor = z.infer<typeof IngestedCursorSchema>;

export function parseCursor<T>(schema: z.ZodMiniType<T>, cursor: StoreCursor): T {
  const parsed = schema.safeParse(cursor);
  if (!parsed.success) {
    throw new PipelineError('BAD_REQUEST', 'invalid cursor: it does not belong to this listing', {
      retryable: false,
    });
  }
  return parsed.data;
}

/** Normalizes a caller's timestamp to the stored form (UTC, milliseconds) so string order is time order. */
export function normalizeTimestamp(value: string, name: string): string {
  const parsed = z.iso.datetime({ offset: true }).safeParse(value);
  const date = parsed.success ? new Date(value) : undefined;
  if (!date || Number.isNaN(date.getTime())) {
    throw new PipelineError(
      'BAD_REQUEST',
      `${name} must be an ISO 8601 timestamp, got ${JSON.stringify(value)}`,
    );
  }
  return date.toISOString();
}
