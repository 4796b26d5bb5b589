import { DeleteObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Article } from '../../lib/core/article.ts';
import { createQueryHandler } from '../../lib/handlers/query.ts';
import { apiEvent, makeArticle, makeRawPage, TEST_CURSOR_SECRET } from '../api/fixtures.ts';
import { type TestStore, useLocalServers } from '../helpers/local-servers.ts';

// Issue 14: a deleted or damaged stored article answered 500 forever, with a 40-line stack per request on the
// console. Now: 503 ARTICLE_UNAVAILABLE naming the repair, one log line, and the other articles unaffected.

const local = useLocalServers();
let store: TestStore;
let healthy: Article;
let deleted: Article;
let damaged: Article;

beforeAll(async () => {
  store = await local.freshStore();
  [healthy, deleted, damaged] = ['a', 'b', 'c'].map((name) =>
    makeArticle({ url: `https://news.example/${name}` }),
  ) as [Article, Article, Article];
  for (const article of [healthy, deleted, damaged])
    await store.articles.commit(article, makeRawPage(article));
  const keyOf = async (article: Article) =>
    (await store.articles.getRecord(article.id))?.articleKey as string;
  await store.s3.send(new DeleteObjectCommand({ Bucket: store.bucketName, Key: await keyOf(deleted) }));
  await store.s3.send(
    new PutObjectCommand({
      Bucket: store.bucketName,
      Key: await keyOf(damaged),
      Body: '{"schemaVersion":1,"trunc',
    }),
  );
});

describe('one broken stored article', () => {
  it('answers 503 ARTICLE_UNAVAILABLE with the repair command, logs one line, leaves the others alone', async () => {
    const logged: unknown[][] = [];
    const handler = createQueryHandler({
      reader: store.articles,
      cursorSecret: TEST_CURSOR_SECRET,
      logger: { error: (...args: unknown[]) => logged.push(args) },
    });
    for (const article of [deleted, damaged]) {
      for (const target of [`/articles/${article.id}`, `/articles?url=${encodeURIComponent(article.url)}`]) {
        const reply = await handler(apiEvent(target));
        expect(reply.statusCode).toBe(503);
        expect(reply.headers?.['content-type']).toMatch(/application\/json/);
        const body = JSON.parse(String(reply.body)) as { error: { code: string; message: string } };
        expect(body.error.code).toBe('ARTICLE_UNAVAILABLE');
        expect(body.error.message).toContain(`articles ingest --force ${article.url}`);
      }
    }
    // One plain line per failed request: no Error objects (stacks) on the console.
    expect(logged).toHaveLength(4);
    for (const args of logged) {
      expect(args).toHaveLength(1);
      expect(String(args[0])).toMatch(/^article [0-9a-f]{64} v1 is unavailable: /);
    }
    expect((await handler(apiEvent(`/articles/${healthy.id}`))).statusCode).toBe(200);
    expect((await handler(apiEvent('/articles?site=news.example'))).statusCode).toBe(200);
  });
});
