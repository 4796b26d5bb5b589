import type { Article } from '../../lib/core/article.ts';
import type {
  ArticleReader,
  ArticleRecord,
  ArticleVersionRecord,
  Page,
  RawPage,
  SinceListQuery,
  SiteListQuery,
} from '../../lib/store/types.ts';

/**
 * An in-memory ArticleReader for the handler's unit tests (routing, validation, headers). It implements the
 * store port, not the AWS SDK; the integration tests run the same handler against the real store.
 */
export class MemoryReader implements ArticleReader {
  readonly versions = new Map<string, Article[]>();
  readonly ingestedAt = new Map<string, string[]>();
  failWith: Error | undefined;

  add(article: Article, ingestedAt: string): void {
    const list = this.versions.get(article.id) ?? [];
    list.push(article);
    this.versions.set(article.id, list);
    const times = this.ingestedAt.get(article.id) ?? [];
    times.push(ingestedAt);
    this.ingestedAt.set(article.id, times);
  }

  #record(id: string): ArticleRecord | undefined {
    const list = this.versions.get(id);
    const times = this.ingestedAt.get(id);
    const article = list?.at(-1);
    if (!article || !times) return undefined;
    return {
      id,
      url: article.url,
      site: article.site.domain,
      title: article.title,
      authors: article.authors,
      publishedAt: article.publishedAt,
      language: article.language,
      contentHash: article.contentHash,
      version: list?.length ?? 1,
      ingestedAt: times.at(-1) ?? '',
      firstIngestedAt: times[0] ?? '',
      articleKey: `articles/${id}/v${list?.length}.json`,
      rawKey: `raw/${id}/v${list?.length}.html`,
    };
  }

  #check(): void {
    if (this.failWith) throw this.failWith;
  }

  async getRecord(id: string): Promise<ArticleRecord | undefined> {
    this.#check();
    return this.#record(id);
  }

  async getArticle(id: string, version?: number): Promise<Article | undefined> {
    this.#check();
    const list = this.versions.get(id);
    return version === undefined ? list?.at(-1) : list?.[version - 1];
  }

  #page(records: ArticleRecord[], limit: number, after: Record<string, string | number> | undefined) {
    const start = typeof after?.offset === 'number' ? after.offset : 0;
    const items = records.slice(start, start + limit);
    const page: Page<ArticleRecord> = { items };
    if (start + limit < records.length) page.cursor = { offset: start + limit };
    return page;
  }

  async listBySite(query: SiteListQuery): Promise<Page<ArticleRecord>> {
    this.#check();
    const records = [...this.versions.keys()]
      .map((id) => this.#record(id))
      .filter((record): record is ArticleRecord => record?.site === query.site)
      .filter((record) => query.from === undefined || (record.publishedAt ?? '') >= query.from)
      .filter((record) => query.to === undefined || (record.publishedAt ?? '') <= query.to)
      .sort((a, b) => (b.publishedAt ?? '').localeCompare(a.publishedAt ?? '') || a.id.localeCompare(b.id));
    return this.#page(records, query.limit, query.after);
  }

  async listIngestedSince(query: SinceListQuery): Promise<Page<ArticleRecord>> {
    this.#check();
    const records = [...this.versions.keys()]
      .map((id) => this.#record(id))
      .filter((record): record is ArticleRecord => record !== undefined && record.ingestedAt >= query.since)
      .sort((a, b) => a.ingestedAt.localeCompare(b.ingestedAt) || a.id.localeCompare(b.id));
    return this.#page(records, query.limit, query.after);
  }

  async listVersions(id: string): Promise<ArticleVersionRecord[]> {
    this.#check();
    const list = this.versions.get(id) ?? [];
    const times = this.ingestedAt.get(id) ?? [];
    return list.map((article, index) => ({
      id,
      version: index + 1,
      contentHash: article.contentHash,
      ingestedAt: times[index] ?? '',
      articleKey: `articles/${id}/v${index + 1}.json`,
      rawKey: `raw/${id}/v${index + 1}.html`,
    }));
  }

  /** The query API never reads raw pages; a page made from the stored content stands in for one. */
  async getRawPage(id: string, version?: number): Promise<RawPage | undefined> {
    const article = await this.getArticle(id, version);
    if (article === undefined) return undefined;
    return {
      url: article.sourceUrl,
      finalUrl: article.url,
      status: 200,
      contentType: 'text/html; charset=utf-8',
      body: new TextEncoder().encode(`<html><body>${article.content.html}</body></html>`),
      fetchedAt: article.extractedAt,
    };
  }
}
