// Author names from JSON-LD, meta tags and byline elements: "By" prefixes stripped, lists split, credentials,
// dates, URLs and handles dropped, duplicates removed.
import { NOT_NAME_WORDS } from './boilerplate.ts';
import { caseInsensitiveMatcher, caseInsensitiveTest } from './case-insensitive.ts';
import { HAS_LATIN_LETTER, HAS_LETTER, STARTS_LOWER_CASE, STARTS_WITH_LETTER } from './letters.ts';

/** "By", in the languages the extractor reads, with an optional word before it ("Written by", "Recipe by"). */
const BY_PREFIX = caseInsensitiveMatcher(
  String.raw`^(?:(?:written|posted|reported|words|text|story|stories|recipe|article|articles|posts|authored|published|compiled|created|geschrieben|escrito|écrit|scritto|publicado|publié|veröffentlicht)\s+)?(?:by|par|von|por|door|av|di|da|de|af|przez|автор|от)\s*[:\-–—]?\s+`,
);
/** "By", "Von", "Par", "Por", "文", "記者"… opening a short line near the headline. */
export const VISIBLE_BYLINE_START = caseInsensitiveTest(
  String.raw`^(?:(?:written|posted|reported|words|text|story|recipe|article|authored|published)\s+by\b|(?:geschrieben|verfasst)\s+von\b|(?:escrito|publicado)\s+por\b|(?:écrit|publié)\s+par\b|scritto\s+da\b|by\b|von\b|par\b|por\b|door\b|di\b|przez\b|av\b|af\b|от\b|(?:автор\p{L}{0,2}|yazar|autor(?:es|en|e|i)?|auteurs?|authors?)(?!\p{L})|texte?\s*:|tekst\s*:|文\s*[:：/／]|記者|著者|作者|撰文|글\s*[:：])`,
);
/** A label before the names: "Author:", "Autor:", "文／", "記者 ", "著者：". */
const LABEL_PREFIX = caseInsensitiveMatcher(
  String.raw`^(?:authors?|authored by|byline|written by|reporter|reporters|writer|autor(?:es|en|zy)?|autore|autori|auteur|auteurs|verfasser|texte?|tekst|yazar|yazan|автор|авторы|текст)\s*[:\-–—]\s*|^(?:文|記者|著者|作者|撰文|编辑|編輯|글|기자|취재)\s*[:：/／|｜]?\s*`,
);
/** An "Authors" label without its colon before a capitalised name ("Autoren Jana Vogel und Uwe Kern"). */
const LABEL_WORD_BEFORE_NAME =
  /^(?:[Aa]uthors?|[Aa]utor(?:es|en|in|innen|a)?|[Aa]uteurs?|[Aa]utor[ei]|[Aa]uteure?s?)\s+(?=\p{Lu})/u;
/** A trailing role after the name: "山田太郎 記者", "홍길동 기자", "王小明 报道". */
const ROLE_SUFFIX = /\s*(?:記者|기자|特派員|特派원|报道|報導|撰文|著)\s*$/u;
/** Words that end the author part of a byline: reviewers, editors, photographers are not the authors. */
const BYLINE_END =
  /\s*(?:\b(?:reviewed|fact[- ]checked|medically reviewed|edited|updated|photos?|photography|illustrations?|images?|video)\s+(?:by|from)\b|\|).*$/i;

