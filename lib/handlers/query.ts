import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { type CursorBinding, type CursorCodec, createCursorCodec } from '../api/cursor.ts';
import {
  type ApiResponse,
  articleEtag,
  badRequest,
  CACHE_CONTROL,
  CONTENT_TYPES,
  cacheControlFor,
  describeZodError,
  errorResponse,
  HTML_SECURITY_HEADERS,
  ifNoneMatchHits,
  jsonResponse,
  notFound,
  responseForError,
  textResponse,
} from '../api/http.ts';
import {
  ArticleIdParam,
  type ArticleList,
  ArticleListItem,
  ArticleQuery,
  type ArticleVersionList,
  DEFAULT_LIMIT,
  ListQuery,
  MAX_QUERY_STRING_BYTES,
  NoParameters,
} from '../api/schemas.ts';
import { routeSources } from '../api/sources.ts';
import { Article } from '../core/article.ts';
import { PipelineError } from '../core/errors.ts';
import { articleIdForUrl, canonicalizeUrl } from '../core/url.ts';
import type * as z from '../core/zod.ts';
import type { ArticleReader, ArticleRecord, ClusterIndex, SourceRegistry } from '../store/types.ts';
import { listDuplicates } from './duplicates.ts';

export interface QueryLogger {
  error(message: string, ...extra: unknown[]): void;
}

export interface QueryHandlerOptions {
  reader: ArticleReader;
  /** When given, the /sources routes manage the crawl sources registry (lib/api/sources.ts). */
  sources?: SourceRegistry;
  /** The near-duplicate index: GET /articles/{id}/duplicates lists cluster members from it. */
  clusters?: Pick<ClusterIndex, 'members'>;
  /** HMAC secret for pagination cursors, at least 32 characters. */
  cursorSecret: string;
  cursorMaxAgeSeconds?: number;
  now?: () => Date;
  logger?: QueryLogger;
}

/** What of the request decides the answer besides path and parameters. */
interface RequestConditions {
  ifNoneMatch: string | undefined;
  /** The request carried credentials (IAM authorization), so the answer must not land in a shared cache. */
  authorized: boolean;
}

export type QueryHandler = (event: APIGatewayProxyEventV2) => Promise<APIGatewayProxyStructuredResultV2>;

const ALLOWED_METHODS = 'GET, HEAD';
const ARTICLE_PATH = /^\/articles\/([^/]+)$/;
const VERSIONS_PATH = /^\/articles\/([^/]+)\/versions$/;
const DUPLICATES_PATH = /^\/articles\/([^/]+)\/duplicates$/;

type Route =
  | { name: 'openapi' }
  | { name: 'list' }
  | { name: 'article'; id: string }
  | { name: 'versions'; id: string }
  | { name: 'duplicates'; id: string };

function matchRoute(path: string): Route | undefined {
  if (path === '/openapi.json') return { name: 'openapi' };
  if (path === '/articles') return { name: 'list' };
  const article = ARTICLE_PATH.exec(path);
  if (article?.[1] !== undefined) return { name: 'article', id: article[1] };
  const versions = VERSIONS_PATH.exec(path);
  if (versions?.[1] !== undefined) return { name: 'versions', id: versions[1] };
  const duplicates = DUPLICATES_PATH.exec(path);
  if (duplicates?.[1] !== undefined) return { name: 'duplicates', id: duplicates[1] };
  return undefined;
}

/**
 * Reads the query string from rawQueryString (API Gateway joins repeated parameters with commas in
 * queryStringParameters, which would hide them), refusing oversize strings and repeated parameters.
 */
function parseQueryString(event: APIGatewayProxyEventV2): Record<string, string> {
  const raw =
    event.rawQueryString ?? new URLSearchParams(toStringRecord(event.queryStringParameters)).toString();
  if (Buffer.byteLength(raw) > MAX_QUERY_STRING_BYTES) {
    throw badRequest(`the query string is longer than ${MAX_QUERY_STRING_BYTES} bytes`);
  }
  // No prototype: "__proto__" must become an own (and so unknown) parameter, not a prototype assignment.
  const params: Record<string, string> = Object.create(null);
  for (const [name, value] of new URLSearchParams(raw)) {
    if (Object.hasOwn(params, name)) throw badRequest(`parameter ${name} is given more than once`);
    params[name] = value;
  }
  return params;
}

function toStringRecord(values: Record<string, string | undefined> | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(values ?? {})) if (value !== undefined) out[key] = value;
  return out;
}

function validate<S extends z.ZodMiniType>(schema: S, input: unknown): z.output<S> {
  const parsed = schema.safeParse(input);
  if (!parsed.success) throw badRequest(describeZodError(parsed.error));
  return parsed.data;
}

function validateId(raw: string): string {
  let decoded: string;
  try {
    decoded = decodeURIComponent(raw);
  } catch {
    throw badRequest('the article id is not valid percent-encoding');
  }
  return validate(ArticleIdParam, decoded);
}

