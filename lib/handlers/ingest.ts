import type { SQSBatchItemFailure, SQSBatchResponse } from 'aws-lambda';
import { Article, type PageType } from '../core/article.ts';
import {
  CRAWL_POLICY,
  type CrawlPolicy,
  hasOutlivedMarker,
  isPresumptionPending,
  isStaleMessage,
  isStoredRepresentation,
  isTransientFailure,
  nextRecheck,
  nextRetryAt,
  nominalNextRecheck,
  timeRecheckEndsAt,
  withoutPresumption,
} from '../core/crawl-policy.ts';
import { type ClusterDecision, fingerprint, placeArticle } from '../core/dedup/index.ts';
import { PipelineError, type Result, toPipelineError } from '../core/errors.ts';
import type { ArticleEventPublisher } from '../core/events.ts';
import { type HostSlot, slotPhase } from '../core/fetch/host-slots.ts';
import { isHostBusy } from '../core/fetch/shared-politeness.ts';
import { createGathering } from '../core/gather.ts';
import { canonicalizeUrl } from '../core/url.ts';
import * as z from '../core/zod.ts';
import { carriedFetchState, type DelayedMessage, IngestMessage, type IngestQueue } from '../queue/types.ts';
import { MAX_VALIDATOR_LENGTH } from '../store/layout.ts';
import type {
  ArticleWriter,
  ClusterIndex,
  CrawlStateRecord,
  CrawlStateStore,
  SourceRegistry,
} from '../store/types.ts';
import { jsonStringified, SqsEvent } from './event-schemas.ts';
import type { HandlerLogger } from './logging.ts';
import { ingestedDetail } from './versions.ts';

/** What the ingest handler needs from a fetch (a subset of the fetcher's FetchResult). */
export interface FetchedPage {
  requestedUrl: string;
  url: string;
  status: number;
  notModified: boolean;
  contentType?: string;
  charset?: string;
  body: Uint8Array;
  etag?: string;
  lastModified?: string;
}

/** Fetches one page; throws PipelineError. The wiring binds user agent, allowed origins and limits. */
export type PageFetcher = (
  url: string,
  options: { validators?: { etag?: string; lastModified?: string }; hostSlot?: HostSlot },
) => Promise<FetchedPage>;

/** May answer later: the Lambda bundles load the extractor (and its HTML parser) on the first page that needs it. */
export type ArticleExtractor = (input: {
  html: string | Uint8Array;
  url: string;
  contentType?: string;
  now?: Date;
}) => Result<Article, PipelineError> | Promise<Result<Article, PipelineError>>;

export interface IngestDependencies {
  fetchPage: PageFetcher;
  extract: ArticleExtractor;
  articles: ArticleWriter;
  crawlState: CrawlStateStore;
  events: ArticleEventPublisher;
  /** Named in events so consumers can read the stored objects. */
  bucketName: string;
  logger: HandlerLogger;
  now?: () => Date;
  /** The crawl policy (re-check schedule, retry backoff); CRAWL_POLICY unless given. */
  policy?: CrawlPolicy;
  /** Jitter source for retry backoff. */
  random?: () => number;
  /** Where a busy host's messages are put back with a delay; without it they go back as batch item failures. */
  queue?: IngestQueue;
  /**
   * The crawl's in-flight marker life and this handler's time budget: a message older than the marker (less the
   * budget) is dropped, since a crawl may have queued its URL again. Unset: messages never expire here.
   */
  inFlightMarker?: { markerMs: number; handlerBudgetMs: number };
  /**
   * The page types stored as articles (INGEST_PAGE_TYPES); pages of other types are recorded in crawl state
   * with their type and not stored. Articles only unless given.
   */
  storePageTypes?: readonly PageType[];
  /** The near-duplicate index: new and changed articles are placed in a cluster of copies (lib/core/dedup). */
  clusters?: ClusterIndex;
  /** Called once per handled record (progress output, benchmarks). */
  onOutcome?: (outcome: IngestOutcome, message: IngestMessage | undefined) => void;
  /** The sources registry: each batch records its new articles per source (folded into articlesIngested later). */
  sources?: Pick<SourceRegistry, 'recordIngested'>;
  /**
   * HOST_BUSY when the fetcher already knows the URL's host is busy (no I/O): the message is put back before its
   * crawl state is read, so a host's backlog costs no store read per put-back.
   */
  knownBusy?: (url: string, reserved?: HostSlot) => PipelineError | undefined;
}

/**
 * deferred: the host was busy, the message was put back with a delay. stale: dropped, fetched since it was queued.
 * skipped: fetched and extracted, but of a page type that is not stored (see storePageTypes).
 */
