// Per-page answers of the metadata readers live on the page's index (PageIndex.memo), not in module-level WeakMaps,
// whose entries V8's young-generation collections keep alive: each page's whole tree was copied and promoted. For the
// same reason extract() empties the parsed document once the Article is made (releaseTree).
import { readFileSync } from 'node:fs';
import { DomHandler } from 'domhandler';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { extract, parseHtml } from '../../lib/core/extract/index.ts';
import { headlineAncestors } from '../../lib/core/extract/metadata-context.ts';
import { notePageUrls } from '../../lib/core/extract/metadata-dateline.ts';
import { indexPage } from '../../lib/core/extract/metadata-dom.ts';

const PAGE =
  '<html><body><main><article><h1>Harbour ferry returns</h1><p>By Ann Lee</p></article></main></body></html>';
const STORY = readFileSync(new URL('../fixtures/extract/harbour-story.html', import.meta.url));
const STORY_URL = 'https://ledger.example.com/news/2024/harbour-ferry-returns';

afterEach(() => {
  vi.restoreAllMocks();
});

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

describe('what outlives extract()', () => {
  it('keeps no per-page answer in a WeakMap', () => {
    extract({ html: STORY, url: STORY_URL });
    // Counted by hand, and nothing asserted until it is put back: vitest's spies and expect() use WeakMaps.
    const set = WeakMap.prototype.set;
    let sets = 0;
    let ok = false;
    WeakMap.prototype.set = function (this: WeakMap<WeakKey, unknown>, key, value) {
      sets++;
      return set.call(this, key, value);
    };
    try {
      ok = extract({ html: STORY, url: STORY_URL }).ok;
    } finally {
      WeakMap.prototype.set = set;
    }
    expect(ok).toBe(true);
    expect(sets).toBe(0);
  });

  it('leaves the parsed document empty once the Article is made', () => {
    const documents: DomHandler['root'][] = [];
    const onend = DomHandler.prototype.onend;
    vi.spyOn(DomHandler.prototype, 'onend').mockImplementation(function (this: DomHandler) {
      documents.push(this.root);
      onend.call(this);
    });
    const result = extract({ html: STORY, url: STORY_URL });
    expect(result.ok && result.value.content.text.length).toBeGreaterThan(0);
    expect(documents).toHaveLength(1);
    expect(documents[0]!.children).toEqual([]);
  });
});
