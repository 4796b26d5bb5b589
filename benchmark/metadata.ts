// Metadata accuracy: `npm run bench:metadata` (add `--misses` to print every miss, `--check` to fail below the
// floors, `--no-write` to print only). Writes benchmark/results/20-metadata.json and regenerates RESULTS.md.
//
// Corpora (../shared/benchmarks):
// - wcxb-dev, the 696 article pages: human-reviewed title, author and publish_date per page (see its README).
//   The page URL is the one recorded with the page; relative dates resolve against the time of the run.
// - readability-pages, 130 pages: Readability's own output as the reference (an opinion, not the truth); page URL
//   http://fakehost/test/page.html as upstream uses.
// - trafilatura-dev, 497 pages in many languages: only for language detection (below).
//
// Comparison rules (a rate is over the pages whose reference is non-null / non-empty):
// - title (wcxb): equal after folding whitespace runs to one space, curly/typographic quotes to ' and ", and NFKC.
// - title (readability-pages): Readability keeps site affixes ("Headline | Site"), so a hit is our title equal
//   (same folding) to Readability's as it is, or both equal after the same affix rule is applied to each side:
//   the extractor's own `stripTitleAffixes`, with the site names the page declares (site-name and section
//   segments, a tail of at most 5 words after a pipe or an underscore, a bracketed site or domain name).
// - authors (wcxb): the same SET of name tokens: lower-cased letter/digit runs of each of our names (read one by
//   one, as the reference's comma-separated parts are) vs of the reference byline, connectors (and, by, und, et, y, e, &) dropped; honorifics (Dr, Mr, Mrs, Ms, Prof) and
//   post-nominal credentials (a comma-separated part in capitals such as "MD", "PhD", "RD", "E-RYT 200") are not
//   name tokens. Empty output = miss.
// - authors (readability-pages): our names all occur in the expected byline, or the byline occurs in our joined
//   names (letters and digits only, a leading "by" dropped). No names = miss.
// - date (wcxb): publishedAt falls on publish_date's calendar day in some time zone (UTC-12 to UTC+14, since we
//   keep UTC only and the page's day may differ); a date-only value (midnight UTC) must be that day exactly;
//   a YYYY-MM reference: same month.
// - date (readability-pages): the expected raw string, parsed (no zone = UTC), falls on the same UTC day.
// - language (readability-pages): the full tag equal, case-insensitive (also reported: primary subtag equal).
// - language detection: on readability-pages and trafilatura-dev pages that declare a language (html lang), the
//   detector reads the page's title and text sample without the declaration; its primary subtag must equal the
//   declared primary subtag (declarations are sometimes wrong: pages in German declared "en" count as misses).
// Also reported: "spurious" authors/dates, i.e. values we give where the wcxb reference is null.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { load } from 'cheerio/slim';
import { parseHtml } from '../lib/core/extract/index.ts';
import { extractMetadata, type MetadataOptions, stripTitleAffixes } from '../lib/core/extract/metadata.ts';
import { parseMetadataDate } from '../lib/core/extract/metadata-dates.ts';
import { indexPage } from '../lib/core/extract/metadata-dom.ts';
import { detectLanguage, normalizeLanguageTag } from '../lib/core/extract/metadata-language.ts';
import { loadTrafilatura } from './corpora.ts';
import { writeResultSection } from './report.ts';

const SHARED = new URL('../../shared/benchmarks/', import.meta.url);
const READABILITY_DIR = new URL('readability-pages/', SHARED);
const WCXB_DIR = new URL('wcxb-dev/', SHARED);
const READABILITY_URL = new URL('http://fakehost/test/page.html');

/** The issue's targets and the CI floors (close under the measured figures). */
const TARGETS = {
  wcxb: { title: 0.9, authors: 0.85, date: 0.9 },
  readability: { title: 0.95, authors: 0.85, date: 0.9, lang: 0.95 },
};
const FLOORS = {
  wcxb: { title: 0.887, authors: 0.78, date: 0.882 },
  readability: { title: 0.87, authors: 0.85, date: 0.95, lang: 0.95, languageDetection: 0.95 },
};

// ---------------------------------------------------------------------------------------------------------------
// Comparison rules

