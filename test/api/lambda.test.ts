import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { handler } from '../../lambdas/query.ts';
import { ENV } from '../../lib/config.ts';
import { buildQueryHandler, loadCursorSecret } from '../../lib/handlers/build-query.ts';
import { createAwsStoreFromEnv } from '../../lib/store/aws/index.ts';
import { type FakeAwsServices, type FakeSecrets, startFakeAwsServices } from '../cdk/fake-aws-services.ts';
import { useLocalServers } from '../helpers/local-servers.ts';
import { apiEvent, makeArticle, makeRawPage, TEST_CURSOR_SECRET, toReply } from './fixtures.ts';

// The Lambda entry point, configured only through the environment (lib/config.ts ENV), on the local servers;
// Secrets Manager is a loopback fake the real SDK client reaches through AWS_ENDPOINT_URL_SECRETS_MANAGER.

const local = useLocalServers({ setProcessEnv: true });
const SECRET_ARN = 'arn:aws:secretsmanager:us-east-1:000000000000:secret:cursor-signing-AbCdEf';
const STORED_SECRET = 'stored-cursor-secret-0123456789abcdef';
const secrets: FakeSecrets = {};
let secretsManager: FakeAwsServices;

beforeAll(async () => {
  secretsManager = await startFakeAwsServices(secrets);
  process.env.AWS_ENDPOINT_URL_SECRETS_MANAGER = secretsManager.endpoint;
});

afterAll(async () => {
  delete process.env.AWS_ENDPOINT_URL_SECRETS_MANAGER;
  await secretsManager?.close();
});

afterEach(() => {
  secretsManager.secretReads.length = 0;
  for (const arn of Object.keys(secrets)) delete secrets[arn];
  delete process.env[ENV.cursorSecret];
  delete process.env[ENV.cursorSecretArn];
});

describe('lambdas/query', () => {
  it('serves an article stored in the table and bucket named by the environment', async () => {
    process.env[ENV.cursorSecret] = TEST_CURSOR_SECRET;
    const names = { bucketName: local.servers.bucketName, tableName: local.servers.tableName };
    const article = makeArticle({ url: 'https://example.com/lambda' });
    await createAwsStoreFromEnv(names).articles.commit(article, makeRawPage(article));
    const reply = toReply(await handler(apiEvent(`/articles/${article.id}`)));
    expect(reply.status).toBe(200);
    expect(reply.json.id).toBe(article.id);
  });

  it('refuses to start without a cursor secret of at least 32 characters', async () => {
    const env = { ...local.env };
    await expect(buildQueryHandler({ ...env, [ENV.cursorSecret]: 'too-short' })).rejects.toThrow(
      /at least 32 characters/,
    );
    await expect(buildQueryHandler({ ...env, [ENV.cursorSecret]: TEST_CURSOR_SECRET })).resolves.toBeTypeOf(
      'function',
    );
  });

  it('refuses to start without a table name', async () => {
    const { [ENV.tableName]: _table, ...env } = local.env;
    await expect(buildQueryHandler({ ...env, [ENV.cursorSecret]: TEST_CURSOR_SECRET })).rejects.toThrow(
      /ARTICLES_TABLE_NAME/,
    );
  });
});

describe('the cursor signing secret', () => {
  it('is read from Secrets Manager when its ARN is set, ahead of a value in the environment', async () => {
    secrets[SECRET_ARN] = STORED_SECRET;
    const env = { [ENV.cursorSecretArn]: SECRET_ARN, [ENV.cursorSecret]: TEST_CURSOR_SECRET };
    expect(await loadCursorSecret(env)).toBe(STORED_SECRET);
    expect(secretsManager.secretReads).toEqual([SECRET_ARN]);
  });

  it('is taken from the environment when no ARN is set, without calling Secrets Manager', async () => {
    expect(await loadCursorSecret({ [ENV.cursorSecret]: TEST_CURSOR_SECRET })).toBe(TEST_CURSOR_SECRET);
    expect(secretsManager.secretReads).toEqual([]);
  });

  it('is required: neither an ARN nor a value is a clear error', async () => {
    await expect(loadCursorSecret({})).rejects.toThrow(
      `no cursor signing secret: set ${ENV.cursorSecretArn} (a Secrets Manager secret) or ${ENV.cursorSecret}`,
    );
    await expect(buildQueryHandler({ ...local.env })).rejects.toThrow(/no cursor signing secret/);
  });

  it('from Secrets Manager must still be at least 32 characters, and must exist', async () => {
    secrets[SECRET_ARN] = 'too-short';
    const env = { ...local.env, [ENV.cursorSecretArn]: SECRET_ARN };
    await expect(buildQueryHandler(env)).rejects.toThrow(/at least 32 characters/);
    const missing = { ...local.env, [ENV.cursorSecretArn]: `${SECRET_ARN}-gone` };
    await expect(buildQueryHandler(missing)).rejects.toThrow(/can't find the specified secret/);
  });

  it('is read once per execution environment, and a failed read is retried on the next invocation', async () => {
    vi.resetModules();
    const fresh = await import('../../lambdas/query.ts');
    process.env[ENV.cursorSecretArn] = SECRET_ARN;
    const event = apiEvent(`/articles/${makeArticle({ url: 'https://example.com/never-stored' }).id}`);
    // Not there yet: the invocation fails and nothing is cached.
    await expect(fresh.handler(event)).rejects.toThrow(/can't find the specified secret/);
    secrets[SECRET_ARN] = STORED_SECRET;
    expect(toReply(await fresh.handler(event)).status).toBe(404);
    expect(toReply(await fresh.handler(event)).status).toBe(404);
    expect(secretsManager.secretReads).toEqual([SECRET_ARN, SECRET_ARN]);
  });
});