export type IngestStatus = 'created' | 'updated' | 'unchanged' | 'skipped' | 'failed' | 'deferred' | 'stale';

export interface IngestOutcome {
  url: string;
  status: IngestStatus;
  id?: string;
  version?: number;
  /** The extracted page's type (lib/core/extract/page-type.ts), whether or not it was stored. */
  pageType?: PageType;
  /** For failures: true when a retry may help (the record goes back to the queue). */
  retryable?: boolean;
  error?: { code: string; message: string };
  /** For failures with an HTTP answer: its status (a 403 bot wall, a 404, a 410...). */
  httpStatus?: number;
  /** For deferred: the delay it was put back with. */
  retryAfterMs?: number;
  /** Wall time spent on this URL: fetch to commit. */
  durationMs?: number;
  /** A forced ingest found the stored copy missing or damaged and wrote it again. */
  repaired?: boolean;
}

/** `force`: fetch unconditionally and rewrite a missing or damaged stored copy (`articles ingest --force`). */
export interface IngestOptions {
  force?: boolean;
  /** Where the article is committed: a member of the SQS batch's commit group; the store by default. */
  writer?: Pick<ArticleWriter, 'commit'>;
  /** Where its event goes: a member of the SQS batch's event group (one event per batch); the publisher by default. */
  events?: Pick<ArticleEventPublisher, 'publishArticleIngested'>;
  /**
   * Where its crawl state is read: a member of the SQS batch's read group (one batched read); the store by default.
   * `skip`: the message reads no state there (the member leaves the group at once).
   */
  crawlState?: Pick<CrawlStateStore, 'get'> & { skip?(): void };
  /** The message is received for the first time (SQS ApproximateReceiveCount 1): no earlier attempt handled it. */
  firstReceive?: boolean;
}

export interface IngestBatchCounts {
  ingested: number;
  unchanged: number;
  /** Pages of a type that is not stored (forum threads, product pages… by default). */
  skipped: number;
  failed: number;
  retryable: number;
  deferred: number;
  stale: number;
}

const IngestSqsEvent = SqsEvent;
const IngestBody = jsonStringified(IngestMessage);

/** Whether a retry may help: the crawl policy decides (lib/core/crawl-policy.ts). */
export const isRetryable = isTransientFailure;

/**
 * The ingest handler's logic: for one URL, conditional fetch → extract → validate → commit → crawl state →
 * ArticleIngested event. `ingest` never throws: every outcome is reported, failures with whether a retry may help.
 */
