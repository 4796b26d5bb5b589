import { CRAWL_POLICY, hostIntervalMs, putBackDelayMs } from '../crawl-policy.ts';
import { PipelineError } from '../errors.ts';
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

  return {
    async acquire(url) {
      let crawlDelayMs: number | undefined;
      // robots.txt itself is always allowed (RFC 9309), and is not paced.
      if (url.pathname === '/robots.txt') return () => {};
      if (options.robots) crawlDelayMs = (await options.robots.check(url)).crawlDelayMs;
      const intervalMs = hostIntervalMs(minIntervalMs, crawlDelayMs, policy);
      if (intervalMs <= 0) return () => {};
      const host = url.host.toLowerCase();
      const at = now();
      const known = knownBusy.get(host);
      if (known !== undefined && known.untilMs > at) throw refuse(url, host, known.untilMs, intervalMs);
      if (knownBusy.size > MAX_KNOWN_HOSTS) {
        for (const [name, entry] of knownBusy) if (entry.untilMs <= at) knownBusy.delete(name);
      }
      // Claimed locally before the write, so this instance's other records for the host do not write too.
      knownBusy.set(host, { untilMs: at + intervalMs, putBack: 0 });
      const taken = await options.tokens.take(host, at, intervalMs);
      if (!taken.taken) {
        throw refuse(url, host, taken.nextAllowedAtMs ?? at + intervalMs, intervalMs);
      }
      return () => {};
    },
  };
}
