import { describe, expect, it } from 'vitest';
import { CRAWL_POLICY, hostQueueDelayMs, hostQueueSpacingMs } from '../../lib/core/crawl-policy.ts';
import { UrlQueuer } from '../../lib/handlers/crawl.ts';
import type { DelayedMessage, IngestMessage, IngestQueue } from '../../lib/queue/types.ts';
import type { CrawlStateStore } from '../../lib/store/types.ts';
import { silentLogger } from './helpers.ts';

/** No URL has a state yet; every lease is granted. */
const freshState: CrawlStateStore = {
  get: async () => undefined,
  getMany: async () => new Map(),
  put: async () => true,
  markQueued: async () => true,
};

function recordingQueue(delayed: boolean) {
  const sent: DelayedMessage[] = [];
  const queue: IngestQueue = {
    send: async (messages: IngestMessage[]) => {
      sent.push(...messages.map((message) => ({ message, delayMs: 0 })));
    },
    ...(delayed ? { sendDelayed: async (entries: DelayedMessage[]) => void sent.push(...entries) } : {}),
  };
  return { queue, sent };
}

const found = (urls: string[]) =>
  urls.map((url) => ({ item: { url, via: 'feed' as const }, source: 'http://a.test/feed.xml' }));

/** A queuer over a recording queue (one that can delay messages, or not) with the given per-host spacing. */
function spacedQueuer(hostSpacingMs: number, delayed: boolean) {
  const { queue, sent } = recordingQueue(delayed);
  const deps = { crawlState: freshState, queue, logger: silentLogger, lookupConcurrency: 4, hostSpacingMs };
  return { queuer: new UrlQueuer(deps, new Date(), new Date(Date.now() + 3_600_000)), sent };
}

describe('the crawl spaces one host’s messages', () => {
  it('spacing is twice the host interval plus the batching window; none when the host is not paced', () => {
    expect(hostQueueSpacingMs(1_000, 30_000)).toBe(32_000);
    expect(hostQueueSpacingMs(1_000, 0)).toBe(2_000);
    expect(hostQueueSpacingMs(0, 30_000)).toBe(0);
    expect(hostQueueDelayMs(0, 31_000)).toBe(0);
    expect(hostQueueDelayMs(2, 31_000)).toBe(62_000);
    // SQS delays a message 15 minutes at most: later ones all come then (and are put back if the host is busy).
    expect(hostQueueDelayMs(100, 31_000)).toBe(CRAWL_POLICY.maxPutBackMs);
  });

  it('each host’s n-th message is delayed n spacings, hosts independently, across flushes', async () => {
    const { queuer, sent } = spacedQueuer(3_000, true);
    await queuer.add(found(['http://a.test/1', 'http://a.test/2', 'http://b.test/1']));
    await queuer.finish();
    await queuer.add(found(['http://a.test/3', 'http://b.test/2']));
    await queuer.finish();
    const delays = Object.fromEntries(sent.map(({ message, delayMs }) => [message.url, delayMs]));
    expect(delays).toEqual({
      'http://a.test/1': 0,
      'http://a.test/2': 3_000,
      'http://a.test/3': 6_000,
      'http://b.test/1': 0,
      'http://b.test/2': 3_000,
    });
    expect(queuer.queued).toBe(5);
  });

  it('without spacing, or a queue that cannot delay, messages go out at once', async () => {
    for (const [hostSpacingMs, delayed] of [
      [0, true],
      [3_000, false],
    ] as const) {
      const { queuer, sent } = spacedQueuer(hostSpacingMs, delayed);
      await queuer.add(found(['http://a.test/1', 'http://a.test/2']));
      await queuer.finish();
      expect(sent.map(({ delayMs }) => delayMs)).toEqual([0, 0]);
    }
  });
});
