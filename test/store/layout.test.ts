import { describe, expect, it } from 'vitest';
import { PipelineError } from '../../lib/core/errors.ts';
import { articleIdForUrl, canonicalizeUrl } from '../../lib/core/url.ts';
import { fitMetadata } from '../../lib/store/aws/articles.ts';
import {
  articleObjectKey,
  batchObjectKeys,
  compactFetch,
  crawlPk,
  daysBetween,
  expandArticleItem,
  FETCH_OUTCOME_ATTR,
  foldIndexedFetch,
  IngestedCursorSchema,
  ingestedShard,
  mayHaveIndexedFetch,
  normalizeTimestamp,
  parseCursor,
  rawObjectKey,
  SiteCursorSchema,
  siteSegment,
  slimArticleAttributes,
  versionSk,
} from '../../lib/store/layout.ts';
import { ARTICLES_TABLE, createTableInput, INGESTED_SHARD_COUNT } from '../../lib/store/table.ts';

const id = articleIdForUrl('https://news.example/a');

describe('S3 object keys', () => {
  it('group by site and first-ingest day, one folder per article, a file per version', () => {
    const parts = {
      site: 'news.example',
      firstIngestedAt: '2024-05-01T23:59:59.999Z',
      id,
      version: 3,
      tag: 'abc',
    };
    expect(articleObjectKey(parts)).toBe(`articles/news.example/2024/05/01/${id}/v3-abc.json`);
    expect(rawObjectKey(parts)).toBe(`raw/news.example/2024/05/01/${id}/v3-abc.html.gz`);
  });

  it('keep site segments to safe characters', () => {
    expect(siteSegment('Localhost:8080')).toBe('localhost_8080');
    expect(siteSegment('xn--bcher-kva.example')).toBe('xn--bcher-kva.example');
  });
});

describe('DynamoDB keys', () => {
  it('sort versions numerically as strings', () => {
    expect(versionSk(9) < versionSk(10)).toBe(true);
  });

  it('spread ids over every ingested shard', () => {
    const counts = new Array<number>(INGESTED_SHARD_COUNT).fill(0);
    for (let n = 0; n < 800; n += 1) {
      const shard = ingestedShard(articleIdForUrl(`https://news.example/${n}`));
      counts[shard] = (counts[shard] ?? 0) + 1;
    }
    for (const count of counts) expect(count).toBeGreaterThan(60);
  });

  it('key crawl state by the canonical URL, so tracking parameters do not split it', () => {
    expect(crawlPk('https://News.Example/a?utm_source=x#top')).toBe(crawlPk('https://news.example/a'));
    expect(crawlPk('https://news.example/a')).not.toBe(crawlPk('https://news.example/b'));
    expect(() => crawlPk('ftp://news.example/a')).toThrow(PipelineError);
  });

  it('lists each UTC day of a range', () => {
    expect(daysBetween('2024-02-28', '2024-03-01')).toEqual(['2024-02-28', '2024-02-29', '2024-03-01']);
    expect(daysBetween('2024-03-02', '2024-03-01')).toEqual([]);
  });
});

describe('the article index item', () => {
  const keys = batchObjectKeys('0b7e4c2a-6f1d-4c3e-9a8b-123456789abc', '2024-05-01T10:00:00.000Z');
  const record = {
    id,
    url: 'https://news.example/a',
    site: 'news.example',
    title: 'A title',
    authors: ['Ann Author'],
    contentHash: 'a'.repeat(64),
    version: 2,
    ingestedAt: '2024-05-01T10:00:00.000Z',
    firstIngestedAt: '2024-04-30T10:00:00.000Z',
    articleKey: keys.articles,
    rawKey: keys.raw,
    articleRange: { offset: 1200, length: 3400 },
    rawRange: { offset: 56000, length: 78000 },
  };

  it('leaves out what its keys already say, and reads back the same', () => {
    const slim = slimArticleAttributes(record);
    for (const name of ['id', 'articleKey', 'rawKey', 'articleRange', 'rawRange']) {
      expect(slim).not.toHaveProperty(name);
    }
    expect(slim).toMatchObject({ batch: '2024/05/01/0b7e4c2a-6f1d-4c3e-9a8b-123456789abc' });
    expect(slim.ranges).toEqual([1200, 3400, 56000, 78000]);
    const stored = { pk: `ARTICLE#${id}`, sk: 'CURRENT', ...slim };
    expect(expandArticleItem(stored)).toEqual({ pk: `ARTICLE#${id}`, sk: 'CURRENT', ...record });
    const full = { pk: stored.pk, sk: stored.sk, ...record };
    expect(JSON.stringify(stored).length).toBeLessThan(JSON.stringify(full).length - 150);
  });

  it('stores the cluster decision as one short string and reads it back', () => {
    const other = 'b'.repeat(64);
    for (const cluster of [
      { id, role: 'representative' as const, similarity: 1 },
      { id: other, role: 'duplicate' as const, similarity: 0.93 },
      { id: other, role: 'related' as const, similarity: 0.714 },
    ]) {
      const slim = slimArticleAttributes({ ...record, cluster });
      expect(typeof slim.cluster).toBe('string');
      expect(expandArticleItem({ pk: `ARTICLE#${id}`, ...slim })).toMatchObject({ id, cluster });
    }
    expect(
      slimArticleAttributes({ ...record, cluster: { id, role: 'representative', similarity: 1 } }).cluster,
    ).toBe('r');
  });

  it('keeps the keys of objects that are not one batch pair (layout 1), and other items as they are', () => {
    const layout1 = {
      ...record,
      articleKey: articleObjectKey({
        site: 'news.example',
        firstIngestedAt: record.firstIngestedAt,
        id,
        version: 2,
        tag: 'abc',
      }),
      rawKey: rawObjectKey({
        site: 'news.example',
        firstIngestedAt: record.firstIngestedAt,
        id,
        version: 2,
        tag: 'abc',
      }),
      articleRange: undefined,
      rawRange: undefined,
    };
    const slim = slimArticleAttributes(layout1);
    expect(slim).toMatchObject({ articleKey: layout1.articleKey, rawKey: layout1.rawKey });
    expect(slim).not.toHaveProperty('batch');
    const crawl = { pk: 'CRAWL#abc', sk: 'STATE', url: 'https://news.example/a' };
    expect(expandArticleItem(crawl)).toBe(crawl);
  });
});

