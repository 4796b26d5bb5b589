// Article-extraction benchmark: quality on the 181 pages of ../shared/benchmarks/article-extraction with the
// upstream metric (benchmark/metric.ts), and speed of our extractor against @mozilla/readability over linkedom
// and over jsdom, on the same pages in the same run.
//
//   npm run bench                      quality + speed, writes benchmark/results/10-extraction.json
//   npm run bench:quality -- --min-f1 0.96 --min-precision 0.94     quality only; exits 1 below a floor
// Options: --worst N (print the N worst pages), --only ID[,ID] (a subset), --no-jsdom, --data DIR,
// --process-runs N (whole-process runs per system, default 5; 0 skips them), --no-cli (no CLI whole-process row).
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { Readability } from '@mozilla/readability';
import { load } from 'cheerio';
import { JSDOM, VirtualConsole } from 'jsdom';
import { parseHTML } from 'linkedom';
import { extractContent } from '../lib/core/extract/content.ts';
import { toPlainText } from '../lib/core/extract/text.ts';
import { type CorpusScoreWithError, evaluateCorpus, type PageScore, scorePage } from './metric.ts';
import { writeResultSection } from './report.ts';
import { measureWholeProcess, type WholeProcessResult } from './whole-process/measure.ts';

const { values: args } = parseArgs({
  options: {
    'quality-only': { type: 'boolean', default: false },
    'min-f1': { type: 'string' },
    'min-precision': { type: 'string' },
    worst: { type: 'string', default: '0' },
    only: { type: 'string' },
    'no-jsdom': { type: 'boolean', default: false },
    'no-write': { type: 'boolean', default: false },
    'process-runs': { type: 'string', default: '5' },
    'no-cli': { type: 'boolean', default: false },
    data: {
      type: 'string',
      default: new URL('../../shared/benchmarks/article-extraction/', import.meta.url).pathname,
    },
    'readability-data': {
      type: 'string',
      default: new URL('../../shared/benchmarks/readability-pages/', import.meta.url).pathname,
    },
  },
});

// Timings are only comparable between systems measured in the same run; the load says how busy the machine was.
const loadAtStart = loadavg()
  .map((value) => value.toFixed(2))
  .join(' / ');
const dataDir = args.data.endsWith('/') ? args.data : `${args.data}/`;
if (!existsSync(`${dataDir}ground-truth.json`)) {
  console.error(`benchmark data not found in ${dataDir} (pass --data DIR)`);
  process.exit(2);
}

interface Truth {
  articleBody: string;
  url: string;
}
const truth = JSON.parse(readFileSync(`${dataDir}ground-truth.json`, 'utf8')) as Record<string, Truth>;
let ids = Object.keys(truth).sort();
if (args.only) {
  const wanted = new Set(args.only.split(','));
  ids = ids.filter((id) => wanted.has(id) || [...wanted].some((prefix) => id.startsWith(prefix)));
}
const pages = ids.map((id) => ({
  id,
  url: truth[id]!.url,
  html: readFileSync(`${dataDir}html/${id}.html`, 'utf8'),
}));

type Extractor = (html: string, url: string) => string;

// Our extractor: the full extract() of lib/core/extract/index.ts when it exists (decode, metadata, content,
// schema), else cheerio.load + extractContent with the <title> as title.
const fullExtractor = await loadFullExtractor();
async function loadFullExtractor(): Promise<Extractor | undefined> {
  const modulePath = '../lib/core/extract/index.ts';
  if (!existsSync(new URL(modulePath, import.meta.url))) return undefined;
  try {
    const module = (await import(modulePath)) as {
      extract?: (input: { html: string; url: string }) => {
        ok: boolean;
        value?: { content: { text: string } };
      };
    };
    const extract = module.extract;
    if (!extract) return undefined;
    return (html, url) => {
      const result = extract({ html, url });
      return result.ok && result.value ? result.value.content.text : '';
    };
  } catch (error) {
    console.error(`could not load extract(): ${(error as Error).message}; timing cheerio + extractContent`);
    return undefined;
  }
}

const contentOnly: Extractor = (html, url) => {
  // htmlparser2 (cheerio's xml option in HTML mode) parses several times faster than parse5.
  const $ = load(html, { xml: { xmlMode: false, decodeEntities: true } });
  const title = $('meta[property="og:title"]').attr('content') ?? $('title').first().text();
  return extractContent($, { pageUrl: new URL(url), title: title.trim() || undefined })?.text ?? '';
};

