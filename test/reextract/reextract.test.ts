import { describe, expect, it } from 'vitest';
import type { Article } from '../../lib/core/article.ts';
import type { ArticleIngestedDetail } from '../../lib/core/events.ts';
import { EXTRACTOR } from '../../lib/core/extract/index.ts';
import { extractWithMarkdown } from '../../lib/core/markdown.ts';
import type { ReextractOutcome } from '../../lib/core/reextract.ts';
import {
  type CheckpointStore,
  createReextractService,
  type ReextractCheckpoint,
} from '../../lib/handlers/reextract.ts';
import type { RawPage } from '../../lib/store/types.ts';
import { type TestStore, useLocalServers } from '../helpers/local-servers.ts';

const local = useLocalServers();
const silent = { debug() {}, info() {}, warn() {}, error() {} };
const FETCHED_AT = '2026-11-30T08:00:00.000Z';

/** A page of our own writing: a headline with a site suffix in <title>, the real one in <h1>, a body. */
function page(slug: string, headline: string): { url: string; raw: RawPage } {
  const url = `https://gazette.example/news/${slug}`;
  const paragraphs = Array.from(
    { length: 6 },
    (_, index) =>
      `<p>Paragraph ${index + 1} of the story about ${headline.toLowerCase()}, long enough to read as the body of an article and not as a caption or a teaser line.</p>`,
  ).join('\n');
  const html = `<!doctype html><html lang="en"><head><meta charset="utf-8">
<title>${headline} | The Gazette</title><link rel="canonical" href="${url}"></head>
<body><header><nav><a href="/">Home</a> <a href="/news">News</a></nav></header>
<main><article><h1>${headline}</h1><p class="byline">By Ada Writer</p>${paragraphs}</article></main>
<footer>© The Gazette</footer></body></html>`;
  return {
    url,
    raw: {
      url,
      finalUrl: url,
      status: 200,
      contentType: 'text/html; charset=utf-8',
      body: new TextEncoder().encode(html),
      fetchedAt: FETCHED_AT,
    },
  };
}

function extracted(raw: RawPage): Article {
  const result = extractWithMarkdown({ html: raw.body, url: raw.finalUrl, now: new Date(raw.fetchedAt) });
  if (!result.ok) throw result.error;
  return result.value;
}

/** As an older extractor stored it: its version, and whatever it got wrong. */
function olderExtraction(raw: RawPage, damage: (article: Article) => Partial<Article> = () => ({})): Article {
  const article = extracted(raw);
  return { ...article, ...damage(article), extractor: { name: EXTRACTOR.name, version: '1.0.0' } };
}

function memoryCheckpoints(): CheckpointStore & { saved?: ReextractCheckpoint } {
  const store: CheckpointStore & { saved?: ReextractCheckpoint } = {
    async load() {
      return store.saved === undefined ? undefined : structuredClone(store.saved);
    },
    async save(checkpoint) {
      store.saved = structuredClone(checkpoint);
    },
  };
  return store;
}

function serviceFor(store: TestStore) {
  const events: ArticleIngestedDetail[] = [];
  const service = createReextractService({
    reader: store.articles,
    writer: store.articles,
    extract: extractWithMarkdown,
    events: { publishArticleIngested: async (detail) => void events.push(detail) },
    bucketName: store.bucketName,
    logger: silent,
  });
  return { service, events };
}

/** Three stored articles: a broken title, a truncated body, and one the current extractor gives again. */
async function seed(store: TestStore) {
  const brokenTitle = page('council-vote', 'Council Votes on the New Bridge');
  const truncated = page('harbour-fish', 'Fish Return to the Harbour');
  const same = page('library-hours', 'Library Opens Longer Hours');
  const stored = {
    brokenTitle: olderExtraction(brokenTitle.raw, (article) => ({
      title: `${article.title} | The Gazette`,
    })),
    truncated: olderExtraction(truncated.raw, (article) => {
      const text = article.content.text.split('\n\n')[0] as string;
      return { content: { html: `<p>${text}</p>`, text, wordCount: 10 }, contentHash: 'a'.repeat(64) };
    }),
    same: olderExtraction(same.raw),
  };
  for (const [article, { raw }] of [
    [stored.brokenTitle, brokenTitle],
    [stored.truncated, truncated],
    [stored.same, same],
  ] as const) {
    expect((await store.articles.commit(article, raw)).status).toBe('created');
  }
  return stored;
}

describe('the raw page on the read port', () => {
  it('reads back the page a version was stored with (layout 2: a ranged GET of its WARC record)', async () => {
    const store = await local.freshStore({ sinceFeedSettleMs: 0 });
    const { raw } = page('raw-read', 'A Page Read Back');
    const article = extracted(raw);
    await store.articles.commit(article, {
      ...raw,
      etag: '"v1"',
      lastModified: 'Mon, 30 Nov 2026 08:00:00 GMT',
    });
    const read = await store.articles.getRawPage(article.id);
    expect(read).toMatchObject({
      finalUrl: raw.finalUrl,
      status: 200,
      contentType: raw.contentType,
      fetchedAt: FETCHED_AT,
      etag: '"v1"',
      lastModified: 'Mon, 30 Nov 2026 08:00:00 GMT',
    });
    expect(Buffer.from(read?.body ?? []).equals(Buffer.from(raw.body))).toBe(true);
    expect(await store.articles.getRawPage(article.id, 2)).toBeUndefined();
    expect(await store.articles.getRawPage('0'.repeat(64))).toBeUndefined();
  });
});

