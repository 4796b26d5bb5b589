// The headline a reader sees: the declared title (JSON-LD, og:title, <title>…) without the site-name and section
// affixes sites add to it ("Headline | Site", "Site – Headline", "Opinion | Headline", "見出し：サイト名"), and
// the visible h1 when it agrees with that title.

/** Separators between a headline and its affixes, spaced ASCII ones and unspaced full-width ones. */
const AFFIX_SEPARATOR =
  /\s+(?:[|\-–—•·»«/\\>~:_]|::|\|\|)\s+|\s*[｜：]\s*|\s+[|_](?=\S)|(?<=\S)\|\s+|(?<=[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}？！。])_/gu;

/** A trailing bracketed affix: "Headline [Site]", "Headline (Site)", "見出し（サイト）". */
const BRACKETED_SUFFIX = /\s*[[(（【]([^[\]()（）【】]{2,60})[\])）】]\s*$/u;

/** Section labels sites put beside a headline; removed only as a whole affix, never from inside a headline. */
const SECTION_LABELS = new Set([
  'blog',
  'blogs',
  'news',
  'latest news',
  'opinion',
  'opinions',
  'article',
  'articles',
  'insights',
  'resources',
  'resource',
  'guides',
  'guide',
  'magazine',
  'stories',
  'press',
  'press release',
  'press releases',
  'home',
  'features',
  'analysis',
  'commentary',
  'editorial',
  'column',
  'columns',
  'review',
  'reviews',
  'podcast',
  'video',
  'videos',
  'learn',
  'learning center',
  'knowledge base',
  'help center',
  'updates',
  'actualités',
  'actualites',
  'nachrichten',
  'noticias',
  'notizie',
  'notícias',
  'nieuws',
  'aktualności',
  'новости',
  'haberler',
  'ニュース',
  '新闻',
  '뉴스',
]);

/** A section label ("Blog", "News", "Nachrichten") is never a headline. */
export function isSectionLabel(value: string): boolean {
  return SECTION_LABELS.has(value.trim().toLowerCase());
}

/** Host labels that are not the site's name: www, country and generic second-level domains. */
const NON_NAME_LABELS = new Set([
  'www',
  'm',
  'amp',
  'blog',
  'news',
  'co',
  'com',
  'org',
  'net',
  'ac',
  'gov',
  'edu',
]);

const MIN_NAME_CHARS = 3;

export const normalizeName = (value: string) =>
  value
    .normalize('NFKC')
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]+/gu, '');

/** The name a domain stands for: "www.the-coastal-ledger.co.uk" → "thecoastalledger". */
export function domainName(hostname: string): string | undefined {
  const labels = hostname.toLowerCase().split('.').filter(Boolean);
  if (labels.length < 2) return undefined;
  labels.pop();
  while (labels.length > 1 && NON_NAME_LABELS.has(labels[labels.length - 1] ?? '')) labels.pop();
  const label = labels.filter((candidate) => !NON_NAME_LABELS.has(candidate)).pop();
  const name = label === undefined ? undefined : normalizeName(label);
  return name !== undefined && name.length >= MIN_NAME_CHARS ? name : undefined;
}

/** Whether an affix names the site: equal to a site name, or one contains the other (both long enough). */
function namesSite(affix: string, siteNames: readonly string[], people: readonly string[] = []): boolean {
  if (SECTION_LABELS.has(affix.trim().toLowerCase())) return true;
  const normalized = normalizeName(affix);
  if (normalized.length < MIN_NAME_CHARS) return false;
  // An author's name as an affix ("Headline - Jane Doe - Site") only when it is exactly the name.
  if (people.some((person) => normalizeName(person) === normalized)) return true;
  return siteNames.some((raw) => {
    const name = normalizeName(raw);
    if (name.length < MIN_NAME_CHARS) return false;
    return normalized === name || normalized.includes(name) || name.includes(normalized);
  });
}

/** A pipe-separated tail of at most this many words is an affix when the rest keeps MIN_HEADLINE_WORDS words. */
const MAX_PIPE_TAIL_WORDS = 5;
const MIN_HEADLINE_WORDS = 3;
const wordCount = (value: string) => value.split(/\s+/).filter(Boolean).length;

interface Segment {
  text: string;
  /** Offset of the segment in the title. */
  start: number;
  end: number;
}

function segmentsOf(title: string): Segment[] {
  const segments: Segment[] = [];
  let start = 0;
  for (const match of title.matchAll(AFFIX_SEPARATOR)) {
    const index = match.index ?? 0;
    if (index > start) segments.push({ text: title.slice(start, index), start, end: index });
    start = index + match[0].length;
  }
  if (start < title.length) segments.push({ text: title.slice(start), start, end: title.length });
  return segments.filter((segment) => segment.text.trim() !== '');
}

/**
 * Removes leading and trailing affixes that name the site (or are section labels): "Headline | Blog | Site" →
 * "Headline". The headline itself is never emptied: at least one segment stays.
 */
