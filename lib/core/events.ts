import * as z from 'zod';
import { ArticleSummary } from './article.ts';

/** The ArticleIngested event: published for every new article and every new version. */
export const ARTICLE_INGESTED_DETAIL_TYPE = 'ArticleIngested';
export const ARTICLE_EVENT_SOURCE = 'article-pipeline';

const ByteRange = z.object({
  offset: z.number().int().nonnegative(),
  length: z.number().int().positive(),
});

export const ArticleIngestedDetail = z
  .object({
    schemaVersion: z.literal(1),
    kind: z.enum(['created', 'updated']),
    article: ArticleSummary,
    contentHash: z.string().regex(/^[0-9a-f]{64}$/),
    ingestedAt: z.iso.datetime({ offset: false }),
    location: z.object({
      bucket: z.string(),
      articleKey: z.string(),
      rawKey: z.string(),
      /**
       * Present when the object is a batch (store layout 2): the record is the gzip member at these bytes
       * (`Range: bytes=offset-(offset+length-1)`, then gunzip). Absent: the whole object is the record.
       */
      articleRange: ByteRange.optional(),
      rawRange: ByteRange.optional(),
    }),
  })
  .meta({ id: 'ArticleIngestedDetail' });
export type ArticleIngestedDetail = z.infer<typeof ArticleIngestedDetail>;

export interface ArticleEventPublisher {
  publishArticleIngested(detail: ArticleIngestedDetail): Promise<void>;
}
