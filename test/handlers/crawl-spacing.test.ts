import { describe, expect, it } from 'vitest';
import { CRAWL_POLICY, hostQueueDelayMs, hostQueueSpacingMs } from '../../lib/core/crawl-policy.ts';
import type { SlotBlock } from '../../lib/core/fetch/host-slots.ts';
import type { HostTokenState } from '../../lib/core/fetch/index.ts';
import { type HostSlotReservations, UrlQueuer } from '../../lib/handlers/crawl.ts';
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

describe('the crawl reserves one host’s spaced slots with one token write', () => {
  const SPACING = 4_000;
  const INTERVAL = 1_000;
  // Reserved slots are spaced wider: an interval and half the batching window (4,000 - 2 x 1,000) more.
  const RESERVED_SPACING = SPACING + INTERVAL + 1_000;
  const NOW = 1_800_000_000_000;

  function reservingQueuer(
    reply: (host: string, block: SlotBlock) => { reserved: boolean; state?: HostTokenState },
  ) {
    const { queue, sent } = recordingQueue(true);
    const calls: Array<{ host: string; block: SlotBlock }> = [];
    const hostSlots: HostSlotReservations = {
      intervalMs: INTERVAL,
      now: () => NOW,
      reserve: async (host, block) => {
        calls.push({ host, block });
        return reply(host, block);
      },
    };
    const deps = {
      crawlState: freshState,
      queue,
      logger: silentLogger,
      lookupConcurrency: 4,
      hostSpacingMs: SPACING,
      hostSlots,
    };
    return { queuer: new UrlQueuer(deps, new Date(NOW), new Date(NOW + 3_600_000)), sent, calls };
  }

  it('each message carries its slot, delayed to it; one reservation per host', async () => {
    const { queuer, sent, calls } = reservingQueuer(() => ({ reserved: true }));
    await queuer.add(found(['http://a.test/1', 'http://a.test/2', 'http://b.test/1']));
    await queuer.finish();
    expect(calls.map(({ host, block }) => [host, block.count])).toEqual([
      ['a.test', 2],
      ['b.test', 1],
    ]);
    const byUrl = Object.fromEntries(sent.map((entry) => [entry.message.url, entry]));
    expect(byUrl['http://a.test/2']?.delayMs).toBe(RESERVED_SPACING);
    expect(byUrl['http://a.test/2']?.message.hostSlot).toEqual({
      host: 'a.test',
      atMs: NOW + RESERVED_SPACING,
      windowMs: RESERVED_SPACING - 2 * (INTERVAL + 25),
      blockStartMs: NOW,
      intervalMs: INTERVAL,
    });
  });

  it('a host’s later flushes grow the block this run reserved; refused, their messages carry no slot', async () => {
    const urls = Array.from({ length: 150 }, (_, n) => `http://a.test/${n}`);
    const run = async (grow: boolean) => {
      const { queue, sent } = recordingQueue(true);
      const grown: number[] = [];
      const hostSlots: HostSlotReservations = {
        intervalMs: INTERVAL,
        now: () => NOW,
        reserve: async () => ({ reserved: true }),
        extendBlock: async (_host, _block, count) => {
          grown.push(count);
          return grow;
        },
      };
      const deps = { crawlState: freshState, queue, logger: silentLogger, lookupConcurrency: 4 };
      const queuer = new UrlQueuer(
        { ...deps, hostSpacingMs: SPACING, hostSlots },
        new Date(NOW),
        new Date(NOW + 3_600_000),
      );
      // Looked up and flushed 100 at a time, as a crawl of a large sitemap does.
      await queuer.add(found(urls.slice(0, 100)));
      await queuer.add(found(urls.slice(100)));
      await queuer.finish();
      return { sent, grown };
    };
    const granted = await run(true);
    // 150 slots 6 s apart all fall within the queue's longest delay (15 minutes): one block of 150.
    expect(granted.grown).toEqual([150]);
    const slots = granted.sent.map(({ message }) => message.hostSlot);
    expect(slots.every((slot) => slot?.blockStartMs === NOW)).toBe(true);
    expect(slots.map((slot) => slot?.atMs)).toEqual(urls.map((_, n) => NOW + n * RESERVED_SPACING));
    const refused = await run(false);
    expect(refused.sent.filter(({ message }) => message.hostSlot !== undefined)).toHaveLength(100);
  });

  it('a block starts after the host’s booking this crawl already holds: one reservation write, not a refused one first', async () => {
    const { queue, sent } = recordingQueue(true);
    const calls: SlotBlock[] = [];
    // The token as the crawl's own feed fetch left it: held until NOW + 700, so a block starting sooner is refused.
    const hostSlots: HostSlotReservations = {
      intervalMs: INTERVAL,
      now: () => NOW,
      reserve: async (host, block) => {
        calls.push(block);
        return host === 'a.test' && block.startMs < NOW + 700
          ? { reserved: false, state: { nextAllowedAtMs: NOW + 700 } }
          : { reserved: true };
      },
      busyUntilMs: (host) => (host === 'a.test' ? NOW + 700 : undefined),
    };
    const deps = { crawlState: freshState, queue, logger: silentLogger, lookupConcurrency: 4 };
    const queuer = new UrlQueuer(
      { ...deps, hostSpacingMs: SPACING, hostSlots },
      new Date(NOW),
      new Date(NOW + 3_600_000),
    );
    await queuer.add(found(['http://a.test/1', 'http://a.test/2', 'http://b.test/1']));
    await queuer.finish();
    expect(calls.map((block) => block.startMs)).toEqual([NOW + 700, NOW]);
    expect(sent.map(({ delayMs, message }) => [message.url, delayMs, message.hostSlot?.atMs])).toEqual([
      ['http://a.test/1', 700, NOW + 700],
      ['http://b.test/1', 0, NOW],
      ['http://a.test/2', RESERVED_SPACING + 700, NOW + RESERVED_SPACING + 700],
    ]);
  });

  it('a request whose interval runs past the first slot moves the block after it; another block running: no slots', async () => {
    const busy = reservingQueuer((_host, block) =>
      block.startMs === NOW ? { reserved: false, state: { nextAllowedAtMs: NOW + 700 } } : { reserved: true },
    );
    await busy.queuer.add(found(['http://a.test/1', 'http://a.test/2']));
    await busy.queuer.finish();
    expect(busy.sent.map(({ delayMs, message }) => [delayMs, message.hostSlot?.atMs])).toEqual([
      [700, NOW + 700],
      [RESERVED_SPACING + 700, NOW + RESERVED_SPACING + 700],
    ]);
    const running = {
      startMs: NOW - 1_000,
      spacingMs: SPACING,
      count: 3,
      windowMs: 1_950,
      intervalMs: INTERVAL,
    };
    const blocked = reservingQueuer(() => ({ reserved: false, state: { block: running } }));
    await blocked.queuer.add(found(['http://a.test/1', 'http://a.test/2']));
    await blocked.queuer.finish();
    expect(blocked.sent.map(({ delayMs, message }) => [delayMs, message.hostSlot])).toEqual([
      [0, undefined],
      [RESERVED_SPACING, undefined],
    ]);
  });
});
