import { Article, ArticleCluster, ArticleSummary } from '../core/article.ts';
import { ArticleIngestedDetail, ArticlesIngestedDetail } from '../core/events.ts';
import { NewSource, SourcePatch, SourceRecord } from '../core/sources.ts';
import * as z from '../core/zod.ts';
import { WEBHOOK_HEADERS, WebhookEnvelope } from '../events/envelope.ts';
import {
  ApiError,
  ArticleIdParam,
  ArticleList,
  ArticleVersionList,
  CollapseParam,
  CursorParam,
  DuplicateList,
  FormatParam,
  FromParam,
  LimitParam,
  SinceParam,
  SiteParam,
  ToParam,
  UrlParam,
  VersionParam,
} from './schemas.ts';
import { SourceIdParam, SourceList, SourceListQuery } from './sources.ts';

/**
 * The OpenAPI 3.1 document of the query API, generated from the same zod schemas the handler validates with
 * (OpenAPI 3.1 schemas are JSON Schema 2020-12, which is what z.toJSONSchema emits).
 */

type JsonSchema = Record<string, unknown>;

const TARGET = 'draft-2020-12' as const;

function componentSchemas(): Record<string, JsonSchema> {
  const registry = z.registry<{ id: string }>();
  registry.add(Article, { id: 'Article' });
  registry.add(ArticleList, { id: 'ArticleList' });
  registry.add(ArticleVersionList, { id: 'ArticleVersionList' });
  registry.add(DuplicateList, { id: 'DuplicateList' });
  registry.add(ApiError, { id: 'Error' });
  registry.add(ArticleSummary, { id: 'ArticleSummary' });
  registry.add(ArticleCluster, { id: 'ArticleCluster' });
  registry.add(ArticleIngestedDetail, { id: 'ArticleIngestedDetail' });
  registry.add(ArticlesIngestedDetail, { id: 'ArticlesIngestedDetail' });
  registry.add(WebhookEnvelope, { id: 'ArticleIngestedEnvelope' });
  registry.add(SourceRecord, { id: 'Source' });
  registry.add(SourceList, { id: 'SourceList' });
  registry.add(NewSource, { id: 'NewSource' });
  registry.add(SourcePatch, { id: 'SourcePatch' });
  const { schemas } = z.toJSONSchema(registry, {
    target: TARGET,
    io: 'output',
    uri: (id) => `#/components/schemas/${id}`,
  });
  const out: Record<string, JsonSchema> = {};
  for (const [name, schema] of Object.entries(schemas)) {
    // Each component lives inside this document, so it carries no $schema or $id of its own.
    const { $schema: _schema, $id: _id, ...rest } = schema as JsonSchema;
    out[name] = rest;
  }
  return out;
}

/**
 * Parameters arrive as strings: describe what the client sends (the input side, before transforms), or, for
 * numbers, the validated value (OpenAPI clients serialize an integer parameter as its decimal string).
 */
function parameterSchema(schema: z.ZodMiniType, io: 'input' | 'output' = 'input'): JsonSchema {
  const {
    $schema: _schema,
    description: _description,
    ...rest
  } = z.toJSONSchema(schema, {
    target: TARGET,
    io,
  }) as JsonSchema;
  return rest;
}

function queryParameter(
  name: string,
  schema: z.ZodMiniType,
  options: { description?: string; io?: 'input' | 'output' } = {},
): JsonSchema {
  return {
    name,
    in: 'query',
    required: false,
    description: options.description ?? z.globalRegistry.get(schema)?.description,
    schema: parameterSchema(schema, options.io),
  };
}

const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });

function webhookHeader(name: string, description: string): JsonSchema {
  return { name, in: 'header', required: true, description, schema: { type: 'string' } };
}

const json = (schemaName: string) => ({ 'application/json': { schema: ref(schemaName) } });

const errorResponse = (description: string) => ({ description, content: json('Error') });

const etagHeader = {
  ETag: { description: 'Strong validator of this representation', schema: { type: 'string' } },
  'Cache-Control': { schema: { type: 'string' } },
};

