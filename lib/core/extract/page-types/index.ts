// Type-specific extraction: pages whose content is not one block of prose get their own extractor. Each one
// returns undefined when it finds too little, and extract() then falls back to the generic extraction.
import type { CheerioAPI } from 'cheerio';
import type { PageType } from '../../article.ts';
import type { ContentOptions, ExtractedContent } from '../content.ts';
import type { PageTypeVerdict } from '../page-type.ts';
import { extractForumThread } from './forum.ts';
import { extractPageRegion } from './region.ts';

type TypeExtractor = (page: CheerioAPI, options: ContentOptions) => ExtractedContent | undefined;

interface TypeExtraction {
  extract: TypeExtractor;
  /**
   * Whether the generic extraction is also run and kept when it reads as an article (several long paragraphs):
   * list pages are the type most often misfiled, and an article extracted as a list loses its text to teasers.
   */
  keepArticleProse: boolean;
  /** Whether the page's own signs of an article (ARTICLE_EVIDENCE) send it to the generic extraction. */
  yieldsToArticleEvidence: boolean;
}

/**
 * Signals of one article: a publication date, an article type in JSON-LD or Open Graph, a post's address. An
 * article with a row of related-story cards looks like a list page; with one of these it is extracted as an article.
 */
export const ARTICLE_EVIDENCE: ReadonlySet<string> = new Set([
  'jsonld:article',
  'og:article',
  'meta:published-date',
  'url:post-slug',
  'url:post-path',
]);

/** How each non-article type is extracted. Types not listed use the generic (article) extraction. */
const TYPE_EXTRACTION: Partial<Record<PageType, TypeExtraction>> = {
  forum: { extract: extractForumThread, keepArticleProse: false, yieldsToArticleEvidence: false },
  listing: { extract: extractPageRegion, keepArticleProse: true, yieldsToArticleEvidence: true },
  collection: { extract: extractPageRegion, keepArticleProse: true, yieldsToArticleEvidence: true },
  service: { extract: extractPageRegion, keepArticleProse: false, yieldsToArticleEvidence: false },
  documentation: { extract: extractPageRegion, keepArticleProse: false, yieldsToArticleEvidence: false },
};

/** When the type-specific text and the generic text disagree, which one is kept. */
export const TYPE_EXTRACTION_CHOICE = {
  /** A paragraph at least this long is prose. */
  proseParagraphChars: 150,
  /** The generic text has at least this many prose paragraphs: it is an article, keep it. */
  articleProseParagraphs: 5,
  /** The type-specific text is shorter than this share of the generic text: it missed the content. */
  minShareOfGeneric: 0.5,
} as const;

/**
 * The content of a page of this type: the type-specific extraction, or the generic one (`generic`, which may
 * change the DOM, so it runs last) when the type has none, the page shows article evidence its type yields to,
 * the type-specific one found too little, or the generic one is clearly better (see TYPE_EXTRACTION_CHOICE).
 */
export function extractByPageType(
  verdict: PageTypeVerdict,
  page: CheerioAPI,
  options: ContentOptions,
  generic: () => ExtractedContent | undefined,
): ExtractedContent | undefined {
  const extraction = TYPE_EXTRACTION[verdict.type];
  if (
    extraction?.yieldsToArticleEvidence &&
    verdict.signals.some((signal) => signal.weight > 0 && ARTICLE_EVIDENCE.has(signal.name))
  ) {
    return generic();
  }
  let specific: ExtractedContent | undefined;
  try {
    specific = extraction?.extract(page, options);
  } catch {
    specific = undefined;
  }
  if (specific === undefined || extraction === undefined) return generic();
  if (!extraction.keepArticleProse) return specific;
  const fallback = generic();
  return fallback !== undefined && genericIsBetter(specific.text, fallback.text) ? fallback : specific;
}

function genericIsBetter(specificText: string, genericText: string): boolean {
  if (specificText.length < genericText.length * TYPE_EXTRACTION_CHOICE.minShareOfGeneric) return true;
  const proseParagraphs = genericText
    .split('\n\n')
    .filter((paragraph) => paragraph.length >= TYPE_EXTRACTION_CHOICE.proseParagraphChars).length;
  return proseParagraphs >= TYPE_EXTRACTION_CHOICE.articleProseParagraphs;
}
