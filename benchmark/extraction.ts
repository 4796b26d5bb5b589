// Extraction benchmarks on the four corpora of ../shared/benchmarks (loaders in benchmark/corpora.ts, metrics in
// benchmark/metric.ts, each as its corpus README describes), ours beside @mozilla/readability over linkedom measured
// live in the same run, plus speed against Readability on the Zyte pages.
//
//   npm run bench                      all corpora + speed; writes benchmark/results/1[0-3]-*.json and RESULTS.md
//   npm run bench:quality              quality only (ours only), exits 1 below any floor given
// Options:
//   --corpus LIST        comma-separated subset of article-extraction, readability-pages, wcxb-dev, trafilatura-dev
//   --worst N            print our N worst pages per corpus (diagnosis), --dump DIR writes our text per page
//   --only ID[,ID]       page id prefixes (a subset; nothing is written)
//   --no-readability     skip the live Readability quality rows; --no-jsdom, --process-runs N, --no-cli (speed)
//   floors: --min-f1, --min-precision (Zyte), --min-agreement (readability-pages F1), --min-wcxb (all pages),
//           --min-wcxb-article, --min-wcxb-types TYPE=F1[,TYPE=F1] (wcxb-dev page types), --min-trafilatura (snippet F1)
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { Readability } from '@mozilla/readability';
import { load } from 'cheerio';
import { JSDOM, VirtualConsole } from 'jsdom';
import { parseHTML } from 'linkedom';
import { extractContent } from '../lib/core/extract/content.ts';
import { toPlainText } from '../lib/core/extract/text.ts';
import {
  CORPUS_NAMES,
  type CorpusName,
  loadReadabilityPages,
  loadTrafilatura,
  loadWcxb,
  loadZyte,
  WCXB_PAGE_TYPES,
  type WcxbPageType,
} from './corpora.ts';
import {
  type CorpusScoreWithError,
  countSnippets,
  evaluateCorpus,
  meanWordScore,
  type PageScore,
  type SnippetCounts,
  scorePage,
  scoreWords,
  snippetScore,
  sumSnippets,
  type WordScore,
} from './metric.ts';
import { writeResultSection } from './report.ts';
import { measureWholeProcess, type WholeProcessResult } from './whole-process/measure.ts';

const { values: args } = parseArgs({
  options: {
    corpus: { type: 'string' },
    'quality-only': { type: 'boolean', default: false },
    'min-f1': { type: 'string' },
    'min-precision': { type: 'string' },
    'min-agreement': { type: 'string' },
    'min-wcxb': { type: 'string' },
    'min-wcxb-article': { type: 'string' },
    'min-wcxb-types': { type: 'string' },
    'min-trafilatura': { type: 'string' },
    worst: { type: 'string', default: '0' },
    dump: { type: 'string' },
    only: { type: 'string' },
    'no-readability': { type: 'boolean', default: false },
    'no-jsdom': { type: 'boolean', default: false },
    'no-write': { type: 'boolean', default: false },
    'process-runs': { type: 'string', default: '5' },
    'no-cli': { type: 'boolean', default: false },
    benchmarks: { type: 'string' },
  },
});

const selected = new Set<CorpusName>(
  args.corpus ? (args.corpus.split(',').map((name) => name.trim()) as CorpusName[]) : CORPUS_NAMES,
);
for (const name of selected) {
  if (!CORPUS_NAMES.includes(name)) {
    console.error(`unknown corpus ${name}; one of ${CORPUS_NAMES.join(', ')}`);
    process.exit(2);
  }
}
const corpusDir = (name: CorpusName): string | undefined =>
  args.benchmarks ? `${args.benchmarks.replace(/\/?$/, '/')}${name}/` : undefined;
const qualityOnly = args['quality-only'];
// Readability's quality rows are measured live for the report; a gate or a diagnosis run needs only ours.
const withReadability = !qualityOnly && !args['no-readability'];
const writeResults = !args.only && !args['no-write'] && !qualityOnly;
const worstCount = Number.parseInt(args.worst, 10) || 0;
const onlyPrefixes = args.only?.split(',').filter(Boolean);
const keep = (id: string): boolean => !onlyPrefixes || onlyPrefixes.some((prefix) => id.startsWith(prefix));
if (args.dump) mkdirSync(args.dump, { recursive: true });

