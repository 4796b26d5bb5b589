import { readFileSync } from 'node:fs';
import { type CheerioAPI, load } from 'cheerio';
import { describe, expect, it } from 'vitest';
import { type ExtractedContent, extractContent } from '../../lib/core/extract/content.ts';
import { MAX_HTML_CHARS } from '../../lib/core/extract/index.ts';

const PAGE_URL = new URL('https://ledger.example/news/region/ferry-costs?utm_source=x');

// Both ways cheerio can parse: parse5 (the default) and htmlparser2 (faster; what extract() may use).
const PARSERS: [string, (html: string) => CheerioAPI][] = [
  ['parse5', (html) => load(html)],
  ['htmlparser2', (html) => load(html, { xml: { xmlMode: false, decodeEntities: true } })],
];

function extractFrom(html: string, title?: string, parse = PARSERS[0]![1]): ExtractedContent {
  const content = extractContent(parse(html), { pageUrl: PAGE_URL, title });
  if (!content) throw new Error('no content extracted');
  return content;
}

const fixture = (name: string) =>
  readFileSync(new URL(`../fixtures/extract/${name}`, import.meta.url), 'utf8');

const STORY_TITLE = 'Harbour towns agree to share ferry costs after winter storms';
const STORY_PARAGRAPHS = [
  'Three harbour towns on the northern coast will split the cost of keeping the island ferry running',
  'The agreement follows a run of storms that closed the crossing for eleven days in January',
  "“Nobody on the island should have to choose between a hospital appointment and a week's wages,”",
  'Under the deal, each town contributes according to its population',
  'Operators of the route said the storms had exposed how little slack the timetable has.',
  'The regional transport office is studying whether a second, smaller boat could be chartered',
  'Island residents welcomed the news but said they would believe in the early sailing',
  'The councils will review the arrangement in April, when the new pier is due to open.',
];
const STORY_BOILERPLATE = [
  'We use cookies',
  'Accept all',
  'Business',
  'Home',
  'Share on',
  'morning newsletter',
  'Start your day',
  'Sign up',
  'unsubscribe',
  'reCAPTCHA',
  'Read also',
  'Pier contract awarded',
  'Comments are closed',
  'Most read',
  'Lighthouse keeper',
  'All rights reserved',
  'By Marta Quell',
];

describe.each(PARSERS)('the seed-style news story (%s)', (_name, parse) => {
  it('keeps every paragraph, in order, and none of the boilerplate', () => {
    const { text } = extractFrom(fixture('harbour-story.html'), STORY_TITLE, parse);
    const paragraphs = text.split('\n\n');
    expect(paragraphs).toHaveLength(STORY_PARAGRAPHS.length);
    STORY_PARAGRAPHS.forEach((start, i) => {
      expect(paragraphs[i]).toContain(start);
    });
    for (const furniture of STORY_BOILERPLATE) expect(text).not.toContain(furniture);
  });

  it('comes out the same when the boilerplate has no telling class names (judged by text and links)', () => {
    const bland = fixture('harbour-story.html').replace(/\s(class|id)="[^"]*"/g, '');
    const { text } = extractFrom(bland, STORY_TITLE, parse);
    const paragraphs = text.split('\n\n');
    expect(paragraphs).toHaveLength(STORY_PARAGRAPHS.length);
    STORY_PARAGRAPHS.forEach((start, i) => {
      expect(paragraphs[i]).toContain(start);
    });
    for (const furniture of STORY_BOILERPLATE) expect(text).not.toContain(furniture);
  });

  it('leaves the headline out of text and html, and counts the words of the text', () => {
    const { text, html, wordCount } = extractFrom(fixture('harbour-story.html'), STORY_TITLE, parse);
    expect(text.startsWith('Three harbour towns')).toBe(true);
    expect(html).not.toContain(STORY_TITLE);
    expect(wordCount).toBe(text.split(/\s+/).filter((word) => /[\p{L}\p{N}]/u.test(word)).length);
  });

  it('serializes sanitized html: no script, style, form, button or event handlers', () => {
    const { html } = extractFrom(fixture('harbour-story.html'), STORY_TITLE, parse);
    expect(html).toContain('<p>Three harbour towns');
    expect(html).not.toMatch(/<(script|style|form|button|input|iframe)\b/i);
    expect(html).not.toMatch(/\son\w+=/i);
    expect(html).not.toMatch(/class=|style=/);
  });
});

/** A realistic article page around a body fragment, so the extractor has a real story to find. */
function articlePage(bodyFragment: string, options: { head?: string; around?: string } = {}): string {
  return `<!doctype html><html><head><title>A story</title>${options.head ?? ''}</head><body>
    <nav><a href="/">Home</a> <a href="/world">World</a></nav>
    ${options.around ?? ''}
    <article><div class="article-body">
      <p>The first paragraph of the story sets the scene, with enough words and a comma, to count as content.</p>
      ${bodyFragment}
      <p>The last paragraph of the story closes it, again long enough, with commas, to be scored as text.</p>
    </div></article>
    <footer><p>Copyright notice for the whole site, with its many links.</p></footer>
  </body></html>`;
}

const KEEP_FIRST = 'The first paragraph of the story';
const KEEP_LAST = 'The last paragraph of the story';

