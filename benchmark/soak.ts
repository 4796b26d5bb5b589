// npm run soak [-- --articles 1000 --requests 20000 --concurrency 8 --no-write]
//
// Memory under a long query load (issue 14): the embedded stack as `npm start` runs it, with a data directory
// (LevelDB on disk, s3rver files), seeded with N articles through ArticleWriter.commit, then R requests
// (mixed: by-id, site listings and since-feed pages) from a worker thread. The stack's RSS and heap are
// sampled every second; the gate is RSS growth after warm-up (the first 20% of requests) under 50 MB.
// Writes benchmark/results/55-soak.json. Exits 1 when the gate fails.
import '../lib/runtime/sdk-warning.ts';
import { mkdtemp, rm } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { Worker } from 'node:worker_threads';
import type { Article } from '../lib/core/article.ts';
import { startEmbeddedStack } from '../lib/embedded/stack.ts';
import { DEFAULT_SINCE_FEED_SETTLE_MS } from '../lib/store/aws/index.ts';
import { seedArticles, storeOfStack } from './embedded-seed.ts';
import { writeResultSection } from './report.ts';

const { values: args } = parseArgs({
  options: {
    articles: { type: 'string', default: '1000' },
    requests: { type: 'string', default: '20000' },
    concurrency: { type: 'string', default: '8' },
    'max-growth-mb': { type: 'string', default: '50' },
    'no-write': { type: 'boolean', default: false },
  },
});
const ARTICLES = Number(args.articles);
const REQUESTS = Number(args.requests);
const CONCURRENCY = Number(args.concurrency);
const MAX_GROWTH_MB = Number(args['max-growth-mb']);
const SITES = 10;
const WARMUP_SHARE = 0.2;
const MB = 1024 * 1024;

// Plain CommonJS so the worker needs no TypeScript loader. Sends `requests` requests in total, reporting
// progress (requests done) every 250 so the main thread can pair RSS samples with request counts.
const LOAD_WORKER = `
const { parentPort, workerData } = require('node:worker_threads');
const http = require('node:http');
const { origin, requests, concurrency, targets } = workerData;
const agent = new http.Agent({ keepAlive: true, maxSockets: concurrency });
const latencies = new Float64Array(requests);
const statuses = {};
let next = 0, done = 0, errors = 0;
function request(target) {
  return new Promise((resolve) => {
    const started = process.hrtime.bigint();
    const req = http.get(origin + target, { agent }, (res) => {
      res.resume();
      res.on('end', () => {
        latencies[done] = Number(process.hrtime.bigint() - started) / 1e6;
        statuses[res.statusCode] = (statuses[res.statusCode] || 0) + 1;
        resolve();
      });
    });
    req.on('error', () => { errors += 1; resolve(); });
  });
}
async function user() {
  while (next < requests) {
    const index = next++;
    await request(targets[index % targets.length]);
    done += 1;
    if (done % 250 === 0) parentPort.postMessage({ progress: done });
  }
}
(async () => {
  const started = performance.now();
  await Promise.all(Array.from({ length: concurrency }, user));
  agent.destroy();
  parentPort.postMessage({ result: { latencies, statuses, errors, elapsedMs: performance.now() - started } }, [latencies.buffer]);
})();
`;

interface Sample {
  seconds: number;
  requests: number;
  rssMb: number;
  heapMb: number;
}

function percentile(sorted: Float64Array, p: number): number {
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return Math.round((sorted[index] ?? Number.NaN) * 10) / 10;
}

const round1 = (value: number) => Math.round(value * 10) / 10;

