// The crawl Lambda: on the schedule, discover the configured sources' URLs and queue the ones due for a fetch.
// Only the entry point lives here; lib/handlers/build-crawl.ts builds the handler from configuration.
import type { Context } from 'aws-lambda';
import { loadConfig } from '../lib/config.ts';
import { buildCrawlHandler } from '../lib/handlers/build-crawl.ts';
import type { CrawlSummary } from '../lib/handlers/crawl.ts';
import { createLogger } from '../lib/handlers/logging.ts';

const logger = createLogger({ handler: 'crawl' });
let crawl: ((event: unknown) => Promise<CrawlSummary>) | undefined;

export const handler = async (event: unknown, context?: Context): Promise<CrawlSummary> => {
  if (context) logger.addContext(context);
  crawl ??= buildCrawlHandler({ config: loadConfig(), logger });
  return crawl(event);
};
