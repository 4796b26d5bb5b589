import type { ServerResponse } from 'node:http';
import net, { type AddressInfo, type Socket } from 'node:net';
import zlib from 'node:zlib';
import { afterEach, describe, expect, it } from 'vitest';
import { DEFAULT_USER_AGENT } from '../../lib/config.ts';
import { type FetchOptions, fetchPage } from '../../lib/core/fetch/index.ts';
import { parseRetryAfter } from '../../lib/core/fetch/retry.ts';
import {
  bridgeConnector,
  fakeResolver,
  fetchError,
  PUBLIC_IP,
  recordingSleep,
  startServer,
  type TestServer,
} from './helpers.ts';

const servers: TestServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => server.close()));
});

async function serve(handler: Parameters<typeof startServer>[0]): Promise<TestServer> {
  const server = await startServer(handler);
  servers.push(server);
  return server;
}

/** Options that make `http://news.example` reach the loopback test server through a recorded connector. */
function via(server: TestServer, extra: FetchOptions = {}) {
  const bridge = bridgeConnector(server);
  const { resolver } = fakeResolver({ 'news.example': [PUBLIC_IP] });
  return { options: { connector: bridge.connector, resolver, ...extra }, attempts: bridge.attempts };
}

const PAGE = '<!doctype html><html><head><title>T</title></head><body><p>Hello</p></body></html>';

function sendHtml(response: ServerResponse, body = PAGE, headers: Record<string, string> = {}) {
  response.writeHead(200, { 'content-type': 'text/html; charset=UTF-8', ...headers });
  response.end(body);
}

/** Writes `total` bytes with backpressure, counting what the client actually took. */
function streamZeros(response: ServerResponse, total: number, counter: { written: number }) {
  const chunk = Buffer.alloc(64 * 1024, 0x61);
  const writeMore = () => {
    while (counter.written < total) {
      counter.written += chunk.length;
      if (!response.write(chunk)) {
        response.once('drain', writeMore);
        return;
      }
    }
    response.end();
  };
  response.on('error', () => {});
  writeMore();
}

function bombSync(kind: 'gzip' | 'br', megabytes: number): Buffer {
  const zeros = Buffer.alloc(megabytes * 1024 * 1024);
  return kind === 'gzip'
    ? zlib.gzipSync(zeros, { level: 9 })
    : zlib.brotliCompressSync(zeros, { params: { [zlib.constants.BROTLI_PARAM_QUALITY]: 4 } });
}

