// Author names from JSON-LD, meta tags and byline elements: "By" prefixes stripped, lists split, credentials,
// dates, URLs and handles dropped, duplicates removed.

const BY_PREFIX =
  /^(?:(?:written|posted|reported|words|text|story|photos?|edited)\s+)?(?:by|par|von|por|door|av|di|da|de|af|przez|автор|от)\s*[:\-–—]?\s+/i;
const LABEL_PREFIX =
  /^(?:authors?|byline|written by|reporter|reporters|autor(?:es)?|auteur|verfasser)\s*[:\-–—]\s*/i;

/** Words that open a line of byline furniture, not a name. */
const NOT_A_NAME =
  /^(?:share|follow|last updated|subscribe|sign up|log ?in|comments?|updated|published|posted|advertisement|menu|more from|about( the author)?|contact|email|read more|view all|see all|all posts|the author|author|editor|editors|staff|admin|administrator|anonymous|unknown|guest|null|undefined|none|n\/a|by|par|von|por|monday|tuesday|wednesday|thursday|friday|saturday|sunday)\b/i;

/** Credentials and suffixes that a comma separates from a name: "Brenda Goodman, MA". */
const CREDENTIAL =
  /^(?:ma|ms|msc|mba|md|phd|ph\.d\.?|rn|jd|do|dds|mph|bsc|ba|bs|jr\.?|sr\.?|ii|iii|iv|esq\.?)$/i;

const MONTH_WORD =
  /\b(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\b\.?\s+\d/i;

const MAX_AUTHORS = 20;
const MAX_NAME_LENGTH = 80;
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
  const joined = raw.replace(/(^|\n)\s*((?:written\s+)?(?:by|par|von|por|door))\s*:?\s*\n\s*/gi, '$1$2 ');
  for (const line of joined.split(/\s*(?:\r?\n|\||•|·|\u2022)\s*/)) {
    let text = line.replace(/\s+/g, ' ').trim();
    if (text === '') continue;
    text = text.replace(LABEL_PREFIX, '').replace(BY_PREFIX, '');
    // "(avec X et Y)" / "(with X)": more authors; "(http://…)" or "(handle)": noise.
    text = text.replace(/\(\s*(?:avec|with|mit|con|und|and)\s+([^)]*)\)/gi, ', $1');
    text = text.replace(/\((?:[^()\s]*|[^()]*(?:https?:|www\.)[^()]*)\)/g, ' ');
    text = text.replace(/[()]/g, ' ');
    // Trailing dates, "on March 3" and the like end the names.
    const dateAt = text.search(MONTH_WORD);
    // Digits glued to a name before a date ("Nolan22 Dec 2016") go with the date.
    if (dateAt > 0) text = text.slice(0, dateAt).replace(/\d+\s*$/, '');
    text = text.replace(/\s+\d.*$/, '').replace(/\s+(?:on|at|le|am|el)\s*$/i, '');
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
    .split(/\s*(?:,|;|、|，|\s&\s|\s+(?:and|und|et|e|y|og|och|en|i)\s+)\s*/i)
    .filter((part) => part.trim() !== '' && !CREDENTIAL.test(part.trim()));
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

export function isPlausibleName(name: string): boolean {
  if (name.length < 2 || name.length > MAX_NAME_LENGTH) return false;
  if (/^@/.test(name) || /https?:|www\.|\.(?:com|org|net|co|io)\b|\/|@/i.test(name)) return false;
  if (/\d/.test(name)) return false;
  if (NOT_A_NAME.test(name)) return false;
  if (name.split(/\s+/).length > MAX_NAME_WORDS) return false;
  // At least one letter in any script.
  return /\p{L}/u.test(name);
}
