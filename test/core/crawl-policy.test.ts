import { describe, expect, it } from 'vitest';
import {
  backoffDelay,
  CRAWL_POLICY,
  hasOutlivedMarker,
  hostIntervalMs,
  inFlightMarkerMs,
  interleaveByHost,
  isPresumptionPending,
  isSourceDue,
  isStaleMessage,
  isTransientFailure,
  isTransientStatus,
  nextRecheck,
  nextRecheckAt,
  nextRetryAt,
  presumedRecheck,
  putBackDelayMs,
  robotsStateForStatus,
  sourceNextDueAt,
  urlSkipReason,
  withoutPresumption,
  withPermanentRetryDays,
} from '../../lib/core/crawl-policy.ts';
import { PipelineError } from '../../lib/core/errors.ts';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const at = new Date('2026-05-01T12:00:00.000Z');
const plus = (ms: number) => new Date(at.getTime() + ms).toISOString();

describe('transient or permanent', () => {
  it('one status table for the fetcher, robots.txt, the webhook and ingest: 408, 429 and 5xx are transient', () => {
    expect([408, 429, 500, 502, 503, 599].every(isTransientStatus)).toBe(true);
    expect([200, 304, 400, 401, 403, 404, 410, 451].some(isTransientStatus)).toBe(false);
    expect([200, 408, 429, 503, 404, 410].map(robotsStateForStatus)).toEqual([
      'fetched',
      'unavailable',
      'unavailable',
      'unavailable',
      'missing',
      'missing',
    ]);
  });

  it('judges an HTTP error by its status, the code tables next, the thrower last', () => {
    const http = (status: number) => new PipelineError('HTTP_ERROR', `HTTP ${status}`, { status });
    expect(isTransientFailure(http(503))).toBe(true);
    expect(isTransientFailure(http(404))).toBe(false);
    expect(isTransientFailure(new PipelineError('NO_ARTICLE', 'x'))).toBe(false);
    // A robots.txt that answered 5xx blocks the site for now only: the thrower says so, and wins.
    expect(isTransientFailure(new PipelineError('ROBOTS_DISALLOWED', 'x', { retryable: true }))).toBe(true);
    expect(isTransientFailure(new PipelineError('ROBOTS_DISALLOWED', 'x', { retryable: false }))).toBe(false);
    // Not worth an immediate retry inside the fetch, still worth a later one.
    expect(isTransientFailure(new PipelineError('CONNECTION_FAILED', 'x', { retryable: false }))).toBe(true);
    expect(isTransientFailure(new PipelineError('DNS_FAILED', 'x', { retryable: false }))).toBe(false);
    expect(isTransientFailure(new PipelineError('DNS_FAILED', 'x', { retryable: true }))).toBe(true);
  });
});

describe('backoff', () => {
  it('doubles per attempt between half and all of the ceiling, capped', () => {
    expect(backoffDelay(0, 500, 30_000, () => 0)).toBe(250);
    expect(backoffDelay(0, 500, 30_000, () => 1)).toBe(500);
    expect(backoffDelay(3, 500, 30_000, () => 1)).toBe(4_000);
    expect(backoffDelay(20, 500, 30_000, () => 1)).toBe(30_000);
    expect(backoffDelay(20, 500, 30_000, () => 0)).toBe(15_000);
  });

  it('retries a transient URL failure with backoff from 5 minutes, a permanent one after 30 days', () => {
    expect(nextRetryAt(1, true, at, () => 1)).toBe(plus(5 * 60_000));
    expect(nextRetryAt(3, true, at, () => 1)).toBe(plus(20 * 60_000));
    expect(nextRetryAt(3, true, at, () => 0)).toBe(plus(10 * 60_000));
    expect(nextRetryAt(40, true, at, () => 1)).toBe(plus(DAY));
    expect(nextRetryAt(1, false, at)).toBe(plus(30 * DAY));
    expect(nextRetryAt(1, false, at, Math.random, { ...CRAWL_POLICY, permanentRetryAfterMs: 7 * DAY })).toBe(
      plus(7 * DAY),
    );
  });
});

