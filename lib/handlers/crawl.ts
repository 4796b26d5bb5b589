import type { SQSBatchResponse } from 'aws-lambda';
import type { CrawlSource } from '../config.ts';
import {
  CRAWL_POLICY,
  hasAnsweredFetch,
  hasDatedChange,
  hostQueueDelayMs,
  interleaveByHost,
  isRereadableFailure,
  presumedRecheck,
  type SkipReason,
  sourceDueAfterCrawl,
  timeRecheck,
  urlSkipReason,
} from '../core/crawl-policy.ts';
import type { SourceReadResult } from '../core/discover/stream.ts';
import { PipelineError, toPipelineError } from '../core/errors.ts';
import type { PoliteFetcher } from '../core/fetch/fetcher.ts';
import {
  type HostSlot,
  reservedSlotWindowMs,
  type SlotBlock,
  slotBlockEndMs,
  slotsOf,
} from '../core/fetch/host-slots.ts';
import { type HostTokenState, slotSlackMs } from '../core/fetch/shared-politeness.ts';
import { type CrawlOutcome, SOURCE_SCHEDULE, SourceId, type SourceKind } from '../core/sources.ts';
import { canonicalizeUrl } from '../core/url.ts';
import * as z from '../core/zod.ts';
import {
  bareLeaseOf,
  chunk,
  type DelayedMessage,
  INGEST_BATCH_SIZE,
  type IngestMessage,
  type IngestQueue,
} from '../queue/types.ts';
import { presumeFirstFetch } from '../store/layout.ts';
import type {
  CrawlStateRecord,
  CrawlStateStore,
  PendingIngestCounts,
  SourceRegistry,
} from '../store/types.ts';
import { EventBridgeEvent, SqsEvent } from './event-schemas.ts';
import type { HandlerLogger } from './logging.ts';

/** One URL found by discovery (the discoverer's DiscoveredUrl). */
export interface DiscoveredUrl {
  url: string;
  publishedAt?: string;
  modifiedAt?: string;
  via: string;
}

/** Reads a feed, sitemap or page and lists the article URLs in it; throws PipelineError. */
export type UrlDiscoverer = (
  sourceUrl: string,
  options: { allowOtherSites?: boolean },
) => Promise<DiscoveredUrl[]>;

export interface CrawlDependencies {
  sources: readonly CrawlSource[];
  discover: UrlDiscoverer;
  crawlState: CrawlStateStore;
  queue: IngestQueue;
  logger: HandlerLogger;
  now?: () => Date;
  /** Crawl-state look-ups in flight at once. */
  lookupConcurrency?: number;
  /** How long a queued URL is left alone by later crawls (unless ingest records a fetch first). */
  queueLeaseMs?: number;
  /** One host's messages are sent this far apart (UrlQueuerDependencies.hostSpacingMs). */
  hostSpacingMs?: number;
}

/**
 * The default queue lease: one hour. A queued URL's lease is replaced as soon as ingest records a fetch of
 * it, so the lease only has to cover the time its message waits in the queue. In AWS a message lives at most
 * visibility timeout (6 x ingestTimeoutSeconds = 18 min by default) x maxReceiveCount (3) = 54 min before it
 * goes to the dead-letter queue when every receive ends without a state write (e.g. the crawl-state read
 * fails); one hour outlasts that, so a URL is not queued twice while its first message can still arrive. It
 * also bounds the harm when a message is lost (a failed send after the lease, a dead-lettered message): the
 * URL is queued again an hour later. A backlog longer than the lease costs one extra message per lease
 * period, which ingest handles idempotently.
 */
export const DEFAULT_QUEUE_LEASE_MS = 60 * 60 * 1000;

/** Why a URL is not queued: the crawl policy's reasons (lib/core/crawl-policy.ts). */
export type { SkipReason } from '../core/crawl-policy.ts';

export interface CrawlSummary {
  sources: number;
  failedSources: number;
  discovered: number;
  queued: number;
  skipped: Record<SkipReason, number>;
}

/**
 * The schedule's event: an EventBridge scheduled event in AWS, the timer's look-alike in the embedded stack.
 * Its detail may narrow the crawl to some sources (for a manual run); otherwise every configured source.
 */
export const CrawlEvent = z.extend(EventBridgeEvent, {
  detail: z._default(
    z.optional(z.looseObject({ sources: z.optional(z.array(z.url({ protocol: /^https?$/ }))) })),
    {},
  ),
});

export function scheduledEvent(at: Date, detail: { sources?: string[] } = {}): z.input<typeof CrawlEvent> {
  return {
    version: '0',
    id: crypto.randomUUID(),
    'detail-type': 'Scheduled Event',
    source: 'aws.events',
    account: '000000000000',
    time: at.toISOString().replace(/\.\d{3}Z$/, 'Z'),
    region: 'local',
    resources: [],
    detail,
  };
}

/**
 * Which owned URLs' bare first leases a registry crawl reads without their articles' CURRENT items (CrawlStateStore
 * getMany's presumeFirstFetch): the first fetch is presumed to have answered the lease at its time, and the time
 * re-check steps are counted from there. Not when the source dates the URL after the lease (the changed-date path
 * needs the real fetch), nor, once the lease has ended, for a URL its source dates by modification (no time re-check
 * would fetch it if its first message was lost: the real read finds that out, as before).
 */
