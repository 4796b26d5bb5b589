// extract(): one article page (bytes or text + URL) in, one validated Article (or a typed error) out.
// Order matters: metadata is read before content extraction, because extractContent mutates the DOM.
import type { Element } from 'domhandler';
import { DomHandler, Parser } from 'htmlparser2';
import { ARTICLE_SCHEMA_VERSION, Article } from '../article.ts';
import { err, ok, PipelineError, type Result, toPipelineError } from '../errors.ts';
import { sha256Hex } from '../hash.ts';
import { articleIdForUrl, canonicalizeUrl, parseHttpUrl } from '../url.ts';
import { extractContent } from './content.ts';
import type { ParsedPage } from './content-dom.ts';
import { decodeHtml, utf8Pieces } from './decode.ts';
import { SKIPPING_TOKENIZER } from './html-tokenizer.ts';
import { extractMetadata } from './metadata.ts';
import { classifyPageType, type PageTypeVerdict } from './page-type.ts';
import { extractByPageType } from './page-types/index.ts';
import { titleFromOpening } from './text.ts';

export { decodeHtml, decodeHtmlDetailed } from './decode.ts';
export { type ExtractedMetadata, extractMetadata } from './metadata.ts';
export { classifyPageType, type PageTypeVerdict } from './page-type.ts';

/** Stored with every article, so articles can be re-extracted when the extractor improves. */
export const EXTRACTOR = { name: 'article-pipeline', version: '1.15.0' } as const;

/** Input bigger than this is refused before it is even decoded. */
export const MAX_INPUT_BYTES = 64 * 1024 * 1024;
/** Above this many characters, scripts, styles, SVG, comments and inline data URIs are dropped before parsing. */
export const SOFT_HTML_CHARS = 2 * 1024 * 1024;
/** Documents still bigger than this after that are refused: parsing them would take seconds and ~1 GB. */
export const MAX_HTML_CHARS = 5 * 1024 * 1024;
/** Elements nested deeper than this are unwrapped (browsers cap nesting too; parsers go quadratic beyond). */
export const MAX_NESTING_DEPTH = 256;
/**
 * Pages with more elements than this are refused. Extraction walks the tree about fifteen times, so time follows
 * the element count: 5 MB of tiny nested tags holds ~400,000 (tens of seconds of CPU), while the largest of the
 * 2,248 benchmark pages holds 15,797.
 */
export const MAX_ELEMENTS = 150_000;

export interface ExtractInput {
  html: string | Uint8Array;
  /** The URL the page was fetched from (sourceUrl); relative links resolve against it. */
  url: string;
  /** The HTTP Content-Type header, for its charset. */
  contentType?: string;
  /** extractedAt, and the reference for rejecting future dates. Defaults to now; never a publication date. */
  now?: Date;
}

/** Extracts one article. Never throws: every failure is a PipelineError with a stable code. */
export function extract(input: ExtractInput): Result<Article, PipelineError> {
  try {
    return extractOrThrow(input);
  } catch (error) {
    return err(toPipelineError(error, 'INTERNAL'));
  }
}

