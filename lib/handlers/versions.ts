import type { PageType } from '../core/article.ts';
import type { ArticleIngestedDetail } from '../core/events.ts';
import type { CommitResult } from '../store/types.ts';

/**
 * What ingest and re-extraction share about a new version: after the store's commit (ArticleWriter.commit, the
 * one place versions are written) the same ArticleIngested detail is published for it.
 */

/** The ArticleIngested detail of a committed version (its reason, if any, comes from the stored record). */
export function ingestedDetail(
  commit: CommitResult,
  pageType: PageType,
  bucket: string,
): ArticleIngestedDetail {
  const { record } = commit;
  return {
    schemaVersion: 1,
    kind: record.version === 1 ? 'created' : 'updated',
    ...(record.reason === undefined ? {} : { reason: record.reason }),
    article: {
      id: record.id,
      url: record.url,
      site: record.site,
      title: record.title,
      authors: record.authors,
      ...(record.publishedAt === undefined ? {} : { publishedAt: record.publishedAt }),
      ...(record.language === undefined ? {} : { language: record.language }),
      pageType,
      version: record.version,
      ...(record.cluster === undefined ? {} : { cluster: record.cluster }),
    },
    contentHash: record.contentHash,
    ingestedAt: record.ingestedAt,
    location: {
      bucket,
      articleKey: record.articleKey,
      rawKey: record.rawKey,
      ...(record.articleRange ? { articleRange: record.articleRange } : {}),
      ...(record.rawRange ? { rawRange: record.rawRange } : {}),
    },
  };
}