export function presumableFirstLease(
  items: ReadonlyArray<{ item: DiscoveredUrl }>,
  at: Date,
  recheckedThrough: string | undefined,
): (state: CrawlStateRecord) => boolean {
  const listed = new Map(items.map(({ item }) => [item.url, item]));
  return (state) => {
    const item = listed.get(state.url);
    const queuedAt = Date.parse(state.queuedAt ?? '');
    if (item === undefined || Number.isNaN(queuedAt)) return false;
    const datedAt = Date.parse(item.modifiedAt ?? item.publishedAt ?? '');
    if (!Number.isNaN(datedAt) && datedAt > queuedAt) return false;
    const leaseLive = Date.parse(state.leaseUntil ?? '') > at.getTime();
    if (!leaseLive && item.modifiedAt !== undefined) return false;
    // Not on the read that would queue a step: the first message may still wait in a backlog longer than the step,
    // and a crawl never queues a URL beside its message in flight. That read (once per step) asks CURRENT whether the
    // first fetch has answered; the crawls between steps read nothing.
    const presumed = presumeFirstFetch(state, CRAWL_POLICY.recheckScheduleMs);
    return timeRecheck(presumed, at, recheckedThrough)?.status !== 'due';
  };
}

/** Messages gathered before they are sent: enough hosts to interleave, few enough that ingest starts early. */
const FLUSH_AFTER = INGEST_BATCH_SIZE * 10;

/** Why a URL need not be fetched now, or undefined when it should be: the crawl policy decides. */
export function skipReason(
  state: CrawlStateRecord | undefined,
  found: DiscoveredUrl,
  at: Date,
): SkipReason | undefined {
  return urlSkipReason(state, found, at);
}

/** The crawl handler: discover every source's URLs, drop the ones that need no fetch, queue the rest. */
export function createCrawlHandler(deps: CrawlDependencies) {
  const now = deps.now ?? (() => new Date());
  const { logger } = deps;
  const lookupConcurrency = Math.max(1, deps.lookupConcurrency ?? 16);
  const queueLeaseMs = deps.queueLeaseMs ?? DEFAULT_QUEUE_LEASE_MS;
  if (!Number.isFinite(queueLeaseMs) || queueLeaseMs <= 0) {
    throw new PipelineError('BAD_REQUEST', `queueLeaseMs must be a positive number, got ${queueLeaseMs}`);
  }

  return async function handler(event: unknown): Promise<CrawlSummary> {
    const parsed = CrawlEvent.safeParse(event);
    if (!parsed.success) {
      throw new PipelineError(
        'BAD_REQUEST',
        `crawl expects a scheduled event: ${z.prettifyError(parsed.error)}`,
      );
    }
    const only = parsed.data.detail.sources;
    const sources =
      only === undefined ? deps.sources : deps.sources.filter((source) => only.includes(source.url));
    const at = now();
    const summary: CrawlSummary = {
      sources: sources.length,
      failedSources: 0,
      discovered: 0,
      queued: 0,
      skipped: emptySkips(),
    };
    // Feeds and sitemaps often list the same page; merged, a URL keeps the latest dates any source gave.
    const found = new Map<string, { item: DiscoveredUrl; source: string }>();
    for (const source of sources) {
      let items: DiscoveredUrl[];
      try {
        items = await deps.discover(source.url, source.allowOtherSites ? { allowOtherSites: true } : {});
      } catch (thrown) {
        // One broken source must not stop the others; the next run tries it again.
        summary.failedSources++;
        logger.error('source discovery failed', {
          source: source.url,
          error: toPipelineError(thrown).toJSON(),
        });
        continue;
      }
      for (const item of items) {
        const url = safeCanonical(item.url);
        if (url === undefined) continue;
        const known = found.get(url);
        if (known === undefined) {
          found.set(url, { item: { ...item, url }, source: source.url });
          continue;
        }
        known.item.publishedAt = latest(known.item.publishedAt, item.publishedAt);
        known.item.modifiedAt = latest(known.item.modifiedAt, item.modifiedAt);
      }
      logger.info('source discovered', { source: source.url, urls: items.length });
    }
    summary.discovered = found.size;
    const queuer = new UrlQueuer(
      {
        crawlState: deps.crawlState,
        queue: deps.queue,
        logger,
        lookupConcurrency,
        ...(deps.hostSpacingMs === undefined ? {} : { hostSpacingMs: deps.hostSpacingMs }),
      },
      at,
      new Date(at.getTime() + queueLeaseMs),
    );
    // Messages go out a batch at a time while the look-ups go on, so ingest starts before the crawl ends.
    const all = [...found.values()];
    for (let start = 0; start < all.length; start += LOOKUP_BATCH) {
      await queuer.add(all.slice(start, start + LOOKUP_BATCH));
    }
    await queuer.finish();
    summary.queued = queuer.queued;
    for (const [reason, count] of Object.entries(queuer.skipped))
      summary.skipped[reason as SkipReason] += count;
    logger.info('crawl done', { ...summary });
    return summary;
  };
}

/** URLs looked up (one batched read) and queued at a time. */
export const LOOKUP_BATCH = 100;

export interface UrlQueuerDependencies {
  crawlState: CrawlStateStore;
  queue: IngestQueue;
  logger: HandlerLogger;
  lookupConcurrency: number;
  /**
   * Sends one host's messages this far apart (delayed sends; hostQueueSpacingMs), so they reach ingest about when
   * the host is free instead of together in one batch. 0 or undefined: all at once.
   */
  hostSpacingMs?: number;
  /**
   * Reserves the slots of one host's spaced messages on its token (one conditional write per host and flush,
   * lib/core/fetch/host-slots.ts), so ingest fetches them without a token write each. Without it, or when the
   * host's token refuses, the messages go out spaced as before and take the token at ingest.
   */
  hostSlots?: HostSlotReservations;
  /**
   * The registered source crawling, for time re-checks derived with no per-URL write: the URLs it leases first are
   * recorded as its own, and only an owner's crawl queues a URL's time re-checks. Without it (the config-driven crawl),
   * every re-check takes the per-URL lease as before.
   */
  recheck?: TimeRecheckContext;
}