/** Words that open a line of byline furniture, not a name. */
const NOT_A_NAME =
  /^(?:share|follow|last updated|subscribe|sign (?:up|in)|log ?in|comments?|updated|published|posted|advertisement|menu|more from|about( the author)?|über (?:den|die) autor|à propos|sobre (?:el|o) autor|sull'autore|autor|auteur|autore|contact|email|read more|view all|see all|all posts|the author|author|authors|written by|reviewed|how we|head of|editor|editors|editorial|staff|admin|administrator|webmaster|anonymous|unknown|guest|null|undefined|none|n\/a|by|par|von|por|home|news|blog|licensed|certified|monday|tuesday|wednesday|thursday|friday|saturday|sunday|page\.|\{\{)\b/i;

/** A month name alone is a date fragment, not a person. */
const MONTH_ALONE =
  /^(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?$/i;

/** Credentials and suffixes that a comma separates from a name: "Brenda Goodman, MA". */
const CREDENTIAL =
  /^(?:ma|ms|msc|mba|md|phd|ph\.d\.?|rn|jd|do|dds|mph|bsc|ba|bs|jr\.?|sr\.?|ii|iii|iv|esq\.?|m\.d\.?|d\.o\.?|r\.n\.?)$/i;
/** Post-nominal letters in capitals ("RD", "FAND", "DVM", "E-RYT 200"): credentials, not names. */
const CAPITAL_CREDENTIAL = /^(?:[A-Z][A-Z.-]{1,7}|[A-Z][A-Z.-]{1,7}\s+\d{1,4}|[A-Z][a-z]?\.[A-Z][a-z]?\.?)$/;

/** A trailing "on", "at", "le", "am", "el" (with a weekday: "on Monday") left after the date was cut off. */
const TRAILING_DATE_WORD = caseInsensitiveMatcher(String.raw`\s+(?:on|at|le|am|el)(?:\s+\p{L}+day)?\s*$`);
const MONTH_WORD =
  /\b(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\b\.?\s+\d/i;

const MAX_AUTHORS = 20;
const MAX_NAME_LENGTH = 80;
/** An initial ending the name ("Jane Q."): its full stop does not end a sentence. */
const TRAILING_INITIAL = /\b\p{Lu}\.$/u;
/** Avatar initials ("CM", "JD."), not a name. */
const AVATAR_INITIALS = /^\p{Lu}{1,3}\.?$/u;
const MAX_NAME_WORDS = 6;

/** Splits and cleans raw author strings (each may hold several names) into a de-duplicated list. */
export function cleanAuthorNames(raws: readonly string[]): string[] {
  const names: string[] = [];
  const seen = new Set<string>();
  for (const raw of raws) {
    for (const name of splitAuthorText(raw)) {
      const key = name.toLowerCase().normalize('NFKC');
      if (seen.has(key)) continue;
      seen.add(key);
      names.push(name);
      if (names.length >= MAX_AUTHORS) return names;
    }
  }
  return names;
}

/** One raw byline or author value → the plausible names in it. */
export function splitAuthorText(raw: string): string[] {
  const names: string[] = [];
  // A byline's first lines hold the names; later lines are dates, roles or "Updated …".
  // "By" alone on a line belongs to the name on the next one.
  // Runs of white space within a line become one space first: the patterns below open with \s*, which on a long
  // run with no separator after it tries every start (quadratic: 150 K spaces in a meta author took 6 s).
  const joined = raw
    .replace(/[^\S\n]+/g, ' ')
    .replace(
      /(^|\n)\s*((?:(?:written|posted|geschrieben|escrito|écrit|scritto|publicado|publié)\s+)?(?:by|par|von|por|door|da|przez))\s*:?\s*\n\s*/giu,
      '$1$2 ',
    );
  for (const line of joined.split(/\s*(?:\r?\n|\||•|·|⋅|∙|\u2022)\s*/)) {
    let text = line.replace(/\s+/g, ' ').trim();
    if (text === '') continue;
    text = text
      .replace(LABEL_PREFIX, '')
      .replace(LABEL_WORD_BEFORE_NAME, '')
      .replace(BY_PREFIX, '')
      .replace(BYLINE_END, '');
    text = text.replace(ROLE_SUFFIX, '');
    // "(avec X et Y)" / "(with X)": more authors; "(http://…)" or "(handle)": noise.
    text = text.replace(/\(\s*(?:avec|with|mit|con|und|and)\s+([^)]*)\)/gi, ', $1');
    text = text.replace(/\((?:[^()\s]*|[^()]*(?:https?:|www\.)[^()]*)\)/g, ' ');
    text = text.replace(/[()]/g, ' ');
    // Trailing dates, "on March 3" and the like end the names.
    const dateAt = text.search(MONTH_WORD);
    // Digits glued to a name before a date ("Nolan22 Dec 2016") go with the date.
    if (dateAt > 0) text = text.slice(0, dateAt).replace(/\d+\s*$/, '');
    text = text.replace(/\s+\d.*$/, '').replace(TRAILING_DATE_WORD, '');
    const parts = splitNameList(text);
    for (const part of parts) {
      const name = tidyName(part);
      if (name !== undefined && isPlausibleName(name)) names.push(name);
    }
    if (names.length > 0) break;
  }
  return names;
}

function splitNameList(text: string): string[] {
  const parts = text
    .split(/\s*(?:,|;|、|，|\s&\s|\s+(?:and|und|et|e|y|og|och|en|i|и|ve|ja|a)\s+)\s*/i)
    .filter(
      (part) => part.trim() !== '' && !CREDENTIAL.test(part.trim()) && !CAPITAL_CREDENTIAL.test(part.trim()),
    );
  // "Jong, Michiel de": one surname, then the given names (library-catalogue order).
  if (
    parts.length === 2 &&
    /,/.test(text) &&
    !/\s(?:and|&)\s/i.test(text) &&
    (parts[0] ?? '').trim().split(/\s+/).length === 1 &&
    (parts[1] ?? '').trim().split(/\s+/).length >= 1 &&
    /\s(?:de|van|von|der|den|da|di|le|la)$/i.test(` ${(parts[1] ?? '').trim()}`)
  ) {
    return [`${(parts[1] ?? '').trim()} ${(parts[0] ?? '').trim()}`];
  }
  return parts;
}

function tidyName(part: string): string | undefined {
  const name = part
    .replace(/^[\s\-–—:,.;'"“”]+|[\s\-–—:,;'"“”]+$/g, '')
    .replace(/\s+/g, ' ')
    .trim();
  return name === '' ? undefined : name;
}

const CJK_LETTER = /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Hangul}]/u;

/** Lower-case words allowed inside a name: particles, not sentence words ("Director of Operations"). */
const NAME_PARTICLE =
  /^(?:van|der|den|de|del|della|des|di|da|dos|das|du|le|la|von|zu|bin|binti|ibn|al|el|ter|ten|y|e|st\.?)$/;

/**
 * A person's name as written in a byline: at most six words, none of them a lower-case sentence word, not a
 * label ("Article by", "Insights from") and not an organization ("The Daily Example").
 */
export function looksLikePersonName(name: string): boolean {
  if (
    !isPlausibleName(name) ||
    /[:?!»«›‹。！？：]/.test(name) ||
    /\.$/.test(name.replace(TRAILING_INITIAL, ''))
  )
    return false;
  const words = name.split(/\s+/);
  if (words.some((word) => NOT_NAME_WORDS.has(word.toLowerCase().replace(/[.,]$/, '')))) return false;
  // A word of Latin letters glued to CJK ones ("TNW中文站") names a site or a source, not a person.
  if (words.some((word) => HAS_LATIN_LETTER.test(word) && CJK_LETTER.test(word))) return false;
  if (/^(?:the|a|an)$/i.test(words[0] ?? '')) return false;
  if (/^(?:by|from|von|par|por|de|di)$/i.test(words[words.length - 1] ?? '')) return false;
  return words.every(
    (word, index) =>
      !STARTS_LOWER_CASE.test(word) ||
      (index > 0 && NAME_PARTICLE.test(word)) ||
      !HAS_LETTER.test(word.slice(0, 1)),
  );
}

export function isPlausibleName(name: string): boolean {
  if (name.length < 2 || name.length > MAX_NAME_LENGTH) return false;
  if (/^@/.test(name) || /https?:|www\.|\.(?:com|org|net|co|io)\b|\/|@/i.test(name)) return false;
  if (/\d/.test(name)) return false;
  if (NOT_A_NAME.test(name) || MONTH_ALONE.test(name)) return false;
  // Avatar initials ("CM") and handles ("jane.doe", "brandon-peaktwo", "user123") are not names.
  if (AVATAR_INITIALS.test(name)) return false;
  if (!/\s/.test(name) && /^[\p{Ll}\d]+(?:[._-][\p{Ll}\d]+)+$/u.test(name)) return false;
  if (name.split(/\s+/).length > MAX_NAME_WORDS) return false;
  // A name opens with a letter in any script ("[Submitted", "(cs)" are not names).
  return STARTS_WITH_LETTER.test(name);
}
