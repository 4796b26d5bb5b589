import type { Readable } from 'node:stream';
import type { PipelineError } from '../errors.ts';
import type { HostSlot } from './host-slots.ts';

/** A resolved address, as dns.lookup returns it. */
export interface ResolvedAddress {
  address: string;
  family: 4 | 6;
}

/** Resolves a host name to every address it has. Injectable so tests can point any name anywhere. */
export type Resolver = (hostname: string) => Promise<ResolvedAddress[]>;

/** One HTTP GET to an address the guard has already vetted. */
export interface ConnectRequest {
  url: URL;
  /** The vetted address to connect to; the connector must not resolve `url.hostname` again. */
  address: string;
  family: 4 | 6;
  headers: Record<string, string>;
  signal: AbortSignal;
  connectTimeoutMs: number;
  /**
   * The host's turn (HostTurn.inTime): asked synchronously just before the connection is opened and again just
   * before the request is written. False: the connector sends nothing (no connection, or the connection closed
   * unsent) and rejects with slotMissed().
   */
  inTime?: () => boolean;
}

export interface ConnectResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  /** The raw (still content-encoded) body. */
  body: Readable;
  connectMs?: number;
}

/**
 * Opens the connection and sends the request. The default (nodeConnector) dials the vetted IP address itself,
 * so no lookup happens; tests inject a recording connector so that no blocked address ever sees traffic.
 */
export type Connector = (request: ConnectRequest) => Promise<ConnectResponse>;

/**
 * A host's turn, as acquire resolves to it: the function releases it (called once the response is read). A turn on
 * the shared token also says whether the request may still leave (`inTime`, asked by the connector as it connects
 * and as it writes): a slot holds only so long after it began, whatever kept the event loop from sending in it.
 */
export type HostTurn = (() => void) & { inTime?: () => boolean };

/** Called before every request (each redirect hop too); resolves to the host's turn, released afterwards. */
export interface Politeness {
  /** `reserved`: a slot the crawl reserved for this request (host-slots.ts); used only if still valid. */
  acquire(url: URL, signal?: AbortSignal, reserved?: HostSlot): Promise<HostTurn>;
  /** Told of every non-2xx answer: a 429 or 503 (with its Retry-After) slows the host down for every worker. */
  backOff?(url: URL, status: number, retryAfterMs: number | undefined): Promise<void>;
  /**
   * Without any I/O: HOST_BUSY (with its put-back delay) when this instance already knows the host is busy past its
   * next slot, as acquire would throw; undefined otherwise. Lets a caller put a message back before reading state.
   */
  knownBusy?(url: URL, reserved?: HostSlot): PipelineError | undefined;
  /**
   * Without any I/O: until when this instance knows the host's token is held (its own last booking, or a refusal's
   * answer), or undefined. Lets the crawl start a reserved block after its own feed fetch's booking, which the token
   * would refuse it (one wasted write per host and crawl).
   */
  busyUntilMs?(host: string): number | undefined;
}

export type Accept = 'html' | 'xml' | 'any';

export interface FetchOptions {
  /** Defaults to DEFAULT_USER_AGENT from lib/config.ts. */
  userAgent?: string;
  /**
   * Lets the fetcher reach loopback, RFC 1918, CGNAT and unique-local addresses on any port (public hosts keep
   * allowedPorts). Never link-local or metadata addresses.
   */
  allowPrivateNetwork?: boolean;
  /**
   * Origins (scheme://host[:port]) trusted on any port and on loopback, private, CGNAT or unique-local addresses,
   * e.g. http://127.0.0.1:8080. Never link-local or metadata addresses.
   */
  allowedOrigins?: string[];
  /** Ports allowed for public hosts; default 80 and 443. */
  allowedPorts?: number[];
  validators?: { etag?: string; lastModified?: string };
  /** 'html' (default) accepts text/html and application/xhtml+xml; 'xml' accepts feeds and sitemaps. */
  accept?: Accept;
  /** Cap on the decoded body; default 5 MiB. */
  maxBytes?: number;
  /** Cap on one attempt, from connect to the last body byte; default 30 s. */
  timeoutMs?: number;
  /** Cap on opening the connection; default 10 s. */
  connectTimeoutMs?: number;
  /** Default 5. */
  maxRedirects?: number;
  /** Retries after the first attempt on timeouts, connection errors, 429 and 5xx; default 2. */
  retries?: number;
  /** Base of the exponential backoff; default 500 ms. */
  retryBaseDelayMs?: number;
  /** Longest wait before a retry, Retry-After included; a longer Retry-After gives up at once. Default 30 s. */
  maxRetryDelayMs?: number;
  resolver?: Resolver;
  connector?: Connector;
  politeness?: Politeness;
  /** A request slot the crawl reserved for this URL's first request (not for redirects or retries). */
  hostSlot?: HostSlot;
  /** Injectable so tests never wait; receives every backoff delay. */
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  /** Injectable jitter source in [0, 1); default Math.random. */
  random?: () => number;
  /** Aborts the whole fetch, retries included. */
  signal?: AbortSignal;
  /**
   * Streams the decoded body to this consumer instead of returning it (the result's body is then empty), so a
   * sitemap of any size is read in bounded memory; the consumer's awaits hold the socket back. maxBytes and
   * timeoutMs still bound what is read. A retried attempt streams again from the start.
   */
  consumeBody?: (chunks: AsyncIterable<Buffer>, response: StreamedResponse) => Promise<void>;
}

/** What a body consumer knows of the response it reads. */
export interface StreamedResponse {
  url: string;
  contentType?: string;
}

export interface FetchTimings {
  dnsMs?: number;
  connectMs?: number;
  firstByteMs?: number;
  totalMs: number;
}

export interface FetchResult {
  requestedUrl: string;
  /** The final URL after redirects. */
  url: string;
  status: number;
  /** True for a 304 answer to a conditional request; the body is then empty. */
  notModified: boolean;
  headers: Record<string, string>;
  contentType?: string;
  charset?: string;
  /** The decoded (decompressed) body. */
  body: Uint8Array;
  etag?: string;
  lastModified?: string;
  /** Every URL redirected from, in order (excluding the final URL). */
  redirects: string[];
  timings: FetchTimings;
  /** 1 when the first attempt succeeded. */
  attempts: number;
}