describe('re-check schedule', () => {
  const fetched = (intervalMs: number | undefined, outcome = 'unchanged') => ({
    lastOutcome: outcome,
    lastFetchedAt: plus(-2 * DAY),
    ...(intervalMs === undefined ? {} : { nextDueAt: plus(-2 * DAY + intervalMs) }),
  });

  it('goes 1 h, 6 h, 24 h after a new version, then stops', () => {
    expect(nextRecheckAt(undefined, true, at)).toBe(plus(HOUR));
    expect(nextRecheckAt(fetched(HOUR, 'created'), false, at)).toBe(plus(6 * HOUR));
    expect(nextRecheckAt(fetched(6 * HOUR), false, at)).toBe(plus(24 * HOUR));
    expect(nextRecheckAt(fetched(24 * HOUR), false, at)).toBeUndefined();
    // Over stays over: an unchanged fetch (queued by a newer lastmod) does not restart it ...
    expect(nextRecheckAt(fetched(undefined), false, at)).toBeUndefined();
    // ... a changed version does.
    expect(nextRecheckAt(fetched(undefined), true, at)).toBe(plus(HOUR));
  });

  it('starts the schedule after a recovered failure', () => {
    const failed = { lastOutcome: 'failed', lastFetchedAt: plus(-HOUR), nextDueAt: plus(-HOUR + 300_000) };
    expect(nextRecheckAt(failed, false, at)).toBe(plus(HOUR));
  });
});

describe('re-checks presumed unchanged (one crawl-state write per 304)', () => {
  // Created 1 h ago: its first re-check (step 0) is due now.
  const created = {
    lastOutcome: 'created',
    lastFetchedAt: plus(-HOUR),
    nextDueAt: plus(0),
    recheckStep: 0,
    failureCount: 0,
  };

  it('a time-scheduled re-check moves the schedule on when queued; dated changes are not presumed', () => {
    expect(presumedRecheck(created, {}, at)).toEqual({ nextDueAt: plus(6 * HOUR), recheckStep: 1 });
    // The 6-h re-check (its step stored by a presumption, lastFetchedAt still the creation's) presumes the 24-h one.
    const afterFirst = { ...created, nextDueAt: plus(0), recheckStep: 1, presumedAt: plus(-6 * HOUR) };
    expect(presumedRecheck(afterFirst, {}, at)).toEqual({ nextDueAt: plus(24 * HOUR), recheckStep: 2 });
    // The 24-h one has no next step: the schedule ends with it, and its lease runs one last interval (24 h).
    const last = { ...created, recheckStep: 2 };
    expect(presumedRecheck(last, {}, at)).toEqual({ recheckStep: 3, leaseUntil: plus(24 * HOUR) });
    // Its lease over, the URL waits for a dated change, as after an unpresumed last re-check.
    const ended = { ...last, nextDueAt: undefined, recheckStep: 3, presumedAt: plus(0), queuedAt: plus(0) };
    const dayLater = new Date(at.getTime() + 25 * HOUR);
    expect(urlSkipReason({ ...ended, leaseUntil: plus(24 * HOUR) }, {}, new Date(at.getTime() + HOUR))).toBe(
      'queued',
    );
    expect(urlSkipReason({ ...ended, leaseUntil: plus(24 * HOUR) }, {}, dayLater)).toBe('not-due');
    expect(nextRecheck(withoutPresumption(ended), false, dayLater)).toEqual({});
    // Not due yet, a source-dated change, a failure: not presumed.
    expect(presumedRecheck({ ...created, nextDueAt: plus(HOUR) }, {}, at)).toBeUndefined();
    expect(presumedRecheck(created, { modifiedAt: plus(-60_000) }, at)).toBeUndefined();
    expect(presumedRecheck({ ...created, lastOutcome: 'failed' }, {}, at)).toBeUndefined();
    expect(presumedRecheck(undefined, {}, at)).toBeUndefined();
  });

  it('pending while its lease runs; undone, the schedule is as if nothing was presumed', () => {
    const presumed = {
      ...created,
      nextDueAt: plus(6 * HOUR),
      recheckStep: 1,
      presumedAt: plus(0),
      queuedAt: plus(0),
      leaseUntil: plus(6 * HOUR),
    };
    expect(isPresumptionPending(presumed, new Date(at.getTime() + HOUR))).toBe(true);
    expect(isPresumptionPending(presumed, new Date(at.getTime() + 7 * HOUR))).toBe(false);
    expect(isPresumptionPending({ ...presumed, queuedAt: plus(1000) }, at)).toBe(false);
    const undone = withoutPresumption(presumed);
    expect(undone.recheckStep).toBe(0);
    expect(undone.presumedAt).toBeUndefined();
    // A 200-unchanged answer to the 1-h re-check is then scheduled 6 h after its fetch, as without presumption.
    expect(nextRecheck(undone, false, at)).toEqual({ nextDueAt: plus(6 * HOUR), recheckStep: 1 });
  });

  it('reads the stored step before the interval (a presumption leaves lastFetchedAt behind)', () => {
    const stale = { ...created, lastFetchedAt: plus(-30 * HOUR), nextDueAt: plus(0), recheckStep: 1 };
    expect(nextRecheck(stale, false, at)).toEqual({ nextDueAt: plus(24 * HOUR), recheckStep: 2 });
    // Without a stored step the interval decides (states written before recheckStep).
    const { recheckStep: _step, ...old } = stale;
    expect(nextRecheck(old, false, at)).toEqual({});
  });
});

