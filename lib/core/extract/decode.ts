// Bytes → text for HTML pages, in the order the HTML standard uses: byte-order mark, then the HTTP charset,
// then a <meta> declaration in the first bytes, then a sniff. One deliberate deviation: a declared legacy
// charset loses to UTF-8 when the bytes are valid UTF-8 with multi-byte sequences, because mislabelled UTF-8
// pages are common and valid multi-byte UTF-8 almost never happens by accident in a legacy encoding.
import { isAscii, isUtf8 } from 'node:buffer';

export type CharsetSource = 'bom' | 'http' | 'meta' | 'sniff' | 'default';

export interface DecodedHtml {
  text: string;
  /** The WHATWG encoding name actually used, e.g. "utf-8", "windows-1251", "shift_jis". */
  charset: string;
  source: CharsetSource;
}

/** How far into the document a <meta charset> is looked for (the standard says 1024; real pages go further). */
const META_SCAN_BYTES = 4096;
/** How much of the document the sniffer looks at; enough to tell encodings apart, bounded for huge pages. */
const SNIFF_BYTES = 64 * 1024;

/** Decodes an HTML document; `contentType` is the HTTP Content-Type header, if there was one. */
export function decodeHtml(bytes: Uint8Array | string, contentType?: string): string {
  return decodeHtmlDetailed(bytes, contentType).text;
}

export function decodeHtmlDetailed(bytes: Uint8Array | string, contentType?: string): DecodedHtml {
  if (typeof bytes === 'string') {
    return { text: bytes.startsWith('\uFEFF') ? bytes.slice(1) : bytes, charset: 'utf-8', source: 'default' };
  }
  const { charset, source } = chooseCharset(bytes, contentType);
  return { text: decodeWith(charset, bytes), charset, source };
}

/** The charset decodeHtmlDetailed decodes these bytes with, and where it came from. */
function chooseCharset(
  bytes: Uint8Array,
  contentType: string | undefined,
): { charset: string; source: CharsetSource } {
  const bom = charsetFromBom(bytes);
  if (bom !== undefined) return { charset: bom, source: 'bom' };
  const declared = declaredCharset(bytes, contentType);
  if (declared !== undefined) {
    const charset =
      declared.charset !== 'utf-8' && looksLikeMultibyteUtf8(bytes) ? 'utf-8' : declared.charset;
    return { charset, source: charset === declared.charset ? declared.source : 'sniff' };
  }
  return { charset: sniffCharset(bytes), source: 'sniff' };
}

/**
 * A page of valid UTF-8 as pieces of text whose concatenation is exactly decodeHtml(bytes, contentType), each but the
 * first starting at a "<"; `length` is the page's length in bytes (a byte-order mark left out), at least its length
 * in characters. Undefined when decodeHtml would not read the bytes as UTF-8 or they are not valid UTF-8: decode them
 * whole then.
 *
 * Why pieces: one character above U+00FF makes a whole JavaScript string two bytes per character, and so every tag
 * name, attribute and text the parser slices from it (V8 keeps a slice in its parent's width; lower-casing a two-byte
 * name goes through ICU). Nearly every page has a few such characters (curly quotes, dashes), nearly all in text.
 * Here only the stretches that hold non-ASCII bytes are decoded, each from the "<" before it to the "<" after it;
 * the ASCII between them is copied from the bytes as it is, one byte per character. The parser reads the pieces as a
 * stream (htmlparser2's write), which builds the same tree as reading the whole text.
 *
 * Why short pieces, and no whole-page string: V8 puts a string of 128 KiB or more in its large-object space, in
 * memory mapped afresh for it, and every 4 KiB of that costs a page fault, several microseconds each on a virtual
 * machine; shorter strings are made in the young generation, in memory already mapped. Every piece starts at a "<" so
 * a scan for tags can read the pieces one after another (no tag holds a "<"): see limitNestingOf.
 */
export function utf8Pieces(
  bytes: Uint8Array,
  contentType?: string,
): { length: number; pieces: () => string[] } | undefined {
  if (chooseCharset(bytes, contentType).charset !== 'utf-8' || !isUtf8(bytes)) return undefined;
  // TextDecoder drops a leading byte-order mark.
  const start = bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf ? 3 : 0;
  const body = Buffer.from(bytes.buffer, bytes.byteOffset + start, bytes.byteLength - start);
  return { length: body.length, pieces: () => piecesOf(body) };
}

