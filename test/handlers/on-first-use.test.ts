import { describe, expect, it } from 'vitest';
import { ingestQueueOnFirstUse } from '../../lib/handlers/on-first-use.ts';
import type { DelayedMessage, IngestMessage, IngestQueue } from '../../lib/queue/types.ts';

const message = (url: string): IngestMessage => ({ url, discoveredAt: '2026-12-01T00:00:00.000Z' });

describe('ingestQueueOnFirstUse', () => {
  it('loads the queue on the first send, once, and hands every send to it', async () => {
    const sent: IngestMessage[][] = [];
    const delayed: DelayedMessage[][] = [];
    let loads = 0;
    const queue = ingestQueueOnFirstUse(async () => {
      loads++;
      const loaded: Required<IngestQueue> = {
        send: async (messages) => void sent.push(messages),
        sendDelayed: async (entries) => void delayed.push(entries),
      };
      return loaded;
    });
    expect(loads).toBe(0);
    await Promise.all([
      queue.sendDelayed([{ message: message('https://example.test/a'), delayMs: 2000 }]),
      queue.send([message('https://example.test/b')]),
    ]);
    await queue.send([message('https://example.test/c')]);
    expect(loads).toBe(1);
    expect(delayed).toEqual([[{ message: message('https://example.test/a'), delayMs: 2000 }]]);
    expect(sent.map((batch) => batch.map((m) => m.url))).toEqual([
      ['https://example.test/b'],
      ['https://example.test/c'],
    ]);
  });

  it('fails the send whose load failed and loads again on the next one', async () => {
    let loads = 0;
    const sent: string[] = [];
    const queue = ingestQueueOnFirstUse(async () => {
      loads++;
      if (loads === 1) throw new Error('chunk missing');
      return {
        send: async (messages) => void sent.push(...messages.map((m) => m.url)),
        sendDelayed: async () => {},
      };
    });
    await expect(queue.send([message('https://example.test/a')])).rejects.toThrow('chunk missing');
    await queue.send([message('https://example.test/b')]);
    expect(loads).toBe(2);
    expect(sent).toEqual(['https://example.test/b']);
  });
});