describe('reextract', () => {
  it('writes a new version only where the output changed, with events; a second run changes nothing', async () => {
    const store = await local.freshStore({ sinceFeedSettleMs: 0 });
    const stored = await seed(store);
    const { service, events } = serviceFor(store);

    const first = await service.run({ selection: {}, checkpoints: memoryCheckpoints() });
    expect(first).toMatchObject({ scanned: 3, changed: 2, unchanged: 1, failed: 0, complete: true });

    const changedIds = [stored.brokenTitle.id, stored.truncated.id].sort();
    expect(events.map((event) => event.article.id).sort()).toEqual(changedIds);
    for (const event of events) {
      expect(event).toMatchObject({ kind: 'updated', reason: 'reextracted', article: { version: 2 } });
    }
    const fixed = await store.articles.getArticle(stored.brokenTitle.id);
    expect(fixed?.title).toBe('Council Votes on the New Bridge');
    expect(fixed?.extractor).toEqual(EXTRACTOR);
    expect((await store.articles.getArticle(stored.truncated.id))?.content.wordCount).toBeGreaterThan(100);
    const versions = await store.articles.listVersions(stored.brokenTitle.id);
    expect(versions.map(({ version, reason }) => ({ version, reason }))).toEqual([
      { version: 1, reason: undefined },
      { version: 2, reason: 'reextracted' },
    ]);
    // The old version stays readable as it was; the unchanged article was not written.
    expect((await store.articles.getArticle(stored.brokenTitle.id, 1))?.title).toBe(stored.brokenTitle.title);
    expect((await store.articles.getRecord(stored.same.id))?.version).toBe(1);

    const second = await service.run({ selection: {}, checkpoints: memoryCheckpoints() });
    expect(second).toMatchObject({ scanned: 3, changed: 0, unchanged: 3, failed: 0 });
    expect(events).toHaveLength(2);
  });

  it('selects by extractor version and site; a dry run writes and announces nothing', async () => {
    const store = await local.freshStore({ sinceFeedSettleMs: 0 });
    const stored = await seed(store);
    const { service, events } = serviceFor(store);

    const dry = await service.run({ selection: { dryRun: true } });
    expect(dry).toMatchObject({ scanned: 3, changed: 2, unchanged: 1 });
    expect(events).toHaveLength(0);
    expect((await store.articles.getRecord(stored.brokenTitle.id))?.version).toBe(1);

    expect(await service.run({ selection: { site: 'elsewhere.example' } })).toMatchObject({ scanned: 0 });
    const below = await service.run({ selection: { extractorBelow: '1.0.0' } });
    expect(below).toMatchObject({ scanned: 3, skipped: 3, changed: 0 });
    expect(events).toHaveLength(0);
  });

  it('resumes a stopped run from its checkpoint without redoing finished work', async () => {
    const store = await local.freshStore({ sinceFeedSettleMs: 0 });
    await seed(store);
    const { service, events } = serviceFor(store);
    const checkpoints = memoryCheckpoints();
    const seen: ReextractOutcome[] = [];
    const abort = new AbortController();

    const stopped = await service.run({
      selection: {},
      checkpoints,
      batchSize: 1,
      signal: abort.signal,
      onOutcome: (outcome) => {
        seen.push(outcome);
        abort.abort(); // stop after the first batch
      },
    });
    expect(stopped).toMatchObject({ scanned: 1, complete: false, resumed: false });
    expect(checkpoints.saved?.done).toBeUndefined();

    const resumed = await service.run({
      selection: {},
      checkpoints,
      batchSize: 1,
      onOutcome: (outcome) => seen.push(outcome),
    });
    expect(resumed).toMatchObject({ scanned: 3, changed: 2, unchanged: 1, complete: true, resumed: true });
    expect(new Set(seen.map((outcome) => outcome.id)).size).toBe(3);
    expect(seen).toHaveLength(3);
    expect(events).toHaveLength(2);

    // A finished run is not resumed: the next one starts again (and finds nothing left to change).
    expect(await service.run({ selection: {}, checkpoints })).toMatchObject({
      resumed: false,
      scanned: 3,
      changed: 0,
    });
  });

  it('leaves an article alone when a newer version came in since the one re-extracted', async () => {
    const store = await local.freshStore({ sinceFeedSettleMs: 0 });
    const stored = await seed(store);
    const { service, events } = serviceFor(store);
    // A crawl stored version 2 after the re-extraction read version 1.
    const { raw } = page('council-vote', 'Council Votes on the New Bridge');
    const recrawled = extracted({ ...raw, fetchedAt: new Date().toISOString() });
    const newer = {
      ...recrawled,
      content: { ...recrawled.content, text: 'Updated.' },
      contentHash: 'b'.repeat(64),
    };
    await store.articles.commit(newer, { ...raw, fetchedAt: new Date().toISOString() });

    const outcome = await service.reextractArticle({ id: stored.brokenTitle.id, version: 1 }, {});
    expect(outcome).toMatchObject({ status: 'unchanged', version: 2 });
    expect((await store.articles.getRecord(stored.brokenTitle.id))?.version).toBe(2);
    expect(events).toHaveLength(0);
  });
});
