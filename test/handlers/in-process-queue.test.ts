import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { describe, expect, it, vi } from 'vitest';
import { seededRandom } from '../../benchmark/metric.ts';
import { InProcessIngestQueue } from '../../lib/queue/in-process.ts';
import type { IngestMessage } from '../../lib/queue/types.ts';

const message = (n: number): IngestMessage => ({
  url: `https://news.example/articles/${n}`,
  discoveredAt: '2026-01-01T00:00:00.000Z',
});

describe('InProcessIngestQueue', () => {
  it('delivers SQS-shaped batches of at most 10 records and never more batches at once than its concurrency', async () => {
    const sizes: number[] = [];
    let inFlight = 0;
    let maxInFlight = 0;
    const queue = new InProcessIngestQueue({
      concurrency: 2,
      handler: async (event: SQSEvent) => {
        inFlight++;
        maxInFlight = Math.max(maxInFlight, inFlight);
        sizes.push(event.Records.length);
        for (const record of event.Records) {
          expect(record.eventSource).toBe('aws:sqs');
          expect(JSON.parse(record.body)).toHaveProperty('url');
          expect(record.attributes.ApproximateReceiveCount).toBe('1');
        }
        await new Promise((resolve) => setImmediate(resolve));
        inFlight--;
        return { batchItemFailures: [] };
      },
    });
    await queue.send(Array.from({ length: 45 }, (_, n) => message(n)));
    await queue.drain();
    expect(sizes.reduce((a, b) => a + b, 0)).toBe(45);
    expect(Math.max(...sizes)).toBeLessThanOrEqual(10);
    expect(maxInFlight).toBe(2); // bounded, and the bound is used
    expect(queue.stats()).toMatchObject({ sent: 45, handled: 45, pending: 0, inFlight: 0, deadLettered: 0 });
  });

  it('with a batching window, gathers records sent apart into one batch, and hands out a short one when it ends', async () => {
    const sizes: number[] = [];
    const queue = new InProcessIngestQueue({
      concurrency: 1,
      batchSize: 25,
      batchWindowMs: 50,
      handler: async (event: SQSEvent) => {
        sizes.push(event.Records.length);
        return { batchItemFailures: [] };
      },
    });
    // 10 at a time, as the crawl sends them (well within the window: no timer runs between these sends): one full
    // batch of 25, then the other 5 once their window ends.
    for (let start = 0; start < 30; start += 10) {
      await queue.send(Array.from({ length: 10 }, (_, n) => message(start + n)));
      expect(sizes).toEqual(start < 20 ? [] : [25]);
    }
    await queue.drain();
    expect(sizes).toEqual([25, 5]);
  });

  it('in simulated time, jumps over its waits (delays, the batching window) but never while a batch is handled', async () => {
    let offset = 0;
    const realNow = Date.now.bind(Date);
    const now = vi.spyOn(Date, 'now').mockImplementation(() => realNow() + offset);
    try {
      const batches: Array<{ size: number; at: number; dueBy: number }> = [];
      const sentAt = Date.now();
      const queue = new InProcessIngestQueue({
        concurrency: 1,
        batchSize: 50,
        batchWindowMs: 30_000,
        handler: async (event: SQSEvent) => {
          const at = Date.now();
          // Real work takes real time: the clock must not jump while a batch is being handled.
          await new Promise((resolve) => setTimeout(resolve, 20));
          expect(Date.now() - at).toBeLessThan(10_000);
          const dueBy = Math.max(
            ...event.Records.map((r) => Number(JSON.parse(r.body).url.split('/').pop())),
          );
          batches.push({ size: event.Records.length, at, dueBy });
          return { batchItemFailures: [] };
        },
      });
      queue.simulateTime({
        advanceTo: (epochMs) => {
          offset = Math.max(offset, epochMs - realNow());
        },
      });
      // Three hosts, each message of a host 48 s after the one before (the crawl's spacing), the hosts 1 s apart.
      const entries = [];
      for (let n = 0; n < 3; n++)
        for (let host = 0; host < 3; host++) {
          const delayMs = n * 48_000 + host * 1_000;
          entries.push({ message: message(delayMs), delayMs });
        }
      await queue.sendDelayed(entries);
      await queue.drain();
      // Each window (30 s from its first record) gathers one message of every host: three batches of three, each
      // handed out once its window ended, never before its records were due.
      expect(batches.map((b) => b.size)).toEqual([3, 3, 3]);
      for (const [i, batch] of batches.entries()) {
        expect(batch.at - sentAt).toBeGreaterThanOrEqual(i * 48_000 + 30_000);
        expect(batch.at - sentAt).toBeGreaterThanOrEqual(batch.dueBy);
      }
      expect(offset).toBeGreaterThanOrEqual(2 * 48_000 + 30_000 - 5_000);
    } finally {
      now.mockRestore();
    }
  });

  it('re-delivers only the reported failures with a growing receive count, then dead-letters them after 3 receives', async () => {
    const receives = new Map<string, string[]>();
    const queue = new InProcessIngestQueue({
      retryDelayMs: 1,
      handler: async (event): Promise<SQSBatchResponse> => {
        const failures = [];
        for (const record of event.Records) {
          const { url } = JSON.parse(record.body) as IngestMessage;
          receives.set(url, [...(receives.get(url) ?? []), record.attributes.ApproximateReceiveCount]);
          if (url.endsWith('/1')) failures.push({ itemIdentifier: record.messageId });
        }
        return { batchItemFailures: failures };
      },
    });
    await queue.send([message(0), message(1), message(2)]);
    await queue.drain();
    expect(receives.get('https://news.example/articles/0')).toEqual(['1']);
    expect(receives.get('https://news.example/articles/2')).toEqual(['1']);
    expect(receives.get('https://news.example/articles/1')).toEqual(['1', '2', '3']);
    expect(queue.deadLetters.map((dead) => JSON.parse(dead.body).url)).toEqual([
      'https://news.example/articles/1',
    ]);
    expect(queue.stats()).toMatchObject({ retried: 2, deadLettered: 1 });
  });

  it('treats a handler that throws as a failure of the whole batch', async () => {
    let calls = 0;
    const queue = new InProcessIngestQueue({
      retryDelayMs: 1,
      maxReceiveCount: 2,
      handler: async () => {
        calls++;
        if (calls === 1) throw new Error('cold start failed');
        return { batchItemFailures: [] };
      },
    });
    await queue.send([message(0), message(1)]);
    await queue.drain();
    expect(calls).toBeGreaterThanOrEqual(2);
    expect(queue.stats()).toMatchObject({ handled: 4, retried: 2, deadLettered: 0 });
  });

  it('delivers delayed messages when they fall due, never before, and close drops the rest', async () => {
    // A fake clock: on a loaded machine the 10-ms timer could fire after 20 ms and release two at once.
    vi.useFakeTimers();
    try {
      const delivered: string[] = [];
      const queue = new InProcessIngestQueue({
        concurrency: 1,
        batchSize: 1,
        handler: async (event: SQSEvent) => {
          for (const record of event.Records) delivered.push((JSON.parse(record.body) as IngestMessage).url);
          return { batchItemFailures: [] };
        },
      });
      const url = (n: number) => message(n).url;
      await queue.sendDelayed([
        { message: message(3), delayMs: 30 },
        { message: message(1), delayMs: 10 },
        { message: message(2), delayMs: 20 },
        { message: message(4), delayMs: 20 },
      ]);
      expect(queue.stats().pending).toBe(4);
      await vi.advanceTimersByTimeAsync(9);
      expect(delivered).toEqual([]);
      await vi.advanceTimersByTimeAsync(1);
      expect(delivered).toEqual([url(1)]);
      await vi.advanceTimersByTimeAsync(10);
      // Equal delays fall due together, then go out in no particular order (SQS standard).
      expect(delivered.slice(1).sort()).toEqual([url(2), url(4)]);
      await vi.advanceTimersByTimeAsync(10);
      expect(delivered).toHaveLength(4);
      expect(delivered[3]).toBe(url(3));
      await queue.drain();

      await queue.sendDelayed([{ message: message(5), delayMs: 60_000 }]);
      await queue.close();
      expect(queue.stats().pending).toBe(0);
      expect(delivered).toHaveLength(4);
    } finally {
      vi.useRealTimers();
    }
  });

  it('hands out a backlog in no order, like SQS standard: messages queued one host after another come out mixed', async () => {
    const batches: string[][] = [];
    const queue = new InProcessIngestQueue({
      concurrency: 1,
      random: seededRandom(7),
      handler: async (event: SQSEvent) => {
        batches.push(
          event.Records.map((record) => new URL((JSON.parse(record.body) as IngestMessage).url).host),
        );
        return { batchItemFailures: [] };
      },
    });
    // 10 hosts x 10 URLs, each host's together (as a crawl queues a source, or a busy host's put-backs fall due).
    const hostMessage = (host: number, n: number): IngestMessage => ({
      url: `https://site-${host}.example/articles/${n}`,
      discoveredAt: '2026-01-01T00:00:00.000Z',
    });
    await queue.send(Array.from({ length: 100 }, (_, i) => hostMessage(Math.floor(i / 10), i % 10)));
    await queue.drain();
    expect(batches.flat()).toHaveLength(100);
    // In send order every batch would hold one host; taken at random, a batch of 10 holds several.
    const hostsPerBatch = batches.map((hosts) => new Set(hosts).size);
    expect(Math.min(...hostsPerBatch.slice(0, 5))).toBeGreaterThanOrEqual(4);
  });

  it('with spill files, keeps waiting bodies out of memory and delivers them intact; the files go once consumed', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'queue-spill-test-'));
    try {
      const bodies: string[] = [];
      const queue = new InProcessIngestQueue({
        spillDir: dir,
        retryDelayMs: 1,
        maxReceiveCount: 2,
        handler: async (event): Promise<SQSBatchResponse> => {
          const failures = [];
          for (const record of event.Records) {
            bodies.push(record.body);
            if (record.body.includes('fails')) failures.push({ itemIdentifier: record.messageId });
          }
          return { batchItemFailures: failures };
        },
      });
      const messages = [
        ...Array.from({ length: 30 }, (_, n) => message(n)),
        { url: 'https://news.example/ニュース/é', discoveredAt: '2026-01-01T00:00:00.000Z' },
        { url: 'https://news.example/fails', discoveredAt: '2026-01-01T00:00:00.000Z' },
      ];
      await queue.sendDelayed(messages.map((m, n) => ({ message: m, delayMs: n % 3 })));
      const waiting = queue.stats().spilledBytes;
      expect(waiting).toBe(messages.reduce((sum, m) => sum + Buffer.byteLength(JSON.stringify(m)), 0));
      await queue.drain();
      // Every body as sent (the failing one twice: a retry reads it again), the dead letter with its body.
      expect([...new Set(bodies)].sort()).toEqual(messages.map((m) => JSON.stringify(m)).sort());
      expect(bodies.filter((body) => body.includes('fails'))).toHaveLength(2);
      expect(queue.deadLetters.map((dead) => JSON.parse(dead.body).url)).toEqual([
        'https://news.example/fails',
      ]);
      expect(queue.stats().spilledBytes).toBe(0);
      await queue.close();
      expect(await readdir(dir)).toEqual([]);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('refuses messages after close', async () => {
    const queue = new InProcessIngestQueue({ handler: async () => ({ batchItemFailures: [] }) });
    await queue.close();
    await expect(queue.send([message(0)])).rejects.toThrow(/closed/);
  });
});