const articleContent = {
  ...json('Article'),
  'text/plain': { schema: { type: 'string', description: 'content.text (format=text)' } },
  'text/html': { schema: { type: 'string', description: 'content.html, sanitized (format=html)' } },
  'text/markdown': {
    schema: { type: 'string', description: 'content.markdown, CommonMark with GFM tables (format=markdown)' },
  },
};

const commonErrors = {
  '400': errorResponse('A parameter is invalid, unknown or repeated, or the query string is over 2 KB'),
  '405': errorResponse('Only GET and HEAD are allowed (see the Allow header)'),
  '500': errorResponse('An internal error (logged; the message says nothing about it); safe to retry'),
};

const sourceErrors = {
  '400': errorResponse('A parameter, the id or the JSON body is invalid (the message says which)'),
  '405': errorResponse('The method is not allowed on this path (see the Allow header)'),
  '500': commonErrors['500'],
};

const sourceIdParameter = {
  name: 'id',
  in: 'path',
  required: true,
  description: z.globalRegistry.get(SourceIdParam)?.description,
  schema: parameterSchema(SourceIdParam),
};

export function buildOpenApiDocument(): JsonSchema {
  const idParameter = {
    name: 'id',
    in: 'path',
    required: true,
    description: z.globalRegistry.get(ArticleIdParam)?.description,
    schema: parameterSchema(ArticleIdParam),
  };
  const ifNoneMatch = {
    name: 'If-None-Match',
    in: 'header',
    required: false,
    description: 'An ETag from an earlier response; a match answers 304 Not Modified with no body',
    schema: { type: 'string' },
  };
  return {
    openapi: '3.1.0',
    jsonSchemaDialect: 'https://json-schema.org/draft/2020-12/schema',
    info: {
      title: 'article-pipeline query API',
      version: '1.0.0',
      description:
        'Read the normalized articles and manage the crawl sources registry. Article lists are paginated with opaque, signed cursors bound to their query; errors are {"error":{"code","message"}}.',
    },
    paths: {
      '/articles': {
        get: {
          operationId: 'listArticles',
          summary: 'Look up one article by URL, or list a site (newest first) or everything since a time',
          description:
            'Give exactly one of url, site or since. url returns the full Article (like /articles/{id}); site and since return a page of summaries.',
          parameters: [
            queryParameter('url', UrlParam),
            queryParameter('site', SiteParam),
            queryParameter('since', SinceParam),
            queryParameter('from', FromParam),
            queryParameter('to', ToParam),
            queryParameter('limit', LimitParam, { io: 'output' }),
            queryParameter('cursor', CursorParam),
            queryParameter('format', FormatParam, { description: 'Only with url; see /articles/{id}' }),
            queryParameter('collapse', CollapseParam),
            ifNoneMatch,
          ],
          responses: {
            '200': {
              description: 'A page of article summaries (site or since), or the Article (url)',
              content: {
                'application/json': { schema: { oneOf: [ref('ArticleList'), ref('Article')] } },
                'text/plain': articleContent['text/plain'],
                'text/html': articleContent['text/html'],
              },
            },
            '304': { description: 'Not modified (url lookups with If-None-Match)', headers: etagHeader },
            ...commonErrors,
            '404': errorResponse('No article has this URL'),
          },
        },
      },
      '/articles/{id}': {
        get: {
          operationId: 'getArticle',
          summary: 'One article: the full Article, or only its body as text or HTML',
          parameters: [
            idParameter,
            queryParameter('format', FormatParam),
            queryParameter('version', VersionParam),
            ifNoneMatch,
          ],
          responses: {
            '200': { description: 'The article', headers: etagHeader, content: articleContent },
            '304': { description: 'Not modified', headers: etagHeader },
            ...commonErrors,
            '404': errorResponse('No article (or no such version) with this id'),
            '503': errorResponse(
              'ARTICLE_UNAVAILABLE: the article is indexed but its stored copy is missing or damaged (re-ingest it)',
            ),
          },
        },
      },
      '/articles/{id}/versions': {
        get: {
          operationId: 'listArticleVersions',
          summary: 'The stored versions of one article, oldest first',
          parameters: [idParameter],
          responses: {
            '200': { description: 'The versions', content: json('ArticleVersionList') },
            ...commonErrors,
            '404': errorResponse('No article with this id'),
          },
        },
      },
      '/articles/{id}/duplicates': {
        get: {
          operationId: 'listArticleDuplicates',
          summary: 'The other copies of this article’s story (its near-duplicate cluster), first seen first',
          parameters: [idParameter],
          responses: {
            '200': { description: 'The cluster and its other members', content: json('DuplicateList') },
            ...commonErrors,
            '404': errorResponse('No article with this id'),
          },
        },
      },
      '/sources': {
        get: {
          operationId: 'listSources',
          summary: 'The crawl sources registry, in id order, each with its health',
          parameters: [
            queryParameter('limit', SourceListQuery.shape.limit, { io: 'output' }),
            queryParameter('cursor', SourceListQuery.shape.cursor),
          ],
          responses: {
            '200': { description: 'A page of sources', content: json('SourceList') },
            ...sourceErrors,
          },
        },
        post: {
          operationId: 'addSource',
          summary: 'Register a feed, sitemap, site or URL list; it is due at once',
          requestBody: { required: true, content: json('NewSource') },
          responses: {
            '201': { description: 'Registered', content: json('Source') },
            ...sourceErrors,
            '409': errorResponse('This URL is already registered (the message names its source id)'),
          },
        },
      },
      '/sources/{id}': {
        get: {
          operationId: 'getSource',
          summary: 'One source and its health',
          parameters: [sourceIdParameter],
          responses: {
            '200': { description: 'The source', content: json('Source') },
            ...sourceErrors,
            '404': errorResponse('No source with this id'),
          },
        },
        patch: {
          operationId: 'updateSource',
          summary: 'Pause, resume (due at once), or change the interval, kind or allowOtherSites of a source',
          parameters: [sourceIdParameter],
          requestBody: { required: true, content: json('SourcePatch') },
          responses: {
            '200': { description: 'The source as changed', content: json('Source') },
            ...sourceErrors,
            '404': errorResponse('No source with this id'),
          },
        },
        delete: {
          operationId: 'removeSource',
          summary: 'Remove a source from the registry (its articles stay)',
          parameters: [sourceIdParameter],
          responses: {
            '204': { description: 'Removed' },
            ...sourceErrors,
            '404': errorResponse('No source with this id'),
          },
        },
      },
      '/openapi.json': {
        get: {
          operationId: 'getOpenApiDocument',
          summary: 'This document',
          responses: {
            '200': {
              description: 'OpenAPI 3.1',
              content: { 'application/json': { schema: { type: 'object' } } },
            },
          },
        },
      },
    },
    // The ArticleIngested event: the embedded stack's webhook POSTs this envelope; on EventBridge the event is
    // ArticlesIngested, whose detail (components.schemas.ArticlesIngestedDetail) lists ArticleIngestedDetails,
    // or with articleEvents per-article, ArticleIngested with components.schemas.ArticleIngestedDetail.
    webhooks: {
      ArticleIngested: {
        post: {
          operationId: 'articleIngested',
          summary: 'A new article or a new version was stored (schemaVersion 1)',
          parameters: [
            webhookHeader(WEBHOOK_HEADERS.event, 'Always ArticleIngested'),
            webhookHeader(WEBHOOK_HEADERS.delivery, 'The envelope id (one per delivery)'),
            webhookHeader(WEBHOOK_HEADERS.timestamp, 'Seconds since the epoch, as signed'),
            webhookHeader(
              WEBHOOK_HEADERS.signature,
              'sha256= and the hex HMAC-SHA256 of "<timestamp>.<raw body>" with the shared secret',
            ),
          ],
          requestBody: { required: true, content: json('ArticleIngestedEnvelope') },
          responses: {
            '2XX': { description: 'Received; any other status is logged as a failed delivery' },
          },
        },
      },
    },
    components: { schemas: componentSchemas() },
  };
}