async function main(): Promise<number> {
  const dataDir = await mkdtemp(join(tmpdir(), 'article-pipeline-soak-'));
  const stack = await startEmbeddedStack({ dataDir, sources: [], port: 0, logLevel: 'ERROR' });
  const { store, close } = storeOfStack(stack.env);
  try {
    console.error(`seeding ${ARTICLES} articles on ${SITES} sites into ${dataDir}…`);
    const { articles, startedAt: seedStartedAt } = await seedArticles(store, {
      articles: ARTICLES,
      sites: SITES,
      title: (index) => `Soak article ${index}`,
      text: (index) => `Paragraph ${index} of a soak article, long enough to look like text.\n\n`.repeat(40),
    });
    await new Promise((resolve) => setTimeout(resolve, DEFAULT_SINCE_FEED_SETTLE_MS));
    // Mixed: half by id, a quarter site listings (first and deeper pages by date), a quarter since-feed pages.
    const targets: string[] = [];
    for (let index = 0; index < 400; index++) {
      const article = articles[(index * 37) % ARTICLES] as Article;
      if (index % 4 < 2) targets.push(`/articles/${article.id}`);
      else if (index % 4 === 2) {
        targets.push(`/articles?site=site${index % SITES}.example&limit=20&to=${article.publishedAt}`);
      } else targets.push(`/articles?since=${seedStartedAt}&limit=20`);
    }

    const queryUrl = stack.queryUrl ?? '';
    const samples: Sample[] = [];
    let requestsDone = 0;
    const started = performance.now();
    const sample = () => {
      const memory = process.memoryUsage();
      samples.push({
        seconds: round1((performance.now() - started) / 1000),
        requests: requestsDone,
        rssMb: round1(memory.rss / MB),
        heapMb: round1(memory.heapUsed / MB),
      });
    };
    sample();
    const timer = setInterval(sample, 1000);
    console.error(`${REQUESTS} requests at concurrency ${CONCURRENCY}…`);
    const result = await new Promise<{
      latencies: Float64Array;
      statuses: Record<string, number>;
      errors: number;
      elapsedMs: number;
    }>((resolve, reject) => {
      const worker = new Worker(LOAD_WORKER, {
        eval: true,
        workerData: { origin: queryUrl, requests: REQUESTS, concurrency: CONCURRENCY, targets },
      });
      worker.on('message', (message: { progress?: number; result?: never }) => {
        if (message.progress !== undefined) {
          requestsDone = message.progress;
          // Every 1,000: a run cut short on a loaded machine still shows the trend.
          if (requestsDone % 1000 === 0) {
            const last = samples.at(-1);
            const seconds = Math.round((performance.now() - started) / 1000);
            console.error(
              `  ${requestsDone} requests in ${seconds} s, RSS ${last?.rssMb} MB, heap ${last?.heapMb} MB`,
            );
          }
        }
        if (message.result) {
          resolve(message.result);
          void worker.terminate();
        }
      });
      worker.once('error', reject);
    });
    requestsDone = REQUESTS;
    sample();
    clearInterval(timer);

    // The heap saw-tooths between collections (tens of MB on this load), so single samples say little:
    // growth = median RSS over the last fifth of the run minus median RSS over the fifth after warm-up.
    const median = (values: number[]) =>
      [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? Number.NaN;
    const between = (from: number, to: number) =>
      samples.filter((s) => s.requests >= REQUESTS * from && s.requests <= REQUESTS * to).map((s) => s.rssMb);
    const warmRss = round1(median(between(WARMUP_SHARE, WARMUP_SHARE + 0.2)));
    const endRss = round1(median(between(0.8, 1)));
    const rest = samples.filter((s) => s.requests >= REQUESTS * WARMUP_SHARE);
    const peakRss = Math.max(...rest.map((s) => s.rssMb));
    const growthMb = round1(endRss - warmRss);
    const heapLow = (from: number, to: number) =>
      round1(
        Math.min(
          ...samples
            .filter((s) => s.requests >= REQUESTS * from && s.requests <= REQUESTS * to)
            .map((s) => s.heapMb),
        ),
      );
    const sorted = Float64Array.from(result.latencies).sort();
    const passed = growthMb < MAX_GROWTH_MB;
    const step = Math.max(1, Math.floor(samples.length / 12));
    const timeline = samples.filter((_, index) => index % step === 0 || index === samples.length - 1);
    const markdown = [
      `The embedded stack as \`npm start\` runs it, with a data directory (LevelDB and s3rver files on disk),`,
      `seeded with ${ARTICLES} articles on ${SITES} sites; then ${REQUESTS} requests from ${CONCURRENCY} keep-alive`,
      'clients on loopback: half `GET /articles/{id}`, a quarter `?site=` listings, a quarter `?since=` pages.',
      `RSS of the stack's process sampled every second; warm-up = the first ${WARMUP_SHARE * 100}% of requests.`,
      '',
      `| requests | req/s | p50 ms | p99 ms | RSS after warm-up MB (median) | RSS at the end MB (median) | peak RSS MB | heap low after warm-up → at the end MB | growth MB (gate < ${MAX_GROWTH_MB}) |`,
      '| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
      `| ${sorted.length} | ${Math.round((sorted.length / result.elapsedMs) * 1000)} | ${percentile(sorted, 50)} | ${percentile(sorted, 99)} | ${warmRss} | ${endRss} | ${peakRss} | ${heapLow(WARMUP_SHARE, WARMUP_SHARE + 0.2)} → ${heapLow(0.8, 1)} | ${growthMb} ${passed ? '(pass)' : '(FAIL)'} |`,
      '',
      `Statuses: ${Object.entries(result.statuses)
        .map(([status, count]) => `${status}×${count}`)
        .join(
          ' ',
        )}${result.errors ? `, ${result.errors} connection errors` : ''}; load average (1 min) ${round1(loadavg()[0] ?? 0)}.`,
      '',
      'RSS over time (requests done → RSS MB): ' +
        timeline.map((s) => `${s.requests} → ${s.rssMb}`).join(', '),
    ].join('\n');
    if (!args['no-write']) {
      writeResultSection({
        name: '55-soak',
        title: 'Soak: memory under a long query load (embedded stack)',
        command: `npm run soak -- --articles ${ARTICLES} --requests ${REQUESTS} --concurrency ${CONCURRENCY}`,
        markdown,
        data: {
          articles: ARTICLES,
          requests: REQUESTS,
          concurrency: CONCURRENCY,
          growthMb,
          maxGrowthMb: MAX_GROWTH_MB,
          p50Ms: percentile(sorted, 50),
          p99Ms: percentile(sorted, 99),
          statuses: result.statuses,
          errors: result.errors,
          samples,
        },
      });
    }
    console.log(markdown);
    return passed && result.errors === 0 ? 0 : 1;
  } finally {
    close();
    await stack.stop();
    await rm(dataDir, { recursive: true, force: true });
  }
}

process.exitCode = await main();
