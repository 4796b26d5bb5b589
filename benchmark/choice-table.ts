// Decision table for the choice between extractors per page, over all four corpora: for every page, the text
// extract() gives, and the generic, region and forum texts each scored with the corpus's own metric, beside
// features of the page and of how the texts relate. Diagnosis only (not part of bench).
//
//   npx tsx benchmark/choice-table.ts --out /tmp/rows.jsonl [--corpus wcxb-dev,...] [--only ID] [--shard K/N] [--texts]
//
// One JSON line per page: corpus, id, label (wcxb), the classifier's type and positive signals, page counts
// (h2, <time>, <article>), each candidate's score (`s.given|generic|region|forum`: wcxb word F1, shingle P/R for
// the Zyte and readability corpora, snippet TP/FN/FP for trafilatura-dev), text shapes (`gt`/`rt`/`ft`: length,
// blocks, prose blocks of 150+ characters, short blocks), HTML shapes (`gh`/`rh`: link-text share, headings,
// <li>, <p>, links), the share of the generic text's words found in the region (`gInR`) and the reverse
// (`rInG`), and which candidate extract() gave (`givenIs`). Replaying a rule over the rows predicts all four
// corpora's figures without re-extracting (session 8's predictions matched the benchmark to the page).
// Several shards (--shard 0/4 ... 3/4) run in parallel; concatenate their files. With --texts each row also holds
// the generic and region texts and HTML (`gText`, `rText`, `gHtml`, `rHtml`; ~60 MB for all 2,118 pages), so new
// features of the two texts (what the region adds, where, and its markup) can be tried without re-extracting.
import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { load } from 'cheerio';
import { extractContent } from '../lib/core/extract/content.ts';
import { decodeHtml } from '../lib/core/extract/decode.ts';
import { extract, extractMetadata } from '../lib/core/extract/index.ts';
import { classifyPageType } from '../lib/core/extract/page-type.ts';
import { extractForumThread } from '../lib/core/extract/page-types/forum.ts';
import { extractPageRegion } from '../lib/core/extract/page-types/region.ts';
import { toPlainText } from '../lib/core/extract/text.ts';
import { loadReadabilityPages, loadTrafilatura, loadWcxb, loadZyte } from './corpora.ts';
import { countSnippets, scorePage, scoreWords, tokenize } from './metric.ts';
import { parseAsExtractDoes } from './parse-as-extract.ts';

const { values: args } = parseArgs({
  options: {
    out: { type: 'string', default: '/tmp/choice-rows.jsonl' },
    corpus: { type: 'string', default: 'article-extraction,readability-pages,wcxb-dev,trafilatura-dev' },
    only: { type: 'string' },
    shard: { type: 'string', default: '0/1' },
    texts: { type: 'boolean', default: false },
  },
});
const corpora = new Set(args.corpus.split(','));
const only = args.only ? new Set(args.only.split(',')) : undefined;

type Scorer = (text: string) => Record<string, number>;
interface Job {
  corpus: string;
  id: string;
  url: string;
  input: string | Uint8Array;
  label?: string;
  score: Scorer;
}

function* jobs(): Generator<Job> {
  if (corpora.has('article-extraction')) {
    for (const page of loadZyte()) {
      const truth = page.articleBody;
      yield {
        corpus: 'zyte',
        id: page.id,
        url: page.url,
        input: page.html(),
        score: (t) => shingle(truth, t),
      };
    }
  }
  if (corpora.has('readability-pages')) {
    for (const page of loadReadabilityPages()) {
      const truth = toPlainText(load(page.expectedHtml()).root().toArray());
      yield {
        corpus: 'rdb',
        id: page.id,
        url: page.url,
        input: page.html(),
        score: (t) => shingle(truth, t),
      };
    }
  }
  if (corpora.has('wcxb-dev')) {
    for (const page of loadWcxb()) {
      yield {
        corpus: 'wcxb',
        id: page.id,
        url: page.url,
        input: page.html(),
        label: page.pageType,
        score: (t) => ({ f1: scoreWords(page.mainContent, t).f1 }),
      };
    }
  }
  if (corpora.has('trafilatura-dev')) {
    for (const page of loadTrafilatura()) {
      yield {
        corpus: 'traf',
        id: page.id,
        url: page.url,
        input: page.bytes(),
        score: (t) => {
          const c = countSnippets(t, page);
          return { tp: c.tp, fn: c.fn, fp: c.fp };
        },
      };
    }
  }
}

