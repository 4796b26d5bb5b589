// `npm run bench:cost [-- --hosts 30 --pages 181 --interval-ms 1000 --json --no-write]`: what one article costs on
// AWS, measured. Real article pages (../shared/benchmarks/article-extraction) are served by many loopback hosts
// (127.0.0.2, 127.0.0.3, ...) with an RSS feed or a sitemap each, and crawled and ingested through the embedded
// stack with per-host politeness as deployed (the shared token, put-backs). SDK middleware on the store's real S3
// and DynamoDB clients counts every request and computes DynamoDB's capacity units from item sizes
// (benchmark/cost-meter.ts); queue messages, events, log bytes and each handler invocation's billed duration are
// counted at the stack's queue, bus and handlers. Priced with benchmark/cost-prices.ts at the deployed memory sizes
// and batch size (lib/cdk).
//
// Phases: (1) a crawl of every source and its ingest: new articles; (2) every article re-checked, answered 304,
// presumed unchanged by the crawl and not; (3) the same against origins that ignore validators, answered 200 with
// the same content; (4) a crawl that finds nothing due: the cost of listing a URL. The headline adds each new
// article's re-checks, replayed through the crawl policy (replayRechecks), priced as phases 2 and 3.
import '../lib/runtime/sdk-warning.ts';
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { S3Client } from '@aws-sdk/client-s3';
import { DynamoDBDocumentClient, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { FUNCTION_SIZING } from '../lib/cdk/article-pipeline.ts';
import { DEFAULT_PROPS } from '../lib/cdk/props.ts';
import { ENV } from '../lib/config.ts';
import {
  CRAWL_POLICY,
  hostQueueSpacingMs,
  interleaveByHost,
  type ListedUrl,
  timeRecheck,
} from '../lib/core/crawl-policy.ts';
import { extract } from '../lib/core/extract/index.ts';
import { createFetcher } from '../lib/core/fetch/fetcher.ts';
import { articleIdForUrl, canonicalizeUrl } from '../lib/core/url.ts';
import { startEmbeddedStack } from '../lib/embedded/stack.ts';
import { billedBatchEvents } from '../lib/events/batch.ts';
import { HostSpacer, LOOKUP_BATCH } from '../lib/handlers/crawl.ts';
import type { IngestOutcome } from '../lib/handlers/ingest.ts';
import { createMetrics } from '../lib/handlers/metrics.ts';
import { bareLeaseOf, chunk, type DelayedMessage, type IngestMessage } from '../lib/queue/types.ts';
import { createDynamoDbClient, instrumentStoreClients } from '../lib/store/aws/clients.ts';
import { AwsPolitenessStore } from '../lib/store/aws/politeness.ts';
import { CRAWL_STATE_SK, crawlPk } from '../lib/store/layout.ts';
import { ATTR } from '../lib/store/table.ts';
import type { CrawlStateRecord } from '../lib/store/types.ts';
import { installVirtualClock } from './cost-clock.ts';
import { CostMeter, difference, type Tallies } from './cost-meter.ts';
import { operationsPerNewArticle, renderOperationTable } from './cost-operations.ts';
import {
  eventSourceSqsRequests,
  PRICES,
  PRICES_AS_OF,
  S3_PUT_CLASS,
  SQS_MESSAGES_PER_REQUEST,
} from './cost-prices.ts';
import { replayRecheckSchedule } from './cost-rechecks.ts';
import { writeResultSection } from './report.ts';

/**
 * Re-checks per new article are not assumed: they are replayed through the crawl policy (lib/core/crawl-policy.ts)
 * from each stored URL's crawl state and the way its source lists it, crawled every source interval while the
 * source keeps listing it unchanged, up to RECHECK_HORIZON_MS. A URL its source dates only by publication (RSS
 * pubDate) is re-checked on the time schedule (1 h, 6 h, 24 h); one whose source gives a modification date
 * (sitemap lastmod) only when that date moves. Half the re-checks are assumed answered 304 (the site honours the
 * stored validators), half 200 with the same content. The figure with every article taking the whole time
 * schedule is reported beside the headline.
 */
export const RECHECK_ASSUMPTION = {
  fullSchedule: CRAWL_POLICY.recheckScheduleMs.length,
  notModifiedShare: 0.5,
} as const;
const RECHECK_HORIZON_MS = 30 * 24 * 3_600_000;

/**
 * Hosts the pages are spread over: about 6 pages each, as a source's crawl finds a few new URLs at a time in steady
 * operation (a whole new source queues more at once, and puts more of them back while its host is busy).
 */
const DEFAULT_HOSTS = 30;

/** SQS SendMessageBatch carries at most 10 messages. */
const SQS_SEND_BATCH = SQS_MESSAGES_PER_REQUEST;
/**
 * The ingest queue's batching window: the deployed one (ingestBatchWindowSeconds, 30 s), in simulated time
 * (benchmark/cost-clock.ts), so batches fill as deployed without the run taking minutes of waiting per phase.
 */
const BATCH_WINDOW_MS = DEFAULT_PROPS.ingestBatchWindowSeconds * 1000;
/** Lambda gives a function one full vCPU at 1,769 MB, proportionally less below. */
const FULL_VCPU_MB = 1769;
const CORPUS = fileURLToPath(new URL('../../shared/benchmarks/article-extraction/html/', import.meta.url));

interface Site {
  origin: string;
  source: string;
  server: Server;
  kind: 'feed' | 'sitemap';
  /** Whether article pages answer a matching If-None-Match with 304 (an origin that ignores it answers 200). */
  honourValidators: boolean;
  /** What the source says about each page it lists (fixed: an unchanged page keeps its dates). */
  listed: Map<string, ListedUrl>;
}

/**
 * One loopback host serving some corpus pages with ETags (and 304s), and a feed or a sitemap listing them. The host
 * stands in for each page's own site: a page served at the path of the canonical URL it declares (saved from the
 * web, it names its original site), with that site's origin in the page replaced by the host's, so the URL its
 * source lists is its canonical URL, as a site's own feed or sitemap lists them. A page whose rewrite would not
 * make it so is served as saved under `/a/<n>.html`.
 */
async function startSite(host: string, pages: Buffer[], kind: 'feed' | 'sitemap'): Promise<Site> {
  const served = new Map<string, { body: Buffer; etag: string }>();
  const paths: string[] = [];
  const site = { kind, honourValidators: true } as Site;
  const server = createServer((request, response) => {
    const path = new URL(request.url ?? '/', 'http://site.invalid').pathname;
    const send = (status: number, type: string, body: string | Buffer) => {
      response.writeHead(status, { 'content-type': type, 'content-length': Buffer.byteLength(body) });
      response.end(body);
    };
    if (path === '/robots.txt') return send(200, 'text/plain', 'User-agent: *\nAllow: /\n');
    if (path === '/feed.xml') {
      const items = listed()
        .map((e) => `<item><link>${e.url}</link><pubDate>${e.date.toUTCString()}</pubDate></item>`)
        .join('\n');
      return send(
        200,
        'application/rss+xml',
        `<?xml version="1.0"?><rss version="2.0"><channel>${items}</channel></rss>`,
      );
    }
    if (path === '/sitemap.xml') {
      const urls = listed()
        .map((e) => `<url><loc>${e.url}</loc><lastmod>${e.date.toISOString()}</lastmod></url>`)
        .join('\n');
      return send(
        200,
        'application/xml',
        `<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">${urls}</urlset>`,
      );
    }
    const page = served.get(new URL(request.url ?? '/', 'http://site.invalid').pathname);
    if (page === undefined) return send(404, 'text/html', 'not found');
    if (site.honourValidators && request.headers['if-none-match'] === page.etag) {
      response.writeHead(304, { etag: page.etag });
      return response.end();
    }
    response.writeHead(200, {
      'content-type': 'text/html; charset=utf-8',
      etag: page.etag,
      'content-length': page.body.length,
    });
    response.end(page.body);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const origin = `http://${host}:${port}`;
  for (const [index, page] of pages.entries()) {
    const fallback = `/a/${index}.html`;
    const own = asOwnCanonical(page, origin, fallback);
    // Two pages of one host may name the same path on their original sites: the second keeps its saved form.
    const { path, body } = served.has(own.path) ? { path: fallback, body: page } : own;
    served.set(path, { body, etag: `"${createHash('sha256').update(body).digest('hex').slice(0, 32)}"` });
    paths.push(path);
  }
  const listedAt = Date.now();
  function listed() {
    return paths.map((path, index) => ({
      url: `${origin}${path}`,
      date: new Date(listedAt - (index + 1) * 60_000),
    }));
  }
  // As discovery reads them: an RSS item's pubDate is a publication date, a sitemap's lastmod a modification date.
  const dates = new Map<string, ListedUrl>(
    listed().map(({ url, date }) => [
      url,
      kind === 'feed' ? { publishedAt: date.toISOString() } : { modifiedAt: date.toISOString() },
    ]),
  );
  Object.assign(site, {
    origin,
    source: `${origin}/${kind === 'feed' ? 'feed.xml' : 'sitemap.xml'}`,
    server,
    listed: dates,
  });
  return site;
}

/** A saved page as its own site would serve it (see startSite): its path there and its bytes. */
function asOwnCanonical(page: Buffer, origin: string, fallbackPath: string): { path: string; body: Buffer } {
  const declared = extract({ html: page, url: `${origin}${fallbackPath}` });
  if (!declared.ok) return { path: fallbackPath, body: page };
  const canonical = new URL(declared.value.url);
  if (canonical.origin === origin || canonical.search !== '' || canonical.pathname === '/')
    return { path: fallbackPath, body: page };
  const html = page.toString('utf8');
  const body = Buffer.from(html.split(canonical.origin).join(origin));
  const url = `${origin}${canonical.pathname}`;
  const served = extract({ html: body, url });
  return served.ok && served.value.id === articleIdForUrl(canonicalizeUrl(url)) && !body.equals(page)
    ? { path: canonical.pathname, body }
    : { path: fallbackPath, body: page };
}

/** CPU time of the main thread, where the handlers run (Linux: utime + stime, clock ticks of 10 ms). */
async function mainThreadCpuMs(): Promise<number> {
  const stat = await readFile(`/proc/self/task/${process.pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

/**
 * Billed GB-seconds for `cpuMs` of handler work at `memoryMb`: the same work takes longer on Lambda's smaller CPU
 * share (memory / 1,769 MB of a vCPU), so below 1,769 MB the GB-s are the same at any memory size.
 */
function billedGbSeconds(cpuMs: number, memoryMb: number): number {
  const share = Math.min(1, memoryMb / FULL_VCPU_MB);
  return (cpuMs / 1000 / share) * (memoryMb / 1024);
}

/** Everything one phase consumed, counted. */
interface PhaseCounts {
  articles: number;
  outcomes: Record<string, number>;
  tallies: Tallies;
  sqsRequests: number;
  events: number;
  eventChunks: number;
  ingestInvocations: number;
  ingestBilledMs: number;
  crawlInvocations: number;
  crawlBilledMs: number;
  /** Messages put back with a delay because their host was busy. */
  putBacks: number;
  /** CPU time of the handlers' thread over the phase: what billed duration is computed from. */
  handlerCpuMs: number;
  logBytes: number;
}

type Service = 'lambda' | 'dynamodb' | 's3' | 'sqs' | 'eventbridge' | 'logs';
type Costs = Record<Service, number>;

/**
 * Billed GB-s of a phase from the handlers' CPU time (wall time on a shared 2-core machine measures the other
 * tenants). Crawl and ingest overlap, so their CPU is not told apart; both sizes are under 1,769 MB, where a CPU
 * second costs the same GB-s at any size. Waits on remote origins and on AWS services are not in it (loopback).
 */
function gbSeconds(phase: PhaseCounts): number {
  return billedGbSeconds(phase.handlerCpuMs, FUNCTION_SIZING.ingest.memorySize);
}

/** USD for a phase, by service. */
function price(phase: PhaseCounts): Costs {
  const lambda =
    gbSeconds(phase) * PRICES.lambdaArmGbSecond.usd +
    (phase.ingestInvocations + phase.crawlInvocations) * PRICES.lambdaRequest.usd;
  let dynamodb = 0;
  for (const tally of Object.values(phase.tallies.dynamodb))
    dynamodb += tally.writeUnits * PRICES.dynamoWriteUnit.usd + tally.readUnits * PRICES.dynamoReadUnit.usd;
  let s3 = 0;
  for (const [operation, tally] of Object.entries(phase.tallies.s3))
    s3 += tally.requests * (S3_PUT_CLASS.has(operation) ? PRICES.s3PutClass.usd : PRICES.s3GetClass.usd);
  return {
    lambda,
    dynamodb,
    s3,
    sqs: phase.sqsRequests * PRICES.sqsRequest.usd,
    eventbridge: phase.eventChunks * PRICES.eventBridgeEvent.usd,
    logs: (phase.logBytes / 2 ** 30) * PRICES.logsIngestedGb.usd,
  };
}

const SERVICES: Service[] = ['lambda', 'dynamodb', 's3', 'sqs', 'eventbridge', 'logs'];
const perMillion = (costs: Costs, articles: number): Costs =>
  Object.fromEntries(SERVICES.map((s) => [s, (costs[s] / Math.max(1, articles)) * 1e6])) as Costs;
const total = (costs: Costs) => SERVICES.reduce((sum, s) => sum + costs[s], 0);
const round = (value: number, digits = 2) => Math.round(value * 10 ** digits) / 10 ** digits;

/** Per-article quantities of a phase, for the table. */
function quantities(phase: PhaseCounts) {
  const n = Math.max(1, phase.articles);
  const sum = (pick: (t: Tallies['dynamodb'][string]) => number) =>
    Object.values(phase.tallies.dynamodb).reduce((acc, t) => acc + pick(t), 0);
  const s3 = (putClass: boolean) =>
    Object.entries(phase.tallies.s3)
      .filter(([op]) => S3_PUT_CLASS.has(op) === putClass)
      .reduce((acc, [, t]) => acc + t.requests, 0);
  const indexWrites = Object.values(phase.tallies.dynamodb).reduce(
    (acc, t) => acc + Object.values(t.indexWriteUnits).reduce((a, b) => a + b, 0),
    0,
  );
  return {
    handlerCpuMs: round(phase.handlerCpuMs / n, 1),
    lambdaGbSeconds: round(gbSeconds(phase) / n, 4),
    wallGbSeconds: round(
      ((phase.ingestBilledMs / 1000) * (FUNCTION_SIZING.ingest.memorySize / 1024) +
        (phase.crawlBilledMs / 1000) * (FUNCTION_SIZING.crawl.memorySize / 1024)) /
        n,
      4,
    ),
    lambdaInvocations: round((phase.ingestInvocations + phase.crawlInvocations) / n, 3),
    /** Articles per ingest invocation: what a batch's own costs (its S3 objects, event, receives) are shared by. */
    articlesPerIngestBatch: round(phase.articles / Math.max(1, phase.ingestInvocations), 2),
    dynamoWriteUnits: round(sum((t) => t.writeUnits) / n, 2),
    dynamoIndexWriteUnits: round(indexWrites / n, 2),
    dynamoReadUnits: round(sum((t) => t.readUnits) / n, 2),
    dynamoRequests: round(sum((t) => t.requests) / n, 2),
    s3PutRequests: round(s3(true) / n, 3),
    s3GetRequests: round(s3(false) / n, 3),
    s3BytesPut: Math.round(Object.values(phase.tallies.s3).reduce((acc, t) => acc + t.bytesIn, 0) / n),
    sqsRequests: round(phase.sqsRequests / n, 3),
    putBacks: round(phase.putBacks / n, 3),
    events: round(phase.eventChunks / n, 3),
    logBytes: Math.round(phase.logBytes / n),
  };
}

/** Per article and operation: what each DynamoDB and S3 call costs, to see what dominates. */
function operations(phase: PhaseCounts) {
  const n = Math.max(1, phase.articles);
  const dynamodb = Object.fromEntries(
    Object.entries(phase.tallies.dynamodb)
      .filter(([, t]) => t.requests > 0)
      .map(([op, t]) => [
        op,
        {
          requests: round(t.requests / n, 3),
          writeUnits: round(t.writeUnits / n, 3),
          indexWriteUnits: round(Object.values(t.indexWriteUnits).reduce((a, b) => a + b, 0) / n, 3),
          readUnits: round(t.readUnits / n, 3),
          usd: round(
            ((t.writeUnits * PRICES.dynamoWriteUnit.usd + t.readUnits * PRICES.dynamoReadUnit.usd) / n) * 1e6,
            3,
          ),
        },
      ]),
  );
  const s3 = Object.fromEntries(
    Object.entries(phase.tallies.s3)
      .filter(([, t]) => t.requests > 0)
      .map(([op, t]) => [op, { requests: round(t.requests / n, 3) }]),
  );
  return { dynamodb, s3 };
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      hosts: { type: 'string', default: String(DEFAULT_HOSTS) },
      /** The per-host minimum interval; 0 turns pacing (and its shared token) off. */
      'interval-ms': { type: 'string', default: String(CRAWL_POLICY.hostMinIntervalMs) },
      pages: { type: 'string', default: '181' },
      json: { type: 'boolean', default: false },
      'no-write': { type: 'boolean', default: false },
      /** Gate: fail (exit 1) when the headline figure is above this many USD per million new articles. */
      'max-usd': { type: 'string' },
    },
  });
  const hostCount = Number(values.hosts);
  const intervalMs = Number(values['interval-ms']);
  const files = readdirSync(CORPUS)
    .filter((f) => f.endsWith('.html'))
    .sort()
    .slice(0, Number(values.pages));
  if (!Number.isInteger(hostCount) || hostCount < 1 || hostCount > 200 || files.length === 0) {
    throw new Error('--hosts takes 1 to 200, --pages at least 1');
  }
  if (!Number.isInteger(intervalMs) || intervalMs < 0) throw new Error('--interval-ms takes an integer >= 0');
  const progress = (text: string) => process.stderr.write(`${text}\n`);
  const loadAtStart = round(loadavg()[0] ?? 0, 1);
  const meter = new CostMeter();
  // Simulated time: the queue skips its waits (the 30-s batching window, the hosts' spaced messages) while a phase
  // drains, and this clock makes the handlers see the time move.
  const clock = installVirtualClock();
  const stopInstrumenting = instrumentStoreClients((client) => {
    meter.instrument(client);
    if (client instanceof S3Client) clock.signInRealTime(client);
  });

  const pages = files.map((file) => readFileSync(`${CORPUS}${file}`));
  const sites: Site[] = [];
  for (let h = 0; h < hostCount; h++) {
    const own = pages.filter((_, index) => index % hostCount === h);
    sites.push(await startSite(`127.0.0.${h + 2}`, own, h % 2 === 0 ? 'feed' : 'sitemap'));
  }

  // Counters the phases read; handlers' log lines are counted (CloudWatch ingests them) and not shown.
  const outcomes: IngestOutcome[] = [];
  let logBytes = 0;
  const realWrite = process.stdout.write.bind(process.stdout);
  process.stdout.write = ((chunk: string | Uint8Array) => {
    logBytes += typeof chunk === 'string' ? Buffer.byteLength(chunk) : chunk.byteLength;
    return true;
  }) as typeof process.stdout.write;

  // The deployed ingest function writes its outcome metrics as EMF log lines after each batch (lambdas/ingest.ts):
  // CloudWatch Logs bills them as it bills any line.
  const ingestMetrics = createMetrics('ingest', {
    write: (line) => {
      logBytes += Buffer.byteLength(line) + 1;
    },
  });
  const stack = await startEmbeddedStack({
    sources: sites.map((site) => ({ url: site.source })),
    allowedOrigins: sites.map((site) => site.origin),
    // Per-host pacing as deployed: the shared host token (a conditional write in the table) before each fetch,
    // and a busy host's messages put back with a delay (an SQS send, a receive later), all counted.
    fetcher: { minIntervalMs: intervalMs, maxConcurrentPerHost: 16 },
    port: false,
    concurrency: 1,
    batchSize: DEFAULT_PROPS.ingestBatchSize,
    // The deployed batching window (docs/deploy.md: ingestBatchWindowSeconds), in simulated time: a batch gathers
    // what arrives within 30 s of its first message, as the event source does.
    batchWindowMs: BATCH_WINDOW_MS,
    serversThread: true,
    logLevel: DEFAULT_PROPS.logLevel,
    onOutcome: (outcome) => {
      outcomes.push(outcome);
      ingestMetrics.ingestOutcome(outcome);
    },
  });
  meter.useShadowClient(stack.env);

  let sqsRequests = 0;
  let events = 0;
  let eventChunks = 0;
  let ingestInvocations = 0;
  let ingestBilledMs = 0;
  let crawlInvocations = 0;
  let crawlBilledMs = 0;
  const send = stack.queue.send.bind(stack.queue);
  stack.queue.send = async (messages: IngestMessage[]) => {
    sqsRequests += Math.ceil(messages.length / SQS_SEND_BATCH);
    return send(messages);
  };
  // Delayed sends: the crawl's spaced messages and a busy host's put-backs, one SendMessageBatch per 10 (their
  // receive is counted per batch).
  const sendDelayed = stack.queue.sendDelayed.bind(stack.queue);
  stack.queue.sendDelayed = async (entries: DelayedMessage[]) => {
    sqsRequests += Math.ceil(entries.length / SQS_SEND_BATCH);
    return sendDelayed(entries);
  };
  // The queue calls stack.ingest.handler per batch: one invocation, its receives and batch deletes (10 a request).
  const handle = stack.ingest.handler;
  stack.ingest.handler = async (event) => {
    const started = performance.now();
    try {
      return await handle(event);
    } finally {
      ingestMetrics.flush();
      ingestInvocations++;
      ingestBilledMs += Math.ceil(performance.now() - started);
      sqsRequests += eventSourceSqsRequests((event as { Records?: unknown[] }).Records?.length ?? 0);
    }
  };
  // As the EventBridge publisher sends them (articleEvents batch, the default): one ArticlesIngested per ingest
  // batch, billed per started 64 KB.
  stack.bus.subscribeBatches((details) => {
    events += details.length;
    eventChunks += billedBatchEvents(details);
  });
  const timedCrawl = async <T>(work: () => Promise<T>): Promise<T> => {
    const started = performance.now();
    try {
      return await work();
    } finally {
      crawlInvocations++;
      crawlBilledMs += Math.ceil(performance.now() - started);
    }
  };

  /** Simulated time on while a phase's messages drain (nothing else then needs real time), off otherwise. */
  const simulateTime = (on: boolean) => stack.queue.simulateTime(on ? clock : undefined);
  // The crawl-task queue (the schedule's fan-out, one message per due source, batches of one): each task is a crawl
  // invocation with its receive and delete, and the schedule's sends go 10 a request.
  const sendCrawlTasks = stack.crawlQueue.sendRaw.bind(stack.crawlQueue);
  stack.crawlQueue.sendRaw = (bodies: string[]) => {
    sqsRequests += Math.ceil(bodies.length / SQS_SEND_BATCH);
    sendCrawlTasks(bodies);
  };
  const crawlTasks = () => stack.crawlQueue.stats().handled;
  let crawlTasksCounted = crawlTasks();
  /** Crawl-task invocations since the last call, counted with their receives and deletes. */
  const countCrawlTasks = () => {
    const tasks = crawlTasks() - crawlTasksCounted;
    crawlTasksCounted += tasks;
    crawlInvocations += tasks;
    sqsRequests += tasks * eventSourceSqsRequests(1);
  };

  const counters = () => {
    countCrawlTasks();
    return counts();
  };
  const counts = () => ({
    tallies: meter.snapshot(),
    outcomes: outcomes.length,
    sqsRequests,
    events,
    eventChunks,
    ingestInvocations,
    ingestBilledMs,
    crawlInvocations,
    crawlBilledMs,
    putBacks: outcomes.filter((o) => o.status === 'deferred').length,
    logBytes,
  });
  const phase = async (
    name: string,
    work: () => Promise<void>,
    articles: (done: IngestOutcome[]) => number,
  ): Promise<PhaseCounts> => {
    const before = counters();
    const started = performance.now();
    const cpuBefore = await mainThreadCpuMs();
    meter.counting = true;
    await work();
    simulateTime(true);
    await stack.drain();
    simulateTime(false);
    await meter.settle();
    meter.counting = false;
    const handlerCpuMs = (await mainThreadCpuMs()) - cpuBefore;
    const after = counters();
    const done = outcomes.slice(before.outcomes);
    // A put-back message's 'deferred' outcome is not an article: its later delivery is.
    const byStatus: Record<string, number> = {};
    for (const o of done) byStatus[o.status] = (byStatus[o.status] ?? 0) + 1;
    progress(`${name}: ${JSON.stringify(byStatus)} in ${round((performance.now() - started) / 1000, 1)} s`);
    return {
      articles: articles(done),
      outcomes: byStatus,
      tallies: difference(after.tallies, before.tallies),
      sqsRequests: after.sqsRequests - before.sqsRequests,
      events: after.events - before.events,
      eventChunks: after.eventChunks - before.eventChunks,
      ingestInvocations: after.ingestInvocations - before.ingestInvocations,
      ingestBilledMs: after.ingestBilledMs - before.ingestBilledMs,
      crawlInvocations: after.crawlInvocations - before.crawlInvocations,
      crawlBilledMs: after.crawlBilledMs - before.crawlBilledMs,
      putBacks: after.putBacks - before.putBacks,
      handlerCpuMs,
      logBytes: after.logBytes - before.logBytes,
    };
  };

  /**
   * Crawl states of URLs, read as the crawl reads them (batched when the store can). A re-check phase stands for the
   * crawls that queue a step, and those read a bare first lease with the article's CURRENT item (presumableFirstLease
   * presumes only on the crawls between steps, which queue nothing: the listed-URL column counts those).
   */
  const lookUp = async (urls: string[]): Promise<Map<string, CrawlStateRecord>> => {
    if (stack.crawlState.getMany) return stack.crawlState.getMany(urls);
    const states = new Map<string, CrawlStateRecord>();
    for (const url of urls) {
      const state = await stack.crawlState.get(url);
      if (state) states.set(url, state);
    }
    return states;
  };

  /**
   * What the crawl does for each due URL (look up its state, lease it, queue it), on the real store. The re-check
   * is judged as at its due time (the schedule's next step), so a time-scheduled one is presumed unchanged with its
   * lease as the crawl would (presumedRecheck).
   */
  const requeue = async (urls: string[], presume: boolean) =>
    timedCrawl(async () => {
      const at = new Date();
      const leaseUntil = new Date(at.getTime() + 60 * 60_000);
      // A re-check on the time schedule is derived by the URL's owner source with no per-URL write (UrlQueuer,
      // timeRecheck): its message names the step.
      const timeSteps = new Map<string, { step: number; dueAt: string; bareLease?: string }>();
      // Looked up as the crawl's UrlQueuer does: one batched read per LOOKUP_BATCH URLs.
      for (const group of chunk(urls, LOOKUP_BATCH)) {
        const states = await lookUp(group);
        await Promise.all(
          group.map((url) => {
            const state = states.get(url);
            const dueAt = new Date(Math.max(at.getTime(), Date.parse(state?.nextDueAt ?? '') || 0));
            if (presume) {
              const derived = timeRecheck(state, dueAt, undefined);
              // As UrlQueuer: a step queued from the URL's bare first lease says so (ingest then reads only CURRENT),
              // also when the crawl read that lease with CURRENT, as the crawl that queues a step does.
              if (derived !== undefined)
                timeSteps.set(url, {
                  step: derived.recheck.step,
                  dueAt: derived.recheck.dueAt,
                  ...bareLeaseOf(state),
                });
              return Promise.resolve(true);
            }
            // As UrlQueuer: a lease a fetch recorded only in the article's CURRENT item ended is replaced.
            const endedLease =
              state?.indexedFetch === true && state.leaseUntil === undefined ? state.queuedAt : undefined;
            // The fetch the look-up folded in from the article goes in with the lease, as UrlQueuer writes it.
            return stack.crawlState.markQueued(url, at, leaseUntil, undefined, endedLease, false, state);
          }),
        );
      }
      // Spaced per host, each host's slots reserved on its token with one write, as the crawl sends them
      // (UrlQueuer, HostSpacer); one SendMessageBatch per 10.
      const queuedAt = at.toISOString();
      const spacer = new HostSpacer(hostSpacingMs, quietLogger, hostSlots);
      const spaced = await spacer.spaced(
        interleaveByHost(urls, (url) => url).map((url) => {
          const recheck = timeSteps.get(url);
          return { url, discoveredAt: queuedAt, queuedAt, ...(recheck === undefined ? {} : { recheck }) };
        }),
      );
      for (const group of chunk(spaced, SQS_SEND_BATCH)) await stack.queue.sendDelayed(group);
    });

  const hostSpacingMs = hostQueueSpacingMs(intervalMs, BATCH_WINDOW_MS);
  const tokens = new AwsPolitenessStore({
    dynamodb: createDynamoDbClient(
      {
        region: stack.env.AWS_REGION,
        credentials: {
          accessKeyId: stack.env.AWS_ACCESS_KEY_ID ?? '',
          secretAccessKey: stack.env.AWS_SECRET_ACCESS_KEY ?? '',
        },
      },
      stack.env,
    ),
    tableName: stack.env[ENV.tableName] ?? '',
  });
  /**
   * What each source's crawl task does before it queues anything: reads its host's robots.txt through the shared
   * cache, fetching it again when its hour (CRAWL_POLICY.robotsTtlMs) is up, with the host's token, as the crawl's
   * fetcher does (lib/handlers/build-crawl.ts). A re-check phase's requeue stands in for those crawls, so it does
   * this too, uncounted: it is a per-crawl cost (the new-article phase and the "listed URL, per crawl" column count
   * it), not a re-check's. Without it, the third re-check phase ran past the hour with nobody having read robots.txt:
   * ingest fetched it inside the hosts' reserved blocks, and 2 put-backs per re-check followed (a bench artefact).
   */
  const readRobotsAsCrawl = async () => {
    const crawlFetcher = createFetcher({
      allowedOrigins: sites.map((site) => site.origin),
      minIntervalMs: intervalMs,
      shared: { tokens, robots: tokens, maxWaitMs: CRAWL_POLICY.crawlMaxHostWaitMs },
    });
    await Promise.all(sites.map((site) => crawlFetcher.robots.check(site.source)));
  };
  const hostSlots = {
    intervalMs,
    reserve: tokens.reserve.bind(tokens),
    extendBlock: tokens.extendBlock.bind(tokens),
  };
  const quietLogger = { debug() {}, info() {}, warn() {}, error() {} };
  // Crawl-state items read and written as stored, for the re-check phases' set-up (not counted).
  const documents = DynamoDBDocumentClient.from(
    createDynamoDbClient(
      {
        region: stack.env.AWS_REGION,
        credentials: {
          accessKeyId: stack.env.AWS_ACCESS_KEY_ID ?? '',
          secretAccessKey: stack.env.AWS_SECRET_ACCESS_KEY ?? '',
        },
      },
      stack.env,
    ),
  );
  const tableName = stack.env[ENV.tableName] ?? '';
  const rawCrawlStateItems = async (urls: string[]) => {
    const items: Array<Record<string, unknown>> = [];
    for (const url of urls) {
      const key = { [ATTR.pk]: crawlPk(url), [ATTR.sk]: CRAWL_STATE_SK };
      const { Item } = await documents.send(
        new GetCommand({ TableName: tableName, Key: key, ConsistentRead: true }),
      );
      if (Item) items.push(Item);
    }
    return items;
  };
  const restoreItems = async (items: Array<Record<string, unknown>>) => {
    for (const item of items) await documents.send(new PutCommand({ TableName: tableName, Item: item }));
  };
  let listed = 0;
  try {
    const fresh = await phase(
      'new articles',
      async () => {
        const summary = await timedCrawl(() => stack.crawl());
        listed = summary.discovered;
        simulateTime(true);
        // The next schedule run folds ingest's per-batch counts into the sources (once they have settled): its read
        // of them is counted here, after the ingest, as that run's work. Their writes ride on that run's claims of the
        // sources (SourceRegistry.claim's counts: the same write), which are the next crawl's, counted with it as this
        // phase counts this crawl's claims: a source on the default interval is due every other 15-minute run, when
        // a crawl's counts have settled (its ingest took minutes, the settling 16). So the fold's own updates are
        // applied uncounted; a source not due when its counts settle would pay one (INGEST_COUNT_FOLD).
        await stack.drain();
        const registry = stack.registry;
        if (registry.pendingIngested === undefined) {
          await timedCrawl(() => registry.foldIngested(new Date(), 0));
        } else {
          const read = registry.pendingIngested.bind(registry);
          const counts = await timedCrawl(() => read(new Date(), 0));
          for (const id of counts.bySource.keys()) counts.claimed.add(id);
          await registry.foldIngested(new Date(), 0, counts); // records how far it read (counted: one item)
          meter.counting = false;
          await registry.foldIngested(new Date(), 0, { ...counts, claimed: new Set() });
          meter.counting = true;
        }
      },
      (done) => done.filter((o) => o.status === 'created').length,
    );
    const stored = outcomes.filter((o) => o.status === 'created').map((o) => o.url);
    // Uncounted: how often the crawl policy will re-check each stored article, from its crawl state.
    const rechecksByKind = {
      feed: { urls: 0, rechecks: 0, presumed: 0 },
      sitemap: { urls: 0, rechecks: 0, presumed: 0 },
    };
    for (const url of stored) {
      const site = sites.find((candidate) => url.startsWith(`${candidate.origin}/`));
      const state = await stack.crawlState.get(url);
      if (!site || !state) continue;
      const replay = replayRecheckSchedule(state, site.listed.get(url) ?? {}, RECHECK_HORIZON_MS);
      rechecksByKind[site.kind].urls++;
      rechecksByKind[site.kind].rechecks += replay.rechecks;
      rechecksByKind[site.kind].presumed += replay.presumed;
    }
    const allRechecks = rechecksByKind.feed.rechecks + rechecksByKind.sitemap.rechecks;
    const rechecksPerArticle = allRechecks / Math.max(1, stored.length);
    // Of the re-checks, those the crawl queues presumed unchanged (a 304 then costs one crawl-state write, not two).
    const presumedShare =
      (rechecksByKind.feed.presumed + rechecksByKind.sitemap.presumed) / Math.max(1, allRechecks);
    // Each re-check phase starts from the crawl-state items the new articles left, as stored (the first lease; the
    // fetch is recorded in the article's CURRENT item, store layout 4), with the 1-h re-check due: a presumed phase
    // presumes as the crawl would at that first step, and a not-presumed one costs what a re-check recorded by ingest
    // does (one a dated change asks for). Stored as read, so the crawl's look-up reads what it would then.
    const storedItems = await rawCrawlStateItems(stored);
    // Every time re-check finds the state as the new article's commit left it (the fetch only in the article's CURRENT
    // item): no step writes it (a 304 or a same-page 200 writes nothing), and the owner's crawl that queues a step
    // reads that first lease with the CURRENT item (presumableFirstLease presumes only on the crawls between steps),
    // so the later steps cost what the first does.
    const recheckPhase = async (name: string, presume: boolean) => {
      await restoreItems(storedItems); // uncounted set-up
      // Re-checks come with their sources' crawls, a source interval or more apart: the phases do too (in simulated
      // time), so a phase's crawl finds the hosts' slot blocks of the one before ended, as a crawl 15 minutes later
      // would (back to back, every reservation was refused and each re-check took a token write instead).
      clock.advanceTo(Date.now() + CRAWL_POLICY.sourceIntervalMs);
      await readRobotsAsCrawl(); // uncounted: the sources' crawls' own work
      return phase(
        name,
        () => requeue(stored, presume),
        (done) => done.filter((o) => o.status !== 'deferred').length,
      );
    };
    const notModified = await recheckPhase('re-check, 304 (presumed)', true);
    const notModifiedLastStep = await recheckPhase('re-check, 304 (not presumed)', false);
    // Origins that ignore If-None-Match: the whole page again, with the same validators and article.
    for (const site of sites) site.honourValidators = false;
    const unchanged = await recheckPhase('re-check, 200 unchanged (presumed)', true);
    const unchangedLastStep = await recheckPhase('re-check, 200 unchanged (not presumed)', false);
    // Every source crawled again (a crawl task each, as the schedule sends when they are due), with nothing
    // due in them: what listing a URL costs per crawl run. The registry is read before counting starts.
    const { items: registered } = await stack.registry.list({ limit: 1000 });
    const idle = await phase(
      'crawl, nothing due',
      () =>
        timedCrawl(async () => {
          const scheduledAt = new Date().toISOString();
          stack.crawlQueue.sendRaw(
            registered.map((source) => JSON.stringify({ sourceId: source.id, scheduledAt })),
          );
          await stack.crawlQueue.drain();
        }),
      () => listed,
    );

    const newCost = perMillion(price(fresh), fresh.articles);
    const presumedCost = perMillion(price(notModified), notModified.articles);
    const lastStepCost = perMillion(price(notModifiedLastStep), notModifiedLastStep.articles);
    const notModifiedCost = Object.fromEntries(
      SERVICES.map((s) => [s, presumedShare * presumedCost[s] + (1 - presumedShare) * lastStepCost[s]]),
    ) as Costs;
    const unchangedPresumedCost = perMillion(price(unchanged), unchanged.articles);
    const unchangedLastStepCost = perMillion(price(unchangedLastStep), unchangedLastStep.articles);
    const unchangedCost = Object.fromEntries(
      SERVICES.map((s) => [
        s,
        presumedShare * unchangedPresumedCost[s] + (1 - presumedShare) * unchangedLastStepCost[s],
      ]),
    ) as Costs;
    const listingCost = perMillion(price(idle), idle.articles);
    const { fullSchedule, notModifiedShare } = RECHECK_ASSUMPTION;
    const withRechecks = (rechecks: number) =>
      Object.fromEntries(
        SERVICES.map((s) => [
          s,
          round(
            newCost[s] +
              rechecks * (notModifiedShare * notModifiedCost[s] + (1 - notModifiedShare) * unchangedCost[s]),
            3,
          ),
        ]),
      ) as Costs;
    const perService = withRechecks(rechecksPerArticle);
    const usdPerMillionNewArticles = round(total(perService), 2);
    const perKind = (kind: 'feed' | 'sitemap') => ({
      articles: rechecksByKind[kind].urls,
      rechecksPerArticle: round(rechecksByKind[kind].rechecks / Math.max(1, rechecksByKind[kind].urls), 2),
    });
    const phases = {
      newArticle: fresh,
      recheckNotModified: notModified,
      recheckNotModifiedLastStep: notModifiedLastStep,
      recheckUnchanged: unchanged,
      recheckUnchangedLastStep: unchangedLastStep,
      listing: idle,
    };
    const perArticle = Object.fromEntries(
      Object.entries(phases).map(([name, p]) => [
        name,
        { articles: p.articles, outcomes: p.outcomes, ...quantities(p), operations: operations(p) },
      ]),
    );
    const s3BytesPerArticle = quantities(fresh).s3BytesPut;
    // Lambda bills an invocation's wall time, waits included; the handlers' CPU time leaves out the waits on
    // origins and AWS services, which a batch's articles share: each 100 ms of them, per million new articles.
    const usdPerMillionPer100msBatchWait = round(
      ((0.1 * (FUNCTION_SIZING.ingest.memorySize / 1024)) /
        Math.max(1, quantities(fresh).articlesPerIngestBatch)) *
        PRICES.lambdaArmGbSecond.usd *
        1e6,
      3,
    );
    const result = {
      usdPerMillionNewArticles,
      perService,
      rechecks: {
        perArticle: round(rechecksPerArticle, 3),
        /** Queued presumed unchanged (every step of the time schedule): a 304 to them writes nothing more. */
        presumedShare: round(presumedShare, 3),
        feed: perKind('feed'),
        sitemap: perKind('sitemap'),
        horizonDays: RECHECK_HORIZON_MS / 86_400_000,
        /** The headline if every article took the whole time schedule (sources that date no change). */
        usdPerMillionNewArticlesFullSchedule: round(total(withRechecks(fullSchedule)), 2),
      },
      assumptions: {
        ...RECHECK_ASSUMPTION,
        ingestMemoryMb: FUNCTION_SIZING.ingest.memorySize,
        crawlMemoryMb: FUNCTION_SIZING.crawl.memorySize,
        ingestBatchSize: DEFAULT_PROPS.ingestBatchSize,
        hostIntervalMs: intervalMs,
        batchWindowMs: BATCH_WINDOW_MS,
        /** Queue waits skipped in simulated time over the run (benchmark/cost-clock.ts). */
        simulatedWaitSeconds: round(clock.offsetMs() / 1000, 0),
        pricesAsOf: PRICES_AS_OF,
        loadAverageAtStart: loadAtStart,
      },
      usdPerMillion: {
        newArticle: roundCosts(newCost),
        /** A 304 re-check, presumed and not presumed ones in their shares (rechecks.presumedShare). */
        recheckNotModified: roundCosts(notModifiedCost),
        recheckNotModifiedPresumed: roundCosts(presumedCost),
        recheckNotModifiedLastStep: roundCosts(lastStepCost),
        /** A 200 re-check with the same page, presumed and not presumed ones in their shares. */
        recheckUnchanged: roundCosts(unchangedCost),
        recheckUnchangedPresumed: roundCosts(unchangedPresumedCost),
        recheckUnchangedLastStep: roundCosts(unchangedLastStepCost),
        listedUrlPerCrawl: roundCosts(listingCost),
      },
      perArticle,
      /** DynamoDB per operation: units per new article and per re-check, USD as the headline weighs them. */
      dynamodbByOperation: operationsPerNewArticle(
        {
          newArticle: operations(fresh).dynamodb,
          recheckNotModified: operations(notModified).dynamodb,
          recheckNotModifiedLastStep: operations(notModifiedLastStep).dynamodb,
          recheckUnchanged: operations(unchanged).dynamodb,
          recheckUnchangedLastStep: operations(unchangedLastStep).dynamodb,
        },
        { rechecksPerArticle, notModifiedShare, presumedShare },
      ),
      /** Not in the headline: what each 100 ms an ingest batch waits (origins, AWS services) adds, at this batch fill. */
      lambdaWait: { usdPerMillionPer100msBatchWait },
      storage: {
        s3BytesPerNewArticle: s3BytesPerArticle,
        s3UsdPerMonthPerMillionArticles: round(
          (s3BytesPerArticle * 1e6 * PRICES.s3StorageGbMonth.usd) / 2 ** 30,
          2,
        ),
      },
      prices: PRICES,
      corpus: { pages: files.length, hosts: hostCount },
    };
    process.stdout.write = realWrite;
    const markdown = renderMarkdown(result);
    if (values.json) realWrite(`${JSON.stringify(result)}\n`);
    else realWrite(`${markdown}\n`);
    const ceiling = values['max-usd'] === undefined ? undefined : Number(values['max-usd']);
    if (ceiling !== undefined && !(usdPerMillionNewArticles <= ceiling)) {
      progress(`bench:cost gate: $${usdPerMillionNewArticles} per million new articles is above $${ceiling}`);
      process.exitCode = 1;
    }
    if (!values['no-write']) {
      // The section's "measured" stamp is the real time, not the clock run ahead by the skipped waits.
      clock.uninstall();
      writeResultSection({
        name: '70-cost',
        title: 'Cost per article (AWS list prices)',
        command: 'npm run bench:cost',
        markdown,
        data: result,
      });
    }
  } finally {
    process.stdout.write = realWrite;
    stopInstrumenting();
    await stack.stop();
    clock.uninstall();
    for (const site of sites) await new Promise<void>((resolve) => site.server.close(() => resolve()));
  }
}

function roundCosts(costs: Costs): Costs & { total: number } {
  return {
    ...(Object.fromEntries(SERVICES.map((s) => [s, round(costs[s], 3)])) as Costs),
    total: round(total(costs), 3),
  };
}

// biome-ignore lint/suspicious/noExplicitAny: the result object built above
function renderMarkdown(result: any): string {
  const u = result.usdPerMillion;
  const row = (label: string, key: Service | 'total') =>
    `| ${label} | ${u.newArticle[key].toFixed(2)} | ${u.recheckNotModified[key].toFixed(2)} | ${u.recheckUnchanged[key].toFixed(2)} | ${(key === 'total' ? result.usdPerMillionNewArticles : result.perService[key]).toFixed(2)} | ${u.listedUrlPerCrawl[key].toFixed(3)} |`;
  const q = result.perArticle;
  const qrow = (label: string, key: string) =>
    `| ${label} | ${q.newArticle[key]} | ${q.recheckNotModified[key]} | ${q.recheckUnchanged[key]} | ${q.listing[key]} |`;
  const a = result.assumptions;
  const r = result.rechecks;
  return [
    `${result.corpus.pages} real article pages (../shared/benchmarks/article-extraction) served by ${result.corpus.hosts} loopback hosts`,
    '(127.0.0.2, ...; half list their pages in an RSS feed, half in a sitemap), crawled and ingested through the embedded',
    "stack. S3 and DynamoDB requests are counted by SDK middleware on the store's real clients, DynamoDB units computed",
    'from item sizes as DynamoDB bills them (1 KB write units on the larger image, plus each index copy written; 4 KB',
    'read units, halved when eventually consistent); queue messages, events, log bytes and billed handler time are',
    `counted at the stack's queue, bus and handlers. Ingest at ${a.ingestMemoryMb} MB, crawl at ${a.crawlMemoryMb} MB, batches of`,
    `${a.ingestBatchSize} (lib/cdk); per-host pacing on as deployed (${a.hostIntervalMs} ms per host: the shared token's conditional write before each fetch, a busy host's messages put back with a delay, all counted; the crawl spaces a host's messages by the interval plus the batching window). The deployed batching window (${a.batchWindowMs / 1000} s) runs in simulated time: the queue skips its waits (${a.simulatedWaitSeconds} s over the run; benchmark/cost-clock.ts). The schedule's fan-out (one crawl-task message per source, its receive and delete, one crawl invocation each) is counted with the new articles. Prices: ${a.pricesAsOf}, us-east-1 (benchmark/cost-prices.ts).`,
    "Billed Lambda time is the handlers' CPU time stretched to the CPU share of the memory size (memory / 1,769 MB of",
    'a vCPU): wall time on this shared machine measures the other tenants (load average at the start:',
    `${a.loadAverageAtStart}). Waits on remote origins and AWS services are not in it: on Lambda each 100 ms a batch`,
    `waits adds $${result.lambdaWait.usdPerMillionPer100msBatchWait.toFixed(2)} per million new articles (${result.perArticle.newArticle.articlesPerIngestBatch} new articles per ingest batch here).`,
    '',
    `**$${result.usdPerMillionNewArticles.toFixed(2)} per million new articles**, re-checks included: each new article`,
    `re-checked ${r.perArticle} times on average, ${a.notModifiedShare * 100} % answered 304. Re-checks are replayed through the crawl`,
    `policy (lib/core/crawl-policy.ts) from each stored URL's crawl state over ${r.horizonDays} days of crawls while its source`,
    `lists it unchanged: ${r.feed.rechecksPerArticle} per article listed by an RSS feed (publication dates only: 1 h, 6 h, 24 h),`,
    `${r.sitemap.rechecksPerArticle} per article listed by a sitemap with lastmod (re-fetched only when lastmod moves). With every`,
    `article on the whole time schedule (${a.fullSchedule} re-checks): $${r.usdPerMillionNewArticlesFullSchedule.toFixed(2)} per million.`,
    `A re-check on the time schedule is derived by the URL's owner source with no per-URL write, and a 304 to it writes`,
    `nothing (its first step writes the crawl state once, as the new article's commit left it; the phase starts that share`,
    `of its URLs so): $${u.recheckNotModifiedPresumed.total.toFixed(2)} per million; a 304 recorded by ingest under a lease, as for a re-check a dated`,
    `change asks for, $${u.recheckNotModifiedLastStep.total.toFixed(2)}; ${Math.round(r.presumedShare * 100)} % of the re-checks are on the time schedule, and the 304 column weighs the two so.`,
    '',
    '| USD per million | new article | re-check, 304 | re-check, 200 unchanged | new + re-checks | listed URL, per crawl |',
    '| --- | ---: | ---: | ---: | ---: | ---: |',
    row('Lambda (arm64 GB-s + requests)', 'lambda'),
    row('DynamoDB (on-demand units)', 'dynamodb'),
    row('S3 requests', 's3'),
    row('SQS', 'sqs'),
    row('EventBridge', 'eventbridge'),
    row('CloudWatch Logs ingestion', 'logs'),
    row('**total**', 'total'),
    '',
    '| per article | new | re-check 304 | re-check 200 | listed URL |',
    '| --- | ---: | ---: | ---: | ---: |',
    qrow('handler CPU ms (crawl + ingest)', 'handlerCpuMs'),
    qrow('Lambda GB-s billed (from CPU)', 'lambdaGbSeconds'),
    qrow('Lambda GB-s from wall time (loaded machine)', 'wallGbSeconds'),
    qrow('Lambda invocations', 'lambdaInvocations'),
    qrow('articles per ingest batch', 'articlesPerIngestBatch'),
    qrow('DynamoDB requests', 'dynamoRequests'),
    qrow('DynamoDB write units', 'dynamoWriteUnits'),
    qrow('DynamoDB index write units', 'dynamoIndexWriteUnits'),
    qrow('DynamoDB read units', 'dynamoReadUnits'),
    qrow('S3 PUT-class requests', 's3PutRequests'),
    qrow('S3 GET-class requests', 's3GetRequests'),
    qrow('S3 bytes written', 's3BytesPut'),
    qrow('SQS requests', 'sqsRequests'),
    qrow('messages put back (host busy)', 'putBacks'),
    qrow('events (64 KB chunks)', 'events'),
    qrow('log bytes', 'logBytes'),
    '',
    'DynamoDB by operation (`dynamodbByOperation` in the JSON): write units include index copies; the last column weighs',
    'a new article and its re-checks as the headline does.',
    '',
    renderOperationTable(result.dynamodbByOperation),
    '',
    `Outcomes: new ${JSON.stringify(q.newArticle.outcomes)}, re-check 304 ${JSON.stringify(q.recheckNotModified.outcomes)},`,
    `re-check 200 ${JSON.stringify(q.recheckUnchanged.outcomes)}. Storage: ${result.storage.s3BytesPerNewArticle} bytes per new article in S3`,
    `= $${result.storage.s3UsdPerMonthPerMillionArticles} per month per million articles kept. "listed URL, per crawl" is what one crawl`,
    'run costs for each URL a source lists while nothing is due (not in the headline: it scales with sources and crawl',
    'frequency, not with articles).',
  ].join('\n');
}

await main();