describe('fetchPage result', () => {
  it('returns bytes, final URL, status, type, charset, validators, timings and the redirect chain', async () => {
    const server = await serve((request, response) => {
      if (request.url === '/old') {
        response.writeHead(301, { location: '/new?x=1' }).end();
        return;
      }
      sendHtml(response, PAGE, { etag: '"v1"', 'last-modified': 'Wed, 01 May 2024 09:30:00 GMT' });
    });
    const { options, attempts } = via(server);
    const result = await fetchPage('http://news.example/old', options);
    expect(result).toMatchObject({
      requestedUrl: 'http://news.example/old',
      url: 'http://news.example/new?x=1',
      status: 200,
      notModified: false,
      contentType: 'text/html',
      charset: 'utf-8',
      etag: '"v1"',
      lastModified: 'Wed, 01 May 2024 09:30:00 GMT',
      redirects: ['http://news.example/old'],
      attempts: 1,
    });
    expect(Buffer.from(result.body).toString()).toBe(PAGE);
    expect(result.timings.totalMs).toBeGreaterThanOrEqual(0);
    expect(attempts).toHaveLength(2);
  });

  it('sends a User-Agent naming the bot and a contact URL, or the configured one', async () => {
    const server = await serve((_request, response) => sendHtml(response));
    await fetchPage('http://news.example/', via(server).options);
    await fetchPage(
      'http://news.example/',
      via(server, { userAgent: 'custom-bot/2 (+https://bot.example)' }).options,
    );
    expect(server.requests[0]?.headers['user-agent']).toBe(DEFAULT_USER_AGENT);
    expect(DEFAULT_USER_AGENT).toMatch(/\+https?:\/\//);
    expect(server.requests[1]?.headers['user-agent']).toBe('custom-bot/2 (+https://bot.example)');
  });

  it.each(['gzip', 'br', 'deflate'] as const)('decodes a %s body', async (encoding) => {
    const encoded =
      encoding === 'gzip'
        ? zlib.gzipSync(PAGE)
        : encoding === 'br'
          ? zlib.brotliCompressSync(PAGE)
          : zlib.deflateSync(PAGE);
    const server = await serve((_request, response) => {
      response.writeHead(200, { 'content-type': 'text/html', 'content-encoding': encoding }).end(encoded);
    });
    const result = await fetchPage('http://news.example/', via(server).options);
    expect(Buffer.from(result.body).toString()).toBe(PAGE);
    expect(server.requests[0]?.headers['accept-encoding']).toBe('gzip, deflate, br');
  });
});

describe('limits', () => {
  it('a 100 MB body stops at the cap, long before the server has sent it all', async () => {
    const counter = { written: 0 };
    const server = await serve((_request, response) => {
      response.writeHead(200, { 'content-type': 'text/html' });
      streamZeros(response, 100 * 1024 * 1024, counter);
    });
    const error = await fetchError(fetchPage('http://news.example/', via(server, { retries: 0 }).options));
    expect(error.code).toBe('TOO_LARGE');
    expect(error.details.maxBytes).toBe(5 * 1024 * 1024);
    expect(counter.written).toBeLessThan(30 * 1024 * 1024);
  });

  it('a Content-Length that understates the body is not trusted', async () => {
    const server = await serve((_request, response) => {
      response.writeHead(200, { 'content-type': 'text/html' });
      response.end(Buffer.alloc(2048, 0x61));
    });
    const error = await fetchError(
      fetchPage('http://news.example/', via(server, { maxBytes: 1000 }).options),
    );
    expect(error.code).toBe('TOO_LARGE');
  });

  it.each(['gzip', 'br'] as const)(
    'a %s bomb is cut off after decompression passes the cap',
    async (kind) => {
      const payload = bombSync(kind, 32); // 32 MiB of zeros in a few KiB
      expect(payload.length).toBeLessThan(1024 * 1024);
      const server = await serve((_request, response) => {
        response.writeHead(200, { 'content-type': 'text/html', 'content-encoding': kind }).end(payload);
      });
      const error = await fetchError(fetchPage('http://news.example/', via(server).options));
      expect(error.code).toBe('TOO_LARGE');
      expect(error.message).toContain('after decompression');
    },
  );

  it('a stacked Content-Encoding is undone layer by layer', async () => {
    const twice = zlib.gzipSync(zlib.brotliCompressSync(PAGE));
    const server = await serve((_request, response) => {
      response.writeHead(200, { 'content-type': 'text/html', 'content-encoding': 'br, gzip' }).end(twice);
    });
    const result = await fetchPage('http://news.example/', via(server).options);
    expect(Buffer.from(result.body).toString()).toBe(PAGE);
  });

  it('a chain of more than 5 Content-Encodings is refused before any decoder is built', async () => {
    // Each layer costs a zlib context: 2,000 of them in one header would be a memory bomb of its own.
    const layers = Array.from({ length: 2000 }, () => 'gzip').join(',');
    const server = await serve((_request, response) => {
      response.writeHead(200, { 'content-type': 'text/html', 'content-encoding': layers }).end('x');
    });
    const error = await fetchError(fetchPage('http://news.example/', via(server).options));
    expect(error.code).toBe('DECODE_FAILED');
    expect(error.message).toContain('2000 content codings');
    expect(error.details.retryable).toBe(false);
  });

  it('a server that never answers times out (and the timeout is retryable)', async () => {
    const server = await serve(() => {
      /* never respond */
    });
    const error = await fetchError(
      fetchPage('http://news.example/', via(server, { timeoutMs: 150, retries: 0 }).options),
    );
    expect(error.code).toBe('TIMEOUT');
    expect(error.details.retryable).toBe(true);
  });

  it('a server that stalls mid-body times out', async () => {
    const server = await serve((_request, response) => {
      response.writeHead(200, { 'content-type': 'text/html' });
      response.write('<html><body>');
    });
    const error = await fetchError(
      fetchPage('http://news.example/', via(server, { timeoutMs: 150, retries: 0 }).options),
    );
    expect(error.code).toBe('TIMEOUT');
  });

  it('a TLS handshake that never completes hits the connect timeout', async () => {
    const sockets: Socket[] = [];
    const silent = net.createServer((socket) => sockets.push(socket));
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const { port } = silent.address() as AddressInfo;
    try {
      const error = await fetchError(
        fetchPage(`https://127.0.0.1:${port}/`, {
          allowPrivateNetwork: true,
          connectTimeoutMs: 100,
          timeoutMs: 60_000,
          retries: 0,
        }),
      );
      expect(error.code).toBe('TIMEOUT');
      expect(error.message).toContain('connecting to 127.0.0.1');
    } finally {
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => silent.close(resolve));
    }
  });

  it('a resolver that never answers times out', async () => {
    const error = await fetchError(
      fetchPage('http://slow-dns.example/', {
        resolver: () => new Promise(() => {}),
        timeoutMs: 100,
        retries: 0,
      }),
    );
    expect(error.code).toBe('TIMEOUT');
    expect(error.message).toContain('resolving slow-dns.example');
  });

  it("the caller's abort stops the fetch without retrying", async () => {
    const server = await serve(() => {});
    const controller = new AbortController();
    const { sleep, delays } = recordingSleep();
    const pending = fetchPage(
      'http://news.example/',
      via(server, { signal: controller.signal, sleep }).options,
    );
    setTimeout(() => controller.abort(), 50);
    const error = await fetchError(pending);
    expect(error.code).toBe('TIMEOUT');
    expect(error.message).toContain('aborted by its caller');
    expect(delays).toEqual([]);
  });

  it('timeouts are retried with backoff', async () => {
    const server = await serve(() => {});
    const { sleep, delays } = recordingSleep();
    const { options, attempts } = via(server, { timeoutMs: 100, retries: 1, sleep, random: () => 0 });
    const error = await fetchError(fetchPage('http://news.example/', options));
    expect(error.code).toBe('TIMEOUT');
    // Counted where each attempt leaves the fetcher: on a loaded machine the 100 ms cap can end the second
    // attempt before the test server has read its request.
    expect(attempts).toHaveLength(2);
    expect(delays).toEqual([250]);
  });
});

