import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { build } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BUNDLE_TARGET } from '../../lib/cdk/bundling.ts';
import type { extract as Extract } from '../../lib/core/extract/index.ts';

// Every stage's patterns are built once, at module load. A RegExp built inside a stage function is built again at
// every call, and esbuild writes each `\p{…}` escape outside a character class as `new RegExp(…)`, so a literal like
// `/^\p{Lu}/u` inside a function counts too (lib/core/extract/letters.ts). vitest's own transform keeps such
// literals as they are, so the test runs extract() as the Lambda bundles ship it: bundled by esbuild for their target.
const PAGES = [
  '../fixtures/extract/harbour-story.html',
  '../fixtures/metadata/pages/news-article.html',
  '../fixtures/metadata/pages/no-article.html',
].map((path) => readFileSync(new URL(path, import.meta.url)));
const URL_OF_PAGE = 'https://ledger.example.com/news/2024/harbour-ferry-returns';

let bundleDir: string;
let bundledExtract: typeof Extract;
let bundledInputs: string[];

beforeAll(async () => {
  bundleDir = mkdtempSync(join(tmpdir(), 'bundled-extract-'));
  const outfile = join(bundleDir, 'extract.mjs');
  const result = await build({
    entryPoints: [new URL('../../lib/core/extract/index.ts', import.meta.url).pathname],
    outfile,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: BUNDLE_TARGET,
    logLevel: 'error',
    metafile: true,
  });
  bundledInputs = Object.keys(result.metafile.inputs);
  bundledExtract = ((await import(pathToFileURL(outfile).href)) as { extract: typeof Extract }).extract;
});
afterAll(() => rmSync(bundleDir, { recursive: true, force: true }));

/** How many RegExp objects `run` builds through the global constructor. */
function regExpsBuiltBy(run: () => void): number {
  const original = globalThis.RegExp;
  let built = 0;
  globalThis.RegExp = new Proxy(original, {
    construct(target, args, newTarget) {
      built++;
      return Reflect.construct(target, args, newTarget);
    },
  });
  try {
    run();
  } finally {
    globalThis.RegExp = original;
  }
  return built;
}

describe('extract(), bundled as it ships', () => {
  it('loads no cheerio: the stages take the parsed document, so its API and css-select stay out', () => {
    // cheerio's load() made a class per page and pulled ~135 KB (cheerio, css-select, css-what, nth-check) into
    // every process start for a document handle the stages only unwrapped.
    expect(
      bundledInputs.filter((path) => /node_modules[\\/](?:cheerio|css-select|css-what)[\\/]/.test(path)),
    ).toEqual([]);
    expect(bundledInputs.some((path) => /node_modules[\\/]htmlparser2[\\/]/.test(path))).toBe(true);
  });

  it('builds no regular expression while extracting pages', () => {
    // The first pass may fill tables built on first use; the second must build nothing.
    for (const html of PAGES) bundledExtract({ html, url: URL_OF_PAGE });
    const built = regExpsBuiltBy(() => {
      for (const html of PAGES) bundledExtract({ html, url: URL_OF_PAGE });
    });
    expect(built).toBe(0);
  });
});
