import { CRAWL_POLICY, hostBackoffUntilMs, hostIntervalMs, putBackDelayMs } from '../crawl-policy.ts';
import { PipelineError } from '../errors.ts';
import { defaultSleep } from './retry.ts';
import type { RobotsCache } from './robots.ts';
import type { Politeness } from './types.ts';

/**
 * Politeness shared by every worker: one token per host in a store all instances see (the DynamoDB table in AWS
 * and in the embedded stack). Taking the token is one conditional write of the host's next allowed time; a
 * host that is not free yet is never waited for: acquire throws HOST_BUSY with the delay to put the message
 * back with, and the caller hands the message back to the queue.
 */

export type TokenTake = { taken: true } | { taken: false; nextAllowedAtMs?: number };

/** The per-host token: a host item's nextAllowedAt, set only when it has passed (a conditional write). */
export interface HostTokenStore {
  take(host: string, nowMs: number, intervalMs: number): Promise<TokenTake>;
  /** Pushes the host's next allowed time out to `untilMs` (never back): a 429 or 503 slows every worker. */
  holdUntil(host: string, untilMs: number): Promise<void>;
  /**
   * Moves a token this taker holds (next allowed time still `heldUntilMs`, so nobody took it since) out to
   * `untilMs`; false when it is no longer so. Lets a taker whose write overran its slot book a later one.
   */
  extend?(host: string, heldUntilMs: number, untilMs: number): Promise<boolean>;
}

export interface SharedPolitenessOptions {
  tokens: HostTokenStore;
  /** robots.txt rules (and Crawl-delay); undefined = robots.txt is not consulted. */
  robots?: RobotsCache;
  /** The minimum interval between request starts to one host; CRAWL_POLICY.hostMinIntervalMs by default. */
  minIntervalMs?: number;
  maxCrawlDelayMs?: number;
  now?: () => number;
  random?: () => number;
  /**
   * Wait for a busy host's turn, up to this long in all, instead of throwing HOST_BUSY: for the crawl worker, whose
   * task (a feed, a few sitemaps) cannot be put back by the URL. Undefined (ingest): never wait.
   */
  maxWaitMs?: number;
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
}

export interface HostBusyDetails {
  host: string;
  /** Put the message back for this long. */
  retryAfterMs: number;
}

export function hostBusy(url: URL, retryAfterMs: number): PipelineError {
  return new PipelineError('HOST_BUSY', `${url.host} is not due for another request yet`, {
    url: url.href,
    host: url.host,
    retryAfterMs,
  });
}

export function isHostBusy(error: unknown): error is PipelineError & { details: HostBusyDetails } {
  return (
    error instanceof PipelineError &&
    error.code === 'HOST_BUSY' &&
    typeof error.details.retryAfterMs === 'number'
  );
}

/** The token write's latency assumed before any is seen: a DynamoDB write from Lambda, with room. */
const INITIAL_WRITE_LATENCY_MS = 20;

/** The longest lead a slot is booked with (a store that slow is failing; its writes overrun and are retried). */
const MAX_LEAD_MS = 2_000;

/** How late after its slot a request may still leave (a tenth of the interval, at most this). */
const MAX_SLOT_SLACK_MS = 25;

/** Hosts remembered per instance before the passed ones are forgotten. */
const MAX_KNOWN_HOSTS = 10_000;

