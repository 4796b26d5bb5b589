// Whole-process runner for @mozilla/readability over jsdom: the page text from disk, new JSDOM(html, { url }),
// then new Readability(document).parse(); its whole result out as a JSON line.
import { readFileSync } from 'node:fs';
import { Readability } from '@mozilla/readability';
import { JSDOM, VirtualConsole } from 'jsdom';
import { runPages } from './common.ts';

const quietConsole = new VirtualConsole();
runPages(({ url, file }) => {
  const dom = new JSDOM(readFileSync(file, 'utf8'), { url, virtualConsole: quietConsole });
  try {
    return { url, ...new Readability(dom.window.document).parse() };
  } finally {
    dom.window.close();
  }
});
