import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { run } from '../../lib/cli/fetch.ts';
import { UsageError } from '../../lib/cli/io.ts';
import { runCli, startServer, type TestServer } from './helpers.ts';

const ARTICLE = `<!doctype html><html lang="en"><head><title>Ferry timetable changes</title>
<meta property="og:title" content="Ferry timetable changes">
<meta property="article:published_time" content="2024-05-01T09:30:00Z"></head>
<body><article><h1>Ferry timetable changes</h1>
${'<p>The harbour authority announced on Wednesday that the summer ferry timetable will start two weeks early this year, adding morning sailings to the islands and a late return on Fridays.</p>'.repeat(6)}
</article></body></html>`;

let server: TestServer;
beforeAll(async () => {
  server = await startServer((request, response) => {
    if (request.url === '/robots.txt') response.writeHead(200).end('User-agent: *\nDisallow: /private\n');
    else if (request.url === '/file.pdf')
      response.writeHead(200, { 'content-type': 'application/pdf' }).end('%PDF');
    else response.writeHead(200, { 'content-type': 'text/html; charset=utf-8', etag: '"a1"' }).end(ARTICLE);
  });
});
afterAll(() => server.close());

const fetchCli = (args: string[]) => runCli(run, args);

describe('articles fetch', () => {
  it('prints the fetch result as one JSON line, without the body', async () => {
    const { code, json } = await fetchCli([`${server.origin}/story`, '--allow-private-network']);
    expect(code).toBe(0);
    expect(json).toHaveLength(1);
    expect(json[0]).toMatchObject({
      url: `${server.origin}/story`,
      finalUrl: `${server.origin}/story`,
      status: 200,
      contentType: 'text/html',
      charset: 'utf-8',
      bytes: Buffer.byteLength(ARTICLE),
      etag: '"a1"',
    });
    expect(json[0]).toHaveProperty('timings.totalMs');
    expect(json[0]).not.toHaveProperty('body');
  });

  it('refuses loopback without --allow-private-network, printing the error as JSON', async () => {
    const before = server.connections;
    const { code, json, stderr } = await fetchCli([`${server.origin}/story`]);
    expect(code).toBe(1);
    expect(json[0]).toMatchObject({ url: `${server.origin}/story`, error: { code: 'BLOCKED_ADDRESS' } });
    // The person at the terminal sees it too, even with stdout piped to a file or jq.
    expect(stderr).toEqual([
      expect.stringMatching(/^articles fetch: http:\/\/127\.0\.0\.1:\d+\/story: BLOCKED_ADDRESS: /),
    ]);
    expect(server.connections).toBe(before);
  });

  it('--allowed-origin trusts one origin', async () => {
    const { code } = await fetchCli([`${server.origin}/story`, '--allowed-origin', server.origin]);
    expect(code).toBe(0);
  });

  it('reports robots.txt and content-type refusals with their codes', async () => {
    const robots = await fetchCli([`${server.origin}/private/x`, '--allow-private-network']);
    expect(robots.json[0]).toMatchObject({ error: { code: 'ROBOTS_DISALLOWED' } });
    const pdf = await fetchCli([`${server.origin}/file.pdf`, '--allow-private-network']);
    expect(pdf.json[0]).toMatchObject({ error: { code: 'NOT_HTML' } });
    expect(pdf.code).toBe(1);
  });

  it('--extract prints the extracted Article as JSON', async () => {
    const { code, json } = await fetchCli([`${server.origin}/story`, '--allow-private-network', '--extract']);
    expect(code).toBe(0);
    expect(json).toHaveLength(1);
    expect(json[0]).toMatchObject({
      schemaVersion: 1,
      title: 'Ferry timetable changes',
      sourceUrl: `${server.origin}/story`,
      publishedAt: '2024-05-01T09:30:00.000Z',
    });
    expect(json[0]).toHaveProperty('content.text', expect.stringContaining('summer ferry timetable'));
  });

  it.each([
    [[]],
    [['a', 'b']],
    [['http://x.example/', '--bogus']],
    [['http://x.example/', '--timeout-ms', 'soon']],
  ])('bad arguments %j are a UsageError', async (args) => {
    await expect(fetchCli(args)).rejects.toBeInstanceOf(UsageError);
  });
});