describe('boilerplate inside the article container is removed', () => {
  const cases: [string, string, string][] = [
    [
      'tag list of rel=tag links under a label',
      '<p><strong>Tags<br><a href="/tag/ferries" rel="tag">island ferries</a>, <a href="/tag/storms" rel="tag">winter storms</a>, <a href="/tag/councils" rel="tag">harbour councils</a></strong></p>',
      'winter storms',
    ],
    [
      "author's box under a theme prefix",
      '<section class="theme-author-box"><div class="author-box--content"><p>Marta writes about ferries, harbours and the weather, and has done so, happily, for ten years.</p></div></section>',
      'Marta writes about ferries',
    ],
    [
      'newsletter signup box with a form',
      '<div class="newsletter-signup"><h3>Get our weekly digest</h3><form><input type="email"><button>Join</button></form></div>',
      'weekly digest',
    ],
    [
      'signup form without telling classes',
      '<div><p>Stay informed with our daily briefing</p><form action="/s"><input type="email" name="e"><button>Subscribe</button></form></div>',
      'daily briefing',
    ],
    [
      'reCAPTCHA notice',
      '<p><small>This site is protected by reCAPTCHA and the Google Privacy Policy and Terms of Service apply.</small></p>',
      'reCAPTCHA',
    ],
    ['closed comments notice', '<p>Comments are closed.</p>', 'Comments are closed'],
    [
      'comment section',
      '<section id="comments"><h3>2 Comments</h3><div class="comment"><p>Great article, I really enjoyed reading it and will share it with my friends.</p></div></section>',
      'Great article',
    ],
    [
      'cookie consent banner',
      '<div class="cc-consent-banner"><p>This website uses cookies to ensure you get the best experience, see our policy.</p></div>',
      'uses cookies',
    ],
    [
      'share bar',
      '<ul class="social-share"><li><a href="https://x.example/s">Tweet</a></li><li><a href="https://fb.example/s">Share</a></li></ul>',
      'Tweet',
    ],
    [
      'read-also list without classes',
      '<div><h4>Read more</h4><ul><li><a href="/x">Another story about trains and their timetables</a></li><li><a href="/y">A second story about buses running late</a></li></ul></div>',
      'Another story',
    ],
    [
      'related stories block',
      '<aside class="related-stories"><a href="/z">Related: Mayor opens the new bridge to cyclists and walkers</a></aside>',
      'Mayor opens',
    ],
    [
      'most-read list',
      '<div class="most-read"><ol><li><a href="/1">Top story one is here</a></li><li><a href="/2">Top story two is here</a></li></ol></div>',
      'Top story',
    ],
    ['ad slot', '<div class="ad-slot" id="div-gpt-ad-123"><p>Advertisement</p></div>', 'Advertisement'],
    ['ad label without classes', '<div>ADVERTISEMENT</div>', 'ADVERTISEMENT'],
    [
      'paywall prompt',
      '<div class="paywall-prompt"><p>Subscribe to continue reading this article and support our newsroom.</p></div>',
      'continue reading',
    ],
    [
      'breadcrumbs',
      '<ol class="breadcrumb"><li><a href="/">Home</a></li><li><a href="/world">World</a></li></ol>',
      'World',
    ],
    [
      'hCaptcha "protected by" notice without classes',
      '<p>This form is protected by hCaptcha and its Privacy Policy and Terms of Service apply.</p>',
      'hCaptcha',
    ],
    [
      'navigation inside the article',
      '<nav><a href="/part-1">Part one</a> <a href="/part-2">Part two</a> <a href="/part-3">Part three</a></nav>',
      'Part two',
    ],
    [
      'article footer inside the article',
      '<footer><p>Filed under harbours, ferries and island life, with more from our coastal desk.</p></footer>',
      'Filed under',
    ],
    [
      'comments notice and form without telling classes',
      '<div><h3>Leave a reply</h3><form><textarea name="c"></textarea><input type="text" name="n"><button>Post comment</button></form></div>',
      'Leave a reply',
    ],
    [
      'hidden element',
      '<div style="display: none"><p>Secret text that should never be shown to readers of the story.</p></div>',
      'Secret text',
    ],
  ];

  // Both parsers: extract() uses htmlparser2, which nests some markup (a <form> inside a <p>) unlike parse5.
  describe.each(PARSERS)('%s', (_name, parse) => {
    it.each(cases)('%s', (_kind, fragment, unwanted) => {
      const { text, html } = extractFrom(articlePage(fragment), undefined, parse);
      expect(text).toContain(KEEP_FIRST);
      expect(text).toContain(KEEP_LAST);
      expect(text).not.toContain(unwanted);
      expect(html).not.toContain(unwanted);
    });
  });

  it('drops page-level cookie banners, navigation and footers', () => {
    const { text } = extractFrom(
      articlePage('', {
        around: '<div id="cookie-notice"><p>We use cookies for analytics and ads on this website.</p></div>',
      }),
    );
    expect(text).not.toContain('cookies');
    expect(text).not.toContain('World');
    expect(text).not.toContain('Copyright');
  });
});

