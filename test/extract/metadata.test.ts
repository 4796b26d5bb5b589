import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseHtml } from '../../lib/core/extract/index.ts';
import { extractMetadata, stripSiteName } from '../../lib/core/extract/metadata.ts';
import { cleanAuthorNames } from '../../lib/core/extract/metadata-authors.ts';
import { parseMetadataDate } from '../../lib/core/extract/metadata-dates.ts';
import { normalizeLanguageTag } from '../../lib/core/extract/metadata-language.ts';
import { cheerioPage } from '../helpers/cheerio-page.ts';
import { countingArray, countReads } from '../helpers/read-count.ts';

const PAGE_URL = new URL('https://ledger.example.com/news/2024/harbour-ferry-returns?utm_source=x');
const NOW = new Date('2025-01-01T00:00:00.000Z');

function metadataOf(html: string, pageUrl = PAGE_URL) {
  return extractMetadata(parseHtml(html), pageUrl, { now: NOW });
}

const page = (head: string, body = '<p>Body text.</p>', htmlAttributes = '') =>
  `<!DOCTYPE html><html${htmlAttributes}><head>${head}</head><body>${body}</body></html>`;

describe('extractMetadata on a page with every kind of metadata', () => {
  const html = readFileSync(new URL('../fixtures/metadata/pages/news-article.html', import.meta.url), 'utf8');
  const metadata = metadataOf(html);

  it('takes JSON-LD first, resolving @id references and cleaning author names', () => {
    expect(metadata.title).toBe('Harbour ferry returns after winter repairs');
    expect(metadata.authors).toEqual(['Ines Varga', 'Tomas Reyes']);
    expect(metadata.siteName).toBe('The Coastal Ledger');
    expect(metadata.image).toEqual({
      url: 'https://ledger.example.com/images/ferry-wide.jpg',
      caption: 'Back in service on Monday',
    });
  });

  it('normalizes dates with offsets to UTC with milliseconds', () => {
    expect(metadata.publishedAt).toBe('2024-03-05T07:15:00.000Z');
    expect(metadata.modifiedAt).toBe('2024-03-05T10:30:00.000Z');
  });

  it('reads language, section and tags, and the canonical URL without tracking parameters', () => {
    expect(metadata.language).toBe('en-GB');
    expect(metadata.section).toBe('Local');
    expect(metadata.tags).toEqual(['Ferries', 'Harbour']);
    expect(metadata.canonicalUrl).toBe('https://ledger.example.com/news/2024/harbour-ferry-returns');
  });

  it('records where every value came from', () => {
    expect(metadata.sources).toEqual({
      title: 'json-ld',
      description: 'opengraph',
      authors: 'json-ld',
      publishedAt: 'json-ld',
      modifiedAt: 'json-ld',
      language: 'dom',
      section: 'opengraph',
      tags: 'opengraph',
      image: 'json-ld',
      siteName: 'json-ld',
      url: 'meta',
    });
  });
});