describe('what is due: one URL', () => {
  const stored = {
    lastOutcome: 'unchanged',
    lastFetchedAt: plus(-3 * HOUR),
    failureCount: 0,
  };

  it('never-seen URLs are due; in-flight ones are not, whatever the source says', () => {
    expect(urlSkipReason(undefined, {}, at)).toBeUndefined();
    const inFlight = { ...stored, queuedAt: plus(-DAY), leaseUntil: plus(HOUR) };
    expect(urlSkipReason(inFlight, { modifiedAt: plus(-1000) }, at)).toBe('queued');
    expect(
      urlSkipReason({ ...inFlight, leaseUntil: plus(-1) }, { modifiedAt: plus(-1000) }, at),
    ).toBeUndefined();
  });

  it('a stored article past its schedule waits for the source to date a change (lastmod or feed date)', () => {
    expect(urlSkipReason(stored, {}, at)).toBe('not-due');
    expect(urlSkipReason(stored, { modifiedAt: plus(-4 * HOUR) }, at)).toBe('fresh');
    expect(urlSkipReason(stored, { modifiedAt: plus(-HOUR) }, at)).toBeUndefined();
    expect(urlSkipReason(stored, { publishedAt: plus(-HOUR) }, at)).toBeUndefined();
    expect(urlSkipReason(stored, { publishedAt: plus(-4 * HOUR) }, at)).toBe('not-due');
  });

  it('follows nextDueAt while the schedule runs', () => {
    expect(urlSkipReason({ ...stored, nextDueAt: plus(HOUR) }, {}, at)).toBe('not-due');
    expect(urlSkipReason({ ...stored, nextDueAt: plus(-1) }, {}, at)).toBeUndefined();
  });

  it('drops a message whose URL was fetched after it was queued', () => {
    expect(isStaleMessage(plus(-HOUR), { lastFetchedAt: plus(-1) })).toBe(true);
    expect(isStaleMessage(plus(-HOUR), { lastFetchedAt: plus(-2 * HOUR) })).toBe(false);
    expect(isStaleMessage(plus(-HOUR), undefined)).toBe(false);
    expect(isStaleMessage(undefined, { lastFetchedAt: plus(-1) })).toBe(false);
    // A failure since is what the message's return retries.
    expect(isStaleMessage(plus(-HOUR), { lastFetchedAt: plus(-1), lastOutcome: 'failed' })).toBe(false);
    expect(hasOutlivedMarker(plus(-4 * DAY), 4 * DAY + 240_000, 180_000, at)).toBe(false);
    expect(hasOutlivedMarker(plus(-4 * DAY - 61_000), 4 * DAY + 240_000, 180_000, at)).toBe(true);
    expect(hasOutlivedMarker(undefined, 1, 1, at)).toBe(false);
  });

  it('keeps the in-flight marker as long as the message can live in the queue', () => {
    expect(inFlightMarkerMs(4 * DAY, 180_000)).toBe(4 * DAY + 180_000 + 60_000);
  });
});

