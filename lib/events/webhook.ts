import { createHmac, randomUUID, timingSafeEqual } from 'node:crypto';
import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import { request as httpRequest, type IncomingMessage, type RequestOptions } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { isIP, type LookupFunction } from 'node:net';
import { isTransientStatus } from '../core/crawl-policy.ts';
import { PipelineError } from '../core/errors.ts';
import {
  ARTICLE_EVENT_SOURCE,
  ARTICLE_INGESTED_DETAIL_TYPE,
  type ArticleEventPublisher,
  type ArticleIngestedDetail,
} from '../core/events.ts';
import {
  type AddressVerdict,
  classifyAddress,
  describeVerdict,
  PRIVATE_NETWORK_CATEGORIES,
} from '../core/fetch/address.ts';
import { parseHttpUrl } from '../core/url.ts';
import { checkedDetail } from './detail.ts';
import { WEBHOOK_HEADERS, type WebhookEnvelope } from './envelope.ts';

export { WEBHOOK_HEADERS, WebhookEnvelope } from './envelope.ts';

/**
 * Delivers ArticleIngested as an HTTP POST to one configured URL (the embedded stack's `--webhook URL`).
 *
 * Body: an EventBridge-shaped envelope `{version, id, detail-type, source, time, detail}`, so one consumer can
 * take events from either. Signed: `X-Article-Pipeline-Signature: sha256=<hex HMAC-SHA256(secret,
 * "<timestamp>.<body>")>` with `X-Article-Pipeline-Timestamp` (seconds), so the receiver can check origin and
 * freshness (see verifyWebhookSignature). No redirects are followed; the address is vetted after DNS
 * resolution and the connection is pinned to the vetted address, so a name cannot be re-pointed at an
 * internal service in between.
 */

export interface WebhookPublisherOptions {
  url: string;
  /** Signs every delivery; share it with the receiver. At least 16 characters. */
  secret: string;
  timeoutMs?: number;
  /** Loopback and private addresses are refused unless set (the embedded stack on one machine sets it). */
  allowPrivateNetwork?: boolean;
  userAgent?: string;
  now?: () => Date;
}

const DEFAULT_TIMEOUT_MS = 5_000;
const MAX_RESPONSE_BYTES = 64 * 1024;

/**
 * Why an address is refused, or undefined when it may be used. Judged by the fetcher's one table of ranges
 * (lib/core/fetch/address.ts), so the webhook cannot reach what the fetcher may not: link-local (cloud
 * metadata) and reserved ranges always, loopback and private networks only with allowPrivateNetwork.
 */
export function refusedAddressReason(address: string, allowPrivateNetwork: boolean): string | undefined {
  let verdict: AddressVerdict;
  try {
    verdict = classifyAddress(address);
  } catch {
    return `${address} is not an IP address`;
  }
  if (verdict.category === 'public') return undefined;
  const privateNetwork = PRIVATE_NETWORK_CATEGORIES.has(verdict.category);
  if (privateNetwork && allowPrivateNetwork) return undefined;
  return `${describeVerdict(verdict)}${privateNetwork ? ' (allowPrivateNetwork is off)' : ''}`;
}

function guardedLookup(allowPrivateNetwork: boolean): LookupFunction {
  return (hostname, options, callback) => {
    dnsLookup(hostname, { all: true, family: options.family ?? 0 }, (error, addresses: LookupAddress[]) => {
      if (error) return callback(error, '', 0);
      // Every address must pass: otherwise a name with one public and one internal address could still reach in.
      for (const { address } of addresses) {
        const reason = refusedAddressReason(address, allowPrivateNetwork);
        if (reason) {
          return callback(
            Object.assign(new Error(`webhook host ${hostname}: ${reason}`), { code: 'EBLOCKED' }),
            '',
            0,
          );
        }
      }
      const first = addresses[0];
      if (!first)
        return callback(Object.assign(new Error(`no address for ${hostname}`), { code: 'ENOTFOUND' }), '', 0);
      if (options.all) return (callback as unknown as (e: null, a: LookupAddress[]) => void)(null, addresses);
      return callback(null, first.address, first.family);
    });
  };
}

