import type { PipelineConfig } from '../../config.ts';
import { CRAWL_POLICY, hostIntervalMs } from '../crawl-policy.ts';
import type { PipelineError } from '../errors.ts';
import { fetchPage } from './fetch-page.ts';
import type { HostSlot } from './host-slots.ts';
import { RobotsCache, type SharedRobotsStore } from './robots.ts';
import { HostScheduler } from './scheduler.ts';
import { createSharedPoliteness, type HostTokenStore } from './shared-politeness.ts';
import type { FetchOptions, FetchResult, Politeness } from './types.ts';

export interface FetcherConfig extends FetchOptions {
  /** Honour robots.txt (default true). */
  respectRobots?: boolean;
  /** Minimum interval between requests to one host; default 1000 ms. */
  minIntervalMs?: number;
  /** Requests in flight to one host; default 2. */
  maxConcurrentPerHost?: number;
  /** A Crawl-delay above this is clamped, so one robots.txt cannot stall a Lambda; default 30 s. */
  maxCrawlDelayMs?: number;
  /** How long robots.txt rules are cached; default 1 hour. */
  robotsTtlMs?: number;
  now?: () => number;
  /**
   * Politeness shared by every instance: the per-host token and the robots.txt cache in a store all workers see.
   * A busy host then throws HOST_BUSY (put the message back) instead of waiting in this process.
   */
  shared?: {
    tokens: HostTokenStore;
    robots?: SharedRobotsStore;
    /** Wait for a busy host's turn up to this long instead of throwing HOST_BUSY (the crawl worker). */
    maxWaitMs?: number;
    /** The ingest queue's batching window: put-backs of a busy host are spread by its queue spacing. */
    batchWindowMs?: number;
  };
}

/** fetchPage plus robots.txt and per-host pacing; one instance per process so the caches are shared. */
export interface PoliteFetcher {
  fetch(url: string, options?: FetchOptions): Promise<FetchResult>;
  readonly robots: RobotsCache;
  readonly scheduler: HostScheduler;
  /** The options every fetch starts from (address policy, user agent ...), politeness excluded. */
  readonly options: FetchOptions;
  /** HOST_BUSY when this instance already knows the URL's host is busy (no I/O; Politeness.knownBusy). */
  knownBusy(url: string, reserved?: HostSlot): PipelineError | undefined;
  /** Until when this instance knows the host's token is held (no I/O; Politeness.busyUntilMs). */
  busyUntilMs(host: string): number | undefined;
}

export function createFetcher(config: FetcherConfig = {}): PoliteFetcher {
  const {
    respectRobots = true,
    minIntervalMs,
    maxConcurrentPerHost,
    maxCrawlDelayMs = CRAWL_POLICY.maxCrawlDelayMs,
    robotsTtlMs,
    now,
    shared,
    ...fetchOptions
  } = config;
  const robots = new RobotsCache({
    fetchOptions,
    ttlMs: robotsTtlMs,
    now,
    ...(shared?.robots ? { shared: shared.robots } : {}),
    // Shared politeness paces robots.txt too (read lazily: it is built below, around this cache).
    ...(shared
      ? {
          politeness: {
            acquire: (url, signal) => politeness.acquire(url, signal),
            backOff: async (url, status, retryAfterMs) => politeness.backOff?.(url, status, retryAfterMs),
          },
        }
      : {}),
  });
  const scheduler = new HostScheduler({
    minIntervalMs,
    maxConcurrentPerHost,
    now,
    sleep: fetchOptions.sleep,
  });
  const localPoliteness: Politeness = {
    async acquire(url, signal) {
      let crawlDelayMs = 0;
      // robots.txt itself is always allowed (RFC 9309).
      if (respectRobots && url.pathname !== '/robots.txt') {
        const rules = await robots.check(url);
        crawlDelayMs = hostIntervalMs(0, rules.crawlDelayMs, { ...CRAWL_POLICY, maxCrawlDelayMs });
      }
      return scheduler.acquire(url.host, { minIntervalMs: crawlDelayMs, signal });
    },
  };
  const politeness: Politeness = shared
    ? createSharedPoliteness({
        tokens: shared.tokens,
        ...(respectRobots ? { robots } : {}),
        ...(minIntervalMs === undefined ? {} : { minIntervalMs }),
        maxCrawlDelayMs,
        ...(now ? { now } : {}),
        ...(shared.maxWaitMs === undefined ? {} : { maxWaitMs: shared.maxWaitMs }),
        ...(shared.batchWindowMs === undefined ? {} : { batchWindowMs: shared.batchWindowMs }),
        ...(fetchOptions.sleep ? { sleep: fetchOptions.sleep } : {}),
      })
    : localPoliteness;
  return {
    robots,
    scheduler,
    options: fetchOptions,
    fetch: (url, options = {}) => fetchPage(url, { ...fetchOptions, ...options, politeness }),
    knownBusy: (url, reserved) => politeness.knownBusy?.(new URL(url), reserved),
    busyUntilMs: (host) => politeness.busyUntilMs?.(host),
  };
}

/** The fetch options a handler's configuration implies (user agent and what private addresses it trusts). */
export function fetchOptionsFromConfig(
  config: Pick<PipelineConfig, 'userAgent' | 'allowPrivateNetwork' | 'allowedOrigins'>,
): FetchOptions {
  return {
    userAgent: config.userAgent,
    allowPrivateNetwork: config.allowPrivateNetwork,
    allowedOrigins: config.allowedOrigins,
  };
}
