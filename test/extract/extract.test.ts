import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { Article } from '../../lib/core/article.ts';
import {
  closeUnclosedCdata,
  EXTRACTOR,
  extract,
  hasUnclosedCdata,
  limitNesting,
  limitNestingOf,
  MAX_ELEMENTS,
  MAX_HTML_CHARS,
  MAX_INPUT_BYTES,
  MAX_NESTING_DEPTH,
} from '../../lib/core/extract/index.ts';
import { sha256Hex } from '../../lib/core/hash.ts';
import { articleIdForUrl } from '../../lib/core/url.ts';
import { cheerioPage, cheerioPieces } from '../helpers/cheerio-page.ts';
import { seededRandom } from '../helpers/seeded-random.ts';

const FIXTURE = readFileSync(
  new URL('../fixtures/metadata/pages/news-article.html', import.meta.url),
  'utf8',
);
const SOURCE_URL = 'https://ledger.example.com/news/2024/harbour-ferry-returns?utm_source=rss&fbclid=abc';
const NOW = new Date('2025-02-03T04:05:06.789Z');

const PARAGRAPHS = [
  'The council voted on Thursday to rebuild the old stone bridge over the mill stream, ending a dispute that lasted three winters.',
  'Work starts in spring. The contractor will keep one lane open for bicycles while the arches are repaired and the railings replaced.',
  'Residents who spoke at the meeting asked for a footpath on the downstream side, and the council agreed to study the idea.',
];
const articleBody = `<h1>Council votes to rebuild the mill bridge</h1>${PARAGRAPHS.map((text) => `<p>${text}</p>`).join('')}`;

function expectError(result: ReturnType<typeof extract>, code: string) {
  expect(result.ok).toBe(false);
  if (!result.ok) expect(result.error.code).toBe(code);
}