describe('redirects', () => {
  it('follows up to 5 redirects, resolving relative locations', async () => {
    const server = await serve((request, response) => {
      const step = Number(request.url?.split('/')[2] ?? '0');
      if (step < 5) response.writeHead(302, { location: `../r/${step + 1}` }).end();
      else sendHtml(response);
    });
    const result = await fetchPage('http://news.example/r/0', via(server).options);
    expect(result.url).toBe('http://news.example/r/5');
    expect(result.redirects).toHaveLength(5);
  });

  it('refuses a sixth redirect', async () => {
    const server = await serve((request, response) => {
      const step = Number(request.url?.split('/')[2] ?? '0');
      response.writeHead(307, { location: `/r/${step + 1}` }).end();
    });
    const error = await fetchError(fetchPage('http://news.example/r/0', via(server).options));
    expect(error.code).toBe('TOO_MANY_REDIRECTS');
    expect(server.requests).toHaveLength(6);
  });

  it('detects a redirect loop', async () => {
    const server = await serve((request, response) => {
      response.writeHead(302, { location: request.url === '/a' ? '/b' : '/a' }).end();
    });
    const error = await fetchError(fetchPage('http://news.example/a', via(server).options));
    expect(error.code).toBe('REDIRECT_LOOP');
    expect(error.message).toContain(
      'http://news.example/a -> http://news.example/b -> http://news.example/a',
    );
    expect(server.requests).toHaveLength(2);
  });
});

describe('content types', () => {
  it('a PDF is NOT_HTML, refused before its body is read', async () => {
    const counter = { written: 0 };
    const server = await serve((_request, response) => {
      response.writeHead(200, { 'content-type': 'application/pdf' });
      streamZeros(response, 50 * 1024 * 1024, counter);
    });
    const error = await fetchError(fetchPage('http://news.example/paper.pdf', via(server).options));
    expect(error.code).toBe('NOT_HTML');
    expect(error.message).toContain('application/pdf');
    expect(counter.written).toBeLessThan(20 * 1024 * 1024);
  });

  it('XHTML is accepted as HTML', async () => {
    const server = await serve((_request, response) => {
      response.writeHead(200, { 'content-type': 'application/xhtml+xml' }).end(PAGE);
    });
    const result = await fetchPage('http://news.example/', via(server).options);
    expect(result.contentType).toBe('application/xhtml+xml');
  });

  it('a response without a type is accepted only when it looks like HTML', async () => {
    const server = await serve((request, response) => {
      response.writeHead(200, {}).end(request.url === '/page' ? PAGE : '%PDF-1.7 binary');
    });
    const { options } = via(server);
    expect((await fetchPage('http://news.example/page', options)).status).toBe(200);
    expect((await fetchError(fetchPage('http://news.example/file', options))).code).toBe('NOT_HTML');
  });

  it("accept 'xml' takes feeds and refuses HTML with FEED_INVALID; 'any' takes anything", async () => {
    const server = await serve((request, response) => {
      const type = request.url === '/feed' ? 'application/rss+xml' : 'text/html';
      response.writeHead(200, { 'content-type': type }).end('<rss/>');
    });
    const { options } = via(server);
    expect((await fetchPage('http://news.example/feed', { ...options, accept: 'xml' })).status).toBe(200);
    const error = await fetchError(fetchPage('http://news.example/page', { ...options, accept: 'xml' }));
    expect(error.code).toBe('FEED_INVALID');
    expect((await fetchPage('http://news.example/feed', { ...options, accept: 'any' })).status).toBe(200);
  });
});

