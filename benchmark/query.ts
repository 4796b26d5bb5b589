// npm run bench:query [-- --articles 1000 --seconds 8 --concurrency 16 --engine dynalite --placement both]
//
// The query API of the embedded stack under a concurrent load on loopback: the real store (s3rver +
// dynalite, or DynamoDB Local) seeded with N articles, the query handler behind startQueryServer, and a
// load generator in a worker thread (its own event loop, keep-alive node:http clients) that runs each
// scenario for a fixed time and records every request's latency. Writes benchmark/results/50-query.json.
import '../lib/runtime/sdk-warning.ts';
import { loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { Worker } from 'node:worker_threads';
import type { DynamoDbEngine } from '../lib/embedded/servers.ts';
import { startEmbeddedStack } from '../lib/embedded/stack.ts';
import { DEFAULT_SINCE_FEED_SETTLE_MS } from '../lib/store/aws/index.ts';
import { seedArticles, storeOfStack } from './embedded-seed.ts';
import { writeResultSection } from './report.ts';

const { values: args } = parseArgs({
  options: {
    articles: { type: 'string', default: '1000' },
    sites: { type: 'string', default: '10' },
    seconds: { type: 'string', default: '8' },
    concurrency: { type: 'string', default: '16' },
    engine: { type: 'string', default: 'dynalite' },
    /** Where the storage servers run: the handler's event loop, a worker thread, or both, one after the other. */
    placement: { type: 'string', default: 'both' },
    'no-write': { type: 'boolean', default: false },
  },
});
const ARTICLES = Number(args.articles);
const SITES = Number(args.sites);
const SECONDS = Number(args.seconds);
const CONCURRENCY = Number(args.concurrency);
const ENGINE = args.engine as DynamoDbEngine;
const PLACEMENT = args.placement;
if (PLACEMENT !== 'both' && PLACEMENT !== 'loop' && PLACEMENT !== 'thread') {
  throw new Error(`--placement must be both, loop or thread, got ${PLACEMENT}`);
}
const PAGE_SIZE = 20;
const WARMUP_SECONDS = 1;

/** Scenario for the load worker: fixed targets picked at random, or virtual users walking cursor pages. */
type Scenario =
  | { kind: 'targets'; targets: string[]; headers?: Record<string, string> }
  | { kind: 'pages'; firstPages: string[] };

interface LoadResult {
  latenciesMs: Float64Array;
  statuses: Record<string, number>;
  errors: number;
  elapsedMs: number;
  pagesCompleted: number;
}

// Plain CommonJS so the worker needs no TypeScript loader.
const LOAD_WORKER = `
const { parentPort, workerData } = require('node:worker_threads');
const http = require('node:http');
const { origin, durationMs, concurrency, scenario } = workerData;
const agent = new http.Agent({ keepAlive: true, maxSockets: concurrency });
const latencies = [];
const statuses = {};
let errors = 0;
let pagesCompleted = 0;
function request(target, headers) {
  return new Promise((resolve) => {
    const started = process.hrtime.bigint();
    const req = http.get(origin + target, { agent, headers }, (res) => {
      const chunks = [];
      res.on('data', (chunk) => chunks.push(chunk));
      res.on('end', () => {
        latencies.push(Number(process.hrtime.bigint() - started) / 1e6);
        statuses[res.statusCode] = (statuses[res.statusCode] || 0) + 1;
        resolve({ status: res.statusCode, body: Buffer.concat(chunks).toString('utf8') });
      });
    });
    req.on('error', () => { errors += 1; resolve({ status: 0, body: '' }); });
  });
}
const pick = (list) => list[Math.floor(Math.random() * list.length)];
async function user(deadline) {
  if (scenario.kind === 'targets') {
    while (performance.now() < deadline) await request(pick(scenario.targets), scenario.headers);
    return;
  }
  while (performance.now() < deadline) {
    const first = pick(scenario.firstPages);
    let target = first;
    while (target && performance.now() < deadline) {
      const { status, body } = await request(target);
      if (status !== 200) break;
      const cursor = JSON.parse(body).nextCursor;
      target = cursor ? first + '&cursor=' + cursor : undefined;
      if (!cursor) pagesCompleted += 1;
    }
  }
}
(async () => {
  const started = performance.now();
  const deadline = started + durationMs;
  await Promise.all(Array.from({ length: concurrency }, () => user(deadline)));
  const elapsedMs = performance.now() - started;
  agent.destroy();
  const latenciesMs = Float64Array.from(latencies);
  parentPort.postMessage({ latenciesMs, statuses, errors, elapsedMs, pagesCompleted }, [latenciesMs.buffer]);
})();
`;

function runLoad(origin: string, scenario: Scenario, seconds: number): Promise<LoadResult> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(LOAD_WORKER, {
      eval: true,
      workerData: { origin, durationMs: seconds * 1000, concurrency: CONCURRENCY, scenario },
    });
    worker.once('message', (result: LoadResult) => {
      resolve(result);
      void worker.terminate();
    });
    worker.once('error', reject);
  });
}

