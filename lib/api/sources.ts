import { PipelineError } from '../core/errors.ts';
import {
  NewSource,
  newSourceRecord,
  parseSourceId,
  SOURCE_ID_PATTERN,
  SourcePatch,
  SourceRecord,
} from '../core/sources.ts';
import * as z from '../core/zod.ts';
import type { SourceRegistry } from '../store/types.ts';
import {
  type ApiResponse,
  badRequest,
  describeZodError,
  errorResponse,
  jsonResponse,
  notFound,
} from './http.ts';

/**
 * The sources API beside the article routes: GET/POST /sources, GET/PATCH/DELETE /sources/{id}. Same JSON error
 * shape, zod-validated bodies and parameters, described in the OpenAPI document from these schemas.
 */

export const DEFAULT_SOURCE_PAGE = 100;
export const MAX_SOURCE_PAGE = 1000;
/** A source body is a few hundred bytes; anything much larger is a mistake or an attack. */
export const MAX_SOURCE_BODY_BYTES = 16 * 1024;

export const SourceIdParam = z.withMeta(
  z.string().check(z.regex(SOURCE_ID_PATTERN, 'a source id is 16 lowercase hex characters')),
  { description: 'The start of the SHA-256 of the canonical source URL', example: '0123456789abcdef' },
);

export const SourceListQuery = z.strictObject({
  limit: z.withMeta(
    z.optional(
      z.pipe(
        z.pipe(
          z
            .string()
            .check(z.regex(/^[0-9]{1,5}$/, `limit must be a whole number from 1 to ${MAX_SOURCE_PAGE}`)),
          z.transform(Number),
        ),
        z
          .number()
          .check(
            z.int(),
            z.gte(1, `limit must be a whole number from 1 to ${MAX_SOURCE_PAGE}`),
            z.lte(MAX_SOURCE_PAGE, `limit must be at most ${MAX_SOURCE_PAGE}`),
          ),
      ),
    ),
    { description: `Page size, 1 to ${MAX_SOURCE_PAGE} (default ${DEFAULT_SOURCE_PAGE})` },
  ),
  cursor: z.withMeta(z.optional(SourceIdParam), {
    description: 'nextCursor of the previous page (a source id)',
  }),
});

export const SourceList = z.object({
  items: z.array(SourceRecord),
  /** Present while more sources remain: pass it as cursor. */
  nextCursor: z.optional(z.string()),
});
export type SourceList = z.infer<typeof SourceList>;

const ALLOWED = { collection: 'GET, HEAD, POST', item: 'GET, HEAD, PATCH, DELETE' } as const;

export interface SourcesRequest {
  method: string;
  path: string;
  params: Record<string, string>;
  body: string | undefined;
}

function parseBody<S extends z.ZodMiniType>(schema: S, body: string | undefined): z.output<S> {
  if (body === undefined || body.trim() === '') throw badRequest('a JSON body is required');
  if (Buffer.byteLength(body) > MAX_SOURCE_BODY_BYTES) {
    throw badRequest(`the body is larger than ${MAX_SOURCE_BODY_BYTES} bytes`);
  }
  let value: unknown;
  try {
    value = JSON.parse(body);
  } catch {
    throw badRequest('the body is not valid JSON');
  }
  const parsed = schema.safeParse(value);
  if (!parsed.success) throw badRequest(describeZodError(parsed.error));
  return parsed.data;
}

/** Answers a /sources request, or undefined when the path is not a sources route. */
export async function routeSources(
  registry: SourceRegistry,
  request: SourcesRequest,
  now: () => Date = () => new Date(),
): Promise<ApiResponse | undefined> {
  const { method, path, params } = request;
  const noStore = { 'cache-control': 'no-store' };
  if (path === '/sources') {
    if (method === 'GET' || method === 'HEAD') {
      const query = SourceListQuery.safeParse(params);
      if (!query.success) throw badRequest(describeZodError(query.error));
      const page = await registry.list({
        limit: query.data.limit ?? DEFAULT_SOURCE_PAGE,
        ...(query.data.cursor ? { after: query.data.cursor } : {}),
      });
      const body: SourceList = { items: page.items, ...(page.next ? { nextCursor: page.next } : {}) };
      return jsonResponse(200, body, noStore);
    }
    if (method === 'POST') {
      noParameters(params);
      const input = parseBody(z.strictObject(NewSource.shape), request.body);
      const source = newSourceRecord(input, now());
      const status = await registry.add(source);
      if (status === 'exists') {
        throw new PipelineError('CONFLICT', `${source.url} is already registered as source ${source.id}`, {
          status: 409,
        });
      }
      return jsonResponse(201, source, { ...noStore, location: `/sources/${source.id}` });
    }
    return errorResponse(405, 'METHOD_NOT_ALLOWED', `method ${method.slice(0, 20)} is not allowed here`, {
      allow: ALLOWED.collection,
    });
  }
  const match = /^\/sources\/([^/]+)$/.exec(path);
  if (match?.[1] === undefined) return undefined;
  let id: string;
  try {
    id = parseSourceId(decodeURIComponent(match[1]));
  } catch (error) {
    throw badRequest(error instanceof Error ? error.message : 'invalid source id');
  }
  noParameters(params);
  switch (method) {
    case 'GET':
    case 'HEAD': {
      const source = await registry.get(id);
      if (!source) throw notFound(`no source with id ${id}`);
      return jsonResponse(200, source, noStore);
    }
    case 'PATCH': {
      const patch = parseBody(SourcePatch, request.body);
      const source = await registry.update(id, patch, now());
      if (!source) throw notFound(`no source with id ${id}`);
      return jsonResponse(200, source, noStore);
    }
    case 'DELETE': {
      if (!(await registry.remove(id))) throw notFound(`no source with id ${id}`);
      return { statusCode: 204, headers: { ...noStore, 'x-content-type-options': 'nosniff' }, body: '' };
    }
    default:
      return errorResponse(405, 'METHOD_NOT_ALLOWED', `method ${method.slice(0, 20)} is not allowed here`, {
        allow: ALLOWED.item,
      });
  }
}

function noParameters(params: Record<string, string>): void {
  const names = Object.keys(params);
  if (names.length > 0)
    throw badRequest(`unknown parameter${names.length > 1 ? 's' : ''}: ${names.join(', ')}`);
}