// Timings are only comparable between systems measured in the same run; the load says how busy the machine was.
const loadAtStart = loadavg()
  .map((value) => value.toFixed(2))
  .join(' / ');

/** Ours takes the page bytes (it decodes them itself); Readability gets text decoded by the corpus loader. */
type Extractor = (html: string, url: string, bytes?: Uint8Array) => string;

// Our extractor: the full extract() of lib/core/extract/index.ts when it exists (decode, metadata, content,
// schema), else cheerio.load + extractContent with the <title> as title.
const fullExtractor = await loadFullExtractor();
async function loadFullExtractor(): Promise<Extractor | undefined> {
  const modulePath = '../lib/core/extract/index.ts';
  if (!existsSync(new URL(modulePath, import.meta.url))) return undefined;
  try {
    const module = (await import(modulePath)) as {
      extract?: (input: { html: string | Uint8Array; url: string }) => {
        ok: boolean;
        value?: { content: { text: string } };
      };
    };
    const extract = module.extract;
    if (!extract) return undefined;
    return (html, url, bytes) => {
      const result = extract({ html: bytes ?? html, url });
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
const readabilityLabel = '@mozilla/readability 0.6 + linkedom';

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

/** Runs one extractor on one page; a throw is scored as empty output, as upstream scores failures. */
function safely(
  extractor: Extractor,
  page: { html: string; bytes?: Uint8Array; url: string; id: string },
  label: string,
): string {
  const { html, url, id, bytes } = page;
  try {
    return extractor(html, url, bytes);
  } catch (error) {
    console.error(`${label} threw on ${id}: ${(error as Error).message}`);
    return '';
  }
}

function dump(corpus: CorpusName, id: string, text: string): void {
  if (args.dump) writeFileSync(`${args.dump}/${corpus}-${id}.txt`, text);
}

const format = (value: number): string => value.toFixed(3);
const formatWithError = (corpus: CorpusScoreWithError, key: keyof CorpusScoreWithError['score']): string =>
  `${format(corpus.score[key])} ± ${format(corpus.stdev[key])}`;

function pageF1(page: PageScore): number {
  return page.precision + page.recall === 0
    ? 0
    : (2 * page.precision * page.recall) / (page.precision + page.recall);
}

/** Floors given on the command line; a corpus not run is not checked. */
const failures: string[] = [];
function checkFloor(option: string, label: string, value: number): void {
  const raw = args[option as keyof typeof args];
  if (typeof raw !== 'string') return;
  const floor = Number.parseFloat(raw);
  if (value < floor) failures.push(`${label} ${format(value)} is below the floor ${floor}`);
}

console.log(`corpora: ${[...selected].join(', ')}${withReadability ? ` (with ${readabilityLabel})` : ''}`);

// ======== article-extraction (Zyte): 4-gram shingle F1, reference outputs, speed ========
interface SystemRun {
  label: string;
  outputs: Map<string, string>;
  timesMs: number[];
  /** Pages on which the system threw (scored as empty output, as upstream does for failures). */
  failures: number;
}

const zyteSelected = selected.has('article-extraction');
const zyteDataDir =
  corpusDir('article-extraction') ??
  new URL('../../shared/benchmarks/article-extraction/', import.meta.url).pathname;
const zytePages = zyteSelected
  ? loadZyte(corpusDir('article-extraction'))
      .filter((page) => keep(page.id))
      .map((page) => ({ ...page, text: page.html() }))
  : [];
const ids = zytePages.map((page) => page.id);
const truthOf = new Map(zytePages.map((page) => [page.id, page.articleBody]));

function run(label: string, extractor: Extractor): SystemRun {
  const outputs = new Map<string, string>();
  const timesMs: number[] = [];
  let failures = 0;
  for (const page of zytePages) {
    const started = performance.now();
    let text = '';
    try {
      text = extractor(page.text, page.url);
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
  const scored = ids.map((id) => scorePage(truthOf.get(id), outputs(id)));
  return { pages: scored, corpus: evaluateCorpus(scored, { seed: 2020 }) };
}

function referenceOutputs(file: string): ((id: string) => string | undefined) | undefined {
  const path = `${zyteDataDir.replace(/\/?$/, '/')}reference-outputs/${file}`;
  if (!existsSync(path)) return undefined;
  const raw = JSON.parse(readFileSync(path, 'utf8')) as {
    output?: Record<string, { articleBody?: string }>;
  } & Record<string, { articleBody?: string }>;
  const output = (raw.output ?? raw) as Record<string, { articleBody?: string }>;
  return (id) => output[id]?.articleBody;
}

const published: Record<string, number> = {
  'readability_js.json': 0.947,
  'trafilatura.json': 0.958,
  'AutoExtract.json': 0.97,
  'html-text.json': 0.665,
};
const referenceRows: { system: string; corpus: CorpusScoreWithError; publishedF1: number }[] = [];
let oursRun: SystemRun | undefined;
let oursScore: ReturnType<typeof scoreOutputs> | undefined;
if (zyteSelected) {
  oursRun = run(oursLabel, ours);
  oursScore = scoreOutputs((id) => oursRun!.outputs.get(id));
  for (const [id, text] of oursRun.outputs) dump('article-extraction', id, text);
  if (!args.only && !qualityOnly) {
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
  if (worstCount > 0) {
    const ranked = zytePages
      .map((page, i) => ({ page, score: oursScore!.pages[i]! }))
      .sort((a, b) => pageF1(a.score) - pageF1(b.score))
      .slice(0, worstCount);
    console.log('article-extraction: worst pages (ours):');
    for (const { page, score } of ranked) {
      console.log(
        `  ${page.id.slice(0, 12)} F1 ${format(pageF1(score))} P ${format(score.precision)} R ${format(score.recall)}  ${page.url}`,
      );
    }
  }
  console.log(`article-extraction: quality on ${ids.length} pages (F1 / precision / recall / accuracy):`);
  console.log(
    `  ${oursLabel.padEnd(48)} ${formatWithError(oursScore.corpus, 'f1')}  P ${format(oursScore.corpus.score.precision)}  R ${format(oursScore.corpus.score.recall)}  acc ${format(oursScore.corpus.score.accuracy)}`,
  );
  for (const row of referenceRows) {
    console.log(
      `  ${row.system.padEnd(48)} ${formatWithError(row.corpus, 'f1')}  P ${format(row.corpus.score.precision)}  R ${format(row.corpus.score.recall)}  (published F1 ${format(row.publishedF1)})`,
    );
  }
  checkFloor('min-f1', 'article-extraction F1', oursScore.corpus.score.f1);
  checkFloor('min-precision', 'article-extraction precision', oursScore.corpus.score.precision);
}

// ======== readability-pages: agreement with Readability's expected output (same shingle metric) ========
interface Agreement {
  label: string;
  pages: number;
  corpus: CorpusScoreWithError;
}
const agreement: Agreement[] = [];
if (selected.has('readability-pages')) {
  const pages = loadReadabilityPages(corpusDir('readability-pages')).filter((page) => keep(page.id));
  const systems: [string, Extractor][] = [[oursLabel, ours]];
  if (withReadability) systems.push([readabilityLabel, readabilityLinkedom]);
  const scored = systems.map(() => [] as PageScore[]);
  for (const page of pages) {
    const expected = toPlainText(load(page.expectedHtml()).root().toArray());
    const html = page.html();
    systems.forEach(([label, extractor], s) => {
      const text = safely(extractor, { html, url: page.url, id: page.id }, label);
      if (s === 0) dump('readability-pages', page.id, text);
      scored[s]!.push(scorePage(expected, text));
    });
  }
  systems.forEach(([label], s) => {
    agreement.push({ label, pages: pages.length, corpus: evaluateCorpus(scored[s]!, { seed: 2020 }) });
  });
  if (worstCount > 0) {
    console.log('readability-pages: worst pages (ours):');
    pages
      .map((page, i) => ({ page, score: scored[0]![i]! }))
      .sort((a, b) => pageF1(a.score) - pageF1(b.score))
      .slice(0, worstCount)
      .forEach(({ page, score }) => {
        console.log(
          `  ${page.id.padEnd(40)} F1 ${format(pageF1(score))} P ${format(score.precision)} R ${format(score.recall)}`,
        );
      });
  }
  console.log(`readability-pages: body text on ${pages.length} pages against Readability's expected output:`);
  for (const row of agreement) {
    console.log(
      `  ${row.label.padEnd(48)} ${formatWithError(row.corpus, 'f1')}  P ${format(row.corpus.score.precision)}  R ${format(row.corpus.score.recall)}`,
    );
  }
  checkFloor('min-agreement', 'readability-pages agreement F1', agreement[0]!.corpus.score.f1);
}

// ======== wcxb-dev: mean bag-of-words F1 (upstream evaluate.py), per page type; snippet rates ========
interface WcxbRow {
  label: string;
  /** "all" and each page type. */
  byType: Record<string, WordScore & { pages: number; withRate: number; withoutRate: number }>;
}
const wcxbRows: WcxbRow[] = [];
if (selected.has('wcxb-dev')) {
  const pages = loadWcxb(corpusDir('wcxb-dev')).filter((page) => keep(page.id));
  const systems: [string, Extractor][] = [[oursLabel, ours]];
  if (withReadability) systems.push([readabilityLabel, readabilityLinkedom]);
  const words = systems.map(() => [] as WordScore[]);
  const snippets = systems.map(() => [] as SnippetCounts[]);
  let done = 0;
  for (const page of pages) {
    const html = page.html();
    systems.forEach(([label, extractor], s) => {
      const text = safely(extractor, { html, url: page.url, id: page.id }, label);
      if (s === 0) dump('wcxb-dev', page.id, text);
      words[s]!.push(scoreWords(page.mainContent, text));
      snippets[s]!.push(countSnippets(text, page, { caseInsensitive: true }));
    });
    if (++done % 200 === 0) console.log(`wcxb-dev: ${done} / ${pages.length} pages`);
  }
  const groups: [string, (type: WcxbPageType) => boolean][] = [
    ['all', () => true],
    ...WCXB_PAGE_TYPES.map((type): [string, (t: WcxbPageType) => boolean] => [type, (t) => t === type]),
  ];
  systems.forEach(([label], s) => {
    const byType: WcxbRow['byType'] = {};
    for (const [group, matches] of groups) {
      const indexes = pages.flatMap((page, i) => (matches(page.pageType) ? [i] : []));
      if (indexes.length === 0) continue;
      const snippetRates = snippetScore(sumSnippets(indexes.map((i) => snippets[s]![i]!)));
      byType[group] = {
        ...meanWordScore(indexes.map((i) => words[s]![i]!)),
        pages: indexes.length,
        withRate: snippetRates.withRate,
        withoutRate: snippetRates.withoutRate,
      };
    }
    wcxbRows.push({ label, byType });
  });
  if (worstCount > 0) {
    console.log('wcxb-dev: worst pages (ours):');
    pages
      .map((page, i) => ({ page, score: words[0]![i]! }))
      .sort((a, b) => a.score.f1 - b.score.f1)
      .slice(0, worstCount)
      .forEach(({ page, score }) => {
        console.log(
          `  ${page.id} ${page.pageType.padEnd(13)} F1 ${format(score.f1)} P ${format(score.precision)} R ${format(score.recall)}  ${page.url}`,
        );
      });
  }
  console.log(`wcxb-dev: mean word F1 on ${pages.length} pages (P / R; with found, without found):`);
  for (const row of wcxbRows) {
    console.log(`  ${row.label}`);
    for (const [group, score] of Object.entries(row.byType)) {
      console.log(
        `    ${group.padEnd(14)} ${String(score.pages).padStart(4)} pages  F1 ${format(score.f1)}  P ${format(score.precision)}  R ${format(score.recall)}  with ${format(score.withRate)}  without ${format(score.withoutRate)}`,
      );
    }
  }
  checkFloor('min-wcxb', 'wcxb-dev F1 (all pages)', wcxbRows[0]!.byType.all?.f1 ?? 0);
  checkFloor('min-wcxb-article', 'wcxb-dev F1 (article pages)', wcxbRows[0]!.byType.article?.f1 ?? 0);
  for (const entry of args['min-wcxb-types']?.split(',').filter(Boolean) ?? []) {
    const [type = '', raw = ''] = entry.split('=');
    const floor = Number.parseFloat(raw);
    const score = wcxbRows[0]!.byType[type];
    if (score === undefined || Number.isNaN(floor)) {
      failures.push(`--min-wcxb-types: '${entry}' is not TYPE=F1 for a wcxb-dev page type`);
    } else if (score.f1 < floor) {
      failures.push(`wcxb-dev F1 (${type} pages) ${format(score.f1)} is below the floor ${floor}`);
    }
  }
}

// ======== trafilatura-dev: with/without snippets, counts summed over pages ========
interface SnippetRow {
  label: string;
  pages: number;
  counts: SnippetCounts;
  score: ReturnType<typeof snippetScore>;
}
const trafilaturaRows: SnippetRow[] = [];
if (selected.has('trafilatura-dev')) {
  const pages = loadTrafilatura(corpusDir('trafilatura-dev')).filter((page) => keep(page.id));
  const systems: [string, Extractor][] = [[oursLabel, ours]];
  if (withReadability) systems.push([readabilityLabel, readabilityLinkedom]);
  const counts = systems.map(() => [] as SnippetCounts[]);
  const texts: string[] = [];
  for (const page of pages) {
    const bytes = page.bytes();
    const html = withReadability ? page.html() : '';
    systems.forEach(([label, extractor], s) => {
      const text = safely(extractor, { html, bytes, url: page.url, id: page.id }, label);
      if (s === 0) {
        dump('trafilatura-dev', page.id, text);
        texts.push(text);
      }
      counts[s]!.push(countSnippets(text, page));
    });
  }
  systems.forEach(([label], s) => {
    const total = sumSnippets(counts[s]!);
    trafilaturaRows.push({ label, pages: pages.length, counts: total, score: snippetScore(total) });
  });
  if (worstCount > 0) {
    console.log('trafilatura-dev: worst pages (ours; - missing "with", + leaked "without"):');
    pages
      .map((page, i) => ({ page, count: counts[0]![i]!, text: texts[i]! }))
      .sort((a, b) => b.count.fn + b.count.fp - (a.count.fn + a.count.fp))
      .slice(0, worstCount)
      .forEach(({ page, count, text }) => {
        console.log(
          `  ${page.id} missing ${count.fn}/${page.with.length} leaked ${count.fp}/${page.without.length}  ${page.url}`,
        );
        const found = (snippet: string) => countSnippets(text, { with: [snippet], without: [] }).tp > 0;
        for (const snippet of page.with.filter((s) => !found(s)))
          console.log(`      - ${snippet.slice(0, 100)}`);
        for (const snippet of page.without.filter(found)) console.log(`      + ${snippet.slice(0, 100)}`);
      });
  }
  console.log(`trafilatura-dev: snippets on ${pages.length} pages (summed counts):`);
  for (const row of trafilaturaRows) {
    console.log(
      `  ${row.label.padEnd(48)} F1 ${format(row.score.f1)}  P ${format(row.score.precision)}  R ${format(row.score.recall)}  (TP ${row.counts.tp} FN ${row.counts.fn} FP ${row.counts.fp} TN ${row.counts.tn})`,
    );
  }
  checkFloor('min-trafilatura', 'trafilatura-dev snippet F1', trafilaturaRows[0]!.score.f1);
}

if (qualityOnly || !zyteSelected) {
  for (const failure of failures) console.error(failure);
  if (writeResults) writeQualitySections();
  process.exit(failures.length > 0 ? 1 : 0);
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
    pages: zytePages.map((page) => ({
      id: page.id,
      url: page.url,
      file: `${zyteDataDir.replace(/\/?$/, '/')}html/${page.id}.html`,
    })),
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

if (writeResults) {
  const oursCorpus = oursScore!.corpus;
  const qualityRows = [
    `| ${oursLabel} (this run) | ${formatWithError(oursCorpus, 'f1')} | ${formatWithError(oursCorpus, 'precision')} | ${formatWithError(oursCorpus, 'recall')} | ${formatWithError(oursCorpus, 'accuracy')} | |`,
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
  ].join('\n');
  writeResultSection({
    name: '10-extraction',
    title: 'Article extraction: quality and speed',
    command: 'npm run bench',
    markdown,
    data: {
      pages: ids.length,
      ours: { label: oursLabel, ...oursCorpus },
      references: referenceRows,
      speed: speeds,
      wholeProcess: { runsPerSystem: processRuns, loadAtStart: loadAtWholeProcess, systems: wholeProcess },
    },
  });
  writeQualitySections();
  console.log('wrote benchmark/results/1*-*.json and benchmark/RESULTS.md');
}
for (const failure of failures) console.error(failure);
process.exit(failures.length > 0 ? 1 : 0);

/** The sections of the corpora that were run besides the Zyte one: 11 readability-pages, 12 wcxb-dev, 13 trafilatura-dev. */
function writeQualitySections(): void {
  if (agreement.length > 0) {
    writeResultSection({
      name: '11-readability-pages',
      title: 'Extraction agreement with Readability on its own test pages (readability-pages)',
      command: 'npm run bench -- --corpus readability-pages',
      markdown: [
        `Body text on the ${agreement[0]!.pages} pages of Mozilla's Readability test suite, scored with the Zyte metric`,
        "(4-gram shingles) against the text of Readability's expected output: Readability itself is the reference",
        'there, so this measures agreement rather than correctness.',
        '',
        '| system | F1 | precision | recall |',
        '| --- | --- | --- | --- |',
        ...agreement.map(
          (row) =>
            `| ${row.label} | ${formatWithError(row.corpus, 'f1')} | ${format(row.corpus.score.precision)} | ${format(row.corpus.score.recall)} |`,
        ),
      ].join('\n'),
      data: { systems: agreement },
    });
  }
  if (wcxbRows.length > 0) {
    const groups = Object.keys(wcxbRows[0]!.byType);
    writeResultSection({
      name: '12-wcxb-dev',
      title: 'Extraction on modern pages of seven types (wcxb-dev)',
      command: 'npm run bench -- --corpus wcxb-dev',
      markdown: [
        `Mean word F1 per page (upstream evaluate.py: lower-cased \`\\w+\` tokens, multiset overlap) on the ${wcxbRows[0]!.byType.all?.pages ?? 0}`,
        'pages of the WCXB development split, overall and per page type; "with" is the share of must-contain snippets',
        'found, "without" the share of boilerplate snippets found (lower is better). Published on the full upstream',
        'split (1,497 pages): rs-trafilatura 0.859 all / 0.932 articles, trafilatura 0.791 / 0.926.',
        '',
        `| page type | pages | ${wcxbRows.map((row) => `${row.label} F1 | P | R | with | without`).join(' | ')} |`,
        `| --- | --- | ${wcxbRows.map(() => '--- | --- | --- | --- | ---').join(' | ')} |`,
        ...groups.map(
          (group) =>
            `| ${group} | ${wcxbRows[0]!.byType[group]!.pages} | ${wcxbRows
              .map((row) => {
                const s = row.byType[group]!;
                return `${format(s.f1)} | ${format(s.precision)} | ${format(s.recall)} | ${format(s.withRate)} | ${format(s.withoutRate)}`;
              })
              .join(' | ')} |`,
        ),
      ].join('\n'),
      data: { systems: wcxbRows },
    });
  }
  if (trafilaturaRows.length > 0) {
    writeResultSection({
      name: '13-trafilatura-dev',
      title: 'Extraction on multilingual news and blog pages (trafilatura-dev)',
      command: 'npm run bench -- --corpus trafilatura-dev',
      markdown: [
        `Snippets on the ${trafilaturaRows[0]!.pages} pages of the trafilatura evaluation half (mostly German): a "with" passage`,
        'found is a true positive, a "without" passage found a false positive; counts summed over pages, whitespace',
        "collapsed (trafilatura's own evaluation). Published on the whole upstream set: trafilatura 0.924.",
        '',
        '| system | F1 | precision | recall | TP | FN | FP | TN |',
        '| --- | --- | --- | --- | --- | --- | --- | --- |',
        ...trafilaturaRows.map(
          (row) =>
            `| ${row.label} | ${format(row.score.f1)} | ${format(row.score.precision)} | ${format(row.score.recall)} | ${row.counts.tp} | ${row.counts.fn} | ${row.counts.fp} | ${row.counts.tn} |`,
        ),
      ].join('\n'),
      data: { systems: trafilaturaRows },
    });
  }
}