function extractOrThrow(input: ExtractInput): Result<Article, PipelineError> {
  const now = input.now ?? new Date();
  const pageUrl = parseHttpUrl(String(input.url));
  if (typeof input.html !== 'string' && !(input.html instanceof Uint8Array)) {
    return err(
      new PipelineError(
        'BAD_REQUEST',
        `html must be a string or bytes (Uint8Array), got ${typeName(input.html)}`,
        {
          url: pageUrl.href,
          retryable: false,
        },
      ),
    );
  }
  const size = typeof input.html === 'string' ? input.html.length : input.html.byteLength;
  if (size > MAX_INPUT_BYTES) {
    return err(tooLarge(`page is ${size} bytes; the limit is ${MAX_INPUT_BYTES}`, size, MAX_INPUT_BYTES));
  }
  let page: ReturnType<typeof utf8Pieces>;
  try {
    page = typeof input.html === 'string' ? undefined : utf8Pieces(input.html, input.contentType);
  } catch (error) {
    return err(decodeFailed(error));
  }
  // The common case, a UTF-8 page of ordinary size and nesting, is parsed from pieces (utf8Pieces says why). A page
  // these checks would change is decoded whole below.
  if (page !== undefined && page.length <= SOFT_HTML_CHARS) {
    let pieces: string[];
    try {
      pieces = page.pieces();
    } catch (error) {
      return err(decodeFailed(error));
    }
    const markup = { elements: 0 };
    if (!hasUnclosedCdata(pieces) && limitNestingOf(pieces, MAX_NESTING_DEPTH, markup) === undefined) {
      if (markup.elements > MAX_ELEMENTS) return err(tooManyElements(markup.elements));
      return extractParsed(parseHtmlPieces(pieces), pageUrl, now);
    }
  }
  let html: string;
  try {
    html = decodeHtml(input.html, input.contentType);
  } catch (error) {
    return err(decodeFailed(error));
  }
  if (html.length > SOFT_HTML_CHARS) html = dropNonContentMarkup(html);
  if (html.length > MAX_HTML_CHARS) {
    return err(
      tooLarge(
        `page has ${html.length} characters of markup after removing scripts and styles; the limit is ${MAX_HTML_CHARS}`,
        html.length,
        MAX_HTML_CHARS,
      ),
    );
  }
  const markup = { elements: 0 };
  const limited = limitNesting(closeUnclosedCdata(html), MAX_NESTING_DEPTH, markup);
  if (markup.elements > MAX_ELEMENTS) return err(tooManyElements(markup.elements));
  return extractParsed(parseHtml(limited), pageUrl, now);
}

function extractParsed($: ParsedPage, pageUrl: URL, now: Date): Result<Article, PipelineError> {
  try {
    return articleOf($, pageUrl, now);
  } finally {
    releaseTree($);
  }
}

/**
 * Cuts the parsed tree loose from the document once the Article is made, so that whatever outlives the call and
 * still points at the document does not keep the page's tree alive through young-generation collections (as
 * cheerio's per-page class did while extract() loaded pages with cheerio).
 */
function releaseTree(page: ParsedPage): void {
  page._root.children = [];
}

