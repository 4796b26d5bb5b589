import type { Article, ArticleCluster } from '../core/article.ts';
import type { PresumedRecheck } from '../core/crawl-policy.ts';
import type { AnchorClaim, AnchorEntry, ClusterDecision, MemberEntry } from '../core/dedup/cluster.ts';
import type { PageType } from '../core/page-types.ts';
import type { SourceHealth, SourceKind, SourcePatch, SourceRecord } from '../core/sources.ts';
import type { VersionReason } from '../core/version-reasons.ts';

/** Where a record sits inside a batch object (store layout 2); absent for layout 1's one object per record. */
export interface ObjectRange {
  offset: number;
  length: number;
}

/**
 * The store's ports. Handlers depend on these interfaces only; `lib/store/aws/*` implements them on S3 and
 * DynamoDB (the only code that imports the AWS SDK for storage).
 */

export { VERSION_REASONS, type VersionReason } from '../core/version-reasons.ts';

/** One row of the article index: the current version of one article. */
export interface ArticleRecord {
  id: string;
  url: string;
  site: string;
  title: string;
  authors: string[];
  publishedAt?: string;
  modifiedAt?: string;
  language?: string;
  /** Absent for articles (the default type), to keep index items small. */
  pageType?: PageType;
  /** Its near-duplicate cluster (lib/core/dedup); absent when not clustered. */
  cluster?: ArticleCluster;
  contentHash: string;
  version: number;
  /** When this version was committed (ISO 8601 UTC). Orders the "since" feed. */
  ingestedAt: string;
  firstIngestedAt: string;
  articleKey: string;
  rawKey: string;
  articleRange?: ObjectRange;
  rawRange?: ObjectRange;
  /** Why this version was written; absent when a fetch found the page changed. */
  reason?: VersionReason;
}

export interface ArticleVersionRecord {
  id: string;
  version: number;
  contentHash: string;
  ingestedAt: string;
  articleKey: string;
  rawKey: string;
  articleRange?: ObjectRange;
  rawRange?: ObjectRange;
  reason?: VersionReason;
}

/** A position in a listing. Opaque to callers; the API layer signs it before it leaves the system. */
export type StoreCursor = Record<string, string | number>;

export interface Page<T> {
  items: T[];
  /** Present only while more items remain. */
  cursor?: StoreCursor;
  /**
   * listIngestedSince only: the position after the last item this page returned (or the one passed in),
   * present even when nothing more remains yet, so a poller can pass it as `after` later and neither miss
   * nor repeat an item.
   */
  resume?: StoreCursor;
}

export interface SiteListQuery {
  site: string;
  /** Inclusive bounds on publishedAt (ISO 8601 UTC). */
  from?: string;
  to?: string;
  limit: number;
  after?: StoreCursor;
}

export interface SinceListQuery {
  since: string;
  limit: number;
  after?: StoreCursor;
}

export interface ArticleReader {
  getRecord(id: string): Promise<ArticleRecord | undefined>;
  /** The stored Article JSON of a version (the current one when version is omitted). */
  getArticle(id: string, version?: number): Promise<Article | undefined>;
  /** A site's articles, newest publication first. */
  listBySite(query: SiteListQuery): Promise<Page<ArticleRecord>>;
  /** Everything committed since a time across all sites, oldest first. */
  listIngestedSince(query: SinceListQuery): Promise<Page<ArticleRecord>>;
  listVersions(id: string): Promise<ArticleVersionRecord[]>;
  /**
   * The page as fetched that a version was extracted from (the current version when omitted): a ranged GET of
   * its WARC record in layout 2, the whole gzip object in layout 1. Undefined when there is no such version.
   */
  getRawPage(id: string, version?: number): Promise<RawPage | undefined>;
}

export interface RawPage {
  url: string;
  finalUrl: string;
  status: number;
  contentType?: string;
  charset?: string;
  body: Uint8Array;
  fetchedAt: string;
  etag?: string;
  lastModified?: string;
}

export type CommitStatus = 'created' | 'updated' | 'unchanged';

export interface CommitResult {
  status: CommitStatus;
  record: ArticleRecord;
  /** With `repair`: the content was unchanged but its stored copy was missing or damaged, and was rewritten. */
  repaired?: boolean;
  /**
   * The new version's CURRENT item records the fetch it came from (the page was fetched from the article's own URL;
   * store layout 4): that URL's crawl state reads this fetch's outcome without a write of its own.
   */
  fetchRecorded?: boolean;
}

