/**
 * Typed errors with stable codes. Codes are part of the public contract (CLI output, API errors, crawl state),
 * so they are never renamed; add new ones instead.
 */
export const ERROR_CODES = [
  // extraction
  'NO_ARTICLE',
  'INPUT_TOO_LARGE',
  'DECODE_FAILED',
  'SCHEMA_VIOLATION',
  // URLs and fetching
  'INVALID_URL',
  'BLOCKED_ADDRESS',
  'DNS_FAILED',
  'CONNECTION_FAILED',
  'TOO_MANY_REDIRECTS',
  'REDIRECT_LOOP',
  'TOO_LARGE',
  'NOT_HTML',
  'TIMEOUT',
  'HTTP_ERROR',
  'ROBOTS_DISALLOWED',
  // politeness: the host's next request is not due yet; the message is put back with a delay
  'HOST_BUSY',
  // discovery
  'FEED_INVALID',
  // storage and API
  'NOT_FOUND',
  'CONFLICT',
  'BAD_REQUEST',
  'METHOD_NOT_ALLOWED',
  /** An indexed article whose stored copy is missing or damaged (repair: `articles ingest --force URL`). */
  'ARTICLE_UNAVAILABLE',
  'INTERNAL',
] as const;

export type ErrorCode = (typeof ERROR_CODES)[number];

export interface ErrorDetails {
  status?: number;
  url?: string;
  retryable?: boolean;
  [key: string]: unknown;
}

export class PipelineError extends Error {
  override readonly name = 'PipelineError';
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details: ErrorDetails = {},
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }

  toJSON(): { code: ErrorCode; message: string } & ErrorDetails {
    return { code: this.code, message: this.message, ...this.details };
  }
}

export function isPipelineError(value: unknown): value is PipelineError {
  return value instanceof PipelineError;
}

/** Wraps anything thrown into a PipelineError so callers only ever see typed errors. */
export function toPipelineError(value: unknown, fallback: ErrorCode = 'INTERNAL'): PipelineError {
  if (value instanceof PipelineError) return value;
  const message = value instanceof Error ? value.message : String(value);
  return new PipelineError(fallback, message, {}, { cause: value });
}

export type Result<T, E = PipelineError> = { ok: true; value: T } | { ok: false; error: E };

export const ok = <T>(value: T): Result<T, never> => ({ ok: true, value });
export const err = <E>(error: E): Result<never, E> => ({ ok: false, error });