describe.each(PARSERS)('article structures are kept, in order (%s)', (_name, parse) => {
  it('keeps subheadings, lists, blockquotes, tables, figures and code blocks', () => {
    const fragment = `
      <h2>How the plan works</h2>
      <p>Here is the plan in a few steps, with commas, each of which is explained below in some detail.</p>
      <ul><li>Collect the data every morning</li><li>Clean it before lunch</li><li>Publish in the evening</li></ul>
      <blockquote><p>It is the most sensible plan we have seen in years, and we support it.</p></blockquote>
      <table><thead><tr><th>Town</th><th>Share</th></tr></thead><tbody><tr><td>Northport</td><td>45%</td></tr><tr><td>Eastwick</td><td>55%</td></tr></tbody></table>
      <figure><img src="/img/pier.jpg" alt="The pier"><figcaption>The old pier at dawn.</figcaption></figure>
      <pre><code>const total = shares.reduce((a, b) =&gt; a + b, 0);
if (total !== 100) throw new Error('bad');</code></pre>
      <ol><li>First numbered point</li><li>Second numbered point</li></ol>`;
    const { text, html } = extractFrom(articlePage(fragment), undefined, parse);
    const order = [
      KEEP_FIRST,
      'How the plan works',
      'Here is the plan',
      'Collect the data every morning',
      'Publish in the evening',
      'the most sensible plan',
      'Northport 45%',
      'const total = shares.reduce((a, b) => a + b, 0);\nif (total !== 100)',
      'Second numbered point',
      KEEP_LAST,
    ];
    let position = -1;
    for (const piece of order) {
      const next = text.indexOf(piece);
      expect(next, piece).toBeGreaterThan(position);
      position = next;
    }
    expect(html).toMatch(/<h2>How the plan works<\/h2>/);
    expect(html).toMatch(/<ul><li>Collect the data every morning<\/li>/);
    expect(html).toContain('<blockquote>');
    expect(html).toContain('<th>Town</th>');
    expect(html).toContain('<figure><img src="https://ledger.example/img/pier.jpg" alt="The pier">');
    expect(html).toContain('<figcaption>The old pier at dawn.</figcaption>');
    expect(html).toContain('<pre><code>const total = shares.reduce((a, b) =&gt; a + b, 0);\nif');
    // Captions describe pictures; they are kept in html but are not body text.
    expect(text).not.toContain('The old pier at dawn');
    // The html keeps every structure in the page's order, figures and captions included.
    const htmlOrder = [
      `<p>${KEEP_FIRST}`,
      '<h2>How the plan works</h2>',
      '<p>Here is the plan',
      '<ul><li>Collect the data every morning</li>',
      '<blockquote>',
      '<th>Town</th>',
      '<td>Eastwick</td>',
      '<figure><img',
      '<figcaption>The old pier at dawn.</figcaption></figure>',
      '<pre><code>',
      '<ol><li>First numbered point</li><li>Second numbered point</li></ol>',
      `<p>${KEEP_LAST}`,
    ];
    let htmlPosition = -1;
    for (const piece of htmlOrder) {
      const next = html.indexOf(piece);
      expect(next, piece).toBeGreaterThan(htmlPosition);
      htmlPosition = next;
    }
  });

  it('separates paragraphs with one blank line and keeps <br> as a line break', () => {
    const { text } = extractFrom(
      articlePage('<p>A poem, line one,<br>and its line two, at length here.</p>'),
      undefined,
      parse,
    );
    expect(text).toBe(
      [
        'The first paragraph of the story sets the scene, with enough words and a comma, to count as content.',
        'A poem, line one,\nand its line two, at length here.',
        'The last paragraph of the story closes it, again long enough, with commas, to be scored as text.',
      ].join('\n\n'),
    );
  });
});

describe('headline handling', () => {
  const page = (heading: string) =>
    articlePage('').replace('<div class="article-body">', `<div class="article-body">${heading}`);

  it('drops a leading h1 or h2 repeating the title', () => {
    expect(extractFrom(page('<h1>Ferry deal agreed</h1>'), 'Ferry deal agreed').text).not.toContain(
      'Ferry deal',
    );
    expect(
      extractFrom(page('<h2>Ferry deal agreed</h2>'), 'Ferry deal agreed | The Ledger').text,
    ).not.toContain('Ferry deal');
  });

  it.each(PARSERS)('drops the kicker or section label above the headline, unclassed (%s)', (_name, parse) => {
    for (const label of ['<a href="/section/region">Region</a>', '<span>Analysis</span>']) {
      const content = extractFrom(page(`${label}<h1>Ferry deal agreed</h1>`), 'Ferry deal agreed', parse);
      expect(content.text).not.toMatch(/Region|Analysis/);
      expect(content.html).not.toMatch(/Region|Analysis/);
      expect(content.text.length).toBeGreaterThan(100);
    }
  });

  it('keeps a short line above the first paragraph when no headline is dropped', () => {
    expect(extractFrom(page('<span>Update</span>'), 'Ferry deal agreed').text).toMatch(/^Update\n\n/);
  });

  it('keeps a leading subheading that is not the title', () => {
    expect(extractFrom(page('<h2>What happened</h2>'), 'Ferry deal agreed').text).toMatch(
      /^What happened\n\n/,
    );
  });
});

