/**
 * Rewrites a case-insensitive (`/iu`) pattern source into one that matches exactly the same strings under `u` alone,
 * each cased letter written as a class of its case variants ("ab" → "[aA][bB]").
 *
 * Why: under `i` V8 computes each literal letter's case closure through ICU at every compilation (interpreter, then
 * native code, for one-byte and for two-byte subjects). For the long multilingual alternations of the boilerplate
 * tables that cost most of the process's regexp compilation, paid again by each cold Lambda on its first pages.
 * A `\p{L}` under `i` is closed over case the same way (the whole letter set), so patterns with letter classes
 * gain too (metadata's byline labels and the named-month dates).
 * The extractor's patterns now run lower-case on lower-cased text (caseInsensitiveTest, caseInsensitiveMatcher,
 * below), cheaper still; the rewrite serves only the rare text lower case does not fold exactly, done then.
 *
 * `/iu` compares characters by Unicode simple case folding; lower/upper case reach nearly all of it, and
 * FOLD_EXCEPTIONS lists the rest for the scripts our tables use (Latin, Greek, Cyrillic). `i` also widens `\w`,
 * `\W`, `\b` and `\p{L}` by characters that fold into them; those are rewritten too. Anything else the rewrite does
 * not model (ranges of letters, back-references, `\B`, code-point escapes) throws, so a pattern cannot silently
 * change meaning. test/extract/case-insensitive.test.ts proves every rewritten pattern equal to its original.
 */

/** Characters whose simple case folding is not their single-character lowercase (or that lowercase cannot reach). */
const FOLD_EXCEPTIONS: Record<string, string> = {
  '\u017F': 's', // ſ long s
  '\u212A': 'k', // Kelvin sign
  '\u212B': 'å', // Angstrom sign
  '\u2126': 'ω', // Ohm sign
  '\u1E9E': 'ß', // capital sharp s
  '\u00B5': 'μ', // micro sign
  '\u0345': 'ι', // combining ypogegrammeni
  '\u1FBE': 'ι', // prosgegrammeni
  '\u03C2': 'σ', // final sigma
  '\u03D0': 'β',
  '\u03D1': 'θ',
  '\u03F4': 'θ',
  '\u03D5': 'φ',
  '\u03D6': 'π',
  '\u03F0': 'κ',
  '\u03F1': 'ρ',
  '\u03F5': 'ε',
  '\u1E9B': 'ṡ',
  '\u1C80': 'в',
  '\u1C81': 'д',
  '\u1C82': 'о',
  '\u1C83': 'с',
  '\u1C84': 'т',
  '\u1C85': 'т',
  '\u1C86': 'ъ',
  '\u1C87': 'ѣ',
  '\u1C88': 'ꙋ',
  '\u01C5': 'ǆ', // title-case digraphs
  '\u01C8': 'ǉ',
  '\u01CB': 'ǌ',
  '\u01F2': 'ǳ',
};
/** Under `iu`, `\w` also matches these (they fold into it), so `\W` and `\b` change with them. */
const WORD_FOLD_EXTRAS = '\\u017F\\u212A';
/** Under `iu`, `\p{L}` also matches the characters that fold into a letter. */
const PROPERTY_FOLD_EXTRAS: Record<string, string> = { L: '\\u0345', N: '' };

function isSingleCodePoint(text: string): boolean {
  return text.length === 1 || (text.length === 2 && text.codePointAt(0)! > 0xffff);
}

function foldKey(char: string): string {
  const exception = FOLD_EXCEPTIONS[char];
  if (exception !== undefined) return exception;
  const lower = char.toLowerCase();
  return isSingleCodePoint(lower) ? lower : char;
}

/** The exceptions by the key they fold to: the characters lower/upper case cannot reach from that key. */
const EXCEPTIONS_BY_KEY = new Map<string, string[]>();
for (const [char, key] of Object.entries(FOLD_EXCEPTIONS))
  EXCEPTIONS_BY_KEY.set(key, [...(EXCEPTIONS_BY_KEY.get(key) ?? []), char]);

const variantsByChar = new Map<string, string[]>();

/** The character (one code point: one or two UTF-16 units) at `index`. */
function codePointAt(source: string, index: number): string {
  const unit = source.charCodeAt(index);
  return unit >= 0xd800 && unit <= 0xdbff ? source.slice(index, index + 2) : source.charAt(index);
}

/** A literal character as written under `u` alone: itself, or the class of its case variants. */
const literalByChar = new Map<string, string>();
function literal(char: string): string {
  let written = literalByChar.get(char);
  if (written === undefined) {
    const variants = caseVariants(char);
    written = variants.length > 1 ? `[${variants.join('')}]` : char;
    literalByChar.set(char, written);
  }
  return written;
}