/** Stretches with non-ASCII bytes closer than this are decoded as one piece (fewer, longer pieces). */
const PIECE_JOIN_GAP = 256;
/**
 * Pieces are cut at the last "<" before this many bytes where they can be: a piece of ASCII is a one-byte string of
 * that length, a decoded one at most twice that, both under V8's large-object size (128 KiB).
 */
const PIECE_BYTES = 32 * 1024;
/** How far a non-ASCII byte is looked for one byte at a time before whole blocks are tested natively. */
const NEAR_BYTES = 64;
const ASCII_BLOCK_BYTES = 4096;
const LESS_THAN = 0x3c;
/** ignoreBOM: a piece starts at a "<" or at the page's start (whose mark is already dropped), never at a mark to drop. */
const UTF8 = new TextDecoder('utf-8', { ignoreBOM: true });

function piecesOf(bytes: Buffer): string[] {
  const pieces: string[] = [];
  let from = 0;
  for (let found = nonAsciiAt(bytes, 0); found !== -1; found = nonAsciiAt(bytes, from)) {
    // From the "<" before the first non-ASCII byte (or the end of the last piece) ...
    let start = bytes.lastIndexOf(LESS_THAN, found);
    if (start < from) start = from;
    // ... to the "<" after the last one of this stretch; "<" is ASCII, so no character is cut in two.
    let end = bytes.indexOf(LESS_THAN, found);
    for (;;) {
      if (end === -1) break;
      const next = nonAsciiAt(bytes, end);
      if (next === -1 || next - end >= PIECE_JOIN_GAP) break;
      end = bytes.indexOf(LESS_THAN, next);
    }
    if (end === -1) end = bytes.length;
    pushPieces(pieces, bytes, from, start, false);
    pushPieces(pieces, bytes, start, end, true);
    from = end;
  }
  pushPieces(pieces, bytes, from, bytes.length, false);
  if (pieces.length === 0) pieces.push('');
  return pieces;
}

/** bytes[from, to) as pieces of at most PIECE_BYTES, each cut before a "<" (longer only where no "<" comes sooner). */
function pushPieces(pieces: string[], bytes: Buffer, from: number, to: number, decode: boolean): void {
  while (from < to) {
    let end = to;
    if (to - from > PIECE_BYTES) {
      end = bytes.lastIndexOf(LESS_THAN, from + PIECE_BYTES);
      if (end <= from) end = bytes.indexOf(LESS_THAN, from + 1);
      if (end === -1 || end > to) end = to;
    }
    pieces.push(decode ? UTF8.decode(bytes.subarray(from, end)) : bytes.toString('latin1', from, end));
    from = end;
  }
}

/** Where the first byte of 0x80 or above is at or after `from`, or -1: near bytes one by one, then whole blocks. */
function nonAsciiAt(bytes: Buffer, from: number): number {
  const near = Math.min(bytes.length, from + NEAR_BYTES);
  let at = from;
  for (; at < near; at++) if (bytes[at]! >= 0x80) return at;
  while (at < bytes.length) {
    const blockEnd = Math.min(bytes.length, at + ASCII_BLOCK_BYTES);
    if (!isAscii(bytes.subarray(at, blockEnd))) {
      for (; at < blockEnd; at++) if (bytes[at]! >= 0x80) return at;
    }
    at = blockEnd;
  }
  return -1;
}

