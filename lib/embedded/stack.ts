import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type CrawlSource, ENV, loadConfig } from '../config.ts';
import type { PageType } from '../core/article.ts';
import type { FetcherConfig } from '../core/fetch/index.ts';
import { newSourceRecord } from '../core/sources.ts';
import { InProcessEventBus } from '../events/in-process.ts';
import { buildCrawlHandlers } from '../handlers/build-crawl.ts';
import { buildIngestService } from '../handlers/build-ingest.ts';
import {
  type CrawlSourceMessage,
  type CrawlSummary,
  type SourceCrawlSummary,
  scheduledEvent,
} from '../handlers/crawl.ts';
import type { IngestOutcome, IngestService } from '../handlers/ingest.ts';
import { createLogger } from '../handlers/logging.ts';
import { createQueryHandler } from '../handlers/query.ts';
import { awsClientConfig } from '../handlers/wiring.ts';
import { InProcessIngestQueue } from '../queue/in-process.ts';
import type { IngestMessage } from '../queue/types.ts';
import { createDynamoDbClient } from '../store/aws/clients.ts';
import { createAwsStore } from '../store/aws/index.ts';
import { createS3Client } from '../store/aws/s3-client.ts';
import type { ArticleReader, ClusterIndex, CrawlStateStore, SourceRegistry } from '../store/types.ts';
import type { SiteArticle } from './example-site/articles.ts';
import { type SiteServer, startSiteServer } from './example-site/server.ts';
import { findOrphanedMessages } from './leases.ts';
import { lockDataDir } from './lock.ts';
import { loadOrCreateCursorSecret, type QueryServer, startQueryServer } from './query-server.ts';
import { type DynamoDbEngine, type LocalServers, startLocalServers } from './servers.ts';
import { startLocalServersProcess } from './servers-process.ts';
import { startLocalServersThread } from './servers-thread.ts';

/**
 * The whole pipeline on one machine: S3/DynamoDB-compatible servers, the crawl handler on a timer, the ingest
 * handler behind an in-process queue, an in-process event bus and the query API on node:http. The handlers
 * are built by the same functions as the Lambdas, from the same environment variables (lib/config.ts ENV).
 */
export interface EmbeddedStackOptions {
  /** Kept across restarts; undefined = a temporary directory removed on stop. */
  dataDir?: string;
  engine?: DynamoDbEngine;
  /**
   * Sources added to the registry at start (those already registered are kept as they are); undefined = the
   * bundled example site, served on loopback. The crawl reads the registry, whatever was added before.
   */
  sources?: CrawlSource[];
  /** Articles for the bundled site instead of the example ones (the benchmark serves generated pages). */
  exampleArticles?: SiteArticle[];
  /** Query API port: 3000 by default, 0 for any free port, false for no query API. */
  port?: number | false;
  host?: string;
  /** Crawl every this many ms; undefined or 0 = only when crawl() is called. */
  intervalMs?: number;
  allowPrivateNetwork?: boolean;
  /** Origins trusted whatever their address (ENV.allowedOrigins); the example site's is added by itself. */
  allowedOrigins?: string[];
  /** Page types ingest stores (ENV.ingestPageTypes); the environment's, else articles only. */
  ingestPageTypes?: readonly PageType[];
  /** Ingest batches (of up to 10 records) in flight at once. */
  concurrency?: number;
  /** Records per ingest batch (the SQS event source's batch size); 10 unless given. */
  batchSize?: number;
  /** The event source's batching window: how long a short batch waits for more records (0 unless given). */
  batchWindowMs?: number;
  /** Sources crawled at once (crawl tasks in flight). Default 4. */
  crawlConcurrency?: number;
  /** Wait before a failed record is delivered again. */
  retryDelayMs?: number;
  maxReceiveCount?: number;
  /** Fetcher settings (politeness, limits); the example site defaults to no per-host pacing. */
  fetcher?: FetcherConfig;
  logLevel?: 'DEBUG' | 'INFO' | 'WARN' | 'ERROR' | 'SILENT';
  /**
   * Run the S3/DynamoDB servers on a worker thread (the second core) instead of the handlers' event loop.
   * Needs a runtime that can load this TypeScript in workers (tsx via --import, as `npm start` runs).
   */
  serversThread?: boolean;
  /**
   * Run the S3/DynamoDB servers in a child process instead (takes precedence over serversThread): their memory
   * (dynalite's LevelDB, s3rver) stays out of this process, as the services' does in AWS. `serversPid` names it.
   */
  serversProcess?: boolean;
  onProgress?: (event: ProgressEvent) => void;
  onOutcome?: (outcome: IngestOutcome, message: IngestMessage | undefined) => void;
}

