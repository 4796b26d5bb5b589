// Type-specific extraction: pages whose content is not one block of prose get their own extractor. Each one
// returns undefined when it finds too little, and extract() then falls back to the generic extraction (a product
// page with too little is empty instead: its description is drawn by scripts, see product.ts).
import type { PageType } from '../../article.ts';
import type { ContentOptions, ExtractedContent } from '../content.ts';
import { documentRoot, elementsInOrder, type ParsedPage } from '../content-dom.ts';
import type { PageTypeVerdict } from '../page-type.ts';
import { plainTextLengthBound } from '../text.ts';
import { extractForumThread } from './forum.ts';
import { extractProductPage } from './product.ts';
import { extractPageRegion, isInterfaceLabel } from './region.ts';
import { wordShareFound } from './repeats.ts';

type TypeExtractor = (page: ParsedPage, options: ContentOptions) => ExtractedContent | undefined;

interface TypeExtraction {
  extract: TypeExtractor;
  /**
   * Whether the generic extraction is also run and kept when it reads as an article (several long paragraphs):
   * list pages are the type most often misfiled, and an article extracted as a list loses its text to teasers.
   */
  keepArticleProse: boolean;
  /**
   * Whether the page's own signs of an article (ARTICLE_EVIDENCE) send it to the generic extraction. Site-wide
   * stamps alone (SITE_WIDE_ARTICLE_EVIDENCE) do not: many sites put og:type article and a date in the head of
   * their list pages too, and the generic text is still kept when it reads as an article (keepArticleProse).
   */
  yieldsToArticleEvidence: boolean;
  /**
   * The generic extraction is also run and kept when its text is at least this share of the type-specific text:
   * it then holds nearly all of it, without the furniture the region keeps (a service page written as one text).
   */
  genericShareToKeep?: number;
  /**
   * The generic extraction is also run and kept when the type-specific text holds nearly all of its words
   * (TYPE_EXTRACTION_CHOICE.minGenericWordsHeld) and it is at least this share of the type-specific text: it is
   * then the same content without what the type-specific extraction kept around it (a product's description
   * without the shop's leftovers).
   */
  heldGenericShareToKeep?: number;
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

/** Article evidence many sites put on every page (a date in the head, og:type article): weak on its own. */
export const SITE_WIDE_ARTICLE_EVIDENCE: ReadonlySet<string> = new Set(['og:article', 'meta:published-date']);
/**
 * Signals of a page made of parts (documentation under a docs path, four or more calls to action, service
 * sections without a date) that the classifier may still file as article when the page has prose: without a
 * sign of one article beyond site-wide stamps, such a page keeps its region unless the generic text holds most
 * of it (SECTIONED_PAGE.maxGenericShareOnPageOfParts).
 */
export const PAGE_OF_PARTS_EVIDENCE: ReadonlySet<string> = new Set([
  'url:documentation',
  'structure:many-service-calls',
  'structure:undated-sections',
]);
/** The classifier's signal for a service page's calls to action ("get a quote", "book a demo"). */
const SERVICE_CALLS_SIGNAL = 'structure:service-calls';

/** How each non-article type is extracted. Types not listed use the generic (article) extraction. */
const TYPE_EXTRACTION: Partial<Record<PageType, TypeExtraction>> = {
  forum: { extract: extractForumThread, keepArticleProse: false, yieldsToArticleEvidence: false },
  product: {
    extract: extractProductPage,
    keepArticleProse: false,
    yieldsToArticleEvidence: false,
    heldGenericShareToKeep: 0.5,
  },
  listing: { extract: extractPageRegion, keepArticleProse: true, yieldsToArticleEvidence: true },
  collection: { extract: extractPageRegion, keepArticleProse: true, yieldsToArticleEvidence: true },
  service: {
    extract: extractPageRegion,
    keepArticleProse: false,
    yieldsToArticleEvidence: false,
    genericShareToKeep: 0.8,
  },
  documentation: {
    // Code samples in other languages sit in hidden tab panels: part of the page (REVEALED_PANEL_ROLES).
    extract: (page, options) => extractPageRegion(page, options, undefined, true),
    keepArticleProse: false,
    yieldsToArticleEvidence: false,
  },
};

/** When the type-specific text and the generic text disagree, which one is kept. */
export const TYPE_EXTRACTION_CHOICE = {
  /** A paragraph at least this long is prose. */
  proseParagraphChars: 150,
  /** The generic text has at least this many prose paragraphs: it is an article, keep it. */
  articleProseParagraphs: 5,
  /** The type-specific text is shorter than this share of the generic text: it missed the content. */
  minShareOfGeneric: 0.5,
  /**
   * The type-specific text holds at least this share of the generic text's words: it holds the generic text (see
   * TYPE_EXTRACTION.heldGenericShareToKeep). Measured on product pages over the four corpora (session 9): wcxb-dev
   * product +0.01 on 33 pages, +0.0007 on all pages; at 0.8 the gain halves, without it the generic text loses.
   */
  minGenericWordsHeld: 0.9,
} as const;

/**
 * A page filed as article may be a page of sections or items (a service or product overview, a front page)
 * whose best-scoring block is one section. Its main region is kept instead of the generic text when the
 * generic text is a small part of that region: how small depends on how sure we are that the page is not
 * one article. Pages with a sign of one article (a date, an article type, a post address) keep the generic
 * text, except a site's home page, which is a front page unless it declares an article in JSON-LD, and a page
 * whose only signs are site-wide stamps (SITE_WIDE_ARTICLE_EVIDENCE) and which calls for a quote or a demo or
 * shows a sign of a page of parts (PAGE_OF_PARTS_EVIDENCE), and a generic text without a paragraph of prose
 * (maxGenericShareWithoutProse).
 */
export const SECTIONED_PAGE = {
  /** At least this many <h2> on the page: it is made of sections. */
  minSectionHeadings: 3,
  /** With sections: the generic text is shorter than this share of the region's text, so it is one section. */
  maxGenericShareWithSections: 0.35,
  /** Without sections: the generic text is a sliver of the region, one card or one blurb. */
  maxGenericShare: 0.15,
  /**
   * A list page with a sign of one article beyond site-wide stamps: the generic text is one teaser of the list,
   * not an article.
   */
  maxGenericShareOnDatedListPage: 0.1,
  /** A site's home page (path "/", no query): the generic text is less than most of the region. */
  maxGenericShareOnHomePage: 0.7,
  /**
   * A page with signs of one article: the generic text is a caption or a teaser of a page made of parts (a list
   * of items, a thread shown without its post markup) when it is shorter than this share of the region.
   */
  maxGenericShareOnArticle: 0.05,
  /**
   * Any article-filed page, signs of an article or not: a generic text without one paragraph of prose
   * (TYPE_EXTRACTION_CHOICE.proseParagraphChars) and shorter than this share of the region is a piece of a page
   * made of parts (a lead-in, one card, one short section), not a story. Measured over the four corpora (session
   * 8): up to this share the region wins on net on every one; from 0.66 up articles lose text.
   */
  maxGenericShareWithoutProse: 0.5,
  /**
   * A page with a sign of a page of parts (PAGE_OF_PARTS_EVIDENCE) and no sign of one article beyond site-wide
   * stamps: the generic text is one part unless it holds this share of the region (as on service pages, see
   * TYPE_EXTRACTION.service.genericShareToKeep).
   */
  maxGenericShareOnPageOfParts: 0.8,
  /**
   * Any article-filed page: a generic text made of headed sections, at least this many headings and at least
   * minHeadingsPerBlock of them per block of its text (a heading over nearly every paragraph), is a run of
   * one-paragraph blurbs: a page of parts (feature tiles, a recipe or course catalogue, a docs landing page)...
   */
  minHeadingsInHeadedText: 3,
  minHeadingsPerBlock: 0.45,
  /**
   * ... and such a text is one part of the region, not the story, when it holds at most this share of the
   * region's words (the region's other words are further parts). Measured over the four corpora (session 9):
   * wcxb-dev +0.0026 on 14 pages, no page of the other three corpora changes; at 0.4 headings per block
   * trafilatura-dev and readability-pages lose.
   */
  maxRegionWordsInHeadedText: 0.66,
} as const;

/**
 * The content of a page of this type: the type-specific extraction, or the generic one (`generic`, which may
 * change the DOM, so it runs last) when the type has none, the page shows article evidence its type yields to,
 * the type-specific one found too little, or the generic one is clearly better (see TYPE_EXTRACTION_CHOICE).
 * A text made only of the page's controls ("Skip to content" on a page its scripts draw) is no content.
 */
export function extractByPageType(
  verdict: PageTypeVerdict,
  page: ParsedPage,
  options: ContentOptions,
  generic: () => ExtractedContent | undefined,
): ExtractedContent | undefined {
  const content = chooseExtraction(verdict, page, options, generic);
  return content !== undefined && isOnlyControls(content.text) ? undefined : content;
}

/**
 * Whether every line of the text is one of the page's controls (PAGE_REGION.interfaceLabel: "Skip to content",
 * "Load more", "Sort by"): what is left of a page whose content its scripts draw, not content.
 */
function isOnlyControls(text: string): boolean {
  // Line by line, stopping at the first that is not a control: nearly every text's first line is not one, and
  // collapsing every line of a long text first allocated about as much as the text itself on each page.
  let labels = 0;
  for (let start = 0; start <= text.length; ) {
    let end = text.indexOf('\n', start);
    if (end === -1) end = text.length;
    const line = text.slice(start, end).replace(/\s+/g, ' ').trim().toLowerCase();
    if (line !== '') {
      if (!isInterfaceLabel(line)) return false;
      labels++;
    }
    start = end + 1;
  }
  return labels > 0;
}

function chooseExtraction(
  verdict: PageTypeVerdict,
  page: ParsedPage,
  options: ContentOptions,
  generic: () => ExtractedContent | undefined,
): ExtractedContent | undefined {
  const extraction = TYPE_EXTRACTION[verdict.type];
  if (verdict.type === 'article') {
    const share = sectionedPageShare(verdict, page, options.pageUrl);
    if (share > 0)
      return regionOrGeneric(page, options, generic, share, SECTIONED_PAGE.maxGenericShareWithoutProse, true);
    return genericUnlessCaption(page, options, generic, verdict.textChars);
  }
  if (extraction?.yieldsToArticleEvidence && hasArticleEvidenceBeyondStamps(verdict)) {
    // An article with a row of teaser cards, unless the generic extraction found only one card of a list.
    return regionOrGeneric(page, options, generic, SECTIONED_PAGE.maxGenericShareOnDatedListPage, 0, false);
  }
  let specific: ExtractedContent | undefined;
  try {
    specific = extraction?.extract(page, options);
  } catch {
    specific = undefined;
  }
  if (specific === undefined || extraction === undefined) return generic();
  if (extraction.genericShareToKeep !== undefined) {
    const whole = generic();
    const keep =
      whole !== undefined && whole.text.length >= specific.text.length * extraction.genericShareToKeep;
    return keep ? whole : specific;
  }
  if (extraction.heldGenericShareToKeep !== undefined) {
    const whole = generic();
    const keep =
      whole !== undefined &&
      whole.text.length >= specific.text.length * extraction.heldGenericShareToKeep &&
      wordShareFound(whole.text, specific.text) >= TYPE_EXTRACTION_CHOICE.minGenericWordsHeld;
    return keep ? whole : specific;
  }
  if (!extraction.keepArticleProse) return specific;
  const fallback = generic();
  return fallback !== undefined && genericIsBetter(specific.text, fallback.text) ? fallback : specific;
}

function hasArticleEvidence(verdict: PageTypeVerdict): boolean {
  return verdict.signals.some((signal) => signal.weight > 0 && ARTICLE_EVIDENCE.has(signal.name));
}

/** A sign of one article other than the stamps many sites put on every page (SITE_WIDE_ARTICLE_EVIDENCE). */
function hasArticleEvidenceBeyondStamps(verdict: PageTypeVerdict): boolean {
  return verdict.signals.some(
    (signal) =>
      signal.weight > 0 && ARTICLE_EVIDENCE.has(signal.name) && !SITE_WIDE_ARTICLE_EVIDENCE.has(signal.name),
  );
}

/**
 * The generic extraction, or the page's main region when the generic text is only a piece of it (see
 * isPieceOfRegion and SECTIONED_PAGE), or, on an article-filed page (`articleFiled`), one run of headed blurbs
 * of it (isHeadedPartOfRegion); with a share of 0 only the generic extraction runs.
 */
function regionOrGeneric(
  page: ParsedPage,
  options: ContentOptions,
  generic: () => ExtractedContent | undefined,
  maxGenericShare: number,
  maxShareWithoutProse: number,
  articleFiled: boolean,
): ExtractedContent | undefined {
  if (maxGenericShare === 0) return generic();
  // The region is read first: the generic extraction changes the DOM.
  let region: ExtractedContent | undefined;
  try {
    region = extractPageRegion(page, options);
  } catch {
    region = undefined;
  }
  const article = generic();
  if (region === undefined) return article;
  if (isPieceOfRegion(article?.text ?? '', region.text, maxGenericShare, maxShareWithoutProse)) return region;
  return articleFiled && article !== undefined && isHeadedPartOfRegion(article, region.text)
    ? region
    : article;
}

/**
 * Whether the generic text is only a piece of the region's: shorter than `maxGenericShare` of it, or without a
 * paragraph of prose and shorter than `maxShareWithoutProse` of it.
 */
function isPieceOfRegion(
  genericText: string,
  regionText: string,
  maxGenericShare: number,
  maxShareWithoutProse: number,
): boolean {
  if (genericText.length < regionText.length * maxGenericShare) return true;
  return genericText.length < regionText.length * maxShareWithoutProse && proseParagraphs(genericText) === 0;
}

/**
 * The generic extraction, or the page's main region when the generic text is shorter than
 * maxGenericShareOnArticle of it, or has no paragraph of prose and is shorter than maxGenericShareWithoutProse of
 * it, or is a run of headed blurbs holding little of the region's words (isHeadedPartOfRegion). The region is
 * read only when the generic text is that short beside all the page's text (an upper bound of the region's), has
 * no prose or is headed blurbs, and only when the region's text could be long enough for that (plainTextLengthBound),
 * so an ordinary article costs nothing more; it is read after the
 * generic extraction, whose only lasting change to the tree (a <noscript> holding the page becomes a <div>) the
 * region may read.
 */
function genericUnlessCaption(
  page: ParsedPage,
  options: ContentOptions,
  generic: () => ExtractedContent | undefined,
  textChars: number | undefined,
): ExtractedContent | undefined {
  const article = generic();
  const text = article?.text ?? '';
  // Region text puts two characters between blocks where the visible text may have none: three times the bound.
  const sliver =
    textChars !== undefined && text.length < textChars * 3 * SECTIONED_PAGE.maxGenericShareOnArticle;
  const headed = article !== undefined && isHeadedText(article);
  const prose = proseParagraphs(text) > 0;
  if (!sliver && prose && !headed) return article;
  const { maxGenericShareOnArticle, maxGenericShareWithoutProse } = SECTIONED_PAGE;
  // Nor when no region text could be long enough to take the generic text for a piece of it: the bound is one walk,
  // the region a dozen (about 10 ms on a news page).
  const share = prose ? maxGenericShareOnArticle : maxGenericShareWithoutProse;
  if (!headed && text.length >= plainTextLengthBound(documentRoot(page)) * share) return article;
  let region: ExtractedContent | undefined;
  try {
    region = extractPageRegion(page, options);
  } catch {
    region = undefined;
  }
  if (region === undefined) return article;
  if (isPieceOfRegion(text, region.text, maxGenericShareOnArticle, maxGenericShareWithoutProse))
    return region;
  return headed && isHeadedPartOfRegion(article, region.text) ? region : article;
}

/** A heading element in sanitized HTML. */
const HEADING_TAG = /<h[1-6][\s>]/gi;
/** Whether the text is made of headed blurbs: a heading over nearly every block (SECTIONED_PAGE). */
function isHeadedText(content: ExtractedContent): boolean {
  const headings = content.html.match(HEADING_TAG)?.length ?? 0;
  if (headings < SECTIONED_PAGE.minHeadingsInHeadedText) return false;
  const blocks = content.text.split('\n\n').filter((block) => block.trim() !== '').length;
  return headings >= blocks * SECTIONED_PAGE.minHeadingsPerBlock;
}

/** Whether the generic text is headed blurbs that hold little of the region's words: one part of a page of parts. */
function isHeadedPartOfRegion(article: ExtractedContent, regionText: string): boolean {
  return (
    isHeadedText(article) &&
    wordShareFound(regionText, article.text) <= SECTIONED_PAGE.maxRegionWordsInHeadedText
  );
}

/** The share of the region below which the generic text is taken for one section of it; 0 for an article. */
function sectionedPageShare(verdict: PageTypeVerdict, page: ParsedPage, pageUrl: URL): number {
  const fired = (name: string) => verdict.signals.some((signal) => signal.name === name);
  if (pageUrl.pathname === '/' && pageUrl.search === '') {
    return fired('jsonld:article') ? 0 : SECTIONED_PAGE.maxGenericShareOnHomePage;
  }
  // Only site-wide stamps (a date, og:type article), or no sign of an article at all.
  const onlyStamps = verdict.signals.every(
    (signal) => !ARTICLE_EVIDENCE.has(signal.name) || SITE_WIDE_ARTICLE_EVIDENCE.has(signal.name),
  );
  const partsSigned = verdict.signals.some(
    (signal) => signal.weight > 0 && PAGE_OF_PARTS_EVIDENCE.has(signal.name),
  );
  if (onlyStamps && partsSigned) return SECTIONED_PAGE.maxGenericShareOnPageOfParts;
  if (hasArticleEvidence(verdict)) {
    // Site-wide stamps on a page that calls for a quote or a demo: a service page.
    return onlyStamps && fired(SERVICE_CALLS_SIGNAL) ? SECTIONED_PAGE.maxGenericShareWithSections : 0;
  }
  const headings = elementsInOrder(documentRoot(page)).filter((element) => element.name === 'h2').length;
  return headings >= SECTIONED_PAGE.minSectionHeadings
    ? SECTIONED_PAGE.maxGenericShareWithSections
    : SECTIONED_PAGE.maxGenericShare;
}

function genericIsBetter(specificText: string, genericText: string): boolean {
  if (specificText.length < genericText.length * TYPE_EXTRACTION_CHOICE.minShareOfGeneric) return true;
  return proseParagraphs(genericText) >= TYPE_EXTRACTION_CHOICE.articleProseParagraphs;
}

/** How many paragraphs of the text are prose (TYPE_EXTRACTION_CHOICE.proseParagraphChars or longer). */
function proseParagraphs(text: string): number {
  return text
    .split('\n\n')
    .filter((paragraph) => paragraph.length >= TYPE_EXTRACTION_CHOICE.proseParagraphChars).length;
}
