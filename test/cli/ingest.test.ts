import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { run } from '../../lib/cli/ingest.ts';
import { UsageError } from '../../lib/cli/io.ts';
import { EXAMPLE_ARTICLES, type SiteArticle } from '../../lib/embedded/example-site/articles.ts';
import { type SiteServer, startSiteServer } from '../../lib/embedded/example-site/server.ts';

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
  const code = await run(args, {
    stdout: (line) => stdout.push(line),
    stderr: (line) => stderr.push(line),
    stdin: new PassThrough(),
  });
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