describe('sanitized html', () => {
  it('removes scripts, styles, iframes, forms, event handlers and javascript: URLs', () => {
    const fragment = `
      <p onclick="steal()" style="color:red">A paragraph with <a href="javascript:alert(1)">a bad link</a>,
        <a href="  JaVaScRiPt:alert(2)">another</a> and <a href="/good" onmouseover="x()">a good one</a>, all fine.</p>
      <script>alert('x')</script><style>p{}</style><iframe src="https://evil.example/"></iframe>
      <form action="/post"><p>Inside a form, a paragraph long enough to be read as part of the story body.</p></form>
      <img src="/a.png" onerror="hack()">`;
    const { html, text } = extractFrom(articlePage(fragment));
    expect(html).not.toMatch(/<(script|style|iframe|form)\b/i);
    expect(html).not.toMatch(/\son[a-z]+=/i);
    expect(html).not.toMatch(/javascript:/i);
    expect(html).toContain('<a href="https://ledger.example/good">a good one</a>');
    expect(html).toContain('<a>a bad link</a>');
    // A form wrapping text (as ASP.NET pages do) is unwrapped, not lost.
    expect(text).toContain('Inside a form, a paragraph');
  });

  it('makes relative URLs absolute against the page URL, or against <base href>', () => {
    const fragment =
      '<p>See <a href="../docs/report.pdf">the report</a> and <a href="#notes">the notes</a> here.</p>';
    expect(extractFrom(articlePage(fragment)).html).toContain(
      'href="https://ledger.example/news/docs/report.pdf"',
    );
    const based = extractFrom(
      articlePage(fragment, { head: '<base href="https://cdn.example/assets/">' }),
    ).html;
    expect(based).toContain('href="https://cdn.example/docs/report.pdf"');
    expect(based).toContain('href="https://cdn.example/assets/#notes"');
  });

  it('resolves lazy images from data-src, data-lazy-src and srcset', () => {
    const fragment = `
      <figure><img src="data:image/gif;base64,R0lGOD" data-src="/lazy/one.jpg" alt="one"></figure>
      <figure><img data-lazy-src="https://img.example/two.jpg" alt="two"></figure>
      <figure><img src="/img/placeholder.png" srcset="/img/three-480.jpg 480w, /img/three-1200.jpg 1200w" alt="three"></figure>
      <figure><img data-srcset="/img/four.jpg 1x, /img/four@2x.jpg 2x" alt="four"></figure>
      <figure><picture><source srcset="/img/five.webp 800w"><img alt="five"></picture></figure>`;
    const { html } = extractFrom(articlePage(fragment));
    expect(html).toContain('<img src="https://ledger.example/lazy/one.jpg" alt="one">');
    expect(html).toContain('<img src="https://img.example/two.jpg" alt="two">');
    expect(html).toContain('<img src="https://ledger.example/img/three-1200.jpg" alt="three">');
    expect(html).toContain('<img src="https://ledger.example/img/four@2x.jpg" alt="four">');
    expect(html).toContain('<img src="https://ledger.example/img/five.webp" alt="five">');
    expect(html).not.toContain('data:image');
  });

  it('escapes text and attribute values', () => {
    const { html } = extractFrom(
      articlePage(
        '<p>Fish &amp; chips cost &lt;£5&gt; at "the pier", said <a href="/q?a=1&amp;b=2">the vendor</a>.</p>',
      ),
    );
    expect(html).toContain('Fish &amp; chips cost &lt;£5&gt; at "the pier"');
    expect(html).toContain('href="https://ledger.example/q?a=1&amp;b=2"');
  });
});

describe('word counts', () => {
  it('counts CJK characters one by one and space-separated words as words', () => {
    const chinese =
      '港口城镇同意分担渡轮费用。冬季风暴之后，三个城镇的议会宣布了这一决定，居民表示欢迎这个消息。';
    const page = articlePage(`<p>${chinese}</p>`);
    const { text, wordCount } = extractFrom(page);
    const latinWords = text
      .replace(chinese, '')
      .split(/\s+/)
      .filter((word) => /\w/.test(word)).length;
    const hanCharacters = [...chinese].filter((char) => /\p{Script=Han}/u.test(char)).length;
    expect(wordCount).toBe(latinWords + hanCharacters);
  });
});