/** Every character `/iu` treats as equal to `char`, `char` first. */
export function caseVariants(char: string): string[] {
  const known = variantsByChar.get(char);
  if (known) return known;
  const key = foldKey(char);
  const lower = char.toLowerCase();
  const upper = char.toUpperCase();
  const candidates = [char, lower, upper, lower.toUpperCase(), upper.toLowerCase(), key, key.toUpperCase()];
  candidates.push(...(EXCEPTIONS_BY_KEY.get(key) ?? []));
  const variants: string[] = [];
  for (const candidate of candidates)
    if (!variants.includes(candidate) && isSingleCodePoint(candidate) && foldKey(candidate) === key)
      variants.push(candidate);
  variantsByChar.set(char, variants);
  return variants;
}

const WORD_BOUNDARY = `(?:(?<=[\\w${WORD_FOLD_EXTRAS}])(?![\\w${WORD_FOLD_EXTRAS}])|(?<![\\w${WORD_FOLD_EXTRAS}])(?=[\\w${WORD_FOLD_EXTRAS}]))`;
const NOT_WORD = `[^\\w${WORD_FOLD_EXTRAS}]`;

/** Reads one escape at `at` (a backslash); returns its source and the index after it. */
function readEscape(source: string, at: number): { token: string; next: number } {
  const kind = source[at + 1];
  if (kind === 'p' || kind === 'P') {
    const end = source.indexOf('}', at);
    return { token: source.slice(at, end + 1), next: end + 1 };
  }
  if (kind === undefined) throw new Error('caseInsensitiveSource: trailing backslash');
  return { token: source.slice(at, at + 2), next: at + 2 };
}

