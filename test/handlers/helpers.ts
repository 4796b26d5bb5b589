import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { SQSEvent } from 'aws-lambda';
import type { PageType } from '../../lib/core/article.ts';
import { discover } from '../../lib/core/discover/index.ts';
import type { ArticleIngestedDetail } from '../../lib/core/events.ts';
import { extract } from '../../lib/core/extract/index.ts';
import { createFetcher } from '../../lib/core/fetch/index.ts';
import { EXAMPLE_ARTICLES, type SiteArticle } from '../../lib/embedded/example-site/articles.ts';
import { type SiteServer, startSiteServer } from '../../lib/embedded/example-site/server.ts';
import { InProcessEventBus } from '../../lib/events/in-process.ts';
import { createCrawlHandler } from '../../lib/handlers/crawl.ts';
import { createIngestService, type IngestOutcome } from '../../lib/handlers/ingest.ts';
import { createLogger, type HandlerLogger } from '../../lib/handlers/logging.ts';
import { InProcessIngestQueue } from '../../lib/queue/in-process.ts';
import type { IngestMessage } from '../../lib/queue/types.ts';
import type { LocalServersHandle, TestStore } from '../helpers/local-servers.ts';

export const silentLogger = createLogger({ handler: 'test', logLevel: 'SILENT' });

/**
 * The real crawl and ingest handlers wired to a fresh table on the local servers and a loopback news site
 * served by the test. `now` is adjustable so a test can move past the crawl state's due times.
 */
export interface Pipeline {
  site: SiteServer;
  store: TestStore;
  bus: InProcessEventBus;
  events: ArticleIngestedDetail[];
  outcomes: IngestOutcome[];
  queue: InProcessIngestQueue;
  ingest: ReturnType<typeof createIngestService>;
  crawl: ReturnType<typeof createCrawlHandler>;
  clock: { now: Date };
  close(): Promise<void>;
}

export async function startPipeline(
  local: LocalServersHandle,
  options: {
    articles?: SiteArticle[];
    dynamodb?: DynamoDBClient;
    logger?: HandlerLogger;
    storePageTypes?: readonly PageType[];
  } = {},
): Promise<Pipeline> {
  const site = await startSiteServer({ articles: options.articles ?? EXAMPLE_ARTICLES.slice(0, 4) });
  const store = await local.freshStore(options.dynamodb ? { dynamodb: options.dynamodb } : {});
  const clock = { now: new Date() };
  // Only the test site's origin is trusted on loopback; no pacing, no fetcher-level retries (SQS retries).
  const fetcher = createFetcher({
    allowedOrigins: [site.origin],
    minIntervalMs: 0,
    maxConcurrentPerHost: 16,
    retries: 0,
  });
  const bus = new InProcessEventBus();
  const events: ArticleIngestedDetail[] = [];
  bus.subscribe((detail) => {
    events.push(detail);
  });
  const outcomes: IngestOutcome[] = [];
  const ingest = createIngestService({
    fetchPage: (url, fetchOptions) => fetcher.fetch(url, fetchOptions),
    extract,
    articles: store.articles,
    crawlState: store.crawlState,
    events: bus,
    bucketName: store.bucketName,
    logger: options.logger ?? silentLogger,
    now: () => clock.now,
    onOutcome: (outcome) => outcomes.push(outcome),
    ...(options.storePageTypes ? { storePageTypes: options.storePageTypes } : {}),
  });
  const queue = new InProcessIngestQueue({ handler: ingest.handler, retryDelayMs: 5, concurrency: 2 });
  const crawl = createCrawlHandler({
    sources: [{ url: site.feedUrl }, { url: site.sitemapUrl }],
    discover: (sourceUrl, discoverOptions) => discover(sourceUrl, { ...fetcher.options, ...discoverOptions }),
    crawlState: store.crawlState,
    queue,
    logger: silentLogger,
    now: () => clock.now,
  });
  return {
    site,
    store,
    bus,
    events,
    outcomes,
    queue,
    ingest,
    crawl,
    clock,
    async close() {
      await queue.close();
      await site.close();
    },
  };
}

export interface LogEntry {
  level: 'debug' | 'info' | 'warn' | 'error';
  message: string;
  attributes: Record<string, unknown>;
}

/** A logger stand-in that keeps what the handlers log: the message and the structured attributes. */
export function capturingLogger(): HandlerLogger & { entries: LogEntry[] } {
  const entries: LogEntry[] = [];
  const at =
    (level: LogEntry['level']) =>
    (message: unknown, ...rest: unknown[]) => {
      const attributes = Object.assign({}, ...rest.filter((part) => typeof part === 'object')) as Record<
        string,
        unknown
      >;
      entries.push({ level, message: String(message), attributes });
    };
  return { entries, debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
}

let sequence = 0;

/** An SQS event as Lambda delivers it, from raw bodies. */
export function sqsEvent(bodies: string[]): SQSEvent {
  return {
    Records: bodies.map((body) => {
      sequence++;
      return {
        messageId: `message-${sequence}`,
        receiptHandle: `receipt-${sequence}`,
        body,
        attributes: {
          ApproximateReceiveCount: '1',
          SentTimestamp: '1767225600000',
          SenderId: 'test',
          ApproximateFirstReceiveTimestamp: '1767225600000',
        },
        messageAttributes: {},
        md5OfBody: '0'.repeat(32),
        eventSource: 'aws:sqs',
        eventSourceARN: 'arn:aws:sqs:us-east-1:000000000000:ingest',
        awsRegion: 'us-east-1',
      };
    }),
  };
}

export const messageFor = (url: string): IngestMessage => ({ url, discoveredAt: new Date().toISOString() });

export const body = (url: string): string => JSON.stringify(messageFor(url));