describe('hostile input', () => {
  // extract() flattens nesting beyond 256 levels (limitNesting) before parsing, so these depths are well past
  // anything extractContent meets through extract(); they check that no traversal recurses.
  it.each([
    { depth: 10_000, parser: 'htmlparser2', parse: PARSERS[1]![1] },
    { depth: 2_000, parser: 'parse5', parse: PARSERS[0]![1] },
  ])('survives $depth nested divs without overflowing the stack ($parser)', ({ depth, parse }) => {
    const html = `<html><body>${'<div>'.repeat(depth)}<p>Deep down there is one paragraph of text, with a comma, long enough to count.</p>${'</div>'.repeat(depth)}</body></html>`;
    const content = extractContent(parse(html), { pageUrl: PAGE_URL });
    expect(content?.text).toBe(
      'Deep down there is one paragraph of text, with a comma, long enough to count.',
    );
    expect(content?.html).toContain('<p>Deep down there is one paragraph');
  });

  // With a title and a description present every per-block check runs; a per-element text read or walk up
  // the tree would make these quadratic (minutes), so the test would time out.
  it.each(['span', 'section', 'blockquote', 'table', 'article', 'b'])(
    'stays linear on 5,000 nested <%s> with a title and description',
    (tag) => {
      const sentence = 'Deep down there is one paragraph of text, with a comma, long enough to count.';
      const depth = 5_000;
      const html = `<html><head><meta name="description" content="${sentence}"></head><body>${`<${tag}>`.repeat(depth)}<p>${sentence}</p>${`</${tag}>`.repeat(depth)}</body></html>`;
      const content = extractContent(PARSERS[1]![1](html), { pageUrl: PAGE_URL, title: 'A different title' });
      expect(content?.text).toBe(sentence);
    },
  );

  // Each teaser card asks whether it sits inside an <article>; walking up 5,000 levels for each of 5,000
  // cards would be quadratic (25 million steps).
  it('drops 5,000 teaser cards under 5,000 nested divs inside an article, and keeps the story', () => {
    const sentence = 'Deep down there is one paragraph of text, with a comma, long enough to count.';
    const depth = 5_000;
    const html = `<html><body><article>${'<div>'.repeat(depth)}${'<article><b>teaser card</b></article>'.repeat(depth)}${`<p>${sentence}</p>`.repeat(20)}${'</div>'.repeat(depth)}</article></body></html>`;
    const content = extractContent(PARSERS[1]![1](html), { pageUrl: PAGE_URL });
    expect(content?.text).toBe(Array(20).fill(sentence).join('\n\n'));
  });

  // extract() refuses more than MAX_HTML_CHARS (5 MiB of markup), so that is the largest page to test.
  it('completes on a 5 MB page', () => {
    const paragraph =
      '<div class="item"><p>Another paragraph of filler text, with a comma or two, repeated to make the page very large.</p><a href="/x">link</a></div>';
    const html = `<html><body><main>${paragraph.repeat(Math.floor((5 * 2 ** 20 - 100) / paragraph.length))}</main></body></html>`;
    expect(html.length).toBeLessThanOrEqual(MAX_HTML_CHARS);
    expect(html.length).toBeGreaterThan(MAX_HTML_CHARS - 200);
    const content = extractContent(PARSERS[1]![1](html), { pageUrl: PAGE_URL });
    expect(content?.text.startsWith('Another paragraph of filler text')).toBe(true);
    expect(content!.wordCount).toBeGreaterThan(1000);
  });

  it('is not slowed into a hang by megabyte-long class names built to make patterns backtrack', () => {
    const hostileClass = `${'hover-'.repeat(150_000)}x ${'display '.repeat(50_000)}`;
    const html = articlePage(
      `<div class="${hostileClass}" style="${'display '.repeat(50_000)}"><p>Inside the oddly classed box, a paragraph of the story that is long enough.</p></div>`,
    );
    const { text } = extractFrom(html, undefined, PARSERS[1]![1]);
    expect(text).toContain(KEEP_FIRST);
  });

  it('handles megabyte-long href, id, title and srcset values, and resolves the widest image', () => {
    const longPath = 'a'.repeat(1_000_000);
    const srcset = `${Array.from({ length: 50_000 }, (_, i) => `/img/w${i}.jpg ${i + 1}w`).join(', ')}`;
    const html = articlePage(
      `<p id="${'x-'.repeat(250_000)}" title="${'t'.repeat(1_000_000)}">A paragraph with <a href="/${longPath}">a very long link</a>, still part of the story.</p>
       <figure><img src="data:image/gif;base64,R0lGOD" data-srcset="${srcset}" alt="wide"></figure>`,
    );
    const { text, html: out } = extractFrom(html, undefined, PARSERS[1]![1]);
    expect(text).toContain('A paragraph with a very long link, still part of the story.');
    expect(out).toContain(`<a href="https://ledger.example/${longPath}">a very long link</a>`);
    expect(out).toContain('<img src="https://ledger.example/img/w49999.jpg" alt="wide">');
  });

  it('completes on 100,000 tiny inline elements in one paragraph', () => {
    const html = `<html><body><div><p>${'<b>x</b> '.repeat(100_000)}</p><p>${KEEP_LAST}</p></div></body></html>`;
    const content = extractContent(PARSERS[1]![1](html), { pageUrl: PAGE_URL });
    const [first, last] = content?.text.split('\n\n') ?? [];
    expect(first?.split(' ')).toHaveLength(100_000);
    expect(last).toBe(KEEP_LAST);
  });

  it('returns undefined rather than throwing when there is no content', () => {
    expect(extractContent(load(''), { pageUrl: PAGE_URL })).toBeUndefined();
    expect(
      extractContent(load('<html><body><nav><a href="/">Home</a></nav></body></html>'), {
        pageUrl: PAGE_URL,
      }),
    ).toBeUndefined();
  });

  it('returns content for a short page with a single paragraph', () => {
    const content = extractContent(load('<p>Just one short line.</p>'), { pageUrl: PAGE_URL });
    expect(content?.text).toBe('Just one short line.');
  });
});

describe('the story behind a paywall', () => {
  const gated = [
    'Shares of the ferry operator fell in early trading after the councils announced the cost-sharing plan.',
    'Analysts said the deal would cut the operator’s winter losses but cap its fares for three years.',
    'The operator’s chief executive said the company would keep running the early sailing every weekday.',
  ];

  it('keeps the paragraphs of a box classed "paywall": the gated story served to the reader', () => {
    // The free part is long enough on its own, so the story is found without the gated box.
    const free = STORY_PARAGRAPHS.slice(0, 6)
      .map((p) => `<p>${p}, as the councils said on Tuesday.</p>`)
      .join('');
    const html = articlePage(`${free}<div class="paywall">${gated.map((p) => `<p>${p}</p>`).join('')}</div>`);
    const { text } = extractFrom(html);
    for (const paragraph of gated) expect(text).toContain(paragraph);
    expect(text).toContain(KEEP_LAST);
  });

  it('still drops the paywall prompt, a box classed "paywall" without paragraphs of its own', () => {
    const html = articlePage(
      '<div class="paywall"><div><h3>Keep reading</h3><p>Subscribe for full access to every story.</p><a href="/subscribe">Subscribe</a></div></div>',
    );
    const { text } = extractFrom(html);
    expect(text).not.toContain('Subscribe for full access');
    expect(text).toContain(KEEP_LAST);
  });
});