export function stripTitleAffixes(
  title: string,
  siteNames: readonly string[],
  people: readonly string[] = [],
): string {
  title = stripDomainPrefix(title, siteNames);
  const segments = segmentsOf(title);
  if (segments.length < 2) return stripBracketedSuffix(title, siteNames);
  let first = 0;
  let last = segments.length - 1;
  let changed = true;
  while (changed && last > first) {
    changed = false;
    if (namesSite((segments[last] as Segment).text, siteNames, people)) {
      last--;
      changed = true;
    } else if (namesSite((segments[first] as Segment).text, siteNames, people)) {
      first++;
      changed = true;
    }
  }
  // A short tail after a pipe is a tagline, section or site affix ("Headline | Top 19 Picks | Site"); so is one
  // after an underscore, which Chinese sites chain section and site names with ("标题_科技_腾讯网").
  while (
    last > first &&
    /[|｜_]/.test(title.slice((segments[last - 1] as Segment).end, (segments[last] as Segment).start)) &&
    wordCount((segments[last] as Segment).text) <= MAX_PIPE_TAIL_WORDS &&
    isHeadlineLength(title.slice((segments[first] as Segment).start, (segments[last - 1] as Segment).end))
  ) {
    last--;
  }
  if (first === 0 && last === segments.length - 1) return stripBracketedSuffix(title, siteNames);
  const stripped = title
    .slice((segments[first] as Segment).start, (segments[last] as Segment).end)
    .trim()
    .replace(/[\s|\-–—•·:｜：_]+$/u, '')
    .trim();
  return stripBracketedSuffix(stripped, siteNames);
}

/** Enough of a headline to stand without its affixes: three words, or as many characters of a CJK script. */
const MIN_HEADLINE_CJK_CHARS = 6;
function isHeadlineLength(value: string): boolean {
  return (
    wordCount(value) >= MIN_HEADLINE_WORDS ||
    (value.match(/[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Hangul}]/gu)?.length ?? 0) >=
      MIN_HEADLINE_CJK_CHARS
  );
}

/** A bracketed domain name ("Headline [Example.net]") names a site whatever the site calls itself. */
const DOMAIN_NAME = /^[\p{L}\d-]+(?:\.[\p{L}\d-]+)*\.[a-z]{2,}$/iu;

/** Words a headline keeps after an unseparated domain prefix ("example.com Vibe Coding" → "Vibe Coding"). */
const MIN_WORDS_AFTER_DOMAIN = 2;

/** The site's own domain name opening the title without a separator ("example.com Headline"): the site's affix. */
function stripDomainPrefix(title: string, siteNames: readonly string[]): string {
  const match = /^\s*(\S+)\s+(?=\S)/u.exec(title);
  const word = match?.[1];
  if (match === null || word === undefined || !DOMAIN_NAME.test(word) || !namesSite(word, siteNames))
    return title;
  const rest = title.slice(match[0].length);
  return wordCount(rest) >= MIN_WORDS_AFTER_DOMAIN ? rest : title;
}

function stripBracketedSuffix(title: string, siteNames: readonly string[]): string {
  const match = BRACKETED_SUFFIX.exec(title);
  const affix = (match?.[1] ?? '').trim();
  if (match === null || match.index === 0 || !(namesSite(affix, siteNames) || DOMAIN_NAME.test(affix)))
    return title;
  return title.slice(0, match.index).trim();
}

/** A title wrapped whole in quotation marks, without them. */
export function unwrapQuotes(title: string): string {
  const match = /^\s*["“”«„]([^"“”«»„]+)["“”»]\s*$/u.exec(title);
  return match === null ? title : (match[1] ?? title).trim();
}

/** Lower-cased word tokens (letters/digits), or single CJK characters where words are not spaced. */
function titleTokens(value: string): string[] {
  return (
    value
      .normalize('NFKC')
      .toLowerCase()
      .match(/[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}]|[\p{L}\p{N}]+/gu) ?? []
  );
}

export const foldForCompare = (value: string) =>
  value
    .normalize('NFKC')
    .replace(/[‘’‚‛′`´]/g, "'")
    .replace(/[“”„‟″«»]/g, '"')
    .replace(/\s+/g, ' ')
    .trim()
    .toLowerCase();

/** How closely a visible h1 must agree with the declared title to be preferred (see headlineAgrees). */
export type HeadlineAgreement = 'segment' | 'similar' | 'related';

/** Share of the headline's words that must be in the declared title: 'similar' and 'related' agreement. */
const HEADLINE_AGREEMENT: Record<Exclude<HeadlineAgreement, 'segment'>, number> = {
  similar: 0.6,
  related: 0.3,
};

/**
 * Whether a visible headline agrees with the declared title. 'segment': equal, or one is an affix-bounded part
 * (or a prefix/suffix) of the other; 'similar': also when most of the headline's words are in the title;
 * 'related': also when a good share of them are (sites often write a different SEO title).
 */
export function headlineAgrees(headline: string, declaredTitle: string, level: HeadlineAgreement): boolean {
  const h = foldForCompare(headline);
  const t = foldForCompare(declaredTitle);
  if (h === '' || t === '') return false;
  if (h === t) return true;
  if (segmentsOf(declaredTitle).some((segment) => foldForCompare(segment.text) === h)) return true;
  if (segmentsOf(headline).some((segment) => foldForCompare(segment.text) === t)) return true;
  if (t.startsWith(h) || t.endsWith(h) || h.startsWith(t)) return true;
  if (level === 'segment') return false;
  const headlineTokens = [...new Set(titleTokens(headline))];
  const titleSet = new Set(titleTokens(declaredTitle));
  if (headlineTokens.length === 0 || titleSet.size === 0) return false;
  const shared = headlineTokens.filter((token) => titleSet.has(token)).length;
  return shared / headlineTokens.length >= HEADLINE_AGREEMENT[level] && shared >= 2;
}
