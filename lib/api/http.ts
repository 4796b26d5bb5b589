import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { type ErrorCode, PipelineError } from '../core/errors.ts';
import type * as z from '../core/zod.ts';
import type { ApiError } from './schemas.ts';

/** Small helpers for API Gateway v2 responses: JSON bodies, errors, ETags and conditional requests. */

export type ApiResponse = APIGatewayProxyStructuredResultV2 & {
  statusCode: number;
  headers: Record<string, string>;
  body: string;
};

export const CONTENT_TYPES = {
  json: 'application/json; charset=utf-8',
  text: 'text/plain; charset=utf-8',
  html: 'text/html; charset=utf-8',
  markdown: 'text/markdown; charset=utf-8',
} as const;

/**
 * Current article: clients and CDNs may reuse it for 5 minutes, then revalidate cheaply with the ETag
 * (a re-crawl can publish a new version, so it is not immutable). A pinned ?version= never changes.
 * Lists and version lists change whenever something is ingested, and pollers must see that: no-store.
 */
export const CACHE_CONTROL = {
  article: 'public, max-age=300',
  pinnedVersion: 'public, max-age=31536000, immutable',
  list: 'no-store',
  openapi: 'public, max-age=3600',
  error: 'no-store',
} as const;

/**
 * RFC 9111 §3.5: "public" lets a shared cache store the answer to a request with an Authorization header and
 * serve it to anyone. With IAM authorization (the stack's default) such an answer is for the caller only.
 */
export function cacheControlFor(directive: string, authorizedRequest: boolean): string {
  return authorizedRequest ? directive.replace(/^public\b/, 'private') : directive;
}

const COMMON_HEADERS = { 'x-content-type-options': 'nosniff' } as const;

/** Served HTML is sanitized at ingest; this keeps it inert even if a browser opens it directly. */
export const HTML_SECURITY_HEADERS = {
  'content-security-policy':
    "default-src 'none'; img-src https: http: data:; style-src 'unsafe-inline'; sandbox",
} as const;

export const STATUS_BY_CODE: Partial<Record<ErrorCode, number>> = {
  BAD_REQUEST: 400,
  INVALID_URL: 400,
  NOT_FOUND: 404,
  CONFLICT: 409,
};

export function jsonResponse(
  statusCode: number,
  body: unknown,
  headers: Record<string, string> = {},
): ApiResponse {
  return {
    statusCode,
    headers: { 'content-type': CONTENT_TYPES.json, ...COMMON_HEADERS, ...headers },
    body: JSON.stringify(body),
  };
}

export function textResponse(
  statusCode: number,
  body: string,
  contentType: string,
  headers: Record<string, string> = {},
): ApiResponse {
  return { statusCode, headers: { 'content-type': contentType, ...COMMON_HEADERS, ...headers }, body };
}

export function errorResponse(
  statusCode: number,
  code: ErrorCode,
  message: string,
  headers: Record<string, string> = {},
): ApiResponse {
  const body: ApiError = { error: { code, message } };
  return jsonResponse(statusCode, body, { 'cache-control': CACHE_CONTROL.error, ...headers });
}

/** The HTTP status for a PipelineError; anything unexpected is a 500 with a message that leaks nothing. */
export function responseForError(error: unknown): ApiResponse {
  if (error instanceof PipelineError) {
    const status =
      typeof error.details.status === 'number' ? error.details.status : STATUS_BY_CODE[error.code];
    if (status !== undefined && status >= 400 && status < 500) {
      return errorResponse(status, error.code === 'INVALID_URL' ? 'BAD_REQUEST' : error.code, error.message);
    }
    // An article indexed but unreadable: a clear, specific answer (it says nothing about the storage itself).
    if (error.code === 'ARTICLE_UNAVAILABLE') {
      return errorResponse(503, error.code, error.message, { 'retry-after': '3600' });
    }
  }
  return errorResponse(500, 'INTERNAL', 'internal error; the request was logged');
}

export function badRequest(message: string): PipelineError {
  return new PipelineError('BAD_REQUEST', message, { status: 400 });
}

export function notFound(message: string): PipelineError {
  return new PipelineError('NOT_FOUND', message, { status: 404 });
}

/** One readable sentence from a zod error: "limit: limit must be at most 100; cursor: …". */
export function describeZodError(error: z.core.$ZodError): string {
  return error.issues
    .map((issue) => {
      if (issue.code === 'unrecognized_keys') {
        return `unknown parameter${issue.keys.length > 1 ? 's' : ''}: ${issue.keys.join(', ')}`;
      }
      const path = issue.path.join('.');
      return path ? `${path}: ${issue.message}` : issue.message;
    })
    .join('; ');
}

/**
 * A strong validator for one representation: the content hash (which changes with the body), the version
 * (which changes with metadata) and the format (json, text and html are different bodies).
 */
export function articleEtag(contentHash: string, version: number, format: string): string {
  return `"${contentHash.slice(0, 32)}-v${version}-${format}"`;
}

/** RFC 9110 If-None-Match: weak comparison, a list of tags or "*". */
export function ifNoneMatchHits(header: string | undefined, etag: string): boolean {
  if (header === undefined) return false;
  const trimmed = header.trim();
  if (trimmed === '*') return true;
  const opaque = etag.replace(/^W\//, '');
  return trimmed
    .split(',')
    .map((tag) => tag.trim().replace(/^W\//, ''))
    .some((tag) => tag === opaque);
}