export interface CommitOptions {
  /** When the content is unchanged, check the stored copy and rewrite it if missing or damaged. */
  repair?: boolean;
  /**
   * A replacement of version `replaces` (re-extraction): written as a new version whatever its contentHash (the
   * caller found the Article changed), only while CURRENT is still that version; otherwise 'unchanged', nothing
   * written (a newer version came in meanwhile and is kept).
   */
  replaces?: { version: number; reason: VersionReason };
  /**
   * No fetch of the page's URL was recorded before this one (the crawl's first lease of it): its article is most
   * likely new, so the first attempt puts the index item on the condition that none exists instead of reading it
   * first. An existing item refuses the put (billed as a write), and the commit goes on as without the hint.
   */
  firstFetch?: boolean;
}

export interface ArticleWriter {
  /**
   * Stores raw page and Article (S3 first), then commits the index item conditionally (the commit point).
   * Same contentHash as the current version: 'unchanged', nothing written. Different: a new version, unless
   * the current version comes from a later fetch (raw.fetchedAt) than this one: then 'unchanged' too, and
   * nothing written, so a slow worker cannot bury a newer page under an older one.
   */
  commit(article: Article, raw: RawPage, options?: CommitOptions): Promise<CommitResult>;
  /**
   * A group of `size` commits whose pages and Articles are written as one S3 object each (two PUTs for the
   * group): each caller takes a member, commits through it at most once and leaves when done, committed or not.
   * The objects are written once every member has committed or left. Optional: a writer without it commits alone.
   */
  group?(size: number): CommitGroup;
}

export interface CommitGroupMember {
  commit(article: Article, raw: RawPage, options?: CommitOptions): Promise<CommitResult>;
  /** Done with the group (idempotent); a member that never commits must leave, or the group waits for it. */
  leave(): void;
}

export interface CommitGroup {
  member(): CommitGroupMember;
}

export interface CrawlStateRecord {
  url: string;
  lastFetchedAt?: string;
  lastStatus?: number;
  lastOutcome?: string;
  lastErrorCode?: string;
  etag?: string;
  lastModified?: string;
  contentHash?: string;
  /** The article last committed from this URL (its canonical URL, hence its id, can differ from this one). */
  articleId?: string;
  /** The page type extraction found (lib/core/extract/page-type.ts); pages of unstored types end here. */
  pageType?: PageType;
  nextDueAt?: string;
  failureCount: number;
  /** Permanent failures are not retried until the URL is crawled again on purpose. */
  permanentFailure?: boolean;
  /** When a crawl last queued this URL (set by markQueued; a fetch's put clears it). */
  queuedAt?: string;
  /** Until when that queued message is assumed pending: crawls do not queue the URL again before then. */
  leaseUntil?: string;
  /** The re-check schedule step nextDueAt belongs to (lib/core/crawl-policy.ts nextRecheck). */
  recheckStep?: number;
  /** Set with the lease when the crawl presumed the re-check unchanged and moved the schedule on (presumedRecheck). */
  presumedAt?: string;
  /**
   * Read only, never stored: the last fetch is the one the article's CURRENT item records (store layout 4,
   * foldIndexedFetch), and `queuedAt` names the lease it ended.
   */
  indexedFetch?: boolean;
  /**
   * The registered source that time-re-checks the URL (its owner): the one whose crawl wrote the URL's first lease
   * (or, for a URL stored before owners, the first that leased it since). Only the owner's crawls queue its time
   * re-checks, derived from the owner's recheckedThrough with no per-URL write (lib/core/crawl-policy.ts timeRecheck).
   */
  owner?: string;
  /** Read only, never stored: a bare first lease read without the article, presumed answered (presumeFirstFetch). */
  presumedFirstFetch?: boolean;
  /**
   * Read only, never stored: the crawl-state item held a bare first lease and the article's CURRENT item was folded
   * in (the crawl that queues a step reads it so): its step message says `recheck.bareLease` as a presumed one does.
   */
  foldedFirstLease?: boolean;
}

