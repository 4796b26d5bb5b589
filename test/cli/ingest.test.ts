import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { run } from '../../lib/cli/ingest.ts';
import { UsageError } from '../../lib/cli/io.ts';
import { EXAMPLE_ARTICLES, type SiteArticle } from '../../lib/embedded/example-site/articles.ts';
import { type SiteServer, startSiteServer } from '../../lib/embedded/example-site/server.ts';
import { QUICK_HOST_PACING } from '../helpers/fetcher.ts';

let site: SiteServer;
let dataDir: string;

beforeAll(async () => {
  site = await startSiteServer({ articles: EXAMPLE_ARTICLES.slice(0, 2) });
  dataDir = await mkdtemp(join(tmpdir(), 'cli-ingest-'));
});
afterAll(async () => {
  await site.close();
  await rm(dataDir, { recursive: true, force: true });
});

async function ingest(args: string[]) {
  const stdout: string[] = [];
  const stderr: string[] = [];
  const io = { stdout: (line: string) => stdout.push(line), stderr: (line: string) => stderr.push(line) };
  const code = await run(args, { ...io, stdin: new PassThrough() }, QUICK_HOST_PACING);
  return { code, lines: stdout.map((line) => JSON.parse(line) as Record<string, unknown>), stderr };
}

describe('articles ingest', () => {
  const [first, second] = EXAMPLE_ARTICLES as [SiteArticle, SiteArticle];

  it('ingests URLs into the embedded store and prints one JSON line each; again, they are unchanged', async () => {
    const urls = [site.articleUrl(first.slug), site.articleUrl(second.slug)];
    const created = await ingest([...urls, '--data-dir', dataDir, '--allow-private-network']);
    expect(created.code).toBe(0);
    expect(created.lines).toHaveLength(2);
    for (const [index, line] of created.lines.entries()) {
      expect(line).toMatchObject({ url: urls[index], version: 1, status: 'created' });
      expect(line.id).toMatch(/^[0-9a-f]{64}$/);
    }

    const again = await ingest([...urls, '--data-dir', dataDir, '--allow-private-network']);
    expect(again.code).toBe(0);
    expect(again.lines.map((line) => line.status)).toEqual(['unchanged', 'unchanged']);
    expect(again.lines.map((line) => line.id)).toEqual(created.lines.map((line) => line.id));
    expect(again.lines.map((line) => line.version)).toEqual([1, 1]);
  });

  it('--force rewrites a stored copy that was deleted or damaged; without it the page reads unchanged', async () => {
    const url = site.articleUrl(first.slug);
    const { id } = (await ingest([url, '--data-dir', dataDir, '--allow-private-network'])).lines[0] as {
      id: string;
    };
    // Damage the stored article objects on disk (s3rver keeps objects as files under s3/<bucket>/<key>._S3rver_object;
    // articles are gzip members of batch objects, store layout 2).
    const objects = await findFiles(join(dataDir, 's3'), /\.jsonl\.gz\._S3rver_object$/);
    expect(objects.length).toBeGreaterThan(0);
    for (const file of objects) await writeFile(file, '{"broken');
    expect(id).toMatch(/^[0-9a-f]{64}$/);
    const plain = await ingest([url, '--data-dir', dataDir, '--allow-private-network']);
    expect(plain.lines[0]).toMatchObject({ status: 'unchanged' });
    const forced = await ingest([url, '--data-dir', dataDir, '--allow-private-network', '--force']);
    expect(forced.code).toBe(0);
    expect(forced.lines[0]).toMatchObject({ url, version: 1, status: 'repaired' });
    // The same content went into a new batch object (a batch object is shared, so never rewritten).
    expect((await findFiles(join(dataDir, 's3'), /\.jsonl\.gz\._S3rver_object$/)).length).toBe(
      objects.length + 1,
    );
    // Healthy now: a second --force finds nothing to repair.
    const again = await ingest([url, '--data-dir', dataDir, '--allow-private-network', '--force']);
    expect(again.lines[0]).toMatchObject({ status: 'unchanged', version: 1 });
  });

  it('reports failures per URL with their code and exits 1', async () => {
    const missing = `${site.origin}/news/no-such-story`;
    const result = await ingest([missing, '--data-dir', dataDir, '--allow-private-network']);
    expect(result.code).toBe(1);
    expect(result.lines[0]).toMatchObject({ url: missing, status: 'failed', error: { code: 'HTTP_ERROR' } });
  });

  it('refuses loopback addresses without --allow-private-network', async () => {
    const result = await ingest([site.articleUrl(first.slug), '--data-dir', dataDir]);
    expect(result.code).toBe(1);
    expect(result.lines[0]).toMatchObject({ status: 'failed', error: { code: 'BLOCKED_ADDRESS' } });
  });

  it('needs at least one URL and known options', async () => {
    await expect(ingest(['--data-dir', dataDir])).rejects.toBeInstanceOf(UsageError);
    await expect(ingest(['https://example.com/', '--frobnicate'])).rejects.toBeInstanceOf(UsageError);
  });
});

async function findFiles(dir: string, pattern: RegExp): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries
    .filter((entry) => entry.isFile() && pattern.test(entry.name))
    .map((entry) => join(entry.parentPath, entry.name));
}
