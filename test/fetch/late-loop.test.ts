import { afterEach, describe, expect, it } from 'vitest';
import { nodeConnector } from '../../lib/core/fetch/connector.ts';
import { createFetcher, type HostTokenStore } from '../../lib/core/fetch/index.ts';
import { isSlotMissed } from '../../lib/core/fetch/shared-politeness.ts';
import type { Connector, ConnectRequest } from '../../lib/core/fetch/types.ts';
import {
  bridgeConnector,
  fakeResolver,
  fetchError,
  PUBLIC_IP,
  startServer,
  type TestServer,
} from './helpers.ts';

// A request keeps its host's turn where it is written, however late the event loop gets to it: the token books
// interval + slack, and the connector sends only within the slack (HostTurn.inTime), at the connection and again
// at the write.

const servers: TestServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => server.close()));
});

/** A loopback server recording when (performance.now()) each request's headers were read, and its path. */
async function timedServer() {
  const seen: Array<{ path: string; atMs: number }> = [];
  const server = await startServer((request, response) => {
    seen.push({ path: request.url ?? '', atMs: performance.now() });
    response.writeHead(200, { 'content-type': 'text/html' }).end('<html><body><p>page</p></body></html>');
  });
  servers.push(server);
  return { server, seen };
}

function request(server: TestServer, inTime: () => boolean): ConnectRequest {
  return {
    url: new URL('/story', server.origin),
    address: '127.0.0.1',
    family: 4,
    headers: { 'user-agent': 'test' },
    signal: new AbortController().signal,
    connectTimeoutMs: 5000,
    inTime,
  };
}

/** Holds this thread for `ms`, as a long extraction does. */
function blockLoop(ms: number): void {
  const until = performance.now() + ms;
  while (performance.now() < until) {
    // busy
  }
}

/** The in-memory token (the table's semantics: taken when passed, held only forward). */
function memoryTokens(): HostTokenStore {
  const next = new Map<string, number>();
  return {
    async take(host, nowMs, intervalMs) {
      const until = next.get(host);
      if (until !== undefined && until > nowMs) return { taken: false, nextAllowedAtMs: until };
      next.set(host, nowMs + intervalMs);
      return { taken: true };
    },
    async holdUntil(host, untilMs) {
      if ((next.get(host) ?? 0) < untilMs) next.set(host, untilMs);
    },
  };
}

describe('the connector keeps the turn', () => {
  it('past the turn before connecting: no connection at all', async () => {
    const { server } = await timedServer();
    const error = await fetchError(nodeConnector(request(server, () => false)));
    expect(isSlotMissed(error)).toBe(true);
    expect(server.connections).toBe(0);
  });

  it('past the turn once connected: the connection closes with nothing written', async () => {
    const { server } = await timedServer();
    const asked: boolean[] = [];
    const error = await fetchError(
      nodeConnector(
        request(server, () => {
          asked.push(asked.length === 0);
          return asked.length === 1;
        }),
      ),
    );
    expect(isSlotMissed(error)).toBe(true);
    expect(asked).toEqual([true, false]);
    expect(server.connections).toBe(1);
    expect(server.requests).toHaveLength(0);
  });

  it('within the turn: asked at the connection and at the write, and answered', async () => {
    const { server, seen } = await timedServer();
    let asked = 0;
    const response = await nodeConnector(request(server, () => ++asked > 0));
    response.body.resume();
    expect(response.status).toBe(200);
    expect(asked).toBe(2);
    expect(seen.map(({ path }) => path)).toEqual(['/story']);
  });
});

describe('a host’s interval when the event loop is held', () => {
  it('a request whose write the loop delayed past its slot is not sent; the next taker’s keeps the interval', async () => {
    const INTERVAL = 500;
    const { server, seen } = await timedServer();
    const tokens = memoryTokens();
    const { resolver } = fakeResolver({ 'news.example': [PUBLIC_IP] });
    const bridge = bridgeConnector(server).connector;
    const instance = (connector: Connector) =>
      createFetcher({
        connector,
        resolver,
        minIntervalMs: INTERVAL,
        respectRobots: false,
        retries: 0,
        // Crawl tasks: they wait their turn rather than put a message back, so both requests go out.
        shared: { tokens, maxWaitMs: 20_000 },
      });
    // Another worker, asking for the host as soon as the loop is free again: the first slot's interval is over,
    // the token is free, and it sends a write's lead later.
    const other = instance(bridge);
    let second: Promise<unknown> | undefined;
    // The first request's connection opens, then (before the loop gets back to write its headers) an extraction
    // holds the loop for four intervals; the connection is accepted meanwhile all the same.
    const held: Connector = (connect) => {
      const response = bridge(connect);
      if (second === undefined) {
        process.nextTick(() =>
          process.nextTick(() => {
            blockLoop(4 * INTERVAL);
            second = other.fetch('http://news.example/second');
          }),
        );
      }
      return response;
    };
    await instance(held).fetch('http://news.example/first');
    await second;
    // Written as the loop came back, the first request would have reached the host a few ms before the second.
    expect(seen.map(({ path }) => path).sort()).toEqual(['/first', '/second']);
    const [a, b] = seen.map(({ atMs }) => atMs) as [number, number];
    expect(Math.abs(b - a)).toBeGreaterThanOrEqual(INTERVAL);
    // Its connection was closed unwritten, and it was sent in a later turn (a loaded machine may make either miss
    // another).
    expect(server.connections).toBeGreaterThanOrEqual(3);
  });
});
