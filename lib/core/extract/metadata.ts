// Article metadata from a parsed page, with one precedence chain per field:
// JSON-LD → OpenGraph / article:* / twitter → <meta name=…> (dc.*, parsely-*, sailthru.*) → microdata → the DOM.
// Every value records where it came from (metadataSources). Reads the DOM only; never mutates it.
import type { AnyNode, Element } from 'domhandler';
import type { ArticleImage, MetadataSource, MetadataSources } from '../article.ts';
import { canonicalizeUrl, resolveDocumentBase } from '../url.ts';
import { MENU_CLASS_TOKEN } from './boilerplate.ts';
import { caseInsensitiveMatcher, caseInsensitiveTest } from './case-insensitive.ts';
import { documentRoot, type ParsedPage } from './content-dom.ts';
import {
  HAS_LETTER,
  HAS_LOWER_CASE,
  LETTER_RUNS,
  STARTS_CAPITALISED,
  STARTS_UPPER_CASE,
  STARTS_WITH_LETTER,
} from './letters.ts';
import {
  cleanAuthorNames,
  looksLikePersonName,
  splitAuthorText,
  VISIBLE_BYLINE_START,
} from './metadata-authors.ts';
import { headlineAncestors, insideUnlikelyBylineContext, isInsideArticle } from './metadata-context.ts';
import {
  type Dateline,
  dataAttributeDate,
  domPublishedDate,
  insideDatedList,
  labelledDateAfterWindow,
  microdataDate,
  notePageUrls,
  visibleDateline,
} from './metadata-dateline.ts';
import { dateFromUrlPath, numericDateLanguage, parseMetadataDate } from './metadata-dates.ts';
import {
  ancestorsOf,
  authorElements,
  findDescendant,
  hasToken,
  indexPage,
  isElement,
  MAX_SHORT_READ_NODES,
  type PageIndex,
  shortTextOfNode,
  textOfNode,
  visibleTextLength,
} from './metadata-dom.ts';
import {
  isJsonLdNode,
  type JsonLdData,
  type JsonLdNode,
  listOf,
  nodeTypes,
  readJsonLd,
  textOf,
} from './metadata-jsonld.ts';
import { detectLanguage, directionForLanguage, normalizeLanguageTag } from './metadata-language.ts';
import {
  domainName,
  foldForCompare,
  type HeadlineAgreement,
  headlineAgrees,
  isSectionLabel,
  normalizeName,
  stripTitleAffixes,
  unwrapQuotes,
} from './metadata-title.ts';

export interface ExtractedMetadata {
  title?: string;
  description?: string;
  authors: string[];
  publishedAt?: string;
  modifiedAt?: string;
  language?: string;
  direction?: 'ltr' | 'rtl';
  section?: string;
  tags: string[];
  image?: ArticleImage;
  siteName?: string;
  /** Canonical URL from rel=canonical or og:url, already through canonicalizeUrl; undefined when absent or bogus. */
  canonicalUrl?: string;
  sources: MetadataSources;
}

export interface MetadataOptions {
  /** The reference time for rejecting future dates; defaults to now. Never used as a date itself. */
  now?: Date;
  /**
   * 'strip' (the default) removes site-name and section affixes ("Headline | Site", "Opinion | Headline") from the
   * title; 'keep' leaves the declared title as it is. benchmark/metadata.ts measures both.
   */
  titleAffixes?: 'strip' | 'keep';
  /** Prefer the visible h1 when it agrees with the declared title (the default); measured like titleAffixes. */
  preferVisibleHeadline?: boolean | 'always' | HeadlineAgreement;
}

type Candidate<T> = { value: T | undefined; source: MetadataSource };

const MAX_TITLE = 500;
/** A declared title compared with the visible headlines is at most this long (raw, before its affixes go). */
const MAX_DECLARED_TITLE_CHARS = 4 * MAX_TITLE;
/** A declared title this long that another one continues word for word was cut (an SEO plugin's 110 chars). */
const MIN_CUT_TITLE_CHARS = 90;
const MAX_DESCRIPTION = 2000;
const MAX_TAGS = 30;
/** A publication date under a vendor's prefix ("w-published-date", "cxenseparse:recs:publishtime", "sf_pub_date"). */
const PREFIXED_PUBLISHED_META = /[-_:](?:published|publish|publication|pub)[-_]?(?:date|time|datetime)$/;
/** How much later than the page's visible dateline a declared publication date may be (time zones, late edits). */
const DECLARED_AFTER_SHOWN_MS = 2 * 86_400_000;
const UNLIKELY_BYLINE_CONTEXT =
  /comment|reply|related|footer|sidebar|widget|follow|note|author-?bio|about-?the-?author/i;

