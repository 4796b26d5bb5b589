import { createHmac } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildOpenApiDocument } from '../../lib/api/openapi.ts';
import type { Article } from '../../lib/core/article.ts';
import { articleIdForUrl, canonicalizeUrl } from '../../lib/core/url.ts';
import { type QueryServer, startQueryServer } from '../../lib/embedded/query-server.ts';
import { createQueryHandler, type QueryHandler } from '../../lib/handlers/query.ts';
import { type TestStore, useLocalServers } from '../helpers/local-servers.ts';
import { apiEvent, makeArticle, makeRawPage, type Reply, TEST_CURSOR_SECRET, toReply } from './fixtures.ts';
import { createResponseValidator } from './openapi-validator.ts';

// The query handler against the real store (s3rver + dynalite on loopback), called both as the Lambda
// receives it (a v2 event) and through the embedded stack's HTTP adapter (startQueryServer).

const local = useLocalServers();
const validateResponse = createResponseValidator(buildOpenApiDocument());

const SITE_ARTICLES = 23;
let store: TestStore;
let handler: QueryHandler;
let server: QueryServer;
let seeded: Article[];
let startedAt: string;

async function commit(article: Article): Promise<void> {
  await store.articles.commit(article, makeRawPage(article));
}

function templateFor(target: string): string {
  const path = target.split('?')[0] ?? '';
  if (path.endsWith('/versions')) return '/articles/{id}/versions';
  if (path.startsWith('/articles/')) return '/articles/{id}';
  return path;
}

beforeAll(async () => {
  // No settle window: these commits are sequential, so the since feed may show them at once.
  store = await local.freshStore({ sinceFeedSettleMs: 0 });
  handler = createQueryHandler({ reader: store.articles, cursorSecret: TEST_CURSOR_SECRET });
  server = await startQueryServer({ handler, port: 0 });
  startedAt = new Date().toISOString();
  seeded = [];
  for (let index = 0; index < SITE_ARTICLES; index += 1) {
    // Two articles share each publication time, so ties must be ordered stably across pages.
    const hour = String(Math.floor(index / 2)).padStart(2, '0');
    seeded.push(
      makeArticle({
        url: `https://www.example.com/news/${index}?utm_source=feed`,
        publishedAt: `2024-05-01T${hour}:00:00.000Z`,
        title: `Example story ${index}`,
      }),
    );
  }
  seeded.push(makeArticle({ url: 'https://example.com/undated', title: 'No date' }));
  for (let index = 0; index < 4; index += 1) {
    seeded.push(
      makeArticle({ url: `https://other.example/${index}`, publishedAt: '2024-04-01T00:00:00.000Z' }),
    );
  }
  for (const article of seeded) await commit(article);
});

afterAll(async () => {
  await server?.close();
});

type Get = (
  target: string,
  options?: { method?: string; headers?: Record<string, string> },
) => Promise<Reply>;

const viaHandler: Get = async (target, options = {}) => toReply(await handler(apiEvent(target, options)));

const viaHttp: Get = async (target, options = {}) => {
  const response = await fetch(`${server.url}${target}`, {
    method: options.method ?? 'GET',
    headers: options.headers,
  });
  const body = await response.text();
  const headers: Record<string, string> = {};
  response.headers.forEach((value, name) => {
    headers[name] = value;
  });
  let json: unknown;
  try {
    json = body ? JSON.parse(body) : undefined;
  } catch {
    json = undefined;
  }
  return { status: response.status, headers, body, json };
};