/** What a source's crawl knows to derive its URLs' time re-checks (lib/core/crawl-policy.ts timeRecheck). */
export interface TimeRecheckContext {
  sourceId: string;
  /** The source's recheckedThrough as read at the crawl's start (the start of its last complete read). */
  recheckedThrough?: string | undefined;
  /** Another owner's recheckedThrough (undefined when it has none or is gone), for the changed-date path. */
  ownerRecheckedThrough(owner: string): Promise<string | undefined>;
}

export interface HostSlotReservations {
  /** The host interval the reserved slots keep (ingest uses a slot only when its own interval is not longer). */
  intervalMs: number;
  reserve(
    host: string,
    block: SlotBlock,
    nowMs: number,
  ): Promise<{ reserved: boolean; state?: HostTokenState }>;
  /**
   * Grows a block this run reserved to `count` slots while it still stands as reserved (one conditional write), so
   * a host's later flushes (URLs are looked up 100 at a time) get slots too; false when refused.
   */
  extendBlock?(host: string, block: SlotBlock, count: number): Promise<boolean>;
  /**
   * Until when this instance knows the host's token is held (the crawl's own feed or sitemap fetch booked it): a new
   * block starts no sooner, since the token refuses a block whose first slot comes before the host's next allowed
   * time (the refused write, then a second one, cost a write per host and crawl).
   */
  busyUntilMs?(host: string): number | undefined;
  now?: () => number;
}

/**
 * From found URLs to ingest messages: reads their crawl state (batched when the store can), drops the ones that
 * need no fetch (skipReason), leases the rest (so no later crawl queues them while their message waits) and
 * sends them in batches of 10. Bounded memory: callers hand it URLs a batch at a time.
 */
export class UrlQueuer {
  queued = 0;
  readonly skipped: Record<SkipReason, number> = emptySkips();
  private pending: IngestMessage[] = [];
  /** One host's messages spaced (and their slots reserved) across this run's flushes. */
  private readonly spacer: HostSpacer;
  /** The source read will fetch more documents (child sitemaps): its URLs so far go out without reserved slots. */
  private moreDocuments = false;
  /**
   * Time re-checks found due, held until the read is known complete (sendTimeRechecks): only a complete read moves
   * the source's recheckedThrough, which is what says they are in flight.
   */
  private readonly timeRechecks = new Map<string, IngestMessage>();

  constructor(
    private readonly deps: UrlQueuerDependencies,
    private readonly at: Date,
    private readonly leaseUntil: Date,
  ) {
    this.spacer = new HostSpacer(deps.hostSpacingMs ?? 0, deps.logger, deps.hostSlots);
  }

  /**
   * `moreDocuments`: the source read will still fetch documents after these URLs. Their messages then carry no
   * reserved slots: a block reserved now would hold the host for as long as its messages' delays (minutes), and
   * the crawl's own next request (the next child sitemap) could not get in before its wait ran out, losing that
   * child's URLs. Once the last document is fetched, the host's later messages are reserved, after the earlier ones.
   */
  async add(
    items: ReadonlyArray<{ item: DiscoveredUrl; source: string; sourceId?: string }>,
    { moreDocuments = false }: { moreDocuments?: boolean } = {},
  ): Promise<void> {
    this.moreDocuments = moreDocuments;
    const { logger } = this.deps;
    const { states, looked } = await this.lookUp(
      items.map(({ item }) => item.url),
      this.deps.recheck === undefined
        ? undefined
        : presumableFirstLease(items, this.at, this.deps.recheck.recheckedThrough),
    );
    await mapLimit(items, this.deps.lookupConcurrency, async ({ item, source, sourceId }) => {
      const state = states.get(item.url);
      // Looked up and not found (not a failed look-up): the lease is the URL's first, written only while none is.
      const unseen = state === undefined && looked.has(item.url);
      const reason = skipReason(state, item, this.at);
      const time = this.deps.recheck;
      const owner = state?.owner;
      // A URL with an owner is time-re-checked by its owner's crawls alone, derived from time with no per-URL write.
      if (
        time !== undefined &&
        owner !== undefined &&
        (reason === undefined || reason === 'not-due') &&
        hasAnsweredFetch(state)
      ) {
        if (hasDatedChange(state, item)) {
          // A dated change takes the lease below, unless the owner's time re-check is still in flight (its fetch
          // will see the change): a second message beside it would fetch the page twice.
          const through =
            owner === time.sourceId ? time.recheckedThrough : await time.ownerRecheckedThrough(owner);
          if (timeRecheck(state, this.at, through)?.status === 'in-flight') {
            this.skipped.queued++;
            return;
          }
        } else {
          const derived =
            owner === time.sourceId ? timeRecheck(state, this.at, time.recheckedThrough) : undefined;
          if (derived?.status === 'due') {
            this.timeRechecks.set(item.url, {
              url: item.url,
              source,
              ...(sourceId === undefined ? {} : { sourceId }),
              discoveredAt: this.at.toISOString(),
              queuedAt: this.at.toISOString(),
              recheck: {
                step: derived.recheck.step,
                dueAt: derived.recheck.dueAt,
                ...bareLeaseOf(state),
              },
              ...(item.publishedAt === undefined ? {} : { publishedAt: item.publishedAt }),
            });
            return;
          }
          this.skipped[derived?.status === 'in-flight' ? 'queued' : 'not-due']++;
          return;
        }
      } else if (reason !== undefined) {
        this.skipped[reason]++;
        return;
      }
      // A re-check on the time schedule moves the schedule on with its lease, presumed unchanged: its 304 then
      // needs no second write (lib/core/crawl-policy.ts presumedRecheck).
      const presumed = presumedRecheck(state, item, this.at);
      // The lease goes in before the message goes out, so a later crawl never queues the URL again while
      // this message waits. Conditional: a fetch or a lease newer than this crawl's look-up wins.
      let leased = false;
      try {
        // A fetch recorded by its article's commit ended the lease the crawl-state item still shows (store layout 4).
        const endedLease =
          state?.indexedFetch === true && state.leaseUntil === undefined ? state.queuedAt : undefined;
        if (
          !(await this.deps.crawlState.markQueued(
            item.url,
            this.at,
            this.leaseUntil,
            presumed,
            endedLease,
            unseen,
            // The fetch the look-up folded in from the article's CURRENT item goes in with the lease (same write),
            // so the message's own read of the state needs no CURRENT read.
            state,
            // The source whose crawls time-re-check the URL from now on, unless it has one.
            this.deps.recheck?.sourceId,
          ))
        ) {
          this.skipped['changed-meanwhile']++;
          return;
        }
        leased = true;
      } catch (thrown) {
        // Like a failed look-up: the URL is queued without a lease, so the next crawl may queue it again.
        logger.warn('could not record the queue lease; queueing the URL', {
          url: item.url,
          error: toPipelineError(thrown).toJSON(),
        });
      }
      this.pending.push({
        url: item.url,
        source,
        ...(sourceId === undefined ? {} : { sourceId }),
        discoveredAt: this.at.toISOString(),
        queuedAt: this.at.toISOString(),
        ...(unseen && leased ? { firstLease: true as const } : {}),
        ...(item.publishedAt === undefined ? {} : { publishedAt: item.publishedAt }),
      });
      if (this.pending.length >= FLUSH_AFTER) await this.flush();
    });
  }

