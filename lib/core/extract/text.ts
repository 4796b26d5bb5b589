// DOM → plain text. Iterative (an explicit stack), so deep trees cannot overflow the call stack.
// Block elements start a new paragraph; paragraphs are separated by one blank line; <br> is a line break;
// whitespace is collapsed except inside <pre>.
import type { AnyNode, Element } from 'domhandler';
import {
  OPENING_SENTENCE_END,
  PROSE_MIN_LETTER_SHARE,
  PROSE_MIN_WORD_TOKEN_SHARE,
  PROSE_MIN_WORDS,
  UNTITLED_TITLE_MAX_CHARS,
} from './boilerplate.ts';
import { hasChildren, isElement } from './content-dom.ts';

export const BLOCK_TAGS = new Set([
  'address',
  'article',
  'aside',
  'blockquote',
  'caption',
  'center',
  'dd',
  'details',
  'dialog',
  'dir',
  'div',
  'dl',
  'dt',
  'fieldset',
  'figcaption',
  'figure',
  'footer',
  'form',
  'h1',
  'h2',
  'h3',
  'h4',
  'h5',
  'h6',
  'header',
  'hgroup',
  'hr',
  'li',
  'main',
  'menu',
  'nav',
  'ol',
  'p',
  'pre',
  'section',
  'summary',
  'table',
  'tbody',
  'thead',
  'tfoot',
  'tr',
  'ul',
]);
const CELL_TAGS = new Set(['td', 'th']);
// <rt> and <rp> are ruby annotations (pronunciation over the base characters): read inline they would repeat
// each word in another script, so the text keeps only the base characters.
const NEVER_TEXT_TAGS = new Set(['script', 'style', 'noscript', 'template', 'head', 'title', 'rt', 'rp']);

export interface TextOptions {
  /** Subtrees left out of the text (for example boilerplate already judged, or figure captions). */
  skip?: (element: Element) => boolean;
  /** Loose text runs left out (a prompt between the blocks of a container: content-prune's excludeLooseBoilerplate). */
  skipText?: (node: AnyNode) => boolean;
  /**
   * A space between sibling elements that meet without whitespace ('<span>Brand</span><span>Model</span>'): on
   * pages of cards and label/value rows, flex and grid layouts set them apart. Off for prose, where markup may
   * split a word.
   */
  separateElements?: boolean;
}

/** Whitespace that collapsing changes: any but a single space (most text nodes have none: no copy is made). */
const COLLAPSIBLE_SPACE = /[^\S ]| {2}/;

/**
 * The text with each run of whitespace as one space, trimmed: `text.replace(/\s+/g, ' ').trim()`, without the copy
 * that replace makes even when every run is already a single space (most short blocks' texts).
 */
export function collapseWhitespace(text: string): string {
  return (COLLAPSIBLE_SPACE.test(text) ? text.replace(/\s+/g, ' ') : text).trim();
}

/**
 * Pushed above an element (below its children): when popped, the element under it is left. A marker instead of a
 * frame object per element, which the walk allocated for every element of every text it read.
 */
const EXIT = Symbol('exit');
type Frame = AnyNode | typeof EXIT;

export function toPlainText(nodes: readonly AnyNode[], options: TextOptions = {}): string {
  const paragraphs: string[] = [];
  let current: string[] = [];
  let currentIsPre = false;
  let preDepth = 0;

  const flush = (): void => {
    if (current.length > 0) {
      const raw = normalizeText(current.join(''));
      const text = currentIsPre ? raw.replace(/^\n+/, '').trimEnd() : normalizeLines(raw);
      if (text.trim().length > 0) paragraphs.push(text);
    }
    current = [];
    currentIsPre = preDepth > 0;
  };

  const stack: Frame[] = [];
  for (let i = nodes.length - 1; i >= 0; i--) stack.push(nodes[i]!);
  while (stack.length > 0) {
    const frame = stack.pop()!;
    if (frame === EXIT) {
      const element = stack.pop() as Element;
      const name = element.name;
      if (name === 'pre') {
        flush();
        preDepth--;
        currentIsPre = preDepth > 0;
      } else if (BLOCK_TAGS.has(name)) {
        flush();
      } else if (CELL_TAGS.has(name)) {
        current.push(' ');
      } else if (options.separateElements && preDepth === 0) {
        let next = element.next;
        while (next !== null && next.type === 'comment') next = next.next;
        if (next !== null && isElement(next)) current.push(' ');
      }
      continue;
    }
    const node = frame;
    if (node.type === 'text') {
      if (options.skipText?.(node)) continue;
      const data = (node as { data: string }).data;
      current.push(preDepth > 0 || !COLLAPSIBLE_SPACE.test(data) ? data : data.replace(/[\s\u00a0]+/g, ' '));
      continue;
    }
    if (!isElement(node)) {
      // A document root or fragment: its children are the content.
      if (node.type === 'root' && hasChildren(node)) {
        for (let i = node.children.length - 1; i >= 0; i--) stack.push(node.children[i]!);
      }
      continue;
    }
    const name = node.name;
    if (NEVER_TEXT_TAGS.has(name) || options.skip?.(node)) continue;
    if (name === 'br') {
      current.push('\n');
      continue;
    }
    if (name === 'pre') {
      flush();
      preDepth++;
      currentIsPre = true;
    } else if (BLOCK_TAGS.has(name)) {
      flush();
    } else if (CELL_TAGS.has(name)) {
      current.push(' ');
    }
    stack.push(node, EXIT);
    if (hasChildren(node)) {
      const children = node.children;
      for (let i = children.length - 1; i >= 0; i--) stack.push(children[i]!);
    }
  }
  flush();
  return paragraphs.join('\n\n');
}

