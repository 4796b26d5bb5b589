// Letter tests by Unicode property, shared by the extraction stages.
// They are module constants on purpose: esbuild (every target up to node24, so the Lambda bundles and the benchmark
// runner alike) writes a `\p{…}` escape outside a character class as `new RegExp(…)`, so the same test written
// inside a function builds a new RegExp at every call (about 34,000 per 181 benchmark pages). Built once here.
// None but LETTER_RUNS is global: sharing one object keeps no state between calls.

/** Any letter, in any script. */
export const HAS_LETTER = /\p{L}/u;
/** Any letter or digit, in any script. */
export const HAS_LETTER_OR_DIGIT = /\p{L}|\p{N}/u;
/** Any lower-case letter. */
export const HAS_LOWER_CASE = /\p{Ll}/u;
/** Any letter of the Latin script. */
export const HAS_LATIN_LETTER = /\p{Script=Latin}/u;
/** The text opens with a letter. */
export const STARTS_WITH_LETTER = /^\p{L}/u;
/** The text opens with an upper-case letter. */
export const STARTS_UPPER_CASE = /^\p{Lu}/u;
/** The text opens with a lower-case letter. */
export const STARTS_LOWER_CASE = /^\p{Ll}/u;
/** The text opens with a capitalised word ("Jane", not "US" or "jane"). */
export const STARTS_CAPITALISED = /^\p{Lu}\p{Ll}/u;
/** Runs of letters. Global: only for String.prototype.match and replace, which start it over at 0. */
export const LETTER_RUNS = /\p{L}+/gu;

/**
 * Whether a UTF-16 code unit is one /\s/ matches (white space and line terminators), read without a one-character
 * string per test: the text length readers step through every character of the texts they measure.
 */
export function isWhiteSpaceCode(code: number): boolean {
  if (code <= 0x20) return code === 0x20 || (code >= 0x09 && code <= 0x0d);
  if (code < 0xa0) return false;
  return (
    code === 0xa0 ||
    code === 0x1680 ||
    (code >= 0x2000 && code <= 0x200a) ||
    code === 0x2028 ||
    code === 0x2029 ||
    code === 0x202f ||
    code === 0x205f ||
    code === 0x3000 ||
    code === 0xfeff
  );
}
