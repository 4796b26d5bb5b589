import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { ARTICLE_SCHEMA_VERSION, Article } from '../../lib/core/article.ts';
import { sha256Hex } from '../../lib/core/hash.ts';
import { articleIdForUrl, canonicalizeUrl } from '../../lib/core/url.ts';
import type { RawPage } from '../../lib/store/types.ts';

export const TEST_CURSOR_SECRET = 'test-cursor-secret-0123456789abcdef';

export interface ArticleSpec {
  url: string;
  title?: string;
  text?: string;
  publishedAt?: string;
  authors?: string[];
  language?: string;
}

/** A valid Article (checked against the schema) for the given URL; the text decides the contentHash. */
export function makeArticle(spec: ArticleSpec): Article {
  const url = canonicalizeUrl(spec.url);
  const text = spec.text ?? `Body of ${url}.\n\nSecond paragraph.`;
  const html = text
    .split('\n\n')
    .map((paragraph) => `<p>${paragraph.replaceAll('&', '&amp;').replaceAll('<', '&lt;')}</p>`)
    .join('\n');
  return Article.parse({
    schemaVersion: ARTICLE_SCHEMA_VERSION,
    id: articleIdForUrl(url),
    url,
    sourceUrl: url,
    site: { domain: new URL(url).hostname.replace(/^www\./, '') },
    title: spec.title ?? `Title of ${new URL(url).pathname}`,
    authors: spec.authors ?? ['Ada Writer'],
    publishedAt: spec.publishedAt,
    language: spec.language ?? 'en',
    tags: [],
    content: { html, text, wordCount: text.split(/\s+/).filter(Boolean).length },
    contentHash: sha256Hex(text),
    extractedAt: '2024-05-01T12:00:00.000Z',
    metadataSources: { title: 'meta' },
    extractor: { name: 'test-fixture', version: '1' },
  });
}

export function makeRawPage(article: Article): RawPage {
  return {
    url: article.sourceUrl,
    finalUrl: article.url,
    status: 200,
    contentType: 'text/html',
    charset: 'utf-8',
    body: new TextEncoder().encode(
      `<html><body><h1>${article.title}</h1>${article.content.html}</body></html>`,
    ),
    fetchedAt: article.extractedAt,
  };
}

/** An API Gateway HTTP API v2 event as the Lambda receives it. */
export function apiEvent(
  target: string,
  options: { method?: string; headers?: Record<string, string> } = {},
): APIGatewayProxyEventV2 {
  const [rawPath = '/', rawQueryString = ''] = target.split(/\?(.*)/s);
  const queryStringParameters: Record<string, string> = {};
  for (const [name, value] of new URLSearchParams(rawQueryString)) queryStringParameters[name] = value;
  const method = options.method ?? 'GET';
  return {
    version: '2.0',
    routeKey: '$default',
    rawPath,
    rawQueryString,
    headers: options.headers ?? {},
    queryStringParameters,
    requestContext: {
      accountId: 'test',
      apiId: 'test',
      domainName: 'localhost',
      domainPrefix: 'localhost',
      http: { method, path: rawPath, protocol: 'HTTP/1.1', sourceIp: '127.0.0.1', userAgent: 'vitest' },
      requestId: 'test',
      routeKey: '$default',
      stage: '$default',
      time: new Date().toUTCString(),
      timeEpoch: Date.now(),
    },
    isBase64Encoded: false,
  };
}

export interface Reply {
  status: number;
  headers: Record<string, string>;
  body: string;
  // biome-ignore lint/suspicious/noExplicitAny: test convenience for reading JSON bodies
  json: any;
}

export function toReply(result: APIGatewayProxyStructuredResultV2): Reply {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(result.headers ?? {}))
    headers[name.toLowerCase()] = String(value);
  const body = result.body ?? '';
  let json: unknown;
  try {
    json = body ? JSON.parse(body) : undefined;
  } catch {
    json = undefined;
  }
  return { status: result.statusCode ?? 200, headers, body, json };
}
