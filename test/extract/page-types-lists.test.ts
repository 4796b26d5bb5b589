// Listing, collection and product pages: the list of items is the content (page-types/region.ts, product.ts).
import { describe, expect, it } from 'vitest';
import { parseHtml } from '../../lib/core/extract/index.ts';
import { extractPageRegion, PAGE_REGION } from '../../lib/core/extract/page-types/region.ts';
import { cheerioPage } from '../helpers/cheerio-page.ts';
import { countReads } from '../helpers/read-count.ts';

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

  it("keeps a card's header (its title in a 'card-header' box) while the page's header box stays furniture", () => {
    const html = `<html><body><div id="header"><a href="/">Magazine</a> <a href="/about">About us</a></div>
      <main><h1>Outdoors</h1>
      ${itemList((title, teaser, i) => `<div class="card"><div class="card-header"><h3><a href="/p/${i}">${title}</a></h3></div><p>${teaser}</p></div>`)}
      </main></body></html>`;
    const text = extractPageRegion(parseHtml(html), { pageUrl })?.text ?? '';
    for (const [title, teaser] of ITEMS) {
      expect(text).toContain(title);
      expect(text).toContain(teaser);
    }
    expect(text).not.toContain('About us');
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

describe("the region's own furniture", () => {
  const pageUrl = new URL('https://magazine.example/topics/outdoors/');

  it('drops a card shown again in another list whole, its byline and date with its title, but not a title posted twice in one list', () => {
    const card = (title: string, teaser: string, i: number) =>
      `<div class="card"><h3><a href="/p/${i}">${title}</a></h3><p>${teaser}</p><span>By Writer ${i}</span><time>${i + 2} days ago</time></div>`;
    // The same job posted twice in one list: two postings, each keeps its own company and place.
    const jobs = ['North Quay Studio, Lisbon', 'Harbour Lane Works, Porto']
      .map((place) => `<li><h3>Senior woodworker for boat repairs</h3><span>${place}</span></li>`)
      .join('');
    const html = `<html><body><main><h1>Outdoors</h1>
      <section><h2>Latest</h2>${itemList(card)}</section>
      <section><h2>This week</h2>${itemList((title, _teaser, i) => `<div class="teaser"><h4><a href="/p/${i}">${title}</a></h4><span>by Writer ${i}</span> · <span>${i + 2} days ago</span></div>`)}</section>
      <section><h2>Jobs</h2><ul>${jobs}</ul></section>
      </main></body></html>`;
    const text = extractPageRegion(parseHtml(html), { pageUrl })?.text ?? '';
    ITEMS.forEach(([title, teaser], i) => {
      // A shorter title may be a label printed in every section: its card is not taken for one seen before.
      const copies = title.length >= PAGE_REGION.minRepeatChars ? 1 : 2;
      expect(text.split(title).length - 1).toBe(copies);
      expect(text).toContain(teaser);
      expect(text.toLowerCase().split(`by writer ${i}`).length - 1).toBe(copies);
      expect(text.split(`${i + 2} days ago`).length - 1).toBe(copies);
    });
    expect(text).toContain('This week');
    expect(text.split('Senior woodworker for boat repairs').length - 1).toBe(1);
    expect(text).toContain('North Quay Studio, Lisbon');
    expect(text).toContain('Harbour Lane Works, Porto');
  });

  it("drops the list's controls (sort, result count, pager, load more) but not a sentence that starts alike", () => {
    const html = `<html><body><main><h1>Outdoors</h1>
      <div class="toolbar"><span>Showing 1–4 of 40 stories</span><label>Sort by: Newest</label></div>
      <div class="grid">${itemList((title, teaser, i) => `<div class="item"><h3><a href="/p/${i}">${title}</a></h3><p>${teaser}</p><div class="rating">4.5 out of 5 stars</div></div>`)}</div>
      <div class="more"><a href="?page=2">Load more</a></div><a class="pager" href="?page=2">Next page</a>
      <p>Read more about how we choose these stories in our editorial guidelines.</p>
      <p>Our <a href="/all">full index</a> lists every issue.</p></main></body></html>`;
    const content = extractPageRegion(parseHtml(html), { pageUrl });
    for (const [title, teaser] of ITEMS) {
      expect(content?.text).toContain(title);
      expect(content?.text).toContain(teaser);
    }
    for (const control of ['Showing 1–4', 'Sort by', 'Load more', 'Next page', 'out of 5 stars']) {
      expect(content?.text).not.toContain(control);
    }
    expect(content?.text).toContain('Read more about how we choose these stories');
    expect(content?.text).toContain('full index');
  });

  it('drops blocks of page furniture in any language (cookie notice, newsletter call, rights line) without their class', () => {
    const html = `<html><body><main><h1>Outdoors</h1>
      <div class="grid">${itemList((title, teaser, i) => `<div class="item"><h3><a href="/p/${i}">${title}</a></h3><p>${teaser}</p></div>`)}</div>
      <div class="x1">We use cookies to remember what you viewed and to count visits.</div>
      <div class="x2">Abonnieren Sie unseren Newsletter</div>
      <p>© 2025 Magazine Example Ltd. All rights reserved.</p>
      <p>Tous droits réservés à nos lecteurs qui partagent leurs photos.</p>
      <p>Every story above was walked, cooked or fixed by one of our writers before we printed it.</p>
      </main></body></html>`;
    const text = extractPageRegion(parseHtml(html), { pageUrl })?.text ?? '';
    for (const [title, teaser] of ITEMS) {
      expect(text).toContain(title);
      expect(text).toContain(teaser);
    }
    for (const furniture of ['We use cookies', 'Newsletter', 'All rights reserved', 'Tous droits réservés']) {
      expect(text).not.toContain(furniture);
    }
    expect(text).toContain('Every story above was walked');
  });

  it("keeps once a card's text printed twice in a row, but not equal values in a table", () => {
    const html = `<html><body><main><h1>Outdoors</h1>
      ${itemList((title, teaser, i) => `<div class="card"><a href="/p/${i}"><div class="media-label">${title}</div></a><h3><a href="/p/${i}">${title}</a></h3><p>${teaser}</p></div>`)}
      <table><tr><th>Plan</th><th>Basic</th><th>Plus</th></tr><tr><td>Archive</td><td>Included in plan</td><td>Included in plan</td></tr></table>
      </main></body></html>`;
    const text = extractPageRegion(parseHtml(html), { pageUrl })?.text ?? '';
    for (const [title, teaser] of ITEMS) {
      expect(text.split(title).length - 1).toBe(1);
      expect(text).toContain(teaser);
    }
    expect(text.split('Included in plan').length - 1).toBe(2);
  });

  it('keeps once a card shown again in a later module of the page, but not a value each item repeats', () => {
    // The same stories under "Latest" and again under "This week": their titles are headings seen before.
    const card = (title: string, teaser: string, i: number) =>
      `<div class="card"><h3><a href="/p/${i}">${title}</a></h3><p>${teaser}</p><span class="place">Anywhere in the world</span></div>`;
    const html = `<html><body><main><h1>Outdoors</h1>
      <section><h2>Latest</h2>${itemList(card)}</section>
      <section><h2>This week</h2>${itemList((title, _teaser, i) => `<div class="card"><h3><a href="/p/${i}">${title}</a></h3></div>`)}</section>
      </main></body></html>`;
    const text = extractPageRegion(parseHtml(html), { pageUrl })?.text ?? '';
    for (const [title, teaser] of ITEMS) {
      // A shorter title may be a label printed in every section ("Weather"): it is not taken for a card.
      expect(text.split(title).length - 1).toBe(title.length >= PAGE_REGION.minRepeatChars ? 1 : 2);
      expect(text).toContain(teaser);
    }
    expect(text).toContain('This week');
    expect(text.split('Anywhere in the world').length - 1).toBe(ITEMS.length);
  });

  it('drops a box led by a heading that introduces other products, whether the box wraps it or follows it', () => {
    const description =
      'A waxed cotton jacket cut long enough to sit over a fleece, with two chest pockets that close with a flap.';
    const specs =
      'Material: waxed cotton. Lining: brushed wool. Care: re-wax once a year, never machine wash.';
    const html = `<html><body><main><h1>Field jacket</h1>
      <section><h2>Description</h2><p>${description}</p><p>${specs}</p>
        <h2>You may also like</h2><ul><li><a href="/p/1">Wool field cap in olive green</a></li><li><a href="/p/2">Leather gloves with a long cuff</a></li></ul>
        <h2>Delivery</h2><p>We post within two days, and the parcel is tracked all the way to your door.</p></section>
      <div class="carousel-wrap"><div><h2>Customers also bought</h2></div>
        <div><a href="/p/3">Canvas rucksack with a roll top</a></div><div><a href="/p/4">Merino socks, pack of three</a></div></div>
      </main></body></html>`;
    const content = extractPageRegion(parseHtml(html), { pageUrl });
    expect(content?.text).toContain(description);
    expect(content?.text).toContain(specs);
    expect(content?.text).toContain('We post within two days');
    for (const other of [
      'You may also like',
      'Wool field cap',
      'Leather gloves',
      'Customers also bought',
      'Canvas rucksack',
      'Merino socks',
    ]) {
      expect(content?.text).not.toContain(other);
    }
  });

  it("drops a price's screen-reader labels and the price drawn twice, keeping screen-reader words read in a line", () => {
    const teas = [
      ['Smoked black tea, loose leaf', '$12.50', 'Regular price', 'Sale price'],
      ['Green tea with toasted rice', '$9.00', 'Prix normal', 'Prix soldé'],
      ['Mountain oolong, first flush', '$21.75', 'Normaler Preis', 'Angebotspreis'],
    ] as const;
    const card = ([name, price, regular, sale]: (typeof teas)[number], i: number) => `<li class="grid-item">
      <h3><a href="/p/${i}">${name}</a></h3>
      <div class="price"><div class="price__regular">
          <span class="visually-hidden">${regular}</span>
          <span class="price-item">${price}</span></div>
        <div class="price__sale">
          <span class="sr-only">${regular}</span> <span><s class="price-item"></s></span>
          <span class="sr-only">${sale}</span> <span class="price-item">${price}</span></div></div>
      <p class="terms">or $4.20<span aria-hidden="true">/mo.</span><span class="visually-hidden">per month</span> for 3 payments</p>
    </li>`;
    const html = `<html><body><main><h1>Tea</h1>
      <p>Every tea we sell is packed by hand in the week it leaves the shop, in tins that keep out the light.</p>
      <ul class="grid">${teas.map(card).join('\n')}</ul></main></body></html>`;
    const content = extractPageRegion(parseHtml(html), { pageUrl });
    const text = content?.text ?? '';
    for (const [name, price, regular, sale] of teas) {
      expect(text).toContain(name);
      expect(text.split(price).length - 1).toBe(1);
      expect(text).not.toContain(regular);
      expect(text).not.toContain(sale);
    }
    expect(text.split('per month').length - 1).toBe(teas.length);
  });
});

describe('hostile regions', () => {
  it('steps over a run of empty elements a bounded number of times per heading and per repeated line', () => {
    // Each heading's card and each repeated line's parent were read from the start of the element holding them:
    // a wide run of empty elements there was walked again for every heading and line (quadratic).
    const stepsFor = (count: number) => {
      const headings = Array.from({ length: count }, (_, i) => `<h2>A heading number ${i} with words</h2>`);
      const html = `<html><body><main><div id="wide">${'<b></b>'.repeat(count)}${headings.join('')}${'The same words, once more<br>'.repeat(count)}</div></main></body></html>`;
      const $ = cheerioPage(html);
      const steps = { reads: 0 };
      for (const empty of $('#wide > b').toArray()) countReads(empty, 'next', steps);
      const text = extractPageRegion($, { pageUrl: new URL('https://a.example/') })?.text ?? '';
      expect(text).toContain(`A heading number ${count - 1} with words`);
      expect(text.split('The same words, once more')).toHaveLength(count + 1);
      return steps.reads;
    };
    // Linear: twice the headings and lines over twice the empty elements, about twice the steps (quadratic: four).
    expect(stepsFor(600)).toBeLessThanOrEqual(stepsFor(300) * 2.5);
  });
});
