// Page type: what kind of page this is (the WCXB taxonomy), so each kind gets the extraction it needs and ingest
// can store articles only. Pure: a parsed page and its URL in, a type and the signals behind it out.
//
// Every signal is general (schema.org types, Open Graph, page structure, URL path words) and every weight sits in
// one table, PAGE_TYPE_SIGNALS. Article is the default and has a head start (ARTICLE_PRIOR): misfiling an article
// costs more than misfiling anything else, so another type wins only on clear evidence.
import type { AnyNode, Element } from 'domhandler';
import { PAGE_TYPES, type PageType } from '../article.ts';
import {
  attributeOf,
  documentRoot,
  elementsInOrder,
  findFirst,
  hasChildren,
  isElement,
  nextInOrder,
  type ParsedPage,
  textContent,
  visibleLength,
} from './content-dom.ts';
import { forEachMatchInParts, maxMatchLength } from './match-parts.ts';
import { isJsonLdNode, type JsonLdNode, nodeTypes } from './metadata-jsonld.ts';
import { childrenByShape } from './page-types/repeats.ts';

export { PAGE_TYPES, type PageType };

export interface PageTypeSignal {
  /** Stable signal name, e.g. "jsonld:product" or "structure:post-blocks". */
  name: string;
  type: PageType;
  weight: number;
}

export interface PageTypeVerdict {
  type: PageType;
  /** The signals that fired, strongest first (all types, not only the winner's). */
  signals: PageTypeSignal[];
  /**
   * Characters of the body's text outside scripts, styles and templates, counting one space beside each text
   * node: at least as many as any extraction returns, but for the blank lines it puts between blocks.
   */
  textChars?: number;
}

/** Article's head start: another type must outscore article by this much plus article's own signals. */
export const ARTICLE_PRIOR = 2;
/** A non-article type also needs at least this much evidence of its own. */
export const MIN_TYPE_SCORE = 3;

// ---------------------------------------------------------------------------------------------------------
// Schema.org types (lowercase). Only the page's main entities count: top-level nodes, @graph members and a
// WebPage's mainEntity, not a Product inside a review or an Organization that publishes an article.
const JSONLD_TYPE_GROUPS: Record<string, ReadonlySet<string>> = {
  article: new Set([
    'article',
    'newsarticle',
    'blogposting',
    'liveblogposting',
    'reportagenewsarticle',
    'opinionnewsarticle',
    'analysisnewsarticle',
    'backgroundnewsarticle',
    'reviewnewsarticle',
    'scholarlyarticle',
    'report',
    'recipe',
    'review',
  ]),
  forum: new Set(['discussionforumposting', 'qapage', 'socialmediaposting']),
  product: new Set(['product', 'productgroup', 'individualproduct', 'productmodel', 'vehicle', 'car']),
  collection: new Set(['offercatalog', 'searchresultspage']),
  listing: new Set(['collectionpage', 'itemlist']),
  documentation: new Set(['techarticle', 'apireference', 'softwaresourcecode']),
  service: new Set([
    'service',
    'localbusiness',
    'professionalservice',
    'financialservice',
    'legalservice',
    'medicalbusiness',
    'homeandconstructionbusiness',
    'store',
    'contactpage',
    'aboutpage',
  ]),
};

const OG_TYPES: Record<string, PageType> = {
  article: 'article',
  'og:article': 'article',
  product: 'product',
  'product.item': 'product',
  'og:product': 'product',
  'ebay-objects:item': 'product',
  'product.group': 'collection',
  'product:group': 'collection',
};

/** Microdata itemtypes (lowercase, last path segment) counted over the page. */
export const MICRODATA_POST_TYPES = new Set(['comment', 'discussionforumposting', 'answer', 'usercomments']);
const MICRODATA_PRODUCT_TYPES = new Set(['product', 'offer', 'aggregateoffer']);

/** Class or id tokens of one post in a thread. */
export const POST_BLOCK_CLASS =
  /(?:^|[\s_-])[a-z]*(?:post|message|reply|replies|comment|answer|cooked|bbwrapper)[a-z]*(?:$|[\s_-])/i;
/**
 * A word every POST_BLOCK_CLASS match holds, tested first: most classes hold none, and this costs less than half of
 * POST_BLOCK_CLASS, whose `[a-z]*` around the words backtracks through every run of letters.
 */
const POST_WORD = /post|message|repl|comment|answer|cooked|bbwrapper/i;
const isPostClass = (value: string): boolean => POST_WORD.test(value) && POST_BLOCK_CLASS.test(value);
const isDocNavClass = (value: string): boolean => DOC_NAV_CLASS.test(value);
/** Class and id strings this long or longer are utility-class soup: their post words say nothing. */
const MAX_POST_CLASS_CHARS = 300;

/**
 * A block marked as one post of a thread: a post itemtype (MICRODATA_POST_TYPES) or a post class or id
 * (POST_BLOCK_CLASS, in fewer than MAX_POST_CLASS_CHARS). Thread posts need a date or an author inside as well.
 */
