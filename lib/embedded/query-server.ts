import { randomBytes, randomUUID } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, maxHeaderSize, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import type { Duplex } from 'node:stream';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { MIN_CURSOR_SECRET_LENGTH } from '../api/cursor.ts';

/**
 * The embedded stack's stand-in for API Gateway: node:http in front of the same query handler the Lambda
 * runs. Each request becomes an HTTP API payload v2 event (rawPath, rawQueryString, queryStringParameters
 * with repeated names joined by commas, lowercased headers, requestContext.http.method) and the structured
 * result becomes the response.
 */

export type ApiGatewayV2Handler = (
  event: APIGatewayProxyEventV2,
) => Promise<APIGatewayProxyStructuredResultV2>;

export interface QueryServerOptions {
  handler: ApiGatewayV2Handler;
  /** 0 picks a free port. */
  port: number;
  host?: string;
}

export interface QueryServer {
  url: string;
  close(): Promise<void>;
}

/** API Gateway's own limit on a request body; GET routes never need one, but the adapter stays faithful. */
const MAX_BODY_BYTES = 10 * 1024 * 1024;

export function toApiGatewayEvent(request: IncomingMessage, body: Buffer): APIGatewayProxyEventV2 {
  const target = request.url ?? '/';
  const queryStart = target.indexOf('?');
  const rawPath = queryStart === -1 ? target : target.slice(0, queryStart);
  const rawQueryString = queryStart === -1 ? '' : target.slice(queryStart + 1);

  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(request.headers)) {
    if (value === undefined || name === 'cookie') continue;
    headers[name.toLowerCase()] = Array.isArray(value) ? value.join(',') : value;
  }
  const cookies = request.headers.cookie?.split(';').map((part) => part.trim());

  let queryStringParameters: Record<string, string> | undefined;
  try {
    for (const [name, value] of new URLSearchParams(rawQueryString)) {
      queryStringParameters ??= Object.create(null) as Record<string, string>;
      const previous = queryStringParameters[name];
      queryStringParameters[name] = previous === undefined ? value : `${previous},${value}`;
    }
  } catch {
    // A malformed query string is left to the handler, which reads rawQueryString.
  }

  const method = (request.method ?? 'GET').toUpperCase();
  const now = new Date();
  let path = rawPath;
  try {
    path = decodeURI(rawPath);
  } catch {
    // Keep the raw form; the handler validates it.
  }
  return {
    version: '2.0',
    routeKey: '$default',
    rawPath,
    rawQueryString,
    cookies,
    headers,
    queryStringParameters,
    requestContext: {
      accountId: 'embedded',
      apiId: 'embedded',
      domainName: headers.host ?? 'localhost',
      domainPrefix: (headers.host ?? 'localhost').split('.')[0] ?? 'localhost',
      http: {
        method,
        path,
        protocol: `HTTP/${request.httpVersion}`,
        sourceIp: request.socket.remoteAddress ?? '127.0.0.1',
        userAgent: headers['user-agent'] ?? '',
      },
      requestId: randomUUID(),
      routeKey: '$default',
      stage: '$default',
      time: now.toUTCString(),
      timeEpoch: now.getTime(),
    },
    body: body.length > 0 ? body.toString('base64') : undefined,
    isBase64Encoded: body.length > 0,
  };
}

function readBody(request: IncomingMessage): Promise<Buffer | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    request.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        resolve(undefined);
        request.resume();
        return;
      }
      chunks.push(chunk);
    });
    request.on('end', () => resolve(size > MAX_BODY_BYTES ? undefined : Buffer.concat(chunks)));
    request.on('error', reject);
  });
}

function send(response: ServerResponse, result: APIGatewayProxyStructuredResultV2): void {
  const statusCode = result.statusCode ?? 200;
  for (const [name, value] of Object.entries(result.headers ?? {})) response.setHeader(name, String(value));
  if (result.cookies?.length) response.setHeader('set-cookie', result.cookies);
  const body =
    result.body === undefined
      ? Buffer.alloc(0)
      : Buffer.from(result.body, result.isBase64Encoded ? 'base64' : 'utf8');
  // 304 and 204 carry no body; for HEAD node sends the headers only.
  if (statusCode !== 304 && statusCode !== 204) response.setHeader('content-length', body.length);
  response.writeHead(statusCode);
  response.end(statusCode === 304 || statusCode === 204 ? undefined : body);
}

