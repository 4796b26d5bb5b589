import { DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import { afterEach, describe, expect, it } from 'vitest';
import { discover } from '../../lib/core/discover/index.ts';
import { findOrphanedMessages } from '../../lib/embedded/leases.ts';
import { createCrawlHandler, scheduledEvent } from '../../lib/handlers/crawl.ts';
import { bareLeaseOf, type IngestMessage } from '../../lib/queue/types.ts';
import { CRAWL_STATE_SK, crawlPk } from '../../lib/store/layout.ts';
import { useLocalServers } from '../helpers/local-servers.ts';
import { type Pipeline, silentLogger, sqsEvent, startPipeline } from './helpers.ts';

// Store layout 4: a new article's fetch is recorded by its commit (the CURRENT item), not by a crawl-state write of
// its own. These tests hold the guarantees the separate write gave: the lease ends, the next crawl decides from the
// fetch, a re-check leases the URL again, a message that comes back still gets its event, a restart re-queues
// nothing that was fetched.
const local = useLocalServers();
const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
let pipeline: Pipeline | undefined;

afterEach(async () => {
  await pipeline?.close();
  pipeline = undefined;
});

/** The crawl-state item as stored, without the fold readers apply. */
/** Calls `record` with the partition keys of every GetItem and BatchGetItem the client sends. */
function onItemReads(
  dynamodb: ReturnType<typeof local.dynamoDbClient>,
  record: (command: string, pks: string[]) => void,
): void {
  dynamodb.middlewareStack.add(
    (next, context) => async (args) => {
      const input = args.input as {
        Key?: Record<string, { S?: string }>;
        RequestItems?: Record<string, { Keys: Array<Record<string, { S?: string }>> }>;
      };
      const keys = input.Key ? [input.Key] : Object.values(input.RequestItems ?? {}).flatMap((r) => r.Keys);
      if (context.commandName === 'GetItemCommand' || context.commandName === 'BatchGetItemCommand')
        record(
          context.commandName,
          keys.map((key) => key.pk?.S ?? ''),
        );
      return next(args);
    },
    { step: 'build', name: 'recordItemReads' },
  );
}

async function storedStateItem(p: Pipeline, url: string): Promise<Record<string, unknown> | undefined> {
  const documents = DynamoDBDocumentClient.from(p.store.dynamodb);
  const key = { pk: crawlPk(url), sk: CRAWL_STATE_SK };
  return (await documents.send(new GetCommand({ TableName: p.store.tableName, Key: key }))).Item;
}

/**
 * A crawl of the site's feed (publication dates only: its URLs are re-checked on the time schedule) whose messages
 * are kept, not delivered, at the pipeline's clock.
 */
async function crawlKeepingMessages(p: Pipeline): Promise<IngestMessage[]> {
  const sent: IngestMessage[] = [];
  const crawl = createCrawlHandler({
    sources: [{ url: p.site.feedUrl }],
    discover: (sourceUrl, options) => discover(sourceUrl, { allowedOrigins: [p.site.origin], ...options }),
    crawlState: p.store.crawlState,
    queue: { send: async (messages) => void sent.push(...messages) },
    logger: silentLogger,
    now: () => p.clock.now,
    // As deployed (the in-flight marker outlives the queue's retention): a lease a fetch ended still looks live.
    queueLeaseMs: 4 * 24 * HOUR,
  });
  await crawl(scheduledEvent(p.clock.now));
  return sent;
}

describe('a new article’s fetch recorded by its commit (store layout 4)', () => {
  it('writes no crawl state of its own; readers see the outcome, the schedule and the lease ended', async () => {
    pipeline = await startPipeline(local);
    const p = pipeline;
    p.clock.now = new Date('2026-11-01T12:00:00.000Z');
    const messages = await crawlKeepingMessages(p);
    const message = messages[0] as IngestMessage;
    expect(message).toBeDefined();
    p.clock.now = new Date('2026-11-01T12:01:00.000Z');

    const outcome = await p.ingest.ingest(message);
    expect(outcome.status).toBe('created');
    // The item still holds only the crawl's lease: no write followed the commit.
    const stored = await storedStateItem(p, message.url);
    expect(stored).toMatchObject({ queuedAt: message.queuedAt });
    expect(stored?.lastFetchedAt).toBeUndefined();

    const state = await p.store.crawlState.get(message.url);
    expect(state).toMatchObject({
      lastFetchedAt: '2026-11-01T12:01:00.000Z',
      lastStatus: 200,
      lastOutcome: 'created',
      articleId: outcome.id,
      pageType: 'article',
      nextDueAt: '2026-11-01T13:01:00.000Z',
      recheckStep: 0,
      failureCount: 0,
      indexedFetch: true,
    });
    expect(state?.etag).toMatch(/^"[0-9a-f]+"$/);
    expect(state?.leaseUntil).toBeUndefined();
    expect((await p.store.crawlState.getMany?.([message.url]))?.get(message.url)).toEqual(state);

    // The same message again is its own retry (the batch ended before it returned): fetched, announced, recorded.
    const eventsBefore = p.events.length;
    expect(await p.ingest.ingest(message)).toMatchObject({ status: 'unchanged', id: outcome.id });
    expect(p.events.length).toBe(eventsBefore + 1);
    expect(await storedStateItem(p, message.url)).toMatchObject({ lastOutcome: 'unchanged' });

    // A message of an earlier crawl (queued before that fetch) is stale.
    const earlier = { ...message, queuedAt: '2026-11-01T11:00:00.000Z' };
    expect((await p.ingest.ingest(earlier)).status).toBe('stale');
  });

  it('a page ingested directly after the crawl queued it: the first-lease message, read no state, sends no second event', async () => {
    pipeline = await startPipeline(local);
    const p = pipeline;
    p.clock.now = new Date('2026-11-01T12:00:00.000Z');
    const message = (await crawlKeepingMessages(p))[0] as IngestMessage;
    expect(message.firstLease).toBe(true);
    p.clock.now = new Date('2026-11-01T12:01:00.000Z');
    expect((await p.ingest.ingest({ url: message.url })).status).toBe('created');
    const events = p.events.length;
    // Its first receive within the hour reads no crawl state (session 14), so it fetches the page once more; the
    // commit finds it unchanged, and that commit's event went out with the direct ingest.
    p.clock.now = new Date('2026-11-01T12:02:00.000Z');
    await p.ingest.handler(sqsEvent([JSON.stringify(message)]));
    expect(p.outcomes.at(-1)).toMatchObject({ url: message.url, status: 'unchanged' });
    expect(p.events.length).toBe(events);
  });

  it('a direct ingest whose event failed before its state write: the first-lease message finds it unchanged and sends the event', async () => {
    pipeline = await startPipeline(local);
    const p = pipeline;
    p.clock.now = new Date('2026-11-01T12:00:00.000Z');
    const message = (await crawlKeepingMessages(p))[0] as IngestMessage;
    p.clock.now = new Date('2026-11-01T12:01:00.000Z');
    const busDown = {
      publishArticleIngested: async () => {
        throw new Error('event bus unavailable');
      },
    };
    // The commit lands, its event does not, so the crawl state does not record the commit (events go first).
    expect(await p.ingest.ingest({ url: message.url }, { events: busDown })).toMatchObject({
      status: 'failed',
    });
    const events = p.events.length;
    p.clock.now = new Date('2026-11-01T12:02:00.000Z');
    await p.ingest.handler(sqsEvent([JSON.stringify(message)]));
    expect(p.outcomes.at(-1)).toMatchObject({ url: message.url, status: 'unchanged' });
    await p.bus.drain();
    // At least once: the commit nobody announced is announced now.
    expect(p.events.length).toBe(events + 1);
    expect(p.events.at(-1)?.article.url).toBe(message.url);
  });

  it.each([
    ['its event went out: not sent again', false],
    ['its event failed before its state write: sent now', true],
  ])(
    'a time re-check carrying the fetch its crawl read: a direct ingest since is not seen (one fetch more); %s',
    async (_, busFails) => {
      pipeline = await startPipeline(local);
      const p = pipeline;
      p.clock.now = new Date('2026-11-01T12:00:00.000Z');
      const first = (await crawlKeepingMessages(p))[0] as IngestMessage;
      p.clock.now = new Date('2026-11-01T12:01:00.000Z');
      await p.ingest.handler(sqsEvent([JSON.stringify(first)]));
      expect(p.events).toHaveLength(1);
      // The owner's crawl that queues the 1-h step reads the bare first lease with the article (session 14: folded) and
      // its message carries that fetch (session 15). This crawl has no registry (no owner): read as an owner's would be.
      p.clock.now = new Date('2026-11-01T13:01:00.000Z');
      const stored = (await p.store.crawlState.getMany?.([first.url]))?.get(first.url);
      const read = stored && { ...stored, foldedFirstLease: true };
      const step: IngestMessage = {
        url: first.url,
        discoveredAt: p.clock.now.toISOString(),
        queuedAt: p.clock.now.toISOString(),
        recheck: { step: 0, dueAt: '2026-11-01T13:00:00.000Z', ...bareLeaseOf(read) },
      };
      expect(step.recheck).toMatchObject({
        bareLease: first.queuedAt,
        fetched: { at: '2026-11-01T12:01:00.000Z', articleId: read?.articleId },
      });
      // The page changes and is ingested directly before the step's message is handled.
      const article = p.site.articles().find((a) => first.url.endsWith(a.slug));
      expect(article).toBeDefined();
      p.site.upsert({
        ...article!,
        paragraphs: [...article!.paragraphs, 'A correction was added on Sunday.'],
      });
      p.clock.now = new Date('2026-11-01T13:02:00.000Z');
      const busDown = {
        publishArticleIngested: async () => {
          throw new Error('event bus unavailable');
        },
      };
      expect((await p.ingest.ingest({ url: first.url }, busFails ? { events: busDown } : {})).status).toBe(
        busFails ? 'failed' : 'updated',
      );
      const events = p.events.length;
      // The step's message does not see that fetch: it fetches once more (its validators are the first fetch's) and
      // finds the version the direct ingest committed, whose event went out with it.
      p.clock.now = new Date('2026-11-01T13:03:00.000Z');
      const pages = p.site.fullPageResponses();
      await p.ingest.handler(sqsEvent([JSON.stringify(step)]));
      expect(p.site.fullPageResponses()).toBe(pages + 1);
      expect(p.outcomes.at(-1)).toMatchObject({ url: first.url, status: 'unchanged' });
      await p.bus.drain();
      // Once: not again when the direct ingest's went out, and now when it did not (at least once, never lost).
      expect(p.events.length).toBe(events + (busFails ? 1 : 0));
    },
  );

  it('the next crawl decides from the recorded fetch, and re-leases the URL when its re-check is due', async () => {
    pipeline = await startPipeline(local);
    const p = pipeline;
    p.clock.now = new Date('2026-11-01T12:00:00.000Z');
    const first = await crawlKeepingMessages(p);
    p.clock.now = new Date('2026-11-01T12:01:00.000Z');
    for (const message of first) expect((await p.ingest.ingest(message)).status).toBe('created');

    p.clock.now = new Date('2026-11-01T12:15:00.000Z');
    expect(await crawlKeepingMessages(p)).toEqual([]);

    // The 1-h re-check: the lease the fetch ended is replaced by the crawl's new one, and its 304 writes nothing.
    p.clock.now = new Date('2026-11-01T13:02:00.000Z');
    const rechecks = await crawlKeepingMessages(p);
    expect(rechecks.map((m) => m.url).sort()).toEqual(first.map((m) => m.url).sort());
    const url = rechecks[0]?.url as string;
    expect(await storedStateItem(p, url)).toMatchObject({
      queuedAt: '2026-11-01T13:02:00.000Z',
      presumedAt: '2026-11-01T13:02:00.000Z',
      recheckStep: 1,
    });
    expect(await p.store.crawlState.get(url)).toMatchObject({
      lastOutcome: 'created',
      leaseUntil: expect.any(String),
      recheckStep: 1,
    });
    p.clock.now = new Date('2026-11-01T13:03:00.000Z');
    expect((await p.ingest.ingest(rechecks[0] as IngestMessage)).status).toBe('unchanged');
    p.clock.now = new Date('2026-11-01T13:20:00.000Z');
    expect(await crawlKeepingMessages(p)).toEqual([]);
  });

  it('a later version from another URL, or re-extracted, keeps the fetch its URL’s state reads', async () => {
    pipeline = await startPipeline(local);
    const p = pipeline;
    p.clock.now = new Date('2026-11-01T12:00:00.000Z');
    const [message] = (await crawlKeepingMessages(p)) as [IngestMessage];
    p.clock.now = new Date('2026-11-01T12:01:00.000Z');
    const created = await p.ingest.ingest(message);
    const before = await p.store.crawlState.get(message.url);
    const article = await p.store.articles.getArticle(created.id as string);
    const raw = await p.store.articles.getRawPage(created.id as string);
    if (article === undefined || raw === undefined) throw new Error('not stored');

    // A page with this canonical URL fetched from another URL, with new text: a second version.
    const changed = { ...article, contentHash: 'd'.repeat(64), title: `${article.title} (updated)` };
    const alias = { ...raw, url: `${message.url}?amp=1`, fetchedAt: '2026-11-01T12:05:00.000Z' };
    expect((await p.store.articles.commit(changed, alias)).status).toBe('updated');
    // Re-extracted from the stored page: a third.
    const reextracted = { ...article, contentHash: 'e'.repeat(64) };
    const replaced = await p.store.articles.commit(reextracted, raw, {
      replaces: { version: 2, reason: 'reextracted' },
    });
    expect(replaced.record.version).toBe(3);

    expect(await p.store.crawlState.get(message.url)).toMatchObject({
      lastFetchedAt: before?.lastFetchedAt,
      etag: before?.etag,
      nextDueAt: before?.nextDueAt,
      indexedFetch: true,
    });
  });

  it('a URL’s first lease: ingest reads no article item, neither for an earlier fetch nor before its commit', async () => {
    const dynamodb = local.dynamoDbClient();
    const articleReads: string[] = [];
    onItemReads(dynamodb, (command, pks) => {
      if (command === 'GetItemCommand') articleReads.push(...pks.filter((pk) => pk.startsWith('ARTICLE#')));
    });
    pipeline = await startPipeline(local, { dynamodb });
    const p = pipeline;
    p.clock.now = new Date('2026-11-01T12:00:00.000Z');
    const [message, other] = (await crawlKeepingMessages(p)) as [IngestMessage, IngestMessage];
    expect(message.firstLease).toBe(true);
    p.clock.now = new Date('2026-11-01T12:01:00.000Z');
    expect((await p.ingest.ingest(message)).status).toBe('created');
    expect(articleReads).toEqual([]);

    // The same URL's lease is not the first once the URL has a state: the re-check needs its fetch back, which its
    // crawl read from the article and wrote with the lease, so ingest reads no article item for it either.
    expect((await p.ingest.ingest(other)).status).toBe('created');
    p.clock.now = new Date('2026-11-01T13:02:00.000Z');
    const rechecks = await crawlKeepingMessages(p);
    expect(rechecks.length).toBeGreaterThan(0);
    expect(rechecks.filter((m) => m.firstLease !== undefined)).toEqual([]);
    const recheck = rechecks.find((m) => m.url === message.url) as IngestMessage;
    p.clock.now = new Date('2026-11-01T13:03:00.000Z');
    expect((await p.ingest.ingest(recheck)).status).toBe('unchanged');
    expect(articleReads).toEqual([]);
    expect(recheck.firstLease).toBeUndefined();
  });

  it('a re-check’s lease carries the fetch its crawl read from the article: its message reads no article item', async () => {
    const dynamodb = local.dynamoDbClient();
    const articleReads: string[] = [];
    onItemReads(dynamodb, (_command, pks) =>
      articleReads.push(...pks.filter((pk) => pk.startsWith('ARTICLE#'))),
    );
    pipeline = await startPipeline(local, { dynamodb });
    const p = pipeline;
    p.clock.now = new Date('2026-11-01T12:00:00.000Z');
    const first = await crawlKeepingMessages(p);
    p.clock.now = new Date('2026-11-01T12:01:00.000Z');
    const created = new Map<string, string>();
    for (const message of first) {
      const outcome = await p.ingest.ingest(message);
      expect(outcome.status).toBe('created');
      created.set(message.url, outcome.id as string);
    }
    // The 1-h re-check: the crawl reads the fetch from the article (the item holds only the first lease) and writes
    // it into the crawl-state item with the new lease.
    p.clock.now = new Date('2026-11-01T13:02:00.000Z');
    const rechecks = await crawlKeepingMessages(p);
    expect(rechecks.length).toBe(first.length);
    const recheck = rechecks[0] as IngestMessage;
    const stored = await storedStateItem(p, recheck.url);
    expect(stored).toMatchObject({
      queuedAt: '2026-11-01T13:02:00.000Z',
      presumedAt: '2026-11-01T13:02:00.000Z',
      lastFetchedAt: '2026-11-01T12:01:00.000Z',
      lastOutcome: 'created',
      articleId: created.get(recheck.url),
      contentHash: expect.any(String),
      recheckStep: 1,
    });
    // What a reader that folds the article in sees is what the item says.
    const { indexedFetch: _folded, ...folded } = (await p.store.crawlState.get(recheck.url)) ?? {};
    expect(await p.store.crawlState.get(recheck.url, { ownLease: recheck.queuedAt as string })).toEqual(
      folded,
    );
    // Its message reads the state alone: no article item, and the 304 (validators from the item) writes nothing.
    articleReads.length = 0;
    p.clock.now = new Date('2026-11-01T13:03:00.000Z');
    expect((await p.ingest.ingest(recheck)).status).toBe('unchanged');
    expect(articleReads).toEqual([]);
    expect(await storedStateItem(p, recheck.url)).toEqual(stored);
  });

  it('an ingest batch reads no crawl state and no article item for first leases received the first time', async () => {
    const dynamodb = local.dynamoDbClient();
    const reads: Array<{ command: string; pks: string[] }> = [];
    onItemReads(dynamodb, (command, pks) => reads.push({ command, pks }));
    pipeline = await startPipeline(local, { dynamodb });
    const p = pipeline;
    p.clock.now = new Date('2026-11-01T12:00:00.000Z');
    const messages = await crawlKeepingMessages(p);
    expect(messages.length).toBeGreaterThan(1);
    expect(messages.every((message) => message.firstLease === true)).toBe(true);
    p.clock.now = new Date('2026-11-01T12:01:00.000Z');
    reads.length = 0;
    await p.ingest.handler(sqsEvent(messages.map((message) => JSON.stringify(message))));
    expect(p.outcomes.map((outcome) => outcome.status)).toEqual(messages.map(() => 'created'));
    // Each item holds just the message's lease (session 14): nothing to read (retries read it in one batched read:
    // ingest-batched-reads.test.ts).
    expect(reads.filter((read) => read.pks.some((pk) => pk.startsWith('CRAWL#')))).toEqual([]);
    expect(reads.filter((read) => read.pks.some((pk) => pk.startsWith('ARTICLE#')))).toEqual([]);
  });

  it('a restart re-queues the URLs whose messages died, not those whose commit recorded the fetch', async () => {
    pipeline = await startPipeline(local);
    const p = pipeline;
    p.clock.now = new Date(Date.now() - HOUR);
    const messages = await crawlKeepingMessages(p);
    expect(messages.length).toBeGreaterThan(1);
    p.clock.now = new Date(p.clock.now.getTime() + MINUTE);
    const [done, ...died] = messages as [IngestMessage, ...IngestMessage[]];
    expect((await p.ingest.ingest(done)).status).toBe('created');

    const orphans = await findOrphanedMessages(p.store.dynamodb, p.store.tableName, new Date());
    expect(orphans.map((m) => m.url).sort()).toEqual(died.map((m) => m.url).sort());
  });
});
