// The crawl Lambda: the schedule (find due sources, one crawl task each), the crawl tasks (one source each) and
// the deploy-time registry seeding. Only the entry point lives here; lib/handlers/build-crawl.ts builds it.
import type { Context } from 'aws-lambda';
import { loadConfig } from '../lib/config.ts';
import { buildCrawlHandler, type CrawlResult } from '../lib/handlers/build-crawl.ts';
import { createLogger } from '../lib/handlers/logging.ts';

const logger = createLogger({ handler: 'crawl' });
let crawl: ((event: unknown) => Promise<CrawlResult>) | undefined;

export const handler = async (event: unknown, context?: Context): Promise<CrawlResult> => {
  if (context) logger.addContext(context);
  crawl ??= buildCrawlHandler({ config: loadConfig(), logger });
  return crawl(event);
};