/** Reads the page's metadata. `pageUrl` is the URL the page was fetched from (for resolving relative URLs). */
export function extractMetadata(
  $: ParsedPage,
  pageUrl: URL,
  options: MetadataOptions = {},
): ExtractedMetadata {
  const now = options.now ?? new Date();
  const page = indexPage(documentRoot($));
  const meta = readMetaTags(page);
  const jsonLd = readJsonLd(page.jsonLdScripts.map((script) => textOfNode(script)));
  const article = jsonLd.article;
  const baseUrl = documentBaseUrl(page, pageUrl);
  notePageUrls(page, { page: pageUrl, base: baseUrl });
  const sources: MetadataSources = {};

  const siteName = pick(sources, 'siteName', [
    { value: text(publisherName(jsonLd)), source: 'json-ld' },
    { value: text(meta.first('og:site_name')), source: 'opengraph' },
    { value: text(meta.first('application-name')), source: 'meta' },
    { value: text(textOf(jsonLd.website?.name)), source: 'json-ld' },
  ]);

  const documentTitle = text(textOfNode(page.title));
  const titleCandidates: Candidate<string>[] = [
    { value: text(jsonLdTitle(article, cleanDocumentTitle(page, documentTitle))), source: 'json-ld' },
    {
      value: text(meta.first('dc:title') ?? meta.first('dcterms:title') ?? meta.first('dcterm:title')),
      source: 'meta',
    },
    { value: text(meta.first('og:title')), source: 'opengraph' },
    { value: text(meta.first('weibo:article:title') ?? meta.first('weibo:webpage:title')), source: 'meta' },
    { value: text(meta.first('title')), source: 'meta' },
    { value: text(meta.first('twitter:title')), source: 'twitter' },
    { value: text(meta.first('parsely-title') ?? meta.first('sailthru:title')), source: 'meta' },
    { value: text(cleanDocumentTitle(page, documentTitle)), source: 'dom' },
    { value: text(textOfNode(page.headings.find((heading) => heading.name === 'h1'))), source: 'dom' },
  ];
  let title = pick(sources, 'title', titleCandidates.map(limit(MAX_TITLE)));
  if (title !== undefined) {
    const whole = continuedTitle(title, [meta.first('og:title'), documentTitle]);
    if (whole !== undefined) title = truncateText(whole, MAX_TITLE);
  }
  const description = pick(
    sources,
    'description',
    [
      { value: text(textOf(article?.description)), source: 'json-ld' as const },
      {
        value: text(meta.first('dc:description') ?? meta.first('dcterms:description')),
        source: 'meta' as const,
      },
      { value: text(meta.first('og:description')), source: 'opengraph' as const },
      { value: text(meta.first('description')), source: 'meta' as const },
      { value: text(meta.first('twitter:description')), source: 'twitter' as const },
      {
        value: text(meta.first('parsely-description') ?? meta.first('sailthru:description')),
        source: 'meta' as const,
      },
    ].map(limit(MAX_DESCRIPTION)),
  );

  const siteNames = [
    siteName,
    publisherName(jsonLd),
    meta.first('og:site_name'),
    meta.first('application-name'),
    meta.first('apple-mobile-web-app-title'),
    textOf(jsonLd.website?.name),
    domainName(pageUrl.hostname),
  ].filter((name): name is string => name !== undefined && name.trim() !== '');
  const people = (names: string[]) => withoutOrganizations(names, siteNames);
  const pageLanguage = normalizeLanguageTag(page.html?.attribs.lang ?? meta.first('og:locale'));
  const dateLanguage = numericDateLanguage(
    pageLanguage,
    page.texts.map((entry) => entry.text),
  );
  const visibleDates = visibleDateline(page, dateLanguage, now);
  // A byline in one entry of a list of other pages (a listing's cards) is that page's.
  const inListOfOtherPages = (element: Element) => insideDatedList(element, page, dateLanguage, now);
  // Each source is read only when the ones before it found no one (they are pure: the order alone decides).
  const authors = pickFirstList(sources, 'authors', [
    { value: () => people(jsonLdAuthors(article, jsonLd)), source: 'json-ld' },
    {
      // Only as property= (name="article:author" is often a section or column name).
      value: () =>
        people(
          cleanAuthorNames(
            [...meta.property('article:author'), ...meta.property('og:article:author')].filter(
              (value) => !isUrlLike(value),
            ),
          ),
        ),
      source: 'opengraph',
    },
    {
      value: () =>
        people(
          cleanAuthorNames(
            firstNonEmpty([
              meta.all('dc:creator'),
              meta.all('dcterms:creator'),
              meta.all('author'),
              meta.all('parsely-author'),
              meta.all('sailthru:author'),
              meta.all('byl'),
            ]).filter((value) => !isUrlLike(value)),
          ),
        ),
      source: 'meta',
    },
    { value: () => people(microdataAuthors(page)), source: 'microdata' },
    {
      value: () => domByline(page, (names) => people(names.filter(isFullPersonName)), inListOfOtherPages),
      source: 'dom',
    },
    { value: () => people(visibleByline(page, BYLINE_WINDOW_AFTER, inListOfOtherPages)), source: 'dom' },
    { value: () => people(authorLinkNames(page)), source: 'dom' },
    { value: () => people(authorBoxNames(page)), source: 'dom' },
    { value: () => people(bioBoxNames(page)), source: 'dom' },
    { value: () => people(namesBesideDateline(page, visibleDates)), source: 'dom' },
    { value: () => people(selfAttributedNames(page)), source: 'dom' },
    { value: () => people(writtenByLabelNames(page)), source: 'dom' },
  ]);
  // The byline shown right under the headline names other people than the declared author (a CMS account, a
  // publisher's editor): the page's own byline is the article's.
  let authorList = authors ?? [];
  if (authorList.length > 0 && sources.authors !== 'dom' && page.headlineTextIndex !== undefined) {
    const shown = people(visibleByline(page, SHOWN_BYLINE_TEXTS));
    const tokensOf = (names: string[]) => new Set(names.join(' ').toLowerCase().match(LETTER_RUNS) ?? []);
    const declaredTokens = tokensOf(authorList);
    if (shown.length > 0 && ![...tokensOf(shown)].some((token) => declaredTokens.has(token))) {
      authorList = shown;
      sources.authors = 'dom';
    }
  }
  if (title !== undefined && options.titleAffixes !== 'keep') {
    title = stripTitleAffixes(title, siteNames, authorList);
  }
  if (title !== undefined && options.preferVisibleHeadline !== false) {
    const declared = title;
    const headlines = visibleHeadlines(page, siteNames, baseUrl);
    const level: HeadlineAgreement =
      typeof options.preferVisibleHeadline === 'string' && options.preferVisibleHeadline !== 'always'
        ? options.preferVisibleHeadline
        : 'related';
    // The closest agreement first: an h1 that is the declared title or a part of it, or that another declared
    // title (og:title, <title>…) repeats, beats an earlier h1 that only shares words with it (a blog's name).
    const otherDeclared = [
      jsonLdTitle(article, undefined),
      meta.first('og:title'),
      meta.first('twitter:title'),
      documentTitle,
    ]
      // A title longer than any headline kept is no headline's agreement, and the affix patterns' runs of white
      // space cost quadratic time on a hostile one (80 K spaces in og:title: 25 s).
      .filter((value): value is string => value !== undefined && value.length <= MAX_DECLARED_TITLE_CHARS)
      .map((value) => foldForCompare(stripTitleAffixes(value, siteNames, authorList)));
    const headline =
      options.preferVisibleHeadline === 'always'
        ? headlines[0]
        : (headlines.find(
            (candidate) =>
              headlineAgrees(candidate, declared, 'segment') ||
              (level !== 'segment' && otherDeclared.includes(foldForCompare(candidate))),
          ) ?? headlines.find((candidate) => headlineAgrees(candidate, declared, level)));
    // Equal but for letter case: the declared form wins (headlines are often styled in capitals).
    const restyled =
      headline === undefined
        ? undefined
        : (declaredCasing(headline, title) ?? (lostCharactersOf(headline, title) ? title : undefined));
    if (restyled !== undefined) {
      if (restyled !== title) {
        title = restyled;
        sources.title = 'dom';
      }
    } else if (
      headline !== undefined &&
      headline.toLowerCase() !== title.toLowerCase() &&
      !extendsWithDateline(headline, title)
    ) {
      // The h1 may carry the same affixes as the declared title ("Headline | Top 10 Picks").
      const shown =
        options.titleAffixes === 'keep' ? headline : stripTitleAffixes(headline, siteNames, authorList);
      title = truncateText(shown, MAX_TITLE);
      sources.title = 'dom';
    }
  }
  if (title !== undefined) title = unwrapQuotes(repairMojibake(title));

  // Read on demand, each at most once: most pages declare a precise publication time in JSON-LD or OpenGraph, and
  // the <time>, data-attribute, microdata and URL readers after it would only be thrown away.
  const publishedCandidates = readEachOnce<string>([
    { value: () => date(article?.datePublished ?? article?.dateCreated, now), source: 'json-ld' },
    {
      value: () => firstDate(now, meta.all('article:published_time'), meta.all('og:published_time')),
      source: 'opengraph',
    },
    {
      value: () =>
        firstDate(
          now,
          meta.all('parsely-pub-date'),
          meta.all('sailthru:date'),
          meta.all('dc:date'),
          meta.all('dcterms:created'),
          meta.all('dcterms:date'),
          meta.all('date'),
          meta.all('pubdate'),
          meta.all('publishdate'),
          meta.all('publish-date'),
          meta.all('publish_date'),
          meta.all('published'),
          meta.all('published-date'),
          meta.all('published_date'),
          meta.all('publication-date'),
          meta.all('publication_date'),
          meta.all('article:published'),
          meta.matching(PREFIXED_PUBLISHED_META),
        ),
      source: 'meta',
    },
    { value: () => microdataDate(page, 'datePublished', now), source: 'microdata' },
    { value: () => domPublishedDate(page, now), source: 'dom' },
    { value: () => dataAttributeDate(page, now), source: 'dom' },
    {
      value: () =>
        visibleDates.published ??
        labelledDateAfterWindow(page, dateLanguage, now, authorList) ??
        visibleDates.updated,
      source: 'dom',
    },
    { value: () => dateFromUrlPath(pageUrl.pathname, now), source: 'url' },
  ]);
  let publishedAt = pickLazy(sources, 'publishedAt', publishedCandidates);
  // A date-only value gives way to a precise one for the same day from the next sources.
  if (publishedAt?.endsWith('T00:00:00.000Z') === true) {
    const day = publishedAt.slice(0, 10);
    const precise = publishedCandidates.find((candidate) => {
      const value = candidate.value();
      return value?.startsWith(day) === true && !value.endsWith('T00:00:00.000Z');
    });
    const preciseValue = precise?.value();
    if (precise !== undefined && preciseValue !== undefined) {
      publishedAt = preciseValue;
      sources.publishedAt = precise.source;
    }
  }

  // A declared publication date days after the dateline the page shows is a re-publication, a migration or a
  // stamp written at render time: the page's own earlier date is the publication. So is another <time> on the
  // page (a list of other posts) that is later than the one under the headline.
  const shownDate = visibleDates.publishedNearHeadline === true ? visibleDates.published : undefined;
  // A <time> whose datetime says otherwise than its text: the machine-readable value is the page's own word.
  const shownElement =
    visibleDates.publishedIndex === undefined ? undefined : page.texts[visibleDates.publishedIndex]?.parent;
  const shownTimeDeclares =
    shownElement?.name === 'time' && date(shownElement.attribs.datetime, now) === publishedAt;
  if (
    !shownTimeDeclares &&
    shownDate !== undefined &&
    publishedAt !== undefined &&
    sources.publishedAt !== 'url' &&
    Date.parse(publishedAt) - Date.parse(shownDate) > DECLARED_AFTER_SHOWN_MS
  ) {
    publishedAt = shownDate;
    sources.publishedAt = 'dom';
  }
  // Read on demand too: most pages declare the modification in JSON-LD or OpenGraph.
  let modifiedAt = pickLazy(sources, 'modifiedAt', [
    { value: () => date(article?.dateModified, now), source: 'json-ld' },
    {
      value: () => firstDate(now, meta.all('article:modified_time'), meta.all('og:updated_time')),
      source: 'opengraph',
    },
    { value: () => firstDate(now, meta.all('dcterms:modified'), meta.all('last-modified')), source: 'meta' },
    { value: () => microdataDate(page, 'dateModified', now), source: 'microdata' },
    { value: () => visibleDates.updated, source: 'dom' },
  ]);
  if (modifiedAt !== undefined && publishedAt !== undefined && modifiedAt < publishedAt) {
    modifiedAt = undefined;
    delete sources.modifiedAt;
  }

  const declaredLanguage = pick(sources, 'language', [
    { value: normalizeLanguageTag(page.html?.attribs.lang ?? page.html?.attribs['xml:lang']), source: 'dom' },
    {
      value: normalizeLanguageTag(
        meta.first('content-language') ?? meta.first('language') ?? meta.first('dc:language'),
      ),
      source: 'meta',
    },
    { value: normalizeLanguageTag(meta.first('og:locale')), source: 'opengraph' },
    { value: normalizeLanguageTag(textOf(article?.inLanguage)), source: 'json-ld' },
    { value: normalizeLanguageTag(page.body?.attribs.lang), source: 'dom' },
  ]);
  // Detected only when the page declares none: detection reads thousands of characters.
  const language =
    declaredLanguage ??
    pick(sources, 'language', [
      { value: detectLanguage(`${title ?? ''} ${description ?? ''} ${page.sample}`), source: 'text' },
    ]);

  // The body's direction is the content's; the root element's applies when the body has none.
  const declaredDirection = (page.body?.attribs.dir ?? page.html?.attribs.dir ?? '').trim().toLowerCase();
  const direction =
    declaredDirection === 'rtl' || declaredDirection === 'ltr'
      ? declaredDirection
      : directionForLanguage(language);

  const section = pick(sources, 'section', [
    { value: text(textOf(article?.articleSection)), source: 'json-ld' },
    { value: text(meta.first('article:section')), source: 'opengraph' },
    {
      value: text(meta.first('section') ?? meta.first('parsely-section') ?? meta.first('sailthru:section')),
      source: 'meta',
    },
  ]);

  const tags = pickList(sources, 'tags', [
    { value: cleanTags(meta.all('article:tag')), source: 'opengraph' },
    {
      value: cleanTags(listOf(article?.keywords).flatMap((item) => splitKeywords(textOf(item)))),
      source: 'json-ld',
    },
    {
      value: cleanTags(
        firstNonEmpty([
          meta.all('news_keywords'),
          meta.all('keywords'),
          meta.all('parsely-tags'),
          meta.all('sailthru:tags'),
        ]).flatMap(splitKeywords),
      ),
      source: 'meta',
    },
  ]);

  const leadImage = pick(sources, 'image', [
    { value: jsonLdImage(article, jsonLd, baseUrl), source: 'json-ld' },
    {
      value: imageAt(
        meta.first('og:image:secure_url') ?? meta.first('og:image') ?? meta.first('og:image:url'),
        baseUrl,
        meta.first('og:image:alt'),
      ),
      source: 'opengraph',
    },
    {
      value: imageAt(
        meta.first('twitter:image') ?? meta.first('twitter:image:src'),
        baseUrl,
        meta.first('twitter:image:alt'),
      ),
      source: 'twitter',
    },
    { value: imageAt(linkHref(page, 'image_src'), baseUrl), source: 'meta' },
  ]);

  const canonicalUrl = pick(sources, 'url', [
    {
      value: plausibleCanonical(linkHref(page, 'canonical'), baseUrl, pageUrl),
      source: 'meta',
    },
    { value: plausibleCanonical(meta.first('og:url'), baseUrl, pageUrl), source: 'opengraph' },
  ]);

  return {
    title,
    description,
    authors: authorList,
    publishedAt,
    modifiedAt,
    language,
    direction,
    section,
    tags: tags ?? [],
    image: leadImage,
    siteName,
    canonicalUrl,
    sources,
  };
}

// ---------------------------------------------------------------------------------------------------------------
// Precedence helpers

function pick<T>(
  sources: MetadataSources,
  field: keyof MetadataSources,
  candidates: Candidate<T>[],
): T | undefined {
  for (const candidate of candidates) {
    if (candidate.value !== undefined) {
      sources[field] = candidate.source;
      return candidate.value;
    }
  }
  return undefined;
}

/** A candidate whose value is read only when the ones before it are undefined. */
type LazyCandidate<T> = { value: () => T | undefined; source: MetadataSource };

/** The candidates with each value read at its first call and kept for the next ones. */
function readEachOnce<T>(candidates: LazyCandidate<T>[]): LazyCandidate<T>[] {
  return candidates.map((candidate) => {
    let read = false;
    let value: T | undefined;
    return {
      source: candidate.source,
      value: () => {
        if (!read) {
          value = candidate.value();
          read = true;
        }
        return value;
      },
    };
  });
}

/**
 * pick over candidates read on demand: the first defined value that `usable` accepts, the later candidates not read.
 */
function pickLazy<T>(
  sources: MetadataSources,
  field: keyof MetadataSources,
  candidates: LazyCandidate<T>[],
  usable: (value: T) => boolean = () => true,
): T | undefined {
  for (const candidate of candidates) {
    const value = candidate.value();
    if (value !== undefined && usable(value)) {
      sources[field] = candidate.source;
      return value;
    }
  }
  return undefined;
}

