import { describe, expect, it } from 'vitest';
import { extract } from '../../lib/core/extract/index.ts';
import {
  createSharedPoliteness,
  type HostTokenStore,
  hostBusy,
  isHostBusy,
} from '../../lib/core/fetch/shared-politeness.ts';
import { InProcessEventBus } from '../../lib/events/in-process.ts';
import { createIngestService, type IngestDependencies } from '../../lib/handlers/ingest.ts';
import type { DelayedMessage } from '../../lib/queue/types.ts';
import type { ArticleWriter, CrawlStateStore } from '../../lib/store/types.ts';
import { body, silentLogger, sqsEvent } from './helpers.ts';

/** A token store that grants every take and records it: the hosts' tokens as the table would hold them. */
function grantingTokens(): HostTokenStore & { takes: string[] } {
  const takes: string[] = [];
  return {
    takes,
    take: async (host) => {
      takes.push(host);
      return { taken: true };
    },
    holdUntil: async () => {},
  };
}

/**
 * An ingest service that may only put messages back: fetching, reading crawl state or committing throws. Put-backs
 * land in `putBack`.
 */
function putBackOnlyService(
  putBack: DelayedMessage[],
  options: Pick<IngestDependencies, 'knownBusy'> & Partial<Pick<IngestDependencies, 'now'>>,
) {
  const untouched = (what: string) => () => {
    throw new Error(`${what} must not be used when the message goes back`);
  };
  return createIngestService({
    fetchPage: untouched('fetch'),
    extract,
    articles: { commit: untouched('commit') } as unknown as ArticleWriter,
    crawlState: {
      get: untouched('crawl state'),
      put: untouched('crawl state'),
    } as unknown as CrawlStateStore,
    events: new InProcessEventBus(),
    bucketName: 'bucket',
    logger: silentLogger,
    ...options,
    queue: {
      send: async () => {},
      sendDelayed: async (entries) => {
        putBack.push(...entries);
      },
    },
  });
}

describe('a host this instance already knows is busy', () => {
  it('is refused without a write once taken, with the put-back delay acquire would give; other hosts are not', async () => {
    let clock = 1_000_000;
    const tokens = grantingTokens();
    const politeness = createSharedPoliteness({
      tokens,
      minIntervalMs: 1_000,
      now: () => clock,
      random: () => 0,
      sleep: async (ms) => {
        clock += ms;
      },
    });
    expect(politeness.knownBusy?.(new URL('https://a.example/1'))).toBeUndefined();
    await politeness.acquire(new URL('https://a.example/1'));
    const busy = politeness.knownBusy?.(new URL('https://a.example/2'));
    expect(isHostBusy(busy)).toBe(true);
    expect(busy?.details.retryAfterMs).toBeGreaterThan(900);
    expect(politeness.knownBusy?.(new URL('https://b.example/1'))).toBeUndefined();
    expect(tokens.takes).toEqual(['a.example']);
    // Its interval over, the host is no longer known busy: the next message takes the token again.
    clock += 2_000;
    expect(politeness.knownBusy?.(new URL('https://a.example/2'))).toBeUndefined();
  });

  it('puts a host’s messages back one queue spacing apart (twice the interval, no batching window), after those already put back, across its takes', async () => {
    let clock = 1_000_000;
    const politeness = createSharedPoliteness({
      tokens: grantingTokens(),
      minIntervalMs: 1_000,
      now: () => clock,
      random: () => 0,
      sleep: async (ms) => {
        clock += ms;
      },
    });
    const returnAt = (n: number) => {
      const busy = politeness.knownBusy?.(new URL(`https://a.example/${n}`));
      if (!isHostBusy(busy)) throw new Error(`a.example/${n} should have been refused`);
      return clock + busy.details.retryAfterMs;
    };
    await politeness.acquire(new URL('https://a.example/0'));
    const first = [returnAt(1), returnAt(2), returnAt(3)] as [number, number, number];
    expect(first[1] - first[0]).toBe(2_000);
    expect(first[2] - first[1]).toBe(2_000);
    // The host frees up as the first comes back and is taken, before the other two are back: the next refusal
    // goes after them, not with them (they would meet the host busy again, and be put back again).
    clock = first[0] + 10;
    await politeness.acquire(new URL('https://a.example/4'));
    expect(clock).toBeLessThan(first[1]);
    expect(returnAt(5)).toBeGreaterThanOrEqual(first[2] + 2_000);
  });

  it('makes ingest put the message back before reading its crawl state or fetching', async () => {
    const putBack: DelayedMessage[] = [];
    const service = putBackOnlyService(putBack, {
      knownBusy: (url) => (new URL(url).host === 'busy.example' ? hostBusy(new URL(url), 750) : undefined),
    });
    const response = await service.handler(sqsEvent([body('https://busy.example/story')]));
    expect(response.batchItemFailures).toEqual([]);
    expect(putBack.map((entry) => [entry.message.url, entry.delayMs])).toEqual([
      ['https://busy.example/story', 750],
    ]);
  });
});

describe('a message carrying a reserved host slot', () => {
  const NOW = 1_796_000_000_000;
  const slot = {
    host: 'slow.example',
    atMs: NOW + 900,
    windowMs: 5_000,
    blockStartMs: NOW + 900,
    intervalMs: 1_000,
  };

  function serviceAt(clockMs: number, putBack: DelayedMessage[]) {
    return putBackOnlyService(putBack, {
      // The host is busy for everyone without a slot until the block ends.
      knownBusy: (url) => hostBusy(new URL(url), 60_000),
      now: () => new Date(clockMs),
    });
  }
  const withSlot = (url: string) => JSON.stringify({ ...JSON.parse(body(url)), hostSlot: slot });

  it('delivered before its slot (a queue that ignored the delay) goes back until the slot and keeps it', async () => {
    const putBack: DelayedMessage[] = [];
    await serviceAt(NOW, putBack).handler(sqsEvent([withSlot('https://slow.example/story')]));
    expect(putBack.map((entry) => [entry.delayMs, entry.message.hostSlot])).toEqual([[900, slot]]);
  });

  it('delivered after its window has closed goes back as an ordinary message, without the slot', async () => {
    const putBack: DelayedMessage[] = [];
    await serviceAt(NOW + 900 + 5_001, putBack).handler(sqsEvent([withSlot('https://slow.example/story')]));
    expect(putBack.map((entry) => [entry.delayMs, entry.message.hostSlot])).toEqual([[60_000, undefined]]);
  });
});