describe('a fetch recorded in the article index item (layout 4)', () => {
  const url = 'https://news.example/a';
  const HOUR = 3_600_000;
  const schedule = [HOUR, 6 * HOUR, 24 * HOUR];
  const lease = {
    url,
    failureCount: 0,
    queuedAt: '2026-05-01T12:00:00.000Z',
    leaseUntil: '2026-05-05T12:16:00.000Z',
  };
  const current = (fields: Record<string, unknown> = {}) => ({
    pk: `ARTICLE#${id}`,
    sk: 'CURRENT',
    version: 1,
    contentHash: 'c'.repeat(64),
    fetchedAt: '2026-05-01T12:01:00.000Z',
    [FETCH_OUTCOME_ATTR]: compactFetch({
      status: 200,
      etag: '"e1"',
      lastModified: 'Fri, 01 May 2026 11:00:00 GMT',
    }),
    ...fields,
  });

  it('is read as the outcome ingest would have written: validators, hash, schedule from step 0, lease ended', () => {
    expect(mayHaveIndexedFetch(lease)).toBe(true);
    expect(foldIndexedFetch(lease, current(), schedule)).toEqual({
      url,
      lastFetchedAt: '2026-05-01T12:01:00.000Z',
      lastStatus: 200,
      lastOutcome: 'created',
      etag: '"e1"',
      lastModified: 'Fri, 01 May 2026 11:00:00 GMT',
      contentHash: 'c'.repeat(64),
      articleId: id,
      pageType: 'article',
      nextDueAt: '2026-05-01T13:01:00.000Z',
      recheckStep: 0,
      failureCount: 0,
      permanentFailure: false,
      queuedAt: lease.queuedAt,
      indexedFetch: true,
    });
    expect(
      foldIndexedFetch(lease, current({ version: 3, pageType: 'forum', fetch: { s: 203 } }), schedule),
    ).toMatchObject({
      lastOutcome: 'updated',
      lastStatus: 203,
      pageType: 'forum',
    });
    expect(foldIndexedFetch(lease, current({ fetch: {} }), schedule).etag).toBeUndefined();
  });

  it('yields to a later fetch the crawl state records, and to items that record no fetch of this URL', () => {
    const fetchedLater = { ...lease, lastFetchedAt: '2026-05-01T12:02:00.000Z', lastOutcome: 'unchanged' };
    expect(mayHaveIndexedFetch(fetchedLater)).toBe(false);
    expect(foldIndexedFetch(fetchedLater, current(), schedule)).toBe(fetchedLater);
    const { [FETCH_OUTCOME_ATTR]: _fetch, ...noFetch } = current();
    expect(foldIndexedFetch(lease, noFetch, schedule)).toBe(lease);
    expect(foldIndexedFetch(lease, current({ pk: `ARTICLE#${'0'.repeat(64)}` }), schedule)).toBe(lease);
    expect(foldIndexedFetch(lease, undefined, schedule)).toBe(lease);
    expect(mayHaveIndexedFetch({ url, failureCount: 0 })).toBe(false);
    // A page whose canonical URL is another's: its outcomes are written, never recorded by its article's commit.
    const elsewhere = {
      ...fetchedLater,
      lastFetchedAt: '2026-05-01T11:00:00.000Z',
      articleId: '0'.repeat(64),
    };
    expect(mayHaveIndexedFetch(elsewhere)).toBe(false);
    expect(mayHaveIndexedFetch({ ...elsewhere, articleId: id })).toBe(true);
  });

  it('keeps a lease a crawl took after that fetch, and the schedule its presumed re-check moved on', () => {
    const presumed = {
      ...lease,
      queuedAt: '2026-05-01T13:02:00.000Z',
      leaseUntil: '2026-05-01T19:02:00.000Z',
      presumedAt: '2026-05-01T13:02:00.000Z',
      nextDueAt: '2026-05-01T19:02:00.000Z',
      recheckStep: 1,
    };
    expect(foldIndexedFetch(presumed, current(), schedule)).toMatchObject({
      lastOutcome: 'created',
      queuedAt: presumed.queuedAt,
      leaseUntil: presumed.leaseUntil,
      presumedAt: presumed.presumedAt,
      nextDueAt: presumed.nextDueAt,
      recheckStep: 1,
    });
  });

  it('leaves out validators longer than crawl state keeps, and the status when it is 200', () => {
    expect(compactFetch({ status: 200, etag: `"${'x'.repeat(2000)}"` })).toEqual({});
    expect(compactFetch({ status: 203, lastModified: 'Fri, 01 May 2026 11:00:00 GMT' })).toEqual({
      s: 203,
      m: 'Fri, 01 May 2026 11:00:00 GMT',
    });
  });
});

