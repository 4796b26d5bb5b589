// `npx tsx benchmark/crawl-queue.ts`: memory of the embedded ingest queue against the messages waiting in it, with
// their bodies in the JS heap and in spill files (the embedded stack's setting). Each size runs in a child process
// of its own (--expose-gc), which queues that many crawl-shaped messages (a hostSlot each, as bench:crawl's) as
// delayed sends in chunks of 1,000, then reports heap and RSS over an empty queue after a full collection.

import { execFileSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { InProcessIngestQueue } from '../lib/queue/in-process.ts';
import type { DelayedMessage } from '../lib/queue/types.ts';
import { writeResultSection } from './report.ts';

const { values } = parseArgs({
  options: {
    child: { type: 'string' },
    spill: { type: 'string' },
    sizes: { type: 'string', default: '10000,50000,100000,200000' },
    'no-report': { type: 'boolean', default: false },
  },
});

interface Sample {
  messages: number;
  spilled: boolean;
  heapMb: number;
  rssMb: number;
  heapBytesPerMessage: number;
  rssBytesPerMessage: number;
}

const mb = (bytes: number) => Math.round((bytes / 2 ** 20) * 10) / 10;

/** In the child: queue `count` messages and measure what they added. */
async function measure(count: number, spillDir: string | undefined): Promise<Sample> {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (gc === undefined) throw new Error('run the child with --expose-gc');
  const queue = new InProcessIngestQueue({
    handler: async () => ({ batchItemFailures: [] }),
    ...(spillDir === undefined ? {} : { spillDir }),
  });
  gc();
  const before = process.memoryUsage();
  const now = Date.now();
  for (let start = 0; start < count; start += 1000) {
    const entries: DelayedMessage[] = [];
    for (let i = start; i < Math.min(count, start + 1000); i++) {
      const host = `127.0.${Math.floor(i / 250) % 250}.${2 + (i % 250)}:41${String(i % 1000).padStart(3, '0')}`;
      entries.push({
        // Far in the future: the queue holds them all (bench:crawl's backlog).
        delayMs: 3_600_000 + i,
        message: {
          url: `http://${host}/news/story-${i}`,
          source: `http://${host}/sitemap-1.xml`,
          sourceId: (i % 1000).toString(16).padStart(16, '0'),
          discoveredAt: new Date(now).toISOString(),
          publishedAt: new Date(now - i * 60_000).toISOString(),
          queuedAt: new Date(now).toISOString(),
          hostSlot: { host, atMs: now + i * 250, windowMs: 24, blockStartMs: now, intervalMs: 100 },
        },
      });
    }
    await queue.sendDelayed(entries);
  }
  gc();
  const after = process.memoryUsage();
  await queue.close();
  return {
    messages: count,
    spilled: spillDir !== undefined,
    heapMb: mb(after.heapUsed - before.heapUsed),
    rssMb: mb(after.rss - before.rss),
    heapBytesPerMessage: Math.round((after.heapUsed - before.heapUsed) / count),
    rssBytesPerMessage: Math.round((after.rss - before.rss) / count),
  };
}

if (values.child !== undefined) {
  process.stdout.write(`${JSON.stringify(await measure(Number(values.child), values.spill))}\n`);
} else {
  const sizes = (values.sizes ?? '').split(',').map(Number);
  const spillDir = await mkdtemp(join(tmpdir(), 'bench-queue-'));
  const samples: Sample[] = [];
  try {
    for (const size of sizes) {
      for (const spill of [false, true]) {
        const output = execFileSync(
          process.execPath,
          [
            '--expose-gc',
            '--import',
            'tsx',
            fileURLToPath(import.meta.url),
            '--child',
            String(size),
            ...(spill ? ['--spill', spillDir] : []),
          ],
          { encoding: 'utf8' },
        );
        const sample = JSON.parse(output) as Sample;
        samples.push(sample);
        process.stderr.write(`bench:crawl-queue: ${JSON.stringify(sample)}\n`);
      }
    }
  } finally {
    await rm(spillDir, { recursive: true, force: true });
  }
  process.stdout.write(`${JSON.stringify(samples)}\n`);
  if (!values['no-report']) {
    const row = (size: number, spilled: boolean) =>
      samples.find((s) => s.messages === size && s.spilled === spilled) as Sample;
    writeResultSection({
      name: '45-crawl-queue-memory',
      title: 'Embedded ingest queue: memory against waiting messages',
      command: 'npx tsx benchmark/crawl-queue.ts',
      markdown: [
        "Messages shaped like bench:crawl's (URL, source, ids, three timestamps, a reserved host slot: ~420 bytes of",
        'JSON) queued as delayed sends, each size in a fresh process; heap and RSS added over the empty queue after a',
        'full collection. In the heap: the bodies as strings (before this session, the only mode). Spilled: the',
        "embedded stack's setting, bodies in append-only files (deleted as they are consumed), a small record each in memory.",
        '',
        '| waiting messages | heap MB (in heap / spilled) | RSS MB (in heap / spilled) | heap B per message | RSS B per message |',
        '| ---: | ---: | ---: | ---: | ---: |',
        ...sizes.map((size) => {
          const heap = row(size, false);
          const spilled = row(size, true);
          return `| ${size} | ${heap.heapMb} / ${spilled.heapMb} | ${heap.rssMb} / ${spilled.rssMb} | ${heap.heapBytesPerMessage} / ${spilled.heapBytesPerMessage} | ${heap.rssBytesPerMessage} / ${spilled.rssBytesPerMessage} |`;
        }),
        '',
        'RSS per message is above the heap figure: V8 keeps the pages the sends allocated from (the messages being',
        'serialised) until it shrinks the heap.',
      ].join('\n'),
      data: samples,
    });
  }
}
