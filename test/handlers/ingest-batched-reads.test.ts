import { describe, expect, it } from 'vitest';
import { PipelineError } from '../../lib/core/errors.ts';
import { hostBusy } from '../../lib/core/fetch/shared-politeness.ts';
import { InProcessEventBus } from '../../lib/events/in-process.ts';
import { createIngestService } from '../../lib/handlers/ingest.ts';
import type { IngestMessage } from '../../lib/queue/types.ts';
import type { ArticleWriter, CrawlStateRecord, CrawlStateStore } from '../../lib/store/types.ts';
import { body, silentLogger, sqsEvent } from './helpers.ts';

const urls = ['https://a.example/1', 'https://b.example/2', 'https://c.example/3'];

/** A crawl-state store that records how it is read; every URL is a stored article with an ETag. */
function countingStates(options: { failBatch?: boolean } = {}) {
  const reads = {
    single: [] as string[],
    batches: [] as string[][],
    ownFirstLeases: [] as Array<Map<string, string>>,
  };
  const state = (url: string): CrawlStateRecord => ({
    url,
    lastFetchedAt: new Date(Date.now() - 7_200_000).toISOString(),
    lastOutcome: 'created',
    lastStatus: 200,
    etag: `"${url.length}"`,
    failureCount: 0,
  });
  const store = {
    get: async (url: string) => {
      reads.single.push(url);
      return state(url);
    },
    getMany: async (many: readonly string[], read?: { ownFirstLeases?: ReadonlyMap<string, string> }) => {
      reads.batches.push([...many]);
      reads.ownFirstLeases.push(new Map(read?.ownFirstLeases ?? []));
      if (options.failBatch) throw new PipelineError('INTERNAL', 'read failed', { retryable: true });
      return new Map(many.map((url) => [url, state(url)]));
    },
    put: async () => true,
  } as unknown as CrawlStateStore;
  return { store, reads };
}

function service(crawlState: CrawlStateStore, knownBusy?: (url: string) => PipelineError | undefined) {
  const sent: Array<string | undefined> = [];
  const ingest = createIngestService({
    fetchPage: async (url, options) => {
      sent.push(options.validators?.etag);
      return { requestedUrl: url, url, status: 304, notModified: true, body: new Uint8Array() };
    },
    extract: () => {
      throw new Error('a 304 is not extracted');
    },
    articles: {} as unknown as ArticleWriter,
    crawlState,
    events: new InProcessEventBus(),
    bucketName: 'bucket',
    logger: silentLogger,
    queue: { send: async () => {}, sendDelayed: async () => {} },
    ...(knownBusy ? { knownBusy } : {}),
  });
  return { ingest, sent };
}

/** The event's records as received a second time (an earlier attempt handled them). */
function retried(event: ReturnType<typeof sqsEvent>): ReturnType<typeof sqsEvent> {
  return {
    Records: event.Records.map((record) => ({
      ...record,
      attributes: { ...record.attributes, ApproximateReceiveCount: '2' },
    })),
  };
}