export function createSharedPoliteness(options: SharedPolitenessOptions): Politeness {
  const now = options.now ?? Date.now;
  const random = options.random ?? Math.random;
  const minIntervalMs = options.minIntervalMs ?? CRAWL_POLICY.hostMinIntervalMs;
  const policy = {
    ...CRAWL_POLICY,
    ...(options.maxCrawlDelayMs === undefined ? {} : { maxCrawlDelayMs: options.maxCrawlDelayMs }),
  };
  // What this instance already knows a host is busy until (its own takes and refusals), and how many of its
  // messages it has put back for the host since: saves a conditional write that would fail, and spreads them.
  const knownBusy = new Map<string, { untilMs: number; putBack: number }>();
  // Each host's interval when last taken (its Crawl-delay included), for refusals made without asking robots.txt.
  const knownInterval = new Map<string, number>();

  const refuse = (url: URL, host: string, untilMs: number, intervalMs: number): PipelineError => {
    const at = now();
    let known = knownBusy.get(host);
    if (known === undefined || known.untilMs < untilMs) {
      known = { untilMs, putBack: known?.putBack ?? 0 };
      knownBusy.set(host, known);
    }
    const delay = putBackDelayMs(
      { nextAllowedInMs: known.untilMs - at, intervalMs, aheadOfIt: known.putBack },
      random,
      policy,
    );
    known.putBack++;
    return hostBusy(url, delay);
  };

  const sleep = options.sleep ?? defaultSleep;

  // The token's write takes time (a few ms on DynamoDB, far more on a loaded machine), and a request goes out
  // only after it: a slot counted from before the write would let two requests arrive closer than the interval
  // when one write was slow and the next fast. So a taker books a slot a little ahead (its lead: twice the
  // recent write latency, capped), waits for it, and (when it may wait) books again if the write overran it. The lead may
  // exceed the interval: slots still follow each other an interval apart, only booked further ahead.
  // The estimate jumps to a slow write at once and decays slowly, so one overrun is not followed by more.
  let writeLatencyMs = INITIAL_WRITE_LATENCY_MS;

  /** One try at the host's token: undefined when taken (and its slot reached), else when the host is busy until. */
  const tryTake = async (
    host: string,
    intervalMs: number,
    signal?: AbortSignal,
  ): Promise<number | undefined> => {
    const at = now();
    const slot = at + Math.min(MAX_LEAD_MS, Math.ceil(2 * writeLatencyMs));
    // A request may leave up to `slack` after its slot (timers fire late); the next slot is that much later.
    const slack = Math.min(MAX_SLOT_SLACK_MS, Math.floor(intervalMs / 10));
    const bookedMs = intervalMs + slack;
    const known = knownBusy.get(host);
    if (known !== undefined && known.untilMs > slot) return known.untilMs;
    if (knownBusy.size > MAX_KNOWN_HOSTS) {
      for (const [name, entry] of knownBusy) {
        if (entry.untilMs > at) continue;
        knownBusy.delete(name);
        knownInterval.delete(name);
      }
    }
    knownInterval.set(host, intervalMs);
    // Claimed locally before the write, so this instance's other records for the host do not write too.
    knownBusy.set(host, { untilMs: slot + bookedMs, putBack: 0 });
    const taken = await options.tokens.take(host, slot, bookedMs);
    const written = now();
    writeLatencyMs = Math.max(written - at, 0.9 * writeLatencyMs);
    if (!taken.taken) return taken.nextAllowedAtMs ?? slot + bookedMs;
    if (slot > written) await sleep(slot - written, signal);
    // Overran (a slow write, a late timer): sent now, the request could come within an interval of the next
    // taker's, which may already be on its way. A waiting taker (the crawl) books again. Ingest moves its token
    // to a new slot while nobody has taken it since (one more write, only on an overrun: the latency estimate has
    // jumped to the slow write, so the new slot is booked further ahead), and puts the message back if it cannot.
    if (now() <= slot + slack) return undefined;
    if (options.maxWaitMs !== undefined || options.tokens.extend === undefined) return slot + bookedMs;
    const again = now();
    const slot2 = again + Math.min(MAX_LEAD_MS, Math.ceil(2 * writeLatencyMs));
    if (!(await options.tokens.extend(host, slot + bookedMs, slot2 + bookedMs))) return slot + bookedMs;
    const written2 = now();
    writeLatencyMs = Math.max(written2 - again, 0.9 * writeLatencyMs);
    knownBusy.set(host, { untilMs: slot2 + bookedMs, putBack: 0 });
    if (slot2 > written2) await sleep(slot2 - written2, signal);
    return now() > slot2 + slack ? slot2 + bookedMs : undefined;
  };

  return {
    knownBusy(url) {
      const host = url.host.toLowerCase();
      const known = knownBusy.get(host);
      // The same test as tryTake's before its write: busy past the slot a take now would book.
      const slot = now() + Math.min(MAX_LEAD_MS, Math.ceil(2 * writeLatencyMs));
      if (known === undefined || known.untilMs <= slot) return undefined;
      return refuse(url, host, known.untilMs, knownInterval.get(host) ?? minIntervalMs);
    },
    async acquire(url, signal) {
      let crawlDelayMs: number | undefined;
      // robots.txt is always allowed (RFC 9309) but paced like any request: the host sees it as one.
      if (options.robots && url.pathname !== '/robots.txt') {
        crawlDelayMs = (await options.robots.check(url)).crawlDelayMs;
      }
      const intervalMs = hostIntervalMs(minIntervalMs, crawlDelayMs, policy);
      if (intervalMs <= 0) return () => {};
      const host = url.host.toLowerCase();
      const waitUntil = options.maxWaitMs === undefined ? undefined : now() + options.maxWaitMs;
      for (;;) {
        const busyUntil = await tryTake(host, intervalMs, signal);
        if (busyUntil === undefined) return () => {};
        if (waitUntil === undefined || busyUntil > waitUntil) {
          throw refuse(url, host, busyUntil, intervalMs);
        }
        // A few ms of jitter, so waiters on one host do not all write at the same instant.
        await sleep(Math.max(0, busyUntil - now()) + Math.floor(random() * 10), signal);
      }
    },
    async backOff(url, status, retryAfterMs) {
      const host = url.host.toLowerCase();
      const untilMs = hostBackoffUntilMs(status, retryAfterMs, now(), policy);
      if (untilMs === undefined) return;
      const known = knownBusy.get(host);
      if (known === undefined || known.untilMs < untilMs) knownBusy.set(host, { untilMs, putBack: 0 });
      await options.tokens.holdUntil(host, untilMs);
    },
  };
}