function pickList(
  sources: MetadataSources,
  field: keyof MetadataSources,
  candidates: Candidate<string[]>[],
): string[] | undefined {
  return pick(
    sources,
    field,
    candidates.map((candidate) => ({
      source: candidate.source,
      value: candidate.value === undefined || candidate.value.length === 0 ? undefined : candidate.value,
    })),
  );
}

/** pickList over sources read on demand: the first that finds a non-empty list, the later ones never read. */
function pickFirstList(
  sources: MetadataSources,
  field: keyof MetadataSources,
  candidates: LazyCandidate<string[]>[],
): string[] | undefined {
  return pickLazy(sources, field, candidates, (list) => list.length > 0);
}

function firstNonEmpty(lists: string[][]): string[] {
  return lists.find((list) => list.length > 0) ?? [];
}

function limit(max: number) {
  return <S extends MetadataSource>(candidate: { value: string | undefined; source: S }) => ({
    source: candidate.source,
    value: candidate.value === undefined ? undefined : truncateText(candidate.value, max),
  });
}

function truncateText(value: string, max: number): string {
  if (value.length <= max) return value;
  const cut = value.slice(0, max);
  const space = cut.lastIndexOf(' ');
  return `${space > max * 0.6 ? cut.slice(0, space) : cut}…`;
}

// ---------------------------------------------------------------------------------------------------------------
// Text

