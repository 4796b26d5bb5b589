// Per-page answers of the metadata readers live on the page's index (PageIndex.memo), not in module-level WeakMaps,
// whose entries V8's young-generation collections keep alive: each page's whole tree was copied and promoted.
import { describe, expect, it } from 'vitest';
import { parseHtml } from '../../lib/core/extract/index.ts';
import { headlineAncestors } from '../../lib/core/extract/metadata-context.ts';
import { notePageUrls } from '../../lib/core/extract/metadata-dateline.ts';
import { indexPage } from '../../lib/core/extract/metadata-dom.ts';

const PAGE =
  '<html><body><main><article><h1>Harbour ferry returns</h1><p>By Ann Lee</p></article></main></body></html>';

describe('PageIndex.memo', () => {
  it('starts empty on every page and keeps what the readers work out for that page only', () => {
    const first = indexPage(parseHtml(PAGE)._root);
    const second = indexPage(parseHtml(PAGE)._root);
    expect(first.memo).toEqual({ headlineAncestors: undefined, datedListKinds: undefined, urls: undefined });
    const ancestors = headlineAncestors(first);
    expect([...ancestors].map((element) => element.name)).toEqual(['article', 'main', 'body', 'html']);
    expect(first.memo.headlineAncestors).toBe(ancestors);
    expect(headlineAncestors(first)).toBe(ancestors);
    expect(second.memo.headlineAncestors).toBeUndefined();
    const urls = {
      page: new URL('https://ledger.example.com/a'),
      base: new URL('https://ledger.example.com/'),
    };
    notePageUrls(first, urls);
    expect(first.memo.urls).toBe(urls);
    expect(second.memo.urls).toBeUndefined();
  });
});
