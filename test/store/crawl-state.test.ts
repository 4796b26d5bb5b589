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