/** Normalizes a charset label to the WHATWG encoding name TextDecoder uses, or undefined if unknown. */
export function normalizeCharset(label: string): string | undefined {
  const trimmed = label.trim().replace(/^["']|["']$/g, '');
  if (trimmed === '') return undefined;
  try {
    const encoding = new TextDecoder(trimmed).encoding;
    // The standard: a page cannot declare UTF-16 in ASCII-compatible bytes; x-user-defined is treated as 1252.
    if (encoding === 'utf-16le' || encoding === 'utf-16be') return 'utf-8';
    if (encoding === 'x-user-defined') return 'windows-1252';
    return encoding;
  } catch {
    return undefined;
  }
}

/** The charset parameter of a Content-Type header value, e.g. `text/html; charset="Shift_JIS"`. */
export function charsetFromContentType(contentType: string | undefined): string | undefined {
  if (contentType === undefined) return undefined;
  const match = /;\s*charset\s*=\s*("?)([^";,\s]+)\1/i.exec(contentType);
  return match?.[2] === undefined ? undefined : normalizeCharset(match[2]);
}

function charsetFromBom(bytes: Uint8Array): string | undefined {
  if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) return 'utf-8';
  if (bytes[0] === 0xfe && bytes[1] === 0xff) return 'utf-16be';
  if (bytes[0] === 0xff && bytes[1] === 0xfe) return 'utf-16le';
  return undefined;
}

function declaredCharset(
  bytes: Uint8Array,
  contentType: string | undefined,
): { charset: string; source: 'http' | 'meta' } | undefined {
  const fromHttp = charsetFromContentType(contentType);
  if (fromHttp !== undefined) return { charset: fromHttp, source: 'http' };
  const fromMeta = charsetFromMeta(bytes);
  if (fromMeta !== undefined) return { charset: fromMeta, source: 'meta' };
  return undefined;
}

