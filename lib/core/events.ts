import { ArticleSummary } from './article.ts';
import { VERSION_REASONS } from './version-reasons.ts';
import * as z from './zod.ts';

/** The ArticleIngested event: published for every new article and every new version. */
export const ARTICLE_INGESTED_DETAIL_TYPE = 'ArticleIngested';
export const ARTICLE_EVENT_SOURCE = 'article-pipeline';

export const VersionReasonSchema = z.withMeta(z.enum(VERSION_REASONS), {
  description:
    'Why this version was written. Absent: a fetch found the page new or changed. reextracted: the stored raw page was extracted again by a newer extractor and the Article changed',
});

const ByteRange = z.object({
  offset: z.number().check(z.int(), z.nonnegative()),
  length: z.number().check(z.int(), z.positive()),
});

export const ArticleIngestedDetail = z.withMeta(
  z.object({
    schemaVersion: z.literal(1),
    kind: z.enum(['created', 'updated']),
    /** Why the version was written, when not because a fetch found the page changed (lib/store/types.ts). */
    reason: z.optional(VersionReasonSchema),
    article: ArticleSummary,
    contentHash: z.string().check(z.regex(/^[0-9a-f]{64}$/)),
    ingestedAt: z.iso.datetime({ offset: false }),
    location: z.object({
      bucket: z.string(),
      articleKey: z.string(),
      rawKey: z.string(),
      /**
       * Present when the object is a batch (store layout 2): the record is the gzip member at these bytes
       * (`Range: bytes=offset-(offset+length-1)`, then gunzip). Absent: the whole object is the record.
       */
      articleRange: z.optional(ByteRange),
      rawRange: z.optional(ByteRange),
    }),
  }),
  { id: 'ArticleIngestedDetail' },
);
export type ArticleIngestedDetail = z.infer<typeof ArticleIngestedDetail>;

/**
 * ArticlesIngested (schemaVersion 2): the ArticleIngested details of one ingest batch in one event. EventBridge
 * bills every event (per 64 KB), so one event per batch instead of one per article divides that cost by the
 * batch size. Each element of `articles` is exactly an ArticleIngested detail (schemaVersion 1).
 */
export const ARTICLES_INGESTED_DETAIL_TYPE = 'ArticlesIngested';

export const ArticlesIngestedDetail = z.withMeta(
  z.object({
    schemaVersion: z.literal(2),
    articles: z.array(ArticleIngestedDetail).check(z.minLength(1)),
  }),
  { id: 'ArticlesIngestedDetail' },
);
export type ArticlesIngestedDetail = z.infer<typeof ArticlesIngestedDetail>;

/** How a publisher puts the details on the bus: one ArticlesIngested per batch (default) or one ArticleIngested each. */
export type ArticleEventFormat = 'batch' | 'per-article';

/** One member of an event group: publishes at most once, and leaves when done (published or not). */
export interface ArticleEventGroupMember {
  /** Resolves once the group's event carrying this detail is published. */
  publishArticleIngested(detail: ArticleIngestedDetail): Promise<void>;
  leave(): void;
}

/** The events of `size` concurrent ingests, published together once every member has published or left. */
export interface ArticleEventGroup {
  member(): ArticleEventGroupMember;
}

export interface ArticleEventPublisher {
  publishArticleIngested(detail: ArticleIngestedDetail): Promise<void>;
  /** Optional: a group whose details go out as one event (ArticlesIngested) instead of one each. */
  group?(size: number): ArticleEventGroup;
}
