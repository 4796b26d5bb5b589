// Language tags from html[lang], content-language, og:locale and JSON-LD inLanguage, normalized to BCP 47.
import { LETTER_RUNS } from './letters.ts';

/** `en_US` → `en-US`, `EN-us` → `en-US`, `zh-hant-tw` → `zh-Hant-TW`; undefined for anything not a language tag. */
export function normalizeLanguageTag(raw: unknown): string | undefined {
  if (typeof raw !== 'string') return undefined;
  // content-language may list several languages; the first is the main one.
  const first = raw.split(/[,;\s]/).find((part) => part !== '');
  if (first === undefined) return undefined;
  const candidate = first.replace(/_/g, '-');
  if (!/^[a-zA-Z]{2,3}(-[a-zA-Z0-9]{2,8})*$/.test(candidate)) return undefined;
  try {
    const [canonical] = Intl.getCanonicalLocales(candidate);
    if (canonical === undefined || /^(und|zxx|mul|mis)\b/i.test(canonical)) return undefined;
    // Canonicalization can add or reorder subtags; keep only what the Article schema accepts.
    return /^[a-zA-Z]{2,3}(-[a-zA-Z0-9]{2,8})*$/.test(canonical) ? canonical : undefined;
  } catch {
    return undefined;
  }
}

/** Right-to-left scripts' languages, for a direction when the page does not say. */
const RTL_LANGUAGES = new Set([
  'ar',
  'arc',
  'dv',
  'fa',
  'ha',
  'he',
  'khw',
  'ks',
  'ku',
  'ps',
  'sd',
  'ur',
  'yi',
]);

export function directionForLanguage(language: string | undefined): 'rtl' | undefined {
  if (language === undefined) return undefined;
  const primary = language.split('-')[0]?.toLowerCase() ?? '';
  return RTL_LANGUAGES.has(primary) ? 'rtl' : undefined;
}

// ---------------------------------------------------------------------------------------------------------------
// Detection when the page declares no language: the script, then frequent function words for Latin-script
// languages. A compact table instead of a detector package: tinyld's smallest build is 81 KB minified, franc-min
// 175 KB, eld 9 MB, against a 40 KB budget for all of the metadata work (benchmark/metadata.ts measures accuracy).

/** Scripts that name one language (or one family, narrowed below). */
export const SCRIPT_LANGUAGES: [RegExp, string][] = [
  [/[\p{Script=Hiragana}\p{Script=Katakana}]/gu, 'ja'],
  [/\p{Script=Hangul}/gu, 'ko'],
  [/\p{Script=Han}/gu, 'zh'],
  [/\p{Script=Cyrillic}/gu, 'ru'],
  [/\p{Script=Greek}/gu, 'el'],
  [/\p{Script=Arabic}/gu, 'ar'],
  [/\p{Script=Hebrew}/gu, 'he'],
  [/\p{Script=Thai}/gu, 'th'],
  [/\p{Script=Devanagari}/gu, 'hi'],
  [/\p{Script=Georgian}/gu, 'ka'],
  [/\p{Script=Armenian}/gu, 'hy'],
];

