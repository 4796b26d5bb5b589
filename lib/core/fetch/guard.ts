import { lookup } from 'node:dns/promises';
import { PipelineError } from '../errors.ts';
import {
  type AddressVerdict,
  classifyAddress,
  describeVerdict,
  PRIVATE_NETWORK_CATEGORIES,
  parseIpAddress,
} from './address.ts';
import type { ResolvedAddress, Resolver } from './types.ts';

/** What may be reached: public addresses on allowed ports, plus whatever the configuration explicitly trusts. */
export interface AddressPolicy {
  allowPrivateNetwork: boolean;
  /** Normalised origins (URL.origin) trusted on any port and on private-network (not link-local) addresses. */
  allowedOrigins: ReadonlySet<string>;
  allowedPorts: ReadonlySet<number>;
}

export const DEFAULT_ALLOWED_PORTS: readonly number[] = [80, 443];

export function createAddressPolicy(options: {
  allowPrivateNetwork?: boolean;
  allowedOrigins?: string[];
  allowedPorts?: number[];
}): AddressPolicy {
  const allowedOrigins = new Set<string>();
  for (const entry of options.allowedOrigins ?? []) {
    let origin: string;
    try {
      origin = new URL(entry).origin;
    } catch {
      throw new PipelineError('INVALID_URL', `allowed origin is not a URL: ${JSON.stringify(entry)}`);
    }
    if (origin === 'null') throw new PipelineError('INVALID_URL', `allowed origin has no origin: ${entry}`);
    allowedOrigins.add(origin);
  }
  return {
    allowPrivateNetwork: options.allowPrivateNetwork === true,
    allowedOrigins,
    allowedPorts: new Set(options.allowedPorts ?? DEFAULT_ALLOWED_PORTS),
  };
}

function effectivePort(url: URL): number {
  if (url.port !== '') return Number(url.port);
  return url.protocol === 'https:' ? 443 : 80;
}

/**
 * Checks what can be judged from the URL alone: scheme and credentials (INVALID_URL), and the port
 * (BLOCKED_ADDRESS) unless allowPrivateNetwork defers that to the address.
 */
export function checkUrl(url: URL, policy: AddressPolicy): void {
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new PipelineError('INVALID_URL', `only http and https URLs are fetched, got ${url.protocol}`, {
      url: url.href,
    });
  }
  if (url.username !== '' || url.password !== '') {
    throw new PipelineError('INVALID_URL', 'URLs with credentials (user:password@) are not fetched', {
      url: redact(url),
    });
  }
  if (url.hostname === '') throw new PipelineError('INVALID_URL', 'URL has no host', { url: url.href });
  // With allowPrivateNetwork, another port may still be fine: resolveAndVet decides once the address is known.
  if (!portAllowed(url, policy) && !policy.allowPrivateNetwork) throw portRefused(url, policy);
}

/** The port is one of the allowed ports, or the whole origin is trusted. */
function portAllowed(url: URL, policy: AddressPolicy): boolean {
  return policy.allowedPorts.has(effectivePort(url)) || policy.allowedOrigins.has(url.origin);
}

function portRefused(url: URL, policy: AddressPolicy, verdict?: AddressVerdict): PipelineError {
  const port = effectivePort(url);
  const allowed = `allowed: ${[...policy.allowedPorts].join(', ')}`;
  const reason =
    verdict === undefined
      ? `(${allowed})`
      : `for ${verdict.address}, a ${verdict.category} address (${allowed}; other ports only on private networks)`;
  return new PipelineError('BLOCKED_ADDRESS', `port ${port} is not allowed ${reason}`, {
    url: url.href,
    port,
    retryable: false,
  });
}

function redact(url: URL): string {
  const copy = new URL(url.href);
  copy.username = '';
  copy.password = '';
  return copy.href;
}

/** Public addresses pass; private-network ones only when configured; link-local, metadata and the rest never. */
function isAllowed(verdict: AddressVerdict, url: URL, policy: AddressPolicy): boolean {
  if (verdict.category === 'public') return true;
  if (!PRIVATE_NETWORK_CATEGORIES.has(verdict.category)) return false;
  return policy.allowPrivateNetwork || policy.allowedOrigins.has(url.origin);
}

/** `localhost` and every name under `.localhost` are loopback by definition (RFC 6761), whatever DNS says. */
function isLocalhostName(host: string): boolean {
  return /(^|\.)localhost\.?$/i.test(host);
}

/** dns.lookup with every address; DNS failures become DNS_FAILED (retryable only when temporary). */
export const systemResolver: Resolver = async (hostname) => {
  try {
    const addresses = await lookup(hostname, { all: true, verbatim: true });
    return addresses.map((entry) => ({ address: entry.address, family: entry.family === 6 ? 6 : 4 }));
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new PipelineError('DNS_FAILED', `could not resolve ${hostname}: ${code ?? String(error)}`, {
      retryable: code === 'EAI_AGAIN',
    });
  }
};

/** The hostname without IPv6 brackets. */
function bareHost(url: URL): string {
  return url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname;
}

/**
 * Resolves the URL's host and vets EVERY address (one bad address refuses the host: an attacker controlling DNS
 * could otherwise make the connection fall back to it). Returns the address to connect to.
 */
export async function resolveAndVet(
  url: URL,
  policy: AddressPolicy,
  resolver: Resolver,
): Promise<ResolvedAddress> {
  const host = bareHost(url);
  const literal = parseIpAddress(host);
  let candidates: ResolvedAddress[];
  if (literal !== undefined) {
    candidates = [{ address: host, family: literal.length === 4 ? 4 : 6 }];
  } else if (isLocalhostName(host)) {
    candidates = [{ address: '127.0.0.1', family: 4 }];
  } else {
    try {
      candidates = await resolver(host);
    } catch (error) {
      if (error instanceof PipelineError) throw error;
      throw new PipelineError('DNS_FAILED', `could not resolve ${host}: ${String(error)}`, {
        url: url.href,
        retryable: false,
      });
    }
    if (candidates.length === 0) {
      throw new PipelineError('DNS_FAILED', `${host} has no addresses`, { url: url.href, retryable: false });
    }
  }
  let first: ResolvedAddress | undefined;
  for (const candidate of candidates) {
    let verdict: AddressVerdict;
    try {
      verdict = classifyAddress(candidate.address);
    } catch {
      throw new PipelineError('BLOCKED_ADDRESS', `${host} resolved to something that is not an IP address`, {
        url: url.href,
        address: candidate.address,
      });
    }
    if (!isAllowed(verdict, url, policy)) {
      const name = literal === undefined ? `${host} resolves to ` : '';
      throw new PipelineError('BLOCKED_ADDRESS', `refused: ${name}${describeVerdict(verdict)}`, {
        url: url.href,
        address: verdict.address,
        category: verdict.category,
        retryable: false,
      });
    }
    if (!portAllowed(url, policy) && !PRIVATE_NETWORK_CATEGORIES.has(verdict.category)) {
      throw portRefused(url, policy, verdict);
    }
    // Connect to the normalised spelling, never to the text the resolver gave us.
    // An IPv4-mapped address is an IPv4 host; dial it as IPv4 so hosts without IPv6 can reach it.
    const mapped =
      verdict.family === 6 && verdict.address.startsWith('::ffff:') ? verdict.embeddedIpv4 : undefined;
    first ??=
      mapped === undefined
        ? { address: verdict.address, family: verdict.family }
        : { address: mapped, family: 4 };
  }
  if (first === undefined)
    throw new PipelineError('DNS_FAILED', `${host} has no addresses`, { url: url.href });
  return first;
}
