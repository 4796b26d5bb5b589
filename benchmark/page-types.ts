// Page-type benchmark on wcxb-dev (../shared/benchmarks/wcxb-dev, 1,310 pages labelled with the WCXB page type):
// the classifier's confusion matrix and accuracy, the share of article pages filed as something else (the costly
// error), and the word-F1 of extract() per labelled page type (upstream evaluate.py metric).
//
//   npx tsx benchmark/page-types.ts              writes benchmark/results/15-page-types.json
//   options: --no-write, --only ID[,ID], --type TYPE (only pages labelled TYPE), --no-extract (classification only), --misses TYPE (list misfiled pages)
import { existsSync, readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { gunzipSync } from 'node:zlib';
import { extract, parseHtml } from '../lib/core/extract/index.ts';
import { classifyPageType, PAGE_TYPES, type PageType } from '../lib/core/extract/page-type.ts';
import { writeResultSection } from './report.ts';

const { values: args } = parseArgs({
  options: {
    'no-write': { type: 'boolean', default: false },
    'no-extract': { type: 'boolean', default: false },
    only: { type: 'string' },
    type: { type: 'string' },
    misses: { type: 'string' },
    data: { type: 'string', default: new URL('../../shared/benchmarks/wcxb-dev/', import.meta.url).pathname },
  },
});

interface WcxbTruth {
  url: string;
  page_type: PageType;
  main_content: string;
}

const dataDir = args.data.endsWith('/') ? args.data : `${args.data}/`;
if (!existsSync(`${dataDir}ground-truth.json`)) {
  console.error(`wcxb-dev not found in ${dataDir} (pass --data DIR)`);
  process.exit(2);
}
const truth = JSON.parse(readFileSync(`${dataDir}ground-truth.json`, 'utf8')) as Record<string, WcxbTruth>;
let ids = Object.keys(truth).sort();
if (args.only) {
  const wanted = new Set(args.only.split(','));
  ids = ids.filter((id) => wanted.has(id));
}
if (args.type) ids = ids.filter((id) => truth[id]?.page_type === args.type);

/** Upstream metric: lower-cased \w+ tokens, multiset overlap, F1; both empty scores 1, one empty 0. */
export function wordF1(reference: string, predicted: string): number {
  const tokens = (text: string) => text.toLowerCase().match(/[\p{L}\p{N}_]+/gu) ?? [];
  const ref = tokens(reference);
  const pred = tokens(predicted);
  if (ref.length === 0 && pred.length === 0) return 1;
  if (ref.length === 0 || pred.length === 0) return 0;
  const counts = new Map<string, number>();
  for (const token of ref) counts.set(token, (counts.get(token) ?? 0) + 1);
  let overlap = 0;
  for (const token of pred) {
    const left = counts.get(token) ?? 0;
    if (left > 0) {
      overlap++;
      counts.set(token, left - 1);
    }
  }
  if (overlap === 0) return 0;
  const precision = overlap / pred.length;
  const recall = overlap / ref.length;
  return (2 * precision * recall) / (precision + recall);
}

const confusion = new Map<PageType, Map<PageType, number>>(
  PAGE_TYPES.map((type) => [type, new Map(PAGE_TYPES.map((other) => [other, 0]))]),
);
const f1ByType = new Map<PageType, number[]>(PAGE_TYPES.map((type) => [type, []]));
const signalHits = new Map<string, Map<PageType, number>>();
const misses: string[] = [];
let done = 0;
for (const id of ids) {
  const page = truth[id]!;
  const html = gunzipSync(readFileSync(`${dataDir}html/${id}.html.gz`)).toString('utf8');
  const verdict = classifyPageType(parseHtml(html), new URL(page.url));
  const row = confusion.get(page.page_type)!;
  row.set(verdict.type, (row.get(verdict.type) ?? 0) + 1);
  for (const signal of verdict.signals) {
    const hits = signalHits.get(signal.name) ?? new Map<PageType, number>();
    hits.set(page.page_type, (hits.get(page.page_type) ?? 0) + 1);
    signalHits.set(signal.name, hits);
  }
  if (args.misses && page.page_type === args.misses && verdict.type !== page.page_type) {
    misses.push(`${id} ${page.url} -> ${verdict.type} [${verdict.signals.map((s) => s.name).join(' ')}]`);
  }
  if (!args['no-extract']) {
    const result = extract({ html, url: page.url });
    const text = result.ok ? result.value.content.text : '';
    f1ByType.get(page.page_type)!.push(wordF1(page.main_content ?? '', text));
  }
  if (++done % 200 === 0) console.error(`${done}/${ids.length} pages`);
}

const total = ids.length;
const correct = PAGE_TYPES.reduce((sum, type) => sum + (confusion.get(type)!.get(type) ?? 0), 0);
const articles = [...confusion.get('article')!.values()].reduce((a, b) => a + b, 0);
const articlesMisfiled = articles - (confusion.get('article')!.get('article') ?? 0);
const filedAsArticle = PAGE_TYPES.reduce((sum, type) => sum + (confusion.get(type)!.get('article') ?? 0), 0);
const mean = (values: number[]) =>
  values.length === 0 ? 0 : values.reduce((a, b) => a + b, 0) / values.length;

const lines: string[] = [];
lines.push(
  `Classifier (lib/core/extract/page-type.ts) on ${total} wcxb-dev pages: accuracy **${(correct / total).toFixed(3)}**; ` +
    `article pages filed as another type: **${articlesMisfiled} of ${articles} (${((100 * articlesMisfiled) / Math.max(1, articles)).toFixed(1)}%)**; ` +
    `pages of other types filed as article: ${filedAsArticle - (confusion.get('article')!.get('article') ?? 0)}.`,
  '',
  `| labelled \\ classified | ${PAGE_TYPES.join(' | ')} | recall |`,
  `| --- | ${PAGE_TYPES.map(() => '---:').join(' | ')} | ---: |`,
);
for (const type of PAGE_TYPES) {
  const row = confusion.get(type)!;
  const rowTotal = [...row.values()].reduce((a, b) => a + b, 0);
  lines.push(
    `| ${type} (${rowTotal}) | ${PAGE_TYPES.map((other) => row.get(other) ?? 0).join(' | ')} | ${(rowTotal === 0 ? 0 : (row.get(type) ?? 0) / rowTotal).toFixed(2)} |`,
  );
}
const precisionRow = PAGE_TYPES.map((type) => {
  const column = PAGE_TYPES.reduce((sum, label) => sum + (confusion.get(label)!.get(type) ?? 0), 0);
  return column === 0 ? '-' : ((confusion.get(type)!.get(type) ?? 0) / column).toFixed(2);
});
lines.push(`| precision | ${precisionRow.join(' | ')} | |`, '');
if (!args['no-extract']) {
  lines.push(
    'Word-F1 of `extract()` (content.text) per labelled page type, upstream metric (mean over pages):',
    '',
    `| all | ${PAGE_TYPES.join(' | ')} |`,
    `| ---: | ${PAGE_TYPES.map(() => '---:').join(' | ')} |`,
    `| ${mean([...f1ByType.values()].flat()).toFixed(3)} | ${PAGE_TYPES.map((type) => mean(f1ByType.get(type)!).toFixed(3)).join(' | ')} |`,
    '',
  );
}
lines.push('Signals: on how many pages of each labelled type each signal fired.', '');
lines.push(`| signal | ${PAGE_TYPES.join(' | ')} |`, `| --- | ${PAGE_TYPES.map(() => '---:').join(' | ')} |`);
for (const [name, hits] of [...signalHits.entries()].sort()) {
  lines.push(`| ${name} | ${PAGE_TYPES.map((type) => hits.get(type) ?? 0).join(' | ')} |`);
}
const markdown = lines.join('\n');
console.log(markdown);
if (misses.length > 0) console.log(`\nMisfiled ${args.misses} pages:\n${misses.join('\n')}`);

if (!args['no-write'] && !args.only && !args.type) {
  writeResultSection({
    name: '15-page-types',
    title: 'Page types (wcxb-dev)',
    command: 'npx tsx benchmark/page-types.ts',
    markdown,
    data: {
      total,
      accuracy: correct / total,
      articlePages: articles,
      articlesMisfiled,
      confusion: Object.fromEntries([...confusion].map(([type, row]) => [type, Object.fromEntries(row)])),
      f1ByType: args['no-extract']
        ? undefined
        : Object.fromEntries([...f1ByType].map(([type, values]) => [type, mean(values)])),
    },
  });
}
