/**
 * Text normalization for near-duplicate detection: what a syndicating outlet changes around a story without
 * changing the story. Every pattern is in this one table; they are general (agency wire conventions), never
 * per site.
 */
export const DEDUP_PATTERNS = {
  /**
   * A dateline opening the first paragraph: a place in capitals or followed by an agency in parentheses, an
   * optional date, then a dash or colon: "ANKARA (AA) - ", "WASHINGTON (Reuters) — ", "PARIS, Dec 2 (AFP) -",
   * "LONDON — ", "Berlin (dpa) - ".
   */
  dateline: [
    // Upper-case place (one to four words), optional ", date", optional "(agency)", then the dash.
    /^\p{Lu}[\p{Lu}.'’ -]{1,40}(?:,\s*[^\n()–—]{1,40}?)?\s*(?:\([^()\n]{1,40}\))?\s*[-–—:]\s+/u,
    // Any-case place of one to four words followed by "(agency)" and a dash.
    /^\p{Lu}[\p{L}.'’-]*(?:[ ,]+[\p{L}\d.'’-]+){0,5}\s*\([^()\n]{1,40}\)\s*[-–—:]\s+/u,
  ],
  /** Whole short paragraphs that credit an agency or the reporting, not the story. */
  creditParagraph: [
    /^\(?\s*(?:additional\s+)?(?:reporting|writing|editing|compiled|translated|photos?)\s+by\b/iu,
    /^(?:©|\(c\)|copyright\b)/iu,
    /\ball rights reserved\b/iu,
    /^(?:source|sources|quelle|fuente|fonte|kaynak|bron|źródło|источник)\s*:/iu,
    /^[-–—]?\s*\(?\s*(?:with\s+)?(?:ap|afp|reuters|dpa|aa|anadolu(?:\s+agency)?|efe|ansa|xinhua|upi|pa|kyodo|yonhap|tass|ians|pti|bloomberg|associated press|agence france-presse)(?:\s*(?:\/|,|and|&)\s*[\p{L}. ]{1,30})?\s*\)?\s*\.?$/iu,
    /\b(?:published|is published)\s+from\s+(?:a\s+)?(?:wire|syndicated|agency)\s+(?:agency\s+)?feed\b/iu,
  ],
  /**
   * A photo caption: a short paragraph closed by a photo credit of at most five words ("… Photo: Reuters",
   * "(Foto: dpa)", "Bild: Keystone", "Image : Getty Images"). Templates move, add and drop captions; they are not the story.
   */
  captionCredit:
    /(?:^|[\s.([])(?:photo(?:graph)?s?|photo\s+credit|credit|image|picture|pic|foto(?:grafía|grafia|graf|ğraf)?|bild|crédit\s+photo|источник\s+фото|фото)\s*:\s*[^\s:()[\]]+(?:\s+[^\s:()[\]]+){0,4}\s*[)\]]?\s*\.?$/iu,
  /** An agency credit closing a paragraph: "… the ministry said. (AFP)" / "… - Reuters". */
  trailingCredit:
    /\s*(?:\(\s*(?:ap|afp|reuters|dpa|aa|efe|ansa|xinhua|upi|kyodo|yonhap|tass|ians|pti)\s*\)|[-–—]\s*(?:ap|afp|reuters|dpa|efe|ansa|xinhua|upi)\s*)\.?$/iu,
  /** A word; characters of scripts written without spaces (Han, kana, Thai…) are a token each. */
  token:
    /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Thai}\p{Script=Lao}\p{Script=Khmer}\p{Script=Myanmar}]|[\p{L}\p{N}\p{M}]+/gu,
} as const;

/** Paragraphs shorter than this many tokens (labels such as "Advertisement", "Photo: …") carry no story. */
export const MIN_PARAGRAPH_TOKENS = 4;
/** A credit paragraph is short; a long paragraph that happens to mention an agency is story text. */
const MAX_CREDIT_PARAGRAPH_TOKENS = 30;

/** A paragraph of the story, normalized; captions stay in the text compared but never make the lead. */
export interface NormalizedParagraph {
  tokens: string[];
  caption: boolean;
}

/**
 * The story's paragraphs as lists of normalized tokens: case folded (NFKC, lower case), punctuation dropped, the
 * lead's dateline and agency credit lines removed, label-sized paragraphs dropped. The headline is not part of
 * the input (outlets rewrite headlines; the body is what they copy).
 */
export function normalizedParagraphs(text: string): string[][] {
  return normalizedStory(text).map((paragraph) => paragraph.tokens);
}

/** normalizedParagraphs, each marked when it reads as a photo caption (a short paragraph closed by a credit). */
export function normalizedStory(text: string): NormalizedParagraph[] {
  const paragraphs = text
    .split(/\n\s*\n|\r\n\s*\r\n/)
    .map((paragraph) => paragraph.replace(/\s+/g, ' ').trim())
    .filter((paragraph) => paragraph.length > 0);
  const out: NormalizedParagraph[] = [];
  let lead = true;
  for (let paragraph of paragraphs) {
    if (lead) {
      for (const dateline of DEDUP_PATTERNS.dateline) paragraph = paragraph.replace(dateline, '');
    }
    const tokens = tokenize(paragraph);
    const short = tokens.length <= MAX_CREDIT_PARAGRAPH_TOKENS;
    if (short && isCredit(paragraph)) continue;
    const caption = short && DEDUP_PATTERNS.captionCredit.test(paragraph);
    paragraph = paragraph.replace(DEDUP_PATTERNS.trailingCredit, '');
    const kept = paragraph === '' ? [] : tokenize(paragraph);
    if (kept.length < MIN_PARAGRAPH_TOKENS) continue;
    out.push({ tokens: kept, caption });
    lead = false;
  }
  return out;
}

function isCredit(paragraph: string): boolean {
  return DEDUP_PATTERNS.creditParagraph.some((pattern) => pattern.test(paragraph));
}

export function tokenize(text: string): string[] {
  return text.normalize('NFKC').toLowerCase().match(DEDUP_PATTERNS.token) ?? [];
}