const ours: Extractor = fullExtractor ?? contentOnly;
const oursLabel = fullExtractor ? 'ours: extract()' : 'ours: cheerio.load + extractContent';

const readabilityLinkedom: Extractor = (html) => {
  const { document } = parseHTML(html);
  const article = new Readability(document as unknown as Document).parse();
  return article?.textContent ?? '';
};

const quietConsole = new VirtualConsole();
const readabilityJsdom: Extractor = (html, url) => {
  const dom = new JSDOM(html, { url, virtualConsole: quietConsole });
  try {
    return new Readability(dom.window.document).parse()?.textContent ?? '';
  } finally {
    dom.window.close();
  }
};

interface SystemRun {
  label: string;
  outputs: Map<string, string>;
  timesMs: number[];
  /** Pages on which the system threw (scored as empty output, as upstream does for failures). */
  failures: number;
}

function run(label: string, extractor: Extractor): SystemRun {
  const outputs = new Map<string, string>();
  const timesMs: number[] = [];
  let failures = 0;
  for (const page of pages) {
    const started = performance.now();
    let text = '';
    try {
      text = extractor(page.html, page.url);
    } catch (error) {
      failures++;
      console.error(`${label} threw on ${page.id}: ${(error as Error).message}`);
    }
    timesMs.push(performance.now() - started);
    outputs.set(page.id, text);
  }
  return { label, outputs, timesMs, failures };
}

function scoreOutputs(outputs: (id: string) => string | undefined): {
  pages: PageScore[];
  corpus: CorpusScoreWithError;
} {
  const scored = ids.map((id) => scorePage(truth[id]!.articleBody, outputs(id)));
  return { pages: scored, corpus: evaluateCorpus(scored, { seed: 2020 }) };
}

function referenceOutputs(file: string): ((id: string) => string | undefined) | undefined {
  const path = `${dataDir}reference-outputs/${file}`;
  if (!existsSync(path)) return undefined;
  const raw = JSON.parse(readFileSync(path, 'utf8')) as {
    output?: Record<string, { articleBody?: string }>;
  } & Record<string, { articleBody?: string }>;
  const output = (raw.output ?? raw) as Record<string, { articleBody?: string }>;
  return (id) => output[id]?.articleBody;
}

const format = (value: number): string => value.toFixed(3);
const formatWithError = (corpus: CorpusScoreWithError, key: keyof CorpusScoreWithError['score']): string =>
  `${format(corpus.score[key])} ± ${format(corpus.stdev[key])}`;

// ---- quality ----
const oursRun = run(oursLabel, ours);
const oursScore = scoreOutputs((id) => oursRun.outputs.get(id));

const published: Record<string, number> = {
  'readability_js.json': 0.947,
  'trafilatura.json': 0.958,
  'AutoExtract.json': 0.97,
  'html-text.json': 0.665,
};
const referenceRows: { system: string; corpus: CorpusScoreWithError; publishedF1: number }[] = [];
if (!args.only) {
  for (const [file, publishedF1] of Object.entries(published)) {
    const outputs = referenceOutputs(file);
    if (!outputs) continue;
    referenceRows.push({
      system: `${file.replace(/\.json$/, '')} (reference output)`,
      corpus: scoreOutputs(outputs).corpus,
      publishedF1,
    });
  }
}

const worstCount = Number.parseInt(args.worst, 10);
if (worstCount > 0) {
  const ranked = ids
    .map((id, i) => ({ id, page: oursScore.pages[i]! }))
    .sort((a, b) => pageF1(a.page) - pageF1(b.page))
    .slice(0, worstCount);
  console.log('worst pages (ours):');
  for (const { id, page } of ranked) {
    console.log(
      `  ${id.slice(0, 12)} F1 ${format(pageF1(page))} P ${format(page.precision)} R ${format(page.recall)}  ${truth[id]!.url}`,
    );
  }
}

function pageF1(page: PageScore): number {
  return page.precision + page.recall === 0
    ? 0
    : (2 * page.precision * page.recall) / (page.precision + page.recall);
}