  async finish(): Promise<void> {
    // Finished or failed, the read fetches nothing more.
    this.moreDocuments = false;
    await this.flush();
  }

  /** Time re-checks found due and held for the end of the read. */
  get heldTimeRechecks(): number {
    return this.timeRechecks.size;
  }

  /**
   * Sends the time re-checks held (after the source recorded this read as complete: its recheckedThrough now says
   * they are in flight). A read that was not complete sends none (discardTimeRechecks): its next complete read
   * queues them, its window starting where the last complete read started.
   */
  async sendTimeRechecks(): Promise<void> {
    this.moreDocuments = false;
    this.pending.push(...this.timeRechecks.values());
    this.timeRechecks.clear();
    await this.flush();
  }

  discardTimeRechecks(): void {
    this.timeRechecks.clear();
  }

  private async flush(): Promise<void> {
    // Hosts mixed within each batch of 10: a busy host then holds up a message or two, not a whole batch.
    const mixed = interleaveByHost(this.pending, (message) => message.url);
    this.pending = [];
    const { queue } = this.deps;
    const sendDelayed = queue.sendDelayed?.bind(queue);
    if ((this.deps.hostSpacingMs ?? 0) <= 0 || sendDelayed === undefined) {
      for (const batch of chunk(mixed, INGEST_BATCH_SIZE)) {
        await queue.send(batch);
        this.queued += batch.length;
      }
      return;
    }
    const delayed = await this.spacer.spaced(mixed, { reserve: !this.moreDocuments });
    for (const batch of chunk(delayed, INGEST_BATCH_SIZE)) {
      await sendDelayed(batch);
      this.queued += batch.length;
    }
  }

  /**
   * States by URL, and the URLs whose look-up answered (found or not); a failed look-up leaves its URLs unknown
   * (queued like new ones, without the first-lease mark; ingest reads state itself).
   */
  private async lookUp(
    urls: string[],
    presumeFirstFetch?: (state: CrawlStateRecord) => boolean,
  ): Promise<{ states: Map<string, CrawlStateRecord>; looked: Set<string> }> {
    const { crawlState, logger } = this.deps;
    if (crawlState.getMany !== undefined) {
      try {
        return {
          states: await crawlState.getMany(
            urls,
            presumeFirstFetch === undefined ? {} : { presumeFirstFetch },
          ),
          looked: new Set(urls),
        };
      } catch (thrown) {
        logger.warn('crawl state look-up failed; queueing the URLs', {
          urls: urls.length,
          error: toPipelineError(thrown).toJSON(),
        });
        return { states: new Map(), looked: new Set() };
      }
    }
    const states = new Map<string, CrawlStateRecord>();
    const looked = new Set<string>();
    await mapLimit(urls, this.deps.lookupConcurrency, async (url) => {
      try {
        const state = await crawlState.get(url);
        looked.add(url);
        if (state !== undefined) states.set(url, state);
      } catch (thrown) {
        // One failed look-up must not stop the crawl. Unknown state is treated like no state: the URL is
        // queued, and ingest (idempotent, with its own read of the state) decides what it needs.
        logger.warn('crawl state look-up failed; queueing the URL', {
          url,
          error: toPipelineError(thrown).toJSON(),
        });
      }
    });
    return { states, looked };
  }
}

/**
 * Spaces one host's messages (hostQueueSpacingMs: the n-th of a host in a run is delayed n spacings) and, given a
 * token store that reserves, reserves their slots with one write per host (lib/core/fetch/host-slots.ts).
 */
export class HostSpacer {
  /** Messages spaced so far per host (this run). */
  private readonly perHost = new Map<string, number>();
  /** The block this run reserved per host, and the ordinal of its first slot. */
  private readonly blocks = new Map<string, { block: SlotBlock; firstOrdinal: number }>();

  constructor(
    private readonly spacingMs: number,
    private readonly logger: HandlerLogger,
    private readonly slots?: HostSlotReservations,
  ) {}

