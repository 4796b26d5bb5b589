// extract()'s own parse of a page (parseHtml, no cheerio) with cheerio's API laid over the same nodes, for tests
// that select elements or render the tree around what they hand the stages.
import { type CheerioAPI, load } from 'cheerio/slim';
import { parseHtml, parseHtmlPieces } from '../../lib/core/extract/index.ts';

const RENDER_OPTIONS = { xml: { xmlMode: false, decodeEntities: true } };

export function cheerioPage(html: string): CheerioAPI {
  return load(parseHtml(html)._root, RENDER_OPTIONS);
}

export function cheerioPieces(pieces: string[]): CheerioAPI {
  return load(parseHtmlPieces(pieces)._root, RENDER_OPTIONS);
}
