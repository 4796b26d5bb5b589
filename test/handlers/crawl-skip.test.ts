import { describe, expect, it } from 'vitest';
import { PipelineError } from '../../lib/core/errors.ts';
import { presumableFirstLease, skipReason } from '../../lib/handlers/crawl.ts';
import { isRetryable } from '../../lib/handlers/ingest.ts';
import type { CrawlStateRecord } from '../../lib/store/types.ts';

const at = new Date('2026-05-01T12:00:00.000Z');
const found = (extra: { modifiedAt?: string; publishedAt?: string } = {}) => ({
  url: 'https://news.example/a',
  via: 'sitemap',
  ...extra,
});
const state = (extra: Partial<CrawlStateRecord>): CrawlStateRecord => ({
  url: 'https://news.example/a',
  failureCount: 0,
  ...extra,
});

describe('skipReason', () => {
  it('fetches URLs it has never seen', () => {
    expect(skipReason(undefined, found(), at)).toBeUndefined();
  });

  it('skips permanent failures whatever the dates say, until their late retry is due', () => {
    const failed = state({
      permanentFailure: true,
      lastOutcome: 'failed',
      lastFetchedAt: '2026-04-20T00:00:00.000Z',
      nextDueAt: '2026-05-20T00:00:00.000Z',
    });
    expect(skipReason(failed, found({ modifiedAt: '2026-05-01T11:00:00.000Z' }), at)).toBe(
      'permanent-failure',
    );
    expect(skipReason({ ...failed, nextDueAt: '2026-05-01T11:59:00.000Z' }, found(), at)).toBeUndefined();
    // Recorded before the policy dated them: 30 days after the failed fetch.
    const undated = { ...failed, nextDueAt: undefined };
    expect(skipReason(undated, found(), at)).toBe('permanent-failure');
    expect(
      skipReason({ ...undated, lastFetchedAt: '2026-03-31T00:00:00.000Z' }, found(), at),
    ).toBeUndefined();
  });

  it('skips a URL queued under a live lease even when the source says it changed; an expired lease is no bar', () => {
    const leased = state({
      lastOutcome: 'created',
      lastFetchedAt: '2026-05-01T08:00:00.000Z',
      nextDueAt: '2026-05-01T09:00:00.000Z',
      queuedAt: '2026-05-01T11:30:00.000Z',
      leaseUntil: '2026-05-01T12:30:00.000Z',
    });
    const changed = found({ modifiedAt: '2026-05-01T11:00:00.000Z' });
    expect(skipReason(leased, changed, at)).toBe('queued');
    expect(skipReason({ ...leased, leaseUntil: '2026-05-01T12:00:00.000Z' }, changed, at)).toBeUndefined();
  });

  it('lets the source’s modification date decide when it has one: fresh, or changed since the last fetch', () => {
    const fetched = state({
      lastOutcome: 'created',
      lastFetchedAt: '2026-05-01T10:00:00.000Z',
      nextDueAt: '2026-05-01T14:00:00.000Z',
    });
    expect(skipReason(fetched, found({ modifiedAt: '2026-05-01T09:00:00.000Z' }), at)).toBe('fresh');
    // Changed after the last fetch: fetched now, even though not due yet.
    expect(skipReason(fetched, found({ modifiedAt: '2026-05-01T11:00:00.000Z' }), at)).toBeUndefined();
  });

  it('falls back to the next-due time without a modification date', () => {
    const fetched = state({ lastOutcome: 'unchanged', lastFetchedAt: '2026-05-01T10:00:00.000Z' });
    const publishedOnly = found({ publishedAt: '2026-04-01T00:00:00.000Z' });
    expect(skipReason({ ...fetched, nextDueAt: '2026-05-01T13:00:00.000Z' }, publishedOnly, at)).toBe(
      'not-due',
    );
    expect(
      skipReason({ ...fetched, nextDueAt: '2026-05-01T11:59:59.000Z' }, publishedOnly, at),
    ).toBeUndefined();
  });

  it('retries a transient failure once it is due, even when the source says nothing changed', () => {
    const failed = state({
      lastOutcome: 'failed',
      lastFetchedAt: '2026-05-01T10:00:00.000Z',
      failureCount: 2,
    });
    expect(
      skipReason(
        { ...failed, nextDueAt: '2026-05-01T11:00:00.000Z' },
        found({ modifiedAt: '2026-01-01T00:00:00.000Z' }),
        at,
      ),
    ).toBeUndefined();
  });
});