  /**
   * Each message with its host's spaced delay, and its reserved slot where the host's token granted the block.
   * `reserve: false`: spaced only (the ordinals still advance, so a later block starts after these messages).
   */
  async spaced(messages: IngestMessage[], { reserve = true } = {}): Promise<DelayedMessage[]> {
    const slots = this.slots;
    // Reserved slots are spaced wider, so each window outlasts the batching window a message waits in (spacing is
    // twice the interval plus that window) with half of it again to spare for the batch's own work.
    const spacingMs =
      slots === undefined || this.spacingMs <= 0
        ? this.spacingMs
        : this.spacingMs + slots.intervalMs + Math.max(0, this.spacingMs - 2 * slots.intervalMs) / 2;
    const nowMs = slots?.now?.() ?? Date.now();
    const entries = messages.map((message) => {
      const ordinal = this.nextOrdinal(message.url);
      return { message, ordinal, delayMs: hostQueueDelayMs(ordinal, spacingMs) };
    });
    if (slots === undefined || !reserve) return entries.map(({ message, delayMs }) => ({ message, delayMs }));
    const windowMs = reservedSlotWindowMs(spacingMs, slots.intervalMs, slotSlackMs(slots.intervalMs));
    if (windowMs <= 0) return entries.map(({ message, delayMs }) => ({ message, delayMs }));
    const byHost = new Map<string, typeof entries>();
    for (const entry of entries) {
      const host = hostOf(entry.message.url);
      const list = byHost.get(host) ?? [];
      list.push(entry);
      byHost.set(host, list);
    }
    const reserved = new Map<IngestMessage, { slot: HostSlot; delayMs: number }>();
    await Promise.all(
      [...byHost].map(async ([host, list]) => {
        const earlier = this.blocks.get(host);
        const first = list[0]?.ordinal ?? 0;
        // A new block starts after what this instance knows holds the host's token (its own feed fetch, usually).
        const startMs = Math.max(nowMs + first * spacingMs, (!earlier && slots.busyUntilMs?.(host)) || 0);
        // The slots within the queue's longest delay (the ordinals of one flush are consecutive).
        const count = list.filter(
          ({ ordinal }) => startMs - nowMs + (ordinal - first) * spacingMs < CRAWL_POLICY.maxPutBackMs,
        ).length;
        if (host === '' || count === 0) return;
        const slotsHere = earlier
          ? await this.extendBlock(slots, host, earlier, first, count, nowMs)
          : await this.reserveBlock(slots, host, {
              startMs,
              spacingMs,
              count,
              windowMs,
              intervalMs: slots.intervalMs,
            }).then((block) => {
              if (block === undefined) return [];
              this.blocks.set(host, { block, firstOrdinal: first });
              return slotsOf(block, host);
            });
        slotsHere.forEach((slot, i) => {
          const entry = list[i];
          if (entry !== undefined)
            reserved.set(entry.message, { slot, delayMs: Math.max(0, slot.atMs - nowMs) });
        });
      }),
    );
    return entries.map(({ message, delayMs }) => {
      const slot = reserved.get(message);
      return slot === undefined
        ? { message, delayMs }
        : { message: { ...message, hostSlot: slot.slot }, delayMs: slot.delayMs };
    });
  }

  /**
   * One conditional write reserves the block; refused because a request's interval still runs at its first slot
   * (the crawl's own feed fetch, usually), it starts once that ends, if it then still fits the queue's delays.
   * Another block still running: no reservation (those messages take the token at ingest).
   */
  private async reserveBlock(
    slots: HostSlotReservations,
    host: string,
    block: SlotBlock,
  ): Promise<SlotBlock | undefined> {
    const nowMs = slots.now?.() ?? Date.now();
    try {
      const first = await slots.reserve(host, block, nowMs);
      if (first.reserved) return block;
      const next = first.state?.nextAllowedAtMs;
      const blocked = first.state?.block !== undefined && slotBlockEndMs(first.state.block) > nowMs;
      if (blocked || next === undefined || next <= block.startMs) return undefined;
      const later = { ...block, startMs: next };
      if (later.startMs + (later.count - 1) * later.spacingMs - nowMs >= CRAWL_POLICY.maxPutBackMs)
        return undefined;
      const second = await slots.reserve(host, later, nowMs);
      return second.reserved ? later : undefined;
    } catch (thrown) {
      this.logger.warn('could not reserve host slots; the messages take the token at ingest', {
        host,
        error: toPipelineError(thrown).toJSON(),
      });
      return undefined;
    }
  }

  /**
   * A later flush of a host whose block this run reserved: the block grows by this flush's messages when they follow
   * its last slot and their first slot is still ahead; the new slots, or none (the messages take the token).
   */
  private async extendBlock(
    slots: HostSlotReservations,
    host: string,
    earlier: { block: SlotBlock; firstOrdinal: number },
    first: number,
    count: number,
    nowMs: number,
  ): Promise<HostSlot[]> {
    const { block, firstOrdinal } = earlier;
    const firstNewMs = block.startMs + block.count * block.spacingMs;
    if (slots.extendBlock === undefined || first !== firstOrdinal + block.count || firstNewMs <= nowMs)
      return [];
    const grown = { ...block, count: block.count + count };
    try {
      if (!(await slots.extendBlock(host, block, grown.count))) return [];
    } catch (thrown) {
      this.logger.warn('could not extend host slots; the messages take the token at ingest', {
        host,
        error: toPipelineError(thrown).toJSON(),
      });
      return [];
    }
    this.blocks.set(host, { block: grown, firstOrdinal });
    return slotsOf(grown, host).slice(block.count);
  }

  private nextOrdinal(url: string): number {
    const host = hostOf(url);
    const ordinal = this.perHost.get(host) ?? 0;
    this.perHost.set(host, ordinal + 1);
    return ordinal;
  }
}

function emptySkips(): Record<SkipReason, number> {
  return { 'permanent-failure': 0, 'not-due': 0, fresh: 0, queued: 0, 'changed-meanwhile': 0 };
}

