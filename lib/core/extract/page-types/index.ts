// Type-specific extraction: pages whose content is not one block of prose get their own extractor. Each one
// returns undefined when it finds too little, and extract() then falls back to the generic extraction.
import type { CheerioAPI } from 'cheerio';
import type { PageType } from '../../article.ts';
import type { ContentOptions, ExtractedContent } from '../content.ts';
import { extractForumThread } from './forum.ts';

const EXTRACTORS: Partial<
  Record<PageType, (page: CheerioAPI, options: ContentOptions) => ExtractedContent | undefined>
> = {
  forum: extractForumThread,
};

/** The type-specific content of a page, or undefined when its type has none or it found too little. */
export function extractByPageType(
  type: PageType,
  page: CheerioAPI,
  options: ContentOptions,
): ExtractedContent | undefined {
  try {
    return EXTRACTORS[type]?.(page, options);
  } catch {
    return undefined;
  }
}
