import * as z from 'zod';
import { PAGE_TYPES, type PageType as PageTypeName } from './page-types.ts';

/**
 * The Article contract: what other services read from S3, the API and events.
 * Field names are fixed. A breaking change needs a new schemaVersion; adding an optional field does not.
 */
export const ARTICLE_SCHEMA_VERSION = 1 as const;

const sha256Hex = z.string().regex(/^[0-9a-f]{64}$/, 'expected a lowercase hex SHA-256');
const utcTimestamp = z.iso.datetime({ offset: false, precision: 3 }).meta({
  description: 'ISO 8601 timestamp in UTC with milliseconds, e.g. 2024-05-01T09:30:00.000Z',
});
const httpUrl = z.url({ protocol: /^https?$/ }).max(4096);
const nonEmpty = z.string().trim().min(1);

/** Where a metadata value was found, so consumers can judge how far to trust it. */
export const MetadataSource = z.enum([
  'json-ld',
  'opengraph',
  'twitter',
  'meta',
  'microdata',
  'dom',
  'url',
  'http',
  // Read from the page's text when the page declares nothing: the language, or a title from the opening sentence.
  'text',
]);
export type MetadataSource = z.infer<typeof MetadataSource>;

export { PAGE_TYPES };

export const PageType = z.enum(PAGE_TYPES).meta({
  description:
    'What kind of page this is: article (news, blog, feature), forum (a thread of posts), product, collection (a shop category), listing (a list of posts or results), documentation, service (a company or service page)',
});
export type PageType = PageTypeName;

export const ArticleImage = z
  .object({
    url: httpUrl,
    alt: nonEmpty.optional(),
    caption: nonEmpty.optional(),
  })
  .meta({ description: 'The lead image of the article' });

export const ArticleContent = z.object({
  html: z.string().meta({
    description:
      'Sanitized body HTML: no script, style, iframe or form; no event handlers or javascript: URLs; absolute URLs',
  }),
  text: z.string().meta({
    description: 'The body as plain text without the headline; paragraphs separated by a blank line',
  }),
  wordCount: z.number().int().nonnegative(),
  markdown: z
    .string()
    .optional()
    .meta({
      description:
        'The body as CommonMark with GFM tables, made from content.html: headings, lists, quotes, code, tables, ' +
        'links (absolute, tracking parameters removed) and images with their alt text. Absent on articles stored ' +
        'before it was produced until they are re-extracted',
    }),
});

/** Where an article stands among the copies of its story (issue 12); `cluster` on the Article and its summary. */
export const ArticleCluster = z
  .object({
    id: sha256Hex.meta({
      description:
        "The cluster's id: the article id of its representative (the first-seen copy of the story)",
    }),
    role: z.enum(['representative', 'duplicate', 'related']).meta({
      description:
        'representative: the first-seen copy; duplicate: the same text with small edits (headline, dateline, ' +
        'a paragraph cut or added, captions, ads); related: the same story substantially cut or rewritten',
    }),
    similarity: z.number().min(0).max(1).meta({
      description:
        'Estimated resemblance (Jaccard similarity of word shingles, by MinHash) to the closest earlier member; 1 for the representative',
    }),
  })
  .meta({
    id: 'ArticleCluster',
    description:
      'Near-duplicate cluster: syndicated copies of one story. Absent on articles stored before clustering existed and on texts too short to compare',
  });
export type ArticleCluster = z.infer<typeof ArticleCluster>;

export const MetadataSources = z
  .object({
    title: MetadataSource,
    description: MetadataSource,
    authors: MetadataSource,
    publishedAt: MetadataSource,
    modifiedAt: MetadataSource,
    language: MetadataSource,
    section: MetadataSource,
    tags: MetadataSource,
    image: MetadataSource,
    siteName: MetadataSource,
    url: MetadataSource,
  })
  .partial()
  .meta({ description: 'For each metadata field that has a value: which part of the page it came from' });

export const Article = z
  .object({
    schemaVersion: z.literal(ARTICLE_SCHEMA_VERSION),
    id: sha256Hex.meta({ description: 'Hex SHA-256 of the canonical URL' }),
    url: httpUrl.meta({ description: 'Canonical URL: rel=canonical or og:url, tracking parameters removed' }),
    sourceUrl: httpUrl.meta({ description: 'The URL as it was requested' }),
    site: z.object({
      domain: nonEmpty.meta({ description: 'Lowercase host of the canonical URL, without a leading www.' }),
      name: nonEmpty.optional(),
    }),
    title: nonEmpty,
    description: nonEmpty.optional(),
    authors: z.array(nonEmpty),
    publishedAt: utcTimestamp.optional(),
    modifiedAt: utcTimestamp.optional(),
    language: z
      .string()
      .regex(/^[a-zA-Z]{2,3}(-[a-zA-Z0-9]{2,8})*$/, 'expected a BCP 47 language tag')
      .optional(),
    direction: z.enum(['ltr', 'rtl']).optional(),
    section: nonEmpty.optional(),
    tags: z.array(nonEmpty),
    image: ArticleImage.optional(),
    pageType: PageType.optional().meta({
      description:
        'What kind of page this is (see PageType). Set by every extraction since extractor 1.1.0; absent on articles extracted before, which were all stored as articles',
    }),
    pageTypeSignals: z.array(nonEmpty).optional().meta({
      description:
        'The evidence for pageType, e.g. "jsonld:product", "structure:post-blocks", "url:forum"; empty when the page is an article by default',
    }),
    content: ArticleContent,
    cluster: ArticleCluster.optional(),
    contentHash: sha256Hex.meta({ description: 'Hex SHA-256 of content.text' }),
    extractedAt: utcTimestamp,
    metadataSources: MetadataSources,
    extractor: z.object({ name: nonEmpty, version: nonEmpty }).meta({
      description:
        'Which extractor produced this article, so stored articles can be re-extracted when it improves',
    }),
  })
  .meta({ id: 'Article', title: 'Article', description: 'A normalized news article (article-pipeline)' });

export type Article = z.infer<typeof Article>;
export type ArticleImage = z.infer<typeof ArticleImage>;
export type MetadataSources = z.infer<typeof MetadataSources>;

/** The short form used in lists and events. */
export const ArticleSummary = z
  .object({
    id: sha256Hex,
    url: httpUrl,
    site: z.string(),
    title: z.string(),
    authors: z.array(z.string()),
    publishedAt: utcTimestamp.optional(),
    language: z.string().optional(),
    pageType: PageType.optional(),
    version: z.number().int().positive(),
    cluster: ArticleCluster.optional(),
  })
  .meta({ id: 'ArticleSummary' });
export type ArticleSummary = z.infer<typeof ArticleSummary>;

export function articleJsonSchema(): Record<string, unknown> {
  return z.toJSONSchema(Article, { target: 'draft-2020-12', io: 'output' }) as Record<string, unknown>;
}