function percentile(sorted: Float64Array, p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const index = Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1);
  return sorted[Math.max(0, index)] ?? Number.NaN;
}

interface ScenarioFigures {
  scenario: string;
  description: string;
  requests: number;
  requestsPerSecond: number;
  p50Ms: number;
  p90Ms: number;
  p99Ms: number;
  maxMs: number;
  statuses: Record<string, number>;
  errors: number;
  listingsWalked?: number;
}

function summarize(scenario: string, description: string, result: LoadResult): ScenarioFigures {
  const sorted = Float64Array.from(result.latenciesMs).sort();
  const round = (value: number) => Math.round(value * 100) / 100;
  return {
    scenario,
    description,
    requests: sorted.length,
    requestsPerSecond: Math.round((sorted.length / result.elapsedMs) * 1000),
    p50Ms: round(percentile(sorted, 50)),
    p90Ms: round(percentile(sorted, 90)),
    p99Ms: round(percentile(sorted, 99)),
    maxMs: round(sorted.at(-1) ?? Number.NaN),
    statuses: result.statuses,
    errors: result.errors,
    ...(result.pagesCompleted > 0 ? { listingsWalked: result.pagesCompleted } : {}),
  };
}

/** Article text of a realistic length (~600 words), so S3 reads and JSON serialization cost what they would. */
function bodyText(index: number): string {
  const sentence = `Paragraph text for article ${index}, long enough to look like reporting with several clauses.`;
  return Array.from({ length: 12 }, () => Array.from({ length: 4 }, () => sentence).join(' ')).join('\n\n');
}

interface PlacementResult {
  placement: string;
  seedSeconds: number;
  articleJsonBytes: number;
  loadAverage1m: number[];
  scenarios: ScenarioFigures[];
}

/** Starts the embedded stack, seeds it, runs every scenario against its query API, stops it. */
async function measurePlacement(serversThread: boolean): Promise<PlacementResult> {
  const placement = serversThread
    ? 'storage servers on a worker thread'
    : "storage servers in the handler's event loop";
  console.error(`starting the embedded stack (${ENGINE}, ${placement}, no crawl sources)…`);
  // The stack `npm start` runs: local servers, the query handler behind startQueryServer, nothing crawling.
  const stack = await startEmbeddedStack({
    engine: ENGINE,
    sources: [],
    port: 0,
    logLevel: 'ERROR',
    serversThread,
  });
  const { store, close } = storeOfStack(stack.env);
  try {
    console.error(`seeding ${ARTICLES} articles on ${SITES} sites…`);
    // Seeded through the real ArticleWriter on the stack's own bucket and table.
    const seeded = await seedArticles(store, {
      articles: ARTICLES,
      sites: SITES,
      title: (index) => `Benchmark article ${index}`,
      text: bodyText,
    });
    const { articles, startedAt: seedStartedAt, seconds: seedSeconds } = seeded;
    const queryUrl = stack.queryUrl;
    if (queryUrl === undefined) throw new Error('the embedded stack did not start the query API');

    const ids = articles.map((article) => article.id);
    const byId: Scenario = { kind: 'targets', targets: ids.map((id) => `/articles/${id}`) };
    const sample = await fetch(`${queryUrl}/articles/${ids[0]}`);
    const articleJsonBytes = (await sample.arrayBuffer()).byteLength;
    const notModified: Scenario = {
      kind: 'targets',
      targets: [`/articles/${ids[0]}`],
      headers: { 'if-none-match': sample.headers.get('etag') ?? '' },
    };
    const sitePages: Scenario = {
      kind: 'pages',
      firstPages: Array.from(
        { length: SITES },
        (_, site) => `/articles?site=site${site}.example&limit=${PAGE_SIZE}`,
      ),
    };
    // The poller's feed: everything since the seeding began, oldest first, across sites.
    const sincePages: Scenario = {
      kind: 'pages',
      firstPages: [`/articles?since=${seedStartedAt}&limit=${PAGE_SIZE}`],
    };
    // Items younger than the store's settle window are held back from the since feed; let them settle.
    await new Promise((resolve) => setTimeout(resolve, DEFAULT_SINCE_FEED_SETTLE_MS));
    // Measure only what answers correctly: full first pages from both listings.
    for (const target of [...sitePages.firstPages.slice(0, 1), ...sincePages.firstPages]) {
      const page = (await (await fetch(`${queryUrl}${target}`)).json()) as { items?: unknown[] };
      const expected = Math.min(
        PAGE_SIZE,
        target.includes('since=') ? ARTICLES : Math.ceil(ARTICLES / SITES),
      );
      if (page.items?.length !== expected) {
        throw new Error(`${target} returned ${page.items?.length} items, expected ${expected}`);
      }
    }
    const scenarios: Array<[string, string, Scenario]> = [
      [
        'GET /articles/{id}',
        `random ids among ${ARTICLES}; full Article JSON (${articleJsonBytes} bytes)`,
        byId,
      ],
      ['GET /articles/{id} → 304', 'If-None-Match matching (index read only, no S3 read)', notModified],
      [
        'GET /articles?site= (paginated)',
        `each virtual user walks a random site's listing (${ARTICLES / SITES} articles) ${PAGE_SIZE} per page, following nextCursor`,
        sitePages,
      ],
      [
        'GET /articles?since= (paginated)',
        `each virtual user walks the whole since feed (${ARTICLES} articles, all sites, oldest first) ${PAGE_SIZE} per page`,
        sincePages,
      ],
    ];
    const loadAverages = [loadavg()[0] ?? 0];
    const figures: ScenarioFigures[] = [];
    for (const [name, description, scenario] of scenarios) {
      console.error(`${name}: warm-up ${WARMUP_SECONDS}s, then ${SECONDS}s at concurrency ${CONCURRENCY}…`);
      await runLoad(queryUrl, scenario, WARMUP_SECONDS);
      const result = summarize(name, description, await runLoad(queryUrl, scenario, SECONDS));
      console.error(
        `  ${result.requestsPerSecond} req/s, p50 ${result.p50Ms} ms, p99 ${result.p99Ms} ms, statuses ${JSON.stringify(result.statuses)}`,
      );
      figures.push(result);
    }
    loadAverages.push(loadavg()[0] ?? 0);
    return {
      placement,
      seedSeconds: Math.round(seedSeconds * 10) / 10,
      articleJsonBytes,
      loadAverage1m: loadAverages.map((value) => Math.round(value * 10) / 10),
      scenarios: figures,
    };
  } finally {
    close();
    await stack.stop();
  }
}

