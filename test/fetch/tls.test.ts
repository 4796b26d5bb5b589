import { readFileSync } from 'node:fs';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PipelineError } from '../../lib/core/errors.ts';
import { createNodeConnector, fetchPage } from '../../lib/core/fetch/index.ts';
import { fakeResolver } from './helpers.ts';

// A self-signed certificate for news.example only (test fixture; the key protects nothing).
const cert = readFileSync(new URL('./fixtures/news.example.crt', import.meta.url));
const key = readFileSync(new URL('./fixtures/news.example.key', import.meta.url));

const seen: Array<{ servername?: string; host?: string }> = [];
let server: https.Server;
let port: number;

beforeAll(async () => {
  server = https.createServer({ cert, key }, (request, response) => {
    seen.push({
      servername: (request.socket as { servername?: string }).servername,
      host: request.headers.host,
    });
    response.writeHead(200, { 'content-type': 'text/html' }).end('<html><body>tls</body></html>');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

/** news.example and wrong.example both resolve to the loopback test server, trusted explicitly by origin. */
function options(names: string[]) {
  const { resolver, calls } = fakeResolver({ 'news.example': ['127.0.0.1'], 'wrong.example': ['127.0.0.1'] });
  return { resolver, calls, allowedOrigins: names.map((name) => `https://${name}:${port}`), retries: 0 };
}

describe('TLS to the vetted address', () => {
  it('connects to the resolved address while SNI, Host and the certificate check use the name', async () => {
    const { calls, ...fetchOptions } = options(['news.example']);
    const result = await fetchPage(`https://news.example:${port}/`, {
      ...fetchOptions,
      connector: createNodeConnector({ ca: cert }),
    });
    expect(result.status).toBe(200);
    expect(seen.at(-1)).toEqual({ servername: 'news.example', host: `news.example:${port}` });
    expect(calls).toEqual(['news.example']);
  });

  it('a certificate for another name is refused', async () => {
    const { calls: _calls, ...fetchOptions } = options(['wrong.example']);
    const error = await fetchPage(`https://wrong.example:${port}/`, {
      ...fetchOptions,
      connector: createNodeConnector({ ca: cert }),
    }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(PipelineError);
    expect(error).toMatchObject({
      code: 'CONNECTION_FAILED',
      details: { errorCode: 'ERR_TLS_CERT_ALTNAME_INVALID', retryable: false },
    });
  });

  it('an untrusted certificate is refused by the default connector', async () => {
    const { calls: _calls, ...fetchOptions } = options(['news.example']);
    const error = await fetchPage(`https://news.example:${port}/`, fetchOptions).catch(
      (caught: unknown) => caught,
    );
    expect(error).toMatchObject({
      code: 'CONNECTION_FAILED',
      details: { errorCode: 'DEPTH_ZERO_SELF_SIGNED_CERT', retryable: false },
    });
  });

  it('a host turn is asked once the TLS session is up: past it, the request is not written', async () => {
    const connect = createNodeConnector({ ca: cert });
    const request = (inTime: () => boolean) => ({
      url: new URL(`https://news.example:${port}/turn`),
      address: '127.0.0.1',
      family: 4 as const,
      headers: {},
      signal: new AbortController().signal,
      connectTimeoutMs: 5000,
      inTime,
    });
    const before = seen.length;
    let asked = 0;
    const missed = await connect(request(() => ++asked === 1)).catch((caught: unknown) => caught);
    expect(missed).toMatchObject({ code: 'HOST_BUSY', details: { slotMissed: true } });
    expect(asked).toBe(2);
    expect(seen).toHaveLength(before);
    const answered = await connect(request(() => true));
    answered.body.resume();
    expect(answered.status).toBe(200);
    expect(seen).toHaveLength(before + 1);
  });
});
