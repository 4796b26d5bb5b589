import { PipelineError } from './errors.ts';
import { sha256Hex } from './hash.ts';

/** Query parameters that only track the visitor; they never change which article a URL names. */
const TRACKING_PARAMS = new Set([
  'fbclid',
  'gclid',
  'gclsrc',
  'dclid',
  'gbraid',
  'wbraid',
  'msclkid',
  'twclid',
  'ttclid',
  'yclid',
  'igshid',
  'mc_cid',
  'mc_eid',
  'mkt_tok',
  '_hsenc',
  '_hsmi',
  '__hstc',
  '__hssc',
  '__hsfp',
  'hsctatracking',
  '_ga',
  '_gl',
  'oly_anon_id',
  'oly_enc_id',
  'vero_id',
  'vero_conv',
  'rb_clickid',
  's_cid',
  'ncid',
  'cmpid',
  'ocid',
  'sr_share',
  'smid',
  'ref_src',
  'ref_url',
  'share',
  'spm',
  'at_medium',
  'at_campaign',
]);

const TRACKING_PREFIXES = ['utm_', 'pk_', 'piwik_', 'mtm_', 'matomo_', 'at_', 'ga_', 'hmb_'];

export function isTrackingParam(name: string): boolean {
  const lower = name.toLowerCase();
  return TRACKING_PARAMS.has(lower) || TRACKING_PREFIXES.some((prefix) => lower.startsWith(prefix));
}

/** Parses an absolute http(s) URL, or throws INVALID_URL with a message that says why. */
export function parseHttpUrl(raw: string, base?: string): URL {
  let url: URL;
  try {
    url = base === undefined ? new URL(raw.trim()) : new URL(raw.trim(), base);
  } catch {
    throw new PipelineError('INVALID_URL', `not a valid URL: ${JSON.stringify(raw.slice(0, 200))}`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new PipelineError('INVALID_URL', `only http and https URLs are supported, got ${url.protocol}`);
  }
  if (url.hostname === '') throw new PipelineError('INVALID_URL', 'URL has no host');
  return url;
}

/**
 * The one canonical form of an article URL, used for ids at ingest and for look-ups at query time:
 * http(s) only, host lowercased (WHATWG URL does that and punycodes), default port and fragment dropped,
 * tracking parameters removed, an empty query dropped. Path case and the remaining parameter order are kept:
 * servers may treat them as significant.
 */
export function canonicalizeUrl(raw: string, base?: string): string {
  const url = parseHttpUrl(raw, base);
  url.hash = '';
  url.username = '';
  url.password = '';
  if (url.hostname.endsWith('.')) url.hostname = url.hostname.slice(0, -1);
  const kept = [...url.searchParams].filter(([name]) => !isTrackingParam(name));
  if (kept.length === 0) {
    url.search = '';
  } else if (kept.length !== [...url.searchParams].length) {
    url.search = new URLSearchParams(kept).toString();
  }
  return url.toString();
}

/** Article ids are the hex SHA-256 of the canonical URL, so the same article always gets the same id. */
export function articleIdForUrl(canonicalUrl: string): string {
  return sha256Hex(canonicalUrl);
}

export const ARTICLE_ID_PATTERN = /^[0-9a-f]{64}$/;

/**
 * The base URL of a document: its <base href> resolved against the page URL, or the page URL when there is
 * none, it cannot be parsed (browsers ignore it too), or it is not http(s) (a javascript: or data: base would
 * make every relative link and image unusable).
 */
export function resolveDocumentBase(baseHref: string | undefined, pageUrl: URL): URL {
  if (baseHref === undefined || baseHref.trim() === '') return pageUrl;
  try {
    const base = new URL(baseHref.trim(), pageUrl);
    return base.protocol === 'http:' || base.protocol === 'https:' ? base : pageUrl;
  } catch {
    return pageUrl;
  }
}
