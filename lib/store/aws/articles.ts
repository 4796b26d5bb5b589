import type { Article } from '../../core/article.ts';
import type {
  ArticleReader,
  ArticleRecord,
  ArticleVersionRecord,
  ArticleWriter,
  CommitGroup,
  CommitOptions,
  CommitResult,
  Page,
  RawPage,
  SinceListQuery,
  SiteListQuery,
  StoreCursor,
} from '../types.ts';
import { AwsArticleReader } from './article-reader.ts';
import { AwsArticleWriter } from './article-writer.ts';
import type { AwsArticleStoreOptions } from './common.ts';

export { MAX_PAGE_SIZE } from './article-reader.ts';
export { fitMetadata } from './article-writer.ts';
export { type AwsArticleStoreOptions, DEFAULT_SINCE_FEED_SETTLE_MS } from './common.ts';

/**
 * The article store on S3 + DynamoDB: its write path (article-writer.ts) and its read path (article-reader.ts)
 * behind one object, for callers that need both. Lambdas that only read or only write can take just one half.
 */
export class AwsArticleStore implements ArticleReader, ArticleWriter {
  readonly writer: AwsArticleWriter;
  readonly reader: AwsArticleReader;

  constructor(options: AwsArticleStoreOptions) {
    this.writer = new AwsArticleWriter(options);
    this.reader = new AwsArticleReader(options);
  }

  commit(article: Article, raw: RawPage, options?: CommitOptions): Promise<CommitResult> {
    return this.writer.commit(article, raw, options);
  }

  group(size: number): CommitGroup {
    return this.writer.group(size);
  }

  getRecord(id: string): Promise<ArticleRecord | undefined> {
    return this.reader.getRecord(id);
  }

  getArticle(id: string, version?: number): Promise<Article | undefined> {
    return this.reader.getArticle(id, version);
  }

  listBySite(query: SiteListQuery): Promise<Page<ArticleRecord>> {
    return this.reader.listBySite(query);
  }

  listIngestedSince(query: SinceListQuery): Promise<Page<ArticleRecord>> {
    return this.reader.listIngestedSince(query);
  }

  listVersions(id: string): Promise<ArticleVersionRecord[]> {
    return this.reader.listVersions(id);
  }

  getRawPage(id: string, version?: number): Promise<RawPage | undefined> {
    return this.reader.getRawPage(id, version);
  }
}

export type { StoreCursor };
