import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UsageError } from '../../lib/cli/io.ts';
import { run } from '../../lib/cli/sources.ts';

let dataDir: string;
beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'cli-sources-'));
});
afterAll(async () => {
  await rm(dataDir, { recursive: true, force: true });
});

async function sources(args: string[]) {
  const stdout: string[] = [];
  const stderr: string[] = [];
  const code = await run([...args, '--data-dir', dataDir], {
    stdout: (line) => stdout.push(line),
    stderr: (line) => stderr.push(line),
    stdin: new PassThrough(),
  });
  return { code, lines: stdout.map((line) => JSON.parse(line) as Record<string, unknown>), stderr };
}

describe('articles sources', () => {
  it('add, import (all or nothing), list with health, pause, resume, remove', async () => {
    const added = await sources([
      'add',
      'https://news.example/feed.xml',
      '--every',
      '30m',
      '--allow-other-sites',
    ]);
    expect(added.code).toBe(0);
    expect(added.lines[0]).toMatchObject({
      status: 'created',
      url: 'https://news.example/feed.xml',
      kind: 'feed',
      intervalSeconds: 1800,
      allowOtherSites: true,
      paused: false,
    });
    const id = added.lines[0]?.id as string;
    const again = await sources(['add', 'https://NEWS.example/feed.xml']);
    expect(again.lines[0]).toMatchObject({ status: 'exists', id, intervalSeconds: 1800 });

    const file = join(dataDir, 'sources.txt');
    const urls = Array.from({ length: 120 }, (_, index) => `https://site${index}.example/sitemap.xml`);
    await writeFile(
      file,
      [
        '# one URL a line, or JSON lines',
        ...urls.slice(0, 60),
        '',
        ...urls.slice(60).map((url) => JSON.stringify({ url, every: '1h' })),
        'https://news.example/feed.xml',
      ].join('\n'),
    );
    const imported = await sources(['import', file]);
    expect(imported.code).toBe(0);
    expect(imported.lines[0]).toMatchObject({ created: 120, existing: 1, lines: 121 });
    expect(imported.stderr.at(-1)).toBe('sources import: 121/121');

    const bad = join(dataDir, 'bad.txt');
    await writeFile(bad, ['https://fresh.example/feed.xml', 'ftp://nope.example/', '{"url": 3}'].join('\n'));
    const rejected = await sources(['import', bad]);
    expect(rejected.code).toBe(1);
    expect(rejected.stderr.join('\n')).toMatch(
      /line 2: not an http\(s\) URL[\s\S]*line 3:[\s\S]*nothing was imported/,
    );

    const listed = await sources(['list']);
    expect(listed.lines).toHaveLength(121);
    expect(listed.lines.map((line) => line.url)).not.toContain('https://fresh.example/feed.xml');
    expect(listed.lines[0]).toHaveProperty('health', {
      consecutiveFailures: 0,
      urlsDiscovered: 0,
      urlsQueued: 0,
      articlesIngested: 0,
    });

    expect((await sources(['pause', id])).lines[0]).toMatchObject({ id, paused: true });
    expect((await sources(['resume', id])).lines[0]).toMatchObject({ id, paused: false });
    expect((await sources(['remove', id])).lines[0]).toEqual({ id, status: 'removed' });
    const gone = await sources(['get', id]);
    expect(gone.code).toBe(1);
    expect(gone.stderr[0]).toMatch(/no source with id/);
  });

  it('bad arguments are usage errors before any store is opened', async () => {
    await expect(sources(['add', 'not a url'])).rejects.toThrow(UsageError);
    await expect(sources(['add', 'https://a.example/', '--every', '5s'])).rejects.toThrow(/from 1m/);
    await expect(sources(['pause', 'xyz'])).rejects.toThrow(/not a source id/);
    await expect(sources(['frobnicate'])).rejects.toThrow(/unknown action/);
  });
});
