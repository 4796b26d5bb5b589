// Whole-process runner for @mozilla/readability over linkedom: the page text from disk, parseHTML, then
// new Readability(document).parse(); its whole result (title, byline, content, textContent, ...) out as a JSON line.
import { readFileSync } from 'node:fs';
import { Readability } from '@mozilla/readability';
import { parseHTML } from 'linkedom';
import { runPages } from './common.ts';

runPages(({ url, file }) => {
  const { document } = parseHTML(readFileSync(file, 'utf8'));
  return { url, ...new Readability(document as unknown as Document).parse() };
});
