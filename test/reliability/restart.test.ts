import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { startLocalServers } from '../../lib/embedded/servers.ts';
import { createDynamoDbClient, createS3Client } from '../../lib/store/aws/clients.ts';
import { createAwsStore } from '../../lib/store/aws/index.ts';

// Restart resumes unfinished work (issue 14): a crawl of a 200-page loopback site is SIGKILLed halfway; the
// next start with --once must ingest exactly the pages the first never finished, so that every URL ends up
// stored once (version 1). Before, the dead run's queue leases made the restart skip 150 of 200 as "queued".

const CHILD = fileURLToPath(new URL('./fixtures/crawl-child.ts', import.meta.url));
const PAGES = 200;
const dirs: string[] = [];
afterAll(async () => {
  for (const dir of dirs) await rm(dir, { recursive: true, force: true });
});

function runChild(dataDir: string, killAfter?: number): Promise<{ lines: string[]; child: ChildProcess }> {
  const child = spawn(process.execPath, ['--import', 'tsx', CHILD, dataDir, String(PAGES)], {
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
    child.once('exit', (code, signal) => {
      if (killAfter === undefined && code !== 0) reject(new Error(`child exited ${code}: ${stderr}`));
      else if (killAfter !== undefined && signal !== 'SIGKILL') {
        reject(new Error(`child was not killed (exit ${code} ${signal}): ${stderr}`));
      } else resolve({ lines, child });
    });
  });
}

describe('kill and restart', () => {
  it('stores every URL of a 200-page site exactly once after a SIGKILL halfway and a restart', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'article-pipeline-restart-'));
    dirs.push(dataDir);
    const first = await runChild(dataDir, PAGES / 2);
    const createdFirst = first.lines.filter((line) => line.startsWith('created ')).length;
    expect(createdFirst).toBeGreaterThanOrEqual(PAGES / 2);
    expect(createdFirst).toBeLessThan(PAGES);

    const second = await runChild(dataDir);
    const done = second.lines.find((line) => line.startsWith('done '));
    const totals = JSON.parse(done?.slice(5) ?? '{}') as { ingested: number; failed: number };
    expect(totals.failed).toBe(0);
    // The restart finished the rest (a page cut off mid-commit by the kill may be ingested again: unchanged).
    expect(totals.ingested).toBe(PAGES - createdFirst);
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