/** The class members (without brackets) an escape stands for under `iu`. */
function escapeMembers(token: string): string {
  if (token === '\\w') return `\\w${WORD_FOLD_EXTRAS}`;
  const property = /^\\p\{(\w+)\}$/.exec(token);
  if (property) {
    const extras = PROPERTY_FOLD_EXTRAS[property[1]!];
    if (extras === undefined) throw new Error(`caseInsensitiveSource: unsupported property ${token}`);
    return token + extras;
  }
  if (/^\\[sdSD.\\/\-()[\]{}|?*+^$'"]$/.test(token)) return token;
  throw new Error(`caseInsensitiveSource: unsupported escape ${token}`);
}

function escapeOutsideClass(token: string): string {
  if (token === '\\b') return WORD_BOUNDARY;
  if (token === '\\W') return NOT_WORD;
  const members = escapeMembers(token);
  return members === token ? token : `[${members}]`;
}

function letterMembers(char: string): string {
  if (/^[-\\\]^]$/.test(char)) return `\\${char}`;
  return caseVariants(char).join('');
}

/** Rewrites a class body (between the brackets); returns the rewritten class and the index after `]`. */
function rewriteClass(source: string, at: number): { rewritten: string; next: number } {
  let index = at + 1;
  const negated = source[index] === '^';
  if (negated) index++;
  let members = '';
  let hasNotWord = false;
  while (source[index] !== ']') {
    if (index >= source.length) throw new Error('caseInsensitiveSource: unclosed class');
    if (source[index] === '\\') {
      const { token, next } = readEscape(source, index);
      index = next;
      if (token === '\\W') hasNotWord = true;
      else if (token === '\\b') throw new Error('caseInsensitiveSource: \\b in a class');
      else members += escapeMembers(token);
      continue;
    }
    const char = codePointAt(source, index);
    if (char === '-' && members !== '' && source[index + 1] !== ']') {
      const previous = [...members].at(-1)!;
      const following = codePointAt(source, index + 1);
      if (caseVariants(previous).length > 1 || caseVariants(following).length > 1)
        throw new Error('caseInsensitiveSource: a range of cased letters');
      members += '-';
      index++;
      continue;
    }
    members += char === '-' ? '\\-' : letterMembers(char);
    index += char.length;
  }
  if (hasNotWord && negated) throw new Error('caseInsensitiveSource: \\W in a negated class');
  const klass = `[${negated ? '^' : ''}${members}]`;
  // [\s\W]: \W under `iu` is the complement of a widened \w, which a class cannot list; join the two instead.
  const rewritten = hasNotWord ? (members === '' ? NOT_WORD : `(?:${klass}|${NOT_WORD})`) : klass;
  return { rewritten, next: index + 1 };
}

/** What the rewrite changes: an escape, a class, a quantifier's braces (copied), a run of characters that may have case (letters, marks, letter numbers, symbols like Ⓐ). */
const SOURCE_TOKEN = /\\[pP]\{\w+\}|\\.|\[(?:[^\]\\]|\\.)*\]|\{\d*,?\d*\}|[\p{L}\p{M}\p{Nl}\p{So}]+/gsu;
const NAMED_GROUP = /\(\?<(?![=!])/;
const UNSUPPORTED_ESCAPE = /^\\[1-9kBuxc]/;

const wordByLetters = new Map<string, string>();
function word(letters: string): string {
  let written = wordByLetters.get(letters);
  if (written === undefined) {
    written = '';
    for (const char of letters) written += literal(char);
    wordByLetters.set(letters, written);
  }
  return written;
}

function rewriteToken(token: string): string {
  if (token.startsWith('\\')) {
    if (UNSUPPORTED_ESCAPE.test(token)) throw new Error(`caseInsensitiveSource: unsupported escape ${token}`);
    return escapeOutsideClass(token);
  }
  if (token.startsWith('[')) return rewriteClass(token, 0).rewritten;
  if (token.startsWith('{')) return token;
  return word(token);
}

export function caseInsensitiveSource(source: string): string {
  if (NAMED_GROUP.test(source)) throw new Error('caseInsensitiveSource: named groups are not supported');
  // Characters outside the tokens (punctuation, digits, syntax) have no case: the replace copies them natively.
  return source.replace(SOURCE_TOKEN, rewriteToken);
}

/**
 * Characters that lower-cased text may hold although `iu` folds them to another lower-case letter (ſ to s, final ς
 * to σ, µ to μ…): the lower-case letters among FOLD_EXCEPTIONS. A text holding one is matched by the rewritten
 * pattern instead (see caseInsensitiveTest).
 */
const NOT_FOLDED_BY_LOWER_CASE = new RegExp(
  `[${Object.keys(FOLD_EXCEPTIONS)
    .filter((char) => char.toLowerCase() === char)
    .join('')}]`,
  'u',
);

let lastText: string | undefined;
let lastFolded: string | undefined;

/**
 * The text lower-cased when that is its exact `iu` fold for matching (every character one lower-case character,
 * none of NOT_FOLDED_BY_LOWER_CASE), else undefined. The last text's answer is kept: a block is tested against a
 * table of patterns in a row.
 */
export function lowerCaseFold(text: string): string | undefined {
  if (text === lastText) return lastFolded;
  const lower = text.toLowerCase();
  lastText = text;
  // İ lower-cases to two characters (i and a combining dot); `iu` matches it to itself only.
  lastFolded = lower.length === text.length && !NOT_FOLDED_BY_LOWER_CASE.test(lower) ? lower : undefined;
  return lastFolded;
}

/**
 * What `new RegExp(source, 'iu').test(text)` answers, for a source written in lower case. The pattern is compiled
 * as written (`u` alone) and run on the lower-cased text: a list of lower-case words compiles several times
 * cheaper than its case classes ("[sSſ]"), and each cold process compiles every pattern it runs (for one-byte and
 * two-byte text, and again at tier-up). A text lower case does not fold exactly is tested by the rewritten pattern
 * (caseInsensitiveSource), compiled only then. test/extract/case-insensitive.test.ts proves both paths equal to
 * the `iu` original, over every code point.
 */
export class CaseInsensitiveTest {
  private readonly lowerCase: RegExp;
  private rewritten: RegExp | undefined;

  /**
   * `mustContain`: lower-case strings at least one of which every match holds, checked on the lower-cased text
   * before the pattern runs. Why: most texts hold none of them, and a pattern never run is never compiled (cold
   * processes pay each pattern's compilation) nor scanned ("^(?=.*…)" reads every position).
   */
  constructor(
    readonly source: string,
    readonly mustContain?: readonly string[],
  ) {
    for (const literal of mustContain ?? [])
      if (literal === '' || literal !== literal.toLowerCase())
        throw new Error(
          `caseInsensitiveTest: mustContain ${JSON.stringify(literal)} must be non-empty lower case`,
        );
    this.lowerCase = new RegExp(source, 'u');
    testSources.add(this);
  }

  test(text: string): boolean {
    const folded = lowerCaseFold(text);
    return folded !== undefined ? this.testFolded(folded) : this.testRewritten(text);
  }

  private testFolded(folded: string): boolean {
    return this.mayMatch(folded) && this.lowerCase.test(folded);
  }

  private mayMatch(folded: string): boolean {
    const literals = this.mustContain;
    if (literals === undefined) return true;
    for (const literal of literals) if (folded.includes(literal)) return true;
    return false;
  }

  private testRewritten(text: string): boolean {
    this.rewritten ??= new RegExp(caseInsensitiveSource(this.source), 'u');
    return this.rewritten.test(text);
  }

  /** Whether any of the tests matches the text: lower-cased once, each test's lower-case pattern run on it. */
  static any(tests: readonly CaseInsensitiveTest[], text: string): boolean {
    const folded = lowerCaseFold(text);
    if (folded === undefined) return tests.some((test) => test.testRewritten(text));
    for (const test of tests) if (test.testFolded(folded)) return true;
    return false;
  }
}

const testSources = new Set<CaseInsensitiveTest | CaseInsensitiveMatcher>();

/** The match as the text is written: each group read from the text at the place the lower-cased text matched it. */
function asWritten(found: RegExpExecArray, text: string): RegExpExecArray {
  const groups = found.indices!.map((range) =>
    range === undefined ? undefined : text.slice(range[0], range[1]),
  );
  return Object.assign(groups, { index: found.index, input: text, groups: undefined }) as RegExpExecArray;
}

/**
 * What `new RegExp(source, 'iu' + flags)` finds through exec and String.prototype.replace (removal only), for a
 * source written in lower case: run on the lower-cased text as CaseInsensitiveTest is, the match and its groups read
 * back from the text as written at the same places (lower case keeps every character's place: lowerCaseFold).
 */
export class CaseInsensitiveMatcher {
  private readonly lowerCase: RegExp;
  private rewritten: RegExp | undefined;

  constructor(
    readonly source: string,
    readonly flags = '',
  ) {
    // d: the groups' places, to read them from the text as written.
    this.lowerCase = new RegExp(source, `du${flags}`);
    testSources.add(this);
  }

  private rewrittenPattern(): RegExp {
    this.rewritten ??= new RegExp(caseInsensitiveSource(this.source), `u${this.flags}`);
    return this.rewritten;
  }

  test(text: string): boolean {
    this.lowerCase.lastIndex = 0;
    const folded = lowerCaseFold(text);
    if (folded !== undefined) return this.lowerCase.test(folded);
    this.rewrittenPattern().lastIndex = 0;
    return this.rewrittenPattern().test(text);
  }

  /** The first match (a global matcher's too: exec starts at the text's start here, it keeps no lastIndex). */
  exec(text: string): RegExpExecArray | null {
    const folded = lowerCaseFold(text);
    if (folded === undefined) {
      this.rewrittenPattern().lastIndex = 0;
      return this.rewrittenPattern().exec(text);
    }
    this.lowerCase.lastIndex = 0;
    const found = this.lowerCase.exec(folded);
    return found === null ? null : asWritten(found, text);
  }

  /** `text.replace(matcher, '')`: the first match removed, or every match for a global matcher. */
  [Symbol.replace](text: string, replacement: string): string {
    if (replacement !== '') throw new Error('CaseInsensitiveMatcher: only removal ("") is supported');
    const folded = lowerCaseFold(text);
    if (folded === undefined) return text.replace(this.rewrittenPattern(), replacement);
    const pattern = this.lowerCase;
    pattern.lastIndex = 0;
    let kept = '';
    let from = 0;
    for (
      let found = pattern.exec(folded);
      found !== null;
      found = pattern.global ? pattern.exec(folded) : null
    ) {
      kept += text.slice(from, found.index);
      from = found.index + found[0].length;
      // An empty match moves on by one code point, as replace does under `u`.
      if (found[0] === '') pattern.lastIndex += (folded.codePointAt(pattern.lastIndex) ?? 0) > 0xffff ? 2 : 1;
    }
    pattern.lastIndex = 0;
    return kept + text.slice(from);
  }
}

/** A case-insensitive matcher of a lower-case source (see CaseInsensitiveMatcher). */
export function caseInsensitiveMatcher(source: string, flags = ''): CaseInsensitiveMatcher {
  return new CaseInsensitiveMatcher(source, flags);
}

/** Every CaseInsensitiveTest and Matcher built so far (by the modules imported), for the test that compares it to `iu`. */
export function caseInsensitiveTests(): (CaseInsensitiveTest | CaseInsensitiveMatcher)[] {
  return [...testSources];
}

/** A case-insensitive test of a lower-case source (see CaseInsensitiveTest). */
export function caseInsensitiveTest(source: string, mustContain?: readonly string[]): CaseInsensitiveTest {
  return new CaseInsensitiveTest(source, mustContain);
}
