import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { DynamoDBDocumentClient, PutCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { timeRecheck } from '../../lib/core/crawl-policy.ts';
import { createFetcher } from '../../lib/core/fetch/index.ts';
import { newSourceRecord } from '../../lib/core/sources.ts';
import { findOrphanedMessages } from '../../lib/embedded/leases.ts';
import { createSourceCrawler } from '../../lib/handlers/crawl.ts';
import { createIngestService, type PageFetcher } from '../../lib/handlers/ingest.ts';
import type { IngestMessage } from '../../lib/queue/types.ts';
import { articlePk, CURRENT_SK, crawlPk } from '../../lib/store/layout.ts';
import type { CrawlStateRecord } from '../../lib/store/types.ts';
import { useLocalServers } from '../helpers/local-servers.ts';
import { silentLogger } from './helpers.ts';

// Time re-checks derived from the owner source's recheckedThrough, with no per-URL write: the real crawl worker and
// ingest on dynalite, against feeds served on loopback (the page fetches are stubbed: only the decisions matter).
const local = useLocalServers();

const HOUR = 60 * 60_000;
const documents = new Map<string, string>();
let server: Server;
let origin = '';
beforeAll(async () => {
  server = createServer((request, response) => {
    const path = new URL(request.url ?? '/', 'http://x').pathname;
    const body = documents.get(path);
    if (path === '/robots.txt' || body === undefined) {
      response.writeHead(path === '/robots.txt' ? 404 : 500).end();
      return;
    }
    response.writeHead(200, { 'content-type': 'application/xml' }).end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

const rss = (items: Array<{ path: string; date: string }>) =>
  `<?xml version="1.0"?><rss version="2.0"><channel><title>t</title>${items
    .map((item) => `<item><link>${origin}${item.path}</link><pubDate>${item.date}</pubDate></item>`)
    .join('')}</channel></rss>`;
const urlset = (paths: string[]) =>
  `<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">${paths
    .map((path) => `<url><loc>${origin}${path}</loc></url>`)
    .join('')}</urlset>`;
const sitemapIndex = (paths: string[]) =>
  `<?xml version="1.0"?><sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">${paths
    .map((path) => `<sitemap><loc>${origin}${path}</loc></sitemap>`)
    .join('')}</sitemapindex>`;

const T0 = Date.parse('2026-03-01T12:00:00.000Z');

async function setUp() {
  const store = await local.freshStore();
  const clock = { now: new Date(T0) };
  const sent: IngestMessage[] = [];
  const writes: string[] = [];
  const crawlState = {
    ...store.crawlState,
    get: store.crawlState.get.bind(store.crawlState),
    getMany: store.crawlState.getMany?.bind(store.crawlState),
    put: (state: CrawlStateRecord) => {
      writes.push(`put ${state.url}`);
      return store.crawlState.put(state);
    },
    markQueued: (...args: Parameters<typeof store.crawlState.markQueued>) => {
      writes.push(`lease ${args[0]}`);
      return store.crawlState.markQueued(...args);
    },
  };
  const crawler = createSourceCrawler({
    registry: store.sources,
    crawlState,
    queue: { send: async (messages) => void sent.push(...messages) },
    fetcher: createFetcher({ allowedOrigins: [origin], minIntervalMs: 0, retries: 0 }),
    logger: silentLogger,
    now: () => clock.now,
    queueLeaseMs: 4 * 24 * HOUR,
    random: () => 1,
  });
  const fetched: string[] = [];
  const notModified: PageFetcher = async (url) => {
    fetched.push(url);
    return { requestedUrl: url, url, status: 304, notModified: true, body: new Uint8Array() } as never;
  };
  const ingest = createIngestService({
    fetchPage: notModified,
    extract: () => {
      throw new Error('a 304 is not extracted');
    },
    articles: store.articles,
    crawlState,
    events: { publishArticleIngested: async () => {} },
    bucketName: store.bucketName,
    logger: silentLogger,
    now: () => clock.now,
  });
  const at = (ms: number) => {
    clock.now = new Date(T0 + ms);
  };
  /** Records a fetch of the URL as ingest does for a new article (the state keeps its owner): 1 h schedule. */
  const recordFetch = async (url: string, fetchedAtMs: number) => {
    const state = await store.crawlState.get(url);
    await store.crawlState.put({
      ...(state ?? { url, failureCount: 0 }),
      url,
      lastFetchedAt: new Date(T0 + fetchedAtMs).toISOString(),
      lastStatus: 200,
      lastOutcome: 'created',
      etag: '"v1"',
      nextDueAt: new Date(T0 + fetchedAtMs + HOUR).toISOString(),
      recheckStep: 0,
      failureCount: 0,
      permanentFailure: false,
    });
  };
  const feed = async (path: string, pages: string[], date = 'Sat, 28 Feb 2026 12:00:00 GMT') => {
    documents.set(path, rss(pages.map((page) => ({ path: page, date }))));
    const source = newSourceRecord({ url: `${origin}${path}` }, clock.now);
    await store.sources.addMany([source]);
    return source.id;
  };
  const crawl = async (id: string) => {
    sent.length = 0;
    writes.length = 0;
    const summary = await crawler.crawlSource(id, clock.now);
    return { summary, sent: [...sent], writes: [...writes] };
  };
  return { store, clock, at, crawl, feed, recordFetch, ingest, fetched, writes };
}

describe('time re-checks derived from the owner source', () => {
  it('two feeds listing one page: the first to lease it owns it, and only its crawls re-check it, with no write', async () => {
    const { store, at, crawl, feed, recordFetch } = await setUp();
    const page = `/two/page-${Date.now()}`;
    const url = `${origin}${page}`;
    const a = await feed('/two/a.xml', [page]);
    const b = await feed('/two/b.xml', [page]);
    expect((await crawl(a)).sent.map((m) => m.url)).toEqual([url]);
    expect((await store.crawlState.get(url))?.owner).toBe(a);
    // The owner's first lease, read without the article (presumed answered at its time): nothing due for an hour.
    expect((await crawl(b)).summary.skipped['not-due']).toBe(1);
    await recordFetch(url, 60_000);

    // The 1-h step is due: the other feed leaves it alone; the owner queues it without a per-URL write.
    at(HOUR + 5 * 60_000);
    const other = await crawl(b);
    expect(other.sent).toEqual([]);
    expect(other.writes).toEqual([]);
    expect(other.summary.skipped['not-due']).toBe(1);
    const owner = await crawl(a);
    expect(owner.sent).toMatchObject([
      { url, recheck: { step: 0, dueAt: new Date(T0 + 60_000 + HOUR).toISOString() } },
    ]);
    expect(owner.writes).toEqual([]);
    expect((await store.sources.get(a))?.recheckedThrough).toBe(
      new Date(T0 + HOUR + 5 * 60_000).toISOString(),
    );

    // Its next crawl finds the step in flight (read through since its nominal time, no fetch recorded since).
    at(HOUR + 20 * 60_000);
    const next = await crawl(a);
    expect(next.sent).toEqual([]);
    expect(next.summary.skipped.queued).toBe(1);
    // The 6-h step comes 6 h after the 1-h step's nominal time, not after its fetch.
    at(7 * HOUR + 60_000 + 1000);
    expect((await crawl(a)).sent).toMatchObject([
      { url, recheck: { step: 1, dueAt: new Date(T0 + 60_000 + 7 * HOUR).toISOString() } },
    ]);
  });

  it('a new article’s first lease: the owner’s crawls read no article item, and its steps count from the lease', async () => {
    const { store, at, crawl, feed, ingest, writes } = await setUp();
    const articleReads: string[] = [];
    const crawlReads: string[] = [];
    store.dynamodb.middlewareStack.add(
      (next) => async (args) => {
        const input = args.input as {
          Key?: Record<string, { S?: string }>;
          RequestItems?: Record<string, { Keys: Array<Record<string, { S?: string }>> }>;
        };
        const keys = input.Key
          ? [input.Key]
          : Object.values(input.RequestItems ?? {}).flatMap((request) => request.Keys ?? []);
        for (const key of keys) {
          if (key.pk?.S?.startsWith('ARTICLE#')) articleReads.push(key.pk.S);
          if (key.pk?.S?.startsWith('CRAWL#')) crawlReads.push(key.pk.S);
        }
        return next(args);
      },
      { step: 'build', name: 'recordArticleReads' },
    );
    const page = `/first/page-${Date.now()}`;
    const url = `${origin}${page}`;
    const a = await feed('/first/a.xml', [page]);
    await crawl(a);
    // The new article's commit records its fetch in its CURRENT item only (store layout 4), 30 s after the lease.
    const state = (await store.crawlState.get(url)) as CrawlStateRecord;
    await DynamoDBDocumentClient.from(store.dynamodb).send(
      new PutCommand({
        TableName: store.tableName,
        Item: {
          pk: articlePk(crawlPk(url).slice('CRAWL#'.length)),
          sk: CURRENT_SK,
          fetchedAt: new Date(T0 + 30_000).toISOString(),
          fetch: { e: '"v1"' },
          version: 1,
          pageType: 'article',
        },
      }),
    );
    expect(state.lastFetchedAt).toBeUndefined();
    articleReads.length = 0;

    // Within the hour the owner's crawls queue nothing and read no article item.
    at(20 * 60_000);
    expect((await crawl(a)).sent).toEqual([]);
    expect(articleReads).toEqual([]);
    // The 1-h step is counted from the lease (not the fetch 30 s later), queued with no write. The crawl that
    // queues it reads the article once (the first fetch has answered: its message is not in flight).
    at(HOUR + 60_000);
    const owner = await crawl(a);
    expect(owner.sent).toMatchObject([
      { url, recheck: { step: 0, dueAt: new Date(T0 + HOUR).toISOString() } },
    ]);
    expect(owner.writes).toEqual([]);
    expect(articleReads).toHaveLength(1);
    // The crawls while it is in flight read no article item.
    at(HOUR + 20 * 60_000);
    articleReads.length = 0;
    expect((await crawl(a)).sent).toEqual([]);
    expect(articleReads).toEqual([]);
    // The message carries the fetch the crawl read (the bare first lease and the article's CURRENT item, session 15):
    // ingest reads neither item, sends its validators (the origin answers 304), and its 304 writes nothing.
    expect(owner.sent[0]?.recheck).toMatchObject({
      bareLease: new Date(T0).toISOString(),
      fetched: { at: new Date(T0 + 30_000).toISOString(), etag: '"v1"' },
    });
    writes.length = 0;
    crawlReads.length = 0;
    articleReads.length = 0;
    expect(await ingest.ingest(owner.sent[0] as IngestMessage)).toMatchObject({ status: 'unchanged' });
    expect(articleReads).toEqual([]);
    expect(crawlReads).toEqual([]);
    expect(writes).toEqual([]);
    // The next steps likewise: nominal times from the lease, no write, one article read by the crawl queueing it.
    at(7 * HOUR + 60_000);
    articleReads.length = 0;
    expect((await crawl(a)).sent).toMatchObject([
      { url, recheck: { step: 1, dueAt: new Date(T0 + 7 * HOUR).toISOString() } },
    ]);
    expect(articleReads).toHaveLength(1);
    expect((await store.crawlState.get(url))?.lastFetchedAt).toBe(new Date(T0 + 30_000).toISOString());
  });

  it('a new article’s first message still waiting past the 1-h step (a long backlog): its crawls queue nothing beside it', async () => {
    const { store, at, crawl, feed } = await setUp();
    const page = `/backlog/page-${Date.now()}`;
    const url = `${origin}${page}`;
    const a = await feed('/backlog/a.xml', [page]);
    expect((await crawl(a)).sent.map((m) => m.url)).toEqual([url]);
    // No fetch recorded anywhere: the first message is still in the queue when the 1-h step falls due, and after.
    for (const ms of [HOUR + 60_000, HOUR + 20 * 60_000, 7 * HOUR + 60_000]) {
      at(ms);
      const later = await crawl(a);
      expect(later.sent).toEqual([]);
      expect(later.writes).toEqual([]);
    }
    expect((await store.crawlState.get(url))?.lastFetchedAt).toBeUndefined();
  });

  it('ingest writes nothing for a 304 to a time re-check, and drops one whose window has ended (a backlog longer than a step)', async () => {
    const { store, at, crawl, feed, recordFetch, ingest, fetched, writes } = await setUp();
    const page = `/backlog/page-${Date.now()}`;
    const url = `${origin}${page}`;
    const a = await feed('/backlog/a.xml', [page]);
    await crawl(a);
    await recordFetch(url, 0);
    at(HOUR + 60_000);
    const [first] = (await crawl(a)).sent as [IngestMessage];
    expect(first.recheck?.step).toBe(0);
    writes.length = 0;
    expect(await ingest.ingest(first)).toMatchObject({ status: 'unchanged' });
    expect(fetched).toEqual([url]);
    expect(writes).toEqual([]);

    // The 6-h step's message waits in a backlog past the 24-h step: the owner's crawl queues that step, and the 6-h
    // message, arriving after, is dropped unfetched, so the page is fetched once for the two.
    at(7 * HOUR + 60_000);
    const [second] = (await crawl(a)).sent as [IngestMessage];
    expect(second.recheck?.step).toBe(1);
    at(10 * HOUR);
    expect((await crawl(a)).summary.skipped.queued).toBe(1);
    at(31 * HOUR + 60_000);
    const [third] = (await crawl(a)).sent as [IngestMessage];
    expect(third.recheck?.step).toBe(2);
    fetched.length = 0;
    expect(await ingest.ingest(second)).toMatchObject({ status: 'stale' });
    expect(await ingest.ingest(third)).toMatchObject({ status: 'unchanged' });
    expect(fetched).toEqual([url]);
    // After the last step's window nothing is queued: the schedule is over.
    at(55 * HOUR + 60_000);
    expect((await crawl(a)).sent).toEqual([]);
    expect((await store.crawlState.get(url))?.nextDueAt).toBe(new Date(T0 + HOUR).toISOString());
  });

  it('a changed date while a time re-check is in flight queues nothing beside it; with none in flight it takes the lease', async () => {
    const { store, at, crawl, feed, recordFetch } = await setUp();
    const page = `/changed/page-${Date.now()}`;
    const url = `${origin}${page}`;
    const a = await feed('/changed/a.xml', [page]);
    const b = await feed('/changed/b.xml', [page]);
    await crawl(a);
    await recordFetch(url, 0);
    at(HOUR + 60_000);
    expect((await crawl(a)).sent).toHaveLength(1);
    // The other feed now dates a change after the fetch: the owner's re-check is in flight and will see it.
    documents.set('/changed/b.xml', rss([{ path: page, date: 'Sun, 01 Mar 2026 12:30:00 GMT' }]));
    at(HOUR + 10 * 60_000);
    const blocked = await crawl(b);
    expect(blocked.sent).toEqual([]);
    expect(blocked.writes).toEqual([]);
    expect(blocked.summary.skipped.queued).toBe(1);
    // Still in flight a minute before the step's window ends; once it is over, the dated change takes a lease of its
    // own (the owner stays the owner, and its next step waits behind the lease).
    at(7 * HOUR - 60_000);
    expect((await crawl(b)).summary.skipped.queued).toBe(1);
    at(7 * HOUR + 60_000);
    const leased = await crawl(b);
    expect(leased.sent.map((m) => m.url)).toEqual([url]);
    expect(leased.sent[0]?.recheck).toBeUndefined();
    expect(leased.writes).toEqual([`lease ${url}`]);
    expect((await store.crawlState.get(url))?.owner).toBe(a);
    expect((await crawl(a)).summary.skipped.queued).toBe(1);
  });

  it('a read that ends early sends no time re-check and keeps recheckedThrough; the next complete read sends it', async () => {
    const { store, at, crawl, recordFetch } = await setUp();
    const page = `/early/page-${Date.now()}`;
    const url = `${origin}${page}`;
    documents.set('/early/index.xml', sitemapIndex(['/early/s1.xml', '/early/s2.xml']));
    documents.set('/early/s1.xml', urlset([page]));
    documents.set('/early/s2.xml', urlset(['/early/other']));
    const source = newSourceRecord({ url: `${origin}/early/index.xml` }, new Date(T0));
    await store.sources.addMany([source]);
    await crawl(source.id);
    await recordFetch(url, 0);
    await recordFetch(`${origin}/early/other`, 0);
    const through = (await store.sources.get(source.id))?.recheckedThrough;
    expect(through).toBe(new Date(T0).toISOString());
    // The second child fails: the read is not complete.
    documents.delete('/early/s2.xml');
    at(HOUR + 60_000);
    const partial = await crawl(source.id);
    expect(partial.summary.sitemapsUnread).toBe(1);
    expect(partial.sent).toEqual([]);
    expect((await store.sources.get(source.id))?.recheckedThrough).toBe(through);
    documents.set('/early/s2.xml', urlset(['/early/other']));
    at(HOUR + 20 * 60_000);
    const complete = await crawl(source.id);
    expect(complete.sent.map((m) => m.url).sort()).toEqual([`${origin}/early/other`, url].sort());
    expect(complete.sent.every((m) => m.recheck?.step === 0)).toBe(true);
  });

  it('a paused or removed owner: its URLs are not time-re-checked by the other sources listing them', async () => {
    const { store, at, crawl, feed, recordFetch } = await setUp();
    const page = `/paused/page-${Date.now()}`;
    const url = `${origin}${page}`;
    const a = await feed('/paused/a.xml', [page]);
    const b = await feed('/paused/b.xml', [page]);
    await crawl(a);
    await recordFetch(url, 0);
    await store.sources.update(a, { paused: true }, new Date(T0));
    at(HOUR + 60_000);
    expect((await crawl(a)).summary.outcome).toBe('skipped');
    const other = await crawl(b);
    expect(other.sent).toEqual([]);
    expect(other.summary.skipped['not-due']).toBe(1);
    await store.sources.remove(a);
    expect((await crawl(b)).sent).toEqual([]);
  });

  it('a URL stored before owners takes the presumed lease once; the source that takes it owns it from then on', async () => {
    const { store, at, crawl, feed } = await setUp();
    const page = `/legacy/page-${Date.now()}`;
    const url = `${origin}${page}`;
    await store.crawlState.put({
      url,
      lastFetchedAt: new Date(T0).toISOString(),
      lastStatus: 200,
      lastOutcome: 'created',
      nextDueAt: new Date(T0 + HOUR).toISOString(),
      recheckStep: 0,
      failureCount: 0,
      permanentFailure: false,
    });
    const a = await feed('/legacy/a.xml', [page]);
    const b = await feed('/legacy/b.xml', [page]);
    at(HOUR + 60_000);
    const first = await crawl(b);
    expect(first.writes).toEqual([`lease ${url}`]);
    expect(first.sent[0]?.recheck).toBeUndefined();
    expect(await store.crawlState.get(url)).toMatchObject({ owner: b, recheckStep: 1 });
    // The 6-h step (after the presumed lease) is the owner's, derived with no write; the other feed leaves it.
    at(7 * HOUR + 2 * 60_000);
    expect((await crawl(a)).summary.skipped['not-due']).toBe(1);
    const owner = await crawl(b);
    expect(owner.writes).toEqual([]);
    expect(owner.sent).toMatchObject([{ url, recheck: { step: 1 } }]);
  });

  it('an embedded restart queues again the time re-checks in flight by derivation, not those fetched since', async () => {
    const { store, at, crawl, feed, recordFetch } = await setUp();
    const page = `/restart/page-${Date.now()}`;
    const url = `${origin}${page}`;
    const a = await feed('/restart/a.xml', [page]);
    await crawl(a);
    await recordFetch(url, 0);
    at(HOUR + 60_000);
    const [sent] = (await crawl(a)).sent as [IngestMessage];
    at(HOUR + 30 * 60_000);
    const orphans = await findOrphanedMessages(
      store.dynamodb,
      store.tableName,
      new Date(T0 + HOUR + 30 * 60_000),
      store.sources,
    );
    expect(orphans).toMatchObject([{ url, recheck: sent.recheck, queuedAt: sent.queuedAt }]);
    await recordFetch(url, HOUR + 10 * 60_000);
    expect(
      await findOrphanedMessages(
        store.dynamodb,
        store.tableName,
        new Date(T0 + HOUR + 30 * 60_000),
        store.sources,
      ),
    ).toEqual([]);
  });

  it('derives the step from nominal times: due after recheckedThrough, in flight up to the next step unless fetched since', () => {
    const state = {
      lastFetchedAt: new Date(T0).toISOString(),
      lastOutcome: 'created',
      nextDueAt: new Date(T0 + HOUR).toISOString(),
      recheckStep: 0,
    };
    const when = (ms: number) => new Date(T0 + ms);
    expect(timeRecheck(state, when(HOUR - 1), undefined)).toBeUndefined();
    expect(timeRecheck(state, when(HOUR), new Date(T0).toISOString())?.status).toBe('due');
    expect(timeRecheck(state, when(2 * HOUR), when(HOUR).toISOString())?.status).toBe('in-flight');
    expect(
      timeRecheck({ ...state, lastFetchedAt: when(HOUR + 1).toISOString() }, when(2 * HOUR), undefined),
    ).toBeUndefined();
    expect(timeRecheck(state, when(7 * HOUR), when(2 * HOUR).toISOString())?.recheck).toMatchObject({
      step: 1,
    });
    expect(timeRecheck(state, when(55 * HOUR), when(2 * HOUR).toISOString())).toBeUndefined();
  });
});