describe.each([
  ['the Lambda handler', viaHandler],
  ['the local HTTP server', viaHttp],
])('query API on the real store, through %s', (_name, get) => {
  async function conforming(target: string, options?: Parameters<Get>[1]): Promise<Reply> {
    const reply = await get(target, options);
    expect(validateResponse(templateFor(target), reply), `${target} → ${reply.status}`).toEqual([]);
    return reply;
  }

  async function collectPages(firstTarget: string, withCursor: (cursor: string) => string) {
    const pages: Reply[] = [];
    let target = firstTarget;
    for (let guard = 0; guard < 100; guard += 1) {
      const reply = await conforming(target);
      expect(reply.status).toBe(200);
      pages.push(reply);
      if (reply.json.nextCursor === undefined) break;
      target = withCursor(reply.json.nextCursor);
    }
    return pages;
  }

  it('GET /articles/{id} returns the stored article as JSON, text and HTML', async () => {
    const article = seeded[3] as Article;
    const json = await conforming(`/articles/${article.id}`);
    expect(json.status).toBe(200);
    expect(json.json).toEqual(article);
    expect(json.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(json.headers['cache-control']).toBe('public, max-age=300');
    const text = await conforming(`/articles/${article.id}?format=text`);
    expect(text.body).toBe(article.content.text);
    expect(text.headers['content-type']).toBe('text/plain; charset=utf-8');
    const html = await conforming(`/articles/${article.id}?format=html`);
    expect(html.body).toBe(article.content.html);
    expect(html.headers['content-type']).toBe('text/html; charset=utf-8');
  });

  it('round-trips the ETag: 304 with no body, then 200 once the article changes', async () => {
    const article = makeArticle({ url: `https://example.org/etag/${_name.length}`, text: 'First text.' });
    await commit(article);
    const first = await conforming(`/articles/${article.id}`);
    const etag = first.headers.etag ?? '';
    expect(etag).toMatch(/^"[0-9a-f]{32}-v1-json"$/);
    const cached = await conforming(`/articles/${article.id}`, { headers: { 'if-none-match': etag } });
    expect(cached.status).toBe(304);
    expect(cached.body).toBe('');
    expect(cached.headers.etag).toBe(etag);
    await commit(makeArticle({ url: article.url, text: 'Second text.' }));
    const changed = await conforming(`/articles/${article.id}`, { headers: { 'if-none-match': etag } });
    expect(changed.status).toBe(200);
    expect(changed.json.content.text).toBe('Second text.');
    expect(changed.headers.etag).toMatch(/-v2-json"$/);
  });

  it('GET /articles/{id}/versions lists the versions, and ?version= serves an old one', async () => {
    const url = `https://example.org/versions/${_name.length}`;
    await commit(makeArticle({ url, text: 'Version one.' }));
    await commit(makeArticle({ url, text: 'Version two.' }));
    const id = articleIdForUrl(canonicalizeUrl(url));
    const versions = await conforming(`/articles/${id}/versions`);
    expect(versions.json.id).toBe(id);
    expect(versions.json.items.map((item: { version: number }) => item.version)).toEqual([1, 2]);
    const old = await conforming(`/articles/${id}?version=1&format=text`);
    expect(old.body).toBe('Version one.');
    expect(old.headers['cache-control']).toContain('immutable');
    expect((await conforming(`/articles/${id}?format=text`)).body).toBe('Version two.');
  });

  it('GET /articles?url= finds an article by any URL that canonicalizes to it', async () => {
    const article = seeded[0] as Article;
    const reply = await conforming(
      `/articles?url=${encodeURIComponent('https://WWW.example.com/news/0?utm_medium=x&fbclid=y#comments')}`,
    );
    expect(reply.status).toBe(200);
    expect(reply.json.id).toBe(article.id);
    const text = await conforming(`/articles?url=${encodeURIComponent(article.url)}&format=text`);
    expect(text.body).toBe(article.content.text);
  });

  it('pages through a site newest first, returning every article exactly once', async () => {
    const pages = await collectPages(
      '/articles?site=example.com&limit=4',
      (cursor) => `/articles?site=example.com&limit=4&cursor=${cursor}`,
    );
    const items = pages.flatMap((page) => page.json.items) as Array<{ id: string; publishedAt?: string }>;
    const expected = seeded.filter((article) => article.site.domain === 'example.com').map((a) => a.id);
    expect(items.map((item) => item.id).sort()).toEqual([...expected].sort());
    expect(new Set(items.map((item) => item.id)).size).toBe(items.length);
    const dated = items
      .map((item) => item.publishedAt)
      .filter((value): value is string => value !== undefined);
    expect(dated).toEqual([...dated].sort().reverse());
    expect(pages.at(-1)?.json.nextCursor).toBeUndefined();
    expect(pages.slice(0, -1).every((page) => page.json.nextCursor)).toBe(true);
  });

  it('filters a site by publication dates (a plain date includes the whole day)', async () => {
    const reply = await conforming(
      '/articles?site=www.example.com&from=2024-05-01T03:00:00Z&to=2024-05-01T04:00:00Z',
    );
    expect(reply.json.items.map((item: { publishedAt: string }) => item.publishedAt)).toEqual([
      '2024-05-01T04:00:00.000Z',
      '2024-05-01T04:00:00.000Z',
      '2024-05-01T03:00:00.000Z',
      '2024-05-01T03:00:00.000Z',
    ]);
    const day = await conforming('/articles?site=other.example&from=2024-04-01&to=2024-04-01');
    expect(day.json.items).toHaveLength(4);
  });

  it('pages through everything since a time, oldest first, with articles arriving between pages', async () => {
    // Strictly after everything committed so far (ingestedAt has millisecond precision).
    const since = new Date(Date.now() + 1).toISOString();
    await new Promise((resolve) => setTimeout(resolve, 5));
    const before = Array.from({ length: 9 }, (_, index) =>
      makeArticle({ url: `https://feed.example/${_name.length}/before/${index}` }),
    );
    for (const article of before) await commit(article);
    const arrived: Article[] = [];
    const seen: Array<{ id: string; version: number; ingestedAt: string }> = [];
    let target = `/articles?since=${since}&limit=4`;
    let resumeCursor: string | undefined;
    for (let page = 0; page < 50; page += 1) {
      const reply = await conforming(target);
      seen.push(...reply.json.items);
      resumeCursor = reply.json.resumeCursor;
      if (reply.json.nextCursor === undefined) break;
      if (arrived.length < 6) {
        // New articles land while the consumer is between pages.
        const fresh = makeArticle({ url: `https://feed.example/${_name.length}/during/${arrived.length}` });
        await commit(fresh);
        arrived.push(fresh);
      }
      target = `/articles?since=${since}&limit=4&cursor=${reply.json.nextCursor}`;
    }
    const ids = seen.map((item) => item.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids.sort()).toEqual([...before, ...arrived].map((article) => article.id).sort());
    const times = seen.map((item) => item.ingestedAt);
    expect(times).toEqual([...times].sort());

    // A poller continues from resumeCursor: it gets exactly what arrived after, nothing twice.
    expect(resumeCursor).toBeDefined();
    const later = makeArticle({ url: `https://feed.example/${_name.length}/later` });
    await commit(later);
    const poll = await conforming(`/articles?since=${since}&limit=4&cursor=${resumeCursor}`);
    expect(poll.json.items.map((item: { id: string }) => item.id)).toEqual([later.id]);
  });

  it('refuses a tampered cursor, and a cursor reused with another query, with 400', async () => {
    const first = await conforming('/articles?site=example.com&limit=2');
    const cursor: string = first.json.nextCursor;
    const [body = '', signature = ''] = cursor.split('.');
    const payload = JSON.parse(Buffer.from(body, 'base64url').toString());
    payload.k.id = '0'.repeat(64);
    const forged = `${Buffer.from(JSON.stringify(payload)).toString('base64url')}.${signature}`;
    const tampered = await conforming(`/articles?site=example.com&limit=2&cursor=${forged}`);
    expect(tampered.status).toBe(400);
    expect(tampered.json.error).toMatchObject({
      code: 'BAD_REQUEST',
      message: expect.stringMatching(/invalid cursor/),
    });
    const reused = await conforming(`/articles?site=other.example&limit=2&cursor=${cursor}`);
    expect(reused.status).toBe(400);
    expect(reused.json.error.message).toMatch(/different query/);
    const truncated = await conforming(`/articles?site=example.com&limit=2&cursor=${cursor.slice(0, -3)}`);
    expect(truncated.status).toBe(400);
  });

  it('answers 400, not a store error, to a correctly signed cursor whose position has another shape', async () => {
    // Only reachable with the signing secret (a leak, or a future cursor format): the store still checks
    // the position's shape before any value of it reaches a DynamoDB key.
    const first = await conforming('/articles?site=example.com&limit=2');
    const [body = ''] = (first.json.nextCursor as string).split('.');
    const payload = JSON.parse(Buffer.from(body, 'base64url').toString());
    const resign = (k: unknown): string => {
      const altered = Buffer.from(JSON.stringify({ ...payload, k })).toString('base64url');
      return `${altered}.${createHmac('sha256', TEST_CURSOR_SECRET).update(altered).digest('base64url')}`;
    };
    const positions = [
      {},
      { ...payload.k, extra: 'x' },
      { ingestedAt: '2024-05-01T00:00:00.000Z', id: payload.k.id },
      { ...payload.k, id: "' OR 1=1" },
    ];
    for (const position of positions) {
      const reply = await conforming(`/articles?site=example.com&limit=2&cursor=${resign(position)}`);
      expect(reply.status, JSON.stringify(position)).toBe(400);
      expect(reply.json.error.message).toMatch(/invalid cursor/);
    }
  });

  it.each([
    ['limit 0', '/articles?site=example.com&limit=0'],
    ['limit 10,000', '/articles?site=example.com&limit=10000'],
    ['a bad date', '/articles?since=2024-02-30T00:00:00Z'],
    ['an empty site', '/articles?site='],
    ['a quote in the site', `/articles?site=${encodeURIComponent("a' OR 1=1")}`],
    ['an id of the wrong shape', '/articles/12345'],
    ['an unknown parameter', '/articles?site=example.com&order=asc'],
    ['a 10 KB query string', `/articles?site=example.com&pad=${'x'.repeat(10 * 1024)}`],
  ])('answers 400 for %s', async (_case, target) => {
    const reply = await conforming(target);
    expect(reply.status).toBe(400);
    expect(reply.json.error.code).toBe('BAD_REQUEST');
    expect(reply.json.error.message.length).toBeGreaterThan(5);
  });

  it('answers 404 for an unknown id and 405 (with Allow) for a wrong method', async () => {
    const missing = await conforming(`/articles/${'0'.repeat(64)}`);
    expect(missing.status).toBe(404);
    expect(missing.json.error.code).toBe('NOT_FOUND');
    const posted = await conforming(`/articles/${(seeded[0] as Article).id}`, { method: 'POST' });
    expect(posted.status).toBe(405);
    expect(posted.headers.allow).toBe('GET, HEAD');
    const deleted = await conforming('/articles?site=example.com', { method: 'DELETE' });
    expect(deleted.status).toBe(405);
  });

  it('answers HEAD like GET without a body', async () => {
    const reply = await get(`/articles/${(seeded[0] as Article).id}`, { method: 'HEAD' });
    expect(reply.status).toBe(200);
    expect(reply.headers.etag).toMatch(/-v1-json"$/);
    if (get === viaHttp) expect(reply.body).toBe('');
  });

  it('serves the OpenAPI document', async () => {
    const reply = await conforming('/openapi.json');
    expect(reply.json.openapi).toBe('3.1.0');
  });
});

describe('the store keeps query values out of DynamoDB expressions', () => {
  it('treats quotes and expression syntax in a site as a plain value', async () => {
    // The API refuses such a site before the store; the store must still be safe on its own.
    for (const site of ["a' OR 1=1", 'example.com OR begins_with(pk, :x)', '#pk = :pk']) {
      const page = await store.articles.listBySite({ site, limit: 5 });
      expect(page.items).toEqual([]);
    }
  });

  it('still answers since queries older than any article', async () => {
    const reply = await viaHandler(`/articles?since=${startedAt.slice(0, 10)}&limit=100`);
    expect(reply.status).toBe(200);
    expect(reply.json.items.length).toBeGreaterThanOrEqual(seeded.length);
  });
});