const ENTITY = /&(#x[0-9a-f]{1,6}|#\d{1,7}|[a-z]{2,8});/gi;
const NAMED_ENTITIES: Record<string, string> = {
  bull: '•',
  middot: '·',
  ndash: '–',
  mdash: '—',
  hellip: '…',
  raquo: '»',
  laquo: '«',
  rsquo: '’',
  lsquo: '‘',
  rdquo: '”',
  ldquo: '“',
  reg: '®',
  trade: '™',
  copy: '©',
  amp: '&',
  quot: '"',
  apos: "'",
  lt: '<',
  gt: '>',
  nbsp: ' ',
};

/** Whitespace-normalized text; entities that were escaped twice in the page (`&amp;#39;`) decoded once more. */
export function text(value: string | undefined | null): string | undefined {
  if (typeof value !== 'string') return undefined;
  const decoded = value.includes('&') ? decodeEntities(decodeEntities(value)) : value;
  const normalized = decoded.replace(/[\s\u00a0\u200b\ufeff]+/g, ' ').trim();
  return normalized === '' ? undefined : normalized;
}

/** Windows-1252's letters for the bytes 0x80–0x9f ("€" for 0x80, "™" for 0x99), as a page double-encoded them. */
const CP1252_HIGH = '€\u0081‚ƒ„…†‡ˆ‰Š‹Œ\u008dŽ\u008f\u0090‘’“”•–—˜™š›œ\u009džŸ';
/** A UTF-8 lead byte read as Latin-1, then continuation bytes read as Latin-1 or Windows-1252 ("â€™" for "’"). */
const MOJIBAKE = new RegExp(`[\u00c2-\u00f4][\u00a0-\u00bf\u0080-\u009f${CP1252_HIGH}]{1,3}`, 'gu');
const STRICT_UTF8 = new TextDecoder('utf-8', { fatal: true });
/** The last character two double-encoded bytes are taken to spell (U+04FF, the end of Cyrillic). */
const MOJIBAKE_TWO_BYTE_MAX = 0x4ff;

/**
 * Text a site encoded to UTF-8 twice ("Investorâ\u0080\u0099s", "Investorâ€™s") decoded once more: each run of
 * a lead character and its continuations becomes the character its bytes spell, when they spell one whole.
 */
export function repairMojibake(value: string): string {
  if (!/[\u00c2-\u00f4]/.test(value)) return value;
  return value.replace(MOJIBAKE, (run) => {
    const bytes = [...run].map((char) => {
      const high = CP1252_HIGH.indexOf(char);
      return high >= 0 ? 0x80 + high : (char.codePointAt(0) as number);
    });
    const expected = (bytes[0] as number) >= 0xf0 ? 4 : (bytes[0] as number) >= 0xe0 ? 3 : 2;
    if (bytes.length !== expected) return run;
    let decoded: string;
    try {
      decoded = STRICT_UTF8.decode(Uint8Array.from(bytes));
    } catch {
      return run;
    }
    // Two bytes spell Latin, Greek or Cyrillic letters and signs; outside them "Spaß…" or "MENÜ“" is real text.
    const code = decoded.codePointAt(0) as number;
    return expected === 2 && code > MOJIBAKE_TWO_BYTE_MAX ? run : decoded;
  });
}

function decodeEntities(value: string): string {
  return value.includes('&')
    ? value.replace(ENTITY, (whole, body: string) => {
        const lower = body.toLowerCase();
        if (NAMED_ENTITIES[lower] !== undefined) return NAMED_ENTITIES[lower];
        const code = lower.startsWith('#x')
          ? Number.parseInt(lower.slice(2), 16)
          : Number.parseInt(lower.slice(1), 10);
        return Number.isFinite(code) && code > 0 && code <= 0x10ffff && !(code >= 0xd800 && code <= 0xdfff)
          ? String.fromCodePoint(code)
          : whole;
      })
    : value;
}

function date(value: unknown, now: Date): string | undefined {
  return parseMetadataDate(textOf(value), now);
}

function firstDate(now: Date, ...lists: string[][]): string | undefined {
  for (const list of lists) {
    for (const value of list) {
      const parsed = parseMetadataDate(value, now);
      if (parsed !== undefined) return parsed;
    }
  }
  return undefined;
}

function isUrlLike(value: string): boolean {
  return /^(?:https?:)?\/\/|^www\./i.test(value.trim());
}

function splitKeywords(raw: string | undefined): string[] {
  // Decode entities first: "Privacy &amp; Technology" must not split at the entity's semicolon.
  const value = text(raw);
  if (value === undefined) return [];
  return value.split(/[,;]|\s*\|\s*/);
}

function cleanTags(values: string[]): string[] {
  const seen = new Set<string>();
  const tags: string[] = [];
  for (const value of values) {
    const tag = text(value);
    if (tag === undefined || tag.length > 100 || isUrlLike(tag)) continue;
    const key = tag.toLowerCase();
    if (seen.has(key)) continue;
    seen.add(key);
    tags.push(tag);
    if (tags.length >= MAX_TAGS) break;
  }
  return tags;
}

// ---------------------------------------------------------------------------------------------------------------
// Meta tags

interface MetaTags {
  first(key: string): string | undefined;
  all(key: string): string[];
  /** Values given with property= only. */
  property(key: string): string[];
  /** Values of every key the pattern matches, property= keys first. */
  matching(pattern: RegExp): string[];
}

/**
 * Collects <meta> values by lowercased key. `property` may hold several space-separated keys (RDFa); `name`,
 * `itemprop` and `http-equiv` hold one. Dots become colons so `dc.creator` and `dc:creator` are one key.
 */
function readMetaTags(page: PageIndex): MetaTags {
  // property= (OpenGraph, RDFa) outranks name= for the same key, as in Readability.
  const byProperty = new Map<string, string[]>();
  const byName = new Map<string, string[]>();
  const add = (map: Map<string, string[]>, key: string, value: string) => {
    const normalized = key
      .trim()
      .toLowerCase()
      .replace(/\./g, ':')
      .replace(/^dcterm:/, 'dcterms:');
    if (normalized === '') return;
    const list = map.get(normalized);
    if (list === undefined) map.set(normalized, [value]);
    else list.push(value);
  };
  for (const element of page.metas) {
    const attributes = element.attribs;
    const content = attributes.content ?? attributes.value;
    if (content === undefined || content.trim() === '') continue;
    const value = content.trim();
    if (attributes.property !== undefined) {
      for (const key of attributes.property.split(/\s+/)) add(byProperty, key, value);
    }
    if (attributes.name !== undefined) add(byName, attributes.name, value);
    if (attributes['http-equiv'] !== undefined) add(byName, attributes['http-equiv'], value);
  }
  const all = (key: string) => [...(byProperty.get(key) ?? []), ...(byName.get(key) ?? [])];
  const matching = (pattern: RegExp) =>
    [...byProperty, ...byName].filter(([key]) => pattern.test(key)).flatMap(([, values]) => values);
  // No list joined for the first value: first() is asked some sixty times a page. Lists in the maps are never empty.
  const first = (key: string) => byProperty.get(key)?.[0] ?? byName.get(key)?.[0];
  return { first, all, property: (key) => byProperty.get(key) ?? [], matching };
}

// ---------------------------------------------------------------------------------------------------------------
// Title

/** Letters that show case: an h1 with none in lower case, or opening in lower case, was styled (CSS, a theme). */
const MIN_CASED_LETTERS = 4;
/** Every cased letter (global: for String.prototype.match only). */
const CASED_LETTERS = /\p{Lu}|\p{Ll}/gu;
/** The first letter is lower case ("iPhone review", "— and then"). */
const FIRST_LETTER_LOWER_CASE = /^\P{L}*\p{Ll}/u;

/** "?" or U+FFFD where a character the page's encoding could not hold was (a curly quote, a dash). */
const LOST_CHARACTER = /[?\uFFFD]/;
/** At most this many lost characters are matched (each may stand for one or two characters). */
const MAX_LOST_CHARACTERS = 8;

/**
 * The h1 is the declared title with some characters lost to an encoding step ("Planning? Beginner? Guide" for
 * "Planning: Beginner's Guide"): the declared form is the same headline, intact.
 */
function lostCharactersOf(headline: string, declared: string): boolean {
  if (!LOST_CHARACTER.test(headline) || headline === declared) return false;
  const parts = headline.split(LOST_CHARACTER);
  if (parts.length - 1 > MAX_LOST_CHARACTERS) return false;
  const escaped = parts.map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
  return new RegExp(`^${escaped.join('(?![?\\uFFFD])\\S{1,2}')}$`, 'iu').test(declared);
}

/**
 * The words of an h1 styled in capitals or opening in lower case, in the letter case the declared title writes
 * them ("BEST DRIP COFFEE MAKER" → "Best Drip Coffee Maker"); the declared title itself when an all-capitals h1 is
 * not a part of it; undefined for an h1 written in ordinary case, which is read as it stands.
 */
function declaredCasing(headline: string, declared: string): string | undefined {
  const cased = headline.match(CASED_LETTERS) ?? [];
  if (cased.length < MIN_CASED_LETTERS) return undefined;
  const allCapitals = !HAS_LOWER_CASE.test(headline);
  const opensLower = FIRST_LETTER_LOWER_CASE.test(headline);
  if (!allCapitals && !opensLower) return undefined;
  const at = declared.toLowerCase().indexOf(headline.toLowerCase());
  if (at >= 0 && declared.length === declared.toLowerCase().length) {
    const segment = declared.slice(at, at + headline.length);
    // The declared words in ordinary case; a declared "RESTAURANT Definition" styles its headword too.
    return HAS_LOWER_CASE.test(segment) ? segment : undefined;
  }
  return allCapitals ? declared : undefined;
}

/**
 * The longer declared title that goes on past a long one's last word ("… Solutions (Including" in JSON-LD, the
 * whole sentence in og:title): the short one was cut at a length limit, not written that way.
 */
function continuedTitle(title: string, others: readonly (string | undefined)[]): string | undefined {
  const cut = title.replace(/\s*(?:…|\.\.\.)$/, '').trim();
  if (cut.length < MIN_CUT_TITLE_CHARS) return undefined;
  for (const other of others) {
    const value = text(other);
    if (value === undefined || value.length <= cut.length || !value.startsWith(cut)) continue;
    // The next word goes on the sentence; a separator would start an affix ("Headline | Site").
    if (/^\s+[\p{L}\p{N}(]/u.test(value.slice(cut.length))) return value;
  }
  return undefined;
}

function jsonLdTitle(article: JsonLdNode | undefined, documentTitle: string | undefined): string | undefined {
  if (article === undefined) return undefined;
  const name = textOf(article.name);
  const headline = textOf(article.headline);
  if (name !== undefined && headline !== undefined && name.trim() !== headline.trim()) {
    // Some sites put their own name into "name" (Readability's rule): the headline wins only when it is close
    // to the <title> and the name is not.
    if (documentTitle !== undefined) {
      const headlineMatches = textSimilarity(headline, documentTitle) > 0.75;
      const nameMatches = textSimilarity(name, documentTitle) > 0.75;
      if (headlineMatches && !nameMatches) return headline;
    }
    return name;
  }
  return name ?? headline;
}

/** Share of the second text's tokens also found in the first (Readability's measure). */
function textSimilarity(a: string, b: string): number {
  const tokenize = (value: string) =>
    value
      .toLowerCase()
      .split(/[^\p{L}\p{N}]+/u)
      .filter(Boolean);
  const tokensA = new Set(tokenize(a));
  const tokensB = tokenize(b);
  if (tokensA.size === 0 || tokensB.length === 0) return 0;
  const uniqueB = tokensB.filter((token) => !tokensA.has(token));
  const distance = uniqueB.join(' ').length / tokensB.join(' ').length;
  return 1 - distance;
}

const TITLE_SEPARATORS = / [|\-–—\\/>»·:] /;

/**
 * The <title> without the site part: " | Site" or "Site » " removed when the rest still reads as a title
 * (Readability's rules: keep the original when the cut leaves four words or fewer).
 */
function cleanDocumentTitle(page: PageIndex, documentTitle: string | undefined): string | undefined {
  if (documentTitle === undefined) return undefined;
  const original = documentTitle;
  let title = original;
  const wordCount = (value: string) => value.split(/\s+/).filter(Boolean).length;
  let hadHierarchicalSeparators = false;
  if (/ [|\-–—\\/>»] /.test(title)) {
    hadHierarchicalSeparators = / [\\/>»] /.test(title);
    const separators = [...original.matchAll(/ [|\-–—\\/>»] /g)];
    const last = separators[separators.length - 1];
    title = original.slice(0, last?.index ?? original.length);
    if (wordCount(title) < 3) title = original.replace(/^[^|\-–—\\/>»]*[|\-–—\\/>»]/, '');
  } else if (title.includes(': ')) {
    const headings = page.headings.some((heading) => textOfNode(heading).trim() === original.trim());
    if (!headings) {
      title = original.slice(original.lastIndexOf(':') + 1);
      if (wordCount(title) < 3) title = original.slice(original.indexOf(':') + 1);
      else if (wordCount(original.slice(0, original.indexOf(':'))) > 5) title = original;
    }
  } else if (title.length > 150 || title.length < 15) {
    const h1s = page.headings.filter((heading) => heading.name === 'h1');
    if (h1s.length === 1) title = textOfNode(h1s[0]);
  }
  title = title.replace(/\s+/g, ' ').trim();
  const words = wordCount(title);
  if (
    words <= 4 &&
    (!hadHierarchicalSeparators || words !== wordCount(original.replace(/[|\-–—\\/>»]+/g, '')) - 1)
  ) {
    title = original;
  }
  return title;
}

export { stripTitleAffixes };

const HEADLINE_CONTEXT_UNLIKELY = new Set(['nav', 'footer', 'aside']);

/** Visible h1 texts that could be the article's headline (not navigation, a logo or the site's name). */
/** A label in its own element opening the h1 ("<strong>Blog:</strong> Headline", "<span>Title:</span>…"). */
const HEADLINE_LABEL = /^\s*\p{L}[\p{L}\s]{0,24}[:：]\s*$/u;

function withoutLeadingLabel(heading: Element, headingText: string): string {
  const first = heading.children.find(
    (child) => !(child.type === 'text' && (child as unknown as { data: string }).data.trim() === ''),
  );
  if (first === undefined || !isElement(first)) return headingText;
  const label = textOfNode(first, 40);
  if (!HEADLINE_LABEL.test(label) || label.trim().split(/\s+/).length > 3) return headingText;
  const at = headingText.indexOf(label.trim());
  return at < 0 ? headingText : headingText.slice(at + label.trim().length);
}

/** Words that show an h1 ran on into its dateline or byline ("Headline Posted on July 1, 2024 by Jane"). */
const DATELINE_TAIL = caseInsensitiveTest(
  String.raw`^(?:(?:posted|published|updated|by|von|par|por|di)\b|(?:\d{1,2}[\s./-]+)?\p{L}{3,9}\.?\s+\d{1,2},?\s+(?:19|20)\d\d\b|\d{1,2}[./-]\d{1,2}[./-](?:19|20)?\d\d\b|(?:19|20)\d\d[./-]\d{1,2}[./-]\d{1,2}\b)`,
);

/** The h1 is the declared title followed by its dateline or byline, which the h1 element happened to hold. */
function extendsWithDateline(headline: string, declared: string): boolean {
  const h = foldForCompare(headline);
  const t = foldForCompare(declared);
  if (t.length < 10 || h.length <= t.length || !h.startsWith(t)) return false;
  return DATELINE_TAIL.test(h.slice(t.length).trim());
}

/** A logo or site-title h1 ("<h1 class=logo>", "<h1 class=site-title>"), named by its or its parent's class. */
const SITE_TITLE_CLASS =
  /(?:^|[-_\s])(?:logo|brand|branding|masthead|site-?title|site-?name|blog-?title)(?:$|[-_\s])/i;

/**
 * Whether an h1 is the site's or a section's name rather than the page's headline: it is classed as a logo or site
 * title, or its text is one link to the home page or to a section above this page ("<h1><a href="/blog/">The Blog").
 */
function namesSiteOrSection(heading: Element, baseUrl: URL): boolean {
  if (
    [heading, heading.parent].some(
      (node) => node && isElement(node) && SITE_TITLE_CLASS.test(node.attribs.class ?? ''),
    )
  )
    return true;
  const link = findDescendant(
    heading,
    (element) => element.name === 'a' && element.attribs.href !== undefined,
  );
  if (link === undefined || textOfNode(link).trim() !== textOfNode(heading).trim()) return false;
  let target: URL;
  try {
    target = new URL(link.attribs.href ?? '', baseUrl);
  } catch {
    return false;
  }
  if (target.host !== baseUrl.host) return false;
  const directory = target.pathname.replace(/\/(?:index|default)\.[a-z]+$/i, '/');
  const page = baseUrl.pathname;
  return directory !== page && directory.endsWith('/') && page.startsWith(directory);
}

function visibleHeadlines(page: PageIndex, siteNames: readonly string[], baseUrl: URL): string[] {
  const names = new Set(siteNames.map(normalizeName));
  const headlines: string[] = [];
  for (const heading of page.headings) {
    if (heading.name !== 'h1') continue;
    const value = text(withoutLeadingLabel(heading, headlineText(heading)).replace(/\n+/g, ' '));
    if (value === undefined || value.length < 3 || value.length > MAX_TITLE) continue;
    if (names.has(normalizeName(value)) || isSectionLabel(value)) continue;
    if (namesSiteOrSection(heading, baseUrl)) continue;
    if (
      ancestorsOf(heading, 30).some(
        (ancestor) =>
          HEADLINE_CONTEXT_UNLIKELY.has(ancestor.name) ||
          ancestor.attribs.role === 'navigation' ||
          ancestor.attribs.hidden !== undefined ||
          ancestor.attribs['aria-hidden'] === 'true',
      )
    ) {
      continue;
    }
    headlines.push(value);
  }
  return headlines;
}

/** "Headline | Site Name" → "Headline" when the suffix (or prefix) is the site's name. */
export function stripSiteName(title: string, siteName: string): string {
  const normalize = (value: string) => value.toLowerCase().replace(/[^\p{L}\p{N}]+/gu, '');
  const site = normalize(siteName);
  if (site === '') return title;
  const parts = title.split(TITLE_SEPARATORS);
  if (parts.length < 2) return title;
  const last = parts[parts.length - 1] ?? '';
  const first = parts[0] ?? '';
  const matchesSite = (part: string) => {
    const normalized = normalize(part);
    // "Coastal Ledger" names "The Coastal Ledger"; very short fragments name nothing.
    return normalized.length >= 3 && (site.includes(normalized) || normalized.includes(site));
  };
  if (matchesSite(last)) {
    const rest = title.slice(0, title.length - last.length).replace(/\s*[|\-–—\\/>»·:]\s*$/, '');
    if (rest.trim().length > 0) return rest.trim();
  }
  if (matchesSite(first)) {
    const rest = title.slice(first.length).replace(/^\s*[|\-–—\\/>»·:]\s*/, '');
    if (rest.trim().length > 0) return rest.trim();
  }
  return title;
}

// ---------------------------------------------------------------------------------------------------------------
// JSON-LD fields

function publisherName(jsonLd: JsonLdData): string | undefined {
  const article = jsonLd.article;
  if (article === undefined) return undefined;
  for (const publisher of listOf(article.publisher)) {
    const node = jsonLd.resolve(publisher);
    const name = typeof node === 'string' ? node : textOf(isJsonLdNode(node) ? node.name : undefined);
    if (name !== undefined && !isUrlLike(name)) return name;
  }
  return undefined;
}

function jsonLdAuthors(article: JsonLdNode | undefined, jsonLd: JsonLdData): string[] {
  if (article === undefined) return [];
  const raws: string[] = [];
  for (const entry of [...listOf(article.author), ...listOf(article.creator)]) {
    const node = jsonLd.resolve(entry);
    if (typeof node === 'string') {
      const decoded = text(node);
      if (decoded !== undefined && !isUrlLike(decoded)) raws.push(decoded);
    } else if (isJsonLdNode(node)) {
      // An organization is the publisher, never an author.
      if (nodeTypes(node).some((type) => ORGANIZATION_TYPE.test(type))) continue;
      const name =
        textOf(node.name) ?? [textOf(node.givenName), textOf(node.familyName)].filter(Boolean).join(' ');
      const decoded = text(name);
      if (decoded !== undefined && !isUrlLike(decoded)) raws.push(decoded);
    }
  }
  // Names from JSON-LD are already separate: clean each one but split only on explicit lists.
  return cleanAuthorNames(raws);
}

function jsonLdImage(
  article: JsonLdNode | undefined,
  jsonLd: JsonLdData,
  baseUrl: URL,
): ArticleImage | undefined {
  if (article === undefined) return undefined;
  for (const entry of [...listOf(article.image), ...listOf(article.thumbnailUrl)]) {
    const node = jsonLd.resolve(entry);
    if (typeof node === 'string') {
      const found = imageAt(node, baseUrl);
      if (found !== undefined) return found;
    } else if (isJsonLdNode(node)) {
      const found = imageAt(
        textOf(node.url) ?? textOf(node.contentUrl),
        baseUrl,
        textOf(node.name) ?? textOf(node.alternateName),
        textOf(node.caption) ?? textOf(node.description),
      );
      if (found !== undefined) return found;
    }
  }
  return undefined;
}

function imageAt(
  raw: string | undefined,
  baseUrl: URL,
  alt?: string,
  caption?: string,
): ArticleImage | undefined {
  if (raw === undefined) return undefined;
  const url = absoluteHttpUrl(raw, baseUrl);
  if (url === undefined) return undefined;
  const result: ArticleImage = { url };
  const altText = text(alt);
  const captionText = text(caption);
  if (altText !== undefined) result.alt = truncateText(altText, 500);
  if (captionText !== undefined) result.caption = truncateText(captionText, 1000);
  return result;
}

function absoluteHttpUrl(raw: string, baseUrl: URL): string | undefined {
  const trimmed = raw.trim();
  if (trimmed === '' || trimmed.length > 4000 || /^data:/i.test(trimmed)) return undefined;
  try {
    const url = new URL(trimmed, baseUrl);
    if (url.protocol !== 'http:' && url.protocol !== 'https:') return undefined;
    return url.toString();
  } catch {
    return undefined;
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Microdata and DOM

const ORGANIZATION_TYPE =
  /organization|corporation|company|business|newsmedia|brand|website|webpage|governmentoffice|ngo|project|store|school|college|university|hospital|clinic/;

/** Words that make a name an organization's ("Acme Media", "Editorial Team", "Example Inc."). */
const ORGANIZATION_WORD =
  /\b(?:inc|llc|ltd|gmbh|ag|sa|corp|corporation|company|co|media|news|newsroom|magazine|official|foundation|institute|university|college|association|society|clinic|hospital|agency|group|solutions|services|dentistry|team|staff|editors|editorial|redaktion|rédaction|redacción|redazione|desk|press|blog|network|studio|studios|labs?|digital|marketing|consulting|partners|developers|dental)\b\.?/i;

/**
 * Drops organizations from a list of author names: names with an organization word, and names that are the
 * site's own name unless they read as a person's (a personal site's name is its author's: "Jane Doe").
 */
function withoutOrganizations(names: string[], siteNames: readonly string[]): string[] {
  const sites = siteNames.map(normalizeName).filter((name) => name.length >= 3);
  return names.filter((name) => {
    if (ORGANIZATION_WORD.test(name) || /^the\s/i.test(name)) return false;
    const normalized = normalizeName(name);
    const isSite = sites.some(
      (site) => site === normalized || (normalized.length >= 5 && site.includes(normalized)),
    );
    if (!isSite) return true;
    const words = name.split(/\s+/);
    const readsAsPerson =
      words.length >= 2 &&
      words.length <= 4 &&
      words.every((word) => STARTS_CAPITALISED.test(word) || INITIAL.test(word));
    return readsAsPerson;
  });
}

/** A name followed by a role ("홍길동 기자", "山田太郎記者"). */
const VISIBLE_BYLINE_ROLE = /^\S.{0,30}\s*(?:기자|記者|特派員)$/u;
const BYLINE_WINDOW_BEFORE = 15;
const BYLINE_WINDOW_AFTER = 150;
/** A byline within this many texts after the h1 is the headline's own (checked against declared authors). */
const SHOWN_BYLINE_TEXTS = 12;
const MAX_BYLINE_LINE = 120;

/** The names on a visible byline ("By Jane Doe and John Roe") in the lines around the first h1. */
function visibleByline(
  page: PageIndex,
  windowAfter = BYLINE_WINDOW_AFTER,
  inListOfOtherPages: (element: Element) => boolean = () => false,
): string[] {
  const center = page.headlineTextIndex ?? 0;
  const from = Math.max(0, center - BYLINE_WINDOW_BEFORE);
  const to = Math.min(page.texts.length, center + windowAfter);
  for (let i = from; i < to; i++) {
    const entry = page.texts[i];
    if (entry === undefined) continue;
    const labelOnly = BYLINE_LABEL_ONLY.test(entry.text);
    // A label in a link is a menu item ("Authors" in the site's navigation), not a byline's.
    if (
      labelOnly &&
      [entry.parent, ...ancestorsOf(entry.parent, 3)].some(
        (element) => element.name === 'a' || element.name === 'nav',
      )
    ) {
      continue;
    }
    if (!labelOnly && !VISIBLE_BYLINE_START.test(entry.text) && !VISIBLE_BYLINE_ROLE.test(entry.text))
      continue;
    // A byline is short; "By mail, send the form to …" is a sentence.
    if (entry.text.length > MAX_BYLINE_LINE) continue;
    // An aside within the article holds the post's own facts ("Published" / "Author" / name) when labelled.
    const asideIsUnlikely = !(labelOnly && isInsideArticle(entry.parent));
    if (
      entry.parent.name === 'title' ||
      insideUnlikelyBylineContext(entry.parent, page, asideIsUnlikely) ||
      insideOtherPosts(entry.parent, page) ||
      inListOfOtherPages(entry.parent)
    ) {
      continue;
    }
    // "Medically reviewed" / "by" / "Jane Doe": the reviewer, editor or photographer is not the author.
    if (
      labelOnly &&
      /^(?:by|von|par|por|door|da|przez)$/i.test(entry.text) &&
      NOT_AUTHOR_ROLE.test(page.texts[i - 1]?.text ?? '')
    )
      continue;
    if (labelOnly) {
      const names = namesAfterLabel(page, i);
      if (names.length > 0) return names;
    }
    // The label may stand alone in its element ("<span>By</span> <a>Jane Doe</a>"): read up to the line.
    let element: Element = entry.parent;
    for (let depth = 0; depth < 3; depth++) {
      const names = splitAuthorText(bylineLineOf(bylineLinesThrough(element, entry.text), entry.text)).filter(
        isFullPersonName,
      );
      if (names.length > 0) return cleanAuthorNames(names);
      const parent = element.parent;
      if (parent === null || !isElement(parent) || (shortTextOfNode(parent, 300)?.length ?? 300) > 250) break;
      element = parent;
    }
  }
  return [];
}

/**
 * A sentence that says who wrote the page, anywhere after the headline (an author note after the text): "This post
 * was written by Jane Doe, role", "Dieser Artikel wurde von Jane Doe verfasst", "Cet article a été écrit par…",
 * "Este artículo fue escrito por…", "Questo articolo è stato scritto da…", "Dit artikel is geschreven door…".
 * The names are in the first group, up to the line's end, a comma or the closing verb.
 */
const SELF_ATTRIBUTION = caseInsensitiveMatcher(
  String.raw`^(?:this\s+(?:blog\s+)?(?:post|article|story|piece|guide|recipe)\s+(?:was|is)\s+(?:written|authored)\s+by|(?:dieser|der)\s+(?:artikel|beitrag|text)\s+wurde\s+von|cet\s+article\s+a\s+été\s+(?:écrit|rédigé)\s+par|este\s+(?:artículo|post)\s+(?:fue|ha\s+sido)\s+escrito\s+por|questo\s+articolo\s+è\s+stato\s+scritto\s+da|dit\s+artikel\s+is\s+geschreven\s+door)\s+(.+)`,
);
/** What ends the names of a self-attribution: a role after a comma, the verb that closes a German sentence. */
const SELF_ATTRIBUTION_END = /\s*(?:,|\s(?:geschrieben|verfasst)\b|[.!]\s*$).*$/su;

/**
 * A label that can only introduce the writer, standing alone in its element anywhere after the headline (an author
 * box after the text): "Article written by:", "Written by", "Geschrieben von", "Écrit par", "Escrito por".
 */
const WRITTEN_BY_LABEL = caseInsensitiveTest(
  String.raw`^(?:(?:this\s+)?(?:post|article|story|piece|guide|recipe)\s+(?:(?:was|is)\s+)?)?(?:written|authored)\s+by\s*[:：]?$|^(?:(?:dieser\s+)?(?:artikel|beitrag)\s+)?(?:geschrieben|verfasst)\s+von\s*:?$|^(?:article\s+)?(?:écrit|rédigé)\s+par\s*:?$|^(?:(?:artículo|post)\s+)?escrito\s+por\s*:?$|^(?:articolo\s+)?scritto\s+da\s*:?$|^(?:artikel\s+)?geschreven\s+door\s*:?$`,
);

/** The names after a WRITTEN_BY_LABEL anywhere after the headline; not in comments, related posts or menus. */
function writtenByLabelNames(page: PageIndex): string[] {
  for (let i = page.headlineTextIndex ?? 0; i < page.texts.length; i++) {
    const entry = page.texts[i] as PageIndex['texts'][number];
    // The label's words are joined by \s+ and \s* only: the text tests as its collapsed form does (it is trimmed).
    if (!WRITTEN_BY_LABEL.test(entry.text)) continue;
    const label = entry.text.replace(/\s+/g, ' ').trim();
    // The label is its element's whole text: "<i>Novel</i> written by <a>Jane Doe</a>" is a sentence.
    if (shortTextOfNode(entry.parent, MAX_BYLINE_LINE)?.replace(/\s+/g, ' ').trim() !== label) continue;
    if (
      insideOtherPosts(entry.parent, page) ||
      ancestorsOf(entry.parent, 30).some((ancestor) => ancestor.name === 'nav' || ancestor.name === 'a')
    ) {
      continue;
    }
    const names = namesAfterLabel(page, i);
    if (names.length > 0) return names;
  }
  return [];
}

/** The people a self-attribution sentence names (see SELF_ATTRIBUTION); not in comments, related posts or menus. */
function selfAttributedNames(page: PageIndex): string[] {
  // Every test below reads the parent only: one read per parent, not one per short text in it (a paragraph of
  // thousands of links and short phrases would be read whole once per phrase).
  const read = new Set<Element>();
  for (let i = page.headlineTextIndex ?? 0; i < page.texts.length; i++) {
    const entry = page.texts[i] as PageIndex['texts'][number];
    if (entry.text.length > MAX_BYLINE_LINE * 2 || read.has(entry.parent)) continue;
    read.add(entry.parent);
    const match = SELF_ATTRIBUTION.exec(
      bylineText(entry.parent)
        .replace(/[^\S\n]+/g, ' ')
        .trim(),
    );
    if (match === null) continue;
    if (
      insideOtherPosts(entry.parent, page) ||
      ancestorsOf(entry.parent, 30).some((ancestor) => ancestor.name === 'nav')
    ) {
      continue;
    }
    const names = splitAuthorText((match[1] as string).replace(SELF_ATTRIBUTION_END, ''));
    if (names.length > 0 && names.every(isFullPersonName)) return cleanAuthorNames(names);
  }
  return [];
}

/** A byline label standing alone in its element ("By", "Written by", "Authors:", "Contributors:", "Von"). */
const BYLINE_LABEL_ONLY = caseInsensitiveTest(
  String.raw`^(?:(?:this\s+(?:post|article|story|piece|guide)\s+(?:was|is)\s+)?(?:(?:written|posted|reported|words|text|story|recipe|article|authored|published)\s+)?by|(?:(?:geschrieben|verfasst)\s+)?von|(?:(?:escrito|publicado)\s+)?por|(?:(?:écrit|publié)\s+)?par|(?:scritto\s+)?da|door|przez|authors?|(?:contributors?|writers?)\s*[:：]|autor(?:es|en|in|innen)?|auteure?s?|autore|autori|yazar|автор\p{L}{0,2}|著者|作者|記者|글)\s*[:：]?$`,
);
/** One initial ("J", "J."), a word of a person's name. */
const INITIAL = /^\p{Lu}\.?$/u;
/** Texts between names that neither are one nor end the list: separators and avatar initials ("JD"). */
const BYLINE_FILLER = /^(?:[,;&·•|/\-–—]+|and|und|et|y|e|i|en|og|och|\p{Lu}{1,3})$/u;
/** The role a "by" that stands alone completes when it is not the author's ("Medically reviewed" / "by"). */
const NOT_AUTHOR_ROLE =
  /\b(?:reviewed|fact[- ]checked|edited|updated|photos?|photography|illustrations?|images?|video|translated|produced)\s*$/i;
const MAX_TEXTS_AFTER_LABEL = 10;
const MAX_NAME_TEXT = 80;

/**
 * The names in the texts right after a label that stands alone ("Author" / "Jane Doe" / "Staff writer" / "John
 * Roe"): the first text must be a name (one word will do right after the label), a role line may sit between two
 * names, and a second label ("Related topics") or a long text ends the list.
 */
function namesAfterLabel(page: PageIndex, labelIndex: number): string[] {
  const label = page.texts[labelIndex] as PageIndex['texts'][number];
  const labelKey = `${label.parent.name}.${label.parent.attribs.class ?? ''}`;
  // "By", "Posted By:", "Von:": the label of one byline, after which one word will do for a name.
  const byLabel = /(?:^|\s)(?:by|von|por|par|da|door|przez)\s*[:：]?$/i.test(label.text.trim());
  const names: string[] = [];
  let misses = 0;
  let firstNameKey: string | undefined;
  const end = Math.min(page.texts.length, labelIndex + 1 + MAX_TEXTS_AFTER_LABEL);
  for (let j = labelIndex + 1; j < end; j++) {
    const entry = page.texts[j];
    if (entry === undefined) break;
    const value = entry.text.replace(/\s+/g, ' ').trim();
    if (BYLINE_FILLER.test(value)) continue;
    if (value.length > MAX_NAME_TEXT || /[:：]$/.test(value)) break;
    if (
      names.length > 0 &&
      (`${entry.parent.name}.${entry.parent.attribs.class ?? ''}` === labelKey ||
        /^h[1-6]$/.test(entry.parent.name))
    ) {
      break;
    }
    const parts = splitAuthorText(value);
    // One word ("Eliz") only right after a "by" label: after "Authors" it may be a heading or a list item.
    const first = names.length === 0 && byLabel;
    const areNames =
      parts.length > 0 &&
      parts.every(
        (part) =>
          looksLikePersonName(part) && (isFullPersonName(part) || (first && STARTS_UPPER_CASE.test(part))),
      );
    // Co-authors are written in the same template as the first name; other texts are roles or furniture.
    const key = `${entry.parent.name}.${entry.parent.attribs.class ?? ''}`;
    if (areNames && (names.length === 0 || key === firstNameKey)) {
      firstNameKey ??= key;
      names.push(...parts);
      misses = 0;
    } else if (names.length === 0 || ++misses > 1) {
      break;
    }
  }
  return cleanAuthorNames(names);
}

/**
 * The byline's own line in an element's text: the line that holds the label, with the next one when the label
 * stands alone ("By" / "Jane Doe"). Other lines of the element are the article's text, not names.
 */
function bylineLineOf(lines: readonly string[], label: string): string {
  const at = lines.findIndex((line) => isLabelLine(line, label));
  if (at < 0) return '';
  // A byline opens its line: "… touché par le trafic" inside a paragraph ("L’appareil, …") is a sentence.
  const line = lines[at] as string;
  const labelAt = line.indexOf(label.replace(/\s+/g, ' ').trim().slice(0, 20));
  if (labelAt > 0 && HAS_LETTER.test(line.slice(0, labelAt))) return '';
  return lines.slice(at, at + 2).join('\n');
}

const isLabelLine = (line: string, label: string) => line.includes(label) || label.includes(line);

/**
 * An element's byline lines (as bylineText cut into lines) up to the line after the first that holds the label:
 * all bylineLineOf reads. A label deep in a long paragraph, read for every short text near the headline, does not
 * have the whole paragraph gathered each time.
 */
function bylineLinesThrough(element: Element, label: string): string[] {
  const lines = new LineReader(Number.POSITIVE_INFINITY, (line) => isLabelLine(line, label));
  bylineTextInto(element, BYLINE_BREAK_TAGS, lines);
  return lines.end();
}

/** A letter of a script written without spaces between a name's parts (山田太郎), not a Latin one or a ’. */
const NON_LATIN_LETTER = /(?!\p{Script=Latin})\p{L}/u;

/** A byline element's text is full of furniture: only a name of two words or more is trusted from it. */
function isFullPersonName(name: string): boolean {
  return (
    looksLikePersonName(name) &&
    (/\s/.test(name) || !/^[\p{L}\p{M}'’-]+$/u.test(name) || NON_LATIN_LETTER.test(name))
  );
}

/** How far from the headline's dateline an unlabelled name may sit ("Jane Doe · 3 May 2025 · 4 min read"). */
const NAME_BESIDE_DATE_TEXTS = 3;
/** Classes of topic labels beside a dateline ("taxonomy-term", "post-category"): a topic, not a person. */
const TOPIC_LABEL_CLASS =
  /categor|taxonom|(?:^|[-_\s])(?:tags?|terms?|topics?|section|badge|breadcrumbs?)(?:$|[-_\s])/i;
/** Classes of a share or other button beside a dateline ("shareBtn", "social-share", "btn"): its label is not a name. */
const BUTTON_CLASS = /(?:^|[-_\s])(?:share|sharing|social|btn|button)/i;
const META_BLOCK_DEPTH = 4;
const MAX_META_BLOCK_CHARS = 300;

/**
 * The names on the headline's meta line without a label: a text next to the shown publication date that is
 * nothing but a full person's name or a list of them (not a heading, not a link elsewhere than an author page).
 */
function namesBesideDateline(page: PageIndex, dateline: Dateline): string[] {
  const at = dateline.publishedIndex;
  if (at === undefined || dateline.publishedNearHeadline !== true) return [];
  for (let distance = 1; distance <= NAME_BESIDE_DATE_TEXTS; distance++) {
    for (const i of [at + distance, at - distance]) {
      const entry = page.texts[i];
      // A heading's text, also a part of it ("<h1>Tech stack of <span>Klatch Coffee</span></h1>"), is no byline.
      if (
        entry === undefined ||
        [entry.parent, ...ancestorsOf(entry.parent, 3)].some((element) => /^h[1-6]$/.test(element.name))
      )
        continue;
      // "Jane Doe in Gardening": the section link after the name is not part of it.
      const value = entry.text
        .replace(/\s+/g, ' ')
        .replace(/\s+(?:in|on|at|for|\||·|•)$/i, '')
        .trim();
      if (value.length > MAX_NAME_TEXT || /\d/.test(value)) continue;
      const link = [entry.parent, ...ancestorsOf(entry.parent, 2)].find((element) => element.name === 'a');
      if (
        link !== undefined &&
        link.attribs.href !== undefined &&
        !authorElements(page).authorLinks.includes(link)
      )
        continue;
      if (
        insideUnlikelyBylineContext(entry.parent, page) ||
        TOPIC_LABEL_CLASS.test(entry.parent.attribs.class ?? '') ||
        BUTTON_CLASS.test(entry.parent.attribs.class ?? '')
      ) {
        continue;
      }
      // The name and the date share a small meta block, not just a page of headings and teasers.
      const dateElement = (page.texts[at] as PageIndex['texts'][number]).parent;
      const around = new Set([dateElement, ...ancestorsOf(dateElement, META_BLOCK_DEPTH)]);
      const block = [entry.parent, ...ancestorsOf(entry.parent, META_BLOCK_DEPTH)].find((element) =>
        around.has(element),
      );
      if (block === undefined || visibleTextLength(block, MAX_META_BLOCK_CHARS) > MAX_META_BLOCK_CHARS)
        continue;
      const names = splitAuthorText(value);
      if (names.length > 0 && names.every((name) => isFullPersonName(name) && looksLikePersonName(name))) {
        return cleanAuthorNames(names);
      }
    }
  }
  return [];
}

/** A site menu around an element: <nav>, <menu>, a navigation or menu role, or a menu's class (MENU_CLASS_TOKEN). */
function insideMenu(element: Element): boolean {
  return ancestorsOf(element, 30).some(
    (ancestor) =>
      ancestor.name === 'nav' ||
      ancestor.name === 'menu' ||
      MENU_ROLES.has(ancestor.attribs.role ?? '') ||
      (ancestor.attribs.class ?? '').split(/\s+/).some((token) => MENU_CLASS_TOKEN.test(token)),
  );
}
const MENU_ROLES = new Set(['navigation', 'menu', 'menubar']);

/** The people named by links to author pages near the top of the page (/author/jane-doe). */
function authorLinkNames(page: PageIndex): string[] {
  for (const link of authorElements(page).authorLinks) {
    if (
      insideUnlikelyBylineContext(link, page) ||
      insideOtherPosts(link, page) ||
      namesReviewer(link) ||
      insideMenu(link)
    ) {
      continue;
    }
    const name = text(textOfNode(link, 200));
    if (name === undefined) continue;
    if (!looksLikePersonName(name)) {
      // One link for several people ("/author/jane-doe-and-john-roe"): its text is a list of names.
      const listed = splitAuthorText(name);
      if (listed.length > 1 && listed.every(isFullPersonName)) return cleanAuthorNames(listed);
      const spelled = nameSpelledBySlug(page, link);
      if (spelled !== undefined) return [spelled];
      continue;
    }
    // Co-authors are linked in the same line.
    const line = link.parent;
    const names = [name];
    for (const other of authorElements(page).authorLinks) {
      if (other !== link && other.parent === line) {
        const otherName = text(textOfNode(other, 200));
        if (otherName !== undefined && looksLikePersonName(otherName)) names.push(otherName);
      }
    }
    return cleanAuthorNames(names);
  }
  return [];
}

/** How many texts from an author link ("Articles by Jane") the name its URL spells may stand. */
const NAME_NEAR_AUTHOR_LINK_TEXTS = 3;

/**
 * The name an author link's URL spells ("/authors/jane-doe") written out beside a link whose own text is not a
 * name ("Jane Doe" / "Tech Writer" / "Articles by Jane"): the profile's display name.
 */
function nameSpelledBySlug(page: PageIndex, link: Element): string | undefined {
  const slug = /\/([^/?#]+)\/?(?:[?#]|$)/.exec(link.attribs.href ?? '')?.[1];
  if (slug === undefined) return undefined;
  const key = normalizeName(decodeURIComponentSafe(slug));
  if (key.length < MIN_SLUG_NAME_CHARS) return undefined;
  const at = page.texts.findIndex(
    (entry) => entry.parent === link || ancestorsOf(entry.parent, 3).includes(link),
  );
  if (at < 0) return undefined;
  for (let distance = 1; distance <= NAME_NEAR_AUTHOR_LINK_TEXTS; distance++) {
    for (const i of [at - distance, at + distance]) {
      const value = page.texts[i]?.text.replace(/\s+/g, ' ').trim();
      if (value === undefined || value.length > MAX_NAME_TEXT) continue;
      if (normalizeName(value) === key && isFullPersonName(value)) return value;
    }
  }
  return undefined;
}
/** A slug this short ("/author/jd") spells initials, not a name to compare. */
const MIN_SLUG_NAME_CHARS = 5;

function decodeURIComponentSafe(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}

/** Labels that open an author box ("About the author", "Written by", "Über den Autor"); the name follows. */
const AUTHOR_BOX_LABEL =
  /^(?:about\s+the\s+authors?|about|written\s+by|posted\s+by|authored\s+by|by|the\s+author|authors?|über\s+(?:den|die)\s+autor(?:in)?|à\s+propos\s+de\s+l['’]auteur|sobre\s+el\s+autor|sobre\s+o\s+autor|l['’]autore|autor(?:in)?|auteur|autore)\s*:?\s*/iu;
const MAX_AUTHOR_BOX_CHARS = 3000;

/**
 * The person an author box names (an element whose class says author, often after the article or beside it):
 * its first line, when that line is a person's full name. The last resort after bylines and author links.
 */
function authorBoxNames(page: PageIndex): string[] {
  for (const element of authorElements(page).bylineCandidates) {
    if (NOT_BYLINE_TAGS.has(element.name.toLowerCase()) || element.name === 'a') continue;
    if (!/author|autor|auteur/i.test(`${element.attribs.class ?? ''} ${element.attribs.id ?? ''}`)) continue;
    if (
      ancestorsOf(element, 30).some(
        (ancestor) =>
          ancestor.name === 'nav' ||
          (ancestor.name === 'footer' && !isInsideArticle(ancestor)) ||
          /comment|related|testimonial|(?:^|[-_\s])reviews(?:$|[-_\s])/i.test(
            `${ancestor.attribs.class ?? ''} ${ancestor.attribs.id ?? ''}`,
          ),
      )
    ) {
      continue;
    }
    const boxText = shortTextOfNode(element, MAX_AUTHOR_BOX_CHARS + 1);
    if (boxText === undefined || boxText.length > MAX_AUTHOR_BOX_CHARS) continue;
    const lines = bylineText(element)
      .split('\n')
      .map((line) => line.replace(/\s+/g, ' ').trim())
      .filter((line) => line !== '');
    for (const raw of lines.slice(0, 3)) {
      const line = raw.replace(AUTHOR_BOX_LABEL, '').trim();
      if (line === '') continue;
      if (isFullPersonName(line) && looksLikePersonName(line)) return [line];
      break;
    }
  }
  return [];
}

/** Limits of an author box recognised by its bio rather than by a class name. */
const BIO_BOX = {
  /** A name standing alone in its element ("Jane Doe", "Stefan"), not a sentence. */
  maxNameChars: 40,
  /** Capitalised words in the name. */
  maxNameWords: 3,
  /** How much text after the name is read for the bio. */
  followingChars: 600,
  /** A role line between the name and the bio ("Tech Writer", "Licensed Q Grader, M.A. Journalism"). */
  maxRoleLineChars: 90,
  /** Ancestors of the name searched for the box's photo (an img whose alt names the person) or an author class. */
  hintDepth: 4,
  /** The photo's box holds at most this much text (not the whole article). */
  maxPhotoBoxChars: 3000,
};
/** Class or id words of an author box or its parts: "author-card", "bio", "profile", "writer", "avatar". */
const AUTHOR_BOX_CLASS = /author|autor|auteur|(?:^|[-_\s])bio(?:$|[-_\s])|biography|profile|writer|avatar/i;
/** After the person's name, a bio goes on with a lower-case word that is not a connector ("Jane writes…", "Jane's"). */
const BIO_AFTER_NAME =
  /^(?:\s+(?!(?:and|und|et|y|e|i|en|og|och|и|a|o|or|oder|ou|vs|versus|v)\s)\p{Ll}|['’]s\s)/u;
/** A bio that introduces its writer: "Hi, I'm Jane", "Ich bin Jane", "Je suis Jane", "Soy Jane", "Sono Jane". */
const BIO_GREETING = caseInsensitiveMatcher(
  String.raw`^(?:(?:hi|hello|hey|hallo|bonjour|hola|ciao|olá|hej)\s*(?:there|everyone)?\s*[,!.]?\s*)?(?:i['’]m|i am|my name is|ich bin|ich heiße|je suis|je m['’]appelle|soy|me llamo|sono|mi chiamo|sou|eu sou|ik ben)\s+`,
);

/**
 * An author box without an author class: a person's name standing alone, and right after it (past one role line)
 * a bio that opens with that person ("Jane Doe is…", "Jane has…", "Hi, I'm Jane"), beside the person's photo or in
 * a box named for an author. Used only when the page names one such person (a list of people is an article about
 * them), and never in comments, related posts or navigation.
 */
function bioBoxNames(page: PageIndex): string[] {
  const found = new Map<string, string>();
  for (let i = page.headlineTextIndex ?? 0; i < page.texts.length; i++) {
    const entry = page.texts[i] as PageIndex['texts'][number];
    // The text is trimmed, so it opens with the collapsed name's first letter: tested before collapsing.
    if (!STARTS_UPPER_CASE.test(entry.text)) continue;
    const name = entry.text.replace(/\s+/g, ' ').trim();
    if (name.length > BIO_BOX.maxNameChars || !looksLikePersonName(name)) continue;
    // A name has few capitalised words ("Marna van der Merwe"); "Energy Efficiency You Can Feel" is a heading.
    if (name.split(' ').filter((word) => STARTS_UPPER_CASE.test(word)).length > BIO_BOX.maxNameWords)
      continue;
    if (found.has(name.toLowerCase())) continue;
    // The name is its element's whole text (a heading, a <strong>, a <p>), not a word of a sentence.
    if (
      shortTextOfNode(entry.parent, BIO_BOX.maxNameChars + 1)
        ?.replace(/\s+/g, ' ')
        .trim() !== name
    )
      continue;
    const bio = opensBio(linesAfter(entry.parent, BIO_BOX.followingChars, 2), name);
    if (bio === undefined) continue;
    // "Hi, I'm Jane" names the writer, and so does a label before the name ("Written by" / "Jane Doe").
    const labelled = [page.texts[i - 1], page.texts[i - 2]].some(
      (before) => before !== undefined && BYLINE_LABEL_ONLY.test(before.text),
    );
    if (
      insideOtherPosts(entry.parent, page) ||
      ancestorsOf(entry.parent, 30).some((ancestor) => ancestor.name === 'nav') ||
      (bio !== 'greeting' && !labelled && !hasAuthorBoxHint(entry.parent, name))
    ) {
      continue;
    }
    found.set(name.toLowerCase(), name);
    if (found.size > 1) return [];
  }
  return [...found.values()];
}

/**
 * The bio opens the first or second line after the name (the second when the first is a short role line):
 * 'greeting' when the person introduces themself ("Hi, I'm Jane"), 'third' for "Jane Doe is…".
 */
function opensBio(lines: string[], name: string): 'greeting' | 'third' | undefined {
  const first = name.split(' ')[0] as string;
  // A first name is written like one ("Jane", not "US" or "NASA").
  const forms = STARTS_CAPITALISED.test(first) ? [name, first] : [name];
  const opens = (line: string): 'greeting' | 'third' | undefined => {
    const rest = line.replace(BIO_GREETING, '');
    const introduced = rest !== line;
    for (const form of forms) {
      if (!rest.startsWith(form)) continue;
      const after = rest.slice(form.length);
      if (introduced && !STARTS_WITH_LETTER.test(after)) return 'greeting';
      // "Energy efficiency is…" after "Energy Efficiency": the heading's own words again, not a person.
      const nextWord = name.split(' ')[1]?.toLowerCase();
      if (form === first && nextWord !== undefined && after.trimStart().toLowerCase().startsWith(nextWord))
        continue;
      if (!introduced && BIO_AFTER_NAME.test(after)) return 'third';
    }
    return undefined;
  };
  const [line1, line2] = lines;
  if (line1 === undefined) return undefined;
  // A role line has no digits (a date or a count between a name and a text is a teaser's, not a bio's).
  const roleLine = line1.length <= BIO_BOX.maxRoleLineChars && !/\d/.test(line1);
  return opens(line1) ?? (roleLine && line2 !== undefined ? opens(line2) : undefined);
}

/**
 * The first `count` lines of text that follow an element in document order (its next siblings, then its
 * ancestors'), read up to `maxChars`. The reading stops as soon as those lines are complete: the element after a
 * name is often the whole article, whose text would be gathered only to be cut into lines and dropped.
 */
function linesAfter(element: Element, maxChars: number, count: number): string[] {
  const lines = new LineReader(count);
  let length = 0;
  let node: AnyNode | null = element;
  while (node !== null && length < maxChars) {
    let next: AnyNode | null = node.next;
    while (next === null && node.parent !== null && node.parent.type !== 'root') {
      node = node.parent;
      if (isElement(node) && (node.name === 'body' || node.name === 'html')) return lines.end();
      next = node.next;
    }
    if (next === null) break;
    node = next;
    if (node.type === 'text') {
      const data = (node as unknown as { data: string }).data;
      if (lines.add(data)) return lines.end();
      length += data.length;
    } else if (isElement(node) && !BYLINE_SKIP_TAGS.has(node.name)) {
      // As "\n" + bylineText(node) + "\n", without building the text once the lines are read.
      if (lines.add('\n')) return lines.end();
      const before = lines.chars;
      if (bylineTextInto(node, BYLINE_BREAK_TAGS, lines)) return lines.end();
      if (lines.add('\n')) return lines.end();
      length += lines.chars - before + 2;
    }
  }
  return lines.end();
}

/**
 * Text cut into lines at "\n" as it arrives, each line's white space collapsed and trimmed, empty lines left out:
 * the first `count` lines of `text.split('\n').map(collapse).filter(nonEmpty)` without holding the whole text.
 */
class LineReader {
  readonly lines: string[] = [];
  /** Characters added so far. */
  chars = 0;
  private pending = '';
  /** `count` lines are read, or (with `through`) one more line after the first that `through` accepts. */
  constructor(
    private count: number,
    private through?: (line: string) => boolean,
  ) {}

  /** Adds text; true once `count` lines are complete (nothing added later can change them). */
  add(text: string): boolean {
    this.chars += text.length;
    let start = 0;
    for (let newline = text.indexOf('\n'); newline !== -1; newline = text.indexOf('\n', start)) {
      const line = collapseLine(this.pending + text.slice(start, newline));
      this.pending = '';
      start = newline + 1;
      if (line !== '') {
        this.lines.push(line);
        if (this.through?.(line)) {
          this.count = Math.min(this.count, this.lines.length + 1);
          this.through = undefined;
        }
        if (this.lines.length >= this.count) return true;
      }
    }
    this.pending += start === 0 ? text : text.slice(start);
    return false;
  }

  /** The lines read, the unfinished last one included. */
  end(): string[] {
    if (this.lines.length < this.count) {
      const line = collapseLine(this.pending);
      if (line !== '') this.lines.push(line);
    }
    this.pending = '';
    return this.lines;
  }
}

const collapseLine = (line: string) => line.replace(/\s+/g, ' ').trim();

/** The name sits in a box named for an author, or beside an image of the person (alt naming them). */
function hasAuthorBoxHint(element: Element, name: string): boolean {
  const first = (name.split(' ')[0] as string).toLowerCase();
  const showsPerson = (candidate: Element) =>
    candidate.name === 'img' &&
    (candidate.attribs.alt ?? '')
      .toLowerCase()
      .split(/[^\p{L}\p{M}'’-]+/u)
      .includes(first);
  for (const box of [element, ...ancestorsOf(element, BIO_BOX.hintDepth)]) {
    if (AUTHOR_BOX_CLASS.test(`${box.attribs.class ?? ''} ${box.attribs.id ?? ''}`)) return true;
    const boxText = shortTextOfNode(box, BIO_BOX.maxPhotoBoxChars + 1);
    if (boxText === undefined || boxText.length > BIO_BOX.maxPhotoBoxChars) return false;
    if (showsPerson(box) || findDescendant(box, showsPerson) !== undefined) return true;
    // The photo in the block just before the name's ("<p><img alt='Jane Doe'></p><p><b>Jane Doe</b></p>").
    let previous = box.prev;
    while (
      previous !== null &&
      previous.type === 'text' &&
      (previous as unknown as { data: string }).data.trim() === ''
    )
      previous = previous.prev;
    if (
      previous !== null &&
      isElement(previous) &&
      (showsPerson(previous) || findDescendant(previous, showsPerson))
    )
      return true;
  }
  return false;
}

function microdataAuthors(page: PageIndex): string[] {
  const raws: string[] = [];
  const authorElements = page.itemprops
    .filter(
      (element) =>
        hasToken(element.attribs.itemprop, 'author') || hasToken(element.attribs.itemprop, 'creator'),
    )
    .slice(0, 10);
  // An author is the property of its nearest item (an itemscope above it): the first author's item is the page's;
  // the others are replies' and comments' (a forum thread's posts), each an item of its own.
  const itemOf = (element: Element) =>
    ancestorsOf(element, 40).find((ancestor) => ancestor.attribs.itemscope !== undefined);
  let pageItem: Element | undefined | null = null;
  for (const element of authorElements) {
    if (insideUnlikelyBylineContext(element, page, false)) continue;
    const item = itemOf(element);
    if (pageItem === null) pageItem = item;
    else if (item !== pageItem) continue;
    const named = findDescendant(element, (candidate) => hasToken(candidate.attribs.itemprop, 'name'));
    const value =
      named !== undefined
        ? (named.attribs.content ?? textOfNode(named))
        : (element.attribs.content ?? textOfNode(element));
    if (value.trim().length > 0 && value.trim().length < 200 && !isUrlLike(value)) raws.push(value);
  }
  return cleanAuthorNames(raws);
}

const NOT_BYLINE_TAGS = new Set([
  'body',
  'html',
  'meta',
  'link',
  'script',
  'style',
  'img',
  'svg',
  'article',
  'main',
]);

/** Comments, related posts and read-next cards around an element: their bylines are other posts'. */
const OTHER_POSTS_CONTEXT =
  /comment|repl(?:y|ies)|related|recommend|read-?next|up-?next|more-(?:posts|stories|articles)/i;

function insideOtherPosts(element: Element, page: PageIndex): boolean {
  const aroundHeadline = headlineAncestors(page);
  return ancestorsOf(element, 30).some(
    (ancestor) =>
      ancestor.name !== 'body' &&
      ancestor.name !== 'html' &&
      !aroundHeadline.has(ancestor) &&
      OTHER_POSTS_CONTEXT.test(`${ancestor.attribs.class ?? ''} ${ancestor.attribs.id ?? ''}`),
  );
}

/** "Reviewed by <a class=author>…</a>", "Fact checked by": the element names a reviewer, not the author. */
function namesReviewer(element: Element): boolean {
  const parent = element.parent;
  if (parent === null || !isElement(parent)) return false;
  const before = textOfNode(parent, 200).split(textOfNode(element, 200).trim())[0] ?? '';
  return NOT_AUTHOR_ROLE.test(before.replace(/\s*(?:by|von|par|por|door|da|przez)\s*:?\s*$/i, ''));
}

/** The first byline-looking element (rel=author, class/id matching byline|author) with a plausible name. */
function domByline(
  page: PageIndex,
  keep: (names: string[]) => string[],
  inListOfOtherPages: (element: Element) => boolean,
): string[] {
  for (const element of authorElements(page).bylineCandidates) {
    if (NOT_BYLINE_TAGS.has(element.name.toLowerCase())) continue;
    const matchString = `${element.attribs.class ?? ''} ${element.attribs.id ?? ''}`;
    if (insideUnlikelyBylineContext(element, page) || UNLIKELY_BYLINE_CONTEXT.test(matchString)) continue;
    if (insideOtherPosts(element, page) || namesReviewer(element)) continue;
    if (inListOfOtherPages(element)) continue;
    const raw = textOfNode(element, 200).trim();
    if (raw.length === 0 || raw.length >= 100) continue;
    const named = findDescendant(element, (candidate) => hasToken(candidate.attribs.itemprop, 'name'));
    const names = keep(
      cleanAuthorNames(splitAuthorText(named !== undefined ? textOfNode(named) : bylineText(element))),
    );
    if (names.length > 0) return names;
  }
  return [];
}

const BYLINE_BREAK_TAGS = new Set([
  'br',
  'div',
  'p',
  'li',
  'span',
  'h1',
  'h2',
  'h3',
  'h4',
  'h5',
  'h6',
  'dt',
  'dd',
  'td',
  'th',
  'section',
  'header',
  'ul',
  'ol',
]);
const BYLINE_SKIP_TAGS = new Set(['time', 'script', 'style', 'button']);

/** A headline's text: a <span> runs on inline ("Planning <span>C</span>ycle", a styled capital). */
const HEADLINE_BREAK_TAGS = new Set([...BYLINE_BREAK_TAGS].filter((tag) => tag !== 'span'));
const headlineText = (heading: Element) => bylineText(heading, HEADLINE_BREAK_TAGS);

/** An element's text with line breaks where block children and <br> are, so byline lines stay apart. */
function bylineText(element: Element, breakTags: ReadonlySet<string> = BYLINE_BREAK_TAGS): string {
  const parts: string[] = [];
  bylineTextInto(element, breakTags, {
    add(text) {
      parts.push(text);
      return false;
    },
  });
  return parts.join('');
}

/**
 * bylineText's parts in order into `sink`; stops, returning true, when the sink says it has read enough or
 * MAX_SHORT_READ_NODES nodes are read (a byline's, a headline's or an author box's element is read for every short
 * text near the headline: a run of thousands of empty elements is not walked each time).
 */
function bylineTextInto(
  element: Element,
  breakTags: ReadonlySet<string>,
  sink: { add(text: string): boolean },
): boolean {
  let nodesLeft = MAX_SHORT_READ_NODES;
  const walk = (node: AnyNode, depth: number): boolean => {
    if (nodesLeft-- <= 0) return true;
    if (depth > 20) return false;
    if (node.type === 'text') return sink.add((node as unknown as { data: string }).data);
    if (!isElement(node)) return false;
    const tag = node.name.toLowerCase();
    if (BYLINE_SKIP_TAGS.has(tag)) return sink.add('\n');
    const block = breakTags.has(tag);
    if (block && sink.add('\n')) return true;
    for (const child of node.children) if (walk(child, depth + 1)) return true;
    return block && sink.add('\n');
  };
  for (const child of element.children) if (walk(child, 0)) return true;
  return false;
}

// ---------------------------------------------------------------------------------------------------------------
// URLs

function linkHref(page: PageIndex, rel: string): string | undefined {
  return page.links.find((link) => hasToken(link.attribs.rel, rel) && link.attribs.href !== undefined)
    ?.attribs.href;
}

/** The document's base URL: <base href> resolved against the page URL, when it is http(s). */
export function documentBaseUrl(page: PageIndex, pageUrl: URL): URL {
  const href = page.bases.find((base) => base.attribs.href !== undefined)?.attribs.href;
  return resolveDocumentBase(href, pageUrl);
}

const LOCAL_HOST =
  /^(?:localhost|.*\.localhost|.*\.local|.*\.invalid|.*\.test|127\.\d+\.\d+\.\d+|0\.0\.0\.0|\[::1\])$/i;

/**
 * A canonical URL worth trusting, canonicalized; undefined when it is absent, unparsable, not http(s), a
 * template placeholder, a development host, or a site's home page standing in for an article.
 */
function plausibleCanonical(raw: string | undefined, baseUrl: URL, pageUrl: URL): string | undefined {
  if (raw === undefined) return undefined;
  const trimmed = raw.trim();
  if (trimmed === '' || /\{\{|\}\}|%7B%7B|\$\{|<%|\[\[/i.test(trimmed)) return undefined;
  let canonical: string;
  try {
    canonical = canonicalizeUrl(trimmed, baseUrl.toString());
  } catch {
    return undefined;
  }
  const url = new URL(canonical);
  if (LOCAL_HOST.test(url.hostname) && !LOCAL_HOST.test(pageUrl.hostname)) return undefined;
  const isHomePage = (candidate: URL) =>
    (candidate.pathname === '/' || candidate.pathname === '') && candidate.search === '';
  if (isHomePage(url) && !isHomePage(pageUrl)) return undefined;
  return canonical;
}