export const foldTitle = (value: string) =>
  value
    .normalize('NFKC')
    .replace(/[‘’‚‛′`´]/g, "'")
    .replace(/[“”„‟″«»]/g, '"')
    .replace(/\s+/g, ' ')
    .trim();

const CONNECTORS = new Set(['and', 'by', 'und', 'et', 'y', 'e']);
/** Honorifics and post-nominal credentials are not name tokens ("Dr. Jane Doe, MD, PhD" names Jane Doe). */
const HONORIFIC = /^(?:dr|mr|mrs|ms|mx|prof|sir)\.?\s+/i;
const POST_NOMINAL = /^(?:[A-Z][A-Za-z]?\.?){1,4}(?:[ -]\d{1,4})?$|^(?:[A-Z]{2,6}[ -]?)+(?:\d{1,4})?$/;
export const nameTokens = (value: string) =>
  new Set(
    value
      .normalize('NFKC')
      .split(/\s*[,;]\s*/)
      .map((part) => part.trim().replace(HONORIFIC, ''))
      .filter((part, index) => index === 0 || !POST_NOMINAL.test(part))
      .join(' ')
      .toLowerCase()
      .match(/[\p{L}\p{N}]+/gu)
      ?.filter((token) => !CONNECTORS.has(token)) ?? [],
  );
/** Our names' tokens, each name read on its own (its honorific dropped), as the reference's comma-separated parts. */
export const authorTokens = (names: readonly string[]) =>
  new Set(names.flatMap((name) => [...nameTokens(name)]));
export const sameTokenSet = (a: Set<string>, b: Set<string>) =>
  a.size > 0 && a.size === b.size && [...a].every((token) => b.has(token));

const letters = (value: string) =>
  value
    .normalize('NFKC')
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]+/gu, ' ')
    .trim();

/**
 * Our UTC timestamp falls on the reference's calendar day in some time zone (UTC-12 to UTC+14): we keep UTC
 * only, and the page's own day may differ from the UTC one. A date-only value (midnight UTC) must match exactly.
 */
export function sameCalendarDay(ours: string | undefined, reference: string): boolean {
  if (ours === undefined) return false;
  if (ours.startsWith(reference)) return true;
  if (reference.length !== 10 || ours.endsWith('T00:00:00.000Z')) return false;
  const millis = Date.parse(ours);
  const dayOf = (offsetHours: number) =>
    new Date(millis + offsetHours * 3_600_000).toISOString().slice(0, 10);
  return dayOf(-12) === reference || dayOf(14) === reference;
}

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

// ---------------------------------------------------------------------------------------------------------------
// Scores

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
const ratio = (field: FieldScore | undefined) =>
  field === undefined || field.total === 0 ? 0 : field.hits / field.total;
const percent = (field: FieldScore | undefined) =>
  field === undefined || field.total === 0 ? 'n/a' : `${(100 * ratio(field)).toFixed(1)}%`;

for (const dir of [READABILITY_DIR, WCXB_DIR]) {
  if (!existsSync(dir)) {
    console.error(`benchmark data not found at ${dir.pathname}`);
    process.exit(1);
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Title rules measured side by side (the default is what extractMetadata does without options)

const TITLE_VARIANTS: { key: string; label: string; options: MetadataOptions }[] = [
  { key: 'default', label: 'the default rule', options: {} },
  {
    key: 'declared',
    label: 'declared title as is (no affix stripping, no h1 preference)',
    options: { titleAffixes: 'keep', preferVisibleHeadline: false },
  },
  {
    key: 'affixesOnly',
    label: 'site affixes stripped, no h1 preference',
    options: { titleAffixes: 'strip', preferVisibleHeadline: false },
  },
  {
    key: 'affixesAndHeadline',
    label: 'site affixes stripped, and the visible h1 preferred when it agrees',
    options: { titleAffixes: 'strip', preferVisibleHeadline: true },
  },
  {
    key: 'affixesAndSegmentHeadline',
    label: 'site affixes stripped, and the h1 preferred when it is a part of the title',
    options: { titleAffixes: 'strip', preferVisibleHeadline: 'segment' },
  },
  {
    key: 'affixesAndRelatedHeadline',
    label: 'site affixes stripped, and the h1 preferred when it shares 30% of its words with the title',
    options: { titleAffixes: 'strip', preferVisibleHeadline: 'related' },
  },
  {
    key: 'affixesAndAnyHeadline',
    label: 'site affixes stripped, and the first visible h1 taken whenever there is one',
    options: { titleAffixes: 'strip', preferVisibleHeadline: 'always' },
  },
];

const now = new Date();
const timings: number[] = [];

// --- wcxb-dev articles ------------------------------------------------------------------------------------------

interface WcxbTruth {
  url: string;
  page_type: string;
  title: string | null;
  author: string | null;
  publish_date: string | null;
}
const wcxbTruth = JSON.parse(readFileSync(new URL('ground-truth.json', WCXB_DIR), 'utf8')) as Record<
  string,
  WcxbTruth
>;
const wcxbPages = Object.entries(wcxbTruth)
  .filter(([, truth]) => truth.page_type === 'article')
  .sort(([a], [b]) => a.localeCompare(b))
  .map(([id, truth]) => ({
    id,
    truth,
    html: gunzipSync(readFileSync(new URL(`html/${id}.html.gz`, WCXB_DIR))).toString('utf8'),
  }));

const wcxb = {
  authors: newScore(),
  date: newScore(),
  spuriousAuthors: newScore(),
  spuriousDate: newScore(),
  titles: Object.fromEntries(TITLE_VARIANTS.map((variant) => [variant.key, newScore()])),
  sources: {} as Record<string, Record<string, number>>,
};
const countSource = (field: string, source: string | undefined) => {
  const bucket = wcxb.sources[field] ?? {};
  wcxb.sources[field] = bucket;
  bucket[source ?? 'none'] = (bucket[source ?? 'none'] ?? 0) + 1;
};

for (const page of wcxbPages) {
  const { truth } = page;
  const pageUrl = new URL(truth.url);
  const parseStarted = performance.now();
  const $ = parseHtml(page.html);
  const parseMs = performance.now() - parseStarted;
  for (const variant of TITLE_VARIANTS) {
    const started = performance.now() - parseMs;
    // extractMetadata only reads the DOM, so one parse serves every variant.
    const metadata = extractMetadata($, pageUrl, { now, ...variant.options });
    const field = wcxb.titles[variant.key] as FieldScore;
    if (truth.title) {
      score(
        field,
        page.id,
        foldTitle(truth.title) === foldTitle(metadata.title ?? ''),
        `${JSON.stringify(metadata.title)} ≠ ${JSON.stringify(truth.title)}`,
      );
    }
    if (variant.key !== 'default') continue;
    timings.push(performance.now() - started);
    countSource('authors', metadata.sources.authors);
    countSource('publishedAt', metadata.sources.publishedAt);
    if (truth.author) {
      score(
        wcxb.authors,
        page.id,
        sameTokenSet(authorTokens(metadata.authors), nameTokens(truth.author)),
        `${JSON.stringify(metadata.authors)} vs ${JSON.stringify(truth.author)} (${metadata.sources.authors})`,
      );
    } else {
      score(
        wcxb.spuriousAuthors,
        page.id,
        metadata.authors.length === 0,
        `${JSON.stringify(metadata.authors)} (${metadata.sources.authors})`,
      );
    }
    const day = metadata.publishedAt?.slice(0, 10);
    if (truth.publish_date) {
      score(
        wcxb.date,
        page.id,
        sameCalendarDay(metadata.publishedAt, truth.publish_date),
        `${metadata.publishedAt} vs ${truth.publish_date} (${metadata.sources.publishedAt})`,
      );
    } else {
      score(
        wcxb.spuriousDate,
        page.id,
        day === undefined,
        `${metadata.publishedAt} (${metadata.sources.publishedAt})`,
      );
    }
  }
}

// --- readability-pages ------------------------------------------------------------------------------------------

interface ReadabilityExpected {
  title?: string | null;
  byline?: string | null;
  dir?: string | null;
  lang?: string | null;
  excerpt?: string | null;
  siteName?: string | null;
  publishedTime?: string | null;
}

const readabilityPages = readdirSync(READABILITY_DIR, { withFileTypes: true })
  .filter((entry) => entry.isDirectory())
  .map((entry) => entry.name)
  .sort()
  .map((name) => ({
    name,
    html: readFileSync(new URL(`${name}/source.html`, READABILITY_DIR), 'utf8'),
    expected: JSON.parse(
      readFileSync(new URL(`${name}/expected-metadata.json`, READABILITY_DIR), 'utf8'),
    ) as ReadabilityExpected,
  }));

const readability = {
  authors: newScore(),
  date: newScore(),
  lang: newScore(),
  langPrimary: newScore(),
  siteName: newScore(),
  dir: newScore(),
  excerpt: newScore(),
  titles: Object.fromEntries(TITLE_VARIANTS.map((variant) => [variant.key, newScore()])),
  titleUnchanged: newScore(),
};
const extraAuthors: string[] = [];

for (const page of readabilityPages) {
  const { expected } = page;
  const $ = parseHtml(page.html);
  for (const variant of TITLE_VARIANTS) {
    const metadata = extractMetadata($, READABILITY_URL, { now, ...variant.options });
    if (expected.title) {
      const ours = foldTitle(metadata.title ?? '');
      const siteNames = [metadata.siteName, expected.siteName].filter((name): name is string => !!name);
      const strippedReference = stripTitleAffixes(expected.title, siteNames, metadata.authors);
      score(
        readability.titles[variant.key] as FieldScore,
        page.name,
        ours === foldTitle(expected.title) ||
          foldTitle(stripTitleAffixes(metadata.title ?? '', siteNames, metadata.authors)) ===
            foldTitle(strippedReference),
        `${JSON.stringify(metadata.title)} ≠ ${JSON.stringify(expected.title)}`,
      );
      if (variant.key === 'default') {
        score(
          readability.titleUnchanged,
          page.name,
          ours === foldTitle(expected.title),
          `${JSON.stringify(metadata.title)} ≠ ${JSON.stringify(expected.title)}`,
        );
      }
    }
    if (variant.key !== 'default') continue;
    if (expected.byline) {
      score(
        readability.authors,
        page.name,
        authorsMatchByline(metadata.authors, expected.byline),
        `${JSON.stringify(metadata.authors)} vs ${JSON.stringify(expected.byline.replace(/\s+/g, ' ').trim())}`,
      );
    } else if (metadata.authors.length > 0) {
      extraAuthors.push(`${page.name}: ${JSON.stringify(metadata.authors)}`);
    }
    if (expected.publishedTime) {
      const expectedDay = parseMetadataDate(expected.publishedTime, new Date(8.64e15))?.slice(0, 10);
      score(
        readability.date,
        page.name,
        expectedDay !== undefined && expectedDay === metadata.publishedAt?.slice(0, 10),
        `${metadata.publishedAt} vs ${expected.publishedTime}`,
      );
    }
    if (expected.siteName) {
      score(
        readability.siteName,
        page.name,
        expected.siteName.trim().toLowerCase() === (metadata.siteName ?? '').trim().toLowerCase(),
        `${JSON.stringify(metadata.siteName)} ≠ ${JSON.stringify(expected.siteName)}`,
      );
    }
    if (expected.lang) {
      const detail = `${metadata.language} ≠ ${expected.lang}`;
      const ours = (metadata.language ?? '').toLowerCase();
      score(readability.lang, page.name, expected.lang.toLowerCase() === ours, detail);
      score(
        readability.langPrimary,
        page.name,
        expected.lang.toLowerCase().split('-')[0] === ours.split('-')[0],
        detail,
      );
    }
    if (expected.dir) {
      score(
        readability.dir,
        page.name,
        expected.dir === metadata.direction,
        `${metadata.direction} ≠ ${expected.dir}`,
      );
    }
    if (expected.excerpt) {
      score(
        readability.excerpt,
        page.name,
        foldTitle(expected.excerpt) === foldTitle(metadata.description ?? ''),
        `${JSON.stringify(metadata.description?.slice(0, 80))} ≠ ${JSON.stringify(expected.excerpt.slice(0, 80))}`,
      );
    }
  }
}

// --- language detection (declaration hidden) ---------------------------------------------------------------------

const detection = newScore();
const detectionMs: number[] = [];
const detectionPages = [
  ...readabilityPages.map((page) => ({ id: `readability/${page.name}`, html: () => page.html })),
  ...loadTrafilatura().map((page) => ({ id: `trafilatura/${page.id}`, html: page.html })),
];
for (const page of detectionPages) {
  const $ = load(parseHtml(page.html())._root);
  const declared = normalizeLanguageTag($('html').attr('lang'))?.split('-')[0]?.toLowerCase();
  if (declared === undefined) continue;
  const index = indexPage($.root()[0] as never);
  const started = performance.now();
  const detected = detectLanguage(`${$('title').first().text()} ${index.sample}`);
  detectionMs.push(performance.now() - started);
  score(detection, page.id, detected === declared, `${detected} ≠ declared ${declared}`);
}
detectionMs.sort((a, b) => a - b);

// ---------------------------------------------------------------------------------------------------------------
// Report

timings.sort((a, b) => a - b);
const median = timings[Math.floor(timings.length / 2)] ?? 0;
const p95 = timings[Math.floor(timings.length * 0.95)] ?? 0;
const asTarget = (value: number | undefined) => (value === undefined ? '' : `≥ ${(100 * value).toFixed(0)}%`);

type Row = [string, string, FieldScore | undefined, string];
const table = (rows: Row[]) => [
  '| field | target | ours | pages | note |',
  '| --- | --- | --- | --- | --- |',
  ...rows.map(
    ([name, target, field, note]) =>
      `| ${name} | ${target} | ${percent(field)} | ${field?.hits ?? 0}/${field?.total ?? 0} | ${note} |`,
  ),
];

const wcxbRows: Row[] = [
  ['title (folded exact)', asTarget(TARGETS.wcxb.title), wcxb.titles.default, ''],
  ...TITLE_VARIANTS.slice(1).map(
    (variant): Row => [`title: ${variant.label}`, '', wcxb.titles[variant.key], 'alternative rule'],
  ),
  ['authors (same set of name tokens)', asTarget(TARGETS.wcxb.authors), wcxb.authors, ''],
  ['publish date (same day)', asTarget(TARGETS.wcxb.date), wcxb.date, ''],
  ['no authors where the reference has none', '', wcxb.spuriousAuthors, ''],
  ['no date where the reference has none', '', wcxb.spuriousDate, ''],
];
const readabilityRows: Row[] = [
  [
    'title (folded exact, reference affix-stripped or not)',
    asTarget(TARGETS.readability.title),
    readability.titles.default,
    '',
  ],
  ["title equal to Readability's as is", '', readability.titleUnchanged, 'Readability keeps affixes'],
  ...TITLE_VARIANTS.slice(1).map(
    (variant): Row => [`title: ${variant.label}`, '', readability.titles[variant.key], 'alternative rule'],
  ),
  ['authors match the byline', asTarget(TARGETS.readability.authors), readability.authors, ''],
  ['publishedTime: same UTC day', asTarget(TARGETS.readability.date), readability.date, ''],
  ['language: full tag', asTarget(TARGETS.readability.lang), readability.lang, ''],
  ['language: primary subtag', '', readability.langPrimary, ''],
  [
    'language detected with the declaration hidden (readability-pages + trafilatura-dev)',
    '',
    detection,
    `primary subtag; median ${(detectionMs[Math.floor(detectionMs.length / 2)] ?? 0).toFixed(2)} ms`,
  ],
  ['siteName (case-insensitive)', '', readability.siteName, ''],
  ['direction', '', readability.dir, ''],
  [
    'excerpt = description',
    '',
    readability.excerpt,
    "Readability falls back to the first paragraph; we don't",
  ],
];

const missesFor = (label: string, field: FieldScore | undefined, max = 40) =>
  field === undefined || field.misses.length === 0
    ? []
    : [
        `<details><summary>${label} misses (${field.misses.length}${field.misses.length > max ? `, first ${max}` : ''})</summary>`,
        '',
        ...field.misses.slice(0, max).map((miss) => `- ${miss.replace(/\|/g, '\\|')}`),
        '',
        '</details>',
        '',
      ];
const sourceLine = (field: string) =>
  `${field} came from: ${Object.entries(wcxb.sources[field] ?? {})
    .sort(([, a], [, b]) => b - a)
    .map(([source, count]) => `${source} ${count}`)
    .join(', ')}.`;

const markdown = [
  'Comparison rules are stated at the top of `benchmark/metadata.ts`.',
  `Metadata only (parse + extractMetadata) on wcxb-dev articles: median ${median.toFixed(2)} ms, p95 ${p95.toFixed(2)} ms per page.`,
  '',
  `### wcxb-dev, ${wcxbPages.length} article pages (human-reviewed references)`,
  '',
  ...table(wcxbRows),
  '',
  `${sourceLine('authors')} ${sourceLine('publishedAt')}`,
  '',
  `### readability-pages, ${readabilityPages.length} pages (Readability's output as the reference)`,
  '',
  ...table(readabilityRows),
  '',
  `Pages where Readability has no byline but we found authors: ${extraAuthors.length}.`,
  '',
  ...missesFor('wcxb title', wcxb.titles.default),
  ...missesFor('wcxb authors', wcxb.authors),
  ...missesFor('wcxb date', wcxb.date),
  ...missesFor('readability title', readability.titles.default),
  ...missesFor('readability authors', readability.authors),
  ...missesFor('readability date', readability.date),
  ...missesFor('readability language', readability.lang),
  ...missesFor('language detection', detection),
].join('\n');

const serialize = (fields: Record<string, FieldScore | Record<string, FieldScore>>): unknown =>
  Object.fromEntries(
    Object.entries(fields).map(([name, field]) => [
      name,
      'hits' in field
        ? { hits: field.hits, total: field.total, rate: ratio(field as FieldScore), misses: field.misses }
        : serialize(field as Record<string, FieldScore>),
    ]),
  );

// --no-write: print the tables only (a measurement during development), leaving RESULTS.md as it is.
if (!process.argv.includes('--no-write'))
  writeResultSection({
    name: '20-metadata',
    title: 'Metadata accuracy (wcxb-dev articles, readability-pages)',
    command: 'npm run bench:metadata',
    markdown,
    data: {
      targets: TARGETS,
      floors: FLOORS,
      wcxb: {
        pages: wcxbPages.length,
        ...(serialize(wcxb.titles) as object),
        fields: serialize({
          authors: wcxb.authors,
          date: wcxb.date,
          spuriousAuthors: wcxb.spuriousAuthors,
          spuriousDate: wcxb.spuriousDate,
        }),
        sources: wcxb.sources,
      },
      readability: {
        pages: readabilityPages.length,
        pageUrl: READABILITY_URL.href,
        titles: serialize(readability.titles),
        fields: serialize({
          titleUnchanged: readability.titleUnchanged,
          authors: readability.authors,
          date: readability.date,
          lang: readability.lang,
          langPrimary: readability.langPrimary,
          siteName: readability.siteName,
          dir: readability.dir,
          excerpt: readability.excerpt,
          languageDetection: detection,
        }),
        authorsWithoutExpectedByline: extraAuthors,
      },
      metadataMs: { median, p95 },
    },
  });

console.log(
  `wcxb-dev articles\n${table(wcxbRows).join('\n')}\n\nreadability-pages\n${table(readabilityRows).join('\n')}`,
);
const measured = {
  wcxb: { title: ratio(wcxb.titles.default), authors: ratio(wcxb.authors), date: ratio(wcxb.date) },
  readability: {
    title: ratio(readability.titles.default),
    authors: ratio(readability.authors),
    date: ratio(readability.date),
    lang: ratio(readability.lang),
    languageDetection: ratio(detection),
  },
};
const failures: string[] = [];
for (const [corpus, floors] of Object.entries(FLOORS)) {
  const values = (measured as Record<string, Record<string, number>>)[corpus] ?? {};
  for (const [field, floor] of Object.entries(floors)) {
    const value = values[field] ?? 0;
    if (value < floor) failures.push(`${corpus} ${field} ${value.toFixed(3)} < ${floor}`);
  }
}
if (process.argv.includes('--check') && failures.length > 0) {
  console.error(`below the floor: ${failures.join('; ')}`);
  process.exitCode = 1;
}
if (process.argv.includes('--misses')) {
  const print = (label: string, field: FieldScore) =>
    field.misses.length > 0 &&
    console.log(`\n## ${label} (${field.misses.length})\n${field.misses.join('\n')}`);
  print('wcxb title', wcxb.titles.default as FieldScore);
  print('wcxb authors', wcxb.authors);
  print('wcxb date', wcxb.date);
  print('wcxb spurious authors', wcxb.spuriousAuthors);
  print('wcxb spurious date', wcxb.spuriousDate);
  print('readability title', readability.titles.default as FieldScore);
  print('readability authors', readability.authors);
  print('readability date', readability.date);
  print('readability lang', readability.lang);
  console.log(`\n## readability extra authors\n${extraAuthors.join('\n')}`);
}
