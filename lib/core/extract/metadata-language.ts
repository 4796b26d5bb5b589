// Language tags from html[lang], content-language, og:locale and JSON-LD inLanguage, normalized to BCP 47.

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