function statusText(f: ScenarioFigures): string {
  const statuses = Object.entries(f.statuses)
    .map(([status, count]) => `${status}×${count}`)
    .join(' ');
  return `${statuses}${f.errors ? `, ${f.errors} errors` : ''}`;
}

async function main(): Promise<void> {
  const placements = PLACEMENT === 'both' ? [false, true] : [PLACEMENT === 'thread'];
  const results: PlacementResult[] = [];
  for (const serversThread of placements) results.push(await measurePlacement(serversThread));

  const rows = results.flatMap((result) =>
    result.scenarios.map(
      (f) =>
        `| ${f.scenario} | ${result.placement} | ${f.requests} | ${f.requestsPerSecond} | ${f.p50Ms} | ${f.p90Ms} | ${f.p99Ms} | ${f.maxMs} | ${statusText(f)} |`,
    ),
  );
  const first = results[0];
  const markdown = [
    `The embedded stack as \`npm start\` runs it (the query handler behind node:http on s3rver + ${ENGINE}),`,
    `seeded with ${ARTICLES} articles on ${SITES} sites through ArticleWriter.commit. Load: a worker thread with`,
    `${CONCURRENCY} concurrent keep-alive clients on loopback, ${SECONDS} s per scenario after a ${WARMUP_SECONDS} s`,
    'warm-up; latency is per request, measured by the client. Each placement is a fresh stack.',
    '',
    '| scenario | placement | requests | req/s | p50 ms | p90 ms | p99 ms | max ms | statuses |',
    '| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | --- |',
    ...rows,
    '',
    ...(first?.scenarios ?? []).map((f) => `- ${f.scenario}: ${f.description}.`),
    ...results.map(
      (result) =>
        `- ${result.placement}: seeding took ${result.seedSeconds} s; machine load average (1 min) ${result.loadAverage1m.join(' → ')} before → after the scenarios.`,
    ),
    '',
    'Load generator, handler and the storage emulators share two cores with whatever else the machine runs,',
    "so these figures bound the embedded stack's capacity, not a Lambda's: in AWS each request is one DynamoDB",
    'GetItem or Query plus (for a full article) one S3 GetObject, and concurrency scales with Lambda instances.',
  ].join('\n');

  if (!args['no-write']) {
    writeResultSection({
      name: '50-query',
      title: 'Query API: latency and throughput (embedded stack)',
      command: `npm run bench:query -- --articles ${ARTICLES} --seconds ${SECONDS} --concurrency ${CONCURRENCY} --engine ${ENGINE} --placement ${PLACEMENT}`,
      markdown,
      data: {
        articles: ARTICLES,
        sites: SITES,
        engine: ENGINE,
        concurrency: CONCURRENCY,
        secondsPerScenario: SECONDS,
        pageSize: PAGE_SIZE,
        placements: results,
      },
    });
  }
  console.log(markdown);
}

await main();