function hostOf(url: string): string {
  try {
    return new URL(url).host.toLowerCase();
  } catch {
    return '';
  }
}

function latest(a: string | undefined, b: string | undefined): string | undefined {
  if (a === undefined || b === undefined) return a ?? b;
  return Date.parse(b) > Date.parse(a) ? b : a;
}

function safeCanonical(url: string): string | undefined {
  try {
    return canonicalizeUrl(url);
  } catch {
    return undefined;
  }
}

/** Maps with at most `limit` calls in flight, keeping order. */
export async function mapLimit<T, R>(
  items: readonly T[],
  limit: number,
  map: (item: T) => Promise<R>,
): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await map(items[index] as T);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

// ---- the registry-driven crawl: a schedule that fans out, one worker task per due source -----------------

/** One crawl task: crawl this registered source now. */
export const CrawlSourceMessage = z.object({
  sourceId: SourceId,
  /** When the schedule found it due (for logs and queue-age metrics). */
  scheduledAt: z.iso.datetime({ offset: false }),
  /** The due-index key the schedule found it under: the crawl's record keeps it when it can (DUE_INDEX). */
  dueKey: z.optional(z.string().check(z.maxLength(200))),
});
export type CrawlSourceMessage = z.infer<typeof CrawlSourceMessage>;

/** Where the schedule sends crawl tasks: SQS (with a DLQ) in AWS, an in-process queue embedded. */
export interface CrawlQueue {
  send(messages: CrawlSourceMessage[]): Promise<void>;
}

/**
 * How long a claimed source is not due before the schedule may hand it out again: it covers the task's whole life in
 * the crawl queue (a worker that died mid-crawl is retried after it). A finished crawl replaces it with the source's
 * real next due time.
 */
export const DEFAULT_CLAIM_LEASE_MS = 60 * 60 * 1000;

export interface ScheduleDependencies {
  registry: SourceRegistry;
  crawlQueue: CrawlQueue;
  logger: HandlerLogger;
  now?: () => Date;
  claimLeaseMs?: number;
  /** Due-index keys read per page and shard, and due sources claimed per round of sends. */
  pageSize?: number;
}

export interface ScheduleSummary {
  /** Due sources claimed and queued, one crawl task each. */
  queued: number;
  /** Due sources another schedule run (or a pause) took first. */
  lostClaims: number;
}

/** The schedule: finds the due sources (a key query on the due index) and sends one crawl task for each. */
export function createScheduleHandler(deps: ScheduleDependencies) {
  const now = deps.now ?? (() => new Date());
  const leaseMs = deps.claimLeaseMs ?? DEFAULT_CLAIM_LEASE_MS;
  const pageSize = deps.pageSize ?? 100;
  return async function schedule(event: unknown): Promise<ScheduleSummary> {
    const parsed = CrawlEvent.safeParse(event);
    if (!parsed.success) {
      throw new PipelineError(
        'BAD_REQUEST',
        `the schedule expects a scheduled event: ${z.prettifyError(parsed.error)}`,
      );
    }
    const at = now();
    const summary: ScheduleSummary = { queued: 0, lostClaims: 0 };
    // A claim's due time is its lease's end (the source is due again if no crawl record came by then), plus the
    // tolerance the due query takes early: no run hands the source out again before the lease has run out.
    const leaseUntil = new Date(at.getTime() + leaseMs + CRAWL_POLICY.sourceDueToleranceMs);
    // A claim of an earlier release took its source off the due index; one whose task died (no crawl record by the
    // lease's end) is due again now. Best effort: the next run tries again.
    try {
      const returned = await deps.registry.returnExpiredClaims(at);
      if (returned > 0) deps.logger.warn('sources whose crawl task died are due again', { returned });
    } catch (error) {
      deps.logger.warn('could not return expired source claims; the next schedule run will', {
        error: String(error),
      });
    }
    // Ingest's settled counts, read before the claims: a claimed source's count rides on its claim (one write for
    // both); the fold below updates only the sources no claim took. Best effort, like the fold.
    let counts: PendingIngestCounts | undefined;
    try {
      counts = await deps.registry.pendingIngested?.(at);
    } catch (error) {
      deps.logger.warn('could not read ingest counts; the fold below reads them again', {
        error: String(error),
      });
    }
    // Due within the tolerance: a source due a second after this tick would otherwise wait a whole period.
    const due = await deps.registry.due(new Date(at.getTime() + CRAWL_POLICY.sourceDueToleranceMs), pageSize);
    for (let from = 0; from < due.length; from += pageSize) {
      const messages: CrawlSourceMessage[] = [];
      await mapLimit(due.slice(from, from + pageSize), 16, async (source) => {
        if (await deps.registry.claim(source, leaseUntil, counts)) {
          messages.push({ sourceId: source.id, scheduledAt: at.toISOString(), dueKey: source.dueKey });
        } else {
          summary.lostClaims++;
        }
      });
      for (let start = 0; start < messages.length; start += INGEST_BATCH_SIZE) {
        await deps.crawlQueue.send(messages.slice(start, start + INGEST_BATCH_SIZE));
      }
      summary.queued += messages.length;
    }
    // Ingest records each batch's new articles per source in one item; they reach the sources' health here, one
    // update per source per run. A failure leaves them for the next run (the fold never counts one twice).
    try {
      const folded = await deps.registry.foldIngested(at, undefined, counts);
      if (folded.items > 0) deps.logger.info('ingest counts folded into sources', { ...folded });
    } catch (error) {
      deps.logger.warn('could not fold ingest counts into sources; the next schedule run will', {
        error: String(error),
      });
    }
    deps.logger.info('schedule done', { ...summary });
    return summary;
  };
}