describe('conditional GET', () => {
  it('sends validators and returns a 304 as notModified, not an error', async () => {
    const server = await serve((request, response) => {
      if (request.headers['if-none-match'] === '"v7"') {
        response.writeHead(304, { etag: '"v7"' }).end();
        return;
      }
      sendHtml(response, PAGE, { etag: '"v7"' });
    });
    const { options } = via(server);
    const first = await fetchPage('http://news.example/', options);
    const second = await fetchPage('http://news.example/', {
      ...options,
      validators: { etag: first.etag, lastModified: 'Wed, 01 May 2024 09:30:00 GMT' },
    });
    expect(second).toMatchObject({ status: 304, notModified: true, etag: '"v7"' });
    expect(second.body).toHaveLength(0);
    expect(server.requests[1]?.headers['if-modified-since']).toBe('Wed, 01 May 2024 09:30:00 GMT');
    expect(server.requests[0]?.headers['if-none-match']).toBeUndefined();
  });
});

describe('retries', () => {
  it('honours Retry-After in seconds on 503, then succeeds', async () => {
    let calls = 0;
    const server = await serve((_request, response) => {
      calls++;
      if (calls === 1) response.writeHead(503, { 'retry-after': '7' }).end();
      else sendHtml(response);
    });
    const { sleep, delays } = recordingSleep();
    const result = await fetchPage('http://news.example/', via(server, { sleep, random: () => 0 }).options);
    expect(result.attempts).toBe(2);
    expect(delays).toEqual([7000]);
  });

  it('honours Retry-After as an HTTP date on 429', async () => {
    let calls = 0;
    const server = await serve((_request, response) => {
      calls++;
      if (calls === 1) {
        response.writeHead(429, { 'retry-after': new Date(Date.now() + 20_000).toUTCString() }).end();
      } else sendHtml(response);
    });
    const { sleep, delays } = recordingSleep();
    await fetchPage('http://news.example/', via(server, { sleep, random: () => 0 }).options);
    expect(delays).toHaveLength(1);
    // An HTTP date has one-second resolution.
    expect(delays[0]).toBeGreaterThan(18_000);
    expect(delays[0]).toBeLessThanOrEqual(20_000);
  });

  it('gives up at once when Retry-After asks for longer than the cap, reporting the wait', async () => {
    const server = await serve((_request, response) => {
      response.writeHead(503, { 'retry-after': '3600' }).end();
    });
    const { sleep, delays } = recordingSleep();
    const error = await fetchError(fetchPage('http://news.example/', via(server, { sleep }).options));
    expect(error).toMatchObject({
      code: 'HTTP_ERROR',
      details: { status: 503, retryable: true, retryAfterMs: 3_600_000 },
    });
    expect(delays).toEqual([]);
    expect(server.requests).toHaveLength(1);
  });

  it('backs off exponentially with jitter on 5xx, then reports HTTP_ERROR with the status', async () => {
    const server = await serve((_request, response) => {
      response.writeHead(500).end();
    });
    const { sleep, delays } = recordingSleep();
    const error = await fetchError(
      fetchPage('http://news.example/', via(server, { sleep, random: () => 1, retries: 3 }).options),
    );
    expect(error.details).toMatchObject({ status: 500, retryable: true });
    expect(server.requests).toHaveLength(4);
    expect(delays).toEqual([500, 1000, 2000]);
  });

  it.each([400, 403, 404, 410])('never retries a %i', async (status) => {
    const server = await serve((_request, response) => {
      response.writeHead(status).end();
    });
    const { sleep, delays } = recordingSleep();
    const error = await fetchError(fetchPage('http://news.example/', via(server, { sleep }).options));
    expect(error).toMatchObject({ code: 'HTTP_ERROR', details: { status, retryable: false } });
    expect(server.requests).toHaveLength(1);
    expect(delays).toEqual([]);
  });

  it('retries a refused connection', async () => {
    const server = await serve(() => {});
    const port = server.port;
    await server.close();
    servers.length = 0;
    const { sleep, delays } = recordingSleep();
    const error = await fetchError(
      fetchPage(`http://127.0.0.1:${port}/`, { allowPrivateNetwork: true, sleep, retries: 2 }),
    );
    expect(error.code).toBe('CONNECTION_FAILED');
    expect(error.details.retryable).toBe(true);
    expect(delays).toHaveLength(2);
  });
});

describe('parseRetryAfter', () => {
  it('reads seconds and dates and ignores garbage', () => {
    const now = Date.parse('2024-05-01T00:00:00Z');
    expect(parseRetryAfter('120', now)).toBe(120_000);
    expect(parseRetryAfter('Wed, 01 May 2024 00:01:00 GMT', now)).toBe(60_000);
    expect(parseRetryAfter('Tue, 30 Apr 2024 00:00:00 GMT', now)).toBe(0);
    expect(parseRetryAfter('soon', now)).toBeUndefined();
    expect(parseRetryAfter(undefined, now)).toBeUndefined();
  });
});
