// Metadata accuracy on ../shared/benchmarks/readability-pages (Readability's test pages and their expected
// metadata): `npm run bench:metadata`. Writes benchmark/results/20-metadata.json and regenerates RESULTS.md.
//
// Rules (percentages are over pages whose expected value is non-null / non-empty):
// - title: equal after collapsing whitespace.
// - authors: our names all occur in the expected byline, or the byline occurs in our joined names, comparing
//   lowercased letters and digits only (punctuation and spacing ignored, a leading "by" dropped). No names = miss.
// - publishedTime: the expected raw string, parsed (a value without a zone is UTC), falls on the same UTC date
//   (YYYY-MM-DD) as our publishedAt.
// - siteName: equal, case-insensitive, whitespace collapsed.
// - lang: the full tag equal, case-insensitive (also reported: the primary subtag equal).
// - excerpt vs description: equal after collapsing whitespace. Readability falls back to the first paragraph when
//   a page has no description; we do not, so this is also reported over the pages where we found a description.
// - dir: equal, where the expected value is non-null.
// The page URL is http://fakehost/test/page.html, as upstream uses. Files are read as UTF-8 (see its README).
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { parseHtml } from '../lib/core/extract/index.ts';
import { extractMetadata } from '../lib/core/extract/metadata.ts';
import { parseMetadataDate } from '../lib/core/extract/metadata-dates.ts';
import { writeResultSection } from './report.ts';

const DATA_DIR = new URL('../../shared/benchmarks/readability-pages/', import.meta.url);
const PAGE_URL = new URL('http://fakehost/test/page.html');
const TARGETS = { title: 0.95, authors: 0.85, publishedTime: 0.9, lang: 0.95 };

interface Expected {
  title?: string | null;
  byline?: string | null;
  dir?: string | null;
  lang?: string | null;
  excerpt?: string | null;
  siteName?: string | null;
  publishedTime?: string | null;
}

const collapse = (value: string) => value.replace(/\s+/g, ' ').trim();
const letters = (value: string) =>
  value
    .normalize('NFKC')
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]+/gu, ' ')
    .trim();

export function authorsMatchByline(authors: string[], byline: string): boolean {
  if (authors.length === 0) return false;
  const expected = letters(byline).replace(/^by /, '');
  const ours = authors.map(letters);
  // Names must start at a word boundary of the byline; they may end glued to other text ("Nolan22 Dec").
  return (
    ours.every((name) => name !== '' && ` ${expected}`.includes(` ${name}`)) ||
    ours.join(' ').includes(expected)
  );
}

interface FieldScore {
  hits: number;
  total: number;
  misses: string[];
}

const newScore = (): FieldScore => ({ hits: 0, total: 0, misses: [] });

function score(field: FieldScore, page: string, hit: boolean, detail: string): void {
  field.total++;
  if (hit) field.hits++;
  else field.misses.push(`${page}: ${detail}`);
}

if (!existsSync(DATA_DIR)) {
  console.error(`benchmark data not found at ${DATA_DIR.pathname}`);
  process.exit(1);
}

const variants = [
  { key: 'default', label: 'titles kept as the page declares them (the default)', strip: false },
  { key: 'stripSiteName', label: 'declared titles with " | Site" suffixes stripped', strip: true },
] as const;

const pages = readdirSync(DATA_DIR, { withFileTypes: true })
  .filter((entry) => entry.isDirectory())
  .map((entry) => entry.name)
  .sort()
  .map((name) => ({
    name,
    html: readFileSync(new URL(`${name}/source.html`, DATA_DIR), 'utf8'),
    expected: JSON.parse(
      readFileSync(new URL(`${name}/expected-metadata.json`, DATA_DIR), 'utf8'),
    ) as Expected,
  }));

const results: Record<string, Record<string, FieldScore>> = {};
const extraAuthors: string[] = [];
const timings: number[] = [];
const now = new Date();

for (const variant of variants) {
  const fields = {
    title: newScore(),
    authors: newScore(),
    publishedTime: newScore(),
    siteName: newScore(),
    lang: newScore(),
    langPrimary: newScore(),
    dir: newScore(),
    excerpt: newScore(),
    excerptWhenFound: newScore(),
  };
  for (const page of pages) {
    const started = performance.now();
    const $ = parseHtml(page.html);
    const metadata = extractMetadata($, PAGE_URL, { now, stripSiteNameFromTitle: variant.strip });
    if (!variant.strip) timings.push(performance.now() - started);
    const { expected } = page;
    if (expected.title) {
      score(
        fields.title,
        page.name,
        collapse(expected.title) === collapse(metadata.title ?? ''),
        `${JSON.stringify(metadata.title)} ≠ ${JSON.stringify(expected.title)}`,
      );
    }
    if (expected.byline) {
      score(
        fields.authors,
        page.name,
        authorsMatchByline(metadata.authors, expected.byline),
        `${JSON.stringify(metadata.authors)} vs ${JSON.stringify(collapse(expected.byline))}`,
      );
    } else if (!variant.strip && metadata.authors.length > 0) {
      extraAuthors.push(`${page.name}: ${JSON.stringify(metadata.authors)}`);
    }
    if (expected.publishedTime) {
      const expectedDate = parseMetadataDate(expected.publishedTime, new Date(8.64e15))?.slice(0, 10);
      score(
        fields.publishedTime,
        page.name,
        expectedDate !== undefined && expectedDate === metadata.publishedAt?.slice(0, 10),
        `${metadata.publishedAt} vs ${expected.publishedTime}`,
      );
    }
    if (expected.siteName) {
      score(
        fields.siteName,
        page.name,
        collapse(expected.siteName).toLowerCase() === collapse(metadata.siteName ?? '').toLowerCase(),
        `${JSON.stringify(metadata.siteName)} ≠ ${JSON.stringify(expected.siteName)}`,
      );
    }
    if (expected.lang) {
      score(
        fields.lang,
        page.name,
        expected.lang.toLowerCase() === (metadata.language ?? '').toLowerCase(),
        `${metadata.language} ≠ ${expected.lang}`,
      );
      score(
        fields.langPrimary,
        page.name,
        expected.lang.toLowerCase().split('-')[0] === (metadata.language ?? '').toLowerCase().split('-')[0],
        `${metadata.language} ≠ ${expected.lang}`,
      );
    }
    if (expected.dir) {
      score(
        fields.dir,
        page.name,
        expected.dir === metadata.direction,
        `${metadata.direction} ≠ ${expected.dir}`,
      );
    }
    if (expected.excerpt) {
      const hit = collapse(expected.excerpt) === collapse(metadata.description ?? '');
      const detail = `${JSON.stringify(metadata.description?.slice(0, 80))} ≠ ${JSON.stringify(expected.excerpt.slice(0, 80))}`;
      score(fields.excerpt, page.name, hit, detail);
      if (metadata.description !== undefined) score(fields.excerptWhenFound, page.name, hit, detail);
    }
  }
  results[variant.key] = fields;
}

