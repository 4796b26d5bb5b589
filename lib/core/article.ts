import { PAGE_TYPES, type PageType as PageTypeName } from './page-types.ts';
import * as z from './zod.ts';

/**
 * The Article contract: what other services read from S3, the API and events.
 * Field names are fixed. A breaking change needs a new schemaVersion; adding an optional field does not.
 */
export const ARTICLE_SCHEMA_VERSION = 1 as const;

const sha256Hex = z.string().check(z.regex(/^[0-9a-f]{64}$/, 'expected a lowercase hex SHA-256'));
const utcTimestamp = z.withMeta(z.iso.datetime({ offset: false, precision: 3 }), {
  description: 'ISO 8601 timestamp in UTC with milliseconds, e.g. 2024-05-01T09:30:00.000Z',
});
const httpUrl = z.url({ protocol: /^https?$/ }).check(z.maxLength(4096));
const nonEmpty = z.string().check(z.trim(), z.minLength(1));

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

export const PageType = z.withMeta(z.enum(PAGE_TYPES), {
  description:
    'What kind of page this is: article (news, blog, feature), forum (a thread of posts), product, collection (a shop category), listing (a list of posts or results), documentation, service (a company or service page)',
});
export type PageType = PageTypeName;

export const ArticleImage = z.withMeta(
  z.object({
    url: httpUrl,
    alt: z.optional(nonEmpty),
    caption: z.optional(nonEmpty),
  }),
  { description: 'The lead image of the article' },
);

export const ArticleContent = z.object({
  html: z.withMeta(z.string(), {
    description:
      'Sanitized body HTML: no script, style, iframe or form; no event handlers or javascript: URLs; absolute URLs',
  }),
  text: z.withMeta(z.string(), {
    description: 'The body as plain text without the headline; paragraphs separated by a blank line',
  }),
  wordCount: z.number().check(z.int(), z.nonnegative()),
  markdown: z.withMeta(z.optional(z.string()), {
    description:
      'The body as CommonMark with GFM tables, made from content.html: headings, lists, quotes, code, tables, ' +
      'links (absolute, tracking parameters removed) and images with their alt text. Absent on articles stored ' +
      'before it was produced until they are re-extracted',
  }),
});

/** Where an article stands among the copies of its story (issue 12); `cluster` on the Article and its summary. */
export const ArticleCluster = z.withMeta(
  z.object({
    id: z.withMeta(sha256Hex, {
      description:
        "The cluster's id: the article id of its representative (the first-seen copy of the story)",
    }),
    role: z.withMeta(z.enum(['representative', 'duplicate', 'related']), {
      description:
        'representative: the first-seen copy; duplicate: the same text with small edits (headline, dateline, ' +
        'a paragraph cut or added, captions, ads); related: the same story substantially cut or rewritten',
    }),
    similarity: z.withMeta(z.number().check(z.gte(0), z.lte(1)), {
      description:
        'Estimated resemblance (Jaccard similarity of word shingles, by MinHash) to the closest earlier member; 1 for the representative',
    }),
  }),
  {
    id: 'ArticleCluster',
    description:
      'Near-duplicate cluster: syndicated copies of one story. Absent on articles stored before clustering existed and on texts too short to compare',
  },
);
export type ArticleCluster = z.infer<typeof ArticleCluster>;

export const MetadataSources = z.withMeta(
  z.partial(
    z.object({
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
    }),
  ),
  { description: 'For each metadata field that has a value: which part of the page it came from' },
);

export const Article = z.withMeta(
  z.object({
    schemaVersion: z.literal(ARTICLE_SCHEMA_VERSION),
    id: z.withMeta(sha256Hex, { description: 'Hex SHA-256 of the canonical URL' }),
    url: z.withMeta(httpUrl, {
      description: 'Canonical URL: rel=canonical or og:url, tracking parameters removed',
    }),
    sourceUrl: z.withMeta(httpUrl, { description: 'The URL as it was requested' }),
    site: z.object({
      domain: z.withMeta(nonEmpty, {
        description: 'Lowercase host of the canonical URL, without a leading www.',
      }),
      name: z.optional(nonEmpty),
    }),
    title: nonEmpty,
    description: z.optional(nonEmpty),
    authors: z.array(nonEmpty),
    publishedAt: z.optional(utcTimestamp),
    modifiedAt: z.optional(utcTimestamp),
    language: z.optional(
      z.string().check(z.regex(/^[a-zA-Z]{2,3}(-[a-zA-Z0-9]{2,8})*$/, 'expected a BCP 47 language tag')),
    ),
    direction: z.optional(z.enum(['ltr', 'rtl'])),
    section: z.optional(nonEmpty),
    tags: z.array(nonEmpty),
    image: z.optional(ArticleImage),
    pageType: z.withMeta(z.optional(PageType), {
      description:
        'What kind of page this is (see PageType). Set by every extraction since extractor 1.1.0; absent on articles extracted before, which were all stored as articles',
    }),
    pageTypeSignals: z.withMeta(z.optional(z.array(nonEmpty)), {
      description:
        'The evidence for pageType, e.g. "jsonld:product", "structure:post-blocks", "url:forum"; empty when the page is an article by default',
    }),
    content: ArticleContent,
    cluster: z.optional(ArticleCluster),
    contentHash: z.withMeta(sha256Hex, { description: 'Hex SHA-256 of content.text' }),
    extractedAt: utcTimestamp,
    metadataSources: MetadataSources,
    extractor: z.withMeta(z.object({ name: nonEmpty, version: nonEmpty }), {
      description:
        'Which extractor produced this article, so stored articles can be re-extracted when it improves',
    }),
  }),
  { id: 'Article', title: 'Article', description: 'A normalized news article (article-pipeline)' },
);

export type Article = z.infer<typeof Article>;
export type ArticleImage = z.infer<typeof ArticleImage>;
export type MetadataSources = z.infer<typeof MetadataSources>;

/** The short form used in lists and events. */
export const ArticleSummary = z.withMeta(
  z.object({
    id: sha256Hex,
    url: httpUrl,
    site: z.string(),
    title: z.string(),
    authors: z.array(z.string()),
    publishedAt: z.optional(utcTimestamp),
    language: z.optional(z.string()),
    pageType: z.optional(PageType),
    version: z.number().check(z.int(), z.positive()),
    cluster: z.optional(ArticleCluster),
  }),
  { id: 'ArticleSummary' },
);
export type ArticleSummary = z.infer<typeof ArticleSummary>;

export function articleJsonSchema(): Record<string, unknown> {
  return z.toJSONSchema(Article, { target: 'draft-2020-12', io: 'output' }) as Record<string, unknown>;
}
