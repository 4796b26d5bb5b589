import { DeleteItemCommand } from '@aws-sdk/client-dynamodb';
import { describe, expect, it } from 'vitest';
import { CostMeter } from '../../benchmark/cost-meter.ts';
import { PipelineError } from '../../lib/core/errors.ts';
import {
  guessSourceKind,
  newSourceRecord,
  parseInterval,
  parseSourceId,
  sourceIdForUrl,
} from '../../lib/core/sources.ts';
import { AwsSourceRegistry } from '../../lib/store/aws/sources.ts';
import { INGEST_COUNTS_FOLD_SK, INGEST_COUNTS_PK } from '../../lib/store/layout.ts';
import { useLocalServers } from '../helpers/local-servers.ts';

const local = useLocalServers();
const NOW = new Date('2026-03-01T12:00:00.000Z');
const later = (minutes: number) => new Date(NOW.getTime() + minutes * 60_000);

describe('source records (pure)', () => {
  it('one canonical URL is one id; kinds are guessed from the URL', () => {
    expect(sourceIdForUrl('https://News.example/feed.xml')).toBe(
      sourceIdForUrl('https://news.example/feed.xml'),
    );
    expect(sourceIdForUrl('https://news.example/feed.xml')).toMatch(/^[0-9a-f]{16}$/);
    expect(guessSourceKind('https://a.example/sitemap_index.xml')).toBe('sitemap');
    expect(guessSourceKind('https://a.example/robots.txt')).toBe('sitemap');
    expect(guessSourceKind('https://a.example/feed/')).toBe('feed');
    expect(guessSourceKind('https://a.example/rss.xml')).toBe('feed');
    expect(guessSourceKind('https://a.example/list.txt')).toBe('urls');
    expect(guessSourceKind('https://a.example/')).toBe('site');
  });

  it('bad URLs, intervals and ids are typed errors that say what is wrong', () => {
    expect(() => newSourceRecord({ url: 'ftp://x.example/' }, NOW)).toThrow(/not an http\(s\) URL/);
    expect(() => newSourceRecord({ url: 'nope' }, NOW)).toThrowError(PipelineError);
    expect(() => newSourceRecord({ url: 'https://a.example/', intervalSeconds: 5 }, NOW)).toThrow(
      /intervalSeconds/,
    );
    expect(parseInterval('15m')).toBe(900);
    expect(parseInterval('2h')).toBe(7200);
    expect(() => parseInterval('10s')).toThrow(/from 1m to 7d/);
    expect(() => parseInterval('soon')).toThrow(/not an interval/);
    expect(() => parseSourceId('../etc')).toThrow(/not a source id/);
  });
});

