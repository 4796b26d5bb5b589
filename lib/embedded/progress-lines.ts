import type { CrawlSummary } from '../handlers/crawl.ts';

/**
 * The crawl round's line for `npm start`. Skipped URLs are broken down by reason, largest first, so
 * "skipped 5" says why (not due yet, fresh, already queued, a permanent failure waiting for its retry...).
 */
export function crawlRoundLine(summary: CrawlSummary): string {
  const skipped = Object.values(summary.skipped).reduce((total, count) => total + count, 0);
  const reasons = Object.entries(summary.skipped)
    .filter(([, count]) => count > 0)
    .sort(([a, left], [b, right]) => right - left || a.localeCompare(b))
    .map(([reason, count]) => `${reason} ${count}`)
    .join(', ');
  return (
    `crawl: ${summary.sources} sources${summary.failedSources ? ` (${summary.failedSources} failed)` : ''}, ` +
    `discovered ${summary.discovered}, queued ${summary.queued}, skipped ${skipped}` +
    (reasons ? ` (${reasons})` : '')
  );
}
