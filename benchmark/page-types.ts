// Page-type benchmark on wcxb-dev (../shared/benchmarks/wcxb-dev, 1,310 pages labelled with the WCXB page type):
// the classifier's confusion matrix and accuracy, the share of article pages filed as something else (the costly
// error), and the word-F1 of extract() per labelled page type (upstream evaluate.py metric).
//
//   npx tsx benchmark/page-types.ts              writes benchmark/results/15-page-types.json
//   options: --no-write, --only ID[,ID], --type TYPE (only pages labelled TYPE), --no-extract (classification only), --misses TYPE (list misfiled pages)
//   --oracle: word-F1 per labelled type three ways: the classifier's type, the labelled type forced through the
//             dispatch (an oracle: which type-specific extraction would do with a perfect classifier), and the
//             generic extraction alone. Benchmark-only: it drives the dispatch directly; extract() has no such option.
//             --worst N lists the N pages losing most to the oracle; --rows FILE writes every page's three scores.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { gunzipSync } from 'node:zlib';
import { extractContent } from '../lib/core/extract/content.ts';
import { extract, extractMetadata, parseHtml } from '../lib/core/extract/index.ts';
import {
  classifyPageType,
  PAGE_TYPES,
  type PageType,
  type PageTypeVerdict,
} from '../lib/core/extract/page-type.ts';
import { extractByPageType } from '../lib/core/extract/page-types/index.ts';
import { parseAsExtractDoes } from './parse-as-extract.ts';
import { writeResultSection } from './report.ts';

const { values: args } = parseArgs({
  options: {
    'no-write': { type: 'boolean', default: false },
    'no-extract': { type: 'boolean', default: false },
    only: { type: 'string' },
    type: { type: 'string' },
    misses: { type: 'string' },
    oracle: { type: 'boolean', default: false },
    worst: { type: 'string' },
    rows: { type: 'string' },
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

if (args.oracle) {
  runOracle();
  process.exit(0);
}

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

/**
 * The content text of one page as extract() reads it (same preparation, metadata title, dispatch), with the
 * page type chosen by `chooseType` from the classifier's verdict, or the generic extraction alone.
 */
function contentText(html: string, url: string, mode: 'classified' | 'generic' | PageType): string {
  const $ = parseAsExtractDoes(html);
  const pageUrl = new URL(url);
  const metadata = extractMetadata($, pageUrl, { now: new Date() });
  const verdict = classifyPageType($, pageUrl);
  const options = { pageUrl, title: metadata.title };
  if (mode === 'generic') return extractContent($, options)?.text ?? '';
  const used: PageTypeVerdict = mode === 'classified' ? verdict : { ...verdict, type: mode };
  return extractByPageType(used, $, options, () => extractContent($, options))?.text ?? '';
}

function runOracle(): void {
  const modes = ['classified', 'oracle', 'generic'] as const;
  const scores = new Map<PageType, Record<(typeof modes)[number], number[]>>(
    PAGE_TYPES.map((type) => [type, { classified: [], oracle: [], generic: [] }]),
  );
  const rows: Array<{ id: string; type: PageType; classified: number; oracle: number; generic: number }> = [];
  let count = 0;
  for (const id of ids) {
    const page = truth[id]!;
    const html = gunzipSync(readFileSync(`${dataDir}html/${id}.html.gz`)).toString('utf8');
    const reference = page.main_content ?? '';
    const safe = (mode: 'classified' | 'generic' | PageType) => {
      try {
        return wordF1(reference, contentText(html, page.url, mode));
      } catch {
        return 0;
      }
    };
    const row = {
      id,
      type: page.page_type,
      classified: safe('classified'),
      oracle: safe(page.page_type),
      generic: safe('generic'),
    };
    rows.push(row);
    for (const mode of modes) scores.get(page.page_type)![mode].push(row[mode]);
    if (++count % 200 === 0) console.error(`${count}/${ids.length} pages`);
  }
  const mean = (values: number[]) =>
    values.length === 0 ? 0 : values.reduce((a, b) => a + b, 0) / values.length;
  console.log(
    '| type | pages | classified | labelled type forced | generic only | pages x (oracle - classified) |',
  );
  console.log('| --- | ---: | ---: | ---: | ---: | ---: |');
  for (const type of PAGE_TYPES) {
    const s = scores.get(type)!;
    if (s.classified.length === 0) continue;
    const gain = (mean(s.oracle) - mean(s.classified)) * s.classified.length;
    console.log(
      `| ${type} | ${s.classified.length} | ${mean(s.classified).toFixed(3)} | ${mean(s.oracle).toFixed(3)} | ${mean(s.generic).toFixed(3)} | ${gain.toFixed(1)} |`,
    );
  }
  const all = (mode: (typeof modes)[number]) => mean(rows.map((row) => row[mode]));
  console.log(
    `| all | ${rows.length} | ${all('classified').toFixed(3)} | ${all('oracle').toFixed(3)} | ${all('generic').toFixed(3)} | |`,
  );
  if (args.rows) writeFileSync(args.rows, JSON.stringify(rows));
  const worst = Number(args.worst ?? 0);
  if (worst > 0) {
    console.log('\nPages losing most to the forced type (id type classified oracle generic url):');
    for (const row of [...rows]
      .sort((a, b) => b.oracle - b.classified - (a.oracle - a.classified))
      .slice(0, worst)) {
      console.log(
        `${row.id} ${row.type} ${row.classified.toFixed(2)} ${row.oracle.toFixed(2)} ${row.generic.toFixed(2)} ${truth[row.id]!.url}`,
      );
    }
  }
}