export interface CrawlStateStore {
  /**
   * The URL's state. `ownFirstLease`: the `queuedAt` of a message whose crawl created the state with its lease
   * (markQueued's `unseen`). While the item still holds that lease and no recorded fetch, no fetch of the URL can be
   * recorded anywhere but by that message itself, so the article's CURRENT item is not read for one (store layout 4).
   * `ownLease`: the `queuedAt` of the message reading; while the item holds that lease with a fetch recorded in it
   * (the crawl records the fetch its look-up read with the lease: markQueued's `carried`), the item says what the
   * CURRENT item would, short of this message's own earlier attempt (a retry fetches again and its commit finds the
   * article as that attempt left it), so CURRENT is not read either.
   */
  get(
    url: string,
    options?: { ownFirstLease?: string; ownLease?: string; known?: CrawlStateRecord },
  ): Promise<CrawlStateRecord | undefined>;
  /**
   * Many states at once (batched reads), keyed by the stored (canonical) URL; unknown URLs are absent.
   * `ownFirstLeases` and `ownLeases`: per URL, what `get`'s `ownFirstLease` and `ownLease` say.
   * `presumeFirstFetch`: an owned URL's bare first lease (lib/store/layout.ts isBareFirstLease) for which it answers
   * true is read without the article's CURRENT item, presumed answered at the lease's time (presumeFirstFetch): the
   * owner's crawl, which needs only the time re-check steps from it.
   * `known` (and `get`'s): the crawl-state item as a crawl read it (a bare first lease, IngestMessage's
   * `recheck.bareLease`): it is not read again; only the article's CURRENT item is, to fold its fetch in.
   */
  getMany?(
    urls: readonly string[],
    options?: {
      ownFirstLeases?: ReadonlyMap<string, string>;
      ownLeases?: ReadonlyMap<string, string>;
      presumeFirstFetch?: (state: CrawlStateRecord) => boolean;
      known?: ReadonlyMap<string, CrawlStateRecord>;
    },
  ): Promise<Map<string, CrawlStateRecord>>;
  /**
   * Replaces the URL's state, unless the stored one comes from a later fetch (a later lastFetchedAt): two
   * workers racing on one URL cannot put an older fetch's state over a newer one. Returns whether it wrote.
   * A put records a fetch's outcome, so it ends any queue lease: queuedAt and leaseUntil are not written.
   */
  put(state: CrawlStateRecord): Promise<boolean>;
  /**
   * Records that a crawl queued the URL at `queuedAt`, leased until `leaseUntil`, touching no other field
   * (an unknown URL gets a fresh state). With `presumed` (a time-scheduled re-check, presumed unchanged), it also
   * moves the schedule on (nextDueAt, recheckStep, presumedAt) and the lease ends by the presumed next due time. Writes only when no fetch started after `queuedAt` and no other
   * lease is still live at `queuedAt`, so it never hides a newer ingest outcome; returns whether it wrote.
   * `endedLease`: the `queuedAt` of a lease the state read showed ended by a fetch its article's CURRENT item records
   * (indexedFetch): that lease may still look live in the crawl-state item, and is replaced.
   * `unseen`: the crawl's look-up found no state for the URL; written only while there still is none, so the lease
   * is the URL's first (its message may say so: IngestMessage.firstLease).
   * `carried`: the state the crawl's look-up read, when it folded in a fetch recorded only in the article's CURRENT
   * item (indexedFetch): that fetch's fields are written with the lease (one write either way), so a read of the
   * item by the lease's own message needs no CURRENT read (get's `ownLease`). Refused, like the lease, when the item
   * has recorded a fetch since.
   * `owner`: the registered source whose crawl writes the lease; recorded as the URL's owner when it has none.
   */
  markQueued(
    url: string,
    queuedAt: Date,
    leaseUntil: Date,
    presumed?: PresumedRecheck,
    endedLease?: string,
    unseen?: boolean,
    carried?: CrawlStateRecord,
    owner?: string,
  ): Promise<boolean>;
}

/**
 * Ingest counts read for a fold and not folded yet (SourceRegistry.pendingIngested): each source's stamped counts
 * after `after` up to `through`; `claimed` collects the sources whose claim added theirs.
 */
export interface PendingIngestCounts {
  after: string;
  through: string;
  /** Count items read; 0 with `first` unset: nothing to fold or record. */
  items: number;
  /** No fold has been recorded yet (the first one records how far it read even when it read nothing). */
  first: boolean;
  bySource: ReadonlyMap<string, ReadonlyArray<{ stampedAt: string; count: number }>>;
  claimed: Set<string>;
}

/**
 * A source the schedule found due: its id, the due-index key it was found under (its crawl's record keeps it when it
 * can: no index write) and the due time its item held (claims compare it).
 */
export interface DueSource {
  id: string;
  dueKey: string;
  nextDueAt: string;
}

/** What one crawl of a source records on it (articlesIngested is counted apart, by ingest and the fold). */
export interface SourceCrawlRecord {
  health: Omit<SourceHealth, 'articlesIngested'>;
  kind: SourceKind;
  nextDueAt: string;
  /** Replaced when given; kept when undefined (a failed crawl learns nothing new). */
  validators?: SourceRecord['validators'];
  highWaterMark?: string;
  /** The start of this crawl when its read was complete (SourceRecord.recheckedThrough); kept when undefined. */
  recheckedThrough?: string;
  /** The due-index key the schedule found the source under (DueSource.dueKey), when it did: kept if close enough. */
  dueKey?: string;
}

