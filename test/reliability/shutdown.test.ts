import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { cliCommand } from '../helpers/cli-process.ts';

// Issue 14: Ctrl-C waited silently for in-flight pages and a second Ctrl-C was ignored. Now the first says
// what it waits for, and the second stops at once. The site here never answers article pages, so without a
// working second Ctrl-C the process would not exit until the fetch timed out.
it('first Ctrl-C says it is finishing N pages; a second one stops at once', async () => {
  const held: ServerResponse[] = [];
  let articleRequested: () => void = () => {};
  const requested = new Promise<void>((resolve) => {
    articleRequested = resolve;
  });
  const site = createServer((request, response) => {
    const origin = `http://127.0.0.1:${(site.address() as AddressInfo).port}`;
    if (request.url === '/feed.xml') {
      const items = [1, 2, 3]
        .map((n) => `<item><title>Story ${n}</title><link>${origin}/news/${n}</link></item>`)
        .join('');
      response.writeHead(200, { 'content-type': 'application/rss+xml' });
      response.end(
        `<?xml version="1.0"?><rss version="2.0"><channel><title>t</title>${items}</channel></rss>`,
      );
    } else if (request.url?.startsWith('/news/')) {
      held.push(response); // never answered
      articleRequested();
    } else {
      response.writeHead(404).end();
    }
  });
  await new Promise<void>((resolve) => site.listen(0, '127.0.0.1', resolve));
  const port = (site.address() as AddressInfo).port;
  const dataDir = await mkdtemp(join(tmpdir(), 'shutdown-'));
  const child = spawn(
    process.execPath,
    [
      ...cliCommand('start'),
      '--source',
      `http://127.0.0.1:${port}/feed.xml`,
      '--allow-private-network',
    ].concat(['--port', '0', '--data-dir', dataDir, '--concurrency', '1', '--interval', '1h', '--quiet']),
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  try {
    await requested;
    child.kill('SIGINT');
    await expect
      .poll(() => stderr, { timeout: 20_000 })
      .toMatch(/finishing \d+ pages? \(Ctrl-C again to stop now\)/);
    child.kill('SIGINT');
    expect(await exited).toBe(130);
    expect(stderr).toMatch(/stopping now/);
    // The page was still being fetched when the process stopped: it did not wait for it.
    expect(held.every((response) => !response.writableEnded)).toBe(true);
  } finally {
    child.kill('SIGKILL');
    for (const response of held) response.destroy();
    await new Promise((resolve) => site.close(resolve));
    await rm(dataDir, { recursive: true, force: true });
  }
}, 60_000);