/** The most frequent function words of Latin-script languages (a word counts for every language listing it). */
const FUNCTION_WORDS: Record<string, string> = {
  en: 'the and of to in is that for it with as was on are this be by not you have from or at',
  de: 'der die und das ist nicht ein eine zu den mit sich des auf für im dem auch es wird von sie',
  fr: 'le les et des est une un du que dans pour qui pas sur au avec il elle sont ce par plus',
  es: 'el los las de que y en un una es por con para del se no lo al como más su pero',
  it: 'il di che e un una per non sono del della con gli è si nel alla anche ha come più',
  pt: 'o os de que e do da em um uma para com não por se na no dos é mais ao como',
  nl: 'de het een en van is dat op te in niet met voor zijn er ook maar als bij om',
  pl: 'i w na się nie z do to że jest jak o od przez dla są po ale tak czy',
  tr: 've bir bu da de için ile olarak çok daha gibi olan en ne ama kadar sonra değil var',
  sv: 'och att det som en är på för med av den till inte har jag om ett',
  da: 'og at det som en er på for med af den til ikke har jeg om et de',
  fi: 'ja on ei se että oli ovat mutta kun tai myös hän kuin jo',
  cs: 'a se na je že to v s z do jako ale by o pro jsou',
  hu: 'a az és hogy nem is egy ez meg de van csak mint már',
  ro: 'și de la în cu pe că nu o un mai este sau din pentru care',
  id: 'yang dan di ini itu dengan untuk dari tidak dalam akan pada ada juga',
  vi: 'và của là có trong được cho không những các một người với này',
};
const WORD_LANGUAGES = new Map<string, string[]>();
for (const [language, words] of Object.entries(FUNCTION_WORDS)) {
  for (const word of words.split(' '))
    WORD_LANGUAGES.set(word, [...(WORD_LANGUAGES.get(word) ?? []), language]);
}

/**
 * Every character of the scripts of SCRIPT_LANGUAGES is in these ranges (Greek opens at U+0370; between U+2000 and
 * U+2BFF, the punctuation, currency and symbol blocks, only the Ohm sign is Greek). A text with none of them, which is
 * most Latin-script text (curly quotes and dashes are U+20xx), needs none of those patterns: each builds its script's
 * character set through ICU when it is compiled and scans the text once more. The test proves the ranges cover them.
 */
export const SCRIPT_LANGUAGE_CHAR = /[\u0370-\u1fff\u2126\u2c00-\uffff]/;

const MIN_SCRIPT_CHARS = 20;
const MIN_WORDS = 12;
/** Latin letters (global: for String.prototype.match only). */
const LATIN_LETTERS = /\p{Script=Latin}/gu;
const MIN_HITS = 4;
const MIN_MARGIN = 1.15;

/** The language of a text sample (a primary subtag), or undefined when it is too short or unclear. */
export function detectLanguage(sample: string): string | undefined {
  const text = sample.slice(0, 5000);
  let bestScript: string | undefined;
  let bestScriptCount = 0;
  const scripts = SCRIPT_LANGUAGE_CHAR.test(text) ? SCRIPT_LANGUAGES : [];
  for (const [pattern, language] of scripts) {
    const count = text.match(pattern)?.length ?? 0;
    if (count > bestScriptCount) {
      bestScriptCount = count;
      bestScript = language;
    }
  }
  if (
    bestScript !== undefined &&
    bestScriptCount >= MIN_SCRIPT_CHARS &&
    bestScriptCount > (text.match(LATIN_LETTERS)?.length ?? 0) / 2
  ) {
    // Japanese mixes Han with kana; Chinese has no kana.
    if (bestScript === 'zh' && (text.match(/[\p{Script=Hiragana}\p{Script=Katakana}]/gu)?.length ?? 0) > 5)
      return 'ja';
    if (bestScript === 'ru') {
      if (/[іїєґ]/iu.test(text)) return 'uk';
      if ((text.match(/ъ/gu)?.length ?? 0) > 3 && !/ы/u.test(text)) return 'bg';
    }
    if (bestScript === 'ar' && (text.match(/[پچژگ]/gu)?.length ?? 0) > 3) return 'fa';
    return bestScript;
  }
  const words = text.toLowerCase().match(LETTER_RUNS) ?? [];
  if (words.length < MIN_WORDS) return undefined;
  const hits = new Map<string, number>();
  for (const word of words) {
    for (const language of WORD_LANGUAGES.get(word) ?? []) hits.set(language, (hits.get(language) ?? 0) + 1);
  }
  const ranked = [...hits.entries()].sort((a, b) => b[1] - a[1]);
  const [best, second] = ranked;
  if (best === undefined || best[1] < MIN_HITS) return undefined;
  if (second !== undefined && best[1] < second[1] * MIN_MARGIN) return undefined;
  return best[0];
}
