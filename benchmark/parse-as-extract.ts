// The page preparation extract() does before it parses (lib/core/extract/index.ts), without its size refusals:
// for diagnosis scripts that run the extractor's stages one by one on decoded corpus pages.
import {
  closeUnclosedCdata,
  dropNonContentMarkup,
  limitNesting,
  MAX_NESTING_DEPTH,
  parseHtml,
  SOFT_HTML_CHARS,
} from '../lib/core/extract/index.ts';

export function parseAsExtractDoes(html: string): ReturnType<typeof parseHtml> {
  const prepared = html.length > SOFT_HTML_CHARS ? dropNonContentMarkup(html) : html;
  return parseHtml(limitNesting(closeUnclosedCdata(prepared), MAX_NESTING_DEPTH));
}