describe('copies of a section for another screen size', () => {
  const section =
    "The ferry will run twice a day from March, the councils said, and a third crossing may follow in summer if the new pier is ready; tickets stay at last year's price until then, and children under twelve travel free on every crossing.";

  it('keeps one of two sibling variants holding the same text, and a paragraph that only starts alike', () => {
    const alike = `${section.slice(0, 120)} and the harbour master, asked about it, only shrugged and said the sea decides.`;
    const html = articlePage(
      `<div class="variant variant--wide"><p>${section}</p></div><div class="variant variant--narrow"><p>${section}</p></div><p>${alike}</p>`,
    );
    const { text } = extractFrom(html);
    expect(text.split('The ferry will run twice a day').length - 1).toBe(2);
    expect(text).toContain('the sea decides');
    expect(text).toContain(KEEP_LAST);
  });

  it('keeps one of 500 sibling copies', () => {
    const copies = `<div><p>${section}</p></div>`.repeat(500);
    const content = extractContent(load(`<html><body><article>${copies}</article></body></html>`), {
      pageUrl: PAGE_URL,
    });
    expect(content?.text).toBe(section);
  });
});

describe('blocks gathered beside the story', () => {
  // The story's body in one box, and short blocks beside it that read as sentences: they join the content as
  // sibling paragraphs, and are then judged by the furniture rules as a block inside the body is.
  const body = STORY_PARAGRAPHS.map((paragraph) => `<p>${paragraph}, the councils said on Monday.</p>`).join(
    '',
  );
  const page = (beside: string) =>
    `<html><head><title>${STORY_TITLE}</title></head><body><main><div class="story-text">${body}</div>${beside}</main></body></html>`;

  it.each([
    ['a copyright line', '<div>© 2024 Ledger Media Ltd. All rights reserved.</div>', 'All rights reserved'],
    [
      'a line classed as a disclaimer',
      '<div class="story-disclaimer">Views expressed here are the writer’s own.</div>',
      'Views expressed',
    ],
    [
      'an engagement prompt',
      '<p>If you enjoyed this article, please pass it on to the people who ride the ferry with you every day.</p>',
      'If you enjoyed',
    ],
  ])('leaves out %s', (_label, beside, leaked) => {
    const { text } = extractFrom(page(beside));
    expect(text).toContain('councils will review the arrangement');
    expect(text).not.toContain(leaked);
  });

  it('keeps a closing sentence beside the body', () => {
    const { text } = extractFrom(page('<div>The ferry leaves at seven.</div>'));
    expect(text).toContain('The ferry leaves at seven.');
  });
});

describe('links in running text', () => {
  it('keeps a link whose class reads as furniture when it is part of a sentence', () => {
    const html = articlePage(
      '<p>Plant the beans where the <a class="recommendation-inline-link" href="/guides/soil">soil drains well</a> and the sun stays past noon, the gardeners said.</p>',
    );
    const { text } = extractFrom(html);
    expect(text).toContain('Plant the beans where the soil drains well and the sun stays past noon');
  });

  it('still drops such a link standing alone in its paragraph', () => {
    const html = articlePage(
      '<p><a class="share-link" href="https://social.example/share">Share this story</a></p>',
    );
    const { text } = extractFrom(html);
    expect(text).not.toContain('Share this story');
    expect(text).toContain(KEEP_LAST);
  });
});

describe('page furniture recognised by its text', () => {
  it('drops datelines and bylines but keeps sentences that merely start alike', () => {
    const fragment = `
      <p>PUBLISHED: 10:48, Tue, Nov 19, 2019 | UPDATED: 11:05, Tue, Nov 19, 2019</p>
      <div>By Jane Doe and John Roe on Monday, November 18th, 2019 at 11:08 a.m.</div>
      <p>sexta-feira, 22 de outubro de 2010 às 20:13</p>
      <p>By contrast, the council said on Monday, November 18, that it would wait.</p>`;
    const { text } = extractFrom(articlePage(fragment));
    expect(text).not.toContain('PUBLISHED');
    expect(text).not.toContain('Jane Doe');
    expect(text).not.toContain('sexta-feira');
    expect(text).toContain('By contrast, the council said on Monday, November 18, that it would wait.');
  });

  it('drops wire-story credits and engagement prompts', () => {
    const fragment = `
      <p>(Reporting by Jane Doe; Editing by John Roe)</p>
      <p>Associated Press writer Ann Smith contributed to this report.</p>
      <p>Like this story? Share it with a friend!</p>
      <p>Follow @LedgerNews on Twitter for more coverage of the coast.</p>`;
    const { text } = extractFrom(articlePage(fragment));
    for (const line of [
      'Reporting by',
      'contributed to this report',
      'Like this story',
      'Follow @LedgerNews',
    ]) {
      expect(text).not.toContain(line);
    }
    expect(text).toContain(KEEP_LAST);
  });

  it('drops teaser cards marked up as <article> inside the article', () => {
    const fragment = `
      <article class="post"><h3>Another post on this blog</h3><p>A different story entirely, about something else, which only teases the reader.</p></article>
      <article class="post"><h3>A third post</h3><p>Yet another story, with its own subject, shown here as a card beside the first.</p></article>`;
    const { text } = extractFrom(articlePage(fragment));
    expect(text).not.toContain('A different story entirely');
    expect(text).not.toContain('Yet another story');
    expect(text).toContain(KEEP_FIRST);
    expect(text).toContain(KEEP_LAST);
  });

  it('drops a teaser heading line and the links it introduces', () => {
    const fragment = `
      <div>You may also like...</div>
      <div><a href="/a">Lighthouse keeper retires after forty years of service</a></div>
      <div><a href="/b">Fishing quotas are cut again this spring</a></div>`;
    const { text } = extractFrom(articlePage(fragment));
    expect(text).not.toContain('You may also like');
    expect(text).not.toContain('Lighthouse keeper');
    expect(text).not.toContain('Fishing quotas');
  });

  it('drops lists made of links, keeps lists of prose', () => {
    const fragment = `
      <ul><li><a href="/1">First other story</a></li><li><a href="/2">Second other story</a></li><li><a href="/3">Third other story</a></li></ul>
      <ul><li>The council met on Monday, as planned</li><li>It voted, narrowly, for the plan</li><li>The <a href="/plan">plan</a> starts in May</li></ul>`;
    const { text } = extractFrom(articlePage(fragment));
    expect(text).not.toContain('other story');
    expect(text).toContain('It voted, narrowly, for the plan');
    expect(text).toContain('The plan starts in May');
  });

  it('leaves caption-classed elements out of the text but keeps them in the html', () => {
    const fragment =
      '<div class="image-wrapper"><img src="/p.jpg" alt=""><span class="image-caption">The harbour at dawn (Image: GETTY)</span></div>';
    const { text, html } = extractFrom(articlePage(fragment));
    expect(text).not.toContain('The harbour at dawn');
    expect(html).toContain('The harbour at dawn (Image: GETTY)');
  });

  it('keeps embedded social posts, which are part of the story', () => {
    const fragment = `
      <div class="social-media-embed"><blockquote class="twitter-tweet"><p lang="en">The new ferry timetable is finally out and it looks good <a href="https://t.co/x">https://t.co/x</a></p>— Island Council (@islandcouncil) <a href="https://twitter.example/status/1">February 3, 2024</a></blockquote></div>`;
    const { text } = extractFrom(articlePage(fragment));
    expect(text).toContain('The new ferry timetable is finally out and it looks good');
  });

  it('drops hover-card popups inside paragraphs but keeps the linked name', () => {
    const fragment = `<p>The plan was backed by Gov. <span class="person-hover"><a href="/people/jane">Jane Roe</a><span class="hover-card-panel"><a href="/people/jane">Jane Alice Roe</a><a href="/x">Roe signs the budget</a></span></span>, who called it a fair deal for the islands.</p>`;
    const { text } = extractFrom(articlePage(fragment));
    expect(text).toContain(
      'The plan was backed by Gov. Jane Roe, who called it a fair deal for the islands.',
    );
    expect(text).not.toContain('Roe signs the budget');
  });
});