function sendError(response: ServerResponse, statusCode: number, code: string, message: string): void {
  send(response, {
    statusCode,
    headers: { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' },
    body: JSON.stringify({ error: { code, message } }),
  });
}

/**
 * A request node:http rejects before any handler sees it (a request line and headers over its 16 KiB limit,
 * which is what an over-long URL is, or bytes that are not HTTP) gets the API's JSON error shape instead of
 * node's bare status line. Without a listener node answers 431 or 400 with an empty body.
 */
function answerClientError(error: NodeJS.ErrnoException, socket: Duplex): void {
  if (error.code === 'ECONNRESET' || !socket.writable) {
    socket.destroy();
    return;
  }
  const tooLong = error.code === 'HPE_HEADER_OVERFLOW';
  const status = tooLong ? '431 Request Header Fields Too Large' : '400 Bad Request';
  const body = JSON.stringify({
    error: tooLong
      ? {
          code: 'TOO_LARGE',
          message: `the request line and headers are longer than ${maxHeaderSize} bytes; use a shorter URL`,
        }
      : { code: 'BAD_REQUEST', message: 'the request is not valid HTTP/1.1' },
  });
  socket.end(
    `HTTP/1.1 ${status}\r\ncontent-type: application/json; charset=utf-8\r\ncache-control: no-store\r\n` +
      `content-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`,
  );
}

/** node says only "listen EADDRINUSE"; the person starting the stack needs to know what to do about it. */
function listenError(error: NodeJS.ErrnoException, port: number, host: string): Error {
  const hint =
    error.code === 'EADDRINUSE'
      ? `port ${port} on ${host} is already in use (another npm start, or another program); ` +
        'choose another port with --port N, or --port 0 for any free one'
      : error.code === 'EACCES'
        ? `no permission to listen on port ${port} on ${host}; choose a port above 1023 with --port N`
        : undefined;
  if (hint === undefined) return error;
  return Object.assign(new Error(`query API: ${hint}`, { cause: error }), { code: error.code });
}

export async function startQueryServer(options: QueryServerOptions): Promise<QueryServer> {
  const host = options.host ?? '127.0.0.1';
  const server = createServer(async (request, response) => {
    try {
      const body = await readBody(request);
      if (body === undefined) return sendError(response, 413, 'TOO_LARGE', 'request body too large');
      const result = await options.handler(toApiGatewayEvent(request, body));
      send(response, result);
    } catch (error) {
      // The handler maps its own errors; reaching here is an adapter bug, answered like API Gateway would.
      console.error('query server: handler threw', error);
      if (!response.headersSent) sendError(response, 500, 'INTERNAL', 'internal error');
      else response.destroy();
    }
  });
  server.on('clientError', answerClientError);
  await new Promise<void>((resolve, reject) => {
    const failed = (error: NodeJS.ErrnoException) => reject(listenError(error, options.port, host));
    server.once('error', failed);
    server.listen(options.port, host, () => {
      server.off('error', failed);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const urlHost = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return {
    url: `http://${urlHost}:${address.port}`,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeIdleConnections();
      }),
  };
}

const SECRET_FILE = 'cursor-secret';

/**
 * The cursor signing secret for the embedded stack: the given one (ENV.cursorSecret) if set, otherwise one
 * generated once and kept in `<dataDir>/cursor-secret` so cursors survive a restart. Without a data dir it
 * lives only as long as the process.
 */
export async function loadOrCreateCursorSecret(dataDir: string | undefined, given?: string): Promise<string> {
  if (given !== undefined && given !== '') {
    if (given.length < MIN_CURSOR_SECRET_LENGTH) {
      throw new Error(`the cursor signing secret must be at least ${MIN_CURSOR_SECRET_LENGTH} characters`);
    }
    return given;
  }
  const fresh = randomBytes(32).toString('base64url');
  if (dataDir === undefined) return fresh;
  const path = join(dataDir, SECRET_FILE);
  try {
    const stored = (await readFile(path, 'utf8')).trim();
    if (stored.length >= MIN_CURSOR_SECRET_LENGTH) return stored;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  await mkdir(dataDir, { recursive: true });
  await writeFile(path, `${fresh}\n`, { mode: 0o600 });
  return fresh;
}
