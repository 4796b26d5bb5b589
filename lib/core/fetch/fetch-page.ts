import { DEFAULT_USER_AGENT } from '../../config.ts';
import { CRAWL_POLICY, isTransientStatus } from '../crawl-policy.ts';
import { PipelineError } from '../errors.ts';
import { DEFAULT_MAX_BYTES, readBody } from './body.ts';
import { nodeConnector } from './connector.ts';
import { type AddressPolicy, checkUrl, createAddressPolicy, resolveAndVet, systemResolver } from './guard.ts';
import type { HostSlot } from './host-slots.ts';
import { backoffDelay, defaultSleep, parseRetryAfter } from './retry.ts';
import { isSlotMissed, slotMissed } from './shared-politeness.ts';
import type { Accept, ConnectResponse, FetchOptions, FetchResult } from './types.ts';

export const FETCH_DEFAULTS = {
  maxBytes: DEFAULT_MAX_BYTES,
  timeoutMs: 30_000,
  connectTimeoutMs: 10_000,
  maxRedirects: 5,
  retries: CRAWL_POLICY.fetchRetry.retries,
  retryBaseDelayMs: CRAWL_POLICY.fetchRetry.baseMs,
  maxRetryDelayMs: CRAWL_POLICY.fetchRetry.maxMs,
} as const;

/** Turns a fetch may miss (its event loop late past each) before it gives up with HOST_BUSY. */
const MAX_MISSED_TURNS = 3;

const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);

const HTML_TYPES = new Set(['text/html', 'application/xhtml+xml']);
const XML_TYPES = new Set([
  'application/xml',
  'text/xml',
  'text/plain',
  'application/gzip',
  'application/x-gzip',
  'application/octet-stream',
]);

const ACCEPT_HEADERS: Record<Accept, string> = {
  html: 'text/html,application/xhtml+xml;q=0.9,*/*;q=0.1',
  xml: 'application/rss+xml,application/atom+xml,application/xml;q=0.9,text/xml;q=0.9,*/*;q=0.1',
  any: '*/*',
};

interface Settings {
  policy: AddressPolicy;
  userAgent: string;
  accept: Accept;
  maxBytes: number;
  timeoutMs: number;
  connectTimeoutMs: number;
  maxRedirects: number;
  retries: number;
  retryBaseDelayMs: number;
  maxRetryDelayMs: number;
  options: FetchOptions;
}