/**
 * What one UTF-16 unit from U+0300 up may grow to in toPlainText's NFC: at most 4 code points of 2 units from its
 * own canonical decomposition, plus the 2 marks of a precomposed letter before it (Ǖ) that it may keep from
 * recomposing. Below U+0300 there is no combining mark and every character is already NFC: such text never grows.
 */
const NFC_GROWTH_UNIT_WEIGHT = 10;

/**
 * An upper bound of the length of toPlainText(nodes, { separateElements: true, skip }) for any nodes of this
 * document and any skip, also after repairTree (content-repair.ts) has moved its nodes: script and style text
 * never counts, every other text node counts with each whitespace run as one character (each non-blank text node
 * once more for the blank line after its paragraph), or as it is when the document has a <pre>, whose whitespace
 * is kept wherever a node may be moved; each element once for the space or line break it may add, table cells
 * twice. Costs one walk without building any text: it tells when a region's text cannot be long enough to matter.
 */
export function plainTextLengthBound(root: AnyNode): number {
  let collapsed = 0;
  let raw = 0;
  let separators = 0;
  let hasPre = false;
  const stack: AnyNode[] = [root];
  while (stack.length > 0) {
    const node = stack.pop()!;
    if (node.type === 'text') {
      const data = (node as unknown as { data: string }).data;
      let blank = true;
      let inSpace = false;
      for (let i = 0, end = data.length; i < end; i++) {
        const code = String.prototype.charCodeAt.call(data, i);
        if (
          code === 32 ||
          code === 10 ||
          code === 9 ||
          code === 13 ||
          code === 12 ||
          code === 11 ||
          code === 160
        ) {
          raw++;
          if (!inSpace) collapsed++;
          inSpace = true;
        } else {
          const weight = code < 0x300 ? 1 : NFC_GROWTH_UNIT_WEIGHT;
          raw += weight;
          collapsed += weight;
          inSpace = false;
          blank = false;
        }
      }
      if (!blank) separators += 2;
    } else if (isElement(node)) {
      separators += CELL_TAGS.has(node.name) ? 2 : 1;
      if (node.name === 'pre') hasPre = true;
      // Script and style hold text only, never read, and no repair moves a node into them.
      if (node.type === 'tag') pushChildren(stack, node.children);
    } else if (hasChildren(node)) {
      pushChildren(stack, node.children);
    }
  }
  return (hasPre ? raw : collapsed) + separators;
}

function pushChildren(stack: AnyNode[], children: AnyNode[]): void {
  for (let i = children.length - 1; i >= 0; i--) stack.push(children[i]!);
}

/**
 * Characters that never show: the soft hyphen (a hyphenation hint), the zero-width space, the word joiner and a
 * stray byte-order mark. They split words for search and comparison. The zero-width (non-)joiners are kept:
 * they are spelling in Persian and Indic scripts and hold emoji sequences together.
 */
const INVISIBLE_CHARS = /[\u00ad\u200b\u2060\ufeff]/g;

/** NFC (one code point for "é" however the page spelled it), invisible characters removed. */
export function normalizeText(text: string): string {
  return text.replace(INVISIBLE_CHARS, '').normalize('NFC');
}

function normalizeLines(raw: string): string {
  // One line (most paragraphs): the same result without splitting and joining.
  if (!raw.includes('\n')) return (raw.includes('  ') ? raw.replace(/ {2,}/g, ' ') : raw).trim();
  return raw
    .split('\n')
    .map((line) => line.replace(/ {2,}/g, ' ').trim())
    .filter((line) => line.length > 0)
    .join('\n');
}

// Scripts whose words are not separated by spaces: each character counts as one word.
const UNSEGMENTED = String.raw`\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Thai}\p{Script=Lao}\p{Script=Khmer}\p{Script=Myanmar}`;
const UNSEGMENTED_CHAR = new RegExp(`^[${UNSEGMENTED}]$`, 'u');
const WORD_CHAR = /^[\p{L}\p{N}\p{M}_]$/u;

// Character classes for countWords, by code point: a letter, digit, mark or underscore of a spaced script, a
// character of an unsegmented script, or neither. Read through the patterns above once per character seen
// (BMP characters are remembered), so the count needs no match array per word.
const OTHER = 1;
const WORD = 2;
const UNSEGMENTED_WORD = 3;
const bmpClasses = new Uint8Array(0x10000);

