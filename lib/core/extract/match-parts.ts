// Matching a pattern against text held in many parts (a page's text nodes) as if they were one string, without
// building that string: joining a page's text made one string of up to megabytes per page (scripts included), a
// fresh allocation whose memory pages the process faulted in one by one.

/** Parts at least this long are matched where they are, not copied into a chunk with their neighbours. */
const IN_PLACE_PART_CHARS = 4096;
/** Shorter parts are joined into chunks of about this many characters, each matched in one call. */
const CHUNK_CHARS = 16_384;

/**
 * The longest text a pattern can match, for patterns made only of characters, character classes, groups,
 * alternatives, `?` and zero-width `\b`/`\B` (phrase lists). Throws on anything else (repetition, lookaround,
 * back-references, the `u` flag): their matches have no bound this reads off the source.
 */
export function maxMatchLength(pattern: RegExp): number {
  if (/[uv]/.test(pattern.flags)) throw new Error(`maxMatchLength: ${pattern} has the u or v flag`);
  const source = pattern.source;
  let i = 0;
  const fail = (what: string): never => {
    throw new Error(`maxMatchLength: ${what} at ${i} in ${pattern}`);
  };
  // alternatives := sequence ('|' sequence)*; the longest alternative counts.
  const alternatives = (): number => {
    let longest = sequence();
    while (source[i] === '|') {
      i++;
      longest = Math.max(longest, sequence());
    }
    return longest;
  };
  const sequence = (): number => {
    let length = 0;
    while (i < source.length && source[i] !== '|' && source[i] !== ')') {
      const char = source[i]!;
      let atom = 1;
      if (char === '(') {
        i++;
        if (source.startsWith('?:', i)) i += 2;
        else if (source[i] === '?') fail('lookaround or named group');
        atom = alternatives();
        if (source[i] !== ')') fail('unclosed group');
        i++;
      } else if (char === '[') {
        // A class matches one character; skip to its unescaped end.
        i++;
        while (i < source.length && source[i] !== ']') i += source[i] === '\\' ? 2 : 1;
        if (i >= source.length) fail('unclosed class');
        i++;
      } else if (char === '\\') {
        const escaped = source[i + 1] ?? fail('trailing backslash');
        if (/[1-9k]/.test(escaped)) fail('back-reference');
        if (/[xuc]/.test(escaped)) fail('code escape');
        i += 2;
        atom = escaped === 'b' || escaped === 'B' ? 0 : 1;
      } else if (char === '*' || char === '+' || char === '{') {
        fail('repetition');
      } else if (char === '^' || char === '$') {
        i++;
        atom = 0;
      } else {
        i++;
      }
      if (source[i] === '?') i++;
      length += atom;
    }
    return length;
  };
  const longest = alternatives();
  if (i !== source.length) fail('unbalanced )');
  return longest;
}

/**
 * Calls `onMatch` with every match a global `pattern` finds in `parts.join('')`, in order, as `exec` would find them
 * there (with its position there), without that string: parts are matched in chunks, long parts in place. A match of at most `maxChars`
 * characters (see maxMatchLength) starting at a position is decided by the character before it and the
 * `maxChars + 1` from it (a closing `\b` reads one past the end), so a chunk's matches are taken only where the
 * chunk holds all those characters, and the next chunk starts with the characters still undecided. The pattern
 * must not use `^`, `$` or the `m`/`y` flags (a chunk's ends are not the text's) and must not match empty text.
 */
export function forEachMatchInParts(
  parts: readonly string[],
  pattern: RegExp,
  maxChars: number,
  onMatch: (match: RegExpExecArray, at: number) => void,
): void {
  if (!pattern.global || pattern.sticky || pattern.multiline)
    throw new Error(`forEachMatchInParts: ${pattern} must be global, not sticky or multiline`);
  const reach = maxChars + 1;
  // A long part's head, read with the text before it, must stop short of the part's end.
  if (reach + 1 >= IN_PLACE_PART_CHARS)
    throw new Error(`forEachMatchInParts: matches of ${maxChars} are too long`);
  // window holds the text from `start` on; `next` is where the next match may begin.
  let window = '';
  let start = 0;
  let next = 0;
  const pending: string[] = [];
  let pendingChars = 0;
  const scan = (final: boolean): void => {
    const end = start + window.length;
    pattern.lastIndex = next - start;
    for (let match = pattern.exec(window); match !== null; match = pattern.exec(window)) {
      if (!final && start + match.index + reach > end) break;
      if (match[0] === '') throw new Error(`forEachMatchInParts: ${pattern} matched empty text`);
      onMatch(match, start + match.index);
      next = start + pattern.lastIndex;
    }
    if (final) return;
    // Every start before end - reach is decided; keep one character before `next` for a leading \b.
    next = Math.max(next, end - reach);
    const keep = Math.max(next - 1, start);
    window = window.slice(keep - start);
    start = keep;
  };
  const takePending = (): void => {
    if (pendingChars === 0) return;
    // The undecided text joined with the parts into one flat string: `window + joined` would be a cons string that
    // exec copies once more to read it.
    if (window !== '') pending.unshift(window);
    window = pending.join('');
    pending.length = 0;
    pendingChars = 0;
  };
  for (const part of parts) {
    if (part.length < IN_PLACE_PART_CHARS) {
      pending.push(part);
      pendingChars += part.length;
      if (pendingChars >= CHUNK_CHARS) {
        takePending();
        scan(false);
      }
      continue;
    }
    // The text before the part with the part's head decides every start up to the part's second character ...
    const partStart = start + window.length + pendingChars;
    pending.push(part.slice(0, reach + 1));
    pendingChars += reach + 1;
    takePending();
    scan(false);
    // ... and the part itself (read where it is, not copied) the starts after.
    window = part;
    start = partStart;
    scan(false);
  }
  takePending();
  scan(true);
}
