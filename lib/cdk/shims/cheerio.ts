// Bundling alias for `cheerio` in the Lambda bundles (see lib/cdk/bundling.ts). The same parse5-backed `load`
// and statics the code and tests use, without the entry point's network and stream helpers (fromURL,
// loadBuffer, decodeStream): they import undici and iconv-lite, ~1 MB minified that no handler calls.
export * from '../../../node_modules/cheerio/dist/esm/load-parse.js';
export { contains, merge } from '../../../node_modules/cheerio/dist/esm/static.js';