export function isPostBlock(element: Element): boolean {
  const attributes = element.attribs;
  const itemtype = attributes.itemtype?.replace(/^.*\//, '').toLowerCase();
  if (itemtype !== undefined && MICRODATA_POST_TYPES.has(itemtype)) return true;
  return hasShortClasses(attributes) && matchesClassOrId(isPostClass, attributes);
}

/** Whether the element's class and id, joined by a space, are longer than one and shorter than MAX_POST_CLASS_CHARS. */
function hasShortClasses(attributes: Record<string, string>): boolean {
  const length = (attributes.class?.length ?? 0) + 1 + (attributes.id?.length ?? 0);
  return length > 1 && length < MAX_POST_CLASS_CHARS;
}

/**
 * Whether a token pattern's test (its tokens bounded by the start, the end, whitespace, `_` or `-`) passes on the
 * class and id joined by a space: it does exactly when it passes on the class or the id, since a match cannot cross
 * that space and the space bounds a token as the start and end do. Tested apart, with no joined copy per element.
 */
function matchesClassOrId(test: (value: string) => boolean, attributes: Record<string, string>): boolean {
  const { class: className, id } = attributes;
  return (className !== undefined && test(className)) || (id !== undefined && test(id));
}
const POST_AUTHOR_CLASS =
  /(?:^|[\s_-])(?:author|username|user-?name|poster|byline|usertitle|user-?info)(?:$|[\s_-])/i;
/** Elements looked at inside one candidate post for its date or author. */
const MAX_POST_SCAN = 300;
/** Elements looked at inside one candidate card. */
const MAX_CARD_SCAN = 300;
/** A timestamp in a post header ("2025-11-01 15:14:37", "Nov 1, 2025"). */
const POST_DATE_TEXT = /\b(?:(?:19|20)\d\d-\d\d-\d\d|[A-Z][a-z]{2,8}\.? \d{1,2}, (?:19|20)\d\d)\b/;
/** Buttons and forms that put a product in a cart, in several languages. */
const ADD_TO_CART =
  /\b(?:add to (?:cart|bag|basket|trolley)|buy (?:it )?now|in den warenkorb|ajouter au panier|añadir al carrito|aggiungi al carrello|in winkelwagen|do koszyka)\b/i;
export const ADD_TO_CART_CLASS = /add-?to-?(?:cart|bag|basket)|buy-?now|product-?form|addtocart/i;

/**
 * Whether the class, id, name or form action names a cart control (ADD_TO_CART_CLASS): read one by one, as the four
 * joined by spaces would be (no match holds a space), with no joined copy per link and button.
 */
export function namesCartControl(attributes: Record<string, string>): boolean {
  const { class: className, id, name, action } = attributes;
  return (
    (className !== undefined && ADD_TO_CART_CLASS.test(className)) ||
    (id !== undefined && ADD_TO_CART_CLASS.test(id)) ||
    (name !== undefined && ADD_TO_CART_CLASS.test(name)) ||
    (action !== undefined && ADD_TO_CART_CLASS.test(action))
  );
}
/** A price: a currency sign or code next to a number. */
export const PRICE_TEXT =
  /(?:[$€£¥₹]\s?\d{1,3}(?:[.,\s]\d{3})*(?:[.,]\d{2})?|\d{1,3}(?:[.,\s]\d{3})*(?:[.,]\d{2})?\s?(?:€|EUR|USD|GBP|zł|kr)\b)/;
/** Every price of a text (global, built once rather than per call: see letters.ts). */
export const EVERY_PRICE = new RegExp(PRICE_TEXT.source, 'g');
/** Sidebars, tables of contents and docs navigation. */
const DOC_NAV_CLASS =
  /(?:^|[\s_-])(?:sidebar|sidenav|toc|table-of-contents|docs?-?nav|menu|navigation|tree|bd-sidebar)(?:$|[\s_-])/i;
const ON_THIS_PAGE = /^(?:on this page|in this (?:article|section|page)|contents|table of contents)$/i;
/**
 * Markup that dates a page: <meta> with one of these names (or property="article:published_time"), any element
 * with itemprop="datePublished", <time pubdate>.
 */
const PUBLISHED_DATE_META_NAMES = new Set([
  'article:published_time',
  'date',
  'pubdate',
  'publish-date',
  'parsely-pub-date',
  'sailthru.date',
]);
/** What service and company pages ask their visitors to do, in several languages. */
export const SERVICE_CALLS =
  /\b(?:get (?:a|your) (?:free )?(?:quote|estimate|consultation)|request a (?:quote|demo|consultation|call)|book (?:a|your) (?:call|demo|consultation|appointment)|schedule (?:a|your) (?:call|demo|consultation)|free consultation|contact us today|talk to (?:an expert|sales|us)|our services|why choose us|get in touch|our clients|case studies|testimonials|our team|how it works|what we do|angebot anfordern|kostenlose beratung|demander un devis|solicitar presupuesto)\b/i;
const PAGINATION_CLASS = /(?:^|[\s_-])(?:pagination|pager|page-numbers|load-?more|nav-links)(?:$|[\s_-])/i;
export const PAGINATION_TEXT =
  /\b(?:older posts|newer posts|next page|load more|show more results|view more)\b/i;
export const EDIT_THIS_PAGE =
  /\b(?:edit (?:this page|on github)|was this (?:page|article) helpful|improve this (?:page|doc))\b/i;
/**
 * SERVICE_CALLS, EDIT_THIS_PAGE and PAGINATION_TEXT in one pattern, one capture group each, so the page's text
 * (scripts included, tens of kilobytes) is scanned once instead of three times. It finds what the three find
 * apart because no phrase of one starts with a word of another's phrases: no match can hide another's.
 */
export const BODY_TEXT_PHRASES = new RegExp(
  `\\b(?:${[SERVICE_CALLS, EDIT_THIS_PAGE, PAGINATION_TEXT]
    .map((pattern) => `(${pattern.source.replace(/^\\b\(\?:(.*)\)\\b$/, '$1')})`)
    .join('|')})\\b`,
  'gi',
);

const BODY_TEXT_PHRASE_MAX_CHARS = maxMatchLength(BODY_TEXT_PHRASES);

/** URL path words: weak evidence, one per type at most. */
const URL_WORDS: Array<[PageType, RegExp]> = [
  [
    'forum',
    /\/(?:forums?|threads?|topics?|t|discussions?|questions|community|board|viewtopic)(?:\/|\.php|$)/i,
  ],
  ['product', /\/(?:products?|p|dp|item|itm|shop\/[^/]+\/[^/]+)(?:\/|$)/i],
  ['collection', /\/(?:collections?|categor(?:y|ies)|shop|store|c)(?:\/|$)/i],
  ['listing', /\/(?:tags?|topics?|archives?|page\/\d+|search|authors?|latest|news|blog)\/?$/i],
  ['documentation', /\/(?:docs?|documentation|api|reference|manual|guides?|sdk|developers?|learn)(?:\/|$)/i],
  [
    'service',
    /\/(?:services?|solutions|pricing|about(?:-us)?|contact(?:-us)?|hire|consulting|agency)(?:\/|$)/i,
  ],
];

/** Documentation hosts: docs.example.com, developer.example.com. */
const DOCS_HOST = /^(?:docs?|developers?|devdocs|learn|wiki|manual|api)\./i;

/** Forum addresses (/t/, /threads/, viewtopic.php) are more telling than shop or docs paths. */
const URL_WORD_WEIGHT: Record<PageType, number> = {
  article: 1,
  forum: 2,
  product: 1,
  collection: 1,
  listing: 1,
  documentation: 1,
  service: 1,
};

/** One post's address: a slug of four or more words, or a date in the path. */
const ARTICLE_URL = /\/[^/]*[a-z0-9]+(?:[-_][a-z0-9]+){3,}[^/]*\/?$|\/(?:19|20)\d\d\/[01]?\d\//i;

/** A post under a blog or news section. */
const ARTICLE_PATH =
  /\/(?:blogs?|posts?|articles?|news|stories|story|opinion|features?)\/(?:[^/]+\/)*[^/]{8,}\/?$/i;
/**
 * ... unless its last segment is one plain word: a section of the blog or news site ("/news/technology",
 * "/blog/entertainment"), not a post. A post's address is a slug of several words, an id, or words run together
 * at greater length than a section's name.
 */
const SECTION_NAME = /\/[a-z]{1,15}\/?$/i;

/** Structural thresholds. */
const STRUCTURE = {
  /** Post blocks (repeated, each with a date or author) that make a thread. */
  minPostBlocks: 3,
  /** Post blocks must hold at least this share of the page's prose to be the content, not comments. */
  postShareOfProse: 0.6,
  /** Repeated sibling cards with a link and a heading or image that make a list page. */
  minCards: 6,
  /** Cards shorter than this on average are teasers, not sections. */
  maxCardChars: 400,
  /** Code blocks that mark documentation. */
  minCodeBlocks: 3,
  /** A navigation block with this many links is a docs sidebar or TOC. */
  minDocNavLinks: 15,
  /** Paragraphs at least this long count as prose. */
  proseParagraphChars: 150,
  /** This many prose paragraphs make article-like text. */
  minProseParagraphs: 6,
  longProseParagraphs: 15,
  littleProseParagraphs: 3,
  /**
   * A page of sections (at least this many <h2>) with no mark of a post (no date, no post address, no article
   * type), no more prose than a landing page holds and a call to action: a service or company page.
   */
  minServiceSections: 4,
  maxServiceProseParagraphs: 25,
  /** Prices on the page that suggest a shop page (one product or many). */
  minPrices: 1,
} as const;

export interface PageFeatures {
  jsonLd: Map<PageType, string>;
  jsonLdProductsInList: number;
  ogType?: PageType;
  microdataPosts: number;
  microdataProducts: number;
  postBlocks: number;
  cards: number;
  cardsWithPrice: number;
  codeBlocks: number;
  docNavLinks: number;
  onThisPage: boolean;
  editThisPage: boolean;
  /**
   * Prices in the body's text, counted up to STRUCTURE.minPrices and only where structure:price-and-cart reads them
   * (a cart control and no itemprop price); 0 elsewhere.
   */
  prices: number;
  addToCart: boolean;
  itempropPrice: boolean;
  proseParagraphs: number;
  articleElements: number;
  urlType?: PageType;
  /** Text in those post blocks: in a thread the posts are the page; under an article they are an appendix. */
  postChars: number;
  /** A publication date in meta, JSON-LD or markup: news and blog posts have one, shop and service pages seldom. */
  publishedDate: boolean;
  /** Calls to action of a service page ("get a quote", "book a demo"), distinct phrases. */
  serviceCalls: number;
  /** Pagination or "load more" controls, as on list pages. */
  pagination: boolean;
  /** Cards (see tallyCards) that carry a date: a list of posts. */
  cardsWithDate: number;
  /** Characters in the largest card group, and in prose paragraphs: which one the page is made of. */
  cardChars: number;
  proseChars: number;
  /** The URL's last segment is a long hyphenated slug or the path holds a date: one post's address. */
  urlSlug: boolean;
  /** The path names a post: /blog/…, /news/…, /articles/…. */
  urlPostPath: boolean;
  h2: number;
  /** Characters of the body's text outside scripts, styles and templates (see PageTypeVerdict.textChars). */
  textChars: number;
}

interface SignalRule {
  name: string;
  type: PageType;
  weight: number;
  fires(features: PageFeatures): boolean;
}

/** Every signal and its weight, in one table. Negative weights count against a type. */
export const PAGE_TYPE_SIGNALS: readonly SignalRule[] = [
  // schema.org main entity
  { name: 'jsonld:article', type: 'article', weight: 3, fires: (f) => f.jsonLd.has('article') },
  { name: 'jsonld:forum', type: 'forum', weight: 8, fires: (f) => f.jsonLd.has('forum') },
  { name: 'jsonld:product', type: 'product', weight: 5, fires: (f) => f.jsonLd.has('product') },
  { name: 'jsonld:collection', type: 'collection', weight: 4, fires: (f) => f.jsonLd.has('collection') },
  { name: 'jsonld:item-list', type: 'listing', weight: 3, fires: (f) => f.jsonLd.has('listing') },
  {
    name: 'jsonld:products-in-list',
    type: 'collection',
    weight: 5,
    fires: (f) => f.jsonLdProductsInList >= 3,
  },
  {
    name: 'jsonld:documentation',
    type: 'documentation',
    weight: 5,
    fires: (f) => f.jsonLd.has('documentation'),
  },
  { name: 'jsonld:service', type: 'service', weight: 3, fires: (f) => f.jsonLd.has('service') },
  // Open Graph
  { name: 'og:article', type: 'article', weight: 1, fires: (f) => f.ogType === 'article' },
  { name: 'og:product', type: 'product', weight: 4, fires: (f) => f.ogType === 'product' },
  { name: 'og:product-group', type: 'collection', weight: 5, fires: (f) => f.ogType === 'collection' },
  // dates and prose: what makes an article an article
  { name: 'meta:published-date', type: 'article', weight: 2, fires: (f) => f.publishedDate },
  {
    name: 'structure:prose',
    type: 'article',
    weight: 1,
    fires: (f) => f.proseParagraphs >= STRUCTURE.minProseParagraphs,
  },
  {
    name: 'structure:long-prose',
    type: 'article',
    weight: 1,
    fires: (f) => f.proseParagraphs >= STRUCTURE.longProseParagraphs,
  },
  {
    name: 'structure:little-prose',
    type: 'article',
    weight: -1,
    fires: (f) => f.proseParagraphs < STRUCTURE.littleProseParagraphs,
  },
  // microdata
  { name: 'microdata:posts', type: 'forum', weight: 4, fires: (f) => f.microdataPosts >= 2 },
  { name: 'microdata:product', type: 'product', weight: 2, fires: (f) => f.microdataProducts >= 1 },
  // structure
  {
    name: 'structure:post-blocks',
    type: 'forum',
    weight: 3,
    fires: (f) =>
      f.postBlocks >= STRUCTURE.minPostBlocks && f.postChars >= f.proseChars * STRUCTURE.postShareOfProse,
  },
  {
    name: 'structure:cards',
    type: 'listing',
    weight: 4,
    fires: (f) => f.cards >= STRUCTURE.minCards && f.cardChars > f.proseChars,
  },
  {
    name: 'structure:article-elements',
    type: 'listing',
    weight: 2,
    fires: (f) => f.articleElements >= STRUCTURE.minCards && f.postBlocks < STRUCTURE.minPostBlocks,
  },
  { name: 'structure:pagination', type: 'listing', weight: 1, fires: (f) => f.pagination },
  {
    name: 'structure:priced-cards',
    type: 'collection',
    weight: 4,
    fires: (f) => f.cardsWithPrice >= STRUCTURE.minCards,
  },
  {
    name: 'structure:price-and-cart',
    type: 'product',
    weight: 3,
    fires: (f) => f.addToCart && (f.prices >= STRUCTURE.minPrices || f.itempropPrice),
  },
  {
    name: 'structure:code-blocks',
    type: 'documentation',
    weight: 3,
    fires: (f) => f.codeBlocks >= STRUCTURE.minCodeBlocks,
  },
  {
    name: 'structure:undated-code',
    type: 'documentation',
    weight: 2,
    fires: (f) => f.codeBlocks >= STRUCTURE.minCodeBlocks && !f.publishedDate,
  },
  {
    name: 'structure:on-this-page',
    type: 'documentation',
    weight: 1,
    fires: (f) => f.onThisPage || f.editThisPage,
  },
  {
    name: 'structure:docs-navigation',
    type: 'documentation',
    weight: 2,
    fires: (f) => f.docNavLinks >= STRUCTURE.minDocNavLinks && (f.onThisPage || f.editThisPage),
  },
  { name: 'structure:service-calls', type: 'service', weight: 2, fires: (f) => f.serviceCalls >= 2 },
  { name: 'structure:many-service-calls', type: 'service', weight: 1, fires: (f) => f.serviceCalls >= 4 },
  {
    name: 'structure:undated-sections',
    type: 'service',
    weight: 3,
    fires: (f) =>
      f.serviceCalls >= 1 &&
      f.h2 >= STRUCTURE.minServiceSections &&
      f.proseParagraphs <= STRUCTURE.maxServiceProseParagraphs &&
      !f.publishedDate &&
      !f.urlSlug &&
      !f.urlPostPath &&
      !f.jsonLd.has('article') &&
      f.ogType !== 'article' &&
      f.postBlocks < STRUCTURE.minPostBlocks,
  },
  // URL path words: weak
  { name: 'url:post-slug', type: 'article', weight: 1, fires: (f) => f.urlSlug },
  { name: 'url:post-path', type: 'article', weight: 2, fires: (f) => f.urlPostPath },
  ...(['forum', 'product', 'collection', 'listing', 'documentation', 'service'] as const).map(
    (type): SignalRule => ({
      name: `url:${type}`,
      type,
      weight: URL_WORD_WEIGHT[type],
      fires: (f) => f.urlType === type,
    }),
  ),
];

/** Classifies a parsed page. Read-only: call it before content extraction changes anything. */
export function classifyPageType($: ParsedPage, pageUrl: URL): PageTypeVerdict {
  return judgePageType(pageFeatures($, pageUrl));
}

/** Applies the signal table to a page's features. */
export function judgePageType(features: PageFeatures): PageTypeVerdict {
  const signals: PageTypeSignal[] = [];
  const scores = new Map<PageType, number>(PAGE_TYPES.map((type) => [type, 0]));
  scores.set('article', ARTICLE_PRIOR);
  for (const rule of PAGE_TYPE_SIGNALS) {
    if (!rule.fires(features)) continue;
    signals.push({ name: rule.name, type: rule.type, weight: rule.weight });
    scores.set(rule.type, (scores.get(rule.type) ?? 0) + rule.weight);
  }
  signals.sort((a, b) => b.weight - a.weight);
  return { type: decide(scores), signals, textChars: features.textChars };
}

function decide(scores: Map<PageType, number>): PageType {
  const articleScore = scores.get('article') ?? 0;
  let best: PageType = 'article';
  let bestScore = articleScore;
  for (const type of PAGE_TYPES) {
    if (type === 'article') continue;
    const score = scores.get(type) ?? 0;
    if (score >= MIN_TYPE_SCORE && score > bestScore) {
      best = type;
      bestScore = score;
    }
  }
  return best;
}

// ---------------------------------------------------------------------------------------------------------
// Features

const MAX_JSONLD_SCRIPTS = 50;
const MAX_JSONLD_CHARS = 1_000_000;

export function pageFeatures($: ParsedPage, pageUrl: URL): PageFeatures {
  const root = documentRoot($);
  const features: PageFeatures = {
    jsonLd: new Map(),
    jsonLdProductsInList: 0,
    microdataPosts: 0,
    microdataProducts: 0,
    postBlocks: 0,
    cards: 0,
    cardsWithPrice: 0,
    codeBlocks: 0,
    docNavLinks: 0,
    onThisPage: false,
    editThisPage: false,
    prices: 0,
    addToCart: false,
    itempropPrice: false,
    proseParagraphs: 0,
    articleElements: 0,
    publishedDate: false,
    serviceCalls: 0,
    pagination: false,
    cardsWithDate: 0,
    postChars: 0,
    cardChars: 0,
    proseChars: 0,
    urlSlug: ARTICLE_URL.test(pageUrl.pathname),
    urlPostPath: ARTICLE_PATH.test(pageUrl.pathname) && !SECTION_NAME.test(pageUrl.pathname),
    h2: 0,
    textChars: 0,
    // Set below; here too, so every page's features have one hidden class (see indexPage in metadata-dom.ts).
    ogType: undefined,
    urlType: undefined,
  };
  const parts = documentParts(root);
  // A loop, not map: map's result for no scripts has another hidden class than for some, and the optimized
  // function is thrown away each time a page switches between the two (the literal's allocation site learns).
  const jsonLdTexts: string[] = [];
  for (const script of parts.jsonLdScripts) jsonLdTexts.push(textContent(script));
  readJsonLdTypes(jsonLdTexts.slice(0, MAX_JSONLD_SCRIPTS), features);
  // attributeOf: this read sees only og:type metas, whose attribute sets vary by page; a read of its own would be
  // deoptimized at each new one.
  const og = parts.ogTypeMeta && attributeOf(parts.ogTypeMeta, 'content')?.trim().toLowerCase();
  if (og) features.ogType = OG_TYPES[og];
  features.publishedDate = parts.publishedDateMarkup || jsonLdTexts.join('').includes('"datePublished"');
  features.urlType = DOCS_HOST.test(pageUrl.hostname)
    ? 'documentation'
    : URL_WORDS.find(([, pattern]) => pattern.test(pageUrl.pathname))?.[0];

  const body = findFirst(root, 'body') ?? root;
  const postBlocks = new Set<Element>();
  const cards: CardTally = { cards: 0, withDate: 0, chars: 0, elements: undefined };
  // One walk of the body's elements in document order, skipping SKIPPED_TAGS (the root itself is always read),
  // that lists nothing: each element's features, then its children as cards (tallyCards).
  for (let node: AnyNode | null = body; node !== null; ) {
    if (!isElement(node)) {
      node = nextInOrder(node, body);
      continue;
    }
    const element: Element = node;
    if (element !== body && SKIPPED_TAGS.has(element.name)) {
      node = nextInOrder(element, body, false);
      continue;
    }
    node = nextInOrder(element, body);
    const attributes = element.attribs;
    const itemtype = attributes.itemtype;
    if (itemtype !== undefined) {
      const kind = itemtype.replace(/^.*\//, '').toLowerCase();
      if (MICRODATA_POST_TYPES.has(kind)) features.microdataPosts++;
      if (MICRODATA_PRODUCT_TYPES.has(kind)) features.microdataProducts++;
    }
    if (attributes.itemprop === 'price' || attributes.itemprop === 'lowPrice') features.itempropPrice = true;
    const name = element.name;
    if (
      attributes.rel === 'next' ||
      (attributes.class !== undefined && PAGINATION_CLASS.test(attributes.class))
    ) {
      features.pagination = true;
    }
    if (name === 'h2') features.h2++;
    if (name === 'pre') features.codeBlocks++;
    else if (name === 'article') features.articleElements++;
    else if (name === 'p') {
      const length = joinedTextLength(element);
      if (length >= STRUCTURE.proseParagraphChars) {
        features.proseParagraphs++;
        features.proseChars += length;
      }
    } else if (name === 'button' || name === 'form' || name === 'a' || name === 'input') {
      if (!features.addToCart) {
        const label = name === 'input' ? (attributes.value ?? '') : leadingText(element);
        if (ADD_TO_CART.test(label) || namesCartControl(attributes)) features.addToCart = true;
      }
    } else if (SUBHEADING_TAGS.has(name) && !features.onThisPage) {
      if (ON_THIS_PAGE.test(leadingText(element).trim())) features.onThisPage = true;
    }
    if (hasShortClasses(attributes)) {
      // Wrappers and inner parts match too; siblingPosts keeps the largest group of siblings, the posts.
      if (matchesClassOrId(isPostClass, attributes) && hasPostMarkers(element)) {
        postBlocks.add(element);
      }
      if (name === 'nav' || matchesClassOrId(isDocNavClass, attributes)) {
        features.docNavLinks = Math.max(features.docNavLinks, countLinks(element));
      }
    }
    tallyCards(element, body, cards);
  }
  const thread = siblingPosts(postBlocks);
  features.postBlocks = thread.posts;
  features.postChars = thread.chars;
  // A body inside a body is read once per body, as bodyTexts reads them; the shared walk read it once.
  const { texts, readableChars } = parts.nestedBodies ? bodyTexts(parts.bodies) : parts;
  features.textChars = readableChars;
  const phrases = bodyTextPhrases(texts);
  features.editThisPage = phrases.editThisPage;
  // Counted only where structure:price-and-cart reads it: with a cart control and no itemprop price (a few pages).
  if (features.addToCart && !features.itempropPrice)
    features.prices = countMatches(texts.join(''), EVERY_PRICE, STRUCTURE.minPrices);
  features.serviceCalls = phrases.serviceCalls;
  if (!features.pagination) features.pagination = phrases.pagination;
  features.cards = cards.cards;
  features.cardsWithPrice = cardsWithPrice(cards);
  features.cardsWithDate = cards.withDate;
  features.cardChars = cards.chars;
  return features;
}

/**
 * The text nodes of the bodies, whose text joined is what textContent gives (scripts included: prices and calls to
 * action are read in it), and in the same walk the characters of the text outside scripts, styles and templates.
 */
function bodyTexts(bodies: Element[]): { texts: string[]; readableChars: number } {
  const parts: string[] = [];
  let readableChars = 0;
  // Filled by a loop, not spread and map, for one hidden class whatever the count (see jsonLdTexts above).
  const stack: AnyNode[] = [];
  const inCode: boolean[] = [];
  for (let i = bodies.length - 1; i >= 0; i--) {
    stack.push(bodies[i]!);
    inCode.push(false);
  }
  while (stack.length > 0) {
    const node = stack.pop()!;
    const code = inCode.pop()!;
    if (node.type === 'text') {
      const data = (node as unknown as { data: string }).data;
      parts.push(data);
      if (!code) readableChars += visibleLength(data) + 1;
    } else if (node.type !== 'comment' && hasChildren(node)) {
      const childCode = code || (isElement(node) && NOT_READ_TAGS.has(node.name));
      const children = node.children;
      for (let i = children.length - 1; i >= 0; i--) {
        stack.push(children[i]!);
        inCode.push(childCode);
      }
    }
  }
  return { texts: parts, readableChars };
}

const NOT_READ_TAGS = new Set(['script', 'style', 'template']);

// <noscript> stays: some forums serve their posts there to readers without JavaScript.
const SKIPPED_TAGS = new Set(['script', 'style', 'template', 'svg', 'head']);

/**
 * What the features read outside the body walk, found in one walk of the whole document (as the selectors
 * meta[property="og:type"], script[type="application/ld+json"], body and the published-date markup would find
 * them, each of which walks the whole tree again).
 */
interface DocumentParts {
  ogTypeMeta?: Element;
  publishedDateMarkup: boolean;
  jsonLdScripts: Element[];
  bodies: Element[];
  /** What bodyTexts(bodies) gives, read in the same walk, unless a body lies inside another (nestedBodies). */
  texts: string[];
  readableChars: number;
  nestedBodies: boolean;
}

/** Where a node lies, for the walk of documentParts: inside a body, and inside a NOT_READ_TAGS element there. */
const IN_BODY = 1;
const IN_CODE = 2;

function documentParts(root: AnyNode): DocumentParts {
  const parts: DocumentParts = {
    ogTypeMeta: undefined,
    publishedDateMarkup: false,
    jsonLdScripts: [],
    bodies: [],
    texts: [],
    readableChars: 0,
    nestedBodies: false,
  };
  const texts = parts.texts;
  let readableChars = 0;
  // Every node in document order with where it lies (IN_BODY, IN_CODE): the elements for the parts, the bodies'
  // text nodes for bodyTexts. A stack, as bodyTexts keeps one, since a node's place is its parent's place.
  const stack: AnyNode[] = [root];
  const places: number[] = [0];
  while (stack.length > 0) {
    const node = stack.pop()!;
    let place = places.pop()!;
    if (node.type === 'text') {
      if ((place & IN_BODY) !== 0) {
        const data = (node as unknown as { data: string }).data;
        texts.push(data);
        if ((place & IN_CODE) === 0) readableChars += visibleLength(data) + 1;
      }
      continue;
    }
    if (node.type === 'comment' || !hasChildren(node)) continue;
    if (isElement(node)) {
      const attributes = node.attribs;
      switch (node.name) {
        case 'meta':
          if (parts.ogTypeMeta === undefined && attributes.property === 'og:type') parts.ogTypeMeta = node;
          if (
            attributes.property === 'article:published_time' ||
            (attributes.name !== undefined && PUBLISHED_DATE_META_NAMES.has(attributes.name))
          ) {
            parts.publishedDateMarkup = true;
          }
          break;
        case 'script':
          // The type attribute's value is matched case-insensitively in HTML, as a selector would.
          if (attributes.type?.toLowerCase() === 'application/ld+json') parts.jsonLdScripts.push(node);
          break;
        case 'body':
          parts.bodies.push(node);
          if ((place & IN_BODY) !== 0) parts.nestedBodies = true;
          // bodyTexts reads each body from its top, outside code whatever holds it.
          place = IN_BODY;
          break;
        case 'time':
          if (attributes.pubdate !== undefined) parts.publishedDateMarkup = true;
          break;
      }
      if (attributes.itemprop === 'datePublished') parts.publishedDateMarkup = true;
      if (NOT_READ_TAGS.has(node.name)) place |= IN_CODE;
    }
    const children = node.children;
    for (let i = children.length - 1; i >= 0; i--) {
      stack.push(children[i]!);
      places.push(place);
    }
  }
  parts.readableChars = readableChars;
  return parts;
}

function readJsonLdTypes(texts: string[], features: PageFeatures): void {
  const mainNodes: JsonLdNode[] = [];
  for (const text of texts) {
    if (text.length > MAX_JSONLD_CHARS) continue;
    const parsed = parseJson(text);
    for (const node of arrayOf(parsed)) collectMainNodes(node, mainNodes, 0);
  }
  for (const node of mainNodes) {
    for (const type of nodeTypes(node)) {
      for (const [group, members] of Object.entries(JSONLD_TYPE_GROUPS)) {
        if (members.has(type) && !features.jsonLd.has(group as PageType))
          features.jsonLd.set(group as PageType, type);
      }
    }
    // An ItemList (or a CollectionPage's list) of products is a shop category.
    const list =
      node.itemListElement ?? (isJsonLdNode(node.mainEntity) ? node.mainEntity.itemListElement : undefined);
    if (Array.isArray(list)) {
      features.jsonLdProductsInList += list.filter((item) => {
        const entry = isJsonLdNode(item) && isJsonLdNode(item.item) ? item.item : item;
        return isJsonLdNode(entry) && nodeTypes(entry).some((type) => JSONLD_TYPE_GROUPS.product!.has(type));
      }).length;
    }
  }
}

/** Top-level nodes, @graph members and a page's mainEntity: the things the page is about. */
function collectMainNodes(value: unknown, out: JsonLdNode[], depth: number): void {
  if (depth > 3 || out.length > 200 || !isJsonLdNode(value)) return;
  if (value['@type'] !== undefined) out.push(value);
  for (const child of arrayOf(value['@graph'])) collectMainNodes(child, out, depth + 1);
  const types = nodeTypes(value);
  if (types.some((type) => type.endsWith('page'))) {
    for (const child of arrayOf(value.mainEntity)) collectMainNodes(child, out, depth + 1);
  }
}

function parseJson(text: string): unknown {
  const stripped = text.replace(/^\s*(?:<!--|<!\[CDATA\[)/, '').replace(/(?:-->|\]\]>)\s*$/, '');
  try {
    return JSON.parse(stripped);
  } catch {
    try {
      return JSON.parse(stripped.replace(/[\u0000-\u001f]+/g, ' '));
    } catch {
      return undefined;
    }
  }
}

function arrayOf(value: unknown): unknown[] {
  if (value === undefined || value === null) return [];
  return Array.isArray(value) ? value : [value];
}

/** A post has a date or an author marker inside it. */
function hasPostMarkers(element: Element): boolean {
  let scanned = 0;
  for (
    let node: AnyNode | null = element;
    node !== null && scanned < MAX_POST_SCAN;
    node = nextInOrder(node, element)
  ) {
    if (!isElement(node)) continue;
    scanned++;
    const inner: Element = node;
    const attributes = inner.attribs;
    if (inner.name === 'time' || attributes.datetime !== undefined) return true;
    if (attributes.itemprop === 'author' || attributes.rel === 'author') return true;
    const classes = attributes.class ?? '';
    if (classes.length < 200 && POST_AUTHOR_CLASS.test(classes)) return true;
    if (inner.name === 'dt' || inner.name === 'h2' || inner.name === 'h3') {
      if (POST_DATE_TEXT.test(leadingText(inner))) return true;
    }
  }
  return false;
}

/**
 * The posts of a thread: the largest group of sibling blocks that look like posts (a post class or a
 * Comment/Answer/DiscussionForumPosting itemtype, with a date or an author inside). Empty when there is none.
 */
export function findThreadPosts(body: AnyNode): Element[] {
  const candidates: Element[] = [];
  for (const element of elementsInOrder(body, (inner) => SKIPPED_TAGS.has(inner.name))) {
    if (isPostBlock(element) && hasPostMarkers(element)) candidates.push(element);
  }
  const byParent = new Map<AnyNode | null, Element[]>();
  const posts = new Set(candidates);
  for (const post of candidates) {
    const parent = listOfPost(post, posts);
    const group = byParent.get(parent) ?? [];
    group.push(post);
    byParent.set(parent, group);
  }
  let best: Element[] = [];
  for (const group of byParent.values()) if (group.length > best.length) best = group;
  return best;
}

/**
 * The element that lists a post beside the others: its parent, or, when the post is the only part with text of
 * its parent (a list item around it, an empty anchor beside it), the parent of that wrapper. A wrapper that is
 * itself one of the `posts` is a post: the part inside it stays apart (alone in its parent), not beside the posts.
 */
function listOfPost(post: Element, posts: ReadonlySet<Element>): AnyNode | null {
  const parent = post.parent;
  if (!parent || !isElement(parent) || parent.name === 'body' || posts.has(parent)) return parent;
  const alone = parent.children.every(
    (child) =>
      child === post ||
      visibleLength(
        child.type === 'text' ? (child as unknown as { data: string }).data : textContent(child),
      ) === 0,
  );
  return alone ? parent.parent : parent;
}

/** The largest group of post blocks sharing one parent (a thread repeats its posts side by side), and its text. */
function siblingPosts(posts: Set<Element>): { posts: number; chars: number } {
  const byParent = new Map<AnyNode | null, Element[]>();
  for (const post of posts) {
    const group = byParent.get(post.parent) ?? [];
    group.push(post);
    byParent.set(post.parent, group);
  }
  let best = { posts: 0, chars: 0 };
  for (const group of byParent.values()) {
    if (group.length > best.posts) {
      best = { posts: group.length, chars: group.reduce((sum, post) => sum + joinedTextLength(post), 0) };
    }
  }
  return best;
}

function countLinks(element: Element): number {
  let links = 0;
  for (let node: AnyNode | null = element; node !== null; node = nextInOrder(node, element)) {
    if (isElement(node) && node.name === 'a') links++;
  }
  return links;
}

/** The first ~200 characters of an element's text: enough for a label or a date. */
function leadingText(element: Element): string {
  let text = '';
  const stack: AnyNode[] = [element];
  while (stack.length > 0 && text.length < 200) {
    const node = stack.pop()!;
    if (node.type === 'text') text += (node as unknown as { data: string }).data;
    else if (hasChildren(node))
      for (let i = node.children.length - 1; i >= 0; i--) stack.push(node.children[i]!);
  }
  return text;
}

/**
 * The distinct service calls in the text the parts make together (lower-cased), and whether it holds an "edit this
 * page" or a pagination phrase: what SERVICE_CALLS (every match), EDIT_THIS_PAGE and PAGINATION_TEXT (any match)
 * find, in one scan, without joining the parts (see forEachMatchInParts).
 */
export function bodyTextPhrases(parts: readonly string[]): {
  serviceCalls: number;
  editThisPage: boolean;
  pagination: boolean;
} {
  const calls = new Set<string>();
  let editThisPage = false;
  let pagination = false;
  forEachMatchInParts(parts, BODY_TEXT_PHRASES, BODY_TEXT_PHRASE_MAX_CHARS, (match) => {
    if (match[1] !== undefined) calls.add(match[0].toLowerCase());
    else if (match[2] !== undefined) editThisPage = true;
    else pagination = true;
  });
  return { serviceCalls: calls.size, editThisPage, pagination };
}

/** Matches of a global pattern in the text, counted up to the cap. */
function countMatches(text: string, global: RegExp, cap: number): number {
  global.lastIndex = 0;
  let count = 0;
  while (count < cap && global.exec(text) !== null) count++;
  global.lastIndex = 0;
  return count;
}

/**
 * The collapsed-whitespace length (visibleLength) of an element's text nodes joined by single spaces, outside
 * SKIPPED_TAGS (the element itself too), counted as the walk reads them, with no joined copy.
 */
export function joinedTextLength(element: Element): number {
  let length = 0;
  let pendingSpace = false;
  let first = true;
  for (let node: AnyNode | null = element; node !== null; ) {
    if (isElement(node) && SKIPPED_TAGS.has(node.name)) {
      node = nextInOrder(node, element, false);
      continue;
    }
    if (node.type === 'text') {
      const text = (node as unknown as { data: string }).data;
      // The space that joins this text to the one before.
      if (!first) pendingSpace = length > 0;
      first = false;
      // visibleLength's loop, carried across texts (see the note above it in content-dom.ts).
      for (let i = 0, end = text.length; i < end; i++) {
        const code = String.prototype.charCodeAt.call(text, i);
        if (code === 32 || code === 10 || code === 9 || code === 13 || code === 12 || code === 160) {
          pendingSpace = length > 0;
        } else {
          if (pendingSpace) length++;
          pendingSpace = false;
          length++;
        }
      }
    }
    node = nextInOrder(node, element);
  }
  return length;
}

/** The largest card group found so far (see tallyCards), its cards kept to count their prices at the end. */
interface CardTally {
  cards: number;
  withDate: number;
  chars: number;
  elements: Element[] | undefined;
}

/**
 * Repeated teaser cards, one parent at a time as the body walk reaches it: the largest group of sibling elements
 * with the same tag and class (childrenByShape), each holding a link and a heading or an image, each short, outside
 * <nav> (menus are links without headings or images, and a nav's are never cards). Parents come in document order,
 * and a later group replaces the tally only with more cards.
 */
function tallyCards(parent: Element, body: AnyNode, best: CardTally): void {
  // Counted before anything is built: most elements have a handful of children.
  let possibleCards = 0;
  for (const child of parent.children) if (isElement(child) && mayHoldCard(child)) possibleCards++;
  // No group has more cards than that: one that cannot beat the tally is not built.
  if (possibleCards < STRUCTURE.minCards || possibleCards <= best.cards || insideNav(parent, body)) return;
  for (const group of childrenByShape(parent).values()) {
    if (group.length < STRUCTURE.minCards || group.length <= best.cards) continue;
    let cards = 0;
    let withDate = 0;
    let chars = 0;
    for (const child of group) {
      const shape = cardShape(child);
      if ((shape & CARD) === 0) continue;
      cards++;
      chars += joinedTextLength(child);
      withDate += (shape & DATED) === 0 ? 0 : 1;
    }
    if (cards >= STRUCTURE.minCards && cards > best.cards && chars / cards <= STRUCTURE.maxCardChars) {
      best.cards = cards;
      best.withDate = withDate;
      best.chars = chars;
      best.elements = group;
    }
  }
}

/**
 * Whether an element could be a card (cardShape): a card holds a link and a heading or an image, two elements, so
 * at least one lies below it: it has an element child (or a CDATA section around one), not only text and comments.
 */
function mayHoldCard(element: Element): boolean {
  for (const child of element.children) if (hasChildren(child)) return true;
  return false;
}

/** Whether the element or an ancestor below `body` is a <nav>. */
function insideNav(element: Element, body: AnyNode): boolean {
  for (let node: AnyNode | null = element; node !== null && node !== body; node = node.parent) {
    if (isElement(node) && node.name === 'nav') return true;
  }
  return false;
}

/** Cards of the largest group with a price: read for that group only, once the walk has chosen it. */
function cardsWithPrice(tally: CardTally): number {
  let withPrice = 0;
  for (const element of tally.elements ?? []) {
    if ((cardShape(element) & CARD) !== 0 && hasPriceText(element)) withPrice++;
  }
  return withPrice;
}

const SUBHEADING_TAGS = new Set(['h2', 'h3', 'h4', 'h5', 'h6']);
const CARD = 1;
const DATED = 2;

/** A card (CARD) holds a link and a heading or an image, and a dated one (DATED) a <time> or datetime attribute too. */
function cardShape(element: Element): number {
  let date = false;
  let link = false;
  let headingOrImage = false;
  let scanned = 0;
  for (
    let node: AnyNode | null = element;
    node !== null && scanned < MAX_CARD_SCAN;
    node = nextInOrder(node, element)
  ) {
    if (!isElement(node)) continue;
    scanned++;
    const name = node.name;
    if (name === 'a' && node.attribs.href) link = true;
    else if (name === 'img' || name === 'picture' || SUBHEADING_TAGS.has(name)) headingOrImage = true;
    else if (name === 'time' || node.attribs.datetime !== undefined) date = true;
  }
  return (link && headingOrImage ? CARD : 0) | (date ? DATED : 0);
}

/** Whether a text node among the card's first MAX_CARD_SCAN elements' children holds a price. */
function hasPriceText(element: Element): boolean {
  let scanned = 0;
  for (
    let node: AnyNode | null = element;
    node !== null && scanned < MAX_CARD_SCAN;
    node = nextInOrder(node, element)
  ) {
    if (!isElement(node)) continue;
    scanned++;
    for (const child of node.children) {
      if (child.type === 'text' && PRICE_TEXT.test((child as unknown as { data: string }).data)) return true;
    }
  }
  return false;
}