function charClass(code: number): number {
  if (code < 0x80) {
    const lower = code | 0x20;
    return (lower >= 0x61 && lower <= 0x7a) || (code >= 0x30 && code <= 0x39) || code === 0x5f ? WORD : OTHER;
  }
  const known = code < 0x10000 ? bmpClasses[code]! : 0;
  if (known !== 0) return known;
  const char = String.fromCodePoint(code);
  const found = UNSEGMENTED_CHAR.test(char) ? UNSEGMENTED_WORD : WORD_CHAR.test(char) ? WORD : OTHER;
  if (code < 0x10000) bmpClasses[code] = found;
  return found;
}

/** The code point at `index` (a surrogate pair read whole, as a regular expression with the u flag reads it). */
// The built-in, not a hand-written surrogate test: that branch is first taken on a rare page with an emoji, after
// countWords is optimized, and throws the optimized code away.
function codePointAt(text: string, index: number): number {
  return text.codePointAt(index) ?? Number.NaN;
}

/** Apostrophes and hyphens join the parts of one word ("don't", "e-mail"). */
function isWordJoiner(code: number): boolean {
  return code === 0x27 || code === 0x2019 || code === 0x2d;
}

/**
 * Words in a text. Space-separated scripts count runs of letters and digits (so "don't" and "e-mail" are one);
 * Chinese, Japanese, Thai and kin count one word per character, a common convention for unsegmented scripts.
 * Counts what the pattern [unsegmented]|W+(?:['’-]W+)* with flags gu matches (W: a letter, digit, mark or
 * underscore outside the unsegmented scripts), without building a match array for each word.
 */
export function countWords(text: string): number {
  let count = 0;
  let index = 0;
  while (index < text.length) {
    const code = codePointAt(text, index);
    const kind = charClass(code);
    index += code > 0xffff ? 2 : 1;
    if (kind === OTHER) continue;
    count++;
    if (kind === UNSEGMENTED_WORD) continue;
    // The rest of the word: more word characters, or a joiner followed by one.
    while (index < text.length) {
      const next = codePointAt(text, index);
      const width = next > 0xffff ? 2 : 1;
      if (charClass(next) === WORD) {
        index += width;
      } else if (
        isWordJoiner(next) &&
        index + 1 < text.length &&
        charClass(codePointAt(text, index + 1)) === WORD
      ) {
        index += 1;
      } else {
        break;
      }
    }
  }
  return count;
}

// A whitespace-separated token that is a word: letters (with marks), optionally joined by an apostrophe or
// hyphen, with at most light punctuation around it ('(Hello,' 'rare.' '“quoted”').
const WORD_TOKEN =
  /^[\p{P}]{0,2}[\p{L}\p{M}\p{N}]*\p{L}[\p{L}\p{M}\p{N}]*(?:['’-][\p{L}\p{M}\p{N}]+)*[\p{P}]{0,3}$/u;
const LETTER = /[\p{L}\p{M}]/gu;

/** Whether a text reads as prose (words in sentences), not decoded bytes, symbols or markup debris. */
export function readsAsProse(text: string): boolean {
  // CJK punctuation separates like a space (those scripts put no spaces between words or clauses).
  const tokens = text
    .split(/[\s\u3000-\u303f\uff01-\uff0f\uff1a-\uff1f]+/)
    .filter((token) => token.length > 0);
  if (tokens.length === 0) return false;
  const visible = tokens.reduce((sum, token) => sum + token.length, 0);
  const letters = text.match(LETTER)?.length ?? 0;
  if (letters < visible * PROSE_MIN_LETTER_SHARE) return false;
  const words = tokens.filter((token) => WORD_TOKEN.test(token)).length;
  // Unsegmented scripts have few spaces: one token can be a whole sentence, so count their words instead.
  return (
    words >= tokens.length * PROSE_MIN_WORD_TOKEN_SHARE &&
    Math.max(words, countWords(text)) >= PROSE_MIN_WORDS
  );
}

/**
 * A title for a page that declares none and shows no headline: its opening sentence, cut at a word boundary
 * with an ellipsis when long. Undefined unless the text reads as prose.
 */
export function titleFromOpening(text: string): string | undefined {
  if (!readsAsProse(text)) return undefined;
  const opening = text.trimStart();
  const end = OPENING_SENTENCE_END.exec(opening);
  const sentence = (end ? opening.slice(0, end.index + end[0].length) : opening).replace(/\s+/g, ' ').trim();
  if (sentence.length <= UNTITLED_TITLE_MAX_CHARS) return sentence || undefined;
  const cut = sentence.slice(0, UNTITLED_TITLE_MAX_CHARS);
  const space = cut.lastIndexOf(' ');
  return `${(space > UNTITLED_TITLE_MAX_CHARS / 2 ? cut.slice(0, space) : cut).replace(/[\s\p{P}]+$/u, '')}…`;
}
