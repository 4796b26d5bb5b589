import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { ListObjectsV2Command } from '@aws-sdk/client-s3';
import { DynamoDBDocumentClient, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { afterEach, describe, expect, it } from 'vitest';
import { presumedRecheck } from '../../lib/core/crawl-policy.ts';
import { discover } from '../../lib/core/discover/index.ts';
import { PipelineError } from '../../lib/core/errors.ts';
import { extract } from '../../lib/core/extract/index.ts';
import { createFetcher } from '../../lib/core/fetch/index.ts';
import { EXAMPLE_ARTICLES, type SiteArticle } from '../../lib/embedded/example-site/articles.ts';
import { articlePath } from '../../lib/embedded/example-site/render.ts';
import { createCrawlHandler, scheduledEvent } from '../../lib/handlers/crawl.ts';
import { createIngestService } from '../../lib/handlers/ingest.ts';
import type { IngestMessage } from '../../lib/queue/types.ts';
import { useLocalServers } from '../helpers/local-servers.ts';
import { body, capturingLogger, type Pipeline, silentLogger, sqsEvent, startPipeline } from './helpers.ts';

// The real crawl and ingest handlers against s3rver + dynalite and a loopback news site.
const local = useLocalServers();
const HOUR = 3_600_000;
let pipeline: Pipeline | undefined;

afterEach(async () => {
  await pipeline?.close();
  pipeline = undefined;
});

async function started(options: Parameters<typeof startPipeline>[1] = {}): Promise<Pipeline> {
  pipeline = await startPipeline(local, options);
  return pipeline;
}

async function crawlAndDrain(p: Pipeline) {
  const summary = await p.crawl(scheduledEvent(p.clock.now));
  await p.queue.drain();
  await p.bus.drain();
  return summary;
}

async function siteRecords(p: Pipeline) {
  const domain = new URL(p.site.origin).hostname;
  return (await p.store.articles.listBySite({ site: domain, limit: 100 })).items;
}

/** What the store holds for the site: its index records, their S3 objects and their DynamoDB items. */
async function storedSnapshot(p: Pipeline) {
  const records = await siteRecords(p);
  const ids = records.map((record) => record.id);
  return {
    records,
    objectKeys: await storedObjectKeys(p, ids),
    articleItems: await storedArticleItems(p, ids),
  };
}

/** Delivers every given article's URL to ingest again (as when a source carries no dates) and waits. */
async function ingestAgain(p: Pipeline, records: readonly { url: string }[]) {
  p.outcomes.length = 0;
  await p.queue.send(records.map((record) => ({ url: record.url, discoveredAt: p.clock.now.toISOString() })));
  await p.queue.drain();
  await p.bus.drain();
  return p.outcomes.map((outcome) => outcome.status);
}

/** Every S3 key in the bucket, sorted (it is shared by the tests, so compare before and after). */
/** A crawled and ingested pipeline, its first stored article, and the clock moved past its 1-h re-check. */
async function firstArticleDueForRecheck() {
  const p = await started();
  await crawlAndDrain(p);
  const [record] = await siteRecords(p);
  if (record === undefined) throw new Error('nothing ingested');
  p.clock.now = new Date(p.clock.now.getTime() + 2 * HOUR);
  return { p, record };
}

/**
 * Queues a re-check of url as the crawl does when it presumes the page unchanged (the lease write carries the
 * presumed schedule), drains it and expects 'unchanged'; returns the crawl state the lease left.
 */
async function queuePresumedRecheck(p: Pipeline, url: string) {
  const queuedAt = p.clock.now;
  const presumed = presumedRecheck(await p.store.crawlState.get(url), {}, queuedAt);
  const leaseUntil = new Date(queuedAt.getTime() + 24 * HOUR);
  expect(await p.store.crawlState.markQueued(url, queuedAt, leaseUntil, presumed)).toBe(true);
  const leased = await p.store.crawlState.get(url);
  p.outcomes.length = 0;
  await p.queue.send([{ url, discoveredAt: queuedAt.toISOString(), queuedAt: queuedAt.toISOString() }]);
  await p.queue.drain();
  expect(p.outcomes.map((outcome) => outcome.status)).toEqual(['unchanged']);
  return leased;
}

async function storedObjectKeys(p: Pipeline, ids: readonly string[]): Promise<string[]> {
  const keys: string[] = [];
  let token: string | undefined;
  do {
    const page = await p.store.s3.send(
      new ListObjectsV2Command({ Bucket: p.store.bucketName, ContinuationToken: token }),
    );
    keys.push(...(page.Contents ?? []).map((object) => object.Key ?? ''));
    token = page.NextContinuationToken;
  } while (token);
  void ids; // batch objects (store layout 2) hold several articles: every key in the bucket counts
  return keys.sort();
}

/** Every DynamoDB item in these articles' partitions (the CURRENT item and any VERSION# items), as stored. */
async function storedArticleItems(p: Pipeline, ids: readonly string[]): Promise<Record<string, unknown>[]> {
  const documents = DynamoDBDocumentClient.from(p.store.dynamodb);
  const items: Record<string, unknown>[] = [];
  for (const id of ids) {
    const result = await documents.send(
      new QueryCommand({
        TableName: p.store.tableName,
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': `ARTICLE#${id}` },
        ConsistentRead: true,
      }),
    );
    items.push(...(result.Items ?? []));
  }
  return items;
}

describe('crawl → queue → ingest', () => {
  it('a full crawl ingests every article once, with one created event each', async () => {
    const p = await started();
    const summary = await crawlAndDrain(p);

    // The feed and the sitemap list the same 4 pages (the feed with tracking parameters): 4 URLs, not 8.
    expect(summary).toMatchObject({ sources: 2, failedSources: 0, discovered: 4, queued: 4 });
    const records = await siteRecords(p);
    expect(records).toHaveLength(4);
    expect(records.map((record) => record.version)).toEqual([1, 1, 1, 1]);
    const titles = records.map((record) => record.title).sort();
    expect(titles).toEqual(
      EXAMPLE_ARTICLES.slice(0, 4)
        .map((article) => article.title)
        .sort(),
    );

    const first = records.find((record) =>
      record.url.endsWith(articlePath(EXAMPLE_ARTICLES[0] as SiteArticle)),
    );
    const stored = await p.store.articles.getArticle(first?.id ?? '');
    expect(stored?.content.text).toContain('Millbrook');
    // The boilerplate around the story is not part of it.
    expect(stored?.content.text).not.toContain('Comments are closed');
    expect(stored?.content.text).not.toContain('reCAPTCHA');

    expect(p.events.map((event) => event.kind)).toEqual(['created', 'created', 'created', 'created']);
    expect(new Set(p.events.map((event) => event.article.id))).toEqual(
      new Set(records.map((record) => record.id)),
    );
    const state = await p.store.crawlState.get(first?.url ?? '');
    expect(state).toMatchObject({ lastOutcome: 'created', lastStatus: 200, failureCount: 0 });
    expect(state?.etag).toBeTruthy();
  });

  it('a re-crawl finds nothing changed: fresh pages are skipped, forced fetches get 304, nothing new is written', async () => {
    const p = await started();
    await crawlAndDrain(p);
    const before = await storedSnapshot(p);
    // The four articles came in one ingest batch: one WARC object of pages, one JSON Lines object of articles.
    expect(new Set(before.records.map((record) => record.articleKey)).size).toBe(1);
    expect(new Set(before.records.map((record) => record.rawKey)).size).toBe(1);
    expect(before.objectKeys).toEqual(
      expect.arrayContaining([before.records[0]?.articleKey, before.records[0]?.rawKey]),
    );
    expect(before.articleItems).toHaveLength(4); // one CURRENT item each, no VERSION# items yet
    const pagesServed = p.site.fullPageResponses();

    p.clock.now = new Date(p.clock.now.getTime() + 2 * HOUR); // past every next-due time
    const again = await crawlAndDrain(p);
    expect(again.queued).toBe(0);
    expect(again.skipped.fresh).toBe(4); // the sitemap's lastmod is older than the last fetch

    // Fetched anyway (as when a feed carries no dates): conditional GETs answered 304.
    expect(await ingestAgain(p, before.records)).toEqual(before.records.map(() => 'unchanged'));
    expect(p.site.fullPageResponses()).toBe(pagesServed);
    expect(await storedSnapshot(p)).toEqual(before);
    expect(p.events).toHaveLength(4);
  });

  it('a re-check the crawl queued presumed unchanged: its 304 writes no crawl state; another fetch records it from the unpresumed step', async () => {
    const { p, record } = await firstArticleDueForRecheck();
    const state = await p.store.crawlState.get(record.url);
    expect(state?.recheckStep).toBe(0);
    expect(presumedRecheck(state, {}, p.clock.now)).toEqual({
      nextDueAt: new Date(p.clock.now.getTime() + 6 * HOUR).toISOString(),
      recheckStep: 1,
    });
    const leased = await queuePresumedRecheck(p, record.url);
    // Nothing written: the crawl's lease write already moved the schedule, and ends by the next due time.
    expect(await p.store.crawlState.get(record.url)).toEqual(leased);

    // A fetch for another message (here one with no queue time) while the presumption is pending is recorded,
    // its schedule counted from the step before the presumption: the 6-h re-check from this fetch.
    p.clock.now = new Date(p.clock.now.getTime() + 60_000);
    expect(await ingestAgain(p, [record])).toEqual(['unchanged']);
    const recorded = await p.store.crawlState.get(record.url);
    expect(recorded).toMatchObject({
      lastFetchedAt: p.clock.now.toISOString(),
      lastStatus: 304,
      recheckStep: 1,
      nextDueAt: new Date(p.clock.now.getTime() + 6 * HOUR).toISOString(),
    });
    expect(recorded?.presumedAt).toBeUndefined();
    expect(recorded?.leaseUntil).toBeUndefined();
  });

  it('the last re-check is presumed too: its 304 writes nothing, the schedule ends and its lease lasts one last interval', async () => {
    const { p, record } = await firstArticleDueForRecheck();
    const state = await p.store.crawlState.get(record.url);
    if (state === undefined) throw new Error('no crawl state');
    // At the last step (24 h) and due now.
    await p.store.crawlState.put({ ...state, recheckStep: 2, nextDueAt: p.clock.now.toISOString() });
    const leased = await queuePresumedRecheck(p, record.url);
    expect(await p.store.crawlState.get(record.url)).toEqual(leased);
    expect(leased?.nextDueAt).toBeUndefined();
    expect(leased).toMatchObject({
      recheckStep: 3,
      leaseUntil: new Date(p.clock.now.getTime() + 24 * HOUR).toISOString(),
    });
    // Once its lease is over, a crawl finds nothing due: the source dates no change.
    p.clock.now = new Date(p.clock.now.getTime() + 25 * HOUR);
    const summary = await crawlAndDrain(p);
    expect(summary.queued).toBe(0);
  });

  it('a presumed re-check answered 200 with the same page and validators writes no crawl state; new validators are recorded', async () => {
    const { p, record } = await firstArticleDueForRecheck();
    // The origin ignores If-None-Match: the whole page again, the same ETag, the same article.
    p.site.honourValidators(false);
    const pagesServed = p.site.fullPageResponses();
    const leased = await queuePresumedRecheck(p, record.url);
    expect(p.site.fullPageResponses()).toBe(pagesServed + 1);
    expect(await p.store.crawlState.get(record.url)).toEqual(leased);

    // At the next step the page comes back with other validators (a new story changed its related links): the
    // presumption is not confirmed, the fetch is recorded with them.
    p.clock.now = new Date(p.clock.now.getTime() + 7 * HOUR);
    p.site.upsert({ ...(EXAMPLE_ARTICLES[5] as SiteArticle), slug: 'late-addition' });
    const before = await p.store.crawlState.get(record.url);
    await queuePresumedRecheck(p, record.url);
    const recorded = await p.store.crawlState.get(record.url);
    expect(recorded?.etag).not.toBe(before?.etag);
    expect(recorded).toMatchObject({ lastFetchedAt: p.clock.now.toISOString(), lastStatus: 200 });
    expect(recorded?.presumedAt).toBeUndefined();
  });

  it('a page whose HTML changed but whose article did not is unchanged (same hash): no new version, no event', async () => {
    const p = await started();
    await crawlAndDrain(p);
    const before = await storedSnapshot(p);
    const pagesServed = p.site.fullPageResponses();
    // A new story changes every page's related links, hence every ETag, but no article's text.
    p.site.upsert({ ...(EXAMPLE_ARTICLES[5] as SiteArticle), slug: 'late-addition' });
    expect(await ingestAgain(p, before.records)).toEqual(before.records.map(() => 'unchanged'));
    // Full pages came back this time (not 304s), and their articles hashed the same.
    expect(p.site.fullPageResponses()).toBeGreaterThan(pagesServed);
    expect(await storedSnapshot(p)).toEqual(before);
    expect(p.events).toHaveLength(4);
  });

  it('a changed article becomes version 2; version 1 stays readable; one updated event', async () => {
    const p = await started();
    await crawlAndDrain(p);
    const original = EXAMPLE_ARTICLES[1] as SiteArticle;
    const record = (await siteRecords(p)).find((item) => item.url.endsWith(articlePath(original)));
    if (record === undefined) throw new Error('article not ingested');

    p.clock.now = new Date(p.clock.now.getTime() + 10 * 60_000);
    p.site.upsert({
      ...original,
      modifiedAt: p.clock.now.toISOString(),
      paragraphs: [
        ...original.paragraphs,
        'Update: the utility announced a hosepipe ban starting on 1 June.',
      ],
    });
    const summary = await crawlAndDrain(p);
    expect(summary.queued).toBe(1); // only the page whose lastmod moved past its last fetch

    const current = await p.store.articles.getRecord(record.id);
    expect(current?.version).toBe(2);
    expect((await p.store.articles.getArticle(record.id))?.content.text).toContain('hosepipe ban starting');
    expect((await p.store.articles.getArticle(record.id, 1))?.content.text).not.toContain(
      'hosepipe ban starting',
    );
    expect((await p.store.articles.listVersions(record.id)).map((version) => version.version).sort()).toEqual(
      [1, 2],
    );
    const updates = p.events.filter((event) => event.kind === 'updated');
    expect(updates).toHaveLength(1);
    expect(updates[0]?.article).toMatchObject({ id: record.id, version: 2 });
  });

  it.each([
    { failure: 'HTTP 410', response: { status: 410, body: '<h1>Gone</h1>' }, code: 'HTTP_ERROR' },
    {
      failure: 'not HTML',
      response: { status: 200, contentType: 'application/pdf', body: '%PDF-1.7' },
      code: 'NOT_HTML',
    },
    {
      failure: 'no article',
      response: { status: 200, body: '<html><body><nav><a href="/">Home</a></nav></body></html>' },
      code: 'NO_ARTICLE',
    },
  ])(
    'a page that fails permanently ($failure) is recorded, not retried, and skipped by later crawls',
    async ({ response, code }) => {
      const p = await started();
      const gone = EXAMPLE_ARTICLES[2] as SiteArticle;
      p.site.override(articlePath(gone), response);
      await crawlAndDrain(p);

      expect(p.site.requestCount(articlePath(gone))).toBe(1);
      expect(p.queue.stats()).toMatchObject({ retried: 0, deadLettered: 0 });
      const state = await p.store.crawlState.get(p.site.articleUrl(gone.slug));
      expect(state).toMatchObject({ permanentFailure: true, lastErrorCode: code, failureCount: 1 });
      expect(await siteRecords(p)).toHaveLength(3);

      p.clock.now = new Date(p.clock.now.getTime() + 48 * HOUR);
      const later = await crawlAndDrain(p);
      expect(later.skipped['permanent-failure']).toBe(1);
      expect(p.site.requestCount(articlePath(gone))).toBe(1);
    },
  );

  it('transient failures go back to the queue and end in the dead-letter list after 3 receives', async () => {
    const p = await started();
    const flaky = EXAMPLE_ARTICLES[0] as SiteArticle;
    p.site.override(articlePath(flaky), { status: 503, body: 'maintenance' });
    const response = await p.ingest.handler(sqsEvent([body(p.site.articleUrl(flaky.slug))]));
    expect(response.batchItemFailures).toHaveLength(1);
    const state = await p.store.crawlState.get(p.site.articleUrl(flaky.slug));
    expect(state).toMatchObject({ permanentFailure: false, lastErrorCode: 'HTTP_ERROR', failureCount: 1 });

    await p.queue.send([{ url: p.site.articleUrl(flaky.slug), discoveredAt: p.clock.now.toISOString() }]);
    await p.queue.drain();
    expect(p.queue.deadLetters).toHaveLength(1);
    expect(p.site.requestCount(articlePath(flaky))).toBe(1 + 3);

    // Once the site recovers, the next delivery lands.
    p.site.override(articlePath(flaky), undefined);
    const recovered = await p.ingest.handler(sqsEvent([body(p.site.articleUrl(flaky.slug))]));
    expect(recovered.batchItemFailures).toEqual([]);
    expect(await siteRecords(p)).toHaveLength(1);
  });

  it('a batch with one transient failure returns only that record to the queue; the others land', async () => {
    const p = await started();
    const [a, flaky, c] = EXAMPLE_ARTICLES as [SiteArticle, SiteArticle, SiteArticle];
    p.site.override(articlePath(flaky), { status: 503, body: 'maintenance' });
    const event = sqsEvent([a, flaky, c].map((article) => body(p.site.articleUrl(article.slug))));
    const response = await p.ingest.handler(event);
    expect(response.batchItemFailures).toEqual([{ itemIdentifier: event.Records[1]?.messageId }]);
    expect((await siteRecords(p)).map((record) => record.title).sort()).toEqual([a.title, c.title].sort());
  });

  it('a batch with a malformed record and a blocked URL: the good records land, nothing is retried', async () => {
    const p = await started();
    const [a, b] = EXAMPLE_ARTICLES as [SiteArticle, SiteArticle];
    const event = sqsEvent([
      body(p.site.articleUrl(a.slug)),
      '{"url": 42, "discoveredAt": "yesterday"',
      'not json at all',
      body('http://169.254.169.254/latest/meta-data/'),
      body(p.site.articleUrl(b.slug)),
    ]);
    const response = await p.ingest.handler(event);
    expect(response.batchItemFailures).toEqual([]);
    expect(p.outcomes.map((outcome) => outcome.status).sort()).toEqual([
      'created',
      'created',
      'failed',
      'failed',
      'failed',
    ]);
    expect(p.outcomes.find((outcome) => outcome.url.startsWith('http://169.254'))?.error?.code).toBe(
      'BLOCKED_ADDRESS',
    );
    expect(await siteRecords(p)).toHaveLength(2);
  });

  it('rejects an event that is not an SQS event with a typed error', async () => {
    const p = await started();
    await expect(p.ingest.handler({ hello: 'world' })).rejects.toMatchObject({ code: 'BAD_REQUEST' });
    await expect(p.crawl({ Records: [] })).rejects.toMatchObject({ code: 'BAD_REQUEST' });
  });

  it('a crash between the S3 writes and the DynamoDB commit leaves no visible article; the retry repairs it', async () => {
    const dynamodb = local.dynamoDbClient();
    const crash = armCommitCrash(dynamodb);
    const p = await started({ dynamodb });
    const article = EXAMPLE_ARTICLES[3] as SiteArticle;
    const url = p.site.articleUrl(article.slug);

    const first = await p.ingest.handler(sqsEvent([body(url)]));
    expect(crash.fired).toBe(1);
    expect(first.batchItemFailures).toHaveLength(1); // a store error is transient: SQS delivers it again
    expect(await siteRecords(p)).toEqual([]);
    expect(p.events).toEqual([]);

    const retry = await p.ingest.handler(sqsEvent([body(url)]));
    await p.bus.drain();
    expect(retry.batchItemFailures).toEqual([]);
    const records = await siteRecords(p);
    expect(records).toHaveLength(1);
    expect(records[0]?.version).toBe(1);
    expect((await p.store.articles.getArticle(records[0]?.id ?? ''))?.title).toBe(article.title);
    expect(p.events.map((event) => event.kind)).toEqual(['created']);
  });

  it('an event that could not be published is published by the retry, although the article is unchanged by then', async () => {
    const p = await started();
    const url = p.site.articleUrl((EXAMPLE_ARTICLES[1] as SiteArticle).slug);
    let failures = 1;
    const flakyBus = {
      publishArticleIngested: async (detail: Parameters<typeof p.bus.publishArticleIngested>[0]) => {
        if (failures-- > 0) throw new PipelineError('INTERNAL', 'event bus unavailable', { retryable: true });
        await p.bus.publishArticleIngested(detail);
      },
    };
    const ingest = createIngestService({
      fetchPage: (target, options) =>
        createFetcher({ allowedOrigins: [p.site.origin], retries: 0 }).fetch(target, options),
      extract,
      articles: p.store.articles,
      crawlState: p.store.crawlState,
      events: flakyBus,
      bucketName: p.store.bucketName,
      logger: silentLogger,
    });
    const first = await ingest.handler(sqsEvent([body(url)]));
    expect(first.batchItemFailures).toHaveLength(1);
    expect(await siteRecords(p)).toHaveLength(1); // committed; only the announcement is missing

    const retry = await ingest.handler(sqsEvent([body(url)]));
    await p.bus.drain();
    expect(retry.batchItemFailures).toEqual([]);
    expect(p.events.map((event) => event.kind)).toEqual(['created']);
    // And once announced, a further unchanged ingest stays quiet.
    await ingest.handler(sqsEvent([body(url)]));
    await p.bus.drain();
    expect(p.events).toHaveLength(1);
  });

  it('a failed crawl-state read is retried and leaves the stored state as it was', async () => {
    const p = await started();
    const url = p.site.articleUrl((EXAMPLE_ARTICLES[0] as SiteArticle).slug);
    await p.ingest.ingest({ url });
    const stored = await p.store.crawlState.get(url);
    expect(stored?.etag).toBeTruthy();

    let reads = 0;
    const ingest = createIngestService({
      fetchPage: () => {
        throw new Error('must not fetch without the crawl state');
      },
      extract,
      articles: p.store.articles,
      crawlState: {
        get: async () => {
          reads += 1;
          throw new PipelineError('INTERNAL', 'throttled', { retryable: true });
        },
        put: (state) => p.store.crawlState.put(state),
        markQueued: (...lease) => p.store.crawlState.markQueued(...lease),
      },
      events: p.bus,
      bucketName: p.store.bucketName,
      logger: silentLogger,
    });
    const outcome = await ingest.ingest({ url });
    expect(reads).toBe(1);
    expect(outcome).toMatchObject({ status: 'failed', retryable: true, error: { code: 'INTERNAL' } });
    expect(await p.store.crawlState.get(url)).toEqual(stored);
  });

  it('logs each outcome with the article URL and id (debug), and each batch with its counts and ingested ids', async () => {
    const logger = capturingLogger();
    const p = await started({ logger });
    const gone = EXAMPLE_ARTICLES[3] as SiteArticle;
    p.site.override(articlePath(gone), { status: 404, body: 'not here' });
    await crawlAndDrain(p);
    const records = await siteRecords(p);
    expect(records).toHaveLength(3);
    const byUrl = new Map(records.map((record) => [record.url, record.id]));

    const created = logger.entries.filter((entry) => entry.message === 'created');
    expect(created.map((entry) => [entry.attributes.url, entry.attributes.id]).sort()).toEqual(
      [...byUrl.entries()].sort(),
    );
    // A line per new article is debug output; at info level the batch line names them.
    expect(created.map((entry) => entry.level)).toEqual(['debug', 'debug', 'debug']);
    const failed = logger.entries.filter(
      (entry) => entry.level === 'error' && entry.message.startsWith('failed'),
    );
    expect(failed.map((entry) => entry.attributes.url)).toEqual([p.site.articleUrl(gone.slug)]);
    const batches = logger.entries.filter((entry) => entry.message === 'ingest batch done');
    const sum = (name: string) => batches.reduce((total, entry) => total + Number(entry.attributes[name]), 0);
    expect([sum('ingested'), sum('unchanged'), sum('failed')]).toEqual([3, 0, 1]);
    expect(batches.flatMap((entry) => entry.attributes.ingestedIds as string[]).sort()).toEqual(
      [...byUrl.values()].sort(),
    );

    // Answered 304: no page to read the id from, so it comes from the crawl state.
    logger.entries.length = 0;
    await ingestAgain(p, records);
    const unchanged = logger.entries.filter((entry) => entry.message === 'unchanged (not modified)');
    expect(unchanged.map((entry) => [entry.attributes.url, entry.attributes.id]).sort()).toEqual(
      [...byUrl.entries()].sort(),
    );
    expect(
      p.outcomes
        .filter((outcome) => outcome.status === 'unchanged')
        .map((outcome) => outcome.id)
        .sort(),
    ).toEqual([...byUrl.values()].sort());
  });

  it('a slow worker that started earlier and failed cannot overwrite the crawl state of a later success', async () => {
    const p = await started();
    const url = p.site.articleUrl((EXAMPLE_ARTICLES[2] as SiteArticle).slug);
    let releaseSlowFetch: () => void = () => {};
    const slowFetchReleased = new Promise<void>((resolve) => {
      releaseSlowFetch = resolve;
    });
    const slowWorker = createIngestService({
      fetchPage: async () => {
        await slowFetchReleased;
        throw new PipelineError('HTTP_ERROR', 'HTTP 503', { status: 503, retryable: true });
      },
      extract,
      articles: p.store.articles,
      crawlState: p.store.crawlState,
      events: p.bus,
      bucketName: p.store.bucketName,
      logger: silentLogger,
      now: () => new Date(p.clock.now.getTime() - 60_000), // started its fetch a minute before the other
    });
    const slow = slowWorker.ingest({ url });
    const fast = await p.ingest.ingest({ url });
    expect(fast.status).toBe('created');
    const afterSuccess = await p.store.crawlState.get(url);

    releaseSlowFetch();
    expect(await slow).toMatchObject({ status: 'failed', retryable: true });
    expect(await p.store.crawlState.get(url)).toEqual(afterSuccess);
    expect(afterSuccess).toMatchObject({ lastOutcome: 'created', failureCount: 0 });
  });

  it('a server ETag too long to keep is dropped, and the URL stays healthy (not a permanent failure)', async () => {
    const p = await started();
    const url = p.site.articleUrl((EXAMPLE_ARTICLES[1] as SiteArticle).slug);
    const fetcher = createFetcher({ allowedOrigins: [p.site.origin], retries: 0 });
    const ingest = createIngestService({
      fetchPage: async (target, options) => ({
        ...(await fetcher.fetch(target, options)),
        etag: `"${'e'.repeat(2000)}"`,
      }),
      extract,
      articles: p.store.articles,
      crawlState: p.store.crawlState,
      events: p.bus,
      bucketName: p.store.bucketName,
      logger: silentLogger,
    });
    expect(await ingest.ingest({ url })).toMatchObject({ status: 'created', version: 1 });
    const state = await p.store.crawlState.get(url);
    expect(state).toMatchObject({ lastOutcome: 'created', failureCount: 0, permanentFailure: false });
    expect(state?.etag).toBeUndefined();
    expect(state?.lastModified).toBeTruthy();
  });

  it('two concurrent ingests of one URL make one article at version 1', async () => {
    const p = await started();
    const url = p.site.articleUrl((EXAMPLE_ARTICLES[0] as SiteArticle).slug);
    const outcomes = await Promise.all([p.ingest.ingest({ url }), p.ingest.ingest({ url })]);
    await p.bus.drain();
    // Which one commits is a race; the other finds the same content committed. Neither makes a second version.
    expect(outcomes.map((outcome) => outcome.status).sort()).toEqual(['created', 'unchanged']);
    expect(outcomes.map((outcome) => outcome.version)).toEqual([1, 1]);
    const records = await siteRecords(p);
    expect(records).toHaveLength(1);
    expect(records[0]?.version).toBe(1);
    expect(await p.store.articles.listVersions(records[0]?.id ?? '')).toHaveLength(1);
    // Events are at least once: a duplicate may occur in a tie, but never for another version.
    expect(p.events.length).toBeGreaterThanOrEqual(1);
    for (const event of p.events) expect(event.article).toMatchObject({ id: records[0]?.id, version: 1 });
  });
});

/**
 * Fails the first write of an article's CURRENT item (the commit point) the way a crashed Lambda would leave
 * it: the S3 objects are written, the DynamoDB item is not. The client and the server are real.
 */
function armCommitCrash(dynamodb: DynamoDBClient): { fired: number } {
  const crash = { fired: 0 };
  dynamodb.middlewareStack.add(
    (next) => async (args) => {
      const request = args.request as { headers?: Record<string, string>; body?: unknown };
      const target = request.headers?.['x-amz-target'] ?? '';
      if (
        crash.fired === 0 &&
        target.endsWith('.PutItem') &&
        String(request.body).includes('"S":"CURRENT"')
      ) {
        crash.fired++;
        throw new Error('simulated crash before the DynamoDB commit');
      }
      return next(args);
    },
    { step: 'build', name: 'simulateCommitCrash' },
  );
  return crash;
}

describe('crawl → queue', () => {
  it('queues what is due in batches of 10, skipping URLs that are fresh, not due, or failed for good', async () => {
    const articles = Array.from({ length: 25 }, (_, n) => ({
      ...(EXAMPLE_ARTICLES[n % EXAMPLE_ARTICLES.length] as SiteArticle),
      slug: `story-${n}`,
    }));
    const p = await started({ articles });
    const at = p.clock.now;
    // Fetched after the sitemap's lastmod: fresh.
    await p.store.crawlState.put({
      url: p.site.articleUrl('story-0'),
      lastFetchedAt: at.toISOString(),
      lastOutcome: 'created',
      nextDueAt: new Date(at.getTime() + HOUR).toISOString(),
      failureCount: 0,
    });
    // A transient failure backing off: not due, whatever the sitemap says.
    await p.store.crawlState.put({
      url: p.site.articleUrl('story-2'),
      lastFetchedAt: at.toISOString(),
      lastOutcome: 'failed',
      lastErrorCode: 'TIMEOUT',
      nextDueAt: new Date(at.getTime() + HOUR).toISOString(),
      failureCount: 1,
      permanentFailure: false,
    });
    // Failed for good: never queued again by a crawl.
    await p.store.crawlState.put({
      url: p.site.articleUrl('story-1'),
      lastFetchedAt: at.toISOString(),
      lastOutcome: 'failed',
      lastErrorCode: 'NOT_HTML',
      failureCount: 1,
      permanentFailure: true,
    });
    const batches: IngestMessage[][] = [];
    const crawl = createCrawlHandler({
      sources: [{ url: p.site.sitemapUrl }],
      discover: (sourceUrl, options) => discover(sourceUrl, { allowedOrigins: [p.site.origin], ...options }),
      crawlState: p.store.crawlState,
      queue: { send: async (messages) => void batches.push(messages) },
      logger: silentLogger,
      now: () => at,
    });

    const summary = await crawl(scheduledEvent(at));
    expect(summary).toMatchObject({
      discovered: 25,
      queued: 22,
      skipped: { fresh: 1, 'not-due': 1, 'permanent-failure': 1 },
    });
    expect(batches.map((batch) => batch.length)).toEqual([10, 10, 2]);
    const queued = batches.flat().map((message) => message.url);
    expect(new Set(queued).size).toBe(22);
    for (const skipped of ['story-0', 'story-1', 'story-2']) {
      expect(queued).not.toContain(p.site.articleUrl(skipped));
    }
  });

  it('a failed crawl-state look-up does not stop the crawl: that URL is queued like an unknown one', async () => {
    const p = await started();
    const unlucky = p.site.articleUrl((EXAMPLE_ARTICLES[0] as SiteArticle).slug);
    const batches: IngestMessage[][] = [];
    const crawl = createCrawlHandler({
      sources: [{ url: p.site.sitemapUrl }],
      discover: (sourceUrl, options) => discover(sourceUrl, { allowedOrigins: [p.site.origin], ...options }),
      crawlState: {
        get: async (url) => {
          if (url === unlucky) throw new PipelineError('INTERNAL', 'throttled', { retryable: true });
          return p.store.crawlState.get(url);
        },
        put: (state) => p.store.crawlState.put(state),
        markQueued: (...lease) => p.store.crawlState.markQueued(...lease),
      },
      queue: { send: async (messages) => void batches.push(messages) },
      logger: silentLogger,
      now: () => p.clock.now,
    });
    const summary = await crawl(scheduledEvent(p.clock.now));
    expect(summary).toMatchObject({ discovered: 4, queued: 4 });
    expect(batches.flat().map((message) => message.url)).toContain(unlucky);
  });
});

describe('no duplicate work', () => {
  it('drops a message whose URL was fetched after it was queued, and no other', async () => {
    const p = await started();
    const [first, second] = EXAMPLE_ARTICLES as [SiteArticle, SiteArticle];
    const url = p.site.articleUrl(first.slug);
    const queuedAt = new Date(p.clock.now.getTime() - 60_000).toISOString();
    const message = (target: string, at: string): string =>
      JSON.stringify({ url: target, discoveredAt: at, queuedAt: at });
    await p.ingest.ingest({ url });
    const path = articlePath(first);
    const served = p.site.requestCount(path);
    // Fetched a minute after it was queued (a direct ingest got there first): dropped, no request, no write.
    await p.ingest.handler(sqsEvent([message(url, queuedAt)]));
    expect(p.outcomes.at(-1)).toMatchObject({ url, status: 'stale' });
    expect(p.site.requestCount(path)).toBe(served);
    // Queued after that fetch: handled as usual.
    const later = new Date(p.clock.now.getTime() + 1000).toISOString();
    const response = await p.ingest.handler(sqsEvent([message(url, later)]));
    expect(response.batchItemFailures).toEqual([]);
    expect(p.outcomes.at(-1)).toMatchObject({ url, status: 'unchanged' });
    // A message for a URL never fetched is never stale.
    await p.ingest.handler(sqsEvent([message(p.site.articleUrl(second.slug), queuedAt)]));
    expect(p.outcomes.at(-1)).toMatchObject({ status: 'created' });
  });

  it('keeps the crawl from queueing a URL whose message is still in flight; the fetch clears the marker', async () => {
    const p = await started();
    const batches: IngestMessage[][] = [];
    const markerMs = 4 * 24 * HOUR;
    const crawl = createCrawlHandler({
      sources: [{ url: p.site.sitemapUrl }],
      discover: (sourceUrl, options) => discover(sourceUrl, { allowedOrigins: [p.site.origin], ...options }),
      crawlState: p.store.crawlState,
      queue: { send: async (messages) => void batches.push(messages) },
      logger: silentLogger,
      now: () => p.clock.now,
      queueLeaseMs: markerMs,
    });
    const firstRun = await crawl(scheduledEvent(p.clock.now));
    expect(firstRun.queued).toBe(4);
    expect(batches.flat().every((message) => message.queuedAt === p.clock.now.toISOString())).toBe(true);
    // Three days of backlog later, nothing is queued again: every message is still in flight.
    p.clock.now = new Date(p.clock.now.getTime() + 3 * 24 * HOUR);
    const backlog = await crawl(scheduledEvent(p.clock.now));
    expect(backlog).toMatchObject({ queued: 0, skipped: { queued: 4 } });
    // Ingest handles one message: its fetch clears the marker, and the re-check schedule takes over (1 h).
    const [handled] = batches.flat() as [IngestMessage];
    await p.ingest.handler(sqsEvent([JSON.stringify(handled)]));
    expect(p.outcomes.at(-1)).toMatchObject({ status: 'created' });
    const state = await p.store.crawlState.get(handled.url);
    expect(state?.leaseUntil).toBeUndefined();
    expect(state?.nextDueAt).toBe(new Date(p.clock.now.getTime() + HOUR).toISOString());
  });

  it('drops a message that has outlived its in-flight marker (a crawl may have queued the URL again)', async () => {
    const p = await started();
    const outcomes: string[] = [];
    const fetcher = createFetcher({ allowedOrigins: [p.site.origin], minIntervalMs: 0, retries: 0 });
    const ingest = createIngestService({
      fetchPage: (url, options) => fetcher.fetch(url, options),
      extract,
      articles: p.store.articles,
      crawlState: p.store.crawlState,
      events: p.bus,
      bucketName: p.store.bucketName,
      logger: silentLogger,
      now: () => p.clock.now,
      inFlightMarker: { markerMs: 4 * 24 * HOUR, handlerBudgetMs: 15 * 60_000 },
      onOutcome: (outcome) => outcomes.push(outcome.status),
    });
    const url = p.site.articleUrl((EXAMPLE_ARTICLES[0] as SiteArticle).slug);
    const at = (ms: number) => new Date(p.clock.now.getTime() - ms).toISOString();
    const old = at(4 * 24 * HOUR - 10 * 60_000);
    const recent = at(HOUR);
    await ingest.handler(sqsEvent([JSON.stringify({ url, discoveredAt: old, queuedAt: old })]));
    await ingest.handler(sqsEvent([JSON.stringify({ url, discoveredAt: recent, queuedAt: recent })]));
    expect(outcomes).toEqual(['stale', 'created']);
  });
});