function parseContentType(value: string | undefined): { mediaType?: string; charset?: string } {
  if (value === undefined || value.trim() === '') return {};
  const [type = '', ...params] = value.split(';');
  const mediaType = type.trim().toLowerCase() || undefined;
  let charset: string | undefined;
  for (const param of params) {
    const [name = '', raw = ''] = param.split('=');
    if (name.trim().toLowerCase() === 'charset') {
      charset =
        raw
          .trim()
          .replace(/^["']|["']$/g, '')
          .toLowerCase() || undefined;
    }
  }
  return { mediaType, charset };
}

function flattenHeaders(headers: ConnectResponse['headers']): Record<string, string> {
  const flat: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined) continue;
    flat[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : value;
  }
  return flat;
}

/** True when the start of a body looks like an HTML document (for responses that name no type). */
function looksLikeHtml(body: Uint8Array): boolean {
  const head = Buffer.from(body.subarray(0, 1024)).toString('latin1').trimStart().toLowerCase();
  return /^(<!--.*?-->\s*)*(<!doctype html|<html|<head|<body)/s.test(head);
}

/** Refuses a response whose type does not fit what the caller asked for, before its body is read. */
function checkType(mediaType: string | undefined, accept: Accept, url: string): void {
  if (accept === 'any' || mediaType === undefined) return;
  if (accept === 'html' && !HTML_TYPES.has(mediaType)) {
    throw new PipelineError('NOT_HTML', `expected an HTML page, got ${mediaType}`, {
      url,
      contentType: mediaType,
      retryable: false,
    });
  }
  if (accept === 'xml' && !XML_TYPES.has(mediaType) && !mediaType.endsWith('+xml')) {
    throw new PipelineError('FEED_INVALID', `expected a feed or sitemap (XML), got ${mediaType}`, {
      url,
      contentType: mediaType,
      retryable: false,
    });
  }
}

function settingsFor(options: FetchOptions): Settings {
  return {
    policy: createAddressPolicy(options),
    userAgent: options.userAgent ?? DEFAULT_USER_AGENT,
    accept: options.accept ?? 'html',
    maxBytes: options.maxBytes ?? FETCH_DEFAULTS.maxBytes,
    timeoutMs: options.timeoutMs ?? FETCH_DEFAULTS.timeoutMs,
    connectTimeoutMs: options.connectTimeoutMs ?? FETCH_DEFAULTS.connectTimeoutMs,
    maxRedirects: options.maxRedirects ?? FETCH_DEFAULTS.maxRedirects,
    retries: options.retries ?? FETCH_DEFAULTS.retries,
    retryBaseDelayMs: options.retryBaseDelayMs ?? FETCH_DEFAULTS.retryBaseDelayMs,
    maxRetryDelayMs: options.maxRetryDelayMs ?? FETCH_DEFAULTS.maxRetryDelayMs,
    options,
  };
}

function parseStartUrl(raw: string): URL {
  try {
    return new URL(raw.trim());
  } catch {
    throw new PipelineError('INVALID_URL', `not a valid URL: ${JSON.stringify(raw.slice(0, 200))}`, {
      retryable: false,
    });
  }
}

/**
 * Fetches one page safely: every hop's host is resolved and every address vetted before connecting to exactly
 * that address; redirects, size, time and content type are bounded; transient failures are retried with
 * backoff. Throws PipelineError (see docs/fetcher.md for the codes); a 304 is a result with notModified.
 */
export async function fetchPage(rawUrl: string, options: FetchOptions = {}): Promise<FetchResult> {
  const settings = settingsFor(options);
  const startUrl = parseStartUrl(rawUrl);
  checkUrl(startUrl, settings.policy);
  const sleep = options.sleep ?? defaultSleep;
  const random = options.random ?? Math.random;
  const started = performance.now();
  let failed: PipelineError | undefined;
  let missedTurns = 0;
  for (let attempt = 0; ; attempt++) {
    try {
      // A reserved slot covers the first request only: a retry takes the host's token like any request.
      const result = await fetchOnce(
        startUrl,
        rawUrl,
        settings,
        started,
        attempt === 0 ? options.hostSlot : undefined,
      );
      return { ...result, attempts: attempt + 1 };
    } catch (caught) {
      if (options.signal?.aborted) {
        throw new PipelineError(
          'TIMEOUT',
          'the fetch was aborted by its caller',
          {
            url: startUrl.href,
            retryable: true,
          },
          { cause: options.signal.reason },
        );
      }
      const error =
        caught instanceof PipelineError
          ? caught
          : new PipelineError(
              'INTERNAL',
              `fetch failed: ${String(caught)}`,
              { url: startUrl.href },
              { cause: caught },
            );
      // Not sent: the event loop got to the request after its turn on the host had passed. Taken again at once, not
      // counted as an attempt (nothing reached the host): ingest's take puts the message back, the crawl waits.
      if (isSlotMissed(error) && missedTurns < MAX_MISSED_TURNS) {
        missedTurns++;
        attempt--;
        continue;
      }
      // A retry refused by shared politeness (the host's next slot is later) ends with the failure it was
      // retrying: putting the message back instead would retry a failing host forever, uncounted.
      if (error.code === 'HOST_BUSY' && failed !== undefined) throw failed;
      if (error.details.retryable !== true || attempt >= settings.retries || options.signal?.aborted)
        throw error;
      failed = error;
      const retryAfterMs =
        typeof error.details.retryAfterMs === 'number' ? error.details.retryAfterMs : undefined;
      if (retryAfterMs !== undefined && retryAfterMs > settings.maxRetryDelayMs) throw error;
      const delay = Math.max(
        retryAfterMs ?? 0,
        backoffDelay(attempt, settings.retryBaseDelayMs, settings.maxRetryDelayMs, random),
      );
      await sleep(Math.min(delay, settings.maxRetryDelayMs), options.signal);
    }
  }
}

/** A timer that aborts with TIMEOUT, linked to the caller's signal. */
function deadline(ms: number, message: string, url: URL, outer: AbortSignal | undefined) {
  const controller = new AbortController();
  const timer = setTimeout(() => {
    controller.abort(new PipelineError('TIMEOUT', message, { url: url.href, retryable: true }));
  }, ms);
  return {
    signal: outer === undefined ? controller.signal : AbortSignal.any([controller.signal, outer]),
    expired: controller.signal,
    clear: () => clearTimeout(timer),
  };
}

/** Settles with the promise, or rejects with the signal's reason as soon as it aborts. */
function raceSignal<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(error);
      },
    );
  });
}