describe('extract', () => {
  it('builds a schema-valid Article with id, content hash, extractor and timestamps', () => {
    const result = extract({ html: FIXTURE, url: SOURCE_URL, now: NOW });
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    const article = result.value;
    expect(Article.parse(article)).toEqual(article);
    expect(article.url).toBe('https://ledger.example.com/news/2024/harbour-ferry-returns');
    expect(article.sourceUrl).toBe(SOURCE_URL);
    expect(article.id).toBe(articleIdForUrl(article.url));
    expect(article.site).toEqual({ domain: 'ledger.example.com', name: 'The Coastal Ledger' });
    expect(article.contentHash).toBe(sha256Hex(article.content.text));
    expect(article.extractedAt).toBe('2025-02-03T04:05:06.789Z');
    expect(article.publishedAt).toBe('2024-03-05T07:15:00.000Z');
    expect(article.extractor).toEqual(EXTRACTOR);
    expect(article.content.text).toContain('The old blue ferry');
    expect(article.content.text).not.toContain('Harbour ferry returns after winter repairs');
    expect(article.metadataSources.url).toBe('meta');
  });

  it('uses the requested URL, canonicalized, when the page declares none', () => {
    const html = `<html><head><title>Council votes to rebuild the mill bridge</title></head><body><article>${articleBody}</article></body></html>`;
    const result = extract({ html, url: 'https://WWW.Town.example/news/bridge?utm_medium=x#top', now: NOW });
    expect(result.ok && result.value).toMatchObject({
      url: 'https://www.town.example/news/bridge',
      site: { domain: 'town.example' },
      metadataSources: { url: 'url' },
    });
  });

  it('decodes bytes with the HTTP charset before reading the page', () => {
    const cyrillic = new Uint8Array(
      readFileSync(new URL('../fixtures/metadata/charsets/ru-koi8-r-http.html', import.meta.url)),
    );
    // The fixture's Cyrillic paragraph opens the article (tags are ASCII in KOI8-R, so they can be spliced).
    const bytes = Buffer.from(cyrillic);
    const bodyStart = bytes.indexOf('<body>') + '<body>'.length;
    const bodyEnd = bytes.indexOf('</body>');
    const withArticle = new Uint8Array([
      ...cyrillic.subarray(0, bodyStart),
      ...new TextEncoder().encode('<article>'),
      ...cyrillic.subarray(bodyStart, bodyEnd),
      ...new TextEncoder().encode(`${articleBody}</article>`),
      ...cyrillic.subarray(bodyEnd),
    ]);
    const text = (contentType: string) => {
      const result = extract({ html: withArticle, url: 'https://a.example/x', contentType });
      expect(result.ok).toBe(true);
      return result.ok ? result.value.content.text : '';
    };
    expect(text('text/html; charset=KOI8-R')).toContain('Мастерская по ремонту велосипедов');
    // The same bytes under another declared charset come out differently: the header is what decided.
    expect(text('text/html; charset=windows-1251')).not.toContain('велосипедов');
  });

  it('gives NO_ARTICLE with a clear message for a page without article text', () => {
    const result = extract({
      html: '<html><head><title>Login</title></head><body><nav><a href="/">Home</a></nav></body></html>',
      url: 'https://a.example/login',
    });
    expectError(result, 'NO_ARTICLE');
    if (!result.ok) expect(result.error.message).toMatch(/no article/);
  });

  it('gives SCHEMA_VIOLATION, never an invalid Article, when a value breaks the contract', () => {
    const html = `<html><head><title>Council votes to rebuild the mill bridge</title></head><body><article>${articleBody}</article></body></html>`;
    const result = extract({ html, url: `https://a.example/${'x'.repeat(5000)}` });
    expectError(result, 'SCHEMA_VIOLATION');
    if (!result.ok) expect(result.error.message).toMatch(/^extracted article does not match the schema: url/);
  });

  it('refuses input over the byte limit before decoding it', () => {
    const result = extract({ html: new Uint8Array(MAX_INPUT_BYTES + 1), url: 'https://a.example/x' });
    expectError(result, 'INPUT_TOO_LARGE');
  });

  it('gives INVALID_URL for a URL that is not http(s)', () => {
    expectError(extract({ html: FIXTURE, url: 'ftp://a.example/x' }), 'INVALID_URL');
    expectError(extract({ html: FIXTURE, url: 'not a url' }), 'INVALID_URL');
  });

  it.each([
    ['an empty string', ''],
    ['random bytes', new Uint8Array(Array.from({ length: 4096 }, (_, i) => (i * 7919) % 256))],
    ['a stray "<" storm', '<'.repeat(100_000)],
    ['unclosed tags', '<a'.repeat(100_000)],
    ['a lone JSON-LD bomb', `<script type="application/ld+json">${'['.repeat(100_000)}</script>`],
  ])('never throws on %s', (_, html) => {
    // Every one of these is far below the size limits: the only right answer is "no article".
    expectError(extract({ html, url: 'https://a.example/x' }), 'NO_ARTICLE');
  });

  it('never throws on input that is not even the right type, and says what was wrong', () => {
    expectError(extract({ html: FIXTURE, url: undefined as unknown as string }), 'INVALID_URL');
    for (const html of [42, null, undefined, { length: 3 }, [60, 112, 62]]) {
      const result = extract({ html: html as unknown as string, url: 'https://a.example/x' });
      expectError(result, 'BAD_REQUEST');
      if (!result.ok)
        expect(result.error.message).toMatch(/^html must be a string or bytes \(Uint8Array\), got /);
    }
  });
});

describe('hostile input stays bounded', () => {
  it('50,000 nested divs: nesting is flattened and the article still comes out', () => {
    const html = `<html><head><title>Council votes to rebuild the mill bridge</title></head><body>${'<div>'.repeat(50_000)}${articleBody}${'</div>'.repeat(50_000)}</body></html>`;
    const result = extract({ html, url: 'https://a.example/deep' });
    expect(result.ok).toBe(true);
    if (result.ok) expect(result.value.content.text).toContain(PARAGRAPHS[2]);
  });

  it('a 20 MB page that is mostly script: scripts are dropped and the article comes out', () => {
    const script = `<script>${'var filler = 1;'.repeat((20 * 1024 * 1024) / 15)}</script>`;
    const html = `<html><head><title>Council votes to rebuild the mill bridge</title>${script}</head><body><article>${articleBody}</article></body></html>`;
    expect(html.length).toBeGreaterThan(20 * 1024 * 1024);
    const result = extract({ html, url: 'https://a.example/scripty' });
    expect(result.ok).toBe(true);
  });

  it('200,000 tiny elements in 1.6 MB: refused with INPUT_TOO_LARGE before parsing, naming the element limit', () => {
    // Under the character limit, but extraction time follows the element count (tens of seconds at 400,000).
    const html = `<html><head><title>Council votes to rebuild the mill bridge</title></head><body><article>${articleBody}${'<i>x</i>'.repeat(200_000)}</article></body></html>`;
    expect(html.length).toBeLessThan(MAX_HTML_CHARS);
    const result = extract({ html, url: 'https://a.example/confetti' });
    expectError(result, 'INPUT_TOO_LARGE');
    if (!result.ok) {
      expect(result.error.message).toMatch(/^page has 2000\d\d elements; the limit is 150000/);
      expect(result.error.details).toMatchObject({ limit: MAX_ELEMENTS, retryable: false });
    }
  });

  it('a 20 MB page of markup: refused with INPUT_TOO_LARGE', () => {
    const paragraph = '<p>Filler paragraph with words in it, again and again and again.</p>';
    const html = `<html><body>${paragraph.repeat(Math.ceil((20 * 1024 * 1024) / paragraph.length))}</body></html>`;
    const result = extract({ html, url: 'https://a.example/huge' });
    expectError(result, 'INPUT_TOO_LARGE');
    if (!result.ok) expect(result.error.details).toMatchObject({ limit: MAX_HTML_CHARS, retryable: false });
  });
});

