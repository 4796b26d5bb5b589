// How often the crawl policy re-fetches a stored article (bench:cost prices re-checks by it, not by assumption).
import {
  CRAWL_POLICY,
  type CrawlPolicy,
  type ListedUrl,
  nextRecheck,
  presumedRecheck,
  type UrlCrawlState,
  urlSkipReason,
} from '../lib/core/crawl-policy.ts';

/**
 * How many times the crawl policy re-fetches a stored URL whose page never changes: a crawl every source interval
 * from its last fetch, for `horizonMs`; each re-check that finds it unchanged moves it along its schedule.
 */
export function replayRechecks(
  state: UrlCrawlState,
  listed: ListedUrl,
  horizonMs: number,
  policy: CrawlPolicy = CRAWL_POLICY,
): number {
  return replayRecheckSchedule(state, listed, horizonMs, policy).rechecks;
}

/** replayRechecks, and how many of those re-checks the crawl queues presumed unchanged (one write for a 304). */
export function replayRecheckSchedule(
  state: UrlCrawlState,
  listed: ListedUrl,
  horizonMs: number,
  policy: CrawlPolicy = CRAWL_POLICY,
): { rechecks: number; presumed: number } {
  const fetched = Date.parse(state.lastFetchedAt ?? '');
  if (Number.isNaN(fetched)) return { rechecks: 0, presumed: 0 };
  let current: UrlCrawlState = { ...state, queuedAt: undefined, leaseUntil: undefined };
  let rechecks = 0;
  let presumed = 0;
  const step = policy.sourceIntervalMs;
  for (let at = fetched + step; at <= fetched + horizonMs; at += step) {
    const when = new Date(at);
    if (urlSkipReason(current, listed, when, policy) !== undefined) continue;
    rechecks++;
    if (presumedRecheck(current, listed, when, policy)) presumed++;
    current = {
      ...current,
      lastFetchedAt: when.toISOString(),
      lastOutcome: 'unchanged',
      // Both fields: the step moves on with the due time (a stale step would restart the schedule forever).
      ...{ nextDueAt: undefined, recheckStep: undefined },
      ...nextRecheck(current, false, when, policy),
    };
  }
  return { rechecks, presumed };
}
