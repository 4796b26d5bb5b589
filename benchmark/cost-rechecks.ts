// How often the crawl policy re-fetches a stored article (bench:cost prices re-checks by it, not by assumption).
import {
  CRAWL_POLICY,
  type CrawlPolicy,
  type ListedUrl,
  nextRecheckAt,
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
  const fetched = Date.parse(state.lastFetchedAt ?? '');
  if (Number.isNaN(fetched)) return 0;
  let current: UrlCrawlState = { ...state, queuedAt: undefined, leaseUntil: undefined };
  let count = 0;
  const step = policy.sourceIntervalMs;
  for (let at = fetched + step; at <= fetched + horizonMs; at += step) {
    const when = new Date(at);
    if (urlSkipReason(current, listed, when, policy) !== undefined) continue;
    count++;
    current = {
      ...current,
      lastFetchedAt: when.toISOString(),
      lastOutcome: 'unchanged',
      nextDueAt: nextRecheckAt(current, false, when, policy),
    };
  }
  return count;
}
