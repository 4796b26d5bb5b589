import { afterEach, describe, expect, it } from 'vitest';
import type { PageType } from '../../lib/core/article.ts';
import { EXAMPLE_ARTICLES, type SiteArticle } from '../../lib/embedded/example-site/articles.ts';
import { articlePath } from '../../lib/embedded/example-site/render.ts';
import { scheduledEvent } from '../../lib/handlers/crawl.ts';
import { useLocalServers } from '../helpers/local-servers.ts';
import { type Pipeline, startPipeline } from './helpers.ts';

// INGEST_PAGE_TYPES with the real crawl and ingest handlers against s3rver + dynalite and a loopback site one of
// whose article URLs serves a shop's product page instead.
const local = useLocalServers();
let pipeline: Pipeline | undefined;

afterEach(async () => {
  await pipeline?.close();
  pipeline = undefined;
});

const PRODUCT_PAGE = `<!doctype html><html><head><title>Steel kettle 1.7 l</title>
<meta property="og:type" content="product">
<script type="application/ld+json">{"@context":"https://schema.org","@type":"Product","name":"Steel kettle",
"offers":{"@type":"Offer","price":"39.00","priceCurrency":"USD"}}</script></head>
<body><h1>Steel kettle 1.7 l</h1><p class="price">$39.00</p>
<form action="/cart/add"><button type="submit">Add to cart</button></form>
<h2>Description</h2><p>A brushed steel kettle that boils a full litre and a half in under four minutes, with a
limescale filter you can take out and rinse, and a base that lets you set it down at any angle.</p>
<h2>Specifications</h2><table><tr><th>Capacity</th><td>1.7 l</td></tr><tr><th>Power</th><td>3 kW</td></tr></table>
</body></html>`;

async function crawlWithProductPage(storePageTypes?: readonly PageType[]) {
  const p = await startPipeline(local, storePageTypes ? { storePageTypes } : {});
  pipeline = p;
  const productArticle = EXAMPLE_ARTICLES[1] as SiteArticle;
  p.site.override(articlePath(productArticle), { status: 200, body: PRODUCT_PAGE });
  await p.crawl(scheduledEvent(p.clock.now));
  await p.queue.drain();
  await p.bus.drain();
  const productUrl = p.site.articleUrl(productArticle.slug);
  const records = (await p.store.articles.listBySite({ site: new URL(p.site.origin).hostname, limit: 100 }))
    .items;
  return { p, productUrl, records };
}

describe('ingest stores only the configured page types', () => {
  it('by default stores the articles and records the product page in crawl state only', async () => {
    const { p, productUrl, records } = await crawlWithProductPage();

    expect(records).toHaveLength(3);
    expect(records.map((record) => record.url)).not.toContain(productUrl);
    const skipped = p.outcomes.filter((outcome) => outcome.status === 'skipped');
    expect(skipped).toEqual([expect.objectContaining({ url: productUrl, pageType: 'product' })]);
    // Only the stored articles are announced, each as an article.
    expect(p.events).toHaveLength(3);
    expect(p.events.map((event) => event.article.pageType)).toEqual(['article', 'article', 'article']);

    const state = await p.store.crawlState.get(productUrl);
    expect(state).toMatchObject({
      lastOutcome: 'skipped',
      pageType: 'product',
      lastStatus: 200,
      failureCount: 0,
    });
    expect(state?.articleId).toBeUndefined();
    expect(state?.permanentFailure).toBe(false);
    // Re-checked on the usual schedule, not at once.
    expect(Date.parse(state?.nextDueAt ?? '')).toBeGreaterThan(p.clock.now.getTime());

    const stored = await p.store.articles.getArticle(records[0]?.id ?? '');
    expect(stored?.pageType).toBe('article');
    expect((await p.store.crawlState.get(stored?.sourceUrl ?? ''))?.pageType).toBe('article');
  });

  it('stores product pages too when configured, with their page type', async () => {
    const { p, productUrl, records } = await crawlWithProductPage(['article', 'product']);

    expect(records).toHaveLength(4);
    expect(p.outcomes.filter((outcome) => outcome.status === 'skipped')).toEqual([]);
    const product = records.find((record) => record.url === productUrl);
    const stored = await p.store.articles.getArticle(product?.id ?? '');
    expect(stored?.pageType).toBe('product');
    expect(stored?.pageTypeSignals).toContain('jsonld:product');
    expect(p.events.find((event) => event.article.id === product?.id)?.article.pageType).toBe('product');
    expect(await p.store.crawlState.get(productUrl)).toMatchObject({
      lastOutcome: 'created',
      pageType: 'product',
    });
  });
});