describe('precedence below JSON-LD', () => {
  it('falls back to OpenGraph, then meta name=, then twitter', () => {
    const metadata = metadataOf(
      page(`
        <title>Document title that is long enough</title>
        <meta name="twitter:title" content="Twitter title">
        <meta property="og:title" content="OpenGraph title">
        <meta name="twitter:description" content="Twitter description">
        <meta name="description" content="Meta description">
        <meta property="article:published_time" content="2024-02-01">
        <meta name="parsely-pub-date" content="2023-01-01T00:00:00Z">
        <meta name="twitter:image" content="https://img.example.com/t.png">`),
    );
    expect(metadata).toMatchObject({
      title: 'OpenGraph title',
      description: 'Meta description',
      publishedAt: '2024-02-01T00:00:00.000Z',
      image: { url: 'https://img.example.com/t.png' },
    });
    expect(metadata.sources).toMatchObject({
      title: 'opengraph',
      description: 'meta',
      publishedAt: 'opengraph',
      image: 'twitter',
    });
  });

  it('reads dc.*, parsely-* and sailthru.* names', () => {
    const metadata = metadataOf(
      page(`
        <meta name="DC.creator" content="Ada Quill">
        <meta name="dc.title" content="Dublin Core title">
        <meta name="sailthru.date" content="2021-06-01 12:00:00">
        <meta name="parsely-section" content="Science">
        <meta name="sailthru.tags" content="space, rockets, space">`),
    );
    expect(metadata).toMatchObject({
      title: 'Dublin Core title',
      authors: ['Ada Quill'],
      publishedAt: '2021-06-01T12:00:00.000Z',
      section: 'Science',
      tags: ['space', 'rockets'],
    });
  });

  it('prefers property= over name= for the same key', () => {
    const metadata = metadataOf(
      page('<meta name="og:title" content="Name title"><meta property="og:title" content="Property title">'),
    );
    expect(metadata.title).toBe('Property title');
  });

  it('falls back to the DOM: cleaned <title>, byline elements and <time datetime>', () => {
    const metadata = metadataOf(
      page(
        '<title>River levels fall after a week of rain | Valley Post</title>',
        `<article><h1>River levels fall</h1>
         <div class="article-byline">By Ana Ruiz and Ben Ode<br><time datetime="2024-04-02T09:00:00-04:00">April 2</time></div>
         <p>Text.</p></article>
         <section class="comments"><span class="author">Some Commenter</span><time datetime="2024-05-01">May 1</time></section>`,
      ),
    );
    expect(metadata).toMatchObject({
      // The visible h1 agrees with the cleaned <title> (it is its start), so the h1 is the headline.
      title: 'River levels fall',
      authors: ['Ana Ruiz', 'Ben Ode'],
      publishedAt: '2024-04-02T13:00:00.000Z',
    });
    expect(metadata.sources).toMatchObject({ title: 'dom', authors: 'dom', publishedAt: 'dom' });
  });

  it('uses itemprop=author with a nested name (microdata)', () => {
    const metadata = metadataOf(
      page(
        '',
        '<aside><span itemprop="author" itemscope><span itemprop="name">Nico Perri</span> —</span></aside><p>x</p>',
      ),
    );
    expect(metadata.authors).toEqual(['Nico Perri']);
    expect(metadata.sources.authors).toBe('microdata');
  });

  it('never uses the fetch time as a publication date', () => {
    const metadata = metadataOf(page('<title>No dates anywhere on this page</title>'));
    expect(metadata.publishedAt).toBeUndefined();
    expect(metadata.modifiedAt).toBeUndefined();
    expect(metadata.sources.publishedAt).toBeUndefined();
  });
});

describe('JSON-LD', () => {
  const jsonLd = (value: string) => `<script type="application/ld+json">${value}</script>`;

  it('finds the article in a top-level array, with @type as an array, author as a string', () => {
    const metadata = metadataOf(
      page(
        jsonLd(
          '[{"@type":"BreadcrumbList"},{"@context":"http://schema.org","@type":["ReportageNewsArticle"],"headline":"Field report","author":"By Lee Park, Sam Holt","datePublished":"2020-01-02T03:04:05Z"}]',
        ),
      ),
    );
    expect(metadata).toMatchObject({
      title: 'Field report',
      authors: ['Lee Park', 'Sam Holt'],
      publishedAt: '2020-01-02T03:04:05.000Z',
    });
  });

  it('survives invalid JSON-LD and raw newlines inside strings', () => {
    const metadata = metadataOf(
      page(
        `${jsonLd('{not json')}${jsonLd('{"@type":"BlogPosting","headline":"Line one\nline two","author":{"@type":"Person","name":"Kim Odu"}}')}`,
      ),
    );
    expect(metadata.title).toBe('Line one line two');
    expect(metadata.authors).toEqual(['Kim Odu']);
  });

  it('prefers the name over a headline unless only the headline matches the <title>', () => {
    const sitey = metadataOf(
      page(
        `<title>West Ham threaten the giants again - Sport Daily</title>${jsonLd('{"@type":"NewsArticle","name":"Sport Daily","headline":"West Ham threaten the giants again"}')}`,
      ),
    );
    expect(sitey.title).toBe('West Ham threaten the giants again');
    const wiki = metadataOf(
      page(
        `<title>New Zealand - Wikipedia</title>${jsonLd('{"@type":"Article","name":"New Zealand","headline":"island country in Oceania"}')}`,
      ),
    );
    expect(wiki.title).toBe('New Zealand');
  });
});

