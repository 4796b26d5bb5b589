// `npm run bench:reextract [-- --articles 1000]`: stores N articles as an older extractor left them (extractor
// 1.0.0; every other one with a "| Site" suffix in its title) in an embedded data directory, then times
// `articles reextract --data-dir` over them twice in a process of its own (/usr/bin/time: wall time, peak RSS):
// the first run rewrites the broken half, the second finds nothing to change. The peer is extraction alone over
// the same pages in this process. Writes benchmark/results/48-reextract.json via writeResultSection.
import '../lib/runtime/sdk-warning.ts';
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs, promisify } from 'node:util';
import { loadConfig } from '../lib/config.ts';
import type { Article } from '../lib/core/article.ts';
import { extractWithMarkdown } from '../lib/core/markdown.ts';
import {
  EXAMPLE_ARTICLES,
  EXAMPLE_SITE_NAME,
  type SiteArticle,
} from '../lib/embedded/example-site/articles.ts';
import { articlePath, renderArticlePage } from '../lib/embedded/example-site/render.ts';
import { startEmbeddedStack } from '../lib/embedded/stack.ts';
import { buildReextractService } from '../lib/handlers/build-reextract.ts';
import type { ReextractSummary } from '../lib/handlers/reextract.ts';
import type { RawPage } from '../lib/store/types.ts';
import { machineDescription, writeResultSection } from './report.ts';

const run = promisify(execFile);
const ROOT = fileURLToPath(new URL('..', import.meta.url));
const SITE = { origin: 'https://ledger.example', name: EXAMPLE_SITE_NAME };
/** The "since" index hides commits younger than its settle window (5 s): wait it out before the runs. */
const SETTLE_WAIT_MS = 6_000;
const GROUP = 10;

const { values } = parseArgs({
  options: { articles: { type: 'string', default: '1000' }, 'no-write': { type: 'boolean' } },
});
const COUNT = Number(values.articles);
if (!Number.isSafeInteger(COUNT) || COUNT < 1) throw new Error('--articles must be a positive integer');

/** The example site's articles, varied by index so every page is its own article. */
function sitePages(count: number): Array<{ article: SiteArticle; raw: RawPage }> {
  const fetchedAt = new Date(Date.now() - 86_400_000).toISOString();
  return Array.from({ length: count }, (_, index) => {
    const base = EXAMPLE_ARTICLES[index % EXAMPLE_ARTICLES.length] as SiteArticle;
    const article = { ...base, slug: `${base.slug}-${index}`, title: `${base.title} (${index})` };
    const url = `${SITE.origin}${articlePath(article)}`;
    const body = new TextEncoder().encode(renderArticlePage(article, SITE));
    return {
      article,
      raw: { url, finalUrl: url, status: 200, contentType: 'text/html; charset=utf-8', body, fetchedAt },
    };
  });
}

async function seed(dataDir: string): Promise<{ extractSeconds: number; broken: number }> {
  const stack = await startEmbeddedStack({ dataDir, sources: [], port: false, logLevel: 'SILENT' });
  try {
    const { articles } = buildReextractService({
      config: loadConfig(stack.env),
      env: stack.env,
      events: stack.bus,
    });
    const pages = sitePages(COUNT);
    let extractMs = 0;
    let broken = 0;
    for (let start = 0; start < pages.length; start += GROUP) {
      const batch = pages.slice(start, start + GROUP);
      const group = articles.group(batch.length);
      await Promise.all(
        batch.map(async ({ raw }, offset) => {
          const member = group.member();
          try {
            const began = performance.now();
            const result = extractWithMarkdown({
              html: raw.body,
              url: raw.finalUrl,
              now: new Date(raw.fetchedAt),
            });
            extractMs += performance.now() - began;
            if (!result.ok) throw result.error;
            // As extractor 1.0.0 stored it: every other title still carries the site's name.
            const damaged = (start + offset) % 2 === 0;
            if (damaged) broken++;
            const older: Article = {
              ...result.value,
              ...(damaged ? { title: `${result.value.title} | ${EXAMPLE_SITE_NAME}` } : {}),
              extractor: { name: result.value.extractor.name, version: '1.0.0' },
            };
            await member.commit(older, raw);
          } finally {
            member.leave();
          }
        }),
      );
      if ((start / GROUP) % 20 === 0) process.stderr.write(`seeded ${start + batch.length}/${COUNT}\n`);
    }
    return { extractSeconds: extractMs / 1000, broken };
  } finally {
    await stack.stop();
  }
}

