// `npm run bench:pipeline [-- --pages 1000 --concurrency 2,4,8]`: serves generated article pages (+ feed and
// sitemap) from a loopback site and runs them through the embedded stack (crawl → in-process queue → ingest
// handler → s3rver + dynalite on disk), the same path `npm start` takes. Reports throughput, per-article
// latency and peak memory; writes benchmark/results/40-pipeline.json via writeResultSection.
import '../lib/runtime/sdk-warning.ts';
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs, promisify } from 'node:util';
import type { SiteArticle } from '../lib/embedded/example-site/articles.ts';
import { startSiteServerThread } from '../lib/embedded/example-site/thread.ts';
import { startEmbeddedStack } from '../lib/embedded/stack.ts';
import { machineDescription, writeResultSection } from './report.ts';

/** Deterministic pseudo-random numbers, so every run serves the same pages. */
function mulberry32(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const WORDS = (
  'council harbour transport budget residents station project district committee minister report water energy ' +
  'school hospital workers union contract market price season weather river bridge housing street library museum ' +
  'research university study data figures survey growth decline vote election policy plan proposal agreement ' +
  'talks officials spokesperson statement morning evening week month year region city village farm coast island'
).split(' ');
const NAMES = [
  'Ada Novak',
  'Bram Osei',
  'Carla Mendes',
  'Dev Pillai',
  'Eva Lindgren',
  'Femi Adeyemi',
  'Greta Holm',
];
const SECTIONS = ['City', 'Region', 'Business', 'Science', 'Culture'];

function generateArticles(count: number): SiteArticle[] {
  const random = mulberry32(42);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;
  const sentence = () => {
    const words = Array.from({ length: 12 + Math.floor(random() * 14) }, () => pick(WORDS));
    const text = words.join(' ');
    return `${text.charAt(0).toUpperCase()}${text.slice(1)}.`;
  };
  const start = Date.parse('2025-01-01T06:00:00.000Z');
  return Array.from({ length: count }, (_, index) => {
    const published = new Date(start + index * 3_600_000).toISOString();
    return {
      slug: `story-${String(index).padStart(5, '0')}`,
      title: `${sentence().slice(0, 60).replace(/\.$/, '')} (${index})`,
      description: sentence(),
      authors: [pick(NAMES)],
      section: pick(SECTIONS),
      tags: [pick(WORDS), pick(WORDS)],
      publishedAt: published,
      paragraphs: Array.from({ length: 6 + Math.floor(random() * 5) }, () =>
        Array.from({ length: 3 + Math.floor(random() * 3) }, sentence).join(' '),
      ),
    };
  });
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[index] as number;
}

/**
 * threads: S3/DynamoDB servers on one worker thread, the crawled site on another, the pipeline on the main
 * thread (closest to AWS, where neither shares the function's CPU). single: everything on one event loop.
 */
type Mode = 'threads' | 'single';

interface RunResult {
  mode: Mode;
  concurrency: number;
  pages: number;
  ingested: number;
  failed: number;
  crawlSeconds: number;
  totalSeconds: number;
  articlesPerSecond: number;
  latencyMs: { p50: number; p95: number; max: number };
  queueToCommitMs: { p50: number; p95: number };
  peakRssMb: number;
  /**
   * CPU time per ingested article, independent of other load on the machine: the whole process (all threads) and
   * the main thread alone (the pipeline; in `threads` mode the servers and the site run on other threads).
   */
  cpuMsPerArticle: { process: number; mainThread: number };
  /**
   * What an otherwise idle 2-core machine allows by CPU: the lower of 1000 / main-thread ms (one core for the
   * event loop) and 2000 / process ms (both cores for everything).
   */
  idleCeilingPerSecond: number;
  /** The machine's 1-minute load average when the run started: other work on the 2 cores skews the figures. */
  loadAverage: number;
}

/**
 * The site under crawl runs on a worker thread of its own: in reality it is a remote server, so serving the
 * pages must not be billed to the pipeline's event loop.
 */
async function runOnce(articles: SiteArticle[], concurrency: number, mode: Mode): Promise<RunResult> {
  const singleThread = mode === 'single';
  const loadAverage = round(loadavg()[0] ?? 0, 1);
  const site = singleThread ? undefined : await startSiteServerThread(articles);
  const dataDir = await mkdtemp(join(tmpdir(), 'bench-pipeline-'));
  const latencies: number[] = [];
  const endToEnd: number[] = [];
  let peakRss = process.memoryUsage.rss();
  const sampler = setInterval(() => {
    peakRss = Math.max(peakRss, process.memoryUsage.rss());
  }, 250);
  const stack = await startEmbeddedStack({
    dataDir,
    ...(site
      ? {
          sources: [{ url: `${site.origin}/feed.xml` }, { url: `${site.origin}/sitemap.xml` }],
          allowedOrigins: [site.origin],
          fetcher: { minIntervalMs: 0, maxConcurrentPerHost: 16 },
        }
      : { exampleArticles: articles }),
    port: false,
    concurrency,
    serversThread: !singleThread,
    logLevel: 'SILENT',
    onOutcome: (outcome, message) => {
      if (outcome.durationMs !== undefined) latencies.push(outcome.durationMs);
      if (message) endToEnd.push(Date.now() - Date.parse(message.discoveredAt));
    },
  });
  try {
    stack.exampleSite?.prerender();
    const cpuBefore = process.cpuUsage();
    const mainBefore = await mainThreadCpuMs();
    const startedAt = performance.now();
    await stack.crawl();
    const crawledAt = performance.now();
    await stack.drain();
    const finishedAt = performance.now();
    const cpu = process.cpuUsage(cpuBefore);
    const mainCpuMs = (await mainThreadCpuMs()) - mainBefore;
    const totals = stack.totals();
    const seconds = (finishedAt - startedAt) / 1000;
    latencies.sort((a, b) => a - b);
    endToEnd.sort((a, b) => a - b);
    return {
      mode,
      concurrency,
      pages: articles.length,
      ingested: totals.ingested,
      failed: totals.failed,
      crawlSeconds: round((crawledAt - startedAt) / 1000, 2),
      totalSeconds: round(seconds, 2),
      articlesPerSecond: round(totals.ingested / seconds, 1),
      latencyMs: {
        p50: round(percentile(latencies, 50), 1),
        p95: round(percentile(latencies, 95), 1),
        max: round(latencies.at(-1) ?? Number.NaN, 1),
      },
      queueToCommitMs: { p50: round(percentile(endToEnd, 50), 0), p95: round(percentile(endToEnd, 95), 0) },
      // Each run has a process of its own, so the process's maxRSS is this run's peak (samples as a floor).
      peakRssMb: round(Math.max(peakRss, process.resourceUsage().maxRSS * 1024) / 2 ** 20, 0),
      cpuMsPerArticle: {
        process: round((cpu.user + cpu.system) / 1000 / Math.max(1, totals.ingested), 1),
        mainThread: round(mainCpuMs / Math.max(1, totals.ingested), 1),
      },
      idleCeilingPerSecond: round(
        Math.min(
          (1000 * Math.max(1, totals.ingested)) / Math.max(1, mainCpuMs),
          (2000 * Math.max(1, totals.ingested)) / Math.max(1, (cpu.user + cpu.system) / 1000),
        ),
        0,
      ),
      loadAverage,
    };
  } finally {
    clearInterval(sampler);
    await stack.stop();
    await site?.stop();
    await rm(dataDir, { recursive: true, force: true });
  }
}

/** CPU time of the main thread (Linux: /proc/self/task/<pid>/stat, utime + stime in clock ticks of 10 ms). */
async function mainThreadCpuMs(): Promise<number> {
  try {
    const stat = await readFile(`/proc/self/task/${process.pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) * 10;
  } catch {
    return Number.NaN;
  }
}

const round = (value: number, digits: number) => Math.round(value * 10 ** digits) / 10 ** digits;

/** One configuration per process, so one run's heap and peak RSS cannot carry over into the next. */
async function runInChild(pages: number, concurrency: number, mode: Mode): Promise<RunResult> {
  const args = [
    ...process.execArgv,
    fileURLToPath(import.meta.url),
    '--child',
    '--pages',
    String(pages),
    '--concurrency',
    String(concurrency),
    '--mode',
    mode,
  ];
  const { stdout } = await promisify(execFile)(process.execPath, args, {
    maxBuffer: 16 * 1024 * 1024,
    timeout: 15 * 60_000,
  });
  const last = stdout.trim().split('\n').at(-1) ?? '';
  return JSON.parse(last) as RunResult;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      pages: { type: 'string', default: '1000' },
      concurrency: { type: 'string', default: '1,2,4' },
      'no-write': { type: 'boolean', default: false },
      mode: { type: 'string', default: 'threads,single' },
      /** Internal: run one configuration in this process and print its result as JSON. */
      child: { type: 'boolean', default: false },
    },
  });
  const PAGES = Number(values.pages);
  const CONCURRENCIES = values.concurrency.split(',').map(Number);
  if (!Number.isInteger(PAGES) || PAGES < 1 || CONCURRENCIES.some((c) => !Number.isInteger(c) || c < 1)) {
    throw new Error('--pages and --concurrency take positive integers');
  }
  const MODES = values.mode.split(',') as Mode[];
  if (MODES.some((mode) => mode !== 'threads' && mode !== 'single'))
    throw new Error('--mode takes threads and/or single');
  if (values.child) {
    const [mode, concurrency] = [MODES[0] as Mode, CONCURRENCIES[0] as number];
    process.stdout.write(`${JSON.stringify(await runOnce(generateArticles(PAGES), concurrency, mode))}\n`);
    return;
  }
  const results: RunResult[] = [];
  for (const mode of MODES)
    for (const concurrency of CONCURRENCIES) {
      const result = await runInChild(PAGES, concurrency, mode);
      results.push(result);
      console.error(
        `${mode}, concurrency ${concurrency} (×10 records): ${result.ingested}/${result.pages} ingested, ${result.failed} failed, ` +
          `${result.articlesPerSecond} articles/s, p50 ${result.latencyMs.p50} ms, p95 ${result.latencyMs.p95} ms, ` +
          `peak RSS ${result.peakRssMb} MB`,
      );
    }

  const rows = results.map(
    (r) =>
      `| ${r.mode} | ${r.concurrency} | ${r.ingested}/${r.pages} | ${r.failed} | ${r.articlesPerSecond} | ${r.latencyMs.p50} | ${r.latencyMs.p95} | ${r.queueToCommitMs.p50} / ${r.queueToCommitMs.p95} | ${r.crawlSeconds} | ${r.totalSeconds} | ${r.peakRssMb} | ${r.cpuMsPerArticle.process} / ${r.cpuMsPerArticle.mainThread} | ${r.idleCeilingPerSecond} | ${r.loadAverage} |`,
  );
  const markdown = [
    `${PAGES} generated article pages (6–10 paragraphs, realistic page chrome) served from a loopback site with an RSS feed`,
    'and a sitemap, run through the embedded stack in one process: crawl handler → in-process queue (batches of 10,',
    '`concurrency` batches in flight) → ingest handler (polite fetcher without per-host pacing for the loopback origin,',
    'cheerio extraction, zod validation) → s3rver + dynalite with data on disk. Aim: ≥ 40 articles/s, peak RSS < 400 MB.',
    'Mode `threads`: S3/DynamoDB servers on one worker thread and the crawled site on another, the pipeline alone on',
    'the main thread (`npm start -- --servers-thread`); `single`: everything on one event loop (`npm start`).',
    '',
    '| mode | concurrency | ingested | failed | articles/s | p50 ms | p95 ms | queue→commit p50 / p95 ms | crawl s | total s | peak RSS MB | CPU ms/article process / main | idle 2-core ceiling /s | load avg |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
    ...rows,
    '',
    'Latency is per article from the start of its fetch to its commit (fetch, extract, S3 puts, DynamoDB commit, crawl',
    'state). "queue→commit" counts from the crawl\'s start, so it includes waiting behind the other pages. "crawl s" is',
    'until the crawl handler returned; it queues batches of 10 as it goes, so ingest overlaps it.',
    "Each configuration runs in a fresh process; peak RSS is that process's maxRSS (all threads: the pipeline, the",
    'S3/DynamoDB servers and, in `threads` mode, the site). The npm script caps the main heap at 256 MB',
    '(`NODE_OPTIONS`) and glibc at 2 malloc arenas (`MALLOC_ARENA_MAX`); helper threads get 128 MB of old generation.',
    'Without the caps V8 grows its heaps lazily and the same runs peak at 450–530 MB.',
    '',
    '"load avg" is the 1-minute load average when the run started; anything above 2 means other work shared the cores',
    'and articles/s understates what the pipeline does on a free machine. CPU time per article does not depend on that',
    'load: "process" counts every thread (libuv\'s pool and V8\'s helpers too), "main" the event loop that runs the',
    'handlers (and, in `single` mode, the servers and the site). "idle 2-core ceiling" = min(1000 / main, 2000 / process):',
    'the rate this CPU cost allows when nothing else runs on the 2 cores.',
  ].join('\n');
  console.log(markdown);
  if (!values['no-write']) {
    writeResultSection({
      name: '40-pipeline',
      title: 'Pipeline throughput (embedded stack)',
      command: `npm run bench:pipeline -- --pages ${PAGES} --concurrency ${CONCURRENCIES.join(',')} --mode ${MODES.join(',')}`,
      markdown,
      data: { machine: machineDescription(), pages: PAGES, results },
    });
  }
}

await main();