/** A timeout can surface as a socket error (reset on abort) or a bare AbortError; it is still a timeout. */
function timeoutOr(error: unknown, expired: AbortSignal): unknown {
  if (!expired.aborted) return error;
  if (!(error instanceof PipelineError) || error.code === 'CONNECTION_FAILED') return expired.reason;
  return error;
}

async function fetchOnce(
  startUrl: URL,
  requestedUrl: string,
  settings: Settings,
  started: number,
  hostSlot: HostSlot | undefined,
): Promise<Omit<FetchResult, 'attempts'>> {
  const { options, policy } = settings;
  const resolver = options.resolver ?? systemResolver;
  const connector = options.connector ?? nodeConnector;
  const redirects: string[] = [];
  const seen = new Set<string>();
  let dnsMs = 0;
  let current = startUrl;
  for (;;) {
    checkUrl(current, policy);
    const dnsStarted = performance.now();
    const lookup = deadline(
      settings.timeoutMs,
      `resolving ${current.hostname} took longer than ${settings.timeoutMs} ms`,
      current,
      options.signal,
    );
    let target: Awaited<ReturnType<typeof resolveAndVet>>;
    try {
      target = await raceSignal(resolveAndVet(current, policy, resolver), lookup.signal);
    } finally {
      lookup.clear();
    }
    dnsMs += performance.now() - dnsStarted;
    // Waiting for robots.txt and for the host's turn is not part of the request's time budget.
    const release = options.politeness
      ? await options.politeness.acquire(current, options.signal, current === startUrl ? hostSlot : undefined)
      : undefined;
    const request = deadline(
      settings.timeoutMs,
      `no complete response from ${current.host} within ${settings.timeoutMs} ms`,
      current,
      options.signal,
    );
    const signal = request.signal;
    const hopStarted = performance.now();
    try {
      const headers: Record<string, string> = {
        'user-agent': settings.userAgent,
        accept: ACCEPT_HEADERS[settings.accept],
        'accept-encoding': 'gzip, deflate, br',
        'accept-language': '*',
      };
      if (options.validators?.etag) headers['if-none-match'] = options.validators.etag;
      if (options.validators?.lastModified) headers['if-modified-since'] = options.validators.lastModified;
      // A connector that does not ask (a test's) is still held to the turn up to here.
      if (release?.inTime?.() === false) throw slotMissed(current);
      const response = await raceSignal(
        connector({
          url: current,
          address: target.address,
          family: target.family,
          headers,
          signal,
          connectTimeoutMs: settings.connectTimeoutMs,
          ...(release?.inTime ? { inTime: release.inTime } : {}),
        }),
        signal,
      );
      const firstByteMs = performance.now() - hopStarted;
      const flat = flattenHeaders(response.headers);
      const location = flat.location;
      if (REDIRECT_STATUSES.has(response.status) && location !== undefined) {
        response.body.destroy();
        current = nextHop(current, location, redirects, seen, settings.maxRedirects);
        continue;
      }
      const { mediaType, charset } = parseContentType(flat['content-type']);
      const base = {
        requestedUrl,
        url: current.href,
        status: response.status,
        headers: flat,
        contentType: mediaType,
        charset,
        etag: flat.etag,
        lastModified: flat['last-modified'],
        redirects,
      };
      const timings = () => ({
        dnsMs,
        connectMs: response.connectMs,
        firstByteMs,
        totalMs: performance.now() - started,
      });
      if (response.status === 304) {
        response.body.destroy();
        return { ...base, notModified: true, body: new Uint8Array(), timings: timings() };
      }
      if (response.status < 200 || response.status > 299) {
        response.body.destroy();
        const error = httpError(current, response.status, flat['retry-after']);
        const retryAfterMs = error.details.retryAfterMs;
        // Best effort: the request's own failure is what the caller needs to hear about.
        await options.politeness
          ?.backOff?.(current, response.status, typeof retryAfterMs === 'number' ? retryAfterMs : undefined)
          .catch(() => {});
        throw error;
      }
      try {
        checkType(mediaType, settings.accept, current.href);
      } catch (error) {
        response.body.destroy();
        throw error;
      }
      const consumeBody = options.consumeBody;
      const streamedUrl = current.href;
      const body = await readBody(response.body, {
        contentEncoding: flat['content-encoding'],
        maxBytes: settings.maxBytes,
        url: current.href,
        signal,
        ...(consumeBody
          ? { consume: (chunks) => consumeBody(chunks, { url: streamedUrl, contentType: mediaType }) }
          : {}),
      });
      if (
        consumeBody === undefined &&
        settings.accept === 'html' &&
        mediaType === undefined &&
        !looksLikeHtml(body)
      ) {
        throw new PipelineError(
          'NOT_HTML',
          'the response names no content type and does not look like HTML',
          {
            url: current.href,
            retryable: false,
          },
        );
      }
      return { ...base, notModified: false, body, timings: timings() };
    } catch (error) {
      throw timeoutOr(error, request.expired);
    } finally {
      request.clear();
      release?.();
    }
  }
}