interface TimedRun {
  summary: ReextractSummary;
  wallSeconds: number;
  /** User + system CPU of the whole process (all threads, the embedded servers too): not skewed by load. */
  cpuSeconds: number;
  peakRssMb: number;
  loadAverage: number;
}

async function timedReextract(dataDir: string): Promise<TimedRun> {
  const loadAverage = Math.round((loadavg()[0] ?? 0) * 10) / 10;
  const { stdout, stderr } = await run(
    '/usr/bin/time',
    [
      '-f',
      'TIME %e %M %U %S',
      process.execPath,
      'scripts/cli.mjs',
      'articles',
      'reextract',
      '--data-dir',
      dataDir,
    ],
    { cwd: ROOT, maxBuffer: 64 * 2 ** 20 },
  ).catch((error: { stdout?: string; stderr?: string }) => {
    // Exit 1 (some article failed) still prints the summary; the table shows the failures.
    if (error.stdout) return { stdout: error.stdout, stderr: error.stderr ?? '' };
    throw error;
  });
  const timing = /TIME ([\d.]+) (\d+) ([\d.]+) ([\d.]+)/.exec(stderr);
  if (!timing) throw new Error(`no timing in: ${stderr.slice(-500)}`);
  return {
    summary: JSON.parse(stdout.trim().split('\n').at(-1) as string) as ReextractSummary,
    wallSeconds: Number(timing[1]),
    cpuSeconds: Number(timing[3]) + Number(timing[4]),
    peakRssMb: Math.round(Number(timing[2]) / 1024),
    loadAverage,
  };
}

async function main(): Promise<void> {
  const dataDir = await mkdtemp(join(tmpdir(), 'bench-reextract-'));
  try {
    const seeded = await seed(dataDir);
    await new Promise((resolve) => setTimeout(resolve, SETTLE_WAIT_MS));
    const first = await timedReextract(dataDir);
    const second = await timedReextract(dataDir);
    const perArticleMs = (timed: TimedRun) => Math.round((timed.summary.seconds * 1000) / COUNT);
    const row = (label: string, timed: TimedRun) =>
      `| ${label} | ${timed.summary.scanned} | ${timed.summary.changed} | ${timed.summary.unchanged} | ${timed.summary.failed} | ${timed.summary.seconds.toFixed(1)} | ${timed.wallSeconds.toFixed(1)} | ${perArticleMs(timed)} | ${(timed.summary.seconds / seeded.extractSeconds).toFixed(1)}x | ${Math.round((timed.cpuSeconds * 1000) / COUNT)} | ${timed.peakRssMb} | ${timed.loadAverage} |`;
    const markdown = [
      `${COUNT} articles stored in an embedded data directory (s3rver + dynalite on disk, store layout 2) as extractor`,
      `1.0.0 left them, ${seeded.broken} of them with a "| ${EXAMPLE_SITE_NAME}" suffix in the title; pages are the`,
      "example site's articles varied by index. Then `articles reextract --data-dir DIR` twice, each in a process of its",
      'own under /usr/bin/time (peak RSS = maxRSS of that process: the re-extraction and the S3/DynamoDB servers).',
      `Peer: extraction alone (extractWithMarkdown) over the same ${COUNT} pages took ${seeded.extractSeconds.toFixed(1)} s in the seeding process.`,
      '',
      '| run | scanned | changed | unchanged | failed | run s | process wall s | ms/article | run / extraction alone | CPU ms/article | peak RSS MB | load avg |',
      '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
      row('first (fixes titles)', first),
      row('second (nothing to change)', second),
      '',
      '"run s" is the summary\'s own time (index walk, S3 reads, extraction, writes, events); "process wall s" adds the',
      "Node start and the embedded servers' start and stop. Wall times depend on the load average (2 shared cores);",
      '"CPU ms/article" (user + system of the whole process, the in-process S3/DynamoDB servers included) does not.',
    ].join('\n');
    console.log(markdown);
    if (!values['no-write']) {
      writeResultSection({
        name: '48-reextract',
        title: 'Re-extraction over stored articles (embedded stack)',
        command: `npm run bench:reextract -- --articles ${COUNT}`,
        markdown,
        data: { machine: machineDescription(), articles: COUNT, seeded, first, second },
      });
    }
  } finally {
    await rm(dataDir, { recursive: true, force: true });
  }
}

await main();