describe('cursors', () => {
  it('accept exactly the fields of their listing', () => {
    const cursor = { ingestedAt: '2024-05-01T09:30:00.000Z', id };
    expect(parseCursor(IngestedCursorSchema, cursor)).toEqual(cursor);
  });

  it.each([
    ['an extra field', { ingestedAt: '2024-05-01T09:30:00.000Z', id, pk: 'ARTICLE#x' }],
    ['an expression in a value', { ingestedAt: '2024-05-01T09:30:00.000Z OR 1=1', id }],
    ['a short id', { ingestedAt: '2024-05-01T09:30:00.000Z', id: 'abc' }],
    ['a number for a date', { ingestedAt: 5, id }],
    ['the other listing’s cursor', { date: '2024-05-01T09:30:00.000Z', id }],
  ])('reject %s with BAD_REQUEST', (_name, cursor) => {
    try {
      parseCursor(IngestedCursorSchema, cursor);
      expect.unreachable('cursor accepted');
    } catch (error) {
      expect(error).toBeInstanceOf(PipelineError);
      expect((error as PipelineError).code).toBe('BAD_REQUEST');
    }
    expect(() => parseCursor(SiteCursorSchema, { ...cursor, extra: 1 })).toThrow(/invalid cursor/);
  });
});

describe('timestamps from callers', () => {
  it('are normalized to UTC milliseconds so string order is time order', () => {
    expect(normalizeTimestamp('2024-05-01T11:30:00+02:00', 'from')).toBe('2024-05-01T09:30:00.000Z');
  });

  it('are rejected when not ISO 8601', () => {
    expect(() => normalizeTimestamp('yesterday', 'since')).toThrow(/since must be an ISO 8601 timestamp/);
  });
});

describe('S3 metadata', () => {
  it('stays ASCII and under the 2 KB limit, keeping the first fields', () => {
    const metadata = fitMetadata({
      status: '200',
      title: 'Ünïcode',
      url: `https://news.example/${'a'.repeat(3000)}`,
      etag: '"x"',
    });
    expect(metadata).toEqual({ status: '200', title: encodeURI('Ünïcode'), etag: '"x"' });
  });
});

describe('table definition', () => {
  it('produces a CreateTable request with every key attribute defined once', () => {
    const input = createTableInput('t');
    expect(input.TableName).toBe('t');
    expect(input.BillingMode).toBe('PAY_PER_REQUEST');
    expect(input.AttributeDefinitions?.map((attr) => attr.AttributeName).sort()).toEqual(
      ['gsi1pk', 'gsi1sk', 'gsi2pk', 'gsi2sk', 'gsi3pk', 'gsi3sk', 'pk', 'sk'].sort(),
    );
    expect(input.GlobalSecondaryIndexes?.map((index) => index.IndexName)).toEqual(
      ARTICLES_TABLE.globalSecondaryIndexes.map((index) => index.indexName),
    );
  });
});

it('an article found by URL is a get by id: the id is the hash of the canonical URL', () => {
  expect(articleIdForUrl(canonicalizeUrl('https://NEWS.example/a?utm_medium=x'))).toBe(id);
});
