import { describe, expect, it } from 'vitest';
import { buildOpenApiDocument } from '../../lib/api/openapi.ts';
import { createQueryHandler } from '../../lib/handlers/query.ts';
import { useLocalServers } from '../helpers/local-servers.ts';
import { apiEvent, TEST_CURSOR_SECRET, toReply } from './fixtures.ts';
import { MemoryReader } from './memory-reader.ts';
import { createResponseValidator, openApiDocumentErrors } from './openapi-validator.ts';

// The /sources routes of the query handler on a real registry (dynalite), each answer checked against OpenAPI.
const local = useLocalServers();
const document = buildOpenApiDocument();
const validateResponse = createResponseValidator(document);

async function api() {
  const store = await local.freshStore();
  const handler = createQueryHandler({
    reader: new MemoryReader(),
    sources: store.sources,
    cursorSecret: TEST_CURSOR_SECRET,
    logger: { error: () => {} },
  });
  return async (method: string, target: string, body?: unknown) => {
    const event = apiEvent(target, { method });
    if (body !== undefined) event.body = typeof body === 'string' ? body : JSON.stringify(body);
    return toReply(await handler(event));
  };
}

describe('the sources API', () => {
  it('registers, lists with health, pauses, resumes and removes sources, as the OpenAPI document says', async () => {
    expect(openApiDocumentErrors(document)).toEqual([]);
    const call = await api();
    const created = await call('POST', '/sources', {
      url: 'https://news.example/feed.xml',
      intervalSeconds: 1800,
    });
    expect(created.status).toBe(201);
    expect(validateResponse('/sources', created, 'post')).toEqual([]);
    expect(created.json).toMatchObject({ kind: 'feed', intervalSeconds: 1800, paused: false });
    expect(created.headers.location).toBe(`/sources/${created.json.id}`);
    const id = created.json.id as string;

    const conflict = await call('POST', '/sources', { url: 'https://NEWS.example/feed.xml' });
    expect(conflict.status).toBe(409);
    expect(conflict.json.error.message).toContain(id);
    expect(validateResponse('/sources', conflict, 'post')).toEqual([]);

    for (let index = 0; index < 4; index++)
      await call('POST', '/sources', { url: `https://s${index}.example/` });
    const first = await call('GET', '/sources?limit=3');
    expect(validateResponse('/sources', first)).toEqual([]);
    expect(first.json.items).toHaveLength(3);
    expect(first.json.items[0].health).toMatchObject({ consecutiveFailures: 0, articlesIngested: 0 });
    const rest = await call('GET', `/sources?limit=3&cursor=${first.json.nextCursor}`);
    expect(rest.json.items).toHaveLength(2);
    expect(rest.json.nextCursor).toBeUndefined();

    const paused = await call('PATCH', `/sources/${id}`, { paused: true });
    expect(paused.status).toBe(200);
    expect(validateResponse('/sources/{id}', paused, 'patch')).toEqual([]);
    expect(paused.json.paused).toBe(true);
    expect(
      (await call('PATCH', `/sources/${id}`, { paused: false, intervalSeconds: 600 })).json,
    ).toMatchObject({
      paused: false,
      intervalSeconds: 600,
    });
    const got = await call('GET', `/sources/${id}`);
    expect(validateResponse('/sources/{id}', got)).toEqual([]);

    const removed = await call('DELETE', `/sources/${id}`);
    expect(removed.status).toBe(204);
    expect(validateResponse('/sources/{id}', removed, 'delete')).toEqual([]);
    const gone = await call('GET', `/sources/${id}`);
    expect(gone.status).toBe(404);
    expect(validateResponse('/sources/{id}', gone)).toEqual([]);
  });

  it('answers bad input with the same JSON error shape, and stores nothing', async () => {
    const call = await api();
    const cases: Array<[string, string, unknown, number, RegExp]> = [
      ['POST', '/sources', { url: 'ftp://x.example/' }, 400, /not an http\(s\) URL/],
      ['POST', '/sources', '{not json', 400, /not valid JSON/],
      ['POST', '/sources', { url: 'https://x.example/', every: '5m' }, 400, /every/],
      ['POST', '/sources', { url: 'https://x.example/', intervalSeconds: 1 }, 400, /intervalSeconds/],
      ['POST', '/sources', undefined, 400, /JSON body is required/],
      ['PATCH', '/sources/0123456789abcdef', { url: 'https://y.example/' }, 400, /url/],
      ['PATCH', '/sources/0123456789abcdef', { paused: true }, 404, /no source/],
      ['GET', '/sources/not-an-id', undefined, 400, /16 lowercase hex/],
      ['GET', '/sources?limit=0', undefined, 400, /limit/],
      ['GET', '/sources?color=red', undefined, 400, /unknown parameter/],
      ['PUT', '/sources', { url: 'https://x.example/' }, 405, /not allowed/],
    ];
    for (const [method, target, body, status, message] of cases) {
      const reply = await call(method, target, body);
      expect(reply.status, `${method} ${target}`).toBe(status);
      expect(reply.json.error.message, `${method} ${target}`).toMatch(message);
      expect(Object.keys(reply.json.error).sort()).toEqual(['code', 'message']);
    }
    expect((await call('GET', '/sources')).json.items).toEqual([]);
  });
});