function articleOf($: ParsedPage, pageUrl: URL, now: Date): Result<Article, PipelineError> {
  const metadata = extractMetadata($, pageUrl, { now });
  // Read-only, so before content extraction, which marks and prunes the tree.
  const pageType = classifyPageType($, pageUrl);
  const contentOptions = { pageUrl, title: metadata.title };
  const content = extractByPageType(pageType, $, contentOptions, () => extractContent($, contentOptions));
  if (content === undefined || content.text.trim() === '') {
    return err(
      new PipelineError('NO_ARTICLE', 'no article found: the page has no main text content', {
        url: pageUrl.href,
      }),
    );
  }
  // Without a declared title or a headline, prose still makes an article, titled by its opening sentence.
  const openingTitle = metadata.title === undefined ? titleFromOpening(content.text) : undefined;
  const title = metadata.title ?? openingTitle;
  if (title === undefined) {
    return err(
      new PipelineError('NO_ARTICLE', 'no article found: the page has no title or headline', {
        url: pageUrl.href,
      }),
    );
  }

  const url = metadata.canonicalUrl ?? canonicalizeUrl(pageUrl.href);
  const sources = { ...metadata.sources };
  if (metadata.canonicalUrl === undefined) sources.url = 'url';
  if (openingTitle !== undefined) sources.title = 'text';
  const candidate = {
    schemaVersion: ARTICLE_SCHEMA_VERSION,
    id: articleIdForUrl(url),
    url,
    sourceUrl: pageUrl.href,
    site: {
      domain: new URL(url).hostname.replace(/^www\./, ''),
      ...(metadata.siteName !== undefined && { name: metadata.siteName }),
    },
    title,
    ...(metadata.description !== undefined && { description: metadata.description }),
    authors: metadata.authors,
    ...(metadata.publishedAt !== undefined && { publishedAt: metadata.publishedAt }),
    ...(metadata.modifiedAt !== undefined && { modifiedAt: metadata.modifiedAt }),
    ...(metadata.language !== undefined && { language: metadata.language }),
    ...(metadata.direction !== undefined && { direction: metadata.direction }),
    ...(metadata.section !== undefined && { section: metadata.section }),
    tags: metadata.tags,
    ...(metadata.image !== undefined && { image: metadata.image }),
    pageType: pageType.type,
    pageTypeSignals: evidenceFor(pageType),
    // Removed elements leave their line breaks at the edges; consumers embed the fragment as it is.
    content: { html: content.html.trim(), text: content.text, wordCount: content.wordCount },
    contentHash: sha256Hex(content.text),
    extractedAt: now.toISOString(),
    metadataSources: sources,
    extractor: { ...EXTRACTOR },
  };
  const parsed = Article.safeParse(candidate);
  if (!parsed.success) {
    const issues = parsed.error.issues
      .slice(0, 5)
      .map((issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`)
      .join('; ');
    return err(
      new PipelineError('SCHEMA_VIOLATION', `extracted article does not match the schema: ${issues}`, {
        url: pageUrl.href,
      }),
    );
  }
  return ok(parsed.data);
}

/** The signals that speak for the chosen type: what a consumer needs to see why the page was filed so. */
function evidenceFor(verdict: PageTypeVerdict): string[] {
  return verdict.signals
    .filter((signal) => signal.type === verdict.type && signal.weight > 0)
    .map((signal) => signal.name);
}

function typeName(value: unknown): string {
  if (value === null) return 'null';
  return typeof value === 'object' ? (value.constructor?.name ?? 'object') : typeof value;
}

function tooLarge(message: string, size: number, limit: number): PipelineError {
  return new PipelineError('INPUT_TOO_LARGE', message, { size, limit, retryable: false });
}

function decodeFailed(error: unknown): PipelineError {
  return new PipelineError(
    'DECODE_FAILED',
    `could not decode the page: ${String(error)}`,
    {},
    { cause: error },
  );
}

function tooManyElements(elements: number): PipelineError {
  return tooLarge(
    `page has ${elements} elements; the limit is ${MAX_ELEMENTS} (the largest real pages have about 16,000)`,
    elements,
    MAX_ELEMENTS,
  );
}

/** htmlparser2's options as cheerio/slim's load would pass them, with a tokenizer that skips what it need not read. */
const PARSER_OPTIONS = { xmlMode: false, decodeEntities: true, Tokenizer: SKIPPING_TOKENIZER };

/** Parses with htmlparser2 (cheerio/slim's parser: several times faster than parse5 here, and parse5 stays out of bundles). */
export function parseHtml(html: string): ParsedPage {
  return parseHtmlPieces([html]);
}

/** parseHtml(pieces.join('')), the pieces read as a stream (htmlparser2 keeps a tag, text or entity cut between two). */
export function parseHtmlPieces(pieces: string[]): ParsedPage {
  const handler = new DomHandler(undefined, PARSER_OPTIONS, fitChildren);
  const parser = new Parser(handler, PARSER_OPTIONS);
  for (const piece of pieces) parser.write(piece);
  parser.end();
  return { _root: handler.root };
}

/**
 * Called by DomHandler as each element closes, when no child can be added any more: its children array is copied to
 * one of exactly its length. The array grew by push, and V8's first growth of an empty array makes room for 16; the
 * tree lives through the whole extraction and is copied by the young generation's collections, so the slack (~1/9 of
 * a parsed page's memory) was copied and promoted with it.
 */
function fitChildren(element: Element): void {
  if (element.children.length > 0) element.children = element.children.slice();
}

/**
 * Removes markup that never holds article text from very large pages: scripts (except JSON-LD), styles, SVG,
 * comments and inline data: URIs. Linear regular expressions only, so a hostile page cannot make this slow.
 */
export function dropNonContentMarkup(html: string): string {
  return html
    .replace(/<!--[\s\S]*?-->/g, '')
    .replace(/<script\b([^>]*)>[\s\S]*?<\/script\s*>/gi, (whole, attributes: string) =>
      /ld\+json/i.test(attributes) ? whole : '',
    )
    .replace(/<style\b[^>]*>[\s\S]*?<\/style\s*>/gi, '')
    .replace(/<svg\b[^>]*>[\s\S]*?<\/svg\s*>/gi, '')
    .replace(/data:[a-z]+\/[a-z0-9.+-]+;base64,[a-z0-9+/=\s]{256,}/gi, '');
}

/**
 * A `<![CDATA[` left unclosed in an HTML page (a template's leftover) hides everything after it: htmlparser2
 * reads a CDATA section up to `]]>`, where browsers end it at the next `>`. With no `]]>` after the last one,
 * that opener is dropped, so the rest of the page is read as a browser shows it.
 */
export function closeUnclosedCdata(html: string): string {
  if (!hasUnclosedCdata([html])) return html;
  const opener = html.lastIndexOf(CDATA_OPENER);
  return html.slice(0, opener) + html.slice(opener + CDATA_OPENER.length);
}

const CDATA_OPENER = '<![CDATA[';

/**
 * Whether closeUnclosedCdata would change the text the pieces make together, each piece but the first starting at a
 * "<": neither "<![CDATA[" nor "]]>" holds a "<" after its first character, so each is found within one piece.
 */
export function hasUnclosedCdata(pieces: readonly string[]): boolean {
  // includes first: nearly no page has one, and lastIndexOf scans a two-byte string without a fast path.
  let last = -1;
  for (let index = 0; index < pieces.length; index++) if (pieces[index]!.includes(CDATA_OPENER)) last = index;
  if (last === -1) return false;
  if (pieces[last]!.includes(']]>', pieces[last]!.lastIndexOf(CDATA_OPENER))) return false;
  for (let index = last + 1; index < pieces.length; index++) if (pieces[index]!.includes(']]>')) return false;
  return true;
}

/** Tag names this long or shorter have a number as their key (39^10 < 2^53); longer ones, their lower-case text. */
const NUMBERED_NAME_MAX = 10;

/** Elements whose end tag is optional: they do not reliably close, so they do not count towards depth. */
const OPTIONAL_END_OR_VOID = new Set<number | string>(
  [
    'p',
    'li',
    'dt',
    'dd',
    'option',
    'optgroup',
    'tr',
    'td',
    'th',
    'thead',
    'tbody',
    'tfoot',
    'colgroup',
    'caption',
    'rb',
    'rt',
    'rp',
    'html',
    'head',
    'body',
    'area',
    'base',
    'br',
    'col',
    'embed',
    'hr',
    'img',
    'input',
    'link',
    'meta',
    'source',
    'track',
    'wbr',
    'param',
    'keygen',
    'command',
    'basefont',
    'frame',
  ].map(nameKey),
);
const RAW_TEXT = ['script', 'style', 'textarea', 'title', 'xmp', 'noembed', 'noframes', 'plaintext'];
/** The raw-text elements by name key, each with its name, which the search for its end tag needs. */
const RAW_TEXT_BY_KEY = new Map(RAW_TEXT.map((name) => [nameKey(name), name]));
const SVG = nameKey('svg');
const MATH = nameKey('math');

/**
 * Drops start and end tags nested deeper than `maxDepth` (their text stays, one level up). One linear pass;
 * the input comes back unchanged when it is not that deep, which is nearly always. `counted.elements` receives
 * the number of start tags seen, so the caller can refuse a page too big to extract without a second pass.
 */
export function limitNesting(html: string, maxDepth: number, counted?: { elements: number }): string {
  return limitNestingOf([html], maxDepth, counted) ?? html;
}

/**
 * limitNesting of the text the pieces make together, each piece but the first starting at a "<" (as utf8Pieces cuts
 * them): undefined when that text is not too deep, else the text with the too-deep tags dropped. No tag holds a "<",
 * so a tag is always within one piece; only the raw text of a script or style runs on from one piece to the next.
 */
export function limitNestingOf(
  pieces: readonly string[],
  maxDepth: number,
  counted?: { elements: number },
): string | undefined {
  let elements = 0;
  let depth = 0;
  // Inside <svg> or <math>, "/>" closes an element; elsewhere HTML ignores it and "<x/>" is a start tag.
  let foreignDepth = 0;
  let tooDeep = false;
  const dropped = new Map<number | string, number>();
  const kept: string[] = [];
  // The raw-text element whose end tag is still to be found in the pieces to come, if any.
  let rawTextOpen: string | undefined;
  const ahead: Lookahead = { greater: -2, less: -2 };
  // One tag record, refilled for each tag: the walk allocates nothing per tag but the rare copies below.
  const tag: TagAt = { start: 0, end: 0, closing: false, nameStart: 0, nameEnd: 0 };
  for (let index = 0; index < pieces.length; index++) {
    const html = pieces[index]!;
    let copiedUpTo = 0;
    let from = 0;
    if (rawTextOpen !== undefined) {
      from = indexOfEndTag(html, rawTextOpen, 0);
      if (from === html.length) {
        if (tooDeep) kept.push(html);
        continue;
      }
      rawTextOpen = undefined;
    }
    ahead.greater = -2;
    ahead.less = -2;
    for (; nextTag(html, from, ahead, tag); from = tag.end) {
      const name = nameKeyAt(html, tag.nameStart, tag.nameEnd);
      if (!tag.closing) elements++;
      const rawText = tag.closing ? undefined : RAW_TEXT_BY_KEY.get(name as number);
      if (rawText !== undefined) {
        // Skip the raw text: "<div>" inside a script is not an element.
        tag.end = indexOfEndTag(html, rawText, tag.end);
        if (tag.end === html.length) rawTextOpen = rawText;
        continue;
      }
      const selfClosing = html.charCodeAt(tag.end - 2) === SLASH;
      const foreignRoot = name === SVG || name === MATH;
      if (foreignRoot && tag.closing) foreignDepth = Math.max(0, foreignDepth - 1);
      else if (foreignRoot && !selfClosing) foreignDepth++;
      if (OPTIONAL_END_OR_VOID.has(name) || (selfClosing && (foreignDepth > 0 || foreignRoot))) continue;
      if (tag.closing) {
        const pending = dropped.size === 0 ? 0 : (dropped.get(name) ?? 0);
        if (pending > 0) {
          dropped.set(name, pending - 1);
          kept.push(html.slice(copiedUpTo, tag.start));
          copiedUpTo = tag.end;
        } else if (depth > 0) {
          depth--;
        }
        continue;
      }
      if (depth >= maxDepth) {
        // The pieces before this one, left whole.
        if (!tooDeep) kept.push(...pieces.slice(0, index));
        tooDeep = true;
        dropped.set(name, (dropped.get(name) ?? 0) + 1);
        kept.push(html.slice(copiedUpTo, tag.start));
        copiedUpTo = tag.end;
      } else {
        depth++;
      }
    }
    if (tooDeep) kept.push(copiedUpTo === 0 ? html : html.slice(copiedUpTo));
  }
  if (counted !== undefined) counted.elements = elements;
  return tooDeep ? kept.join('') : undefined;
}

const SLASH = 0x2f;

/**
 * A tag name's key, the same in any letter case: a number made from its characters (ASCII letters, digits, ':' and
 * '-', each a digit from 1 to 38 in base 39), so a tag's name is looked up without a string made for every tag.
 */
function nameKeyAt(html: string, start: number, end: number): number | string {
  if (end - start > NUMBERED_NAME_MAX) return html.slice(start, end).toLowerCase();
  let key = 0;
  for (let i = start; i < end; i++) key = key * 39 + nameDigit(html.charCodeAt(i));
  return key;
}

function nameKey(name: string): number | string {
  return nameKeyAt(name, 0, name.length);
}

function nameDigit(code: number): number {
  if (isAsciiLetter(code)) return (code | 0x20) - 0x60;
  if (code >= 0x30 && code <= 0x39) return code - 0x30 + 27;
  return code === 0x3a ? 37 : 38;
}

interface TagAt {
  /** Where the tag's "<" is. */
  start: number;
  /** Just after its ">". */
  end: number;
  closing: boolean;
  nameStart: number;
  nameEnd: number;
}

/**
 * The next tag at or after `from`, exactly as /<(\/?)([a-zA-Z][a-zA-Z0-9:-]*)\b[^<>]*>/g would find it, without
 * the regular expression's match arrays and substrings for every tag of the page (a fifth of what a page allocates
 * before parsing). Linear: a "<" that opens no tag is passed over at the next "<" or ">", and each of those is
 * searched for once (Lookahead).
 */
function nextTag(html: string, from: number, ahead: Lookahead, tag: TagAt): boolean {
  for (let start = html.indexOf('<', from); start !== -1; start = html.indexOf('<', start + 1)) {
    const closing = html.charCodeAt(start + 1) === SLASH;
    const nameStart = start + (closing ? 2 : 1);
    if (!isAsciiLetter(html.charCodeAt(nameStart))) continue;
    let nameEnd = nameStart + 1;
    while (nameEnd < html.length && isTagNameChar(html.charCodeAt(nameEnd))) nameEnd++;
    // [^<>]*> : the tag ends at the next ">" unless a "<" comes first. Without a ">" further on, no tag is left.
    ahead.greater = nextIndex(html, '>', nameEnd, ahead.greater);
    const close = ahead.greater;
    if (close === -1) return false;
    ahead.less = nextIndex(html, '<', nameEnd, ahead.less);
    if (ahead.less !== -1 && ahead.less < close) {
      start = ahead.less - 1;
      continue;
    }
    // \b after the name: the regular expression gives characters back until the name ends at a word boundary.
    while (
      nameEnd > nameStart &&
      isWordChar(html.charCodeAt(nameEnd - 1)) === isWordChar(html.charCodeAt(nameEnd))
    ) {
      nameEnd--;
    }
    if (nameEnd === nameStart) continue;
    tag.start = start;
    tag.end = close + 1;
    tag.closing = closing;
    tag.nameStart = nameStart;
    tag.nameEnd = nameEnd;
    return true;
  }
  return false;
}

/** The next ">" and "<" found so far: every search starts further on than the last, so each is found once. */
interface Lookahead {
  greater: number;
  less: number;
}

/** html.indexOf(char, from), reusing `known` (an earlier answer for this char) when it is still ahead. */
function nextIndex(html: string, char: string, from: number, known: number): number {
  return known === -1 || known >= from ? known : html.indexOf(char, from);
}

function isAsciiLetter(code: number): boolean {
  return (code >= 0x61 && code <= 0x7a) || (code >= 0x41 && code <= 0x5a);
}

function isTagNameChar(code: number): boolean {
  return isAsciiLetter(code) || (code >= 0x30 && code <= 0x39) || code === 0x3a || code === 0x2d;
}

/** \w of a regular expression without the u flag; NaN (past the end) is not a word character. */
function isWordChar(code: number): boolean {
  return isAsciiLetter(code) || (code >= 0x30 && code <= 0x39) || code === 0x5f;
}

/**
 * Where "</" + `name` (lowercase ASCII letters) starts in `text` from `from`, in any letter case, as /<\/name/gi
 * finds it (without building a regular expression for every script and style); text.length when absent.
 */
function indexOfEndTag(text: string, name: string, from: number): number {
  for (let at = text.indexOf('</', from); at >= 0; at = text.indexOf('</', at + 1)) {
    let i = 0;
    while (i < name.length && (text.charCodeAt(at + 2 + i) | 0x20) === name.charCodeAt(i)) i++;
    if (i === name.length) return at;
  }
  return text.length;
}