const percent = (field: FieldScore | undefined) =>
  field === undefined || field.total === 0 ? 'n/a' : `${((100 * field.hits) / field.total).toFixed(1)}%`;
const ratio = (field: FieldScore | undefined) =>
  field === undefined || field.total === 0 ? 0 : field.hits / field.total;
const main = results.default ?? {};
const stripped = results.stripSiteName ?? {};
timings.sort((a, b) => a - b);
const median = timings[Math.floor(timings.length / 2)] ?? 0;
const p95 = timings[Math.floor(timings.length * 0.95)] ?? 0;

const rows: [string, string, FieldScore | undefined, string][] = [
  ['title (exact, whitespace-normalized)', '≥ 95%', main.title, ''],
  [
    'title, stripping " \\| Site" suffixes',
    '',
    stripped.title,
    'the alternative rule, measured in the same run',
  ],
  ['authors match the byline', '≥ 85%', main.authors, ''],
  ['publishedTime: same UTC date', '≥ 90%', main.publishedTime, ''],
  ['language: full tag, case-insensitive', '≥ 95%', main.lang, ''],
  ['language: primary subtag', '', main.langPrimary, ''],
  ['siteName (case-insensitive)', '', main.siteName, ''],
  ['direction', '', main.dir, ''],
  ['excerpt = description', '', main.excerpt, "Readability falls back to the first paragraph; we don't"],
  ['excerpt = description, where we found one', '', main.excerptWhenFound, ''],
];
const table = [
  '| field | target | ours | pages | note |',
  '| --- | --- | --- | --- | --- |',
  ...rows.map(
    ([name, target, field, note]) =>
      `| ${name} | ${target} | ${percent(field)} | ${field?.hits ?? 0}/${field?.total ?? 0} | ${note} |`,
  ),
];
const missesFor = (label: string, field: FieldScore | undefined) =>
  field === undefined || field.misses.length === 0
    ? []
    : [
        `<details><summary>${label} misses (${field.misses.length})</summary>`,
        '',
        ...field.misses.map((miss) => `- ${miss.replace(/\|/g, '\\|')}`),
        '',
        '</details>',
        '',
      ];

const chosen = ratio(main.title) >= ratio(stripped.title) ? 'keeping' : 'stripping';
const markdown = [
  `${pages.length} pages from Readability's test suite; expected values are Readability's own output, so they are an`,
  'opinion, not the truth (see the benchmark README). Rules are stated at the top of `benchmark/metadata.ts`.',
  `Metadata only (parse + extractMetadata): median ${median.toFixed(2)} ms, p95 ${p95.toFixed(2)} ms per page.`,
  '',
  ...table,
  '',
  `On these pages ${chosen} site-name suffixes scores better on title-exact (${percent(main.title)} kept vs ${percent(stripped.title)} stripped).`,
  `Pages where Readability has no byline but we found authors: ${extraAuthors.length}.`,
  '',
  ...missesFor('title', main.title),
  ...missesFor('authors', main.authors),
  ...missesFor('publishedTime', main.publishedTime),
  ...missesFor('language', main.lang),
  ...missesFor('siteName', main.siteName),
].join('\n');

writeResultSection({
  name: '20-metadata',
  title: 'Metadata accuracy (readability-pages)',
  command: 'npm run bench:metadata',
  markdown,
  data: {
    pages: pages.length,
    pageUrl: PAGE_URL.href,
    targets: TARGETS,
    variants: Object.fromEntries(
      Object.entries(results).map(([key, fields]) => [
        key,
        Object.fromEntries(
          Object.entries(fields).map(([name, field]) => [
            name,
            { hits: field.hits, total: field.total, rate: ratio(field), misses: field.misses },
          ]),
        ),
      ]),
    ),
    authorsWithoutExpectedByline: extraAuthors,
    metadataMs: { median, p95 },
  },
});

console.log(table.join('\n'));
const failures = Object.entries(TARGETS).filter(([field, target]) => ratio(main[field]) < target);
if (process.argv.includes('--check') && failures.length > 0) {
  console.error(`below target: ${failures.map(([field]) => field).join(', ')}`);
  process.exitCode = 1;
}
if (process.argv.includes('--misses')) {
  for (const [field, scoreOf] of Object.entries(main)) {
    if (scoreOf.misses.length > 0) console.log(`\n## ${field}\n${scoreOf.misses.join('\n')}`);
  }
  console.log(`\n## extra authors\n${extraAuthors.join('\n')}`);
}
