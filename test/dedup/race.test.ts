// Two copies of one story ingested at the same moment, neither finding the other's anchor entry (each look-up
// waits until both have looked): the real ingest service on dynalite, no mocks of the SDK.
import { describe, expect, it } from 'vitest';
import type { ArticleIngestedDetail } from '../../lib/core/events.ts';
import { extract } from '../../lib/core/extract/index.ts';
import { createFetcher } from '../../lib/core/fetch/index.ts';
import { EXAMPLE_ARTICLES } from '../../lib/embedded/example-site/articles.ts';
import { startSiteServer } from '../../lib/embedded/example-site/server.ts';
import { InProcessEventBus } from '../../lib/events/in-process.ts';
import { createIngestService } from '../../lib/handlers/ingest.ts';
import type { ClusterIndex } from '../../lib/store/types.ts';
import { body, silentLogger, sqsEvent } from '../handlers/helpers.ts';
import { useLocalServers } from '../helpers/local-servers.ts';

const local = useLocalServers();

describe('two copies of one story ingested at the same moment', () => {
  it('found one cluster: the copy whose claim of the key fails joins the holder', async () => {
    const story = EXAMPLE_ARTICLES[0];
    if (!story) throw new Error('the example site has articles');
    const copy = { ...story, slug: `${story.slug}-copy`, title: 'The same story under another headline' };
    const site = await startSiteServer({ articles: [story, copy] });
    const store = await local.freshStore();
    const index = store.clusters;
    let looked = 0;
    let bothLooked: () => void = () => {};
    const barrier = new Promise<void>((resolve) => {
      bothLooked = resolve;
    });
    const clusters: ClusterIndex = {
      async candidates(keys) {
        const found = await index.candidates(keys);
        looked++;
        if (looked === 2) bothLooked();
        await barrier;
        return found;
      },
      record: (writes) => index.record(writes),
      members: (clusterId) => index.members(clusterId),
      claim: (anchor) => index.claim(anchor),
    };
    const fetcher = createFetcher({ allowedOrigins: [site.origin], minIntervalMs: 0, retries: 0 });
    const bus = new InProcessEventBus();
    const events: ArticleIngestedDetail[] = [];
    bus.subscribe((detail) => {
      events.push(detail);
    });
    const ingest = createIngestService({
      fetchPage: (url, options) => fetcher.fetch(url, options),
      extract,
      articles: store.articles,
      crawlState: store.crawlState,
      events: bus,
      bucketName: store.bucketName,
      logger: silentLogger,
      clusters,
    });
    try {
      await Promise.all(
        [story.slug, copy.slug].map((slug) => ingest.handler(sqsEvent([body(site.articleUrl(slug))]))),
      );
    } finally {
      await site.close();
    }
    expect(looked).toBe(2);
    const placed = events.map((event) => event.article.cluster);
    expect(placed.map((cluster) => cluster?.role).sort()).toEqual(['duplicate', 'representative']);
    expect(new Set(placed.map((cluster) => cluster?.id)).size).toBe(1);
  });
});
