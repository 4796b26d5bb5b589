import { describe, expect, it } from 'vitest';
import { isStoredRepresentation } from '../../lib/core/crawl-policy.ts';
import { extract } from '../../lib/core/extract/index.ts';
import { InProcessEventBus } from '../../lib/events/in-process.ts';
import { createIngestService, type FetchedPage } from '../../lib/handlers/ingest.ts';
import type { ArticleWriter, CrawlStateRecord, CrawlStateStore } from '../../lib/store/types.ts';
import { silentLogger } from './helpers.ts';

const URL_ = 'https://news.example/2026/a-story';
const ETAG = '"5f1c0a"';
const HTML = `<html><head><title>A story</title></head><body><article><h1>A story</h1>${'<p>The council met on Tuesday and agreed the budget after a long debate about the library.</p>'.repeat(6)}</article></body></html>`;

/** The crawl state of a stored article fetched an hour ago with ETAG. */
function storedState(): CrawlStateRecord {
  return {
    url: URL_,
    lastFetchedAt: new Date(Date.now() - 3_600_000).toISOString(),
    lastStatus: 200,
    lastOutcome: 'created',
    etag: ETAG,
    contentHash: 'a'.repeat(64),
    articleId: 'b'.repeat(64),
    pageType: 'article',
    nextDueAt: new Date(Date.now() - 60_000).toISOString(),
    recheckStep: 0,
    failureCount: 0,
  };
}

/** An ingest service over one stored URL whose origin answers `answer`; counts extractions, commits and state writes. */
function recheckService(answer: Partial<FetchedPage>) {
  const counts = { extracted: 0, committed: 0, sentEtag: undefined as string | undefined };
  const writes: CrawlStateRecord[] = [];
  const service = createIngestService({
    fetchPage: async (url, options) => {
      counts.sentEtag = options.validators?.etag;
      return {
        requestedUrl: url,
        url,
        status: 200,
        notModified: false,
        contentType: 'text/html',
        body: new TextEncoder().encode(HTML),
        ...answer,
      };
    },
    extract: (input) => {
      counts.extracted++;
      return extract(input);
    },
    articles: {
      commit: async () => {
        counts.committed++;
        throw new Error('stop after the commit was asked for');
      },
    } as unknown as ArticleWriter,
    crawlState: {
      get: async () => storedState(),
      put: async (state: CrawlStateRecord) => {
        writes.push(state);
        return true;
      },
    } as unknown as CrawlStateStore,
    events: new InProcessEventBus(),
    bucketName: 'bucket',
    logger: silentLogger,
  });
  return { service, counts, writes };
}

describe('a re-check answered 200 with the stored strong ETag', () => {
  it('is recorded as a 304 would be: not extracted, not committed, the state moved to the next step', async () => {
    const { service, counts, writes } = recheckService({ etag: ETAG });
    const outcome = await service.ingest({ url: URL_ });
    expect(outcome.status).toBe('unchanged');
    expect(counts.sentEtag).toBe(ETAG);
    expect(counts).toMatchObject({ extracted: 0, committed: 0 });
    expect(writes).toHaveLength(1);
    expect(writes[0]).toMatchObject({
      lastStatus: 200,
      lastOutcome: 'unchanged',
      etag: ETAG,
      recheckStep: 1,
    });
    expect(writes[0]?.contentHash).toBe('a'.repeat(64));
  });

  it('another ETag, no ETag, or a redirect elsewhere: the page is extracted and committed as before', async () => {
    for (const answer of [
      { etag: '"5f1c0b"' },
      { etag: undefined },
      { etag: ETAG, url: 'https://news.example/moved/a-story' },
    ]) {
      const { service, counts } = recheckService(answer);
      const outcome = await service.ingest({ url: URL_ });
      expect(outcome.status).toBe('failed'); // the stand-in commit throws once it is asked
      expect(counts).toMatchObject({ extracted: 1, committed: 1 });
    }
  });
});

describe('isStoredRepresentation', () => {
  const answer = { status: 200, etag: ETAG, redirected: false };
  it('only a strong ETag equal to the one sent, on a 2xx from the URL asked for', () => {
    expect(isStoredRepresentation(ETAG, answer)).toBe(true);
    expect(isStoredRepresentation(undefined, answer)).toBe(false);
    expect(isStoredRepresentation(ETAG, { ...answer, etag: undefined })).toBe(false);
    expect(isStoredRepresentation(ETAG, { ...answer, etag: '"other"' })).toBe(false);
    expect(isStoredRepresentation(ETAG, { ...answer, redirected: true })).toBe(false);
    expect(isStoredRepresentation(ETAG, { ...answer, status: 203 })).toBe(true);
    expect(isStoredRepresentation(ETAG, { ...answer, status: 404 })).toBe(false);
    // A weak validator promises an equivalent page, not the same bytes.
    expect(isStoredRepresentation('W/"5f1c0a"', { ...answer, etag: 'W/"5f1c0a"' })).toBe(false);
  });
});
