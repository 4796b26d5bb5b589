import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { PipelineError } from '../core/errors.ts';
import * as z from '../core/zod.ts';
import type { StoreCursor } from '../store/types.ts';

/**
 * Pagination cursors: the store's position, bound to the query it came from, signed with HMAC-SHA256.
 * Format: base64url(JSON payload) "." base64url(HMAC(secret, first part)). Opaque to clients; a forged,
 * altered, expired or reused-with-another-query cursor is a BAD_REQUEST, never a scan from the start.
 */

export const MIN_CURSOR_SECRET_LENGTH = 32;
/**
 * A cursor older than this is refused (so a leaked cursor does not work forever, and the cursor format can
 * change with a bounded overlap). A week covers a poller that was down over a weekend; one that was down
 * longer starts again from since=<the last ingestedAt it processed>.
 */
export const DEFAULT_CURSOR_MAX_AGE_SECONDS = 7 * 24 * 60 * 60;
const CURSOR_FORMAT_VERSION = 1;

/** What a cursor is bound to: the listing and its filters (not the page size, which may change). */
export type CursorBinding =
  | { list: 'site'; site: string; from?: string; to?: string }
  | { list: 'since'; since: string };

const StoreCursorSchema = z.record(
  z.string().check(z.minLength(1), z.maxLength(64)),
  z.union([z.string().check(z.maxLength(2048)), z.number()]),
);

const CursorPayload = z.strictObject({
  v: z.literal(CURSOR_FORMAT_VERSION),
  /** Digest of the query binding. */
  q: z.string().check(z.regex(/^[A-Za-z0-9_-]{22}$/)),
  /** Issued at, seconds since the epoch. */
  t: z.number().check(z.int(), z.nonnegative()),
  /** The store's position. */
  k: StoreCursorSchema,
});
type CursorPayload = z.infer<typeof CursorPayload>;

export function assertCursorSecret(secret: string | undefined): asserts secret is string {
  if (secret === undefined || secret.length < MIN_CURSOR_SECRET_LENGTH) {
    throw new PipelineError(
      'INTERNAL',
      `the cursor signing secret must be at least ${MIN_CURSOR_SECRET_LENGTH} characters (set CURSOR_SIGNING_SECRET)`,
    );
  }
}

function bindingDigest(binding: CursorBinding): string {
  // Fixed key order so the same query always gives the same digest.
  const canonical =
    binding.list === 'site'
      ? ['site', binding.site, binding.from ?? '', binding.to ?? '']
      : ['since', binding.since];
  return createHash('sha256')
    .update(JSON.stringify(canonical))
    .digest()
    .subarray(0, 16)
    .toString('base64url');
}

function invalid(reason: string): PipelineError {
  return new PipelineError('BAD_REQUEST', `invalid cursor: ${reason}`, { status: 400 });
}

export interface CursorCodecOptions {
  secret: string;
  maxAgeSeconds?: number;
  now?: () => Date;
}

export interface CursorCodec {
  encode(position: StoreCursor, binding: CursorBinding): string;
  /** Throws BAD_REQUEST ("invalid cursor: …") for anything it did not issue for this query, or too long ago. */
  decode(token: string, binding: CursorBinding): StoreCursor;
}

export function createCursorCodec(options: CursorCodecOptions): CursorCodec {
  assertCursorSecret(options.secret);
  const secret = options.secret;
  const maxAgeSeconds = options.maxAgeSeconds ?? DEFAULT_CURSOR_MAX_AGE_SECONDS;
  const now = options.now ?? (() => new Date());
  const sign = (body: string): Buffer => createHmac('sha256', secret).update(body).digest();
  const nowSeconds = () => Math.floor(now().getTime() / 1000);

  return {
    encode(position, binding) {
      const payload: CursorPayload = {
        v: CURSOR_FORMAT_VERSION,
        q: bindingDigest(binding),
        t: nowSeconds(),
        k: position,
      };
      const body = Buffer.from(JSON.stringify(payload)).toString('base64url');
      return `${body}.${sign(body).toString('base64url')}`;
    },

    decode(token, binding) {
      const parts = token.split('.');
      if (parts.length !== 2 || !parts[0] || !parts[1]) throw invalid('not a cursor this API issued');
      const [body, signature] = parts as [string, string];
      // Compared as text, not as decoded bytes: base64url decoding forgives stray characters and the last
      // character's padding bits, so several spellings decode to one signature. Only the issued one passes.
      const expected = Buffer.from(sign(body).toString('base64url'));
      const given = Buffer.from(signature);
      // Constant-time comparison, so the signature cannot be guessed byte by byte.
      if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
        throw invalid('signature does not match (cursors are opaque; pass nextCursor back unchanged)');
      }
      let json: unknown;
      try {
        json = JSON.parse(Buffer.from(body, 'base64url').toString('utf8'));
      } catch {
        throw invalid('garbled');
      }
      // Validated even though signed: a secret leak or a format change must not turn into a store error.
      const parsed = CursorPayload.safeParse(json);
      if (!parsed.success) throw invalid('unrecognized format');
      const payload = parsed.data;
      if (payload.q !== bindingDigest(binding)) {
        throw invalid(
          'it belongs to a different query (keep site, since, from and to unchanged while paging)',
        );
      }
      const age = nowSeconds() - payload.t;
      if (age > maxAgeSeconds || age < -300) {
        throw invalid('expired; start again from the first page (or from since=<last ingestedAt seen>)');
      }
      return payload.k;
    },
  };
}