console.log(`quality on ${ids.length} pages (F1 / precision / recall / accuracy):`);
console.log(
  `  ${oursLabel.padEnd(48)} ${formatWithError(oursScore.corpus, 'f1')}  P ${format(oursScore.corpus.score.precision)}  R ${format(oursScore.corpus.score.recall)}  acc ${format(oursScore.corpus.score.accuracy)}`,
);
for (const row of referenceRows) {
  console.log(
    `  ${row.system.padEnd(48)} ${formatWithError(row.corpus, 'f1')}  P ${format(row.corpus.score.precision)}  R ${format(row.corpus.score.recall)}  (published F1 ${format(row.publishedF1)})`,
  );
}

const minF1 = args['min-f1'] ? Number.parseFloat(args['min-f1']) : undefined;
const minPrecision = args['min-precision'] ? Number.parseFloat(args['min-precision']) : undefined;
const failures: string[] = [];
if (minF1 !== undefined && oursScore.corpus.score.f1 < minF1) {
  failures.push(`F1 ${format(oursScore.corpus.score.f1)} is below the floor ${minF1}`);
}
if (minPrecision !== undefined && oursScore.corpus.score.precision < minPrecision) {
  failures.push(`precision ${format(oursScore.corpus.score.precision)} is below the floor ${minPrecision}`);
}

if (args['quality-only']) {
  for (const failure of failures) console.error(failure);
  process.exit(failures.length > 0 ? 1 : 0);
}

// ---- body text on Readability's own test pages: agreement with its expected output ----
interface Agreement {
  label: string;
  pages: number;
  corpus: CorpusScoreWithError;
}

function readabilityPagesAgreement(): Agreement[] {
  const dir = args['readability-data'].endsWith('/')
    ? args['readability-data']
    : `${args['readability-data']}/`;
  if (!existsSync(dir)) return [];
  const cases = readdirSync(dir, { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && existsSync(`${dir}${entry.name}/expected.html`))
    .map((entry) => entry.name)
    .sort();
  // The page URL upstream's tests use, so relative URLs resolve the same way.
  const url = 'http://fakehost/test/page.html';
  const expected = cases.map((name) => {
    const $ = load(readFileSync(`${dir}${name}/expected.html`, 'utf8'));
    return toPlainText($.root().toArray());
  });
  const systems: [string, Extractor][] = [
    [oursLabel, ours],
    ['@mozilla/readability 0.6 + linkedom', readabilityLinkedom],
  ];
  return systems.map(([label, extractor]) => {
    const scored = cases.map((name, i) => {
      let text = '';
      try {
        text = extractor(readFileSync(`${dir}${name}/source.html`, 'utf8'), url);
      } catch {
        // scored as empty output
      }
      return scorePage(expected[i], text);
    });
    return { label, pages: cases.length, corpus: evaluateCorpus(scored, { seed: 2020 }) };
  });
}

const agreement = args.only ? [] : readabilityPagesAgreement();
if (agreement.length > 0) {
  console.log(
    `body text on ${agreement[0]!.pages} readability-pages, against Readability's expected output:`,
  );
  for (const row of agreement) {
    console.log(
      `  ${row.label.padEnd(48)} ${formatWithError(row.corpus, 'f1')}  P ${format(row.corpus.score.precision)}  R ${format(row.corpus.score.recall)}`,
    );
  }
}

// ---- speed (the quality pass above doubled as warm-up for ours) ----
interface Speed {
  label: string;
  medianMs: number;
  p95Ms: number;
  pagesPerSecond: number;
  f1: number;
  precision: number;
  recall: number;
  failures: number;
}

function percentile(sorted: number[], fraction: number): number {
  if (sorted.length === 0) return 0;
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil(fraction * sorted.length) - 1));
  return sorted[index]!;
}

function speedOf(systemRun: SystemRun): Speed {
  const sorted = [...systemRun.timesMs].sort((a, b) => a - b);
  const total = systemRun.timesMs.reduce((a, b) => a + b, 0);
  const score = scoreOutputs((id) => systemRun.outputs.get(id)).corpus.score;
  return {
    label: systemRun.label,
    medianMs: percentile(sorted, 0.5),
    p95Ms: percentile(sorted, 0.95),
    pagesPerSecond: total > 0 ? (systemRun.timesMs.length * 1000) / total : 0,
    f1: score.f1,
    precision: score.precision,
    recall: score.recall,
    failures: systemRun.failures,
  };
}