describe('limitNesting', () => {
  it('counts start tags, void ones included, and not tags written inside a script', () => {
    const counted = { elements: 0 };
    limitNesting(
      '<p>One<br>two<img src="x"/></p><script>"<div>" + "</div>"</script><P>three</P>',
      256,
      counted,
    );
    expect(counted.elements).toBe(5);
  });

  it('counts "<x/>" as the start tag HTML makes of it, so a page of them cannot nest a million deep', () => {
    // HTML ignores "/>" on ordinary elements: 200,000 of them took the parser 20 s before this was counted.
    const limited = limitNesting(`<body>${'<x/>'.repeat(1000)}text</body>`, MAX_NESTING_DEPTH);
    expect(limited.match(/<x\/>/g)).toHaveLength(MAX_NESTING_DEPTH);
    expect(limited).toContain('text</body>');
  });

  it('leaves self-closed SVG and MathML children alone: there "/>" does close the element', () => {
    const svg = `<svg viewBox="0 0 10 10">${'<path d="M0 0"/>'.repeat(1000)}</svg><math>${'<mi/>'.repeat(500)}</math><p>after</p>`;
    expect(limitNesting(svg, MAX_NESTING_DEPTH)).toBe(svg);
  });

  it('returns ordinary markup unchanged', () => {
    const html = '<div><section><p>One<p>Two</section><script>"<div>"</script></div>';
    expect(limitNesting(html, 3)).toBe(html);
  });

  it('drops start and end tags beyond the limit and keeps their text', () => {
    expect(limitNesting('<div><div><div><div>deep</div></div></div></div>', 2)).toBe(
      '<div><div>deep</div></div>',
    );
    expect(limitNesting(`${'<b>'.repeat(1000)}x`, MAX_NESTING_DEPTH).match(/<b>/g)).toHaveLength(
      MAX_NESTING_DEPTH,
    );
  });

  it('matches end tags to start tags in any letter case, and names longer than ten characters too', () => {
    expect(limitNesting('<DIV><div><Div>x</DIV></div></dIV>', 2)).toBe('<DIV><div>x</div></dIV>');
    const long = 'my-long-component';
    expect(limitNesting(`<${long}><${long}><${long}>x</${long.toUpperCase()}></${long}></${long}>`, 2)).toBe(
      `<${long}><${long}>x</${long}></${long}>`,
    );
  });
});

