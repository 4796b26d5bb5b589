import { beforeEach, describe, expect, it } from 'vitest';
import { buildOpenApiDocument } from '../../lib/api/openapi.ts';
import type { Article } from '../../lib/core/article.ts';
import { createQueryHandler, type QueryHandler } from '../../lib/handlers/query.ts';
import { apiEvent, makeArticle, type Reply, TEST_CURSOR_SECRET, toReply } from './fixtures.ts';
import { MemoryReader } from './memory-reader.ts';
import {
  compileComponentsStrictly,
  createResponseValidator,
  openApiDocumentErrors,
} from './openapi-validator.ts';

// Routing, validation and headers against an in-memory implementation of the ArticleReader port.
// test/api/query.integration.test.ts runs the same handler against the real store (s3rver + dynalite).

const validateResponse = createResponseValidator(buildOpenApiDocument());

describe('query handler (unit, in-memory reader)', () => {
  let reader: MemoryReader;
  let handler: QueryHandler;
  let first: Article;
  const loggedErrors: unknown[] = [];

  async function get(target: string, options: { method?: string; headers?: Record<string, string> } = {}) {
    return toReply(await handler(apiEvent(target, options)));
  }

  function expectError(reply: Reply, status: number, code: string, message?: RegExp): void {
    expect(reply.status).toBe(status);
    expect(reply.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(reply.json.error.code).toBe(code);
    if (message) expect(reply.json.error.message).toMatch(message);
  }

  beforeEach(() => {
    reader = new MemoryReader();
    loggedErrors.length = 0;
    handler = createQueryHandler({
      reader,
      cursorSecret: TEST_CURSOR_SECRET,
      logger: { error: (...args: unknown[]) => loggedErrors.push(args) },
    });
    first = makeArticle({ url: 'https://www.example.com/news/one', publishedAt: '2024-05-01T09:00:00.000Z' });
    reader.add(first, '2024-05-02T00:00:00.000Z');
    for (let day = 2; day <= 6; day += 1) {
      reader.add(
        makeArticle({ url: `https://example.com/news/${day}`, publishedAt: `2024-05-0${day}T09:00:00.000Z` }),
        `2024-05-0${day + 1}T00:00:00.000Z`,
      );
    }
    reader.add(makeArticle({ url: 'https://other.example/a' }), '2024-05-03T12:00:00.000Z');
  });

  it('returns the full article with validators and caching headers', async () => {
    const reply = await get(`/articles/${first.id}`);
    expect(reply.status).toBe(200);
    expect(reply.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(reply.headers['cache-control']).toBe('public, max-age=300');
    expect(reply.headers.etag).toMatch(/^"[0-9a-f]{32}-v1-json"$/);
    expect(reply.json).toEqual(first);
    expect(validateResponse('/articles/{id}', reply)).toEqual([]);
  });

  it('keeps a response to an authorized request out of shared caches', async () => {
    // With IAM authorization (the stack's default) "public" would let a CDN hand the article to anyone.
    const signed = {
      authorization: 'AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20240501/eu-west-1/execute-api/aws4_request',
    };
    const current = await get(`/articles/${first.id}`, { headers: signed });
    expect(current.headers['cache-control']).toBe('private, max-age=300');
    const pinned = await get(`/articles/${first.id}?version=1`, { headers: signed });
    expect(pinned.headers['cache-control']).toBe('private, max-age=31536000, immutable');
    const revalidated = await get(`/articles/${first.id}`, {
      headers: { ...signed, 'if-none-match': current.headers.etag ?? '' },
    });
    expect(revalidated.status).toBe(304);
    expect(revalidated.headers['cache-control']).toBe('private, max-age=300');
    const anonymous = await get(`/articles/${first.id}`);
    expect(anonymous.headers['cache-control']).toBe('public, max-age=300');
  });

  it('returns only the body for format=text and format=html, each with its own ETag', async () => {
    const text = await get(`/articles/${first.id}?format=text`);
    expect(text.headers['content-type']).toBe('text/plain; charset=utf-8');
    expect(text.body).toBe(first.content.text);
    const html = await get(`/articles/${first.id}?format=html`);
    expect(html.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(html.headers['content-security-policy']).toContain("default-src 'none'");
    expect(html.body).toBe(first.content.html);
    const json = await get(`/articles/${first.id}`);
    expect(new Set([text.headers.etag, html.headers.etag, json.headers.etag]).size).toBe(3);
  });

  it('returns content.markdown as text/markdown for format=markdown, and 404 where none was stored', async () => {
    const markdown = makeArticle({ url: 'https://example.com/news/markdown' });
    markdown.content.markdown = '## Heading\n\n- one\n- two';
    reader.add(markdown, '2024-05-02T00:00:00.000Z');
    const reply = await get(`/articles/${markdown.id}?format=markdown`);
    expect(reply.status).toBe(200);
    expect(reply.headers['content-type']).toBe('text/markdown; charset=utf-8');
    expect(reply.headers.etag).toMatch(/-v1-markdown"$/);
    expect(reply.body).toBe('## Heading\n\n- one\n- two');
    expect(validateResponse('/articles/{id}', reply)).toEqual([]);
    // Stored before Markdown was produced: no converter in the query function, so a clear 404 until re-extracted.
    expectError(await get(`/articles/${first.id}?format=markdown`), 404, 'NOT_FOUND', /re-extract/);
  });

  it('answers 304 to a matching If-None-Match (strong, weak or in a list) and 200 otherwise', async () => {
    const { etag } = (await get(`/articles/${first.id}`)).headers;
    for (const header of [etag, `W/${etag}`, `"nope", ${etag}`, '*']) {
      const reply = await get(`/articles/${first.id}`, { headers: { 'if-none-match': header ?? '' } });
      expect(reply.status).toBe(304);
      expect(reply.body).toBe('');
      expect(reply.headers.etag).toBe(etag);
    }
    const stale = await get(`/articles/${first.id}`, { headers: { 'if-none-match': '"something-else"' } });
    expect(stale.status).toBe(200);
    // A new version changes the tag, so a client holding the old one gets the new body.
    reader.add(
      makeArticle({ url: first.url, text: 'Rewritten.', publishedAt: first.publishedAt }),
      '2024-06-01T00:00:00.000Z',
    );
    const updated = await get(`/articles/${first.id}`, { headers: { 'if-none-match': etag ?? '' } });
    expect(updated.status).toBe(200);
    expect(updated.json.content.text).toBe('Rewritten.');
    expect(updated.headers.etag).toMatch(/-v2-json"$/);
  });

  it('serves pinned versions and lists versions oldest first', async () => {
    reader.add(makeArticle({ url: first.url, text: 'Second version.' }), '2024-06-01T00:00:00.000Z');
    const v1 = await get(`/articles/${first.id}?version=1`);
    expect(v1.json.content.text).toBe(first.content.text);
    expect(v1.headers['cache-control']).toContain('immutable');
    expectError(await get(`/articles/${first.id}?version=3`), 404, 'NOT_FOUND', /no version 3/);
    const versions = await get(`/articles/${first.id}/versions`);
    expect(versions.json.items.map((item: { version: number }) => item.version)).toEqual([1, 2]);
    expect(validateResponse('/articles/{id}/versions', versions)).toEqual([]);
  });

  it('accepts an id in upper-case hex as the same article, and names it in lowercase', async () => {
    const upper = first.id.toUpperCase();
    const reply = await get(`/articles/${upper}`);
    expect(reply.status).toBe(200);
    expect(reply.json.id).toBe(first.id);
    const versions = await get(`/articles/${upper}/versions`);
    expect(versions.status).toBe(200);
    expect(versions.json.id).toBe(first.id);
  });

  it('looks an article up by URL, canonicalized as at ingest', async () => {
    const reply = await get(
      `/articles?url=${encodeURIComponent('https://WWW.EXAMPLE.COM/news/one?utm_source=x#top')}`,
    );
    expect(reply.status).toBe(200);
    expect(reply.json.id).toBe(first.id);
    expect(validateResponse('/articles', reply)).toEqual([]);
    expectError(await get('/articles?url=ftp%3A%2F%2Fexample.com%2Fx'), 400, 'BAD_REQUEST', /http/);
    expectError(await get('/articles?url=https%3A%2F%2Fexample.com%2Fmissing'), 404, 'NOT_FOUND');
  });

  it('pages through a site newest first with signed cursors, and a cursor only while more remain', async () => {
    const seen: string[] = [];
    let target = '/articles?site=example.com&limit=2';
    for (let pages = 0; pages < 10; pages += 1) {
      const reply = await get(target);
      expect(reply.status).toBe(200);
      expect(reply.headers['cache-control']).toBe('no-store');
      expect(validateResponse('/articles', reply)).toEqual([]);
      seen.push(...reply.json.items.map((item: { publishedAt: string }) => item.publishedAt));
      if (!reply.json.nextCursor) break;
      target = `/articles?site=example.com&limit=2&cursor=${reply.json.nextCursor}`;
    }
    expect(seen).toHaveLength(6);
    expect([...seen].sort().reverse()).toEqual(seen);
  });

  it('accepts ISO 8601 offsets, also with an unencoded "+", and normalizes them to UTC', async () => {
    const encoded = await get(`/articles?since=${encodeURIComponent('2024-05-05T02:00:00+02:00')}`);
    const unencoded = await get('/articles?since=2024-05-05T02:00:00+02:00');
    const utc = await get('/articles?since=2024-05-05T00:00:00Z');
    const ids = (reply: Reply) => reply.json.items.map((item: { id: string }) => item.id);
    expect(ids(encoded)).toEqual(ids(utc));
    expect(ids(unencoded)).toEqual(ids(utc));
    expect(ids(utc).length).toBeGreaterThan(0);
    // A cursor from one spelling works with another: the binding uses the normalized instant.
    const page = await get('/articles?since=2024-05-01&limit=1');
    const next = await get(`/articles?since=2024-05-01T00:00:00.000Z&limit=1&cursor=${page.json.nextCursor}`);
    expect(next.status).toBe(200);
  });

  it('refuses a tampered cursor and a cursor from another query with 400', async () => {
    const page = await get('/articles?site=example.com&limit=2');
    const cursor: string = page.json.nextCursor;
    const tampered = `${cursor.slice(0, 5)}${cursor[5] === 'A' ? 'B' : 'A'}${cursor.slice(6)}`;
    expectError(
      await get(`/articles?site=example.com&limit=2&cursor=${tampered}`),
      400,
      'BAD_REQUEST',
      /cursor/,
    );
    expectError(
      await get(`/articles?site=other.example&limit=2&cursor=${cursor}`),
      400,
      'BAD_REQUEST',
      /different query/,
    );
    // The page size may change between pages.
    expect((await get(`/articles?site=example.com&limit=3&cursor=${cursor}`)).status).toBe(200);
  });

  it.each([
    ['limit 0', '/articles?site=example.com&limit=0', /limit must be at least 1/],
    ['limit 10,000', '/articles?site=example.com&limit=10000', /limit must be at most 100/],
    ['a non-numeric limit', '/articles?site=example.com&limit=ten', /whole number from 1 to 100/],
    ['a negative limit', '/articles?site=example.com&limit=-5', /limit must be a whole number from 1 to 100/],
    ['a bad date', '/articles?since=2024-13-45', /ISO 8601/],
    ['a bad from', '/articles?site=example.com&from=yesterday', /ISO 8601/],
    ['a since past year 9999 in UTC', '/articles?since=9999-12-31T23:59:59-23:59', /years 0000 to 9999/],
    [
      'a to before year 0000 in UTC',
      '/articles?site=example.com&to=0000-01-01T00:00:00%2B23:59',
      /years 0000/,
    ],
    ['from after to', '/articles?site=example.com&from=2024-05-02&to=2024-05-01', /from must not be later/],
    ['an empty site', '/articles?site=', /site must not be empty/],
    ['a site that is not a hostname', `/articles?site=${encodeURIComponent("a' OR 1=1")}`, /hostname/],
    ['no query', '/articles', /exactly one of url, site or since/],
    ['two queries', '/articles?site=example.com&since=2024-01-01', /not site and since/],
    ['from without site', '/articles?since=2024-01-01&from=2024-01-01', /from cannot be used with since/],
    ['an unknown parameter', '/articles?site=example.com&sort=asc', /unknown parameter: sort/],
    ['a repeated parameter', '/articles?site=example.com&site=other.example', /more than once/],
    ['a __proto__ parameter', '/articles?site=example.com&__proto__=x', /unknown parameter: __proto__/],
    [
      'a percent-encoded __proto__',
      '/articles?site=example.com&%5F%5Fproto%5F%5F=x',
      /unknown parameter: __proto__/,
    ],
    [
      'a constructor parameter',
      '/articles/' + 'a'.repeat(64) + '?constructor=x',
      /unknown parameter: constructor/,
    ],
    ['a garbled cursor', '/articles?site=example.com&cursor=%00%01', /cursor/],
    ['an id of the wrong shape', '/articles/not-an-id', /64 hex characters/],
    ['a 63-character id', `/articles/${'A'.repeat(63)}`, /64 hex characters/],
    ['a bad format', `/articles/${'a'.repeat(64)}?format=pdf`, /format/],
    ['a parameter on versions', `/articles/${'a'.repeat(64)}/versions?limit=1`, /unknown parameter: limit/],
    ['a 10 KB query string', `/articles?site=example.com&x=${'a'.repeat(10_240)}`, /longer than 2048 bytes/],
  ])('answers 400 with a clear message for %s', async (_name, target, message) => {
    const reply = await get(target);
    expectError(reply, 400, 'BAD_REQUEST', message);
    expect(reply.headers['cache-control']).toBe('no-store');
    const template = target.includes('/versions')
      ? '/articles/{id}/versions'
      : target.startsWith('/articles/')
        ? '/articles/{id}'
        : '/articles';
    expect(validateResponse(template, reply)).toEqual([]);
  });

  it('answers 404 for an unknown id and an unknown path', async () => {
    const unknownArticle = await get(`/articles/${'0'.repeat(64)}`);
    expectError(unknownArticle, 404, 'NOT_FOUND');
    expect(validateResponse('/articles/{id}', unknownArticle)).toEqual([]);
    const unknownVersions = await get(`/articles/${'0'.repeat(64)}/versions`);
    expectError(unknownVersions, 404, 'NOT_FOUND');
    expect(validateResponse('/articles/{id}/versions', unknownVersions)).toEqual([]);
    expectError(await get('/nothing-here'), 404, 'NOT_FOUND');
  });

  it('answers 405 with an Allow header for other methods', async () => {
    for (const method of ['POST', 'PUT', 'DELETE', 'PATCH']) {
      const reply = await get(`/articles/${first.id}`, { method });
      expectError(reply, 405, 'METHOD_NOT_ALLOWED');
      expect(reply.headers.allow).toBe('GET, HEAD');
      expect(validateResponse('/articles/{id}', reply)).toEqual([]);
    }
  });

  it('answers 500 without internals when the store fails, and logs the cause', async () => {
    reader.failWith = new Error('connection reset by secret-host.internal');
    const reply = await get(`/articles/${first.id}`);
    expectError(reply, 500, 'INTERNAL');
    expect(reply.body).not.toContain('secret-host');
    expect(loggedErrors).toHaveLength(1);
    expect(validateResponse('/articles/{id}', reply)).toEqual([]);
  });

  it('refuses to start without a long enough cursor secret', () => {
    expect(() => createQueryHandler({ reader, cursorSecret: '' })).toThrow(/at least 32 characters/);
  });

  it('takes collapse=cluster on since lists only', async () => {
    const refused = await get('/articles?site=example.com&collapse=cluster');
    expect(refused.status).toBe(400);
    expect(refused.json.error.message).toContain('collapse cannot be used with site');
    expect((await get('/articles?since=2000-01-01&collapse=story')).status).toBe(400);
  });

  it('serves an OpenAPI 3.1 document built from the zod schemas', async () => {
    const reply = await get('/openapi.json');
    expect(reply.status).toBe(200);
    expect(reply.json.openapi).toBe('3.1.0');
    expect(Object.keys(reply.json.paths)).toEqual([
      '/articles',
      '/articles/{id}',
      '/articles/{id}/versions',
      '/articles/{id}/duplicates',
      '/sources',
      '/sources/{id}',
      '/openapi.json',
    ]);
    expect(reply.json.components.schemas.Article.properties.contentHash.pattern).toBe('^[0-9a-f]{64}$');
    expect(openApiDocumentErrors(reply.json)).toEqual([]);
    expect(() => compileComponentsStrictly(reply.json)).not.toThrow();
    const limit = reply.json.paths['/articles'].get.parameters.find(
      (p: { name: string }) => p.name === 'limit',
    );
    expect(limit.schema).toMatchObject({ type: 'integer', minimum: 1, maximum: 100 });
  });
});