describe('isRetryable', () => {
  it('retries 5xx, 429, 408 and network trouble; never 4xx, blocked, non-HTML or article-less pages', () => {
    const http = (status: number) => new PipelineError('HTTP_ERROR', `HTTP ${status}`, { status });
    expect([500, 502, 503, 429, 408].map((status) => isRetryable(http(status)))).toEqual([
      true,
      true,
      true,
      true,
      true,
    ]);
    expect([400, 401, 403, 404, 410].map((status) => isRetryable(http(status)))).toEqual([
      false,
      false,
      false,
      false,
      false,
    ]);
    for (const code of ['TIMEOUT', 'CONNECTION_FAILED'] as const)
      expect(isRetryable(new PipelineError(code, code))).toBe(true);
    for (const code of [
      'BLOCKED_ADDRESS',
      'NOT_HTML',
      'NO_ARTICLE',
      'INVALID_URL',
      'ROBOTS_DISALLOWED',
    ] as const) {
      expect(isRetryable(new PipelineError(code, code))).toBe(false);
    }
    expect(isRetryable(new PipelineError('DNS_FAILED', 'no such host', { retryable: false }))).toBe(false);
  });
});

describe('presumableFirstLease (an owned first lease read without its article)', () => {
  const lease = state({
    owner: '0123456789abcdef',
    queuedAt: '2026-05-01T10:00:00.000Z',
    leaseUntil: '2026-05-05T10:00:00.000Z',
  });
  // The owner's last complete read started at 11:30, after the 1-h step's nominal time (11:00): that read queued it.
  const presumable = (
    listed: { modifiedAt?: string; publishedAt?: string },
    when = at,
    of = lease,
    recheckedThrough = '2026-05-01T11:30:00.000Z',
  ) => presumableFirstLease([{ item: found(listed) }], when, recheckedThrough)(of);

  it('presumes a live first lease answered when the source dates the URL no later than the lease', () => {
    expect(presumable({ publishedAt: '2026-05-01T09:00:00.000Z' })).toBe(true);
    expect(presumable({ modifiedAt: '2026-05-01T10:00:00.000Z' })).toBe(true);
    expect(presumable({})).toBe(true);
  });

  it('reads the article when the source dates a change after the lease (the changed-date path needs the fetch)', () => {
    expect(presumable({ publishedAt: '2026-05-01T10:00:01.000Z' })).toBe(false);
    expect(presumable({ modifiedAt: '2026-05-01T11:00:00.000Z' })).toBe(false);
  });

  it('once the lease has ended, reads the article of a URL dated by modification (no time re-check would fetch it)', () => {
    const later = new Date('2026-05-06T00:00:00.000Z');
    expect(presumable({ modifiedAt: '2026-05-01T09:00:00.000Z' }, later)).toBe(false);
    expect(presumable({ publishedAt: '2026-05-01T09:00:00.000Z' }, later)).toBe(true);
  });

  it('reads the article on the crawl that would queue a step (the first message may still be in flight)', () => {
    expect(presumable({}, at, lease, '2026-05-01T10:45:00.000Z')).toBe(false);
    // Before the step falls due, and once a read has passed its nominal time, nothing is read.
    expect(presumable({}, new Date('2026-05-01T10:50:00.000Z'), lease, '2026-05-01T10:45:00.000Z')).toBe(
      true,
    );
  });

  it('answers only for the URLs the crawl listed', () => {
    expect(presumable({}, at, { ...lease, url: 'https://news.example/other' })).toBe(false);
  });
});
