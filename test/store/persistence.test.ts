import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';

// Two server starts per test; DynamoDB Local (Java) takes seconds each on a busy machine.
const RESTART_TIMEOUT_MS = 120_000;

import { startLocalServers } from '../../lib/embedded/servers.ts';
import { createDynamoDbClient, ENDPOINT_ENV } from '../../lib/store/aws/clients.ts';
import { createAwsStore } from '../../lib/store/aws/index.ts';
import { createS3Client } from '../../lib/store/aws/s3-client.ts';
import { storeTestEngine } from '../helpers/local-servers.ts';
import { makeArticle, makeRaw } from './fixtures.ts';

const dirs: string[] = [];
afterAll(async () => {
  for (const dir of dirs) await rm(dir, { recursive: true, force: true });
});

async function openStore(dataDir: string | undefined) {
  const servers = await startLocalServers({ dataDir, engine: storeTestEngine() });
  const config = {
    region: servers.env.AWS_REGION,
    credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
  };
  const s3 = createS3Client(config, { [ENDPOINT_ENV.s3]: servers.s3Endpoint });
  const dynamodb = createDynamoDbClient(config, { [ENDPOINT_ENV.dynamodb]: servers.dynamodbEndpoint });
  const store = createAwsStore({
    s3,
    dynamodb,
    bucketName: servers.bucketName,
    tableName: servers.tableName,
  });
  return {
    servers,
    store,
    close: async () => {
      s3.destroy();
      dynamodb.destroy();
      await servers.stop();
    },
  };
}

it(
  'keeps articles, versions and crawl state across a restart on the same data directory',
  async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'store-persistence-'));
    dirs.push(dataDir);
    const v1 = makeArticle({ url: 'https://persist.example/a', text: 'Before the restart.' });
    const v2 = makeArticle({ url: v1.url, text: 'Still before the restart, edited.' });

    const first = await openStore(dataDir);
    await first.store.articles.commit(v1, makeRaw(v1));
    await first.store.articles.commit(v2, makeRaw(v2));
    await first.store.crawlState.put({ url: v1.url, etag: '"e2"', failureCount: 0 });
    await first.close();

    const second = await openStore(dataDir);
    try {
      expect(await second.store.articles.getRecord(v1.id)).toMatchObject({
        version: 2,
        contentHash: v2.contentHash,
      });
      expect((await second.store.articles.getArticle(v1.id, 1))?.content.text).toBe('Before the restart.');
      expect((await second.store.articles.listVersions(v1.id)).map((version) => version.version)).toEqual([
        1, 2,
      ]);
      expect(await second.store.crawlState.get(v1.url)).toEqual({
        url: v1.url,
        etag: '"e2"',
        failureCount: 0,
      });
      // Writing after the restart builds on what was there.
      const v3 = makeArticle({ url: v1.url, text: 'After the restart.' });
      expect((await second.store.articles.commit(v3, makeRaw(v3))).record.version).toBe(3);
    } finally {
      await second.close();
    }
  },
  RESTART_TIMEOUT_MS,
);

it(
  'keeps nothing across a restart without a data directory',
  async () => {
    const article = makeArticle({ url: 'https://ephemeral.example/a' });
    const first = await openStore(undefined);
    await first.store.articles.commit(article, makeRaw(article));
    expect(await first.store.articles.getRecord(article.id)).toBeDefined();
    await first.close();

    const second = await openStore(undefined);
    try {
      expect(await second.store.articles.getRecord(article.id)).toBeUndefined();
      expect((await second.store.articles.commit(article, makeRaw(article))).status).toBe('created');
    } finally {
      await second.close();
    }
  },
  RESTART_TIMEOUT_MS,
);