function shingle(truth: string, text: string): Record<string, number> {
  const s = scorePage(truth, text);
  return { p: s.precision, r: s.recall, hp: s.hasPrediction ? 1 : 0, ht: s.hasTruth ? 1 : 0 };
}

/** Multiset share of `a`'s tokens found in `b`: the word recall of `b` against `a` (0 when `a` has no tokens). */
function containment(a: string, b: string): number {
  return tokenize(a.toLowerCase()).length === 0 ? 0 : scoreWords(a, b).recall;
}

function htmlFeatures(html: string | undefined) {
  if (html === undefined) return {};
  const $ = load(html);
  const text = $.root().text().replace(/\s+/g, ' ').length || 1;
  let linked = 0;
  $('a').each((_, a) => {
    linked += $(a).text().replace(/\s+/g, ' ').length;
  });
  return {
    link: linked / text,
    headings: $('h1,h2,h3,h4,h5,h6').length,
    li: $('li').length,
    p: $('p').length,
    links: $('a').length,
  };
}

function textFeatures(text: string | undefined) {
  if (text === undefined) return {};
  const blocks = text.split('\n\n').filter((b) => b.trim() !== '');
  return {
    len: text.length,
    blocks: blocks.length,
    prose: blocks.filter((b) => b.length >= 150).length,
    short: blocks.filter((b) => b.length < 40).length,
  };
}

const rows: string[] = [];
let done = 0;
let seen = 0;
const [shardIndex, shardCount] = args.shard.split('/').map(Number) as [number, number];
for (const job of jobs()) {
  if (only && !only.has(job.id)) continue;
  if (seen++ % shardCount !== shardIndex) continue;
  const html = decodeHtml(job.input);
  const pageUrl = new URL(job.url);
  const result = extract({ html: job.input, url: job.url });
  const given = result.ok ? result.value.content.text : '';
  const attempt = <T>(f: () => T): T | undefined => {
    try {
      return f();
    } catch {
      return undefined;
    }
  };
  const $ = parseAsExtractDoes(html);
  const metadata = extractMetadata($, pageUrl, { now: new Date() });
  const verdict = classifyPageType($, pageUrl);
  const options = { pageUrl, title: metadata.title };
  const select = load($._root);
  const h2 = select('h2').length;
  const times = select('time').length;
  const articles = select('article').length;
  const generic = attempt(() => extractContent(parseAsExtractDoes(html), options));
  const region = attempt(() => extractPageRegion(parseAsExtractDoes(html), options));
  const forum = attempt(() => extractForumThread(parseAsExtractDoes(html), options));
  const g = generic?.text ?? '';
  const r = region?.text ?? '';
  rows.push(
    JSON.stringify({
      corpus: job.corpus,
      id: job.id,
      url: job.url,
      label: job.label,
      type: verdict.type,
      signals: verdict.signals.filter((s) => s.weight > 0).map((s) => s.name),
      textChars: verdict.textChars,
      h2,
      times,
      articles,
      home: pageUrl.pathname === '/' && pageUrl.search === '',
      s: {
        given: job.score(given),
        generic: job.score(g),
        region: region ? job.score(r) : undefined,
        forum: forum ? job.score(forum.text) : undefined,
      },
      gt: textFeatures(generic?.text),
      rt: textFeatures(region?.text),
      ft: textFeatures(forum?.text),
      gh: htmlFeatures(generic?.html),
      rh: htmlFeatures(region?.html),
      gInR: region ? containment(g, r) : undefined,
      rInG: region ? containment(r, g) : undefined,
      gInF: forum ? containment(g, forum.text) : undefined,
      fInG: forum ? containment(forum.text, g) : undefined,
      ...(args.texts && {
        gText: g,
        rText: r,
        gHtml: generic?.html,
        rHtml: region?.html,
        fText: forum?.text,
      }),
      givenIs: given === g ? 'generic' : given === r ? 'region' : given === forum?.text ? 'forum' : 'other',
    }),
  );
  if (++done % 200 === 0) console.error(`${done} pages`);
}
writeFileSync(args.out, `${rows.join('\n')}\n`);
console.error(`${rows.length} rows -> ${args.out}`);
