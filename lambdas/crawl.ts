// The crawl Lambda: the schedule (find due sources, one crawl task each), the crawl tasks (one source each) and
// the deploy-time registry seeding. Only the entry point lives here; lib/handlers/build-crawl.ts builds it.
import type { Context } from 'aws-lambda';
import { loadConfig } from '../lib/config.ts';
import { buildCrawlHandler, type CrawlResult } from '../lib/handlers/build-crawl.ts';
import { createLogger } from '../lib/handlers/logging.ts';
import { createMetrics, type PipelineMetrics } from '../lib/handlers/metrics.ts';

const logger = createLogger({ handler: 'crawl' });
let crawl: ((event: unknown) => Promise<CrawlResult>) | undefined;
let metrics: PipelineMetrics | undefined;

export const handler = async (event: unknown, context?: Context): Promise<CrawlResult> => {
  if (context) logger.addContext(context);
  if (crawl === undefined) {
    const config = loadConfig();
    const sources = createMetrics('crawl', {
      ...(config.metricsNamespace ? { namespace: config.metricsNamespace } : {}),
      siteDimension: config.siteMetrics,
    });
    metrics = sources;
    crawl = buildCrawlHandler({ config, logger, onSourceDone: (summary) => sources.sourceCrawled(summary) });
  }
  try {
    return await crawl(event);
  } finally {
    // Sources crawled and failing (SourceConsecutiveFailures) as EMF lines; the failing-sources alarm reads them.
    metrics?.flush();
  }
};