export type ProgressEvent =
  | { kind: 'crawl'; summary: CrawlSummary }
  /** One source crawled: `done` of the `total` this round scheduled. */
  | { kind: 'source'; summary: SourceCrawlSummary; done: number; total: number }
  | { kind: 'resumed-sources'; count: number }
  | { kind: 'crawl-failed'; error: string }
  | { kind: 'ingest'; outcome: IngestOutcome }
  | { kind: 'dead-letter'; count: number }
  /** Queue leases of URLs the previous run queued but never finished, released so this run queues them. */
  | { kind: 'resumed'; count: number };

export interface ProgressTotals {
  crawls: number;
  discovered: number;
  queued: number;
  ingested: number;
  unchanged: number;
  /** Pages of a type that is not stored (INGEST_PAGE_TYPES), by type. */
  skipped: number;
  skippedByType: Partial<Record<PageType, number>>;
  failed: number;
  deadLettered: number;
}

export interface EmbeddedStack {
  /** The environment the handlers were built from (the same variables as in AWS). */
  env: Record<string, string>;
  queryUrl?: string;
  exampleSite?: SiteServer;
  sources: CrawlSource[];
  dataDir?: string;
  /** The storage servers' process, when they run in one of their own (serversProcess). */
  serversPid?: number;
  bus: InProcessEventBus;
  queue: InProcessIngestQueue;
  reader: ArticleReader;
  crawlState: CrawlStateStore;
  /** The crawl sources registry (the same table). */
  registry: SourceRegistry;
  /** The near-duplicate index (the same table). */
  clusters: ClusterIndex;
  /** The ingest handler's logic, for ingesting given URLs directly (the `ingest` CLI). */
  ingest: IngestService;
  /**
   * One crawl round (the timer does the same): the schedule hands every due source of the registry to the
   * crawl workers; resolves when all of them are done (ingest goes on).
   */
  crawl(): Promise<CrawlSummary>;
  /** The crawl-task queue (one message per due source). */
  crawlQueue: InProcessIngestQueue;
  /** Waits until the queue is empty and every event has been delivered. */
  drain(): Promise<void>;
  /** One crawl, then drain: what `npm start -- --once` does. */
  runOnce(): Promise<ProgressTotals>;
  totals(): ProgressTotals;
  stop(): Promise<void>;
}

const EXAMPLE_SITE_PORT_FILE = 'example-site-port';
export const DEFAULT_QUERY_PORT = 3000;

export async function startEmbeddedStack(options: EmbeddedStackOptions = {}): Promise<EmbeddedStack> {
  const stops: Array<() => Promise<void>> = [];
  const stopAll = async () => {
    for (const stop of stops.reverse()) await stop().catch(() => {});
    stops.length = 0;
  };
  try {
    return await start(options, stops, stopAll);
  } catch (error) {
    await stopAll();
    throw error;
  }
}