describe('limitNestingOf and hasUnclosedCdata: a page in pieces, each starting at a "<"', () => {
  // Written for this test: raw text holding "<" and tags, a self-closed SVG, upper-case and long names, CDATA.
  const PARTS = [
    '<html><HEAD><script>if (a<b) x = "<div>" + "</di" + "v>";</script><style>p > a { content: "<p>" }</style></HEAD>',
    '<body><svg><path d="M0 0"/><g><circle r="1"/></g></svg><my-long-component>x</MY-LONG-COMPONENT>',
    '<p>One<br>two &lt; three<img src="x"/></p><textarea><b>not bold</b></textarea>',
    '<div title="a<b">odd</div><!-- <div> in a comment --><![CDATA[ <b> ]]>',
  ].join('');
  const lessThans = (html: string) => [...html.matchAll(/</g)].map((match) => match.index);
  const cutAt = (html: string, cuts: number[]) =>
    [0, ...cuts].map((from, index) => html.slice(from, cuts[index] ?? html.length));

  it('gives what limitNesting and closeUnclosedCdata give for the whole text, wherever it is cut before a "<"', () => {
    const random = seededRandom(17);
    const pages = [
      PARTS,
      `${PARTS}${'<div>'.repeat(12)}<script>"<div>"</script>deep${'</div>'.repeat(12)}${PARTS}`,
      `${PARTS}<![CDATA[ left open <p>after</p>`,
      `<![CDATA[ <p>closed later</p>${PARTS}`,
    ];
    for (const html of pages) {
      const whole = { elements: 0 };
      const limited = limitNesting(html, 8, whole);
      const positions = lessThans(html).filter((at) => at > 0);
      for (let round = 0; round < 200; round++) {
        const cuts = positions.filter(() => random() < 0.3);
        const pieces = cutAt(html, cuts);
        const counted = { elements: 0 };
        expect(limitNestingOf(pieces, 8, counted) ?? html, `cuts ${cuts}`).toBe(limited);
        expect(counted.elements).toBe(whole.elements);
        expect(hasUnclosedCdata(pieces), `cuts ${cuts}`).toBe(closeUnclosedCdata(html) !== html);
      }
      expect(limitNestingOf(cutAt(html, positions), 8) ?? html).toBe(limited);
    }
  });
});

describe('UTF-8 bytes are parsed in pieces, with the result of the whole text', () => {
  const encode = (text: string) => new TextEncoder().encode(text);
  // Written for this test: a page whose text, attributes, comment and script all hold non-ASCII characters.
  const page = (body: string) =>
    `<!DOCTYPE html><html lang="fr"><head><title>Caf\u00e9 du pont \u2014 la carte</title><meta name="author" content="Zo\u00eb M\u00fcller">` +
    `<script>var x = a<b ? "\u201cy\u201d" : 'z';</script></head><body><ARTICLE><h1>Caf\u00e9 du pont</h1>${body}</ARTICLE></body></html>`;
  const BODY = [
    '<p>Le caf\u00e9 rouvre apr\u00e8s l\u2019hiver, avec une terrasse neuve &amp; des chaises au bord de l\u2019eau pour tous.</p>',
    '<!-- \u00e9t\u00e9 <b>comment</b> -->',
    `<p>${'The owners repainted the rooms and kept the old counter where it stood. '.repeat(5)}</p>`,
    '<p title="\u00fcber">On the menu: cr\u00e8me br\u00fbl\u00e9e, tarte &agrave; la rhubarbe and \u{1F370} on Sundays &copy 2024.</p>',
  ].join('');

  it('parseHtmlPieces builds the tree parseHtml builds, wherever the text is cut', () => {
    const html = page(BODY);
    const whole = cheerioPage(html).html();
    // Cuts inside an entity, a tag name, an attribute value, a comment and a script's end tag.
    for (const cut of ['&am', '<h', 'title="\u00fc', '\u00e9t\u00e9 <b>com', '</scr', 'l\u2019']) {
      const at = html.indexOf(cut) + cut.length;
      expect(at).toBeGreaterThan(cut.length - 1);
      expect(cheerioPieces([html.slice(0, at), html.slice(at)]).html()).toBe(whole);
    }
  });

  it('gives the same Article for the bytes as for the decoded text', () => {
    for (const html of [
      page(BODY),
      // Taken apart by the checks on the whole text: an unclosed CDATA opener, nesting past the limit.
      page(`${BODY}<![CDATA[ left open`),
      page(`${'<div>'.repeat(MAX_NESTING_DEPTH + 10)}${BODY}${'</div>'.repeat(MAX_NESTING_DEPTH + 10)}`),
    ]) {
      const fromText = extract({ html, url: 'https://cafe.example/carte', now: NOW });
      const fromBytes = extract({ html: encode(html), url: 'https://cafe.example/carte', now: NOW });
      expect(fromText.ok).toBe(true);
      expect(fromBytes).toEqual(fromText);
    }
  });

  it('refuses a UTF-8 page with too many elements as the text would be refused', () => {
    const html = `<html><head><title>Caf\u00e9</title></head><body>${articleBody}${'<i>\u00e9</i>'.repeat(200_000)}</body></html>`;
    const result = extract({ html: encode(html), url: 'https://a.example/confetti' });
    expectError(result, 'INPUT_TOO_LARGE');
    if (!result.ok) expect(result.error.message).toMatch(/^page has 2000\d\d elements; the limit is 150000/);
  });
});