console.log('speed: warming up Readability over linkedom ...');
run('warm-up', readabilityLinkedom);
const speeds: Speed[] = [];
speeds.push(speedOf(run(oursLabel, ours)));
speeds.push(speedOf(run('@mozilla/readability 0.6 + linkedom', readabilityLinkedom)));
if (!args['no-jsdom']) {
  console.log('speed: Readability over jsdom (slow) ...');
  speeds.push(speedOf(run('@mozilla/readability 0.6 + jsdom', readabilityJsdom)));
}
const baseline = speeds[0]!;
console.log(`speed on ${ids.length} pages (parse + extract, one process):`);
for (const speed of speeds) {
  console.log(
    `  ${speed.label.padEnd(48)} median ${speed.medianMs.toFixed(1)} ms  p95 ${speed.p95Ms.toFixed(1)} ms  ${speed.pagesPerSecond.toFixed(1)} pages/s  ratio ${(speed.medianMs / baseline.medianMs).toFixed(2)}x  F1 ${format(speed.f1)}`,
  );
}

// ---- speed, whole process: a fresh node process per system reads, extracts and writes all the pages ----
const processRuns = Number.parseInt(args['process-runs'], 10);
if (!Number.isInteger(processRuns) || processRuns < 0) {
  console.error(`--process-runs must be a whole number, got ${args['process-runs']}`);
  process.exit(2);
}
const loadAtWholeProcess = loadavg()
  .map((value) => value.toFixed(2))
  .join(' / ');
interface WholeProcessRow extends Omit<WholeProcessResult, 'texts'> {
  f1: number;
}
const wholeProcess: WholeProcessRow[] = [];
if (processRuns > 0) {
  const results = await measureWholeProcess({
    pages: pages.map((page) => ({ id: page.id, url: page.url, file: `${dataDir}html/${page.id}.html` })),
    runs: processRuns,
    jsdom: !args['no-jsdom'],
    cli: !args['no-cli'],
    log: (message) => console.log(`speed: ${message}`),
  });
  for (const { texts, ...result } of results) {
    const f1 = scoreOutputs((id) => texts[ids.indexOf(id)]).corpus.score.f1;
    wholeProcess.push({ ...result, f1 });
  }
  console.log(
    `speed on ${ids.length} pages, whole process (spawn to exit, ${processRuns} runs each; ratio = median wall / ours):`,
  );
  for (const row of wholeProcess) {
    console.log(
      `  ${row.label.padEnd(72)} median ${row.medianMs.toFixed(0)} ms  min ${row.minMs.toFixed(0)} ms  ${row.pagesPerSecond.toFixed(1)} pages/s  ratio ${row.ratio.toFixed(2)}x  startup ${row.startupMedianMs.toFixed(0)} ms  F1 ${format(row.f1)}`,
    );
  }
}

for (const failure of failures) console.error(failure);