/** Finds `<meta charset=…>` or `<meta http-equiv="Content-Type" content="…; charset=…">` in the first bytes. */
export function charsetFromMeta(bytes: Uint8Array): string | undefined {
  // latin1 maps every byte to one char, so ASCII markup is readable whatever the real encoding is.
  const head = Buffer.from(bytes.buffer, bytes.byteOffset, Math.min(bytes.byteLength, META_SCAN_BYTES))
    .toString('latin1')
    .replace(/<!--[\s\S]*?-->/g, '');
  const metaTags = head.match(/<meta\b[^>]*>/gi) ?? [];
  for (const tag of metaTags) {
    const direct = /\bcharset\s*=\s*["']?\s*([\w.:-]+)/i.exec(tag);
    if (direct?.[1] !== undefined) {
      const charset = normalizeCharset(direct[1]);
      if (charset !== undefined) return charset;
    }
  }
  return undefined;
}

function decodeWith(charset: string, bytes: Uint8Array): string {
  // The BOM is stripped by TextDecoder by default (ignoreBOM: false).
  return new TextDecoder(charset).decode(bytes);
}

/** Whether the bytes have non-ASCII content and all of it is well-formed UTF-8. */
function looksLikeMultibyteUtf8(bytes: Uint8Array): boolean {
  // Node's native checks: a JavaScript loop over every byte, or a throw-away fatal decode, cost more than the
  // decode itself on a fresh process.
  if (isAscii(bytes)) return false;
  // A page cut off by a size limit may end mid-character: forgive the last three bytes.
  return isUtf8(bytes.subarray(0, Math.max(0, bytes.length - 3))) || isUtf8(bytes);
}

const CYRILLIC = /[\u0410-\u044f\u0401\u0451]/u;
// Full-width kana only: half-width katakana is rare in real text but common in misdecoded Chinese.
const KANA = /[\u3040-\u30ff]/u;
const HAN = /[\u4e00-\u9fff]/u;
const CJK_PUNCTUATION = /[\u3000-\u303f\uff01-\uff5e]/u;
const HANGUL = /[\uac00-\ud7af\u3130-\u318f]/u;
const LATIN_LETTER = /[\u00c0-\u00ff\u0152\u0153\u0160\u0161\u017d\u017e]/u;

interface SampleStats {
  nonAscii: number;
  replacements: number;
  counts: {
    cyrillic: number;
    lowerCyrillic: number;
    kana: number;
    han: number;
    punct: number;
    hangul: number;
    latin: number;
  };
  /** Non-ASCII characters separated by a single space: frequent in Korean, rare in Chinese and Japanese. */
  spacedPairs: number;
  /** Non-ASCII characters that follow another one: most of them in Cyrillic text, few in Latin-script text. */
  adjacentPairs: number;
}

function sampleStats(text: string): SampleStats {
  const stats: SampleStats = {
    nonAscii: 0,
    replacements: 0,
    counts: { cyrillic: 0, lowerCyrillic: 0, kana: 0, han: 0, punct: 0, hangul: 0, latin: 0 },
    spacedPairs: 0,
    adjacentPairs: 0,
  };
  let previous = '';
  let beforePrevious = '';
  for (const char of text) {
    const code = char.codePointAt(0) ?? 0;
    if (code >= 0x80) {
      stats.nonAscii++;
      if (code === 0xfffd) stats.replacements++;
      else if (CYRILLIC.test(char)) {
        stats.counts.cyrillic++;
        if (code >= 0x430 && code <= 0x44f) stats.counts.lowerCyrillic++;
      } else if (KANA.test(char)) stats.counts.kana++;
      else if (HAN.test(char)) stats.counts.han++;
      else if (CJK_PUNCTUATION.test(char)) stats.counts.punct++;
      else if (HANGUL.test(char)) stats.counts.hangul++;
      else if (LATIN_LETTER.test(char)) stats.counts.latin++;
      if ((previous.codePointAt(0) ?? 0) >= 0x80) stats.adjacentPairs++;
      if (previous === ' ' && (beforePrevious.codePointAt(0) ?? 0) >= 0x80) stats.spacedPairs++;
    }
    beforePrevious = previous;
    previous = char;
  }
  return stats;
}

/** How plausible a decoding is, from 0 up; each candidate values the characters its languages use. */
const LEGACY_CANDIDATES: { charset: string; score: (stats: SampleStats) => number }[] = [
  // Real Cyrillic text is mostly lowercase (koi8-r and windows-1251 swap the cases of each other's letters)
  // and its letters come in runs, where accented Latin letters decoded as Cyrillic stand alone.
  { charset: 'windows-1251', score: cyrillicScore },
  { charset: 'koi8-r', score: cyrillicScore },
  // Japanese text is full of kana, which Chinese and Korean decodings of the same bytes do not produce.
  {
    charset: 'shift_jis',
    score: ({ counts }) => (counts.kana > 0 ? counts.kana * 2 + counts.han + counts.punct : 0),
  },
  {
    charset: 'euc-jp',
    score: ({ counts }) => (counts.kana > 0 ? counts.kana * 2 + counts.han + counts.punct : 0),
  },
  { charset: 'euc-kr', score: ({ counts, spacedPairs }) => counts.hangul + spacedPairs * 4 },
  {
    charset: 'gbk',
    score: ({ counts, spacedPairs }) => Math.max(0, counts.han + counts.punct - spacedPairs * 4),
  },
  {
    charset: 'big5',
    score: ({ counts, spacedPairs }) => Math.max(0, counts.han + counts.punct - spacedPairs * 4) - 1,
  },
  // The fallback: any candidate that explains the bytes better wins.
  { charset: 'windows-1252', score: ({ counts }) => counts.latin / 2 },
];

function cyrillicScore({ counts, nonAscii, adjacentPairs }: SampleStats): number {
  return ((counts.cyrillic + counts.lowerCyrillic) / 2) * (adjacentPairs / nonAscii);
}

/**
 * No declaration: valid UTF-8 is UTF-8; otherwise each legacy candidate decodes the start of the page and is
 * scored by how many of its non-ASCII characters are plausible for the languages that use it, with replacement
 * characters (bytes the candidate cannot decode) as a heavy penalty. windows-1252 is the fallback.
 */
export function sniffCharset(bytes: Uint8Array): string {
  const sample = bytes.subarray(0, SNIFF_BYTES);
  if (isAscii(sample)) return 'utf-8';
  if (looksLikeMultibyteUtf8(sample)) return 'utf-8';
  let best = { charset: 'windows-1252', score: 0 };
  for (const candidate of LEGACY_CANDIDATES) {
    const text = new TextDecoder(candidate.charset).decode(sample).replace(/<[^>]*>/g, '');
    const stats = sampleStats(text);
    if (stats.nonAscii === 0) continue;
    const score = (candidate.score(stats) - 4 * stats.replacements) / stats.nonAscii;
    if (score > best.score) best = { charset: candidate.charset, score };
  }
  return best.charset;
}
