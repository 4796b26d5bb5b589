import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { run } from '../../lib/cli/discover.ts';
import { UsageError } from '../../lib/cli/io.ts';
import { runCli, startServer, type TestServer } from '../fetch/helpers.ts';

let server: TestServer;
beforeAll(async () => {
  server = await startServer((request, response) => {
    if (request.url === '/feed.xml') {
      // The fixture names http://news.example; this site is the loopback server itself.
      const rss = readFileSync(new URL('../fixtures/feeds/rss.xml', import.meta.url), 'utf8');
      response
        .writeHead(200, { 'content-type': 'application/rss+xml' })
        .end(
          rss
            .replaceAll('http://news.example', server.origin)
            .replaceAll('http://www.news.example', server.origin),
        );
    } else response.writeHead(404).end();
  });
});
afterAll(() => server.close());

const discoverCli = (args: string[]) => runCli(run, args);

describe('articles discover', () => {
  it('prints one JSON line per URL', async () => {
    const { code, json } = await discoverCli([`${server.origin}/feed.xml`, '--allow-private-network']);
    expect(code).toBe(0);
    expect(json.map((entry) => entry.url)).toEqual([
      `${server.origin}/2024/05/ferry-timetable`,
      `${server.origin}/2024/04/harbour-wall`,
      `${server.origin}/2024/03/lighthouse`,
      `${server.origin}/2024/02/storm-damage`,
    ]);
    expect(json[0]).toMatchObject({ via: 'rss', publishedAt: '2024-05-01T09:30:00.000Z' });
  });

  it('--since filters by date', async () => {
    const { json } = await discoverCli([
      `${server.origin}/feed.xml`,
      '--allow-private-network',
      '--since',
      '2024-04-25',
    ]);
    expect(json.map((entry) => entry.url)).toEqual([
      `${server.origin}/2024/05/ferry-timetable`,
      `${server.origin}/2024/02/storm-damage`,
    ]);
  });

  it('errors are one JSON line and a non-zero exit', async () => {
    const { code, json } = await discoverCli([`${server.origin}/feed.xml`]);
    expect(code).toBe(1);
    expect(json).toEqual([
      { url: `${server.origin}/feed.xml`, error: { code: 'BLOCKED_ADDRESS', message: expect.any(String) } },
    ]);
    const missing = await discoverCli([`${server.origin}/missing.xml`, '--allow-private-network']);
    expect(missing.json[0]).toMatchObject({ error: { code: 'HTTP_ERROR' } });
  });

  it('a bad --since or --max-urls is a UsageError', async () => {
    await expect(discoverCli(['http://x.example/', '--since', 'yesterday-ish'])).rejects.toBeInstanceOf(
      UsageError,
    );
    await expect(discoverCli([])).rejects.toBeInstanceOf(UsageError);
    await expect(discoverCli(['http://x.example/', '--max-urls', 'lots'])).rejects.toBeInstanceOf(UsageError);
  });
});