describe('authors', () => {
  it('strips "By", splits lists, drops credentials, URLs, handles and duplicates', () => {
    expect(cleanAuthorNames(['By Jane Doe, PhD and John Roe'])).toEqual(['Jane Doe', 'John Roe']);
    expect(cleanAuthorNames(['Par Marie Curie et Paul Langevin'])).toEqual(['Marie Curie', 'Paul Langevin']);
    expect(cleanAuthorNames(['https://facebook.com/someone', '@handle', 'Ola Nord', 'OLA NORD'])).toEqual([
      'Ola Nord',
    ]);
    expect(cleanAuthorNames(['By\n   Scott Mills\n   March 25, 2015'])).toEqual(['Scott Mills']);
    expect(cleanAuthorNames(['by Lucas Nolan22 Dec 2016651'])).toEqual(['Lucas Nolan']);
    expect(cleanAuthorNames(['Updated: January 7, 2025', 'CC7567', 'Follow Author'])).toEqual([]);
  });

  it('ignores article:author when it is a profile URL', () => {
    const metadata = metadataOf(
      page(
        '<meta property="article:author" content="https://www.facebook.com/someone"><meta name="author" content="Rae Lin">',
      ),
    );
    expect(metadata.authors).toEqual(['Rae Lin']);
    expect(metadata.sources.authors).toBe('meta');
  });
});

/** How many times extractMetadata lists the children of the page's #wide element. */
function readsOfWideParagraph(body: string): number {
  const $ = cheerioPage(page('<title>Ferry returns</title>', body));
  const wide = $('#wide')[0]!;
  const reads = { reads: 0 };
  wide.children = countingArray(wide.children, reads);
  extractMetadata($, PAGE_URL, { now: NOW });
  return reads.reads;
}