if (!args.only && !args['no-write']) {
  const qualityRows = [
    `| ${oursLabel} (this run) | ${formatWithError(oursScore.corpus, 'f1')} | ${formatWithError(oursScore.corpus, 'precision')} | ${formatWithError(oursScore.corpus, 'recall')} | ${formatWithError(oursScore.corpus, 'accuracy')} | |`,
    ...speeds
      .slice(1)
      .map(
        (speed) =>
          `| ${speed.label} (measured live, this run${speed.failures > 0 ? `; threw on ${speed.failures} page${speed.failures > 1 ? 's' : ''}, scored empty` : ''}) | ${format(speed.f1)} | ${format(speed.precision)} | ${format(speed.recall)} | | |`,
      ),
    ...referenceRows.map(
      (row) =>
        `| ${row.system} | ${formatWithError(row.corpus, 'f1')} | ${formatWithError(row.corpus, 'precision')} | ${formatWithError(row.corpus, 'recall')} | ${formatWithError(row.corpus, 'accuracy')} | ${format(row.publishedF1)} |`,
    ),
  ];
  const speedRows = speeds.map(
    (speed) =>
      `| ${speed.label} | ${speed.medianMs.toFixed(1)} | ${speed.p95Ms.toFixed(1)} | ${speed.pagesPerSecond.toFixed(1)} | ${(speed.medianMs / baseline.medianMs).toFixed(2)}x |`,
  );
  const markdown = [
    `Quality on the ${ids.length} pages of the Zyte article-extraction benchmark, scored with our port of its`,
    'metric (4-gram shingles of `\\w+` tokens; per-page normalised counts; F1 from mean precision and recall;',
    '± is the standard deviation over 1,000 seeded bootstrap resamples). The reference-output rows re-score the',
    'upstream outputs with the same port: they reproduce the published F1, which checks the port.',
    '',
    '| system | F1 | precision | recall | accuracy | published F1 |',
    '| --- | --- | --- | --- | --- | --- |',
    ...qualityRows,
    '',
    'Speed on the same pages in the same process (parse + extract per page, after a warm-up pass; ratio =',
    'median time / our median time):',
    '',
    '| system | median ms/page | p95 ms/page | pages/s | median ratio |',
    '| --- | --- | --- | --- | --- |',
    ...speedRows,
    '',
    `Readability.js measured live here: F1 ${speeds
      .slice(1)
      .map((speed) => `${format(speed.f1)} (${speed.label.replace('@mozilla/readability 0.6 + ', 'over ')})`)
      .join(', ')}; published: 0.947 (over jsdom). Load average when the run started: ${loadAtStart}.`,
    ...(wholeProcess.length > 0
      ? [
          '',
          `Speed of the whole process: for each system a fresh \`node\` process reads the ${ids.length} pages from disk, extracts`,
          'each one in turn and writes one JSON line per page to a file (ours: the page bytes into the full `extract()`,',
          'the Article out; Readability: the page text into linkedom `parseHTML` or `new JSDOM`, then',
          '`new Readability(document).parse()`, its result out). Wall time from spawn to exit, so process start, module',
          'loading, reading, extraction and output are all included. Every runner',
          '(`benchmark/whole-process/*.ts`) is bundled by esbuild into one plain `.mjs` first, so ours pays no TypeScript',
          `compilation. ${processRuns} runs per system, round-robin, after an untimed warm-up run (none for jsdom); ratio =`,
          'median wall time / ours; startup = the same process given no pages (start, module loading, exit); F1 is',
          'scored from the output file of the first timed run. The CLI row is our CLI as users run it, TypeScript',
          'compiled on the fly by tsx (informative).',
          '',
          '| system | median wall ms | min wall ms | pages/s | ratio | startup ms | bundle KB | F1 |',
          '| --- | --- | --- | --- | --- | --- | --- | --- |',
          ...wholeProcess.map(
            (row) =>
              `| ${row.label} | ${row.medianMs.toFixed(0)} | ${row.minMs.toFixed(0)} | ${row.pagesPerSecond.toFixed(1)} | ${row.ratio.toFixed(2)}x | ${row.startupMedianMs.toFixed(0)} | ${row.bundleBytes === undefined ? '' : Math.round(row.bundleBytes / 1024)} | ${format(row.f1)}${row.errorLines > 0 ? ` (failed on ${row.errorLines} page${row.errorLines > 1 ? 's' : ''}, scored empty)` : ''} |`,
          ),
          '',
          `Load average when the whole-process runs started: ${loadAtWholeProcess}.`,
        ]
      : []),
    ...(agreement.length > 0
      ? [
          '',
          `Body text on the ${agreement[0]!.pages} pages of Mozilla's Readability test suite (readability-pages), scored`,
          "with the same metric against the text of Readability's expected output (so Readability itself is the",
          'reference there, and agreement rather than correctness is measured):',
          '',
          '| system | F1 | precision | recall |',
          '| --- | --- | --- | --- |',
          ...agreement.map(
            (row) =>
              `| ${row.label} | ${formatWithError(row.corpus, 'f1')} | ${format(row.corpus.score.precision)} | ${format(row.corpus.score.recall)} |`,
          ),
        ]
      : []),
  ].join('\n');
  writeResultSection({
    name: '10-extraction',
    title: 'Article extraction: quality and speed',
    command: 'npm run bench',
    markdown,
    data: {
      pages: ids.length,
      ours: { label: oursLabel, ...oursScore.corpus },
      references: referenceRows,
      speed: speeds,
      wholeProcess: { runsPerSystem: processRuns, loadAtStart: loadAtWholeProcess, systems: wholeProcess },
      readabilityPages: agreement,
    },
  });
  console.log('wrote benchmark/results/10-extraction.json and benchmark/RESULTS.md');
}
process.exit(failures.length > 0 ? 1 : 0);
