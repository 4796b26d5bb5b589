// `he` as node-html-parser (under node-html-markdown) calls it, over the `entities` package the HTML parser
// already ships: lib/cdk/bundling.ts aliases `he` to this module in the Lambda bundles, which saves he's own
// ~75 KB of entity tables. Tests and the embedded stack use `he` itself.
import { decodeHTML, escapeUTF8 } from 'entities';

/** Decodes HTML character references as a browser does in text (legacy ones without `;` included). */
export function decode(text: string): string {
  return decodeHTML(text);
}

/** Escapes the characters markup needs escaped; node-html-parser calls it only when text is assigned. */
export function encode(text: string): string {
  return escapeUTF8(text);
}

export default { decode, encode };