async function start(
  options: EmbeddedStackOptions,
  stops: Array<() => Promise<void>>,
  stopAll: () => Promise<void>,
): Promise<EmbeddedStack> {
  const startedAt = new Date();
  if (options.dataDir !== undefined) {
    const release = await lockDataDir(options.dataDir);
    stops.push(release);
  }
  const serverOptions = {
    ...(options.dataDir === undefined ? {} : { dataDir: options.dataDir }),
    ...(options.engine === undefined ? {} : { engine: options.engine }),
  };
  const servers: LocalServers & { pid?: number } = options.serversProcess
    ? await startLocalServersProcess(serverOptions)
    : options.serversThread
      ? await startLocalServersThread(serverOptions)
      : await startLocalServers(serverOptions);
  stops.push(() => servers.stop());

  const store = createAwsStore({
    s3: createS3Client(awsClientConfig(servers.env), servers.env),
    dynamodb: createDynamoDbClient(awsClientConfig(servers.env), servers.env),
    bucketName: servers.bucketName,
    tableName: servers.tableName,
  });
  let exampleSite: SiteServer | undefined;
  let sources = options.sources;
  // No sources given: the example site, when the registry is empty or the example site was crawled before
  // from this data directory; a registry filled by `articles sources` is crawled as it is.
  if (sources === undefined && !(await usedExampleSite(options.dataDir))) {
    const registered = await store.sources.list({ limit: 1 });
    if (registered.items.length > 0) sources = [];
  }
  if (sources === undefined) {
    // The example site keeps its port across restarts, so its URLs (and article ids) stay the same.
    exampleSite = await startSiteServer({
      ...(options.exampleArticles ? { articles: options.exampleArticles } : {}),
      port: await rememberedPort(options.dataDir),
    });
    stops.push(() => (exampleSite as SiteServer).close());
    await rememberPort(options.dataDir, Number(new URL(exampleSite.origin).port));
    sources = [{ url: exampleSite.feedUrl }, { url: exampleSite.sitemapUrl }];
  }

  const cursorSecret = await loadOrCreateCursorSecret(options.dataDir, process.env[ENV.cursorSecret]);
  const env: Record<string, string> = {
    ...servers.env,
    [ENV.crawlSources]: JSON.stringify(sources),
    [ENV.allowPrivateNetwork]: options.allowPrivateNetwork ? 'true' : 'false',
    // Only the example site's own origin is trusted on loopback; every other private address stays blocked.
    [ENV.allowedOrigins]: [
      ...(exampleSite ? [exampleSite.origin] : []),
      ...(options.allowedOrigins ?? []),
    ].join(','),
    [ENV.ingestQueueUrl]: 'embedded://ingest-queue',
    [ENV.eventBusName]: 'embedded',
    [ENV.cursorSecret]: cursorSecret,
    [ENV.logLevel]: options.logLevel ?? 'WARN',
    [ENV.serviceName]: 'article-pipeline',
    ...(process.env[ENV.userAgent] ? { [ENV.userAgent]: process.env[ENV.userAgent] as string } : {}),
    ...(options.ingestPageTypes !== undefined
      ? { [ENV.ingestPageTypes]: options.ingestPageTypes.join(',') }
      : process.env[ENV.ingestPageTypes]
        ? { [ENV.ingestPageTypes]: process.env[ENV.ingestPageTypes] as string }
        : {}),
  };
  const config = loadConfig(env);
  const logLevel = options.logLevel ?? 'WARN';
  const fetcher: FetcherConfig = {
    // Loopback sites are ours: no pacing. Real sources get the fetcher's default politeness.
    ...(exampleSite ? { minIntervalMs: 0, maxConcurrentPerHost: 16 } : {}),
    ...options.fetcher,
  };

  const totals: ProgressTotals = {
    crawls: 0,
    discovered: 0,
    queued: 0,
    ingested: 0,
    unchanged: 0,
    skipped: 0,
    skippedByType: {},
    failed: 0,
    deadLettered: 0,
  };
  const progress = options.onProgress ?? (() => {});

  const bus = new InProcessEventBus();
  // Busy hosts' messages are put back on the same in-process queue (built below: it needs the handler).
  let queueRef: InProcessIngestQueue | undefined;
  const ingest = buildIngestService({
    config,
    env,
    events: bus,
    fetcher,
    ...(options.batchWindowMs === undefined ? {} : { batchWindowMs: options.batchWindowMs }),
    queue: {
      send: (messages) => (queueRef as InProcessIngestQueue).send(messages),
      sendDelayed: (entries) => (queueRef as InProcessIngestQueue).sendDelayed(entries),
    },
    logger: createLogger({ handler: 'ingest', logLevel }),
    onOutcome: (outcome, message) => {
      if (outcome.status === 'created' || outcome.status === 'updated') totals.ingested++;
      else if (outcome.status === 'unchanged') totals.unchanged++;
      else if (outcome.status === 'skipped') {
        totals.skipped++;
        const type = outcome.pageType ?? 'article';
        totals.skippedByType[type] = (totals.skippedByType[type] ?? 0) + 1;
      } else if (outcome.status === 'failed') totals.failed++;
      progress({ kind: 'ingest', outcome });
      options.onOutcome?.(outcome, message);
    },
  });
  // Waiting messages' bodies go to files, not the heap (a crawl's backlog is its largest memory). Under the data
  // directory (locked to this process) a crashed run's files are removed first; the queue itself dies with it.
  const spillDir = options.dataDir === undefined ? tmpdir() : join(options.dataDir, 'queue-spill');
  if (options.dataDir !== undefined) await rm(spillDir, { recursive: true, force: true });
  const queue = new InProcessIngestQueue({
    handler: (event) => ingest.handler(event),
    spillDir,
    concurrency: options.concurrency ?? 4,
    ...(options.batchSize === undefined ? {} : { batchSize: options.batchSize }),
    ...(options.batchWindowMs === undefined ? {} : { batchWindowMs: options.batchWindowMs }),
    retryDelayMs: options.retryDelayMs ?? 2_000,
    maxReceiveCount: options.maxReceiveCount ?? 3,
    onBatch: ({ deadLettered }) => {
      if (deadLettered === 0) return;
      totals.deadLettered += deadLettered;
      progress({ kind: 'dead-letter', count: deadLettered });
    },
  });
  queueRef = queue;
  stops.push(() => queue.close());
  // The round in progress: per-source summaries add up to the round's CrawlSummary.
  let round: { total: number; summary: CrawlSummary; done: number } | undefined;
  const crawlHandlers = buildCrawlHandlers({
    config,
    env,
    queue,
    crawlQueue: {
      send: async (messages: CrawlSourceMessage[]) => {
        if (round) round.total += messages.length;
        crawlQueue.sendRaw(messages.map((message) => JSON.stringify(message)));
      },
    },
    fetcher,
    ...(options.batchWindowMs === undefined ? {} : { ingestBatchWindowMs: options.batchWindowMs }),
    logger: createLogger({ handler: 'crawl', logLevel }),
    onSourceDone: (source) => {
      if (!round) return;
      round.done++;
      const { summary } = round;
      summary.sources++;
      if (source.outcome === 'failed') summary.failedSources++;
      summary.discovered += source.discovered;
      summary.queued += source.queued;
      for (const [reason, count] of Object.entries(source.skipped)) {
        summary.skipped[reason as keyof CrawlSummary['skipped']] += count;
      }
      progress({ kind: 'source', summary: source, done: round.done, total: round.total });
    },
  });
  // One crawl task at a time per worker, like SQS batches of one: a slow source holds up only its worker.
  const crawlQueue = new InProcessIngestQueue({
    handler: (event) => crawlHandlers.worker(event),
    batchSize: 1,
    concurrency: options.crawlConcurrency ?? 4,
    retryDelayMs: options.retryDelayMs ?? 2_000,
    maxReceiveCount: options.maxReceiveCount ?? 3,
  });
  stops.push(() => crawlQueue.close());

  if (sources.length > 0) {
    const at = new Date();
    await store.sources.addMany(sources.map((source) => newSourceRecord(source, at)));
  }

  if (options.dataDir !== undefined) {
    const client = createDynamoDbClient(awsClientConfig(env), env);
    const orphans = await findOrphanedMessages(client, servers.tableName, startedAt, store.sources).finally(
      () => client.destroy(),
    );
    if (orphans.length > 0) {
      await queue.send(orphans);
      progress({ kind: 'resumed', count: orphans.length });
    }
    // Crawl tasks die with their process; the sources they had claimed are due again at once, not in an hour.
    const released = await store.sources.releaseClaims?.(new Date());
    if (released) progress({ kind: 'resumed-sources', count: released });
  }

  let queryServer: QueryServer | undefined;
  if (options.port !== false) {
    const handler = createQueryHandler({
      reader: store.articles,
      sources: store.sources,
      clusters: store.clusters,
      cursorSecret,
    });
    queryServer = await startQueryServer({
      handler,
      port: options.port ?? DEFAULT_QUERY_PORT,
      ...(options.host ? { host: options.host } : {}),
    });
    stops.push(() => (queryServer as QueryServer).close());
  }

  let crawling: Promise<CrawlSummary> | undefined;
  const crawlRound = async (): Promise<CrawlSummary> => {
    round = {
      total: 0,
      done: 0,
      summary: {
        sources: 0,
        failedSources: 0,
        discovered: 0,
        queued: 0,
        skipped: { 'permanent-failure': 0, 'not-due': 0, fresh: 0, queued: 0, 'changed-meanwhile': 0 },
      },
    };
    try {
      await crawlHandlers.schedule(scheduledEvent(new Date()));
      await crawlQueue.drain();
      return round.summary;
    } finally {
      round = undefined;
    }
  };
  const crawl = (): Promise<CrawlSummary> => {
    // One crawl at a time: a timer tick during a long crawl joins the running one.
    crawling ??= crawlRound()
      .then((summary) => {
        totals.crawls++;
        totals.discovered += summary.discovered;
        totals.queued += summary.queued;
        progress({ kind: 'crawl', summary });
        return summary;
      })
      .finally(() => {
        crawling = undefined;
      });
    return crawling;
  };

  let timer: NodeJS.Timeout | undefined;
  if (options.intervalMs && options.intervalMs > 0) {
    timer = setInterval(() => {
      crawl().catch((error: unknown) => progress({ kind: 'crawl-failed', error: String(error) }));
    }, options.intervalMs);
    timer.unref();
    stops.push(async () => clearInterval(timer));
  }

  const drain = async () => {
    await crawlQueue.drain();
    await queue.drain();
    await bus.drain();
  };

  return {
    env,
    ...(queryServer ? { queryUrl: queryServer.url } : {}),
    ...(exampleSite ? { exampleSite } : {}),
    sources,
    ...(options.dataDir === undefined ? {} : { dataDir: options.dataDir }),
    ...(servers.pid === undefined ? {} : { serversPid: servers.pid }),
    bus,
    queue,
    crawlQueue,
    reader: store.articles,
    crawlState: store.crawlState,
    registry: store.sources,
    clusters: store.clusters,
    ingest,
    crawl,
    drain,
    async runOnce() {
      await crawl();
      await drain();
      // Nothing is in flight once drained: this run's ingest counts reach the sources now, not at the next schedule.
      await store.sources.foldIngested(new Date(), 0);
      return { ...totals, skippedByType: { ...totals.skippedByType } };
    },
    totals: () => ({ ...totals, skippedByType: { ...totals.skippedByType } }),
    async stop() {
      if (crawling) await crawling.catch(() => {});
      await stopAll();
    },
  };
}

async function rememberedPort(dataDir: string | undefined): Promise<number> {
  if (dataDir === undefined) return 0;
  try {
    const port = Number((await readFile(join(dataDir, EXAMPLE_SITE_PORT_FILE), 'utf8')).trim());
    if (Number.isInteger(port) && port > 0 && port < 65536 && (await isPortFree(port))) return port;
  } catch {
    // First start: any free port, remembered below.
  }
  return 0;
}

async function usedExampleSite(dataDir: string | undefined): Promise<boolean> {
  if (dataDir === undefined) return false;
  return readFile(join(dataDir, EXAMPLE_SITE_PORT_FILE), 'utf8').then(
    () => true,
    () => false,
  );
}

async function rememberPort(dataDir: string | undefined, port: number): Promise<void> {
  if (dataDir === undefined) return;
  await mkdir(dataDir, { recursive: true });
  await writeFile(join(dataDir, EXAMPLE_SITE_PORT_FILE), `${port}\n`);
}

function isPortFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = createServer();
    probe.once('error', () => resolve(false));
    probe.listen(port, '127.0.0.1', () => probe.close(() => resolve(true)));
  });
}
