import { describe, expect, it } from 'vitest';
import { PipelineError } from '../../lib/core/errors.ts';
import type { CrawlStateRecord } from '../../lib/store/types.ts';
import { useLocalServers } from '../helpers/local-servers.ts';

const local = useLocalServers();

describe('crawl state', () => {
  it('round-trips every field, and a later put replaces the record', async () => {
    const { crawlState } = await local.freshStore();
    const state: CrawlStateRecord = {
      url: 'https://news.example/a',
      lastFetchedAt: '2024-05-01T09:30:00.000Z',
      lastStatus: 200,
      lastOutcome: 'created',
      etag: 'W/"v1"',
      lastModified: 'Wed, 01 May 2024 09:00:00 GMT',
      contentHash: 'a'.repeat(64),
      nextDueAt: '2024-05-02T09:30:00.000Z',
      failureCount: 0,
    };
    await crawlState.put(state);
    expect(await crawlState.get(state.url)).toEqual(state);

    const failed: CrawlStateRecord = {
      url: state.url,
      lastFetchedAt: '2024-05-02T09:30:00.000Z',
      lastStatus: 404,
      lastOutcome: 'failed',
      lastErrorCode: 'HTTP_ERROR',
      failureCount: 1,
      permanentFailure: true,
    };
    await crawlState.put(failed);
    // Fields absent from the new record are gone, not merged from the old one.
    expect(await crawlState.get(state.url)).toEqual(failed);
  });

  it('never lets the state of an older fetch replace that of a newer one (racing workers)', async () => {
    const { crawlState } = await local.freshStore();
    const url = 'https://news.example/raced';
    const newer: CrawlStateRecord = {
      url,
      lastFetchedAt: '2024-05-01T10:00:05.000Z',
      lastOutcome: 'updated',
      contentHash: 'b'.repeat(64),
      failureCount: 0,
    };
    expect(await crawlState.put(newer)).toBe(true);
    // A slower worker that started its fetch earlier finishes last: its failure is history, not news.
    const stale: CrawlStateRecord = {
      url,
      lastFetchedAt: '2024-05-01T10:00:01.000Z',
      lastOutcome: 'failed',
      lastErrorCode: 'TIMEOUT',
      failureCount: 1,
    };
    expect(await crawlState.put(stale)).toBe(false);
    expect(await crawlState.get(url)).toEqual(newer);
    // The same fetch written again (a retried write) and any later fetch go through.
    expect(await crawlState.put(newer)).toBe(true);
    const later = { ...stale, lastFetchedAt: '2024-05-01T10:00:09.000Z' };
    expect(await crawlState.put(later)).toBe(true);
    expect(await crawlState.get(url)).toEqual(later);
  });

  it('finds the state under any spelling of the same canonical URL', async () => {
    const { crawlState } = await local.freshStore();
    await crawlState.put({ url: 'https://news.example/b', failureCount: 2 });
    expect(await crawlState.get('https://NEWS.example/b?utm_source=rss#top')).toMatchObject({
      failureCount: 2,
    });
    expect(await crawlState.get('https://news.example/c')).toBeUndefined();
  });

  it('keys very long URLs by hash (DynamoDB keys stop at 2 KB)', async () => {
    const { crawlState } = await local.freshStore();
    const url = `https://news.example/${'x'.repeat(4000)}`;
    await crawlState.put({ url, failureCount: 0 });
    expect((await crawlState.get(url))?.url).toBe(url);
  });

  it('rejects an invalid record or URL with a typed error', async () => {
    const { crawlState } = await local.freshStore();
    await expect(crawlState.put({ url: 'https://news.example/d', failureCount: -1 })).rejects.toSatisfy(
      (error) =>
        error instanceof PipelineError && error.code === 'BAD_REQUEST' && /failureCount/.test(error.message),
    );
    await expect(crawlState.get('javascript:alert(1)')).rejects.toSatisfy(
      (error) => error instanceof PipelineError && error.code === 'INVALID_URL',
    );
  });
});