describe('the sources registry on the table', () => {
  it('adds once per URL, reads, lists in pages, pauses (off the due index), resumes and removes', async () => {
    const { sources } = await local.freshStore();
    const a = newSourceRecord({ url: 'https://a.example/feed.xml' }, NOW);
    expect(await sources.add(a)).toBe('created');
    expect(await sources.add(newSourceRecord({ url: 'https://A.example/feed.xml' }, later(5)))).toBe(
      'exists',
    );
    expect(await sources.get(a.id)).toEqual(a);

    const many = Array.from({ length: 7 }, (_, index) =>
      newSourceRecord({ url: `https://s${index}.example/sitemap.xml`, intervalSeconds: 3600 }, NOW),
    );
    const progress: number[] = [];
    expect(await sources.addMany([...many, a, many[0]!], (done) => progress.push(done))).toEqual({
      created: 7,
      existing: 2,
    });
    expect(progress.at(-1)).toBe(8);

    const first = await sources.list({ limit: 5 });
    expect(first.items).toHaveLength(5);
    const rest = await sources.list({ limit: 5, after: first.next });
    expect(rest.next).toBeUndefined();
    const ids = [...first.items, ...rest.items].map((source) => source.id);
    expect(ids).toEqual([...ids].sort());
    expect(new Set(ids).size).toBe(8);

    expect((await sources.due(NOW, 100)).map((due) => due.id).sort()).toEqual([...ids].sort());
    const paused = await sources.update(a.id, { paused: true }, NOW);
    expect(paused?.paused).toBe(true);
    expect((await sources.due(NOW, 100)).map((due) => due.id)).not.toContain(a.id);
    const resumed = await sources.update(a.id, { paused: false }, later(1));
    expect(resumed).toMatchObject({ paused: false, nextDueAt: later(1).toISOString() });
    expect((await sources.due(later(1), 100)).map((due) => due.id)).toContain(a.id);

    expect(await sources.update('0000000000000000', { paused: true }, NOW)).toBeUndefined();
    expect(await sources.remove(a.id)).toBe(true);
    expect(await sources.remove(a.id)).toBe(false);
    expect(await sources.get(a.id)).toBeUndefined();
  });

  it('releases claims a dead process left (embedded restart): claimed sources due again, recorded or paused ones kept', async () => {
    const { sources } = await local.freshStore();
    const [held, recorded, paused] = ['held', 'recorded', 'paused'].map((name) =>
      newSourceRecord({ url: `https://${name}.example/feed.xml` }, NOW),
    );
    for (const source of [held, recorded, paused]) await sources.add(source!);
    for (const due of await sources.due(NOW, 10)) expect(await sources.claim(due, later(60))).toBe(true);
    await sources.recordCrawl(recorded!.id, {
      health: { lastOutcome: 'ok', consecutiveFailures: 0, urlsDiscovered: 0, urlsQueued: 0 },
      kind: 'feed',
      nextDueAt: later(15).toISOString(),
    });
    await sources.update(paused!.id, { paused: true }, later(1));
    expect(await sources.due(later(2), 10)).toEqual([]);
    expect(await sources.releaseClaims?.(later(2))).toBe(1);
    expect((await sources.due(later(2), 10)).map((due) => due.id)).toEqual([held!.id]);
    expect(await sources.get(held!.id)).toMatchObject({ nextDueAt: later(2).toISOString() });
    // Released once: a second start finds nothing held.
    expect(await sources.releaseClaims?.(later(3))).toBe(0);
  });

  it('a due source is claimed once; its crawl record moves it on the index and keeps the folded ingest count', async () => {
    const { sources } = await local.freshStore();
    const source = newSourceRecord({ url: 'https://b.example/sitemap.xml' }, NOW);
    await sources.add(source);
    expect(await sources.due(new Date(NOW.getTime() - 1000), 10)).toEqual([]);
    const [due] = await sources.due(NOW, 10);
    expect(due?.id).toBe(source.id);
    expect(await sources.claim(due!, later(30))).toBe(true);
    expect(await sources.claim(due!, later(30))).toBe(false);
    expect(await sources.due(later(29), 10)).toEqual([]);

    await sources.recordIngested(new Map([[source.id, 3]]));
    await sources.recordCrawl(source.id, {
      health: {
        lastCrawledAt: later(1).toISOString(),
        lastOutcome: 'ok',
        consecutiveFailures: 0,
        urlsDiscovered: 10,
        urlsQueued: 3,
      },
      kind: 'sitemap',
      nextDueAt: later(16).toISOString(),
      validators: { etag: '"v1"' },
      highWaterMark: '2026-03-01T11:00:00.000Z',
    });
    await sources.recordIngested(new Map([[source.id, 2]]));
    expect((await sources.get(source.id))?.health.articlesIngested).toBe(0);
    expect(await sources.foldIngested(new Date(), 0)).toEqual({ items: 2, sources: 1 });
    const stored = await sources.get(source.id);
    expect(stored).toMatchObject({
      nextDueAt: later(16).toISOString(),
      validators: { etag: '"v1"' },
      highWaterMark: '2026-03-01T11:00:00.000Z',
      health: { lastOutcome: 'ok', urlsQueued: 3, articlesIngested: 5 },
    });
    expect((await sources.due(later(16), 10)).map((d) => d.id)).toEqual([source.id]);

    // Paused while crawling: the record lands, the source stays off the due index.
    await sources.update(source.id, { paused: true }, later(17));
    await sources.recordCrawl(source.id, {
      health: { consecutiveFailures: 1, urlsDiscovered: 0, urlsQueued: 0, lastOutcome: 'failed' },
      kind: 'sitemap',
      nextDueAt: later(20).toISOString(),
    });
    expect((await sources.get(source.id))?.health.lastOutcome).toBe('failed');
    expect(await sources.due(later(60), 10)).toEqual([]);
    // Removed while crawling: nothing comes back.
    await sources.remove(source.id);
    await sources.recordCrawl(source.id, {
      health: { consecutiveFailures: 0, urlsDiscovered: 0, urlsQueued: 0 },
      kind: 'sitemap',
      nextDueAt: later(20).toISOString(),
    });
    expect(await sources.get(source.id)).toBeUndefined();
  });

  it('ingest counts: one item per batch, folded once into each source (a fold that died half-way counts nothing twice), the settling ones later', async () => {
    const store = await local.freshStore();
    let clock = NOW;
    const registry = new AwsSourceRegistry({
      dynamodb: store.dynamodb,
      tableName: store.tableName,
      now: () => clock,
    });
    const a = newSourceRecord({ url: 'https://a.example/feed.xml' }, NOW);
    const b = newSourceRecord({ url: 'https://b.example/feed.xml' }, NOW);
    await registry.addMany([a, b]);
    const totals = async () =>
      Promise.all([a, b].map(async (s) => (await registry.get(s.id))?.health.articlesIngested));

    await registry.recordIngested(
      new Map([
        [a.id, 2],
        [b.id, 1],
      ]),
    );
    clock = later(1);
    await registry.recordIngested(
      new Map([
        [a.id, 1],
        [b.id, 0],
      ]),
    );
    expect(await totals()).toEqual([0, 0]);
    // Stamped within the settle window: left for a later fold.
    expect(await registry.foldIngested(later(2), 5 * 60_000)).toEqual({ items: 0, sources: 0 });
    expect(await registry.foldIngested(later(2), 60_000)).toEqual({ items: 2, sources: 2 });
    expect(await totals()).toEqual([3, 1]);
    expect(await registry.foldIngested(later(3), 0)).toEqual({ items: 0, sources: 0 });

    // A fold that updated the sources and died before recording how far it read: the next one reads those items
    // again but adds only what each source has not counted.
    clock = later(4);
    await registry.recordIngested(new Map([[a.id, 5]]));
    await registry.foldIngested(later(5), 0);
    expect(await totals()).toEqual([8, 1]);
    await store.dynamodb.send(
      new DeleteItemCommand({
        TableName: store.tableName,
        Key: { pk: { S: INGEST_COUNTS_PK }, sk: { S: INGEST_COUNTS_FOLD_SK } },
      }),
    );
    clock = later(6);
    await registry.recordIngested(
      new Map([
        [a.id, 1],
        [b.id, 4],
      ]),
    );
    expect(await registry.foldIngested(later(7), 0)).toEqual({ items: 4, sources: 2 });
    expect(await totals()).toEqual([9, 5]);
    expect((await registry.list({ limit: 10 })).items).toHaveLength(2);
  });

  it('a crawl of a source writes no due-index copy: the claim leaves the key, the record keeps it while it lags little', async () => {
    const dynamodb = local.dynamoDbClient();
    const { sources } = await local.freshStore({ dynamodb });
    const meter = new CostMeter();
    meter.useShadowClient({ ...local.env, AWS_ENDPOINT_URL_DYNAMODB: local.servers.dynamodbEndpoint });
    meter.instrument(dynamodb);
    const source = newSourceRecord({ url: 'https://c.example/feed.xml' }, NOW);
    await sources.add(source);
    const record = (nextDueAt: Date, dueKey?: string) =>
      sources.recordCrawl(source.id, {
        health: { lastOutcome: 'ok', consecutiveFailures: 0, urlsDiscovered: 1, urlsQueued: 1 },
        kind: 'feed',
        nextDueAt: nextDueAt.toISOString(),
        ...(dueKey === undefined ? {} : { dueKey }),
      });
    const sourceWrites = async () => {
      await meter.settle();
      const tally = meter.snapshot().dynamodb['UpdateItem SOURCES'];
      return { writeUnits: tally?.writeUnits ?? 0, index: tally?.indexWriteUnits.dueSources ?? 0 };
    };
    meter.counting = true;
    const [due] = await sources.due(NOW, 10);
    expect(due).toMatchObject({ id: source.id, nextDueAt: NOW.toISOString() });
    expect(await sources.claim(due!, later(60))).toBe(true);
    expect(await sourceWrites()).toEqual({ writeUnits: 1, index: 0 });
    // Claimed: its key is still in the index, but it is not due until the lease ends (a task that died).
    expect(await sources.due(later(59), 10)).toEqual([]);
    expect((await sources.due(later(60), 10)).map((d) => d.id)).toEqual([source.id]);
    // The record keeps the key it was found under (15 minutes behind the next due time): no index write.
    await record(later(15), due!.dueKey);
    expect(await sourceWrites()).toEqual({ writeUnits: 2, index: 0 });
    expect(await sources.due(later(14), 10)).toEqual([]);
    const [again] = await sources.due(later(15), 10);
    expect(again).toMatchObject({ dueKey: due!.dueKey, nextDueAt: later(15).toISOString() });
    // A due time further than DUE_INDEX.keyLagMs past the key moves it (the old copy deleted, the new one put), so
    // the schedule does not read the item on every run meanwhile.
    expect(await sources.claim(again!, later(75))).toBe(true);
    await record(later(15 + 121), again!.dueKey);
    expect(await sourceWrites()).toEqual({ writeUnits: 6, index: 2 });
    const [moved] = await sources.due(later(15 + 121), 10);
    expect(moved?.dueKey.startsWith(later(15 + 121).toISOString())).toBe(true);
    // A key that moved meanwhile (paused and resumed) is not kept: the record puts the source where it is due.
    await sources.update(source.id, { paused: true }, later(140));
    await sources.update(source.id, { paused: false }, later(141));
    meter.counting = false;
    await record(later(150), moved!.dueKey);
    expect(await sources.due(later(149), 10)).toEqual([]);
    expect((await sources.due(later(150), 10)).map((d) => d.id)).toEqual([source.id]);
  });

  it('a due source’s settled ingest counts ride on its claim (one write for both); the fold updates only the others', async () => {
    const dynamodb = local.dynamoDbClient();
    const store = await local.freshStore({ dynamodb });
    const registry = new AwsSourceRegistry({ dynamodb, tableName: store.tableName, now: () => NOW });
    const due = newSourceRecord({ url: 'https://d.example/feed.xml' }, NOW);
    const taken = newSourceRecord({ url: 'https://e.example/feed.xml' }, NOW);
    await registry.addMany([due, taken]);
    // One of them is claimed already (crawling): the next schedule run finds only the other due.
    const [first] = (await registry.due(NOW, 10)).filter((d) => d.id === taken.id);
    expect(await registry.claim(first!, later(60))).toBe(true);
    await registry.recordIngested(
      new Map([
        [due.id, 3],
        [taken.id, 2],
      ]),
    );
    const meter = new CostMeter();
    meter.useShadowClient({ ...local.env, AWS_ENDPOINT_URL_DYNAMODB: local.servers.dynamodbEndpoint });
    meter.instrument(dynamodb);
    meter.counting = true;
    // As the schedule runs: the counts read, the due sources claimed with them, then the fold of the rest.
    const counts = await registry.pendingIngested(later(2), 0);
    const found = await registry.due(later(2), 10);
    expect(found.map((d) => d.id)).toEqual([due.id]);
    expect(await registry.claim(found[0]!, later(62), counts)).toBe(true);
    expect(await registry.foldIngested(later(2), 0, counts)).toEqual({ items: 1, sources: 2 });
    await meter.settle();
    // The claim and the other source's fold: no update of its own for the claimed source's count.
    expect(meter.snapshot().dynamodb['UpdateItem SOURCES']?.requests).toBe(2);
    meter.counting = false;
    const totals = async () =>
      Promise.all([due, taken].map(async (s) => (await registry.get(s.id))?.health.articlesIngested));
    expect(await totals()).toEqual([3, 2]);
    // Counted once: a fold that reads them again (its record lost) adds nothing to either source.
    await store.dynamodb.send(
      new DeleteItemCommand({
        TableName: store.tableName,
        Key: { pk: { S: INGEST_COUNTS_PK }, sk: { S: INGEST_COUNTS_FOLD_SK } },
      }),
    );
    const again = await registry.pendingIngested(later(3), 0);
    expect(await registry.foldIngested(later(3), 0, again)).toEqual({ items: 1, sources: 2 });
    expect(await totals()).toEqual([3, 2]);
  });
});
