import http from 'node:http';
import https from 'node:https';
import { TRANSIENT_SOCKET_ERRORS } from '../crawl-policy.ts';
import { PipelineError } from '../errors.ts';
import { parseIpAddress } from './address.ts';
import { slotMissed } from './shared-politeness.ts';
import type { Connector, ConnectRequest, ConnectResponse } from './types.ts';

export function connectionError(url: URL, error: unknown): PipelineError {
  if (error instanceof PipelineError) return error;
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  const message = error instanceof Error ? error.message : String(error);
  return new PipelineError('CONNECTION_FAILED', `connection to ${url.host} failed: ${message}`, {
    url: url.href,
    retryable: code !== undefined && TRANSIENT_SOCKET_ERRORS.has(code),
    ...(code === undefined ? {} : { errorCode: code }),
  });
}

/**
 * The default connector: node:http(s) connecting straight to the vetted address, so no second DNS lookup
 * happens (DNS rebinding cannot swap the address). Host header and TLS SNI/certificate name stay the hostname.
 * No agent: every request opens its own connection, so a pooled socket is never reused for another address.
 */
export const nodeConnector: Connector = (request: ConnectRequest) => connect(request, {});

/** A node:http(s) connector with extra TLS trust (e.g. a private CA for tests or an internal deployment). */
export function createNodeConnector(tls: { ca?: string | Buffer | Array<string | Buffer> } = {}): Connector {
  return (request) => connect(request, tls);
}

function connect(request: ConnectRequest, tls: { ca?: string | Buffer | Array<string | Buffer> }) {
  return new Promise<ConnectResponse>((resolve, reject) => {
    const { url, address, family, signal, inTime } = request;
    // Past the host's turn already: no connection at all (the host would see one with no request on it).
    if (inTime?.() === false) {
      reject(slotMissed(url));
      return;
    }
    const isHttps = url.protocol === 'https:';
    const hostname = url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname;
    const started = performance.now();
    let connectMs: number | undefined;
    let settled = false;
    const fail = (error: unknown) => {
      clearTimeout(connectTimer);
      if (settled) return;
      settled = true;
      reject(
        signal.aborted && signal.reason instanceof PipelineError
          ? signal.reason
          : connectionError(url, error),
      );
    };
    const options: https.RequestOptions = {
      host: address,
      family,
      port: url.port === '' ? (isHttps ? 443 : 80) : Number(url.port),
      path: `${url.pathname}${url.search}`,
      method: 'GET',
      headers: { ...request.headers, host: url.host },
      agent: false,
      signal,
      // SNI must be a name, never an IP literal.
      ...(isHttps && parseIpAddress(hostname) === undefined ? { servername: hostname } : {}),
      ...(tls.ca === undefined ? {} : { ca: tls.ca }),
    };
    const req = (isHttps ? https : http).request(options);
    const connectTimer = setTimeout(() => {
      req.destroy(
        new PipelineError(
          'TIMEOUT',
          `connecting to ${url.host} took longer than ${request.connectTimeoutMs} ms`,
          {
            url: url.href,
            retryable: true,
          },
        ),
      );
    }, request.connectTimeoutMs);
    req.on('socket', (socket) => {
      socket.once(isHttps ? 'secureConnect' : 'connect', () => {
        clearTimeout(connectTimer);
        connectMs = performance.now() - started;
        if (inTime === undefined) return;
        // The request is written here, once connected, and only while its turn holds: the connection opens at once,
        // but this callback runs when the event loop gets to it, which an extraction holding the loop delays.
        if (inTime()) req.end();
        else req.destroy(slotMissed(url));
      });
    });
    req.on('response', (response) => {
      clearTimeout(connectTimer);
      if (settled) {
        response.destroy();
        return;
      }
      settled = true;
      resolve({ status: response.statusCode ?? 0, headers: response.headers, body: response, connectMs });
    });
    req.on('error', fail);
    // With a turn to keep, the request is ended (its headers written) at the connection, above.
    if (inTime === undefined) req.end();
  });
}
