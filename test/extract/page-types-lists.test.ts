// Listing, collection and product pages: the list of items is the content (page-types/region.ts, product.ts).
import { describe, expect, it } from 'vitest';
import { parseHtml } from '../../lib/core/extract/index.ts';
import { extractPageRegion } from '../../lib/core/extract/page-types/region.ts';

const ITEMS = [
  [
    'Walking the coast path in winter',
    'Short days, empty beaches and where to stay when the cafés are shut.',
  ],
  ['A week of soups from one stock', 'One pot of stock on Sunday becomes five different dinners.'],
  [
    'Fixing a slow bicycle puncture',
    'Find the thorn before you patch, or the new tube goes flat by Tuesday.',
  ],
  ['Seed swaps near you', 'Bring what you saved from last summer and leave with something new to grow.'],
] as const;

/** A list of linked item cards; `card` wraps each title and teaser. */
function itemList(card: (title: string, teaser: string, index: number) => string): string {
  return ITEMS.map(([title, teaser], index) => card(title, teaser, index)).join('\n');
}

describe('listing and collection regions', () => {
  const pageUrl = new URL('https://magazine.example/topics/outdoors/');

  it('reads a page wrapped whole in one <form> (ASP.NET WebForms), still dropping a form inside it', () => {
    const html = `<html><body><form id="aspnetForm" action="/topics.aspx">
      <div class="top"><a href="/">Magazine</a></div>
      <h1>Outdoors</h1>
      ${itemList((title, teaser, i) => `<div class="item"><h3><a href="/p/${i}">${title}</a></h3><p>${teaser}</p></div>`)}
      <form class="search"><label>Search the archive</label><input name="q"></form>
    </form></body></html>`;
    const content = extractPageRegion(parseHtml(html), { pageUrl });
    expect(content).toBeDefined();
    for (const [title, teaser] of ITEMS) {
      expect(content?.text).toContain(title);
      expect(content?.text).toContain(teaser);
    }
    expect(content?.text).not.toContain('Search the archive');
  });

  it("keeps an <article> card's <header> (its title) while the page's own header stays furniture", () => {
    const html = `<html><body><header><a href="/">Magazine</a> <a href="/about">About us</a></header>
      <main><h1>Outdoors</h1>
      ${itemList((title, teaser, i) => `<article><header><h2><a href="/p/${i}">${title}</a></h2></header><p>${teaser}</p></article>`)}
      </main></body></html>`;
    const content = extractPageRegion(parseHtml(html), { pageUrl });
    for (const [title, teaser] of ITEMS) {
      expect(content?.text).toContain(title);
      expect(content?.text).toContain(teaser);
    }
    expect(content?.text).not.toContain('About us');
  });

  it('keeps a furniture-named wrapper around a list of linked items that holds most of the text', () => {
    // The items are links, so the wrapper holds little unlinked text: it is told by all of its text.
    const html = `<html><body><nav><a href="/">Home</a></nav>
      <main><h1>Outdoors</h1><div class="row has-side-banner"><ul>
      ${itemList((title, teaser, i) => `<li><a href="/p/${i}"><strong>${title}</strong> ${teaser}</a></li>`)}
      </ul></div><div class="promo-banner"><a href="/sale">Winter sale</a></div></main></body></html>`;
    const content = extractPageRegion(parseHtml(html), { pageUrl });
    for (const [title, teaser] of ITEMS) {
      expect(content?.text).toContain(title);
      expect(content?.text).toContain(teaser);
    }
    expect(content?.text).not.toContain('Winter sale');
  });

  it("drops the links and buttons most items repeat (the list's interface), not their repeated values", () => {
    const html = `<html><body><main><h1>Outdoors</h1><div class="list">
      ${itemList(
        (title, teaser, i) => `<div class="item"><h3><a href="/p/${i}">${title}</a></h3><p>${teaser}</p>
        <span class="kind">Free entry</span><a class="more" href="/p/${i}">Read more</a>
        <button type="button">Save for later</button></div>`,
      )}
      </div><p><a href="/all">Read more</a> in the archive of past issues and the full index of topics.</p></main></body></html>`;
    const content = extractPageRegion(parseHtml(html), { pageUrl });
    for (const [title, teaser] of ITEMS) {
      expect(content?.text).toContain(title);
      expect(content?.text).toContain(teaser);
    }
    expect(content?.text).not.toContain('Save for later');
    // A value every item shares is data; the link outside the items is the page's.
    expect(content?.text.split('Free entry').length).toBe(ITEMS.length + 1);
    expect(content?.text.split('Read more').length).toBe(2);
  });

  it("sets apart sibling elements that meet without whitespace (a card's brand and name, a label and its value)", () => {
    const html = `<html><body><main><h1>Outdoors</h1>
      ${itemList(
        (title, teaser, i) =>
          `<div class="card"><a href="/p/${i}"><span class="brand">Acme</span><span class="name">${title}</span></a><div class="spec"><span>Type</span><!--f--><span>Guide</span></div><p>${teaser}</p></div>`,
      )}</main></body></html>`;
    const content = extractPageRegion(parseHtml(html), { pageUrl });
    expect(content?.text).toContain(`Acme ${ITEMS[0][0]}`);
    expect(content?.text).toContain('Type Guide');
  });
});
