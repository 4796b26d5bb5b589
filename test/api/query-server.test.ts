import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  loadOrCreateCursorSecret,
  type QueryServer,
  startQueryServer,
} from '../../lib/embedded/query-server.ts';

// The node:http → API Gateway v2 adapter, with a handler that records the event it is given.

describe('startQueryServer', () => {
  let server: QueryServer;
  const received: APIGatewayProxyEventV2[] = [];

  beforeAll(async () => {
    server = await startQueryServer({
      port: 0,
      handler: async (event): Promise<APIGatewayProxyStructuredResultV2> => {
        received.push(event);
        if (event.rawPath === '/binary') {
          return {
            statusCode: 200,
            headers: { 'content-type': 'application/octet-stream' },
            body: 'AAEC',
            isBase64Encoded: true,
          };
        }
        if (event.rawPath === '/fail') throw new Error('handler bug');
        return {
          statusCode: 201,
          headers: { 'x-seen': event.requestContext.http.method },
          body: 'ok',
          cookies: ['a=1'],
        };
      },
    });
  });
  afterAll(async () => {
    await server.close();
  });

  it('builds a payload v2 event: raw path and query, lowercased headers, joined repeats, cookies', async () => {
    const response = await fetch(`${server.url}/articles/abc?x=1&x=2&y=a%20b`, {
      headers: { 'X-Custom-Header': 'Value', Cookie: 'c1=v1; c2=v2' },
    });
    expect(response.status).toBe(201);
    expect(response.headers.get('x-seen')).toBe('GET');
    expect(response.headers.get('set-cookie')).toBe('a=1');
    const event = received.at(-1) as APIGatewayProxyEventV2;
    expect(event.version).toBe('2.0');
    expect(event.rawPath).toBe('/articles/abc');
    expect(event.rawQueryString).toBe('x=1&x=2&y=a%20b');
    expect(event.queryStringParameters).toEqual({ x: '1,2', y: 'a b' });
    expect(event.headers['x-custom-header']).toBe('Value');
    expect(event.cookies).toEqual(['c1=v1', 'c2=v2']);
    expect(event.requestContext.http).toMatchObject({
      method: 'GET',
      path: '/articles/abc',
      sourceIp: '127.0.0.1',
    });
    expect(event.body).toBeUndefined();
  });

  it('passes a request body base64-encoded and decodes a base64 response', async () => {
    const response = await fetch(`${server.url}/binary`, { method: 'POST', body: 'hello' });
    expect(new Uint8Array(await response.arrayBuffer())).toEqual(new Uint8Array([0, 1, 2]));
    const event = received.at(-1) as APIGatewayProxyEventV2;
    expect(event.isBase64Encoded).toBe(true);
    expect(Buffer.from(event.body ?? '', 'base64').toString()).toBe('hello');
  });

  it('answers 500 in the API error shape when the handler throws', async () => {
    const original = console.error;
    console.error = () => {};
    try {
      const response = await fetch(`${server.url}/fail`);
      expect(response.status).toBe(500);
      expect(await response.json()).toEqual({ error: { code: 'INTERNAL', message: 'internal error' } });
    } finally {
      console.error = original;
    }
  });

  it('answers an over-long URL with 431 in the API error shape, not an empty body', async () => {
    const response = await fetch(`${server.url}/articles?url=${'a'.repeat(20_000)}`);
    expect(response.status).toBe(431);
    expect(response.headers.get('content-type')).toContain('application/json');
    expect(await response.json()).toEqual({
      error: {
        code: 'TOO_LARGE',
        message: expect.stringMatching(/longer than \d+ bytes; use a shorter URL/),
      },
    });
    // The server keeps serving.
    expect((await fetch(`${server.url}/ok`)).status).toBe(201);
  });

  it('names a port in use and how to choose another', async () => {
    const port = Number(new URL(server.url).port);
    await expect(
      startQueryServer({ port, handler: async () => ({ statusCode: 200 }) }),
    ).rejects.toMatchObject({
      code: 'EADDRINUSE',
      message: `query API: port ${port} on 127.0.0.1 is already in use (another npm start, or another program); choose another port with --port N, or --port 0 for any free one`,
    });
  });

  it('answers bytes that are not HTTP with 400 in the API error shape', async () => {
    const reply = await new Promise<string>((resolve, reject) => {
      const { port, hostname } = new URL(server.url);
      const socket = connect(Number(port), hostname, () => socket.write('NOT HTTP AT ALL\r\n\r\n'));
      let text = '';
      socket.on('data', (chunk) => {
        text += chunk.toString();
      });
      socket.on('end', () => resolve(text));
      socket.on('error', reject);
    });
    expect(reply).toMatch(/^HTTP\/1\.1 400 /);
    expect(JSON.parse(reply.slice(reply.indexOf('\r\n\r\n') + 4))).toMatchObject({
      error: { code: 'BAD_REQUEST' },
    });
  });
});

describe('loadOrCreateCursorSecret', () => {
  let dataDir: string;
  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'cursor-secret-'));
  });
  afterAll(async () => {
    await rm(dataDir, { recursive: true, force: true });
  });

  it('generates a secret once and keeps it in the data dir', async () => {
    const first = await loadOrCreateCursorSecret(dataDir);
    expect(first.length).toBeGreaterThanOrEqual(32);
    expect((await readFile(join(dataDir, 'cursor-secret'), 'utf8')).trim()).toBe(first);
    expect(await loadOrCreateCursorSecret(dataDir)).toBe(first);
  });

  it('prefers a configured secret and refuses a short one', async () => {
    const given = 'configured-secret-0123456789abcdef';
    expect(await loadOrCreateCursorSecret(dataDir, given)).toBe(given);
    await expect(loadOrCreateCursorSecret(dataDir, 'short')).rejects.toThrow(/at least 32/);
  });

  it('makes a fresh secret for every run without a data dir', async () => {
    expect(await loadOrCreateCursorSecret(undefined)).not.toBe(await loadOrCreateCursorSecret(undefined));
  });
});