export function signWebhookBody(secret: string, timestamp: number, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`;
}

/** For receivers: true when the signature matches and the timestamp is within the tolerance. */
export function verifyWebhookSignature(input: {
  secret: string;
  body: string;
  timestamp: string | undefined;
  signature: string | undefined;
  toleranceSeconds?: number;
  now?: Date;
}): boolean {
  if (input.timestamp === undefined || input.signature === undefined) return false;
  if (!/^\d{1,12}$/.test(input.timestamp)) return false;
  const timestamp = Number(input.timestamp);
  const nowSeconds = Math.floor((input.now ?? new Date()).getTime() / 1000);
  if (Math.abs(nowSeconds - timestamp) > (input.toleranceSeconds ?? 300)) return false;
  const expected = Buffer.from(signWebhookBody(input.secret, timestamp, input.body));
  const given = Buffer.from(input.signature);
  return given.length === expected.length && timingSafeEqual(given, expected);
}

export class WebhookPublisher implements ArticleEventPublisher {
  readonly #url: URL;
  readonly #secret: string;
  readonly #timeoutMs: number;
  readonly #allowPrivateNetwork: boolean;
  readonly #userAgent: string;
  readonly #now: () => Date;

  constructor(options: WebhookPublisherOptions) {
    this.#url = parseHttpUrl(options.url);
    if (options.secret.length < 16) {
      throw new PipelineError('INTERNAL', 'the webhook signing secret must be at least 16 characters');
    }
    this.#secret = options.secret;
    this.#timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    this.#allowPrivateNetwork = options.allowPrivateNetwork ?? false;
    this.#userAgent = options.userAgent ?? 'article-pipeline-webhook/1';
    this.#now = options.now ?? (() => new Date());
    // An IP literal skips DNS (and so the guarded lookup): judge it here.
    const literal = this.#url.hostname.replace(/^\[|\]$/g, '');
    if (isIP(literal) !== 0) {
      const reason = refusedAddressReason(literal, this.#allowPrivateNetwork);
      if (reason) throw new PipelineError('BLOCKED_ADDRESS', `webhook URL refused: ${reason}`);
    }
  }

  async publishArticleIngested(detail: ArticleIngestedDetail): Promise<void> {
    const checked = checkedDetail(detail);
    const envelope: WebhookEnvelope = {
      version: '0',
      id: randomUUID(),
      'detail-type': ARTICLE_INGESTED_DETAIL_TYPE,
      source: ARTICLE_EVENT_SOURCE,
      time: this.#now().toISOString(),
      detail: checked,
    };
    const body = JSON.stringify(envelope);
    const timestamp = Math.floor(this.#now().getTime() / 1000);
    const headers = {
      'content-type': 'application/json; charset=utf-8',
      'content-length': String(Buffer.byteLength(body)),
      'user-agent': this.#userAgent,
      [WEBHOOK_HEADERS.event]: ARTICLE_INGESTED_DETAIL_TYPE,
      [WEBHOOK_HEADERS.delivery]: envelope.id,
      [WEBHOOK_HEADERS.timestamp]: String(timestamp),
      [WEBHOOK_HEADERS.signature]: signWebhookBody(this.#secret, timestamp, body),
    };
    const status = await this.#post(body, headers);
    if (status < 200 || status > 299) {
      throw new PipelineError('HTTP_ERROR', `webhook ${this.#url.origin} answered ${status}`, {
        status,
        url: this.#url.href,
        retryable: isTransientStatus(status),
      });
    }
  }

  #post(body: string, headers: Record<string, string>): Promise<number> {
    const url = this.#url;
    const options: RequestOptions = {
      method: 'POST',
      headers,
      lookup: guardedLookup(this.#allowPrivateNetwork),
      signal: AbortSignal.timeout(this.#timeoutMs),
      agent: false,
    };
    const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
    return new Promise<number>((resolve, reject) => {
      const request = send(url, options, (response: IncomingMessage) => {
        let received = 0;
        // The receiver's body is not used; read (and cap) it so the socket is released.
        response.on('data', (chunk: Buffer) => {
          received += chunk.length;
          if (received > MAX_RESPONSE_BYTES) response.destroy();
        });
        response.on('end', () => resolve(response.statusCode ?? 0));
        response.on('close', () => resolve(response.statusCode ?? 0));
        response.on('error', () => resolve(response.statusCode ?? 0));
      });
      request.on('error', (error: NodeJS.ErrnoException) => {
        const timedOut = error.name === 'AbortError' || error.name === 'TimeoutError';
        const blocked = error.code === 'EBLOCKED';
        reject(
          new PipelineError(
            timedOut ? 'TIMEOUT' : blocked ? 'BLOCKED_ADDRESS' : 'CONNECTION_FAILED',
            timedOut ? `webhook ${url.origin} did not answer within ${this.#timeoutMs} ms` : error.message,
            { url: url.href, retryable: !blocked },
            { cause: error },
          ),
        );
      });
      request.end(body);
    });
  }
}

/**
 * Forwards every event published on the embedded stack's in-process bus to a webhook (`--webhook URL`).
 * Delivery failures reach the bus's onListenerError and never fail an ingest. Returns the unsubscribe.
 */
export function forwardToWebhook(
  bus: { subscribe(listener: (detail: ArticleIngestedDetail) => Promise<void>): () => void },
  webhook: ArticleEventPublisher,
): () => void {
  return bus.subscribe((detail) => webhook.publishArticleIngested(detail));
}
