import * as z from 'zod';
import { ArticleSummary } from './article.ts';
import { VERSION_REASONS } from './version-reasons.ts';

/** The ArticleIngested event: published for every new article and every new version. */
export const ARTICLE_INGESTED_DETAIL_TYPE = 'ArticleIngested';
export const ARTICLE_EVENT_SOURCE = 'article-pipeline';

export const VersionReasonSchema = z.enum(VERSION_REASONS).meta({
  description:
    'Why this version was written. Absent: a fetch found the page new or changed. reextracted: the stored raw page was extracted again by a newer extractor and the Article changed',
});

const ByteRange = z.object({
  offset: z.number().int().nonnegative(),
  length: z.number().int().positive(),
});

export const ArticleIngestedDetail = z
  .object({
    schemaVersion: z.literal(1),
    kind: z.enum(['created', 'updated']),
    /** Why the version was written, when not because a fetch found the page changed (lib/store/types.ts). */
    reason: VersionReasonSchema.optional(),
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
