import {
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  PutObjectCommand,
} from '@aws-sdk/client-s3';
import {
  DeleteCommand,
  DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
} from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import { WARCParser } from 'warcio';
import type { Article } from '../../lib/core/article.ts';
import { PipelineError } from '../../lib/core/errors.ts';
import { articleIdForUrl, canonicalizeUrl } from '../../lib/core/url.ts';
import { type ByteRange, ingestedShard, rangeHeader } from '../../lib/store/layout.ts';
import type { ArticleRecord, StoreCursor } from '../../lib/store/types.ts';
import { useLocalServers } from '../helpers/local-servers.ts';
import { makeArticle, makeRaw, manualClock } from './fixtures.ts';

const local = useLocalServers();

async function expectPipelineError(promise: Promise<unknown>, code: string): Promise<PipelineError> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(PipelineError);
    expect((error as PipelineError).code).toBe(code);
    return error as PipelineError;
  }
  throw new Error(`expected a PipelineError ${code}`);
}

describe('commit', () => {
  it('creates, then reports the same content as unchanged, then a change as version 2', async () => {
    const store = await local.freshStore();
    const v1 = makeArticle({ url: 'https://news.example/story', text: 'First telling.' });

    const created = await store.articles.commit(v1, makeRaw(v1));
    expect(created.status).toBe('created');
    expect(created.record).toMatchObject({ id: v1.id, version: 1, site: 'news.example', title: v1.title });

    const again = await store.articles.commit({ ...v1, extractedAt: new Date().toISOString() }, makeRaw(v1));
    expect(again.status).toBe('unchanged');
    expect(again.record).toEqual(created.record);
    expect(await store.articles.listVersions(v1.id)).toHaveLength(1);

    const v2 = makeArticle({ url: v1.url, text: 'Second telling, corrected.' });
    const updated = await store.articles.commit(v2, makeRaw(v2));
    expect(updated.status).toBe('updated');
    expect(updated.record.version).toBe(2);
    expect(updated.record.firstIngestedAt).toBe(created.record.firstIngestedAt);
    expect(updated.record.articleKey).not.toBe(created.record.articleKey);

    // Both versions stay readable: the previous one is kept in S3.
    expect((await store.articles.getArticle(v1.id))?.content.text).toBe('Second telling, corrected.');
    expect((await store.articles.getArticle(v1.id, 1))?.content.text).toBe('First telling.');
    expect((await store.articles.getArticle(v1.id, 2))?.content.text).toBe('Second telling, corrected.');
    expect(await store.articles.getArticle(v1.id, 3)).toBeUndefined();
    const versions = await store.articles.listVersions(v1.id);
    expect(versions.map((version) => [version.version, version.contentHash])).toEqual([
      [1, v1.contentHash],
      [2, v2.contentHash],
    ]);
  });

  it('a first fetch puts without reading first; an item already there still gets the usual outcome', async () => {
    const store = await local.freshStore();
    const firstFetch = { firstFetch: true };
    const v1 = makeArticle({ url: 'https://news.example/first-fetch', text: 'First telling.' });
    const created = await store.articles.commit(v1, makeRaw(v1), firstFetch);
    expect(created).toMatchObject({ status: 'created', record: { version: 1 } });
    // The hint is wrong here (a message handled twice, a page of another URL that names this one as canonical):
    // the refused put sends the commit round again, reading the item.
    const again = await store.articles.commit(v1, makeRaw(v1), firstFetch);
    expect(again.status).toBe('unchanged');
    expect(again.record).toEqual(created.record);
    const v2 = makeArticle({ url: v1.url, text: 'Second telling, corrected.' });
    const updated = await store.articles.commit(v2, makeRaw(v2), firstFetch);
    expect(updated.record).toMatchObject({ version: 2, firstIngestedAt: created.record.firstIngestedAt });
    expect((await store.articles.listVersions(v1.id)).map((version) => version.contentHash)).toEqual([
      v1.contentHash,
      v2.contentHash,
    ]);
  });

  it('gets by id, and by URL through the id (sha256 of the canonical URL)', async () => {
    const store = await local.freshStore();
    const article = makeArticle({
      url: 'https://news.example/by-url',
      publishedAt: '2024-05-01T09:30:00.000Z',
    });
    await store.articles.commit(article, makeRaw(article));

    const byUrl = await store.articles.getRecord(
      articleIdForUrl(canonicalizeUrl('https://NEWS.example/by-url?utm_source=feed#comments')),
    );
    expect(byUrl).toMatchObject({
      id: article.id,
      url: article.url,
      authors: ['Ada Writer'],
      publishedAt: '2024-05-01T09:30:00.000Z',
      language: 'en',
      contentHash: article.contentHash,
    });
    expect(await store.articles.getArticle(article.id)).toEqual(article);
    expect(await store.articles.getRecord(articleIdForUrl('https://news.example/never'))).toBeUndefined();
    expect(await store.articles.getRecord('not-an-id')).toBeUndefined();
  });

  it('stores the raw page as a WARC response record, one gzip member of the batch object, that warcio reads', async () => {
    const store = await local.freshStore();
    const article = makeArticle({ url: 'https://news.example/raw' });
    const html = '<html><body><p>Ünïcode body</p></body></html>';
    const { record } = await store.articles.commit(article, makeRaw(article, html));

    expect(record.rawKey).toMatch(/^raw\/\d{4}\/\d{2}\/\d{2}\/[0-9a-f-]{36}\.warc\.gz$/);
    expect(record.articleKey).toMatch(/^articles\/\d{4}\/\d{2}\/\d{2}\/[0-9a-f-]{36}\.jsonl\.gz$/);
    expect(record.rawRange?.offset).toBe(0);
    const raw = await store.s3.send(
      new GetObjectCommand({
        Bucket: store.bucketName,
        Key: record.rawKey,
        Range: rangeHeader(record.rawRange as ByteRange),
      }),
    );
    const member = (await raw.Body?.transformToByteArray()) ?? new Uint8Array();
    expect(member.byteLength).toBe(record.rawRange?.length);
    const records = [];
    for await (const warc of WARCParser.iterRecords([member])) {
      records.push({
        type: warc.warcType,
        uri: warc.warcTargetURI,
        status: warc.httpHeaders?.statusCode,
        text: await warc.contentText(),
      });
      expect(warc.warcHeader('WARC-Article-Id')).toBe(article.id);
      expect(warc.httpHeaders?.headers.get('etag')).toBe('"abc123"');
    }
    expect(records).toEqual([{ type: 'response', uri: article.url, status: 200, text: html }]);
    expect(raw.ContentEncoding).toBeUndefined(); // ranged reads must get the gzip member itself
  });

  it('writes a group of commits as two objects, each article a byte range of them', async () => {
    const dynamodb = local.dynamoDbClient();
    const s3 = local.s3Client();
    const puts: string[] = [];
    s3.middlewareStack.add(
      (next, context) => async (args) => {
        if (context.commandName === 'PutObjectCommand') puts.push((args.input as { Key: string }).Key);
        return next(args);
      },
      { step: 'initialize', name: 'recordKeys' },
    );
    const store = await local.freshStore({ dynamodb, s3 });
    const known = makeArticle({ url: 'https://news.example/known' });
    await store.articles.commit(known, makeRaw(known));
    puts.length = 0;
    const group = store.articles.group(4);
    const members = [group.member(), group.member(), group.member(), group.member()];
    const fresh = [1, 2].map((n) =>
      makeArticle({ url: `https://news.example/batch-${n}`, text: `Story ${n}.` }),
    );
    const results = await Promise.all([
      members[0]?.commit(fresh[0] as Article, makeRaw(fresh[0] as Article)),
      members[1]?.commit(fresh[1] as Article, makeRaw(fresh[1] as Article)),
      members[2]?.commit(known, makeRaw(known)), // unchanged: needs no objects
      Promise.resolve(members[3]?.leave()), // a record that never reached a commit
    ]);
    expect(results.slice(0, 3).map((result) => result?.status)).toEqual(['created', 'created', 'unchanged']);
    expect(puts).toHaveLength(2);
    const [first, second] = [results[0]?.record, results[1]?.record];
    expect(second?.articleKey).toBe(first?.articleKey);
    // Adjacent gzip members of the one object, in whichever order the commits parked.
    const [low, high] = [first?.articleRange, second?.articleRange].sort(
      (x, y) => (x?.offset ?? 0) - (y?.offset ?? 0),
    );
    expect(low?.offset).toBe(0);
    expect(high?.offset).toBe((low?.offset ?? 0) + (low?.length ?? 0));
    for (const article of fresh) expect(await store.articles.getArticle(article.id)).toEqual(article);
  });

  it('still serves articles stored one object each (layout 1)', async () => {
    const store = await local.freshStore();
    const article = makeArticle({ url: 'https://news.example/layout-1' });
    const { record } = await store.articles.commit(article, makeRaw(article));
    // Rewrite the index item the way layout 1 stored it: its own object, no range.
    const key = `articles/news.example/2024/01/01/${article.id}/v1-000000000000.json`;
    await store.s3.send(
      new PutObjectCommand({ Bucket: store.bucketName, Key: key, Body: JSON.stringify(article) }),
    );
    const documents = DynamoDBDocumentClient.from(local.dynamoDbClient());
    const item =
      (
        await documents.send(
          new GetCommand({ TableName: store.tableName, Key: { pk: `ARTICLE#${article.id}`, sk: 'CURRENT' } }),
        )
      ).Item ?? {};
    const { articleRange: _a, rawRange: _r, batch: _b, ranges: _rs, ...layout1 } = item;
    await documents.send(
      new PutCommand({
        TableName: store.tableName,
        Item: { ...layout1, articleKey: key, rawKey: key.replace('articles/', 'raw/') },
      }),
    );
    expect((await store.articles.getRecord(article.id))?.articleKey).toBe(key);
    expect(await store.articles.getArticle(article.id)).toEqual(article);
    expect(record.version).toBe(1);
  });

  it('files each version under its commit date; every version stays readable', async () => {
    const clock = manualClock('2024-05-01T23:00:00.000Z');
    const store = await local.freshStore({ clock: clock.now, sinceFeedSettleMs: 0 });
    const v1 = makeArticle({
      url: 'https://dated.example/a',
      text: 'one',
      publishedAt: '2024-04-30T10:00:00.000Z',
    });
    const first = await store.articles.commit(v1, makeRaw(v1));
    clock.advance(3 * 86_400_000);
    const v2 = makeArticle({ url: v1.url, text: 'two', publishedAt: '2024-05-03T10:00:00.000Z' });
    const second = await store.articles.commit(v2, makeRaw(v2));
    expect(first.record.articleKey).toMatch(/^articles\/2024\/05\/01\//);
    expect(second.record.articleKey).toMatch(/^articles\/2024\/05\/04\//);
    expect(second.record.rawKey).toMatch(/^raw\/2024\/05\/04\//);
    expect(second.record.firstIngestedAt).toBe('2024-05-01T23:00:00.000Z');
    expect(second.record.ingestedAt).toBe('2024-05-04T23:00:00.000Z');
    expect((await store.articles.getArticle(v1.id, 1))?.content.text).toBe(v1.content.text);
    expect((await store.articles.getArticle(v1.id, 2))?.content.text).toBe(v2.content.text);
  });

  it('reports an index entry whose S3 object is gone as an INTERNAL storage fault', async () => {
    const store = await local.freshStore();
    const article = makeArticle({ url: 'https://news.example/vanished' });
    const { record } = await store.articles.commit(article, makeRaw(article));
    await store.s3.send(new DeleteObjectCommand({ Bucket: store.bucketName, Key: record.articleKey }));
    const error = await expectPipelineError(store.articles.getArticle(article.id), 'INTERNAL');
    expect(error.message).toContain(record.articleKey);
  });

  it('rejects an invalid article with SCHEMA_VIOLATION and writes nothing', async () => {
    const store = await local.freshStore();
    const article = makeArticle({ url: 'https://news.example/invalid' });
    await expectPipelineError(
      store.articles.commit({ ...article, title: '' }, makeRaw(article)),
      'SCHEMA_VIOLATION',
    );
    const wrongId = makeArticle({ url: 'https://news.example/other' }).id;
    await expectPipelineError(
      store.articles.commit({ ...article, id: wrongId }, makeRaw(article)),
      'SCHEMA_VIOLATION',
    );
    expect(await store.articles.getRecord(article.id)).toBeUndefined();
    expect(await store.articles.getRecord(wrongId)).toBeUndefined();
  });
});

describe('races between workers on one URL', () => {
  it('keeps both versions when two different contents commit at once', async () => {
    const store = await local.freshStore();
    const url = 'https://news.example/race';
    const texts = ['Worker A saw this.', 'Worker B saw that.'];
    const fetchedAt = new Date().toISOString(); // both fetched at the same instant: neither copy is older
    const results = await Promise.all(
      texts.map((text) => {
        const article = makeArticle({ url, text });
        return store.articles.commit(article, makeRaw(article, undefined, fetchedAt));
      }),
    );

    expect(results.map((result) => result.status).sort()).toEqual(['created', 'updated']);
    const versions = await store.articles.listVersions(articleIdForUrl(url));
    expect(versions.map((version) => version.version)).toEqual([1, 2]);
    const stored = await Promise.all(
      versions.map(
        async (version) => (await store.articles.getArticle(version.id, version.version))?.content.text,
      ),
    );
    expect(stored.sort()).toEqual([...texts].sort());
  });

  it('makes one version when the same content commits at once', async () => {
    const store = await local.freshStore();
    const article = makeArticle({ url: 'https://news.example/same', text: 'Identical.' });
    const results = await Promise.all(
      Array.from({ length: 4 }, (_, n) =>
        store.articles.commit(
          { ...article, extractedAt: new Date(Date.now() + n).toISOString() },
          makeRaw(article),
        ),
      ),
    );
    expect(results.map((result) => result.status).sort()).toEqual([
      'created',
      'unchanged',
      'unchanged',
      'unchanged',
    ]);
    expect(await store.articles.listVersions(article.id)).toHaveLength(1);
  });

  it('reports one created and the rest unchanged when byte-identical articles commit at once', async () => {
    // Identical JSON means identical object keys: only the commit itself can tell the winner from the losers.
    const store = await local.freshStore();
    const article = makeArticle({
      url: 'https://news.example/twins',
      extractedAt: '2024-05-01T10:00:00.000Z',
    });
    const results = await Promise.all(
      Array.from({ length: 3 }, () => store.articles.commit(article, makeRaw(article))),
    );
    expect(results.map((result) => result.status).sort()).toEqual(['created', 'unchanged', 'unchanged']);
    expect(await store.articles.listVersions(article.id)).toHaveLength(1);
  });

  it('still reports its own commit as created when the first response was lost and the SDK retried', async () => {
    const dynamodb = local.dynamoDbClient();
    let lost = 0;
    // The PutItem reaches the server and succeeds, but the worker never hears back; the retry finds the item.
    dynamodb.middlewareStack.add(
      (next) => async (args) => {
        const result = await next(args);
        if (lost === 0 && isCommitOf(args.input)) {
          lost += 1;
          throw Object.assign(new Error('The conditional request failed'), {
            name: 'ConditionalCheckFailedException',
          });
        }
        return result;
      },
      { step: 'initialize', name: 'loseCommitResponse' },
    );
    const store = await local.freshStore({ dynamodb });
    const article = makeArticle({ url: 'https://news.example/lost-response' });
    const result = await store.articles.commit(article, makeRaw(article));
    expect(lost).toBe(1);
    expect(result.status).toBe('created');
    expect(result.record.version).toBe(1);
  });

  it('does not let a copy fetched earlier supersede a version fetched later (a slow worker commits last)', async () => {
    const store = await local.freshStore();
    const url = 'https://news.example/slow-worker';
    const newer = makeArticle({ url, text: 'The corrected story.' });
    const older = makeArticle({ url, text: 'The first draft.' });
    await store.articles.commit(newer, makeRaw(newer, undefined, '2024-05-01T10:00:05.000Z'));

    const late = await store.articles.commit(older, makeRaw(older, undefined, '2024-05-01T10:00:01.000Z'));
    expect(late.status).toBe('unchanged');
    expect(late.record).toMatchObject({ version: 1, contentHash: newer.contentHash });
    expect(await store.articles.listVersions(newer.id)).toHaveLength(1);
    expect((await store.articles.getArticle(newer.id))?.content.text).toBe('The corrected story.');

    // A later fetch with that text is a real change.
    const refetched = await store.articles.commit(
      older,
      makeRaw(older, undefined, '2024-05-01T10:00:09.000Z'),
    );
    expect(refetched).toMatchObject({ status: 'updated', record: { version: 2 } });
  });

  it('loses no update among many concurrent writers', async () => {
    const store = await local.freshStore({ maxCommitAttempts: 20 });
    const url = 'https://news.example/stampede';
    const texts = Array.from({ length: 6 }, (_, n) => `Edition ${n}.`);
    const fetchedAt = new Date().toISOString();
    await Promise.all(
      texts.map((text) => {
        const article = makeArticle({ url, text });
        return store.articles.commit(article, makeRaw(article, undefined, fetchedAt));
      }),
    );
    const versions = await store.articles.listVersions(articleIdForUrl(url));
    expect(versions.map((version) => version.version)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(new Set(versions.map((version) => version.contentHash)).size).toBe(6);
  });
});

describe('a crash between S3 and DynamoDB', () => {
  it('leaves no visible article, and a retry repairs it', async () => {
    const dynamodb = local.dynamoDbClient();
    const s3 = local.s3Client();
    let failCommit = true;
    // Fault injection on the real client (not a mock): the commit point write dies as if the worker crashed.
    dynamodb.middlewareStack.add(
      (next) => async (args) => {
        if (failCommit && isCommitOf(args.input)) throw new Error('worker crashed');
        return next(args);
      },
      { step: 'initialize', name: 'crashBeforeCommit' },
    );
    const written: string[] = [];
    s3.middlewareStack.add(
      (next, context) => async (args) => {
        if (context.commandName === 'PutObjectCommand') written.push((args.input as { Key: string }).Key);
        return next(args);
      },
      { step: 'initialize', name: 'recordKeys' },
    );
    const clock = manualClock('2024-05-01T10:00:00.000Z');
    const store = await local.freshStore({ dynamodb, s3, clock: clock.now, sinceFeedSettleMs: 0 });
    const article = makeArticle({
      url: 'https://news.example/crash',
      publishedAt: '2024-05-01T09:00:00.000Z',
    });

    await expect(store.articles.commit(article, makeRaw(article))).rejects.toThrow(/worker crashed/);
    expect(written).toHaveLength(2); // the S3 objects were written first...
    // ...but nothing is visible through any access pattern.
    expect(await store.articles.getRecord(article.id)).toBeUndefined();
    expect(await store.articles.getArticle(article.id)).toBeUndefined();
    expect(await store.articles.listVersions(article.id)).toEqual([]);
    expect((await store.articles.listBySite({ site: 'news.example', limit: 10 })).items).toEqual([]);
    clock.advance(1000);
    const since = await store.articles.listIngestedSince({ since: '2024-05-01T00:00:00.000Z', limit: 10 });
    expect(since.items).toEqual([]);

    failCommit = false;
    const retried = await store.articles.commit(article, makeRaw(article));
    expect(retried.status).toBe('created');
    expect(retried.record.version).toBe(1);
    expect(await store.articles.getArticle(article.id)).toEqual(article);
    // The retry wrote a new pair of batch objects; the first pair is an orphan nothing references.
    expect(written).toHaveLength(4);
    expect(written.slice(2)).not.toContain(retried.record.articleKey === written[0] ? '' : written[0]);
    expect([retried.record.articleKey, retried.record.rawKey].sort()).toEqual(written.slice(2).sort());
  });

  it('keeps an orphaned object from ever being served when another version commits', async () => {
    const store = await local.freshStore();
    const article = makeArticle({ url: 'https://news.example/orphan', text: 'The real one.' });
    const { record } = await store.articles.commit(article, makeRaw(article));
    // A batch object a crashed worker left behind on the same day: never referenced.
    const orphanKey = record.articleKey.replace(
      /[0-9a-f-]{36}\.jsonl\.gz$/,
      '00000000-0000-0000-0000-000000000000.jsonl.gz',
    );
    await store.s3.send(new PutObjectCommand({ Bucket: store.bucketName, Key: orphanKey, Body: '{}' }));
    await store.s3.send(new HeadObjectCommand({ Bucket: store.bucketName, Key: orphanKey }));
    expect((await store.articles.getArticle(article.id, 1))?.content.text).toBe('The real one.');
  });
});

describe('listBySite', () => {
  async function seedSite(count: number) {
    const store = await local.freshStore();
    const records: ArticleRecord[] = [];
    for (let n = 0; n < count; n += 1) {
      const publishedAt = new Date(Date.UTC(2024, 0, 1 + n, 8)).toISOString();
      const article = makeArticle({ url: `https://site.example/post-${n}`, publishedAt });
      records.push((await store.articles.commit(article, makeRaw(article))).record);
    }
    // Noise on another site that must never appear.
    const other = makeArticle({ url: 'https://other.example/post', publishedAt: '2024-01-05T08:00:00.000Z' });
    await store.articles.commit(other, makeRaw(other));
    return { store, records };
  }

  it('lists a site newest first, every article exactly once across pages', async () => {
    const { store, records } = await seedSite(11);
    const seen: string[] = [];
    let after: StoreCursor | undefined;
    let pages = 0;
    do {
      const page = await store.articles.listBySite({ site: 'site.example', limit: 4, after });
      seen.push(...page.items.map((item) => item.publishedAt ?? ''));
      after = page.cursor;
      pages += 1;
    } while (after);
    expect(pages).toBe(3);
    expect(seen).toEqual(records.map((record) => record.publishedAt).reverse());
  });

  it('honours inclusive from/to bounds on the publication date', async () => {
    const { store } = await seedSite(6);
    const page = await store.articles.listBySite({
      site: 'site.example',
      from: '2024-01-02T08:00:00.000Z',
      to: '2024-01-04T08:00:00.000Z',
      limit: 10,
    });
    expect(page.items.map((item) => item.publishedAt)).toEqual([
      '2024-01-04T08:00:00.000Z',
      '2024-01-03T08:00:00.000Z',
      '2024-01-02T08:00:00.000Z',
    ]);
    expect(page.cursor).toBeUndefined();
    const paged = await store.articles.listBySite({
      site: 'site.example',
      from: '2024-01-02T08:00:00.000Z',
      to: '2024-01-04T08:00:00.000Z',
      limit: 2,
    });
    const rest = await store.articles.listBySite({
      site: 'site.example',
      from: '2024-01-02T08:00:00.000Z',
      to: '2024-01-04T08:00:00.000Z',
      limit: 2,
      after: paged.cursor,
    });
    expect([...paged.items, ...rest.items].map((item) => item.publishedAt)).toEqual(
      page.items.map((item) => item.publishedAt),
    );
    expect(rest.cursor).toBeUndefined();
  });

  it('rejects a tampered cursor and bad bounds with BAD_REQUEST', async () => {
    const { store } = await seedSite(3);
    const page = await store.articles.listBySite({ site: 'site.example', limit: 1 });
    expect(page.cursor).toBeDefined();
    const tampered = { ...page.cursor, date: `${String(page.cursor?.date)}' OR 'a'='a` };
    await expectPipelineError(
      store.articles.listBySite({ site: 'site.example', limit: 1, after: tampered }),
      'BAD_REQUEST',
    );
    await expectPipelineError(
      store.articles.listBySite({ site: 'site.example', limit: 1, after: { ...page.cursor, pk: 'CRAWL#x' } }),
      'BAD_REQUEST',
    );
    await expectPipelineError(store.articles.listBySite({ site: 'site.example', limit: 0 }), 'BAD_REQUEST');
    await expectPipelineError(
      store.articles.listBySite({ site: 'site.example', limit: 5, from: 'soon' }),
      'BAD_REQUEST',
    );
  });

  it('sorts articles without a publication date by their first-ingest date', async () => {
    const store = await local.freshStore({ clock: manualClock('2030-01-01T00:00:00.000Z').now });
    const dated = makeArticle({ url: 'https://undated.example/a', publishedAt: '2024-01-01T00:00:00.000Z' });
    const undated = makeArticle({ url: 'https://undated.example/b' });
    await store.articles.commit(dated, makeRaw(dated));
    await store.articles.commit(undated, makeRaw(undated));
    const page = await store.articles.listBySite({ site: 'undated.example', limit: 10 });
    expect(page.items.map((item) => item.id)).toEqual([undated.id, dated.id]);
  });
});

describe('listIngestedSince', () => {
  it('merges every shard of every day in (ingestedAt, id) order, each item once across pages', async () => {
    const clock = manualClock('2024-05-01T22:00:00.000Z');
    const store = await local.freshStore({ clock: clock.now, sinceFeedSettleMs: 0 });
    // 30 articles over three days; several share a millisecond, so the id breaks ties.
    const committed: ArticleRecord[] = [];
    for (let n = 0; n < 30; n += 1) {
      if (n % 3 === 0) clock.advance(60 * 60 * 1000);
      const article = makeArticle({ url: `https://feed.example/${n}` });
      committed.push((await store.articles.commit(article, makeRaw(article))).record);
    }
    const days = new Set(committed.map((record) => record.ingestedAt.slice(0, 10)));
    expect(days.size).toBe(2);
    clock.advance(1000);

    const seen: ArticleRecord[] = [];
    let after: StoreCursor | undefined;
    do {
      const page = await store.articles.listIngestedSince({
        since: '2024-05-01T00:00:00.000Z',
        limit: 7,
        after,
      });
      expect(page.items.length).toBeLessThanOrEqual(7);
      seen.push(...page.items);
      after = page.cursor;
    } while (after);

    const expected = [...committed].sort((a, b) =>
      a.ingestedAt === b.ingestedAt ? (a.id < b.id ? -1 : 1) : a.ingestedAt < b.ingestedAt ? -1 : 1,
    );
    expect(seen.map((record) => record.id)).toEqual(expected.map((record) => record.id));

    const since = committed[20]?.ingestedAt ?? '';
    const later = await store.articles.listIngestedSince({ since, limit: 100 });
    expect(later.items.map((record) => record.id)).toEqual(
      expected.filter((record) => record.ingestedAt >= since).map((record) => record.id),
    );
    expect(later.cursor).toBeUndefined();
    expect(later.resume).toEqual({ ingestedAt: expected.at(-1)?.ingestedAt, id: expected.at(-1)?.id });
  });

  it('skips empty days: a far-past since costs one query per shard of each day that has commits', async () => {
    const clock = manualClock('2024-03-01T12:00:00.000Z');
    const dynamodb = local.dynamoDbClient();
    let queries = 0;
    dynamodb.middlewareStack.add(
      (next, context) => async (args) => {
        if (context.commandName === 'QueryCommand') queries += 1;
        return next(args);
      },
      { step: 'initialize', name: 'countQueries' },
    );
    const store = await local.freshStore({ dynamodb, clock: clock.now, sinceFeedSettleMs: 0 });
    const article = makeArticle({ url: 'https://sparse.example/only' });
    await store.articles.commit(article, makeRaw(article));
    clock.advance(1000);
    const page = await store.articles.listIngestedSince({ since: '2000-01-01T00:00:00.000Z', limit: 10 });
    expect(page.items.map((item) => item.id)).toEqual([article.id]);
    // The days, the day's byIngested shards (items of layouts 1 and 2) and its batch feed items.
    expect(queries).toBe(1 + 8 + 1);
  });

  it('lists a batch under one feed item, writing no byIngested copy, and skips entries whose commit never landed', async () => {
    const clock = manualClock('2024-07-01T10:00:00.000Z');
    const store = await local.freshStore({ clock: clock.now, sinceFeedSettleMs: 0 });
    const documents = DynamoDBDocumentClient.from(store.dynamodb);
    const group = store.articles.group(3);
    const batch = [1, 2, 3].map((n) => makeArticle({ url: `https://feed.example/batch-${n}` }));
    await Promise.all(batch.map((article) => group.member().commit(article, makeRaw(article))));
    const feed = await documents.send(
      new QueryCommand({
        TableName: store.tableName,
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': 'FEED#2024-07-01' },
      }),
    );
    expect(feed.Items).toHaveLength(1);
    expect([...(feed.Items?.[0]?.ids ?? [])].sort()).toEqual(batch.map((a) => a.id).sort());
    const current = await documents.send(
      new GetCommand({ TableName: store.tableName, Key: { pk: `ARTICLE#${batch[0]?.id}`, sk: 'CURRENT' } }),
    );
    expect(current.Item?.gsi2pk).toBeUndefined();
    // A batch whose commit never landed (a crash after its feed item): its entry is skipped.
    const lost = makeArticle({ url: 'https://feed.example/lost' });
    await documents.send(
      new PutCommand({
        TableName: store.tableName,
        Item: { pk: 'FEED#2024-07-01', sk: '2024-07-01T10:00:00.000Z#lost-batch', ids: [lost.id] },
      }),
    );
    clock.advance(1000);
    const page = await store.articles.listIngestedSince({ since: '2024-07-01T00:00:00.000Z', limit: 10 });
    expect(page.items.map((item) => item.id)).toEqual(batch.map((a) => a.id).sort());
  });

  it('merges the items an earlier layout indexed in byIngested with the feed items, in one order', async () => {
    const clock = manualClock('2024-07-02T10:00:00.000Z');
    const store = await local.freshStore({ clock: clock.now, sinceFeedSettleMs: 0 });
    const documents = DynamoDBDocumentClient.from(store.dynamodb);
    const committed: ArticleRecord[] = [];
    for (let n = 0; n < 6; n += 1) {
      clock.advance(1000);
      const article = makeArticle({ url: `https://mixed.example/${n}` });
      const { record } = await store.articles.commit(article, makeRaw(article));
      committed.push(record);
    }
    // Every other article as an ingest of the previous release stored it: in the byIngested index, in no feed item.
    const legacy = committed.filter((_, n) => n % 2 === 0);
    for (const record of legacy) {
      const key = { pk: `ARTICLE#${record.id}`, sk: 'CURRENT' };
      const { Item } = await documents.send(new GetCommand({ TableName: store.tableName, Key: key }));
      await documents.send(
        new PutCommand({
          TableName: store.tableName,
          Item: {
            ...Item,
            gsi2pk: `INGESTED#2024-07-02#${ingestedShard(record.id)}`,
            gsi2sk: `${record.ingestedAt}#${record.id}`,
          },
        }),
      );
      const feed = await documents.send(
        new QueryCommand({
          TableName: store.tableName,
          KeyConditionExpression: 'pk = :pk AND begins_with(sk, :stamp)',
          ExpressionAttributeValues: { ':pk': 'FEED#2024-07-02', ':stamp': record.ingestedAt },
        }),
      );
      for (const item of feed.Items ?? [])
        await documents.send(
          new DeleteCommand({ TableName: store.tableName, Key: { pk: item.pk, sk: item.sk } }),
        );
    }
    clock.advance(1000);
    const seen: string[] = [];
    let after: StoreCursor | undefined;
    do {
      const page = await store.articles.listIngestedSince({
        since: '2024-07-02T00:00:00.000Z',
        limit: 2,
        after,
      });
      seen.push(...page.items.map((item) => item.id));
      after = page.cursor;
    } while (after);
    expect(seen).toEqual(committed.map((record) => record.id));
  });

  it('pages through more days than one page may scan', async () => {
    const clock = manualClock('2024-01-01T12:00:00.000Z');
    const store = await local.freshStore({ clock: clock.now, sinceFeedSettleMs: 0 });
    const ids: string[] = [];
    for (let day = 0; day < 35; day += 1) {
      const article = makeArticle({ url: `https://daily.example/${day}` });
      ids.push((await store.articles.commit(article, makeRaw(article))).record.id);
      clock.advance(86_400_000);
    }
    const first = await store.articles.listIngestedSince({ since: '2024-01-01T00:00:00.000Z', limit: 100 });
    expect(first.items).toHaveLength(31);
    expect(first.cursor).toBeDefined();
    const second = await store.articles.listIngestedSince({
      since: '2024-01-01T00:00:00.000Z',
      limit: 100,
      after: first.cursor,
    });
    expect(second.cursor).toBeUndefined();
    expect([...first.items, ...second.items].map((item) => item.id)).toEqual(ids);
  });

  it('shows a new version again at its new ingest time', async () => {
    const clock = manualClock('2024-06-01T10:00:00.000Z');
    const store = await local.freshStore({ clock: clock.now, sinceFeedSettleMs: 0 });
    const v1 = makeArticle({ url: 'https://feed.example/evolving', text: 'one' });
    await store.articles.commit(v1, makeRaw(v1));
    clock.advance(5000);
    const checkpoint = clock.now().toISOString();
    clock.advance(5000);
    const v2 = makeArticle({ url: v1.url, text: 'two' });
    await store.articles.commit(v2, makeRaw(v2));
    clock.advance(1000);
    const page = await store.articles.listIngestedSince({ since: checkpoint, limit: 10 });
    expect(page.items.map((record) => [record.id, record.version])).toEqual([[v1.id, 2]]);
  });

  it('hides items younger than the settle window', async () => {
    const clock = manualClock('2024-06-01T10:00:00.000Z');
    const store = await local.freshStore({ clock: clock.now, sinceFeedSettleMs: 5000 });
    const article = makeArticle({ url: 'https://feed.example/fresh' });
    await store.articles.commit(article, makeRaw(article));
    const since = '2024-06-01T00:00:00.000Z';
    expect((await store.articles.listIngestedSince({ since, limit: 10 })).items).toHaveLength(0);
    clock.advance(5001);
    expect((await store.articles.listIngestedSince({ since, limit: 10 })).items).toHaveLength(1);
  });

  it('lets a poller see every item exactly once, oldest first, while new ones keep arriving', async () => {
    // Commits and polls interleave on a hand-moved clock, so the outcome never depends on machine speed.
    const settleMs = 1500;
    const clock = manualClock('2024-08-01T23:59:58.000Z'); // the feed crosses midnight on the way
    const store = await local.freshStore({ clock: clock.now, sinceFeedSettleMs: settleMs });
    const since = '2024-08-01T00:00:00.000Z';
    const committed: ArticleRecord[] = [];
    const seen: ArticleRecord[] = [];
    let after: StoreCursor | undefined;
    const pollUntilCaughtUp = async () => {
      // Follow `cursor` while pages are full; when caught up, keep `resume` for the next poll.
      for (;;) {
        const page = await store.articles.listIngestedSince({ since, limit: 3, after });
        seen.push(...page.items);
        after = page.cursor ?? page.resume ?? after;
        if (!page.cursor) return;
      }
    };
    for (let n = 0; n < 40; n += 2) {
      // Two workers commit in the same millisecond: the id breaks the tie, also across a page boundary.
      const pair = await Promise.all(
        [n, n + 1].map((k) => {
          const article = makeArticle({ url: `https://live.example/${k}` });
          return store.articles.commit(article, makeRaw(article));
        }),
      );
      committed.push(...pair.map((result) => result.record));
      clock.advance(400);
      await pollUntilCaughtUp();
    }
    clock.advance(settleMs + 1);
    await pollUntilCaughtUp();

    const expected = [...committed].sort((a, b) =>
      a.ingestedAt === b.ingestedAt ? (a.id < b.id ? -1 : 1) : a.ingestedAt < b.ingestedAt ? -1 : 1,
    );
    expect(new Set(committed.map((record) => record.ingestedAt.slice(0, 10))).size).toBe(2);
    expect(seen.map((record) => record.id)).toEqual(expected.map((record) => record.id));
  });

  it('moves a commit that landed late forward in the feed instead of losing it', async () => {
    const clock = manualClock('2024-07-01T10:00:00.000Z');
    const dynamodb = local.dynamoDbClient();
    let releaseSlowCommit: () => void = () => {};
    const slowCommitReleased = new Promise<void>((resolve) => {
      releaseSlowCommit = resolve;
    });
    let slowCommitArrived: () => void = () => {};
    const slowCommitHeld = new Promise<void>((resolve) => {
      slowCommitArrived = resolve;
    });
    const slow = makeArticle({ url: 'https://late.example/slow' });
    dynamodb.middlewareStack.add(
      (next) => async (args) => {
        if (isCommitOf(args.input, slow.id)) {
          slowCommitArrived();
          await slowCommitReleased;
        }
        return next(args);
      },
      { step: 'initialize', name: 'holdSlowCommit' },
    );
    const store = await local.freshStore({ dynamodb, clock: clock.now, sinceFeedSettleMs: 1000 });

    // The slow worker stamps its ingestedAt first but its PutItem hangs...
    const slowCommit = store.articles.commit(slow, makeRaw(slow));
    await slowCommitHeld;
    clock.advance(100);
    const fast = makeArticle({ url: 'https://late.example/fast' });
    await store.articles.commit(fast, makeRaw(fast));
    // ...so a poller past the settle window sees only the fast one and moves its position beyond the slow stamp.
    clock.advance(2000);
    const first = await store.articles.listIngestedSince({ since: '2024-07-01T00:00:00.000Z', limit: 10 });
    expect(first.items.map((item) => item.id)).toEqual([fast.id]);

    releaseSlowCommit();
    const landed = await slowCommit;
    expect(landed.record.ingestedAt).toBe(clock.now().toISOString());
    clock.advance(2000);
    const next = await store.articles.listIngestedSince({
      since: '2024-07-01T00:00:00.000Z',
      limit: 10,
      after: first.resume,
    });
    expect(next.items.map((item) => item.id)).toEqual([slow.id]);
  });

  it('rejects a tampered or foreign cursor with BAD_REQUEST', async () => {
    const store = await local.freshStore({ sinceFeedSettleMs: 0 });
    const id = articleIdForUrl('https://feed.example/x');
    const cursors: StoreCursor[] = [
      { ingestedAt: '2024-01-01T00:00:00.000Z', id: `${id.slice(0, 63)}g` },
      { ingestedAt: '2024-01-01T00:00:00.000Z', id, ':pk': 'x' },
      { date: '2024-01-01T00:00:00.000Z', id },
    ];
    for (const after of cursors) {
      await expectPipelineError(
        store.articles.listIngestedSince({ since: '2024-01-01T00:00:00.000Z', limit: 5, after }),
        'BAD_REQUEST',
      );
    }
  });
});

/** Whether a DynamoDB request is the put of an article's CURRENT item (the commit point), in either form. */
function isCommitOf(input: unknown, id?: string): boolean {
  const item = (input as { Item?: Record<string, unknown> }).Item;
  if (!item) return false;
  const text = (value: unknown) =>
    typeof value === 'object' && value !== null ? (value as { S?: string }).S : value;
  return text(item.sk) === 'CURRENT' && (id === undefined || text(item.pk) === `ARTICLE#${id}`);
}