describe("an ingest batch's crawl-state reads", () => {
  it('are one batched read for the batch, each record getting its own state', async () => {
    const { store, reads } = countingStates();
    const { ingest, sent } = service(store);
    const response = await ingest.handler(sqsEvent(urls.map(body)));
    expect(response.batchItemFailures).toEqual([]);
    expect(reads.single).toEqual([]);
    expect(reads.batches).toHaveLength(1);
    expect([...(reads.batches[0] ?? [])].sort()).toEqual(urls);
    // Each fetch was conditional on its own URL's validators.
    expect(sent.sort()).toEqual(urls.map((url) => `"${url.length}"`).sort());
  });

  it("skip a URL's fold only when every message for it in the batch holds the same first lease", async () => {
    const { store, reads } = countingStates();
    const { ingest } = service(store);
    const queuedAt = new Date(Date.now() - 60_000).toISOString();
    const first = (url: string) =>
      JSON.stringify({ url, discoveredAt: queuedAt, queuedAt, firstLease: true } satisfies IngestMessage);
    // urls[0]: its first lease alone; urls[1]: the first lease and a message without one. Received again (a first
    // receive of a first lease reads no state at all: below).
    await ingest.handler(
      retried(sqsEvent([first(urls[0] as string), first(urls[1] as string), body(urls[1] as string)])),
    );
    expect(reads.ownFirstLeases).toEqual([new Map([[urls[0], queuedAt]])]);
  });

  it("read no state for a crawl's first lease received for the first time within the hour; a write reads it first", async () => {
    const { store, reads } = countingStates();
    const writes: CrawlStateRecord[] = [];
    store.put = async (state) => {
      writes.push(state);
      return true;
    };
    const failing = createIngestService({
      fetchPage: async () => {
        throw new PipelineError('CONNECTION_FAILED', 'connection reset', { retryable: true });
      },
      extract: () => {
        throw new Error('nothing is extracted');
      },
      articles: {} as unknown as ArticleWriter,
      crawlState: store,
      events: new InProcessEventBus(),
      bucketName: 'bucket',
      logger: silentLogger,
    });
    const message = (url: string, ageMs: number, extra: Partial<IngestMessage> = {}) => {
      const queuedAt = new Date(Date.now() - ageMs).toISOString();
      return JSON.stringify({ url, discoveredAt: queuedAt, queuedAt, firstLease: true, ...extra });
    };
    // urls[0]: a first lease a minute old, first received: no read until its failure is written (the stored state
    // is the base of that write). urls[1]: the same, received again: read in the batch. urls[2]: two hours old
    // (a time re-check may have fetched the URL since): read in the batch.
    const fresh = sqsEvent([message(urls[0] as string, 60_000)]);
    const again = retried(sqsEvent([message(urls[1] as string, 60_000)]));
    const old = sqsEvent([message(urls[2] as string, 2 * 3_600_000)]);
    await failing.handler({ Records: [...fresh.Records, ...again.Records, ...old.Records] });
    expect(reads.batches.map((batch) => [...batch].sort())).toEqual([[urls[1], urls[2]]]);
    expect(reads.single).toEqual([urls[0]]);
    expect(writes.map((state) => [state.url, state.etag, state.failureCount])).toEqual(
      expect.arrayContaining([[urls[0], `"${(urls[0] as string).length}"`, 1]]),
    );
  });

  it('leave out the crawl-state item of a time re-check whose crawl read it as the bare first lease', async () => {
    const { store, reads } = countingStates();
    const known: Array<ReadonlyMap<string, CrawlStateRecord> | undefined> = [];
    const getMany = store.getMany?.bind(store);
    store.getMany = async (many, read) => {
      known.push(read?.known);
      return (getMany as NonNullable<typeof getMany>)(
        many.filter((url) => !read?.known?.has(url)),
        read,
      );
    };
    const { ingest } = service(store);
    const queuedAt = new Date(Date.now() - 3_600_000).toISOString();
    const recheck = (url: string, bareLease?: string) =>
      JSON.stringify({
        url,
        discoveredAt: queuedAt,
        queuedAt,
        recheck: { step: 0, dueAt: queuedAt, ...(bareLease === undefined ? {} : { bareLease }) },
      });
    await ingest.handler(sqsEvent([recheck(urls[0] as string, queuedAt), recheck(urls[1] as string)]));
    expect(reads.batches.map((batch) => [...batch].sort())).toEqual([[urls[1]]]);
    expect([...(known[0]?.keys() ?? [])]).toEqual([urls[0]]);
  });

  it('leave out the records put back before any read; a failed batched read fails its records for a retry', async () => {
    const busy = countingStates();
    const { ingest } = service(busy.store, (url) =>
      url === urls[1] ? hostBusy(new URL(url), 1_000) : undefined,
    );
    await ingest.handler(sqsEvent(urls.map(body)));
    expect(busy.reads.batches.map((batch) => [...batch].sort())).toEqual([[urls[0], urls[2]]]);

    const failing = countingStates({ failBatch: true });
    const response = await service(failing.store).ingest.handler(sqsEvent(urls.map(body)));
    expect(response.batchItemFailures).toHaveLength(urls.length);
  });
});
