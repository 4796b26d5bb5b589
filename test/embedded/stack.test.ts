import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXAMPLE_ARTICLES } from '../../lib/embedded/example-site/articles.ts';
import { startSiteServer } from '../../lib/embedded/example-site/server.ts';
import { DataDirLockedError, processStartTime } from '../../lib/embedded/lock.ts';
import { processMemory } from '../../lib/embedded/servers-process.ts';
import { type EmbeddedStack, startEmbeddedStack } from '../../lib/embedded/stack.ts';
import { verifyWebhookSignature, WEBHOOK_HEADERS } from '../../lib/events/webhook.ts';
import { cliCommand } from '../helpers/cli-process.ts';

let dataDir: string;

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'embedded-stack-'));
});
afterAll(async () => {
  await rm(dataDir, { recursive: true, force: true });
});

async function allRecords(stack: EmbeddedStack) {
  const site = new URL(stack.exampleSite?.origin ?? '').hostname;
  return (await stack.reader.listBySite({ site, limit: 100 })).items;
}

describe('the embedded stack', () => {
  it('ingests the example site once, serves it over the query API, and keeps it across a restart', async () => {
    const first = await startEmbeddedStack({ dataDir, port: 0, logLevel: 'SILENT' });
    let ids: string[];
    let origin: string | undefined;
    try {
      expect(first.exampleSite).toBeDefined();
      origin = first.exampleSite?.origin;
      // The handlers were built from the same variables as in AWS, pointing at the local servers.
      expect(first.env.ARTICLES_BUCKET_NAME).toBeTruthy();
      expect(first.env.AWS_ENDPOINT_URL_S3).toMatch(/^http:\/\/127\.0\.0\.1:/);
      expect(JSON.parse(first.env.CRAWL_SOURCES ?? '[]')).toHaveLength(2);
      expect(first.env.FETCH_ALLOWED_ORIGINS).toBe(origin);

      const events: string[] = [];
      first.bus.subscribe((detail) => {
        events.push(detail.article.id);
      });
      const totals = await first.runOnce();
      expect(totals).toMatchObject({
        crawls: 1,
        // Each source (feed and sitemap) lists every article; each URL is queued once all the same.
        discovered: 2 * EXAMPLE_ARTICLES.length,
        queued: EXAMPLE_ARTICLES.length,
        ingested: EXAMPLE_ARTICLES.length,
        failed: 0,
        deadLettered: 0,
      });
      const records = await allRecords(first);
      expect(records).toHaveLength(EXAMPLE_ARTICLES.length);
      ids = records.map((record) => record.id);
      expect(new Set(events)).toEqual(new Set(ids));

      const response = await fetch(`${first.queryUrl}/articles/${ids[0]}`);
      expect(response.status).toBe(200);
      const article = (await response.json()) as { title: string; content: { text: string } };
      expect(records.map((record) => record.title)).toContain(article.title);
    } finally {
      await first.stop();
    }

    const second = await startEmbeddedStack({ dataDir, port: 0, logLevel: 'SILENT' });
    try {
      // Same data directory: same example-site origin, so the same URLs and ids.
      expect(second.exampleSite?.origin).toBe(origin);
      const kept = await allRecords(second);
      expect(kept.map((record) => record.id).sort()).toEqual([...ids].sort());
      const response = await fetch(`${second.queryUrl}/articles/${ids[0]}`);
      expect(response.status).toBe(200);

      // A crawl right after the restart finds everything fresh: nothing queued, nothing rewritten.
      const totals = await second.runOnce();
      expect(totals).toMatchObject({ queued: 0, ingested: 0, failed: 0 });
      expect((await allRecords(second)).map((record) => record.version)).toEqual(ids.map(() => 1));
    } finally {
      await second.stop();
    }
  });

  it('runs the same way with the S3/DynamoDB servers on a worker thread', async () => {
    const stack = await startEmbeddedStack({ port: false, logLevel: 'SILENT', serversThread: true });
    try {
      const totals = await stack.runOnce();
      expect(totals).toMatchObject({ ingested: EXAMPLE_ARTICLES.length, failed: 0 });
      expect(await allRecords(stack)).toHaveLength(EXAMPLE_ARTICLES.length);
    } finally {
      await stack.stop();
    }
  });

  it('runs the same way with the S3/DynamoDB servers in a child process, which stops with the stack', async () => {
    const stack = await startEmbeddedStack({ port: false, logLevel: 'SILENT', serversProcess: true });
    const pid = stack.serversPid as number;
    try {
      expect(pid).not.toBe(process.pid);
      const totals = await stack.runOnce();
      expect(totals).toMatchObject({ ingested: EXAMPLE_ARTICLES.length, failed: 0 });
      expect(await allRecords(stack)).toHaveLength(EXAMPLE_ARTICLES.length);
      if (process.platform === 'linux') expect((await processMemory(pid))?.peakRss).toBeGreaterThan(0);
    } finally {
      await stack.stop();
    }
    expect(() => process.kill(pid, 0)).toThrow();
  });

  it('crawls given sources instead of the example site; private ones only with allowPrivateNetwork', async () => {
    const site = await startSiteServer({ articles: EXAMPLE_ARTICLES.slice(0, 3) });
    try {
      const blocked = await startEmbeddedStack({
        sources: [{ url: site.feedUrl }],
        port: false,
        logLevel: 'SILENT',
      });
      try {
        expect(blocked.exampleSite).toBeUndefined();
        expect(await blocked.runOnce()).toMatchObject({ discovered: 0, queued: 0, ingested: 0 });
      } finally {
        await blocked.stop();
      }
      const allowed = await startEmbeddedStack({
        sources: [{ url: site.feedUrl }],
        allowPrivateNetwork: true,
        fetcher: { minIntervalMs: 0 },
        port: false,
        logLevel: 'SILENT',
      });
      try {
        expect(await allowed.runOnce()).toMatchObject({ discovered: 3, queued: 3, ingested: 3, failed: 0 });
        // The source's health counts the articles its URLs became (ingest adds them per batch).
        const [source] = (await allowed.registry.list({ limit: 10 })).items;
        expect(source?.health).toMatchObject({ lastOutcome: 'ok', urlsQueued: 3, articlesIngested: 3 });
      } finally {
        await allowed.stop();
      }
    } finally {
      await site.close();
    }
  });

  it('refuses a data directory another stack is using, and takes over a lock left by a dead process', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'embedded-lock-'));
    const lockFile = join(dir, 'embedded.lock');
    try {
      const first = await startEmbeddedStack({ dataDir: dir, sources: [], port: false, logLevel: 'SILENT' });
      try {
        await expect(startEmbeddedStack({ dataDir: dir, sources: [], port: false })).rejects.toThrow(
          /is in use by another stack in this process \(lock file .*embedded\.lock\)/,
        );
      } finally {
        await first.stop();
      }
      // A live process that really holds it (its PID and its start time): refused, the file named.
      const parent = { pid: process.ppid, startTime: processStartTime(process.ppid) };
      await writeFile(lockFile, JSON.stringify(parent));
      const refused = startEmbeddedStack({ dataDir: dir, sources: [], port: false });
      await expect(refused).rejects.toThrow(
        /another article-pipeline process \(pid \d+, lock file .*embedded\.lock\)/,
      );
      await expect(refused).rejects.toBeInstanceOf(DataDirLockedError);
      await writeFile(lockFile, '999999999\n'); // no such process
      const again = await startEmbeddedStack({ dataDir: dir, sources: [], port: false, logLevel: 'SILENT' });
      await again.stop();
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it.runIf(processStartTime(process.pid) !== undefined)(
    'takes over a stale lock whose PID was reused (a container restart, an unrelated process)',
    async () => {
      const dir = await mkdtemp(join(tmpdir(), 'embedded-lock-'));
      const lockFile = join(dir, 'embedded.lock');
      try {
        // A dead process that had our PID (PID namespaces reuse it at every start), old and new lock formats.
        for (const stale of [
          `${process.pid}\n`,
          JSON.stringify({ pid: process.pid, startTime: '1', nonce: 'x' }),
        ]) {
          await writeFile(lockFile, stale);
          const stack = await startEmbeddedStack({
            dataDir: dir,
            sources: [],
            port: false,
            logLevel: 'SILENT',
          });
          await stack.stop();
        }
        // A live, unrelated process now has the PID: its start time is not the lock's.
        await writeFile(lockFile, JSON.stringify({ pid: process.ppid, startTime: '1', nonce: 'x' }));
        const stack = await startEmbeddedStack({
          dataDir: dir,
          sources: [],
          port: false,
          logLevel: 'SILENT',
        });
        expect(JSON.parse(await readFile(lockFile, 'utf8'))).toMatchObject({ pid: process.pid });
        await stack.stop();
        await expect(readFile(lockFile, 'utf8')).rejects.toThrow(/ENOENT/);
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
    },
  );

  it('blocks private addresses other than the example site', async () => {
    const stack = await startEmbeddedStack({ port: false, logLevel: 'SILENT' });
    try {
      const outcome = await stack.ingest.ingest({ url: 'http://127.0.0.1:9/news/elsewhere' });
      expect(outcome).toMatchObject({
        status: 'failed',
        retryable: false,
        error: { code: 'BLOCKED_ADDRESS' },
      });
    } finally {
      await stack.stop();
    }
  });
});

describe('npm start --once', () => {
  it('crawls the example site, prints progress and the query API address, delivers signed webhooks, and exits 0', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'npm-start-'));
    const secret = 'a-webhook-secret-for-this-test';
    const deliveries: Array<{ valid: boolean; detail: { article?: { url?: string } } }> = [];
    const receiver = createServer((request, response) => {
      let body = '';
      request.on('data', (chunk) => {
        body += chunk;
      });
      request.on('end', () => {
        const header = (name: string) => request.headers[name] as string | undefined;
        deliveries.push({
          valid: verifyWebhookSignature({
            secret,
            body,
            timestamp: header(WEBHOOK_HEADERS.timestamp),
            signature: header(WEBHOOK_HEADERS.signature),
          }),
          detail: (JSON.parse(body) as { detail: { article?: { url?: string } } }).detail,
        });
        response.end('ok');
      });
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    const { port } = receiver.address() as AddressInfo;
    try {
      const { stderr } = await promisify(execFile)(
        process.execPath,
        [
          ...cliCommand('start', '--once', '--quiet', '--port', '0', '--data-dir', dir),
          ...['--webhook', `http://127.0.0.1:${port}/hook`, '--webhook-secret', secret],
        ],
        { cwd: process.cwd(), timeout: 60_000 },
      );
      expect(stderr).toMatch(/example site: http:\/\/127\.0\.0\.1:\d+\//);
      expect(stderr).toMatch(/query API: http:\/\/127\.0\.0\.1:\d+\/articles/);
      expect(stderr).toMatch(
        new RegExp(
          `crawl: 2 sources, discovered ${2 * EXAMPLE_ARTICLES.length}, queued ${EXAMPLE_ARTICLES.length}`,
        ),
      );
      // Per-source progress: done/total and the outcome.
      expect(stderr).toMatch(/source 1\/2 ok +http:\/\/127\.0\.0\.1:\d+\/(feed|sitemap)\.xml discovered/);
      expect(stderr).toMatch(/source 2\/2 ok /);
      expect(stderr).toMatch(
        new RegExp(
          `totals: .*ingested ${EXAMPLE_ARTICLES.length}, unchanged 0, not stored \\(page type\\) 0, failed 0`,
        ),
      );
      expect(stderr).not.toContain(secret);
      expect(deliveries).toHaveLength(EXAMPLE_ARTICLES.length);
      expect(deliveries.every((delivery) => delivery.valid)).toBe(true);
      expect(new Set(deliveries.map((delivery) => delivery.detail.article?.url)).size).toBe(
        EXAMPLE_ARTICLES.length,
      );
    } finally {
      receiver.close();
      await rm(dir, { recursive: true, force: true });
    }
  }, 90_000);
});
