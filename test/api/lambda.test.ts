import { beforeAll, describe, expect, it } from 'vitest';
import { buildQueryHandler, handler } from '../../lambdas/query.ts';
import { ENV } from '../../lib/config.ts';
import { createAwsStoreFromEnv } from '../../lib/store/aws/index.ts';
import { useLocalServers } from '../helpers/local-servers.ts';
import { apiEvent, makeArticle, makeRawPage, TEST_CURSOR_SECRET, toReply } from './fixtures.ts';

// The Lambda entry point, configured only through the environment (lib/config.ts ENV), on the local servers.

const local = useLocalServers({ setProcessEnv: true });

describe('lambdas/query', () => {
  beforeAll(() => {
    process.env[ENV.cursorSecret] = TEST_CURSOR_SECRET;
    return () => {
      delete process.env[ENV.cursorSecret];
    };
  });

  it('serves an article stored in the table and bucket named by the environment', async () => {
    const names = { bucketName: local.servers.bucketName, tableName: local.servers.tableName };
    const article = makeArticle({ url: 'https://example.com/lambda' });
    await createAwsStoreFromEnv(names).articles.commit(article, makeRawPage(article));
    const reply = toReply(await handler(apiEvent(`/articles/${article.id}`)));
    expect(reply.status).toBe(200);
    expect(reply.json.id).toBe(article.id);
  });

  it('refuses to start without a cursor secret of at least 32 characters', () => {
    const env = { ...local.env };
    expect(() => buildQueryHandler(env)).toThrow(/at least 32 characters/);
    expect(() => buildQueryHandler({ ...env, [ENV.cursorSecret]: 'too-short' })).toThrow(/at least 32/);
    expect(() => buildQueryHandler({ ...env, [ENV.cursorSecret]: TEST_CURSOR_SECRET })).not.toThrow();
  });

  it('refuses to start without a table name', () => {
    const { [ENV.tableName]: _table, ...env } = local.env;
    expect(() => buildQueryHandler({ ...env, [ENV.cursorSecret]: TEST_CURSOR_SECRET })).toThrow(
      /ARTICLES_TABLE_NAME/,
    );
  });
});
