import { describe, expect, it } from 'vitest';
import { crawlRoundLine } from '../../lib/embedded/progress-lines.ts';

const noSkips = { 'permanent-failure': 0, 'not-due': 0, fresh: 0, queued: 0, 'changed-meanwhile': 0 };

describe('crawlRoundLine', () => {
  it('says why URLs were skipped, by count, largest first', () => {
    const line = crawlRoundLine({
      sources: 2,
      failedSources: 1,
      discovered: 12,
      queued: 7,
      skipped: { ...noSkips, fresh: 2, 'not-due': 3 },
    });
    expect(line).toBe('crawl: 2 sources (1 failed), discovered 12, queued 7, skipped 5 (not-due 3, fresh 2)');
  });

  it('adds nothing when nothing was skipped', () => {
    const line = crawlRoundLine({ sources: 1, failedSources: 0, discovered: 3, queued: 3, skipped: noSkips });
    expect(line).toBe('crawl: 1 sources, discovered 3, queued 3, skipped 0');
  });
});
