import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cliCommand, ROOT } from '../helpers/cli-process.ts';
import { startServer, type TestServer } from './helpers.ts';

let target: TestServer;
let proxy: TestServer;
beforeAll(async () => {
  target = await startServer((_request, response) => {
    response.writeHead(200, { 'content-type': 'text/html' }).end('<html><body>direct</body></html>');
  });
  // Anything that reaches this listener went through a proxy instead of to the vetted address.
  proxy = await startServer((_request, response) => {
    response.writeHead(200, { 'content-type': 'text/html' }).end('<html><body>proxied</body></html>');
  });
});
afterAll(async () => {
  await Promise.all([target.close(), proxy.close()]);
});

describe('proxy environment variables', () => {
  it('are ignored: the fetcher connects to the vetted address itself, in a fresh process', async () => {
    // A proxy would resolve the name itself and connect wherever it liked, past the guard. Node 22.21+/24 honour
    // these variables in node:http when NODE_USE_ENV_PROXY is set, so the test sets that too.
    const proxyUrl = proxy.origin;
    const env = {
      ...process.env,
      HTTP_PROXY: proxyUrl,
      HTTPS_PROXY: proxyUrl,
      ALL_PROXY: proxyUrl,
      http_proxy: proxyUrl,
      https_proxy: proxyUrl,
      all_proxy: proxyUrl,
      NO_PROXY: '',
      no_proxy: '',
      NODE_USE_ENV_PROXY: '1',
    };
    const { stdout } = await promisify(execFile)(
      process.execPath,
      cliCommand('articles', 'fetch', `${target.origin}/page`, '--allow-private-network', '--ignore-robots'),
      { cwd: ROOT, env },
    );
    expect(JSON.parse(stdout)).toMatchObject({ status: 200, finalUrl: `${target.origin}/page` });
    expect(target.requests.map((request) => request.path)).toEqual(['/page']);
    expect(proxy.connections).toBe(0);
  });
});
