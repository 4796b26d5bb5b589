import { describe, expect, it } from 'vitest';
import { gapCauses, rates } from '../../benchmark/crawl-gaps.ts';

describe('bench:crawl gap reading', () => {
  it('counts gaps under the interval per host, not across hosts, and the busiest second', () => {
    const result = rates(
      [
        { starts: [0, 100, 250, 320] },
        // Close to the first host's requests, but another host.
        { starts: [10, 110, 1500] },
      ],
      100,
    );
    expect(result).toEqual({ maxPerSecond: 4, minGapMs: 70, gapsUnderInterval: 1 });
  });

  it('tells a short gap sent an interval apart (delayed in transit) from one sent close', () => {
    const arrivals = {
      // story-1 left on time but arrived 80 ms late: 40 ms before story-2, sent 120 ms after it.
      // story-4 was sent 50 ms after story-3 and arrived so.
      starts: [1080, 1120, 2000, 2050],
      paths: ['/news/story-1', '/news/story-2', '/news/story-3', '/news/story-4'],
    };
    const sent = new Map([
      [
        'h:1',
        {
          starts: [1000, 1120, 2000, 2050],
          paths: ['/news/story-1', '/news/story-2', '/news/story-3', '/news/story-4'],
        },
      ],
    ]);
    const causes = gapCauses([{ host: 'h:1', arrivals }], sent, 100);
    expect(causes).toMatchObject({ sentApart: 1, sentClose: 1, unpaired: 0, minSentGapMs: 50 });
    expect(causes.lateByMs.max).toBe(80);
    expect(causes.tripMs.max).toBe(80);
  });

  it('pairs the k-th arrival of a path with its k-th send, and counts a request never sent as unpaired', () => {
    const arrivals = { starts: [10, 500, 530], paths: ['/robots.txt', '/feed.xml', '/feed.xml'] };
    const sent = new Map([['h:1', { starts: [0, 495], paths: ['/robots.txt', '/feed.xml'] }]]);
    const causes = gapCauses([{ host: 'h:1', arrivals }], sent, 100);
    expect(causes).toMatchObject({ sentApart: 0, sentClose: 0, unpaired: 1 });
    expect(causes.tripMs).toEqual({ median: 10, p99: 10, max: 10 });
  });
});