/**
 * The crawl sources registry: one small item per source in the pipeline's table, and a sparse due index the
 * schedule queries (paused sources are not in it).
 */
export interface SourceRegistry {
  /** Registers a source unless its id (its URL) is already registered; says which. */
  add(source: SourceRecord): Promise<'created' | 'exists'>;
  /** Registers many, batched; sources already registered are left as they are. */
  addMany(
    sources: SourceRecord[],
    onProgress?: (done: number, total: number) => void,
  ): Promise<{ created: number; existing: number }>;
  get(id: string): Promise<SourceRecord | undefined>;
  /** Sources in id order, a page at a time; `after` is the last id of the previous page. */
  list(options: { limit: number; after?: string }): Promise<{ items: SourceRecord[]; next?: string }>;
  /** Changes interval, kind, allowOtherSites or paused; undefined when there is no such source. */
  update(id: string, patch: SourcePatch, now: Date): Promise<SourceRecord | undefined>;
  remove(id: string): Promise<boolean>;
  /**
   * The sources due at `now`: the due index's keys at or before `now` (a key query, never a Scan; read in pages of
   * `limitPerShard`) are lower bounds of the due times, which are read from the items (BatchGetItem).
   */
  due(now: Date, limitPerShard: number): Promise<DueSource[]>;
  /**
   * Claims a due source: its next due time becomes `leaseUntil`, if it is still as the schedule found it (not
   * claimed, paused or rescheduled meanwhile), so one due source gets one crawl message. Returns whether it claimed.
   * The crawl's record sets the real next due time; if none comes by `leaseUntil` (the task died), the source is
   * due again then.
   */
  claim(source: DueSource, leaseUntil: Date, counts?: PendingIngestCounts): Promise<boolean>;
  /**
   * Puts sources claimed by an earlier release, which took a claimed source off the due index, back on it once their
   * claim ran out with no crawl record (the task died); how many.
   */
  returnExpiredClaims(now: Date): Promise<number>;
  /** Records a crawl's outcome and the next due time (kept off the due index if the source was paused). */
  recordCrawl(id: string, record: SourceCrawlRecord): Promise<void>;
  /**
   * Records one ingest batch's new articles per source (one small item, whatever the number of sources); they reach
   * the sources' articlesIngested at a later foldIngested.
   */
  recordIngested(counts: ReadonlyMap<string, number>): Promise<void>;
  /**
   * Adds the counts recorded up to `settleMs` before `now` and not folded yet to their sources' totals (one
   * update per source), exactly once however many folds run or fail; the crawl schedule runs it.
   */
  foldIngested(
    now: Date,
    settleMs?: number,
    pending?: PendingIngestCounts,
  ): Promise<{ items: number; sources: number }>;
  /**
   * The counts a fold at `now` would add, read and not written: the schedule reads them before its claims, so a
   * claimed source's count rides on its claim (claim's `counts`, the same write), and foldIngested given them
   * updates only the sources no claim took.
   */
  pendingIngested?(now: Date, settleMs?: number): Promise<PendingIngestCounts>;
  /** Makes sources still held by a claim due now (a process starting alone on its store); returns how many. */
  releaseClaims?(now: Date): Promise<number>;
}

/**
 * The near-duplicate index (lib/core/dedup): anchor entries found by key (a bounded number of key reads per
 * article whatever the store's size, never a Scan) and each cluster's members.
 */
export interface ClusterIndex {
  /** The entries stored under each anchor key (one key read each, a bounded number of entries per key). */
  candidates(keys: readonly string[]): Promise<AnchorEntry[]>;
  /** Writes a decision's entries (idempotent: the same decision writes the same items). */
  record(writes: Pick<ClusterDecision, 'anchor' | 'member'>): Promise<void>;
  /** A cluster's non-representative members, first seen first. */
  members(clusterId: string): Promise<MemberEntry[]>;
  /**
   * Claims a new representative's place under its anchor key (one conditional write of its anchor entry), so that
   * of two copies of a story ingested at the same moment only one founds a cluster. `claimed`: the entry is
   * stored, not to be recorded again; otherwise `holder` is the entry that holds the place, to decide again with.
   */
  claim?(anchor: AnchorEntry): Promise<AnchorClaim>;
}

export type { AnchorClaim };