export function createIngestService(deps: IngestDependencies) {
  const now = deps.now ?? (() => new Date());
  const policy = deps.policy ?? CRAWL_POLICY;
  const random = deps.random ?? Math.random;
  const storePageTypes = new Set<PageType>(deps.storePageTypes ?? ['article']);
  const { logger } = deps;

  async function ingest(
    message: Pick<IngestMessage, 'url'> & Partial<IngestMessage>,
    options: IngestOptions = {},
  ): Promise<IngestOutcome> {
    const startedAt = performance.now();
    const outcome = await ingestMessage(message, options);
    outcome.durationMs = performance.now() - startedAt;
    return outcome;
  }

  async function ingestMessage(
    message: Pick<IngestMessage, 'url'> & Partial<IngestMessage>,
    options: IngestOptions = {},
  ): Promise<IngestOutcome> {
    let url: string;
    try {
      url = canonicalizeUrl(message.url);
    } catch (error) {
      return failure(message.url, toPipelineError(error, 'INVALID_URL'));
    }
    // Delivered before its reserved slot (a queue that ignored or shortened the delay): back until the slot, with it.
    const slot = message.hostSlot;
    const receivedMs = now().getTime();
    const phase = slot === undefined ? undefined : slotPhase(slot, receivedMs);
    if (!options.force && slot !== undefined && phase === 'ahead')
      return deferred(url, slot.atMs - receivedMs);
    // A message still inside its reserved slot's window goes on: the host is busy for others, not for it.
    const slotOpen = phase !== undefined && phase !== 'closed';
    const busy = options.force || slotOpen ? undefined : deps.knownBusy?.(url, slot);
    if (busy !== undefined && isHostBusy(busy)) return deferred(url, busy.details.retryAfterMs);
    let state: CrawlStateRecord | undefined;
    // A crawl's first lease of the URL (it found no state and created it with this message's lease), received for the
    // first time, within the hour before which no time re-check can be queued: the crawl-state item holds that lease
    // and nothing else (no other crawl queues a leased URL, and the fetch is this message's), so it is not read. A
    // write of the state (a failure, a page not stored, a fetch not recorded by its commit) reads it first.
    const queuedMs = Date.parse(message.queuedAt ?? '');
    const bareFirstLease =
      !options.force &&
      options.firstReceive === true &&
      message.firstLease === true &&
      message.queuedAt !== undefined &&
      receivedMs - queuedMs < (policy.recheckScheduleMs[0] ?? 0);
    // The crawl-state item as stored, read once and only when a write needs it (the message's own read left it out).
    const storedStateOnce = (readOptions?: { ownFirstLease: string }) => {
      let read: Promise<CrawlStateRecord | undefined> | undefined;
      return () => {
        read ??= deps.crawlState.get(url, readOptions);
        return read;
      };
    };
    let stateForWrite = async (): Promise<CrawlStateRecord | undefined> => state;
    if (bareFirstLease) {
      options.crawlState?.skip?.();
      state = { url, failureCount: 0, queuedAt: message.queuedAt };
      stateForWrite = storedStateOnce({ ownFirstLease: message.queuedAt as string });
    } else {
      // A time re-check whose crawl read the URL's crawl-state item as its bare first lease: that item is not read again,
      // only the article's CURRENT item (the fetch, the validators). A write of the state reads the item first.
      const bareLease = options.force ? undefined : message.recheck?.bareLease;
      if (bareLease !== undefined) stateForWrite = storedStateOnce();
      try {
        // This message's own lease: its crawl-state item says what the article's CURRENT item would (the crawl
        // records the fetch it read with the lease), so CURRENT is not read for it (CrawlStateStore.get).
        const known: CrawlStateRecord | undefined =
          bareLease === undefined
            ? undefined
            : {
                url,
                failureCount: 0,
                queuedAt: bareLease,
                ...(message.sourceId === undefined ? {} : { owner: message.sourceId }),
                ...carriedFetchState(message.recheck?.fetched),
              };
        state = await (options.crawlState ?? deps.crawlState).get(url, {
          ...(message.queuedAt === undefined
            ? {}
            : {
                ...(message.firstLease ? { ownFirstLease: message.queuedAt } : {}),
                ownLease: message.queuedAt,
              }),
          ...(known === undefined ? {} : { known }),
        });
      } catch (thrown) {
        // The state is unknown, so there is nothing safe to record: a write now would replace the stored state
        // (validators, hash, failure count) with a blank one. The record goes back to the queue instead.
        return failure(url, toPipelineError(thrown));
      }
    }
    // This very message's fetch is recorded only by its article's commit (store layout 4) and the message came back
    // (the batch ended before it returned: a crash or a timeout after the commit, perhaps before the event): it is
    // handled again from its lease alone, so its event goes out and its state is written.
    // The crawl-state item holds this very message's lease (not a later crawl's).
    const ownLease = message.queuedAt !== undefined && state?.queuedAt === message.queuedAt;
    if (ownLease && state?.indexedFetch === true && state.leaseUntil === undefined) {
      state = {
        url: state.url,
        failureCount: 0,
        queuedAt: state.queuedAt,
        ...(state.owner === undefined ? {} : { owner: state.owner }),
      };
    }
    // Fetched since it was queued (or outlived its in-flight marker): nothing to do, and nothing to write.
    const stale =
      isStaleMessage(message.queuedAt, state) ||
      (deps.inFlightMarker !== undefined &&
        hasOutlivedMarker(
          message.queuedAt,
          deps.inFlightMarker.markerMs,
          deps.inFlightMarker.handlerBudgetMs,
          now(),
        ));
    // A time re-check whose step's window has ended (or would, before its fetch ends): the next step's message, or a
    // dated change's, may be queued by now (the crawl counts it in flight only until then), so it is not fetched.
    const recheck = message.recheck;
    const windowEnded =
      recheck !== undefined &&
      now().getTime() + (deps.inFlightMarker?.handlerBudgetMs ?? 0) >=
        timeRecheckEndsAt(recheck.step, recheck.dueAt, policy);
    if (stale || windowEnded) {
      logger.info('stale message dropped', {
        url,
        queuedAt: message.queuedAt,
        ...(windowEnded ? { recheck } : {}),
      });
      return { url, status: 'stale' };
    }
    // The fetch's start time stamps the crawl state, success or failure: the store keeps the latest fetch's.
    const startedAt = now();
    // A crawl that queued a time-scheduled re-check presumed it unchanged and moved the schedule on with its lease:
    // a 304 to that message needs no write. Any other outcome is recorded from the state as before the presumption.
    const presumptionPending = isPresumptionPending(state, startedAt);
    // A time re-check (no lease, derived by its owner source) is presumed unchanged too: its step's next is nominal, so
    // a 304 leaves the state as it is, also when the new article's fetch is recorded only by its commit (store layout
    // 4): the owner's crawl reads that first lease without the article's CURRENT item (presumeFirstFetch).
    const timeRecheckUnchanged = recheck !== undefined;
    const presumedUnchanged =
      timeRecheckUnchanged ||
      (presumptionPending && message.queuedAt !== undefined && state?.presumedAt === message.queuedAt);
    if (state !== undefined && presumptionPending) state = withoutPresumption(state);
    // An unchanged fetch moves the schedule to the next nominal step (a time re-check) or the next step after it.
    const unchangedSchedule = (at: Date) =>
      recheck === undefined
        ? nextRecheck(state, false, at, policy)
        : nominalNextRecheck(recheck.step, recheck.dueAt, policy);
    try {
      return await ingestUrl(
        url,
        state,
        startedAt,
        presumedUnchanged,
        unchangedSchedule,
        options.force === true,
        options.writer ?? deps.articles,
        options.events ?? deps.events,
        message.hostSlot,
        ownLease,
        // The URL's first lease, still with no fetch recorded: its article is most likely new (CommitOptions.firstFetch).
        message.firstLease === true &&
          ownLease &&
          state?.lastFetchedAt === undefined &&
          state?.articleId === undefined,
        stateForWrite,
        // Read no state of its own on a first receive (a bare first lease, or the fetch its crawl read carried): an
        // unchanged commit the state does not hold is then another ingest's, made since; the item as stored (not
        // folded with CURRENT, which that commit wrote) says whether that ingest's state write, after its event, came.
        bareFirstLease
          ? stateForWrite
          : options.firstReceive === true &&
              message.recheck?.fetched !== undefined &&
              message.recheck.bareLease !== undefined
            ? () => deps.crawlState.get(url, { ownFirstLease: message.recheck?.bareLease as string })
            : undefined,
      );
    } catch (thrown) {
      // A busy host is not a failure: no state write (the in-flight marker stays), the message goes back.
      if (isHostBusy(thrown)) return deferred(url, thrown.details.retryAfterMs);
      const error = toPipelineError(thrown);
      const outcome = failure(url, error);
      const retryable = outcome.retryable === true;
      await recordFailure(url, await stateForWrite(), error, retryable, startedAt).catch(
        (stateError: unknown) => {
          // The crawl-state write is bookkeeping; the failure itself is what gets reported.
          logger.warn('could not record the failure in crawl state', { url, error: String(stateError) });
        },
      );
      return outcome;
    }
  }

  function deferred(url: string, retryAfterMs: number): IngestOutcome {
    logger.debug('host busy: put back', { url, retryAfterMs });
    return { url, status: 'deferred', retryAfterMs };
  }

  async function ingestUrl(
    url: string,
    state: CrawlStateRecord | undefined,
    startedAt: Date,
    presumedUnchanged: boolean,
    unchangedSchedule: (at: Date) => { nextDueAt?: string; recheckStep?: number },
    force: boolean,
    writer: Pick<ArticleWriter, 'commit'>,
    events: Pick<ArticleEventPublisher, 'publishArticleIngested'>,
    hostSlot: HostSlot | undefined,
    ownLease: boolean,
    firstFetch: boolean,
    /** The state as stored, for a write (read then when the message's state was not read: a bare first lease). */
    stateForWrite: () => Promise<CrawlStateRecord | undefined> = async () => state,
    /**
     * Set when the message read no state of its own on a first receive (a bare first lease, or a carried fetch): how
     * to read the item as stored when an unchanged commit is not the one its state holds.
     */
    storedUnread?: () => Promise<CrawlStateRecord | undefined>,
  ): Promise<IngestOutcome> {
    const validators =
      force || state?.permanentFailure ? undefined : { etag: state?.etag, lastModified: state?.lastModified };
    const page = await deps.fetchPage(url, {
      ...(validators?.etag || validators?.lastModified ? { validators } : {}),
      ...(hostSlot === undefined ? {} : { hostSlot }),
    });
    // A 200 carrying the very ETag that was sent (an origin that ignores If-None-Match) is the stored page again:
    // it is a 304 in all but name, so it is not extracted or committed again.
    const sameAsStored = isStoredRepresentation(validators?.etag, {
      status: page.status,
      etag: page.etag,
      redirected: !isSameUrl(page.url, url),
    });
    if (page.notModified || sameAsStored) {
      const validators = keptValidators({
        etag: page.etag ?? state?.etag,
        lastModified: page.lastModified ?? state?.lastModified,
      });
      // Presumed by the crawl that queued it: the stored state already says all this 304 would (the lease ends by
      // itself at the next step's due time), so nothing is written.
      if (!(presumedUnchanged && sameValidators(validators, state))) {
        await deps.crawlState.put({
          ...(await stateForWrite()),
          url,
          lastFetchedAt: startedAt.toISOString(),
          lastStatus: page.status,
          lastOutcome: 'unchanged',
          lastErrorCode: undefined,
          ...validators,
          ...scheduleFields(unchangedSchedule(startedAt)),
          failureCount: 0,
          permanentFailure: false,
        });
      }
      const id = state?.articleId;
      // Re-checks that change nothing are routine: debug level (the batch line counts them; CloudWatch bills bytes).
      logger.debug('unchanged (not modified)', {
        url,
        ...(id === undefined ? {} : { id }),
        status: page.status,
      });
      return { url, status: 'unchanged', ...(id === undefined ? {} : { id }) };
    }
    const extracted = await deps.extract({
      html: page.body,
      url: page.url,
      ...(page.contentType === undefined ? {} : { contentType: page.contentType }),
      now: startedAt,
    });
    if (!extracted.ok) throw extracted.error;
    const validated = Article.safeParse(extracted.value);
    if (!validated.success) {
      throw new PipelineError(
        'SCHEMA_VIOLATION',
        `extracted article fails the schema: ${z.prettifyError(validated.error)}`,
        {
          url,
        },
      );
    }
    // Articles extracted before page types existed carry none; they were all stored as articles.
    const pageType = validated.data.pageType ?? 'article';
    if (!storePageTypes.has(pageType)) return skipPage(url, await stateForWrite(), page, pageType, startedAt);
    const placed = await placeInCluster(validated.data, state, startedAt, force);
    const article = placed?.article ?? validated.data;
    const commit = await writer.commit(
      article,
      {
        url,
        finalUrl: page.url,
        status: page.status,
        ...(page.contentType === undefined ? {} : { contentType: page.contentType }),
        ...(page.charset === undefined ? {} : { charset: page.charset }),
        body: page.body,
        fetchedAt: startedAt.toISOString(),
        ...(page.etag === undefined ? {} : { etag: page.etag }),
        ...(page.lastModified === undefined ? {} : { lastModified: page.lastModified }),
      },
      force ? { repair: true } : firstFetch ? { firstFetch: true } : undefined,
    );
    // The event goes out before the crawl state moves on: if publishing fails, the retry finds the crawl
    // state still behind the committed hash and publishes again (at least once, never silently lost). A message that
    // read no state (a first lease's first receive: no earlier attempt of it committed anything) finding the page
    // unchanged found another ingest's commit (a direct one since the crawl queued the URL): it reads the state as
    // stored (the write below needs it anyway) and announces only if that ingest's state write, which follows its
    // event, is missing: its event may have failed, and events are at least once, never lost.
    const storedHash =
      commit.status !== 'unchanged'
        ? undefined
        : storedUnread === undefined || state?.contentHash === commit.record.contentHash
          ? state?.contentHash
          : (await storedUnread())?.contentHash;
    const announce = commit.status !== 'unchanged' || storedHash !== commit.record.contentHash;
    if (announce) {
      // The cluster entries go in once the article is committed in that cluster (idempotent on a retry).
      if (placed && commit.record.cluster?.id === placed.decision.assignment.id) {
        await deps.clusters?.record(placed.decision);
      }
      await events.publishArticleIngested(ingestedDetail(commit, pageType, deps.bucketName));
    }
    const changed = commit.status !== 'unchanged';
    // Presumed unchanged by the crawl and so it is (same text, same validators): the state already says what this
    // fetch would write, as for a 304 (the lease ends by itself at the next step's due time).
    const confirmsPresumption =
      presumedUnchanged &&
      !changed &&
      !announce &&
      sameValidators(keptValidators(page), state) &&
      state?.articleId === commit.record.id &&
      state?.pageType === pageType;
    if (confirmsPresumption) {
      logger.debug('unchanged (as presumed)', { url, id: commit.record.id });
      return { url, status: 'unchanged', id: commit.record.id, version: commit.record.version, pageType };
    }
    // The commit recorded this fetch in the article's CURRENT item, and the crawl-state item holds this message's
    // lease: readers of the URL's state fold the commit in (store layout 4), which says what this write would.
    const recordedByCommit =
      changed &&
      commit.fetchRecorded === true &&
      ownLease &&
      !force &&
      sameSchedule(policy.recheckScheduleMs, CRAWL_POLICY.recheckScheduleMs);
    if (!recordedByCommit) {
      await deps.crawlState.put({
        ...(await stateForWrite()),
        url,
        lastFetchedAt: startedAt.toISOString(),
        lastStatus: page.status,
        lastOutcome: commit.status,
        lastErrorCode: undefined,
        ...keptValidators(page),
        contentHash: commit.record.contentHash,
        articleId: commit.record.id,
        pageType,
        ...scheduleFields(
          changed ? nextRecheck(state, true, startedAt, policy) : unchangedSchedule(startedAt),
        ),
        failureCount: 0,
        permanentFailure: false,
      });
    }
    // Per URL at debug level: the batch line lists the ingested ids (CloudWatch bills every byte, ~250 a line here).
    logger.debug(`${commit.status}`, {
      url,
      id: commit.record.id,
      version: commit.record.version,
    });
    return {
      url,
      status: commit.status,
      id: commit.record.id,
      version: commit.record.version,
      pageType,
      ...(commit.repaired ? { repaired: true } : {}),
    };
  }

  /**
   * Where a new or changed article belongs among the copies of its story: its anchors' entries are read (a few
   * key reads) and compared (lib/core/dedup). An unchanged text keeps its place without a look-up.
   */
  async function placeInCluster(
    article: Article,
    state: CrawlStateRecord | undefined,
    at: Date,
    force: boolean,
  ): Promise<{ article: Article; decision: ClusterDecision } | undefined> {
    if (!deps.clusters) return undefined;
    if (!force && state?.articleId === article.id && state.contentHash === article.contentHash)
      return undefined;
    const print = fingerprint(article.content.text);
    if (!print) return undefined;
    const placed = {
      id: article.id,
      site: article.site.domain,
      url: article.url,
      firstSeenAt: at.toISOString(),
    };
    // A new representative claims its place under its key: a copy ingested at the same moment that claimed it
    // first (neither saw the other's entry) makes this one a member of its cluster instead.
    const decision = await placeArticle(deps.clusters, placed, print);
    return { article: { ...article, cluster: decision.assignment }, decision };
  }

  /**
   * A page of a type that is not stored: crawl state records the fetch and the type (so the page is re-checked
   * on the usual schedule, not fetched again at once); nothing is written to the article store or announced.
   */
  async function skipPage(
    url: string,
    state: CrawlStateRecord | undefined,
    page: FetchedPage,
    pageType: PageType,
    startedAt: Date,
  ): Promise<IngestOutcome> {
    await deps.crawlState.put({
      ...state,
      url,
      lastFetchedAt: startedAt.toISOString(),
      lastStatus: page.status,
      lastOutcome: 'skipped',
      lastErrorCode: undefined,
      ...keptValidators(page),
      pageType,
      ...scheduleFields(nextRecheck(state, false, startedAt, policy)),
      failureCount: 0,
      permanentFailure: false,
    });
    logger.info('skipped (page type not stored)', { url, pageType });
    return { url, status: 'skipped', pageType };
  }

  async function recordFailure(
    url: string,
    state: CrawlStateRecord | undefined,
    error: PipelineError,
    retryable: boolean,
    at: Date,
  ): Promise<void> {
    const failureCount = (state?.failureCount ?? 0) + 1;
    const status = typeof error.details.status === 'number' ? error.details.status : undefined;
    await deps.crawlState.put({
      ...state,
      url,
      lastFetchedAt: at.toISOString(),
      lastStatus: status,
      lastOutcome: 'failed',
      lastErrorCode: error.code,
      failureCount,
      permanentFailure: !retryable,
      // Transient: backoff with jitter; permanent: tried again after the policy's long wait.
      nextDueAt: nextRetryAt(failureCount, retryable, at, random, policy),
      recheckStep: undefined,
    });
  }

  function failure(url: string, error: PipelineError): IngestOutcome {
    const retryable = isRetryable(error);
    (retryable ? logger.warn : logger.error).call(logger, `failed: ${error.code}`, {
      url,
      error: error.toJSON(),
      retryable,
    });
    const httpStatus = typeof error.details.status === 'number' ? error.details.status : undefined;
    return {
      url,
      status: 'failed',
      retryable,
      error: { code: error.code, message: error.message },
      ...(httpStatus === undefined ? {} : { httpStatus }),
    };
  }

  /** The SQS handler: each record independently; only retryable failures go back to the queue. */
  async function handler(event: unknown): Promise<SQSBatchResponse> {
    const parsed = IngestSqsEvent.safeParse(event);
    if (!parsed.success) {
      // Not an SQS event at all: nothing to acknowledge, and nothing a retry could fix.
      throw new PipelineError('BAD_REQUEST', `ingest expects an SQS event: ${z.prettifyError(parsed.error)}`);
    }
    const records = parsed.data.Records;
    // The batch's commits share their S3 objects (one for the pages, one for the articles): every record
    // takes a member now and leaves when it is done, committed or not.
    const group = records.length > 0 ? deps.articles.group?.(records.length) : undefined;
    const members = records.map(() => group?.member());
    // Likewise their events: one event for the batch (where the publisher groups them), once every record is done.
    const eventGroup = records.length > 0 ? deps.events.group?.(records.length) : undefined;
    const eventMembers = records.map(() => eventGroup?.member());
    // And their crawl-state reads: one batched read for the records that get that far (put-backs read nothing).
    const stateReads = records.length > 0 ? crawlStateReads(records.length) : undefined;
    const stateMembers = records.map(() => stateReads?.member());
    const outcomes = await Promise.all(
      records.map(
        async (
          record,
          index,
        ): Promise<{ messageId: string; outcome: IngestOutcome; message?: IngestMessage }> => {
          const member = members[index];
          const eventMember = eventMembers[index];
          const stateMember = stateMembers[index];
          try {
            const body = IngestBody.safeParse(record.body);
            if (!body.success) {
              logger.error('malformed ingest message dropped', {
                messageId: record.messageId,
                body: record.body.slice(0, 500),
                error: z.prettifyError(body.error),
              });
              const outcome: IngestOutcome = {
                url: '',
                status: 'failed',
                retryable: false,
                error: { code: 'BAD_REQUEST', message: 'malformed ingest message' },
              };
              deps.onOutcome?.(outcome, undefined);
              return { messageId: record.messageId, outcome };
            }
            const outcome = await ingest(body.data, {
              ...(member ? { writer: member } : {}),
              ...(eventMember ? { events: eventMember } : {}),
              ...(stateMember
                ? {
                    crawlState: {
                      get: (url, read) => stateMember.submit({ url, ...read }),
                      skip: () => stateMember.leave(),
                    },
                  }
                : {}),
              firstReceive: record.attributes.ApproximateReceiveCount === '1',
            });
            deps.onOutcome?.(outcome, body.data);
            return { messageId: record.messageId, outcome, message: body.data };
          } finally {
            member?.leave();
            eventMember?.leave();
            stateMember?.leave();
          }
        },
      ),
    );
    const batchItemFailures: SQSBatchItemFailure[] = outcomes
      .filter(({ outcome }) => outcome.status === 'failed' && outcome.retryable)
      .map(({ messageId }) => ({ itemIdentifier: messageId }));
    // Busy hosts' messages go back as new messages with a delay (one request for the batch): a record handed back
    // instead would count a receive towards the dead-letter queue for a page that never failed.
    const deferred = outcomes.filter(({ outcome }) => outcome.status === 'deferred');
    if (deferred.length > 0) {
      // A message keeps its reserved slot until the slot's window closes (the fetcher checks the slot is still
      // unused and its block still stands); after that it comes back as an ordinary one, taking the token.
      const putBackAt = now();
      const entries: DelayedMessage[] = deferred.map(({ outcome, message }) => ({
        message: keepingOpenSlot(message as IngestMessage, putBackAt),
        delayMs: outcome.retryAfterMs ?? 0,
      }));
      let putBack = false;
      if (deps.queue?.sendDelayed) {
        try {
          await deps.queue.sendDelayed(entries);
          putBack = true;
        } catch (error) {
          logger.warn('could not put busy hosts’ messages back; the queue redelivers them', {
            error: String(error),
          });
        }
      }
      if (!putBack)
        batchItemFailures.push(...deferred.map(({ messageId }) => ({ itemIdentifier: messageId })));
    }
    await countIngestedBySource(outcomes);
    const counts = countOutcomes(outcomes.map(({ outcome }) => outcome));
    const ingestedIds = outcomes.flatMap(({ outcome }) =>
      (outcome.status === 'created' || outcome.status === 'updated') && outcome.id !== undefined
        ? [outcome.id]
        : [],
    );
    logger.info('ingest batch done', { records: records.length, ...counts, ingestedIds });
    return { batchItemFailures };
  }

  /**
   * The batch's crawl-state reads gathered into one (crawlState.getMany: a BatchGetItem, and one more for the
   * states whose last fetch their article's commit recorded) when the store can batch them.
   */
  function crawlStateReads(size: number) {
    const { getMany } = deps.crawlState;
    if (getMany === undefined) return undefined;
    return createGathering<
      { url: string; ownFirstLease?: string; ownLease?: string; known?: CrawlStateRecord },
      CrawlStateRecord | undefined
    >(size, 'a crawl-state read', async (reads) => {
      // A URL's fold is skipped only when every read of it in the batch is that same lease's (get's rule): another
      // message for the URL may need a fetch its commit recorded.
      const own = (pick: (read: (typeof reads)[number]) => string | undefined) => {
        const leases = new Map<string, string>();
        const mustFold = new Set<string>();
        for (const read of reads) {
          const lease = pick(read);
          const other = leases.get(read.url);
          if (lease === undefined || (other !== undefined && other !== lease)) mustFold.add(read.url);
          else leases.set(read.url, lease);
        }
        for (const url of mustFold) leases.delete(url);
        return leases;
      };
      const ownFirstLeases = own((read) => read.ownFirstLease);
      const ownLeases = own((read) => read.ownLease);
      const urls = reads.map(({ url }) => url);
      // A state a crawl read (a time re-check's bare first lease) is not read again, unless another message for the URL
      // in the batch needs the item as stored.
      const known = new Map<string, CrawlStateRecord>();
      const mustRead = new Set(reads.filter((read) => read.known === undefined).map((read) => read.url));
      for (const read of reads)
        if (read.known !== undefined && !mustRead.has(read.url)) known.set(read.url, read.known);
      const states = await getMany.call(deps.crawlState, urls, { ownFirstLeases, ownLeases, known });
      return urls.map((url) => states.get(url));
    });
  }

  /** One count item per batch, whatever its sources; best effort: the articles are committed whatever happens here. */
  async function countIngestedBySource(
    outcomes: ReadonlyArray<{ outcome: IngestOutcome; message?: IngestMessage }>,
  ): Promise<void> {
    if (deps.sources === undefined) return;
    const bySource = new Map<string, number>();
    for (const { outcome, message } of outcomes) {
      if (outcome.status !== 'created' || message?.sourceId === undefined) continue;
      bySource.set(message.sourceId, (bySource.get(message.sourceId) ?? 0) + 1);
    }
    if (bySource.size === 0) return;
    try {
      await deps.sources.recordIngested(bySource);
    } catch (error) {
      logger.warn('could not count ingested articles on their sources', { error: String(error) });
    }
  }

  return { ingest, handler };
}

