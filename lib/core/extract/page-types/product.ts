// Product pages: the content is what describes the product (name, price block, description, specifications),
// which is the page's main region; customer reviews and questions around it are other people's words about the
// product, like comments under an article, and are dropped with the region's furniture.
import type { CheerioAPI } from 'cheerio';
import type { Element } from 'domhandler';
import type { ContentOptions, ExtractedContent } from '../content.ts';
import { extractPageRegion, PAGE_REGION } from './region.ts';

export const PRODUCT_PAGE = {
  /** Class or id words of customer reviews (lists, widgets, review summaries' panels). */
  reviewClass: /(?:^|[\s_-])reviews?(?:$|[\s_-])/i,
} as const;

/** The product page's main region without its furniture and customer reviews; undefined when too little is left. */
export function extractProductPage($: CheerioAPI, options: ContentOptions): ExtractedContent | undefined {
  return extractPageRegion($, options, isCustomerReviews);
}

function isCustomerReviews(element: Element): boolean {
  const attributes = element.attribs;
  const words = `${attributes.class ?? ''} ${attributes.id ?? ''}`;
  return words.length < PAGE_REGION.maxClassChars && PRODUCT_PAGE.reviewClass.test(words);
}
