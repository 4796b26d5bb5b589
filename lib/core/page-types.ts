/**
 * What kind of page an article was extracted from (the WCXB taxonomy). Ingest stores only the configured kinds
 * (INGEST_PAGE_TYPES, default article); the others are recorded in crawl state. A module of its own, without
 * zod, so configuration and the store can name the types without loading the Article schema.
 */
export const PAGE_TYPES = [
  'article',
  'forum',
  'product',
  'collection',
  'listing',
  'documentation',
  'service',
] as const;
export type PageType = (typeof PAGE_TYPES)[number];