describe('authors on hostile pages', () => {
  it('reads a paragraph of thousands of links and short phrases a fixed number of times, not once per phrase', () => {
    // Each short text's parent was read whole to look for "This article was written by …": a 1 MB paragraph of
    // links took 64 s. The count of reads of the paragraph's children stays the same whatever its length.
    const readsFor = (phrases: number) => {
      const links = Array.from(
        { length: phrases },
        (_, i) => `<a href="/x/${i}">link ${i}</a> and a phrase, `,
      );
      const $ = cheerioPage(
        page(
          '<title>Ferry returns</title>',
          `<p id="wide">${links.join('')}</p><p>This article was written by Rae Lin.</p>`,
        ),
      );
      const reads = { reads: 0 };
      countReads($('#wide')[0]!, 'children', reads);
      expect(extractMetadata($, PAGE_URL, { now: NOW }).authors).toEqual(['Rae Lin']);
      return reads.reads;
    };
    expect(readsFor(800)).toBe(readsFor(200));
  });

  it('reads a paragraph of thousands of short lines a bounded number of items per line, not all of them per line', () => {
    // Each short line that could be a name was checked to be its element's whole text by listing all the element's
    // children: a 130 KB paragraph of "Jane<br>" lines took 8 s.
    const lines = 2000;
    const reads = readsOfWideParagraph(`<p id="wide">${'Jane<br>'.repeat(lines)}</p><p>Body text.</p>`);
    // A few reads per line whatever the paragraph's length (listing the whole paragraph per line: one per line).
    expect(reads / lines).toBeLessThan(20);
  });

  it('reads a byline label deep in a long paragraph up to its line, not the whole paragraph per short text', () => {
    // Every short text near the headline that opens like a byline had its whole element read into lines (and asked
    // for its visible length with every child listed): a 350 KB paragraph of "By Jane<br>" lines took 3 s.
    const lines = 2000;
    const reads = readsOfWideParagraph(
      `<h1>Ferry returns</h1><p id="wide">${'By Jane<br>'.repeat(lines)}</p>`,
    );
    expect(reads / lines).toBeLessThan(20);
  });

  it('reads a byline element through a bounded number of nodes, however many empty elements it holds', () => {
    // A run of empty elements before a byline's line was walked again for every short text near the headline.
    const readsFor = (empties: number) => {
      const $ = cheerioPage(
        page(
          '<title>Ferry returns</title>',
          `<h1>Ferry returns</h1><div id="wide">${'<b></b>'.repeat(empties)}${'<p>By the harbour desk</p>'.repeat(40)}</div>`,
        ),
      );
      const reads = { reads: 0 };
      for (const empty of $('#wide > b').toArray()) countReads(empty, 'next', reads);
      extractMetadata($, PAGE_URL, { now: NOW });
      return reads.reads;
    };
    // Past the bound, more empty elements cost no more reads (without it: twice the reads for twice the elements).
    expect(readsFor(20_000)).toBeLessThan(readsFor(10_000) * 1.2);
  });

  it('gives the affix and author patterns no long run of white space from a hostile meta title or author', () => {
    // The title-affix and author-splitting patterns open with \s*: on a run of white space with no separator after
    // it they try every start (quadratic; 80 K spaces in og:title took 25 s, 150 K in a meta author 6 s).
    const longestRun = { spaces: 0 };
    const seen = (input: unknown) => {
      let run = 0;
      for (const character of String(input)) {
        run = character === ' ' ? run + 1 : 0;
        longestRun.spaces = Math.max(longestRun.spaces, run);
      }
    };
    const prototype = RegExp.prototype as unknown as Record<symbol | string, (...args: unknown[]) => unknown>;
    const originals = new Map<symbol | string, (...args: unknown[]) => unknown>();
    for (const key of [Symbol.split, Symbol.replace, Symbol.matchAll, 'exec'] as const) {
      const original = prototype[key] as (...args: unknown[]) => unknown;
      originals.set(key, original);
      prototype[key] = function (this: RegExp, ...args: unknown[]) {
        // The patterns that open with \s* before a separator or a connector ("｜", "|", "and").
        const source = this.source;
        if (source.startsWith('\\s*') && (source.includes('｜') || source.includes('and|'))) seen(args[0]);
        if (source.startsWith('\\s+(?:[|') || source.startsWith('\\s*(?:\\r?\\n')) seen(args[0]);
        return original.apply(this, args);
      };
    }
    try {
      const spaces = ' '.repeat(20_000);
      extractMetadata(
        cheerioPage(
          page(
            `<title>Ferry returns</title><meta property="og:title" content="Ferry${spaces}returns"><meta name="author" content="Rae${spaces}and${spaces}Lin">`,
            '<h1>Ferry returns</h1><p>Body text.</p>',
          ),
        ),
        PAGE_URL,
        { now: NOW },
      );
    } finally {
      for (const [key, original] of originals) prototype[key] = original;
    }
    expect(longestRun.spaces).toBeLessThan(2000);
  });

  it('asks whether a long list of bylines is a list of dated entries once, not once per candidate', () => {
    // Each byline and dateline candidate (up to 60 bylines and a window of short texts) asked whether its list of
    // like siblings holds dated entries, reading every sibling's dates again: a 2 MB page of bylines took 14 s.
    const readsFor = (entries: number) => {
      const list = Array.from(
        { length: entries },
        // No name a byline reader accepts: every candidate is tried.
        (_, i) => `<p class="byline">By the harbour desk ${i}</p><p>Entry ${i} of the harbour's notes.</p>`,
      );
      const $ = cheerioPage(page('<title>Ferry returns</title>', `<div id="list">${list.join('')}</div>`));
      const reads = { reads: 0 };
      for (const byline of $('#list > .byline').toArray()) countReads(byline, 'children', reads);
      expect(extractMetadata($, PAGE_URL, { now: NOW }).authors).toEqual([]);
      return reads.reads / entries;
    };
    // The page's own walks read each entry a few times (about 6); one read per candidate made it about 140.
    expect(readsFor(300)).toBeLessThan(20);
  });
});

describe('dates', () => {
  it.each([
    ['2015-07-24T05:36:09+01:00', '2015-07-24T04:36:09.000Z'],
    ['2021-11-01T10:52:50+0100', '2021-11-01T09:52:50.000Z'],
    ['2017-11-03 03:01:00.000000', '2017-11-03T03:01:00.000Z'],
    ['2018-04-05T06:00', '2018-04-05T06:00:00.000Z'],
    ['2024-06-25', '2024-06-25T00:00:00.000Z'],
    ['2023-06-07T20:54:26.829Z', '2023-06-07T20:54:26.829Z'],
    ['March 11, 2015 3:46 PM', '2015-03-11T15:46:00.000Z'],
    ['Wed, 02 Oct 2002 13:00:00 GMT', '2002-10-02T13:00:00.000Z'],
    ['5 Sept 2019 18:30 EST', '2019-09-05T23:30:00.000Z'],
    ['1422791820', '2015-02-01T11:57:00.000Z'],
  ])('%s → %s', (raw, expected) => {
    expect(parseMetadataDate(raw, NOW)).toBe(expected);
  });

  it.each([['2099-01-01'], ['not a date'], ['2024-02-31'], ['1970-01-01'], [''], ['March 2024 sometime']])(
    'rejects %j',
    (raw) => {
      expect(parseMetadataDate(raw, NOW)).toBeUndefined();
    },
  );
});

