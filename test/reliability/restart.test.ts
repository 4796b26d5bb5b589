import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLocalServers } from '../../lib/embedded/servers.ts';
import { createDynamoDbClient } from '../../lib/store/aws/clients.ts';
import { createAwsStore } from '../../lib/store/aws/index.ts';
import { createS3Client } from '../../lib/store/aws/s3-client.ts';
import { bundleScript } from '../helpers/cli-process.ts';

// Restart resumes unfinished work (issue 14): a crawl of a 100-page loopback site is SIGKILLed halfway; the
// next start with --once must ingest exactly the pages the first never finished, so that every URL ends up
// stored once (version 1). Before, the dead run's queue leases made the restart skip 150 of 200 as "queued".
// 100 pages (not 200: ~47 ms of CPU each) still leave the kill with batches in flight (2 of 10) and more queued.

const CHILD = fileURLToPath(new URL('./fixtures/crawl-child.ts', import.meta.url));
const PAGES = 100;
const dirs: string[] = [];
// Bundled once (test/helpers/cli-process.ts), so both runs start with plain node instead of compiling through tsx.
let childScript: string;
beforeAll(async () => {
  childScript = await bundleScript(CHILD);
  dirs.push(dirname(childScript));
});
afterAll(async () => {
  for (const dir of dirs) await rm(dir, { recursive: true, force: true });
});

function runChild(dataDir: string, killAfter?: number): Promise<{ lines: string[]; child: ChildProcess }> {
  const child = spawn(process.execPath, [childScript, dataDir, String(PAGES)], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines: string[] = [];
  let stderr = '';
  let buffered = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-4000);
  });
  child.stdout?.on('data', (chunk: Buffer) => {
    buffered += chunk.toString();
    const parts = buffered.split('\n');
    buffered = parts.pop() ?? '';
    lines.push(...parts);
    const ingested = lines.filter((line) => line.startsWith('created ')).length;
    if (killAfter !== undefined && ingested >= killAfter) child.kill('SIGKILL');
  });
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    // 'close', not 'exit': every line the child wrote before the kill has been read.
    child.once('close', (code, signal) => {
      if (killAfter === undefined && code !== 0) reject(new Error(`child exited ${code}: ${stderr}`));
      else if (killAfter !== undefined && signal !== 'SIGKILL') {
        reject(new Error(`child was not killed (exit ${code} ${signal}): ${stderr}`));
      } else resolve({ lines, child });
    });
  });
}

describe('kill and restart', () => {
  it('stores every URL of a 100-page site exactly once after a SIGKILL halfway and a restart', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'article-pipeline-restart-'));
    dirs.push(dataDir);
    const first = await runChild(dataDir, PAGES / 2);
    const createdFirst = first.lines.filter((line) => line.startsWith('created ')).length;
    expect(createdFirst).toBeGreaterThanOrEqual(PAGES / 2);
    expect(createdFirst).toBeLessThan(PAGES);

    const second = await runChild(dataDir);
    const done = second.lines.find((line) => line.startsWith('done '));
    const totals = JSON.parse(done?.slice(5) ?? '{}') as {
      ingested: number;
      unchanged: number;
      failed: number;
    };
    expect(totals.failed).toBe(0);
    // The restart finished the rest. A batch the first run committed just before the kill, without printing it, is
    // at most the batches then in flight (concurrency 2, 10 records each). The restart either finds it fetched and
    // does not queue it (its fetch is recorded with the article) or, if the kill came mid-commit, ingests it again
    // and finds it unchanged; either way it is not created twice, which the store check below asserts.
    const inFlightAtKill = 2 * 10;
    expect(totals.ingested + totals.unchanged).toBeLessThanOrEqual(PAGES - createdFirst);
    expect(totals.ingested + totals.unchanged).toBeGreaterThanOrEqual(PAGES - createdFirst - inFlightAtKill);
    expect(totals.unchanged).toBeLessThanOrEqual(inFlightAtKill);
    expect(second.lines.some((line) => /^resumed \d+$/.test(line))).toBe(true);

    // Every page stored once: one article per URL, each at version 1.
    const servers = await startLocalServers({ dataDir });
    try {
      const clientConfig = {
        region: servers.env.AWS_REGION,
        credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
      };
      const store = createAwsStore({
        s3: createS3Client(clientConfig, servers.env),
        dynamodb: createDynamoDbClient(clientConfig, servers.env),
        bucketName: servers.bucketName,
        tableName: servers.tableName,
      });
      const page = await store.articles.listBySite({ site: '127.0.0.1', limit: 1000 });
      expect(page.items).toHaveLength(PAGES);
      expect(new Set(page.items.map((item) => item.url)).size).toBe(PAGES);
      expect(page.items.every((item) => item.version === 1)).toBe(true);
    } finally {
      await servers.stop();
    }
  }, 180_000);
});