function nextHop(current: URL, location: string, redirects: string[], seen: Set<string>, max: number): URL {
  let next: URL;
  try {
    next = new URL(location, current);
  } catch {
    throw new PipelineError(
      'INVALID_URL',
      `redirect to an invalid URL ${JSON.stringify(location.slice(0, 200))}`,
      {
        url: current.href,
        retryable: false,
      },
    );
  }
  if (next.protocol !== 'http:' && next.protocol !== 'https:') {
    throw new PipelineError('INVALID_URL', `redirect to a ${next.protocol} URL refused`, {
      url: current.href,
      retryable: false,
    });
  }
  next.hash = '';
  redirects.push(current.href);
  seen.add(current.href);
  if (seen.has(next.href)) {
    throw new PipelineError('REDIRECT_LOOP', `redirect loop: ${[...redirects, next.href].join(' -> ')}`, {
      url: current.href,
      redirects: [...redirects],
      retryable: false,
    });
  }
  if (redirects.length > max) {
    throw new PipelineError('TOO_MANY_REDIRECTS', `more than ${max} redirects`, {
      url: current.href,
      redirects: [...redirects],
      retryable: false,
    });
  }
  return next;
}

function httpError(url: URL, status: number, retryAfter: string | undefined): PipelineError {
  const retryable = isTransientStatus(status);
  const retryAfterMs = retryable ? parseRetryAfter(retryAfter) : undefined;
  return new PipelineError('HTTP_ERROR', `${url.href} answered HTTP ${status}`, {
    url: url.href,
    status,
    retryable,
    ...(retryAfterMs === undefined ? {} : { retryAfterMs }),
  });
}
