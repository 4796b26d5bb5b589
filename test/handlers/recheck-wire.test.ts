// recheck.bareLease and recheck.fetched: what the crawl writes into a time re-check's message from the state it read
// (bareLeaseOf) and what ingest reads back from it (carriedFetchState), through the JSON and schema of the queue.
import { describe, expect, it } from 'vitest';
import { bareLeaseOf, carriedFetchState, IngestMessage } from '../../lib/queue/types.ts';
import type { CrawlStateRecord } from '../../lib/store/types.ts';

const URL_ = 'https://news.example/2026/harbour-ferry';
const ARTICLE_ID = 'a'.repeat(64);

/** A crawl-state item as the crawl that queues a step reads it: a bare first lease folded with CURRENT's fetch. */
const folded = (fetch: Partial<CrawlStateRecord>): CrawlStateRecord => ({
  url: URL_,
  failureCount: 0,
  queuedAt: '2026-11-01T12:00:00.000Z',
  foldedFirstLease: true,
  indexedFetch: true,
  lastFetchedAt: '2026-11-01T12:00:05.000Z',
  articleId: ARTICLE_ID,
  ...fetch,
});

/** The message the crawl sends, as ingest receives it: JSON over the queue, then the schema. */
function sentAndReceived(state: CrawlStateRecord): IngestMessage {
  const message: IngestMessage = {
    url: URL_,
    discoveredAt: '2026-11-01T11:00:00.000Z',
    recheck: { step: 1, dueAt: '2026-11-01T13:00:00.000Z', ...bareLeaseOf(state) },
  };
  return IngestMessage.parse(JSON.parse(JSON.stringify(message)));
}

/** The fetch fields of a crawl state: what the round trip must give back. */
const FETCH_FIELDS = [
  'lastFetchedAt',
  'lastStatus',
  'lastOutcome',
  'etag',
  'lastModified',
  'contentHash',
  'articleId',
  'pageType',
] as const;
const fetchOf = (state: Partial<CrawlStateRecord>) =>
  Object.fromEntries(FETCH_FIELDS.filter((key) => state[key] !== undefined).map((key) => [key, state[key]]));

describe('a time re-check carries the fetch its crawl read', () => {
  it('gives ingest back every fetch field of the state the crawl read', () => {
    const state = folded({
      lastStatus: 200,
      lastOutcome: 'ingested',
      etag: '"v1-ferry"',
      lastModified: 'Sun, 01 Nov 2026 11:58:00 GMT',
      contentHash: 'b'.repeat(64),
      pageType: 'forum',
    });
    const received = sentAndReceived(state);
    expect(received.recheck?.bareLease).toBe(state.queuedAt);
    const back = carriedFetchState(received.recheck?.fetched);
    expect(fetchOf(back)).toEqual(fetchOf(state));
    // Read back as CURRENT's fetch folded in (foldIndexedFetch), a fetch that did not fail for good.
    expect(back).toMatchObject({ indexedFetch: true, permanentFailure: false });
  });

  it('fills what the state left unsaid as CURRENT means it: status 200, an article', () => {
    const back = carriedFetchState(sentAndReceived(folded({})).recheck?.fetched);
    expect(fetchOf(back)).toEqual({
      lastFetchedAt: '2026-11-01T12:00:05.000Z',
      lastStatus: 200,
      articleId: ARTICLE_ID,
      pageType: 'article',
    });
  });

  it('carries no fetch for a presumed lease (nothing was read) and no lease for an ordinary state', () => {
    const presumed: CrawlStateRecord = {
      url: URL_,
      failureCount: 0,
      queuedAt: '2026-11-01T12:00:00.000Z',
      presumedFirstFetch: true,
    };
    const received = sentAndReceived(presumed);
    expect(received.recheck?.bareLease).toBe(presumed.queuedAt);
    expect(received.recheck?.fetched).toBeUndefined();
    expect(carriedFetchState(received.recheck?.fetched)).toEqual({});
    const { foldedFirstLease: _, ...ordinary } = folded({});
    expect(bareLeaseOf(ordinary)).toEqual({});
    expect(bareLeaseOf(undefined)).toEqual({});
  });

  it('keeps a page type it does not know from reaching the state: read as an article', () => {
    const message = sentAndReceived(folded({}));
    const fetched = { ...message.recheck!.fetched!, pageType: 'recipe' };
    expect(carriedFetchState(fetched).pageType).toBe('article');
  });
});