describe('language and direction', () => {
  it('normalizes tags to BCP 47', () => {
    expect(normalizeLanguageTag('en_US')).toBe('en-US');
    expect(normalizeLanguageTag('EN-us')).toBe('en-US');
    expect(normalizeLanguageTag('zh-hant-tw')).toBe('zh-Hant-TW');
    expect(normalizeLanguageTag('de, en')).toBe('de');
    expect(normalizeLanguageTag('x-default')).toBeUndefined();
    expect(normalizeLanguageTag('english')).toBeUndefined();
  });

  it('falls back from html[lang] to content-language to og:locale', () => {
    expect(metadataOf(page('<meta property="og:locale" content="pt_BR">')).language).toBe('pt-BR');
    expect(metadataOf(page('<meta http-equiv="content-language" content="fr">')).language).toBe('fr');
    expect(
      metadataOf(page('<meta property="og:locale" content="pt_BR">', '<p>x</p>', ' lang="es"')).language,
    ).toBe('es');
  });

  it('takes the direction from the body, the root, or an RTL language', () => {
    expect(metadataOf(page('', '<p>x</p>', ' dir="rtl"')).direction).toBe('rtl');
    expect(metadataOf(page('', '<p>x</p>', ' lang="he"')).direction).toBe('rtl');
    expect(metadataOf(page('', '<p>x</p>', ' lang="en"')).direction).toBeUndefined();
  });
});

describe('canonical URL', () => {
  it('resolves a relative rel=canonical and removes tracking parameters and the fragment', () => {
    const metadata = metadataOf(
      page('<link rel="canonical" href="/a/story?id=7&utm_medium=x&fbclid=y#comments">'),
    );
    expect(metadata.canonicalUrl).toBe('https://ledger.example.com/a/story?id=7');
  });

  it('falls back to og:url', () => {
    const metadata = metadataOf(
      page('<meta property="og:url" content="https://Ledger.Example.com/b/story">'),
    );
    expect(metadata.canonicalUrl).toBe('https://ledger.example.com/b/story');
    expect(metadata.sources.url).toBe('opengraph');
  });

  it.each([
    ['a home page standing in for an article', 'https://other.example.org/'],
    ['a template placeholder', 'https://ledger.example.com/{{ page.url }}'],
    ['a development host', 'http://localhost:3000/news/story'],
    ['a non-http URL', 'javascript:alert(1)'],
  ])('ignores %s', (_, href) => {
    expect(metadataOf(page(`<link rel="canonical" href="${href}">`)).canonicalUrl).toBeUndefined();
  });
});

describe('titles', () => {
  it('strips a site-name suffix or prefix only when it matches the site name', () => {
    expect(stripSiteName('Ferry returns | The Coastal Ledger', 'The Coastal Ledger')).toBe('Ferry returns');
    expect(stripSiteName('Coastal Ledger » Ferry returns', 'The Coastal Ledger')).toBe('Ferry returns');
    expect(stripSiteName('Ferry returns - Part two', 'The Coastal Ledger')).toBe('Ferry returns - Part two');
  });

  it('strips the site name from a declared title unless asked to keep it', () => {
    const html = page(
      '<meta property="og:title" content="How to Build a Terrarium | eHow"><meta property="og:site_name" content="eHow">',
    );
    expect(metadataOf(html).title).toBe('How to Build a Terrarium');
    expect(extractMetadata(parseHtml(html), PAGE_URL, { titleAffixes: 'keep' }).title).toBe(
      'How to Build a Terrarium | eHow',
    );
  });

  it('decodes entities that a page escaped twice', () => {
    expect(
      metadataOf(page('<meta property="og:title" content="Rock &amp;amp; Roll &amp;#39;74">')).title,
    ).toBe("Rock & Roll '74");
  });
});