export type IngestService = ReturnType<typeof createIngestService>;

export function countOutcomes(outcomes: readonly IngestOutcome[]): IngestBatchCounts {
  const counts: IngestBatchCounts = {
    ingested: 0,
    unchanged: 0,
    skipped: 0,
    failed: 0,
    retryable: 0,
    deferred: 0,
    stale: 0,
  };
  for (const outcome of outcomes) {
    if (outcome.status === 'created' || outcome.status === 'updated') counts.ingested++;
    else if (outcome.status === 'unchanged') counts.unchanged++;
    else if (outcome.status === 'skipped') counts.skipped++;
    else if (outcome.status === 'deferred') counts.deferred++;
    else if (outcome.status === 'stale') counts.stale++;
    else {
      counts.failed++;
      if (outcome.retryable) counts.retryable++;
    }
  }
  return counts;
}

/** Both schedule fields, set or cleared together (a put replaces the whole state, which may carry old ones). */
function scheduleFields(next: { nextDueAt?: string; recheckStep?: number }) {
  return { nextDueAt: next.nextDueAt, recheckStep: next.recheckStep };
}

/**
 * The validators crawl state can keep. A server's over-long ETag or Last-Modified is dropped (the next fetch is
 * then unconditional) rather than failing the URL, whose article is already committed by then.
 */