function header(event: APIGatewayProxyEventV2, name: string): string | undefined {
  const headers = event.headers ?? {};
  const direct = headers[name];
  if (direct !== undefined) return direct;
  // API Gateway lowercases header names; a hand-built event may not.
  const key = Object.keys(headers).find((candidate) => candidate.toLowerCase() === name);
  return key === undefined ? undefined : headers[key];
}

function toListItem(record: ArticleRecord): ArticleListItem {
  return ArticleListItem.parse({
    id: record.id,
    url: record.url,
    site: record.site,
    title: record.title,
    authors: record.authors,
    publishedAt: record.publishedAt,
    language: record.language,
    // Records of articles (the default type) leave it out to stay small; the summary always says it.
    pageType: record.pageType ?? 'article',
    version: record.version,
    ...(record.cluster === undefined ? {} : { cluster: record.cluster }),
    ingestedAt: record.ingestedAt,
  });
}

/** collapse=cluster keeps unclustered articles and representatives: one item per story. */
function isClusterHead(record: ArticleRecord): boolean {
  return record.cluster === undefined || record.cluster.role === 'representative';
}

/** The query API (GET /articles…, GET /openapi.json) as one API Gateway HTTP API (payload v2) handler. */
export function createQueryHandler(options: QueryHandlerOptions): QueryHandler {
  const { reader } = options;
  const cursors: CursorCodec = createCursorCodec({
    secret: options.cursorSecret,
    maxAgeSeconds: options.cursorMaxAgeSeconds,
    now: options.now,
  });
  const logger: QueryLogger = options.logger ?? console;
  let openApiBody: string | undefined;

  async function articleResponse(
    id: string,
    query: z.output<typeof ArticleQuery>,
    request: RequestConditions,
  ): Promise<ApiResponse> {
    const { ifNoneMatch } = request;
    const format = query.format ?? 'json';
    let article: Article | undefined;
    let version: number;
    let cacheControl: string;
    if (query.version === undefined) {
      // The index row is enough to answer a conditional request without reading S3.
      const record = await reader.getRecord(id);
      if (!record) throw notFound(`no article with id ${id}`);
      const etag = articleEtag(record.contentHash, record.version, format);
      cacheControl = cacheControlFor(CACHE_CONTROL.article, request.authorized);
      if (ifNoneMatchHits(ifNoneMatch, etag)) return notModified(etag, cacheControl);
      version = record.version;
      article = await readStoredArticle(id, record.version, record.url);
      if (!article) throw unavailable(id, record.version, record.url, 'the stored object is missing');
    } else {
      version = query.version;
      cacheControl = cacheControlFor(CACHE_CONTROL.pinnedVersion, request.authorized);
      article = await readStoredArticle(id, version);
      if (!article) throw notFound(`no version ${version} of article ${id}`);
    }
    // Everything that leaves the system passes through the contract.
    const contract = Article.safeParse(article);
    if (!contract.success) throw unavailable(id, version, article.url, 'the stored copy fails the schema');
    const checked = contract.data;
    const etag = articleEtag(checked.contentHash, version, format);
    if (ifNoneMatchHits(ifNoneMatch, etag)) return notModified(etag, cacheControl);
    const headers = { etag, 'cache-control': cacheControl };
    if (format === 'text') return textResponse(200, checked.content.text, CONTENT_TYPES.text, headers);
    if (format === 'markdown') {
      // Made at ingest (lib/core/markdown.ts), so this function carries no HTML parser or converter.
      const { markdown } = checked.content;
      if (markdown === undefined) {
        throw notFound(
          `article ${id} v${version} has no Markdown: it was stored before Markdown was produced; re-extract it`,
        );
      }
      return textResponse(200, markdown, CONTENT_TYPES.markdown, headers);
    }
    if (format === 'html') {
      return textResponse(200, checked.content.html, CONTENT_TYPES.html, {
        ...headers,
        ...HTML_SECURITY_HEADERS,
      });
    }
    return jsonResponse(200, checked, headers);
  }

  /**
   * One broken article (its S3 object deleted or damaged) must not read as a server fault with a stack per
   * request: it answers 503 ARTICLE_UNAVAILABLE naming the repair, and logs one line.
   */
  async function readStoredArticle(id: string, version: number, url?: string): Promise<Article | undefined> {
    try {
      return await reader.getArticle(id, version);
    } catch (error) {
      if (error instanceof PipelineError && error.code === 'BAD_REQUEST') throw error;
      throw unavailable(id, version, url, error instanceof Error ? error.message : String(error));
    }
  }

  function unavailable(id: string, version: number, url: string | undefined, reason: string): PipelineError {
    logger.error(`article ${id} v${version} is unavailable: ${reason.slice(0, 300)}`);
    return new PipelineError(
      'ARTICLE_UNAVAILABLE',
      `the stored copy of article ${id} (version ${version}) is missing or damaged; ` +
        `re-ingest it: articles ingest --force ${url ?? '<its url>'}`,
      { status: 503 },
    );
  }

  async function listResponse(query: ListQuery, request: RequestConditions): Promise<ApiResponse> {
    if (query.url !== undefined) {
      const id = articleIdForUrl(canonicalizeUrl(query.url));
      return articleResponse(id, { format: query.format }, request);
    }
    const limit = query.limit ?? DEFAULT_LIMIT;
    let binding: CursorBinding;
    if (query.site !== undefined)
      binding = { list: 'site', site: query.site, from: query.from, to: query.to };
    else if (query.since !== undefined) binding = { list: 'since', since: query.since };
    else throw badRequest('give exactly one of url, site or since');
    const after = query.cursor === undefined ? undefined : cursors.decode(query.cursor, binding);
    const page =
      binding.list === 'site'
        ? await reader.listBySite({ site: binding.site, from: binding.from, to: binding.to, limit, after })
        : await reader.listIngestedSince({ since: binding.since, limit, after });
    const records = query.collapse === 'cluster' ? page.items.filter(isClusterHead) : page.items;
    const body: ArticleList = { items: records.map(toListItem) };
    if (page.cursor !== undefined) body.nextCursor = cursors.encode(page.cursor, binding);
    if (binding.list === 'since' && page.resume !== undefined) {
      body.resumeCursor = cursors.encode(page.resume, binding);
    }
    return jsonResponse(200, body, { 'cache-control': CACHE_CONTROL.list });
  }

  async function versionsResponse(id: string): Promise<ApiResponse> {
    const versions = await reader.listVersions(id);
    if (versions.length === 0) throw notFound(`no article with id ${id}`);
    const body: ArticleVersionList = {
      id,
      items: [...versions]
        .sort((a, b) => a.version - b.version)
        .map(({ version, contentHash, ingestedAt, reason }) => ({
          version,
          contentHash,
          ingestedAt,
          ...(reason === undefined ? {} : { reason }),
        })),
    };
    return jsonResponse(200, body, { 'cache-control': CACHE_CONTROL.list });
  }

  async function duplicatesResponse(id: string): Promise<ApiResponse> {
    const body = await listDuplicates(reader, options.clusters, id);
    if (!body) throw notFound(`no article with id ${id}`);
    return jsonResponse(200, body, { 'cache-control': CACHE_CONTROL.list });
  }

  async function openApiResponse(): Promise<ApiResponse> {
    // Imported on the first request for it: the document is built once, and most environments never serve it.
    openApiBody ??= JSON.stringify((await import('../api/openapi.ts')).buildOpenApiDocument());
    return {
      statusCode: 200,
      headers: {
        'content-type': CONTENT_TYPES.json,
        'cache-control': CACHE_CONTROL.openapi,
        'x-content-type-options': 'nosniff',
      },
      body: openApiBody,
    };
  }

  async function route(event: APIGatewayProxyEventV2): Promise<ApiResponse> {
    const path = event.rawPath ?? event.requestContext?.http?.path ?? '/';
    if (options.sources !== undefined && (path === '/sources' || path.startsWith('/sources/'))) {
      const body =
        event.body === undefined
          ? undefined
          : event.isBase64Encoded
            ? Buffer.from(event.body, 'base64').toString('utf8')
            : event.body;
      const method = (event.requestContext?.http?.method ?? 'GET').toUpperCase();
      const answered = await routeSources(
        options.sources,
        { method, path, params: parseQueryString(event), body },
        options.now,
      );
      if (answered !== undefined) return answered;
    }
    const matched = matchRoute(path);
    if (!matched) return errorResponse(404, 'NOT_FOUND', `no route for ${path.slice(0, 200)}`);
    const method = (event.requestContext?.http?.method ?? 'GET').toUpperCase();
    if (method !== 'GET' && method !== 'HEAD') {
      return errorResponse(405, 'METHOD_NOT_ALLOWED', `method ${method.slice(0, 20)} is not allowed here`, {
        allow: ALLOWED_METHODS,
      });
    }
    const params = parseQueryString(event);
    const request: RequestConditions = {
      ifNoneMatch: header(event, 'if-none-match'),
      authorized: header(event, 'authorization') !== undefined,
    };
    switch (matched.name) {
      case 'openapi':
        validate(NoParameters, params);
        return openApiResponse();
      case 'list':
        return listResponse(validate(ListQuery, params), request);
      case 'article':
        return articleResponse(validateId(matched.id), validate(ArticleQuery, params), request);
      case 'versions': {
        const id = validateId(matched.id);
        validate(NoParameters, params);
        return versionsResponse(id);
      }
      case 'duplicates': {
        const id = validateId(matched.id);
        validate(NoParameters, params);
        return duplicatesResponse(id);
      }
    }
  }

  return async (event) => {
    try {
      return await route(event);
    } catch (error) {
      const response = responseForError(error);
      const loggedAlready = error instanceof PipelineError && error.code === 'ARTICLE_UNAVAILABLE';
      if (response.statusCode >= 500 && !loggedAlready) logger.error('query handler failed', error);
      return response;
    }
  };
}

function notModified(etag: string, cacheControl: string): ApiResponse {
  return {
    statusCode: 304,
    headers: { etag, 'cache-control': cacheControl, 'x-content-type-options': 'nosniff' },
    body: '',
  };
}
