// What the query benchmarks share: a store client on an embedded stack's own bucket and table, and seeding it
// with generated articles through the real ArticleWriter (8 writers at once).
import { ENV } from '../lib/config.ts';
import type { Article } from '../lib/core/article.ts';
import { createDynamoDbClient } from '../lib/store/aws/clients.ts';
import { type AwsStore, createAwsStore } from '../lib/store/aws/index.ts';
import { createS3Client } from '../lib/store/aws/s3-client.ts';
import { makeArticle, makeRawPage } from '../test/api/fixtures.ts';

/** The store an embedded stack serves, through the AWS SDK clients; `close` destroys the clients. */
export function storeOfStack(env: Record<string, string | undefined>): { store: AwsStore; close(): void } {
  const clientConfig = {
    region: env.AWS_REGION,
    credentials: {
      accessKeyId: env.AWS_ACCESS_KEY_ID ?? '',
      secretAccessKey: env.AWS_SECRET_ACCESS_KEY ?? '',
    },
  };
  const s3 = createS3Client(clientConfig, env);
  const dynamodb = createDynamoDbClient(clientConfig, env);
  const store = createAwsStore({
    s3,
    dynamodb,
    bucketName: env[ENV.bucketName] ?? '',
    tableName: env[ENV.tableName] ?? '',
  });
  return {
    store,
    close() {
      s3.destroy();
      dynamodb.destroy();
    },
  };
}

export interface SeedOptions {
  articles: number;
  sites: number;
  title: (index: number) => string;
  text: (index: number) => string;
}

/**
 * Commits `articles` generated articles, spread round-robin over `sites` sites and an hour apart from
 * 2024-01-01. `startedAt` is when seeding began: the since feed from it lists every seeded article.
 */
export async function seedArticles(
  store: AwsStore,
  options: SeedOptions,
): Promise<{ articles: Article[]; startedAt: string; seconds: number }> {
  const started = performance.now();
  const startedAt = new Date().toISOString();
  const articles = Array.from({ length: options.articles }, (_, index) =>
    makeArticle({
      url: `https://site${index % options.sites}.example/news/${index}`,
      title: options.title(index),
      publishedAt: new Date(Date.UTC(2024, 0, 1) + index * 3_600_000).toISOString(),
      text: options.text(index),
    }),
  );
  let next = 0;
  await Promise.all(
    Array.from({ length: 8 }, async () => {
      while (next < articles.length) {
        const article = articles[next++] as Article;
        await store.articles.commit(article, makeRawPage(article));
      }
    }),
  );
  return { articles, startedAt, seconds: (performance.now() - started) / 1000 };
}