function keptValidators(page: { etag?: string | undefined; lastModified?: string | undefined }) {
  const fits = (value: string | undefined, max: number) =>
    value !== undefined && value.length <= max ? value : undefined;
  return {
    etag: fits(page.etag, MAX_VALIDATOR_LENGTH.etag),
    lastModified: fits(page.lastModified, MAX_VALIDATOR_LENGTH.lastModified),
  };
}

/** Whether two re-check schedules are the same (the store folds a commit's fetch in on its own schedule). */
function sameSchedule(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((ms, index) => ms === b[index]);
}

/** Whether a fetch ended at the URL it asked for (compared in canonical form). */
function isSameUrl(finalUrl: string, url: string): boolean {
  try {
    return canonicalizeUrl(finalUrl) === url;
  } catch {
    return false;
  }
}

/** Whether a fetch's validators are the ones crawl state holds (nothing new to record). */
function sameValidators(
  validators: { etag?: string; lastModified?: string },
  state: CrawlStateRecord | undefined,
): boolean {
  return validators.etag === state?.etag && validators.lastModified === state?.lastModified;
}

function keepingOpenSlot(message: IngestMessage, at: Date): IngestMessage {
  if (message.hostSlot === undefined || slotPhase(message.hostSlot, at.getTime()) !== 'closed')
    return message;
  const { hostSlot: _closed, ...rest } = message;
  return rest;
}