describe('standfirst', () => {
  const description =
    'The three councils will split the cost of the island ferry until the new pier opens in April.';
  const head = `<meta property="og:description" content="${description}">`;

  it('keeps a summary above the body even when it repeats the page description', () => {
    const html = articlePage('', { head }).replace(
      '<article>',
      `<article><header><p class="dek">${description}</p></header>`,
    );
    const { text } = extractFrom(html);
    expect(text).toContain('The three councils will split');
    expect(text.indexOf('The three councils will split')).toBeLessThan(text.indexOf(KEEP_FIRST));
  });

  it('keeps the lead between the headline and the body when it sits outside the chosen container', () => {
    const lead =
      'Three towns will share the cost of the island ferry, ending a winter of cancelled crossings.';
    const html = articlePage('').replace(
      '<article>',
      `<header class="story-head"><h1>Harbour towns agree to share ferry costs</h1><div class="standfirst">${lead}</div><span>By Marta Quell</span></header><article>`,
    );
    const { text } = extractFrom(html, 'Harbour towns agree to share ferry costs');
    expect(text.startsWith(lead)).toBe(true);
    expect(text).toContain(KEEP_FIRST);
    expect(text).not.toContain('Marta Quell');
    expect(text).not.toContain('Harbour towns agree');
  });

  it("keeps the opening a page builder set in a container of its own beside the body's, and no box after it", () => {
    // The intro's three paragraphs (more than a lead) sit two levels above the body's own parent; a notice above the
    // headline is no intro.
    const intro = [
      'Nobody planned for the ferry to stop in January, least of all the three councils who pay for it.',
      'What follows is how the towns, after a winter of cancelled crossings and empty shops, came to share the bill.',
      'It is a story of three town halls, two harbour masters and one very old boat, told by those who were there.',
    ];
    const box = (inner: string, kind = 'builder-text', extra = '') =>
      `<div class="builder-container"><div class="builder-inner"><div class="${kind}">${inner}</div>${extra}</div></div>`;
    const paragraphs = (lines: string[]) => lines.map((line) => `<p>${line}</p>`).join('');
    const after = [
      'We rode the ferry every week for a year, and the crew, always cheerful, never once let us down.',
      'The island shop thanks every customer who came across in the storms, and the skipper who brought them.',
    ];
    const notice = [
      'This copy is for your own reading only, and may not be printed again or sold in any form by anyone.',
      'Copies for colleagues, clients or customers may be ordered from our reprints desk, by letter or by phone.',
    ];
    const html = `<html><body><div class="builder">${box(paragraphs(notice))}<h1>Harbour towns agree to share ferry costs</h1>${box(paragraphs(intro))}${box(paragraphs(STORY_PARAGRAPHS), 'post-body', '<div class="builder-button"><a href="/tickets">Book a crossing</a></div>')}${box(paragraphs(after))}</div></body></html>`;
    const { text } = extractFrom(html);
    expect(text.startsWith(intro[0]!)).toBe(true);
    expect(text).toContain(intro[1]);
    expect(text.indexOf(intro[1]!)).toBeLessThan(text.indexOf(STORY_PARAGRAPHS[0]!));
    for (const paragraph of STORY_PARAGRAPHS) expect(text).toContain(paragraph);
    expect(text).not.toContain('the skipper who brought them');
    expect(text).not.toContain('reprints desk');
  });

  it('leaves out the caption of the picture between the headline and the body: it is no lead', () => {
    const caption = 'The island ferry at the old pier in Harbourton, a week before the crossings stopped.';
    const html = articlePage('').replace(
      '<article>',
      `<header><h1>Harbour towns agree to share ferry costs</h1><figure><img src="/ferry.jpg"><figcaption><p><span class="img-caption">${caption}</span> <span>Jo Example/Agency files</span></p></figcaption></figure></header><article>`,
    );
    const { text } = extractFrom(html, 'Harbour towns agree to share ferry costs');
    expect(text).not.toContain('Agency files');
    expect(text).not.toContain('a week before the crossings stopped');
    expect(text).toContain(KEEP_FIRST);
  });

  it('leaves out an unmarked caption, the only text of a box around the photo above the body', () => {
    const caption =
      'In this 2006 file photo, the island ferry waits at the old pier in Harbourton before a winter crossing.';
    const html = articlePage('').replace(
      '<article>',
      `<header><h1>Harbour towns agree to share ferry costs</h1></header><div class="image top"><img src="/ferry.jpg"><p>${caption}</p></div><article>`,
    );
    const { text } = extractFrom(html, 'Harbour towns agree to share ferry costs');
    expect(text).not.toContain('In this 2006 file photo');
    expect(text.startsWith(KEEP_FIRST)).toBe(true);
  });

  it('leaves out a caption that is all the text of its caption-classed box, beside the headline and the photo', () => {
    const caption =
      'The island ferry leaves the old pier in Harbourton on Tuesday, a week before the crossings stopped. (Jo Example/Agency)';
    const html = articlePage('').replace(
      '<article>',
      `<header><div class="wp-caption"><h1>Harbour towns agree to share ferry costs</h1><img src="/ferry.jpg"><div class="caption-text-block"><p>${caption}</p></div></div></header><article>`,
    );
    const { text } = extractFrom(html, 'Harbour towns agree to share ferry costs');
    expect(text).not.toContain('leaves the old pier');
    expect(text.startsWith(KEEP_FIRST)).toBe(true);
  });

  it('keeps the lead in a header that also holds the headline and the top photo', () => {
    const lead =
      'Three towns will share the cost of the island ferry, ending a winter of cancelled crossings.';
    const html = articlePage('').replace(
      '<article>',
      `<header><img src="/ferry.jpg"><h1>Ferry deal</h1><p class="dek">${lead}</p></header><article>`,
    );
    const { text } = extractFrom(html, 'Ferry deal');
    expect(text.startsWith(lead)).toBe(true);
  });

  it('prints a lead once when the body opens with it again (the deck repeated as the abstract)', () => {
    const lead =
      'Three towns will share the cost of the island ferry, ending a winter of cancelled crossings.';
    const html = articlePage('')
      .replace(
        '<article>',
        `<header><h1>Harbour towns agree to share ferry costs</h1><div class="dek">${lead}</div></header><article>`,
      )
      .replace('<div class="article-body">', `<div class="article-body"><p class="abstract">${lead}</p>`);
    const { text } = extractFrom(html, 'Harbour towns agree to share ferry costs');
    expect(text.startsWith(lead)).toBe(true);
    expect(text.split(lead).length - 1).toBe(1);
    expect(text).toContain(KEEP_FIRST);
  });

  it('takes no headline printed again in a box of its own for the lead', () => {
    const headline = 'Harbour towns agree to share the cost of the island ferry after a winter of storms';
    const html = articlePage('').replace(
      '<article>',
      `<header><h1>Ferry deal</h1><div class="story-title">${headline}</div></header><article>`,
    );
    const { text } = extractFrom(html, `${headline} | The Harbour Ledger`);
    expect(text).not.toContain('after a winter of storms');
    expect(text.startsWith(KEEP_FIRST)).toBe(true);
  });

  it('takes no part of the headline for the lead', () => {
    const headline = 'Harbour towns agree to share the cost of the island ferry after a winter of storms';
    const html = articlePage('').replace(
      '<article>',
      `<header><h1 class="entry-title"><span class="title-text">${headline}</span></h1></header><article>`,
    );
    const { text } = extractFrom(html, 'Harbour towns agree');
    expect(text).not.toContain('after a winter of storms');
    expect(text.startsWith(KEEP_FIRST)).toBe(true);
  });

  it("leaves out the author's blurb between the headline and the body, keeping the lead", () => {
    const lead =
      'Three towns will share the cost of the island ferry, ending a winter of cancelled crossings.';
    const blurb =
      'Marta Quell has covered the northern coast for ten years, writing about ferries, fishing and the weather.';
    const html = articlePage('').replace(
      '<article>',
      `<header><h1>Harbour towns agree to share ferry costs</h1><div class="dek">${lead}</div><div class="meta"><div><a href="/author/marta-quell">Marta Quell</a></div><div class="about">${blurb}</div></div></header><article>`,
    );
    const { text } = extractFrom(html, 'Harbour towns agree to share ferry costs');
    expect(text.startsWith(lead)).toBe(true);
    expect(text).not.toContain('has covered the northern coast');
    expect(text).toContain(KEEP_FIRST);
  });

  it('keeps a lede inside the body even when the description copies it', () => {
    const html = articlePage(`<p>${description}</p>`, { head }).replace(
      'The first paragraph of the story sets the scene',
      'The opening paragraph of the story sets the scene',
    );
    const { text } = extractFrom(html);
    expect(text).toContain('The three councils will split');
  });
});
