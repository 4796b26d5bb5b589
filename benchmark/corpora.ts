// Typed loaders for the four extraction corpora in ../shared/benchmarks (each folder's README says where the
// data comes from and how its upstream scores it). Page HTML is read on demand (`page.html()`): wcxb-dev alone
// is about 390 MB once decompressed, so holding every page in memory at once is not an option.
//
//   article-extraction  181 Zyte pages, articleBody truth, 4-gram shingle metric (benchmark/metric.ts)
//   readability-pages   130 Mozilla test pages; Readability's expected.html is the reference (agreement)
//   wcxb-dev            1,310 pages of 7 page types; main_content truth (bag-of-words F1) + with/without snippets
//   trafilatura-dev     497 pages, mostly German; with/without snippets only (summed P/R/F1)
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { decodeHtml } from '../lib/core/extract/decode.ts';

/** Where the corpora live unless a caller says otherwise: ../shared/benchmarks beside the repository. */
export const BENCHMARKS_DIR = new URL('../../shared/benchmarks/', import.meta.url).pathname;

export type CorpusName = 'article-extraction' | 'readability-pages' | 'wcxb-dev' | 'trafilatura-dev';
export const CORPUS_NAMES: readonly CorpusName[] = [
  'article-extraction',
  'readability-pages',
  'wcxb-dev',
  'trafilatura-dev',
];

interface PageBase {
  /** Stable id within the corpus (file stem or folder name). */
  id: string;
  /** The page address to hand the extractor (a plausible https URL where the corpus has only a label). */
  url: string;
  /** The page bytes as stored (decompressed for .gz files). */
  bytes: () => Uint8Array;
  /** The page as text: UTF-8 where the corpus says so, else decoded as a browser would (BOM, meta, sniffing). */
  html: () => string;
}

export interface ZytePage extends PageBase {
  /** Plain-text article body, paragraphs separated by newlines, headline excluded. */
  articleBody: string;
}

export interface ReadabilityPage extends PageBase {
  /** Readability's expected output (HTML of the article body); score its text, not its DOM. */
  expectedHtml: () => string;
}

export const WCXB_PAGE_TYPES = [
  'article',
  'forum',
  'service',
  'listing',
  'product',
  'collection',
  'documentation',
] as const;
export type WcxbPageType = (typeof WCXB_PAGE_TYPES)[number];

export interface WcxbPage extends PageBase {
  pageType: WcxbPageType;
  title: string | null;
  author: string | null;
  /** ISO date (YYYY-MM-DD, once YYYY-MM) or null. */
  publishDate: string | null;
  /** Main content as plain text: headings on their own lines, paragraphs separated by blank lines. */
  mainContent: string;
  /** Passages a good extraction contains. */
  with: string[];
  /** Boilerplate passages a good extraction leaves out. */
  without: string[];
}

export interface TrafilaturaPage extends PageBase {
  with: string[];
  without: string[];
}

function directory(corpus: CorpusName, dir?: string): string {
  const base = dir ?? `${BENCHMARKS_DIR}${corpus}/`;
  const withSlash = base.endsWith('/') ? base : `${base}/`;
  if (!existsSync(withSlash)) {
    throw new Error(`benchmark corpus ${corpus} not found in ${withSlash}`);
  }
  return withSlash;
}

function readJson<T>(path: string): T {
  return JSON.parse(readFileSync(path, 'utf8')) as T;
}

const readText = (path: string) => (): string => readFileSync(path, 'utf8');
const readBytes = (path: string) => (): Uint8Array => new Uint8Array(readFileSync(path));
const readGzip = (path: string) => (): Uint8Array => new Uint8Array(gunzipSync(readFileSync(path)));

export function loadZyte(dir?: string): ZytePage[] {
  const root = directory('article-extraction', dir);
  const truth = readJson<Record<string, { articleBody: string; url: string }>>(`${root}ground-truth.json`);
  return Object.keys(truth)
    .sort()
    .map((id) => ({
      id,
      url: truth[id]!.url,
      articleBody: truth[id]!.articleBody,
      bytes: readBytes(`${root}html/${id}.html`),
      html: readText(`${root}html/${id}.html`),
    }));
}

/** The page URL upstream's tests use, so relative URLs resolve as in expected.html. */
export const READABILITY_PAGE_URL = 'http://fakehost/test/page.html';

export function loadReadabilityPages(dir?: string): ReadabilityPage[] {
  const root = directory('readability-pages', dir);
  return readdirSync(root, { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && existsSync(`${root}${entry.name}/expected.html`))
    .map((entry) => entry.name)
    .sort()
    .map((id) => ({
      id,
      url: READABILITY_PAGE_URL,
      bytes: readBytes(`${root}${id}/source.html`),
      html: readText(`${root}${id}/source.html`),
      expectedHtml: readText(`${root}${id}/expected.html`),
    }));
}

interface WcxbTruth {
  url: string;
  page_type: WcxbPageType;
  title: string | null;
  author: string | null;
  publish_date: string | null;
  main_content: string;
  with?: string[];
  without?: string[];
}

export function loadWcxb(dir?: string): WcxbPage[] {
  const root = directory('wcxb-dev', dir);
  const truth = readJson<Record<string, WcxbTruth>>(`${root}ground-truth.json`);
  return Object.keys(truth)
    .sort()
    .map((id) => {
      const entry = truth[id]!;
      if (!WCXB_PAGE_TYPES.includes(entry.page_type)) {
        throw new Error(`wcxb-dev page ${id} has an unknown page_type ${String(entry.page_type)}`);
      }
      return {
        id,
        url: entry.url,
        pageType: entry.page_type,
        title: entry.title ?? null,
        author: entry.author ?? null,
        publishDate: entry.publish_date ?? null,
        mainContent: entry.main_content ?? '',
        with: entry.with ?? [],
        without: entry.without ?? [],
        bytes: readGzip(`${root}html/${id}.html.gz`),
        html: () => Buffer.from(readGzip(`${root}html/${id}.html.gz`)()).toString('utf8'),
      };
    });
}

/**
 * trafilatura-dev labels a few pages instead of giving their address ("hard::site-word.html",
 * "xhttps://..."): turn those into a plausible https URL.
 */
export function plausibleUrl(label: string): string {
  if (/^https?:\/\//i.test(label)) return label;
  const x = /^x(https?:\/\/.*)$/i.exec(label);
  if (x) return x[1]!;
  const hard = /^hard::([^/]+?)[-.]([^-.]+)\.html$/i.exec(label);
  if (hard) return `https://${hard[1]}/${hard[2]}`;
  return `https://example.org/${encodeURIComponent(label)}`;
}

export function loadTrafilatura(dir?: string): TrafilaturaPage[] {
  const root = directory('trafilatura-dev', dir);
  const cases = readJson<Record<string, { url: string; with?: string[]; without?: string[] }>>(
    `${root}cases.json`,
  );
  return Object.keys(cases)
    .sort()
    .map((file) => {
      const entry = cases[file]!;
      return {
        id: file.replace(/\.html$/, ''),
        url: plausibleUrl(entry.url),
        with: entry.with ?? [],
        without: entry.without ?? [],
        bytes: readGzip(`${root}html/${file}.gz`),
        // 13 of these pages are not UTF-8 (windows-1252, iso-8859-x): decode them as the pipeline does.
        html: () => decodeHtml(readGzip(`${root}html/${file}.gz`)()),
      };
    });
}