describe('crawl state: queue leases', () => {
  const queuedAt = new Date('2024-05-01T12:00:00.000Z');
  const leaseUntil = new Date('2024-05-01T13:00:00.000Z');

  it('leases an unknown URL with a state every reader accepts', async () => {
    const { crawlState } = await local.freshStore();
    const url = 'https://news.example/new';
    expect(await crawlState.markQueued(url, queuedAt, leaseUntil)).toBe(true);
    expect(await crawlState.get(url)).toEqual({
      url,
      failureCount: 0,
      queuedAt: queuedAt.toISOString(),
      leaseUntil: leaseUntil.toISOString(),
    });
  });

  it('a presumed re-check moves the schedule with its lease, which ends by the next due time; a plain lease or a put clears the presumption', async () => {
    const { crawlState } = await local.freshStore();
    const fetched: CrawlStateRecord = {
      url: 'https://news.example/recheck',
      lastFetchedAt: '2024-05-01T11:00:00.000Z',
      lastOutcome: 'created',
      etag: '"v1"',
      nextDueAt: '2024-05-01T12:00:00.000Z',
      recheckStep: 0,
      failureCount: 0,
    };
    await crawlState.put(fetched);
    const presumed = { nextDueAt: '2024-05-01T12:30:00.000Z', recheckStep: 1 };
    expect(await crawlState.markQueued(fetched.url, queuedAt, leaseUntil, presumed)).toBe(true);
    expect(await crawlState.get(fetched.url)).toEqual({
      ...fetched,
      ...presumed,
      presumedAt: queuedAt.toISOString(),
      queuedAt: queuedAt.toISOString(),
      // The earlier of the lease and the presumed next due time.
      leaseUntil: presumed.nextDueAt,
    });
    const later = new Date('2024-05-01T12:40:00.000Z');
    expect(await crawlState.markQueued(fetched.url, later, new Date('2024-05-01T14:00:00.000Z'))).toBe(true);
    expect((await crawlState.get(fetched.url))?.presumedAt).toBeUndefined();
    expect(
      await crawlState.markQueued(
        fetched.url,
        new Date('2024-05-01T15:00:00.000Z'),
        new Date('2024-05-01T16:00:00.000Z'),
        { nextDueAt: '2024-05-01T21:00:00.000Z', recheckStep: 1 },
      ),
    ).toBe(true);
    // A presumed due time that is not after the queueing is a caller's bug.
    await expect(
      crawlState.markQueued(
        fetched.url,
        new Date('2024-05-01T17:00:00.000Z'),
        new Date('2024-05-01T18:00:00.000Z'),
        presumed,
      ),
    ).rejects.toThrow(/after it is queued/);
    // The last step presumed: the schedule ends (no due time) and the lease ends when the presumption says.
    expect(
      await crawlState.markQueued(
        fetched.url,
        new Date('2024-05-01T21:00:00.000Z'),
        new Date('2024-05-06T21:00:00.000Z'),
        { recheckStep: 3, leaseUntil: '2024-05-02T21:00:00.000Z' },
      ),
    ).toBe(true);
    const last = await crawlState.get(fetched.url);
    expect(last).toMatchObject({ recheckStep: 3, leaseUntil: '2024-05-02T21:00:00.000Z' });
    expect(last?.nextDueAt).toBeUndefined();
    const leased = (await crawlState.get(fetched.url)) as CrawlStateRecord;
    await crawlState.put({ ...leased, lastFetchedAt: '2024-05-01T21:01:00.000Z' });
    const recorded = await crawlState.get(fetched.url);
    expect(recorded?.presumedAt).toBeUndefined();
    expect(recorded?.queuedAt).toBeUndefined();
    expect(recorded?.recheckStep).toBe(3);
  });

  it('adds the lease to an older fetch’s state without touching its outcome, and a fetch’s put ends it', async () => {
    const { crawlState } = await local.freshStore();
    const fetched: CrawlStateRecord = {
      url: 'https://news.example/known',
      lastFetchedAt: '2024-05-01T08:00:00.000Z',
      lastOutcome: 'created',
      etag: '"v1"',
      contentHash: 'c'.repeat(64),
      nextDueAt: '2024-05-01T11:00:00.000Z',
      failureCount: 0,
    };
    await crawlState.put(fetched);
    expect(await crawlState.markQueued(fetched.url, queuedAt, leaseUntil)).toBe(true);
    const leased = await crawlState.get(fetched.url);
    expect(leased).toEqual({
      ...fetched,
      queuedAt: queuedAt.toISOString(),
      leaseUntil: leaseUntil.toISOString(),
    });
    // Ingest writes back what it read plus its outcome: the lease is not kept.
    const unchanged = {
      ...leased,
      url: fetched.url,
      lastFetchedAt: '2024-05-01T12:05:00.000Z',
      failureCount: 0,
    };
    expect(await crawlState.put(unchanged)).toBe(true);
    expect(await crawlState.get(fetched.url)).toEqual({
      ...fetched,
      lastFetchedAt: '2024-05-01T12:05:00.000Z',
    });
  });

  it('never overwrites a newer ingest outcome: no lease when a fetch started after the crawl', async () => {
    const { crawlState } = await local.freshStore();
    const newer: CrawlStateRecord = {
      url: 'https://news.example/fetched-meanwhile',
      lastFetchedAt: '2024-05-01T12:00:00.001Z',
      lastOutcome: 'failed',
      lastErrorCode: 'TIMEOUT',
      nextDueAt: '2024-05-01T12:10:00.000Z',
      failureCount: 3,
    };
    await crawlState.put(newer);
    expect(await crawlState.markQueued(newer.url, queuedAt, leaseUntil)).toBe(false);
    expect(await crawlState.get(newer.url)).toEqual(newer);
  });

  it('a live lease keeps its holder; an expired one can be taken', async () => {
    const { crawlState } = await local.freshStore();
    const url = 'https://news.example/leased';
    expect(await crawlState.markQueued(url, queuedAt, leaseUntil)).toBe(true);
    const beforeExpiry = new Date(leaseUntil.getTime() - 1);
    expect(await crawlState.markQueued(url, beforeExpiry, new Date(beforeExpiry.getTime() + 3_600_000))).toBe(
      false,
    );
    expect((await crawlState.get(url))?.leaseUntil).toBe(leaseUntil.toISOString());
    const later = new Date('2024-05-01T13:00:00.000Z');
    const laterUntil = new Date('2024-05-01T14:00:00.000Z');
    expect(await crawlState.markQueued(url, later, laterUntil)).toBe(true);
    expect(await crawlState.get(url)).toMatchObject({
      queuedAt: later.toISOString(),
      leaseUntil: laterUntil.toISOString(),
    });
  });

  it('a first lease (the look-up found no state) is written only while the URL still has none', async () => {
    const { crawlState } = await local.freshStore();
    const url = 'https://news.example/first';
    expect(await crawlState.markQueued(url, queuedAt, leaseUntil, undefined, undefined, true)).toBe(true);
    expect(await crawlState.get(url)).toEqual({
      url,
      failureCount: 0,
      queuedAt: queuedAt.toISOString(),
      leaseUntil: leaseUntil.toISOString(),
    });
    // A state that appeared since the look-up (even one whose lease has ended) refuses it.
    const later = new Date(leaseUntil.getTime() + 1);
    const laterUntil = new Date(later.getTime() + 3_600_000);
    expect(await crawlState.markQueued(url, later, laterUntil, undefined, undefined, true)).toBe(false);
    expect((await crawlState.get(url))?.queuedAt).toBe(queuedAt.toISOString());
    expect(await crawlState.markQueued(url, later, laterUntil)).toBe(true);
  });

  it('rejects a lease that ends before it starts, or a bad URL, with a typed error and writes nothing', async () => {
    const { crawlState } = await local.freshStore();
    const url = 'https://news.example/backwards';
    await expect(crawlState.markQueued(url, leaseUntil, queuedAt)).rejects.toSatisfy(
      (error) =>
        error instanceof PipelineError && error.code === 'BAD_REQUEST' && /lease/.test(error.message),
    );
    expect(await crawlState.get(url)).toBeUndefined();
    await expect(crawlState.markQueued('javascript:alert(1)', queuedAt, leaseUntil)).rejects.toSatisfy(
      (error) => error instanceof PipelineError && error.code === 'INVALID_URL',
    );
  });
});
