import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { PassThrough, Readable } from 'node:stream';
import { expect } from 'vitest';
import type { CliIO } from '../../lib/cli/io.ts';
import { PipelineError } from '../../lib/core/errors.ts';
import { nodeConnector } from '../../lib/core/fetch/connector.ts';
import type { Connector, ConnectRequest, ResolvedAddress, Resolver } from '../../lib/core/fetch/types.ts';

export interface TestServer {
  url: string;
  origin: string;
  port: number;
  /** TCP connections the listener has accepted. */
  readonly connections: number;
  /** Request paths in arrival order. */
  readonly requests: Array<{ path: string; headers: http.IncomingHttpHeaders }>;
  close(): Promise<void>;
}

/** An HTTP server on 127.0.0.1 with an ephemeral port, counting connections and recording requests. */
export async function startServer(handler: http.RequestListener): Promise<TestServer> {
  const requests: TestServer['requests'] = [];
  const server = http.createServer((request, response) => {
    requests.push({ path: request.url ?? '', headers: request.headers });
    handler(request, response);
  });
  const sockets = new Set<Socket>();
  let connections = 0;
  server.on('connection', (socket) => {
    connections++;
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const origin = `http://127.0.0.1:${port}`;
  return {
    url: `${origin}/`,
    origin,
    port,
    get connections() {
      return connections;
    },
    requests,
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** A resolver answering from a table (or a function per name), recording every lookup. */
export function fakeResolver(table: Record<string, string[] | ((call: number) => string[])>): {
  resolver: Resolver;
  calls: string[];
} {
  const calls: string[] = [];
  const resolver: Resolver = async (hostname) => {
    calls.push(hostname);
    const entry = table[hostname];
    if (entry === undefined) throw new Error(`ENOTFOUND ${hostname}`);
    const addresses =
      typeof entry === 'function' ? entry(calls.filter((name) => name === hostname).length) : entry;
    return addresses.map((address): ResolvedAddress => ({ address, family: address.includes(':') ? 6 : 4 }));
  };
  return { resolver, calls };
}

export interface Attempt {
  url: string;
  address: string;
  headers: Record<string, string>;
}

/**
 * Records every connection attempt and answers it from the loopback test server, whatever (vetted, public)
 * address the fetcher chose: non-loopback addresses never see traffic, but the HTTP exchange is real.
 */
export function bridgeConnector(server: TestServer): { connector: Connector; attempts: Attempt[] } {
  const attempts: Attempt[] = [];
  const connector: Connector = (request: ConnectRequest) => {
    attempts.push({ url: request.url.href, address: request.address, headers: request.headers });
    const local = new URL(`${request.url.pathname}${request.url.search}`, server.origin);
    return nodeConnector({ ...request, url: local, address: '127.0.0.1', family: 4 });
  };
  return { connector, attempts };
}

/** Records attempts and answers with a tiny HTML page without any network; used where no attempt may happen. */
export function recordingConnector(): { connector: Connector; attempts: Attempt[] } {
  const attempts: Attempt[] = [];
  const connector: Connector = async (request) => {
    attempts.push({ url: request.url.href, address: request.address, headers: request.headers });
    return {
      status: 200,
      headers: { 'content-type': 'text/html' },
      body: Readable.from([Buffer.from('<html><body>reached</body></html>')]),
    };
  };
  return { connector, attempts };
}

/** A sleep that records the requested delays and returns at once, advancing an optional fake clock. */
export function recordingSleep(clock?: { now: number }): {
  sleep: (ms: number) => Promise<void>;
  delays: number[];
} {
  const delays: number[] = [];
  return {
    delays,
    sleep: async (ms) => {
      delays.push(ms);
      if (clock) clock.now += ms;
    },
  };
}

export const PUBLIC_IP = '93.184.216.34';

/** The PipelineError a promise rejects with; fails the test when it resolves or rejects with anything else. */
export async function fetchError(promise: Promise<unknown>): Promise<PipelineError> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(PipelineError);
    return error as PipelineError;
  }
  throw new Error('expected the fetch to fail');
}

/** Runs a CLI command in process, capturing its stdout lines (parsed as JSON too) and stderr lines. */
export async function runCli(run: (args: string[], io: CliIO) => Promise<number>, args: string[]) {
  const stdout: string[] = [];
  const stderr: string[] = [];
  const code = await run(args, {
    stdout: (line) => stdout.push(line),
    stderr: (line) => stderr.push(line),
    stdin: new PassThrough(),
  });
  return { code, stdout, stderr, json: stdout.map((line) => JSON.parse(line) as Record<string, unknown>) };
}