export interface SourceCrawlDependencies {
  registry: SourceRegistry;
  crawlState: CrawlStateStore;
  queue: IngestQueue;
  fetcher: PoliteFetcher;
  logger: HandlerLogger;
  now?: () => Date;
  lookupConcurrency?: number;
  queueLeaseMs?: number;
  /** One host's messages are sent this far apart (UrlQueuerDependencies.hostSpacingMs). */
  hostSpacingMs?: number;
  /** Reserves each host's spaced messages' slots with one token write (UrlQueuerDependencies.hostSlots). */
  hostSlots?: HostSlotReservations;
  /** The jitter of a failing source's backoff (tests pin it). */
  random?: () => number;
  /** Told about every finished source (embedded progress). */
  onSourceDone?: (summary: SourceCrawlSummary) => void;
}

export interface SourceCrawlSummary {
  id: string;
  url?: string;
  /** skipped: the source was removed or paused after it was scheduled. */
  outcome: CrawlOutcome | 'skipped';
  kind?: SourceKind;
  /** URLs read in the source (dated entries older than the high-water mark excluded). */
  discovered: number;
  queued: number;
  skipped: Record<SkipReason, number>;
  /** Dated entries skipped without a look-up: older than the high-water mark. */
  older: number;
  sitemapsRead: number;
  sitemapsSkipped: number;
  /**
   * Child sitemaps that failed or were left for later: their URLs were not queued, so the source keeps its old
   * validators and high-water mark and its next crawl reads them (logged as an error, not only per child).
   */
  sitemapsUnread: number;
  error?: { code: string; message: string };
  /** The source's failures in a row, this crawl included (0 after a success). */
  consecutiveFailures?: number;
  durationMs: number;
}

