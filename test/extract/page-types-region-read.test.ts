// When extract() reads the page's region beside the generic text of an article-filed page: only when the region's
// text could be long enough to take the generic text for a piece of it (plainTextLengthBound).
import { afterAll, beforeAll, describe, expect, it, type Mock, vi } from 'vitest';

const REGION = '../../lib/core/extract/page-types/region.ts';

const STORY =
  'The harbour stayed closed for a second day on Tuesday as the storm pushed waves over the outer wall. Ferry crews waited in the town, and the fish market moved its morning sale to the old rope works on the hill above the quay.';

/** A story beside a block of `links` short section links: the links outweigh the story's text. */
function pageWithLinks(links: number): string {
  const items = Array.from({ length: links }, (_, i) => `<div><a href="/s/${i}">Section ${i} news</a></div>`);
  return `<html><head><title>Storm closes the harbour</title></head><body><div class="links">${items.join('')}</div>
    <article><h1>Storm closes the harbour</h1><p>${STORY}</p><p>${STORY}</p></article></body></html>`;
}

describe('the region beside an article', () => {
  // Test files share a worker's modules (isolate: false): the extractor is imported afresh with the region's
  // extraction watched, and the shared modules are left as they were.
  let extract: typeof import('../../lib/core/extract/index.ts').extract;
  let extractPageRegion: Mock;
  beforeAll(async () => {
    vi.resetModules();
    vi.doMock(REGION, async (importOriginal) => {
      const actual = await importOriginal<typeof import('../../lib/core/extract/page-types/region.ts')>();
      return { ...actual, extractPageRegion: vi.fn(actual.extractPageRegion) };
    });
    ({ extract } = await import('../../lib/core/extract/index.ts'));
    extractPageRegion = (await import(REGION)).extractPageRegion as Mock;
  });
  afterAll(() => {
    vi.doUnmock(REGION);
    vi.resetModules();
  });

  it('is not read when even all the page text could not make the story a sliver of it', () => {
    extractPageRegion.mockClear();
    const result = extract({ html: pageWithLinks(200), url: 'https://news.example/harbour-closed-by-storm' });
    expect(result.ok && result.value.content.text).toContain('fish market');
    expect(extractPageRegion).not.toHaveBeenCalled();
  });

  it('is read when the page holds enough text for that', () => {
    extractPageRegion.mockClear();
    extract({ html: pageWithLinks(1000), url: 'https://news.example/harbour-closed-by-storm' });
    expect(extractPageRegion).toHaveBeenCalledTimes(1);
  });
});