describe('what is due: one source', () => {
  it('due at once when never crawled, every interval after, never while paused', () => {
    expect(sourceNextDueAt({}, at)).toBe(at.toISOString());
    expect(sourceNextDueAt({ lastCrawledAt: at.toISOString() }, at)).toBe(plus(15 * 60_000));
    expect(sourceNextDueAt({ lastCrawledAt: at.toISOString(), intervalMs: 1000 }, at)).toBe(plus(60_000));
    expect(sourceNextDueAt({ paused: true }, at)).toBeUndefined();
    expect(isSourceDue({ lastCrawledAt: plus(-16 * 60_000) }, at)).toBe(true);
    expect(isSourceDue({ lastCrawledAt: plus(-14 * 60_000) }, at)).toBe(false);
    expect(isSourceDue({ paused: true }, at)).toBe(false);
  });

  it('backs a failing source off, capped at a day', () => {
    const failing = (n: number) => ({ lastCrawledAt: at.toISOString(), consecutiveFailures: n });
    expect(sourceNextDueAt(failing(1), at, () => 1)).toBe(plus(30 * 60_000));
    expect(sourceNextDueAt(failing(2), at, () => 1)).toBe(plus(60 * 60_000));
    expect(sourceNextDueAt(failing(30), at, () => 1)).toBe(plus(DAY));
    // The jitter never brings it back sooner than its interval.
    expect(sourceNextDueAt(failing(1), at, () => 0)).toBe(plus(15 * 60_000));
  });
});

describe('politeness', () => {
  it('keeps the longer of the minimum interval and Crawl-delay, capped', () => {
    expect(hostIntervalMs(1000, undefined)).toBe(1000);
    expect(hostIntervalMs(1000, 5000)).toBe(5000);
    expect(hostIntervalMs(1000, 3_600_000)).toBe(30_000);
  });

  it('puts a busy host’s message back until its slot, spread by the messages ahead of it, capped at 15 min', () => {
    expect(putBackDelayMs({ nextAllowedInMs: 300, intervalMs: 1000, aheadOfIt: 0 }, () => 0)).toBe(300);
    expect(putBackDelayMs({ nextAllowedInMs: 300, intervalMs: 1000, aheadOfIt: 2 }, () => 0.5)).toBe(2800);
    expect(putBackDelayMs({ nextAllowedInMs: 0, intervalMs: 30_000, aheadOfIt: 100 }, () => 0)).toBe(900_000);
  });

  it('interleaves URLs by host, keeping each host’s order', () => {
    const urls = ['http://a/1', 'http://a/2', 'http://a/3', 'http://b/1', 'http://c/1', 'http://c/2', 'bad'];
    expect(interleaveByHost(urls, (url) => url)).toEqual([
      'http://a/1',
      'http://b/1',
      'http://c/1',
      'bad',
      'http://a/2',
      'http://c/2',
      'http://a/3',
    ]);
  });
});

describe('the permanent-failure retry (PERMANENT_FAILURE_RETRY_DAYS)', () => {
  it('waits the configured days, 30 by default, before a permanent failure is tried again', () => {
    expect(withPermanentRetryDays(undefined)).toBe(CRAWL_POLICY);
    expect(nextRetryAt(1, false, at)).toBe(plus(30 * DAY));
    const weekly = withPermanentRetryDays(7);
    expect(nextRetryAt(1, false, at, Math.random, weekly)).toBe(plus(7 * DAY));
    // A state written without nextDueAt falls back to the policy's wait from the last fetch.
    const failed = { lastFetchedAt: at.toISOString(), lastOutcome: 'failed', permanentFailure: true };
    const later = (days: number) => new Date(at.getTime() + days * DAY);
    expect(urlSkipReason(failed, {}, later(6), weekly)).toBe('permanent-failure');
    expect(urlSkipReason(failed, {}, later(8), weekly)).toBeUndefined();
    expect(urlSkipReason(failed, {}, later(8))).toBe('permanent-failure');
  });
});