/** The crawl worker: one registered source per task (an SQS record), recorded on the source's health. */
export function createSourceCrawler(deps: SourceCrawlDependencies) {
  const now = deps.now ?? (() => new Date());
  const { logger } = deps;
  const lookupConcurrency = Math.max(1, deps.lookupConcurrency ?? 16);
  const queueLeaseMs = deps.queueLeaseMs ?? DEFAULT_QUEUE_LEASE_MS;

  /**
   * Crawls one registered source. `scheduledAt`, the schedule run that found it due, keeps the source's beat: its
   * next crawl is due an interval after that run, not after this crawl's end (counted from the end, a 15-minute
   * source finished seconds after the next tick and was crawled every 30 minutes).
   */
  async function crawlSource(id: string, scheduledAt?: Date, dueKey?: string): Promise<SourceCrawlSummary> {
    const started = now();
    const base = {
      id,
      discovered: 0,
      queued: 0,
      skipped: emptySkips(),
      older: 0,
      sitemapsRead: 0,
      sitemapsSkipped: 0,
      sitemapsUnread: 0,
    };
    const source = await deps.registry.get(id);
    if (source === undefined || source.paused) {
      return { ...base, outcome: 'skipped', durationMs: now().getTime() - started.getTime() };
    }
    /** Other owner sources' recheckedThrough, read once per crawl (the changed-date path). */
    const owners = new Map<string, Promise<string | undefined>>();
    const queuer = new UrlQueuer(
      {
        crawlState: deps.crawlState,
        queue: deps.queue,
        logger,
        lookupConcurrency,
        ...(deps.hostSpacingMs === undefined ? {} : { hostSpacingMs: deps.hostSpacingMs }),
        ...(deps.hostSlots === undefined ? {} : { hostSlots: deps.hostSlots }),
        recheck: {
          sourceId: source.id,
          recheckedThrough: source.recheckedThrough,
          ownerRecheckedThrough: (owner) => {
            let known = owners.get(owner);
            if (known === undefined) {
              known = deps.registry.get(owner).then(
                (record) => record?.recheckedThrough,
                (error: unknown) => {
                  // Unknown: taken as read through now, so a time re-check that may be in flight counts as such.
                  logger.warn('could not read a URL owner source; its time re-checks count as in flight', {
                    owner,
                    error: String(error),
                  });
                  return started.toISOString();
                },
              );
              owners.set(owner, known);
            }
            return known;
          },
        },
      },
      started,
      new Date(started.getTime() + queueLeaseMs),
    );
    const notBefore =
      source.highWaterMark === undefined
        ? undefined
        : Date.parse(source.highWaterMark) - SOURCE_SCHEDULE.highWaterLookbackMs;
    // Imported on the first task: the feed and sitemap parser (htmlparser2) stays out of the schedule's cold start.
    const { readSource } = await import('../core/discover/stream.ts');
    let read: SourceReadResult | undefined;
    let failure: PipelineError | undefined;
    const readOnce = () =>
      readSource(source.url, {
        fetcher: deps.fetcher,
        ...(source.validators ? { validators: source.validators } : {}),
        allowOtherSites: source.allowOtherSites,
        ...(notBefore === undefined ? {} : { notBefore }),
        now: () => now().getTime(),
        onEntries: (entries, { moreDocuments }) =>
          queuer.add(
            entries.map((item) => ({ item, source: source.url, sourceId: source.id })),
            { moreDocuments },
          ),
        onWarning: ({ url, error }) =>
          logger.warn('part of a source was skipped', { source: source.url, url, error: error.toJSON() }),
      });
    for (let pass = 1; ; pass++) {
      read = undefined;
      failure = undefined;
      try {
        read = await readOnce();
      } catch (thrown) {
        // One broken source must not stop the others; its health says why, and it is retried with backoff.
        failure = toPipelineError(thrown);
      }
      // Cut short by a transient failure (CRAWL_POLICY.crawlRereadWithinMs): read once more now rather than leave the
      // rest to the next crawl, an interval later. What this read queued is leased: the next skips it.
      const cutShort =
        failure === undefined ? (read?.sitemapsRetryable ?? 0) > 0 : isRereadableFailure(failure);
      if (!cutShort || pass > 1 || now().getTime() - started.getTime() >= CRAWL_POLICY.crawlRereadWithinMs)
        break;
      logger.warn('source read cut short by a transient failure; reading it again', {
        source: source.url,
        ...(failure ? { error: failure.toJSON() } : { sitemapsUnread: read?.sitemapsUnread ?? 0 }),
      });
    }
    try {
      await queuer.finish();
    } catch (thrown) {
      failure ??= toPipelineError(thrown);
    }
    const finished = now();
    const consecutiveFailures = failure === undefined ? 0 : source.health.consecutiveFailures + 1;
    const outcome: CrawlOutcome = failure ? 'failed' : read?.notModified ? 'not-modified' : 'ok';
    const discovered = read?.urls ?? 0;
    // A complete read moves the high-water mark and keeps the validators; a failed one may have stopped anywhere,
    // and one that left child sitemaps unread (a failed fetch, a limit) must read them next time: neither moves.
    const complete = failure === undefined && (read?.sitemapsUnread ?? 0) === 0;
    const highWaterMark =
      complete && read?.newest !== undefined && (source.highWaterMark ?? '') < read.newest
        ? read.newest
        : undefined;
    const validators = complete && read !== undefined && !read.notModified ? read.validators : undefined;
    const kind = failure === undefined && read !== undefined && !read.notModified ? read.kind : source.kind;
    // A complete read that listed the source's URLs (not a 304) moves the window of its time re-checks on: the ones it
    // held are sent once that is recorded. Any other read sends none, and the next complete one queues them.
    const listedAll = complete && read !== undefined && !read.notModified;
    if (!listedAll && queuer.heldTimeRechecks > 0) {
      logger.info('time re-checks left for the next complete read', {
        source: source.url,
        timeRechecks: queuer.heldTimeRechecks,
      });
      queuer.discardTimeRechecks();
    }
    const timeRechecks = queuer.heldTimeRechecks;
    const error = failure ? { code: failure.code, message: failure.message.slice(0, 500) } : undefined;
    await deps.registry.recordCrawl(id, {
      health: {
        lastCrawledAt: finished.toISOString(),
        lastOutcome: outcome,
        consecutiveFailures,
        ...(error ? { lastError: error } : {}),
        urlsDiscovered: discovered,
        urlsQueued: queuer.queued + timeRechecks,
      },
      kind,
      nextDueAt: sourceDueAfterCrawl(
        { intervalMs: source.intervalSeconds * 1000, consecutiveFailures },
        { scheduledAt, started, finished },
        deps.random,
      ),
      ...(validators ? { validators } : {}),
      ...(highWaterMark ? { highWaterMark } : {}),
      ...(listedAll ? { recheckedThrough: started.toISOString() } : {}),
      ...(dueKey === undefined ? {} : { dueKey }),
    });
    // Recorded first: a send that fails loses these re-checks' steps (the next step comes), never queues one twice.
    if (timeRechecks > 0) {
      try {
        await queuer.sendTimeRechecks();
      } catch (thrown) {
        logger.error('time re-checks could not be sent; their step is skipped', {
          source: source.url,
          timeRechecks,
          error: toPipelineError(thrown).toJSON(),
        });
      }
    }
    const summary: SourceCrawlSummary = {
      ...base,
      url: source.url,
      outcome,
      kind,
      discovered,
      queued: queuer.queued,
      skipped: queuer.skipped,
      older: read?.older ?? 0,
      sitemapsRead: read?.sitemapsRead ?? 0,
      sitemapsSkipped: read?.sitemapsSkipped ?? 0,
      sitemapsUnread: read?.sitemapsUnread ?? 0,
      ...(error ? { error } : {}),
      consecutiveFailures,
      durationMs: finished.getTime() - started.getTime(),
    };
    if (failure) logger.error('source crawl failed', { ...summary });
    else if (summary.sitemapsUnread > 0)
      logger.error('source crawled in part: child sitemaps left for the next crawl', { ...summary });
    else logger.info('source crawled', { ...summary });
    deps.onSourceDone?.(summary);
    return summary;
  }

  /** The SQS entry point: a malformed task is dropped (logged); a store failure is retried by the queue. */
  async function handler(event: unknown): Promise<SQSBatchResponse> {
    const parsed = SqsEvent.safeParse(event);
    if (!parsed.success) {
      throw new PipelineError(
        'BAD_REQUEST',
        `crawl worker expects an SQS event: ${z.prettifyError(parsed.error)}`,
      );
    }
    const batchItemFailures: SQSBatchResponse['batchItemFailures'] = [];
    for (const record of parsed.data.Records) {
      let message: CrawlSourceMessage;
      try {
        message = CrawlSourceMessage.parse(JSON.parse(record.body));
      } catch (thrown) {
        logger.error('malformed crawl task dropped', {
          messageId: record.messageId,
          error: String(thrown).slice(0, 500),
        });
        continue;
      }
      try {
        await crawlSource(message.sourceId, new Date(message.scheduledAt), message.dueKey);
      } catch (thrown) {
        logger.error('crawl task failed; the queue retries it', {
          sourceId: message.sourceId,
          error: toPipelineError(thrown).toJSON(),
        });
        batchItemFailures.push({ itemIdentifier: record.messageId });
      }
    }
    return { batchItemFailures };
  }

  return { crawlSource, handler };
}

/** True for an SQS event (crawl tasks), false for the schedule's EventBridge event. */
export function isSqsEvent(event: unknown): boolean {
  return (
    typeof event === 'object' && event !== null && Array.isArray((event as { Records?: unknown }).Records)
  );
}
