// content.html is rendered by other services, so the sanitizer is attacked here with filter-evasion payloads in
// the style of the OWASP XSS cheat sheet. The output is judged the way a browser would read it: re-parsed by
// parse5 (an HTML5-conformant parser), every element and attribute is checked against what is safe to render.
import { type CheerioAPI, load } from 'cheerio';
import type { AnyNode, Element, ParentNode } from 'domhandler';
import { describe, expect, it } from 'vitest';
import { extractContent } from '../../lib/core/extract/content.ts';
import { sanitizeToHtml } from '../../lib/core/extract/sanitize.ts';

const PAGE_URL = new URL('https://ledger.example/news/story');

const PARSERS: [string, (html: string) => CheerioAPI][] = [
  ['htmlparser2', (html) => load(html, { xml: { xmlMode: false, decodeEntities: true } })],
  ['parse5', (html) => load(html)],
];

/** Tags that cannot run code or load a document; html/head/body/tbody come from re-parsing the output. */
const RENDERABLE_TAGS = new Set(
  'html head body a abbr article b bdi bdo blockquote br caption cite code col colgroup dd del details dfn div dl dt em figcaption figure h1 h2 h3 h4 h5 h6 hr i img ins kbd li mark ol p pre q s samp section small strong sub summary sup table tbody td tfoot th thead time tr u ul var wbr'.split(
    ' ',
  ),
);
/** Attributes that carry no script and no style; href, src and cite are URLs and checked further. */
const RENDERABLE_ATTRIBUTES = new Set(
  'href src cite alt title width height lang dir datetime colspan rowspan headers scope span start reversed type value'.split(
    ' ',
  ),
);
const URL_ATTRIBUTES = new Set(['href', 'src', 'cite']);
const WEB_URL = /^(https?:\/\/[^\s]+|mailto:[^\s]*|tel:[^\s]*)$/;

/** Everything about a rendered fragment that could run script, load a frame or restyle the page. */
function unsafeParts(html: string): string[] {
  const $ = load(html); // parse5, as a browser parses
  const problems: string[] = [];
  const stack: AnyNode[] = [$.root()[0]!];
  while (stack.length > 0) {
    const node = stack.pop()!;
    if (node.type === 'tag' || node.type === 'script' || node.type === 'style') {
      const element = node as Element;
      if (!RENDERABLE_TAGS.has(element.name)) problems.push(`<${element.name}>`);
      for (const [name, value] of Object.entries(element.attribs)) {
        if (!RENDERABLE_ATTRIBUTES.has(name)) problems.push(`${element.name}[${name}]`);
        else if (URL_ATTRIBUTES.has(name) && !WEB_URL.test(value))
          problems.push(`${element.name}[${name}=${value}]`);
      }
    }
    if ('children' in node) stack.push(...(node as ParentNode).children);
  }
  return problems;
}

function sanitizeFragment(fragment: string, parse: (html: string) => CheerioAPI): string {
  const root = parse(`<!doctype html><html><body>${fragment}</body></html>`).root()[0] as ParentNode;
  return sanitizeToHtml(root.children, { baseUrl: PAGE_URL });
}

const SENTINEL = '<p>The sentinel paragraph stays.</p>';

// [what the payload tries, the payload]. Spellings are varied on purpose: case, entities with and without
// semicolons, padding, tabs, newlines and control characters inside the scheme.
const PAYLOADS: [string, string][] = [
  ['script element', '<script>alert(1)</script>'],
  ['external script in odd case', '<SCRIPT SRC=//evil.example/x.js></SCRIPT>'],
  ['script split across a stray tag', '<scr<script>ipt>alert(1)</scr</script>ipt>'],
  ['image with a javascript: src', `<IMG SRC="javascript:alert('XSS');">`],
  ['mixed-case scheme, unquoted', `<IMG SRC=JaVaScRiPt:alert('XSS')>`],
  ['link with a javascript: href', '<a href="javascript:alert(1)">link</a>'],
  ['scheme padded with spaces', '<a href="   javascript:alert(1)   ">link</a>'],
  [
    'decimal entities with semicolons',
    '<a href="&#106;&#97;&#118;&#97;&#115;&#99;&#114;&#105;&#112;&#116;&#58;alert(1)">link</a>',
  ],
  [
    'long decimal entities without semicolons',
    '<a href="&#0000106&#0000097&#0000118&#0000097&#0000115&#0000099&#0000114&#0000105&#0000112&#0000116&#0000058alert(1)">link</a>',
  ],
  [
    'hex entities without semicolons',
    '<a href="&#x6A&#x61&#x76&#x61&#x73&#x63&#x72&#x69&#x70&#x74&#x3A;alert(1)">link</a>',
  ],
  ['partly encoded scheme', '<a href="javas&#99;ript:alert(1)">link</a>'],
  ['encoded tab inside the scheme', '<a href="jav&#x09;ascript:alert(1)">link</a>'],
  ['encoded newline inside the scheme', '<a href="jav&#x0A;ascript:alert(1)">link</a>'],
  ['encoded carriage return inside the scheme', '<a href="jav&#x0D;ascript:alert(1)">link</a>'],
  ['raw tab and newline inside the scheme', '<a href="java\tscr\nipt:alert(1)">link</a>'],
  ['named entities for tab and colon', '<a href="java&Tab;script&colon;alert(1)">link</a>'],
  ['control characters before the scheme', '<a href=" &#14; \u0001javascript:alert(1)">link</a>'],
  ['null byte inside the scheme', '<a href="java\u0000script:alert(1)">link</a>'],
  ['comment-wrapped payload after the scheme', '<a href="javascript://%0aalert(1)">link</a>'],
  ['vbscript: URL', '<a href="vbscript:msgbox(1)">link</a>'],
  ['data:text/html URL', '<a href="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==">link</a>'],
  ['upper-case data:text/html URL', '<a href="DATA:text/html,<script>alert(1)</script>">link</a>'],
  ['data: SVG image', '<img src="data:image/svg+xml,<svg onload=alert(1)>">'],
  ['onerror handler on an image', '<img src=x onerror=alert(1)>'],
  ['handler in odd case on a paragraph', '<p ONCLICK="alert(1)" OnMouseOver=alert(2)>para</p>'],
  ['handler after a slash instead of a space', '<img/src="x"/onerror=alert(1)>'],
  ['ontoggle on an open details', '<details open ontoggle=alert(1)><summary>more</summary></details>'],
  ['body onload', '<body onload=alert(1)>'],
  ['svg onload', '<svg onload=alert(1)>'],
  ['script inside svg', '<svg><script>alert(1)</script></svg>'],
  ['svg link with xlink:href', '<svg><a xlink:href="javascript:alert(1)"><text>svg</text></a></svg>'],
  [
    'svg animation setting href',
    '<svg><a><animate attributeName="href" values="javascript:alert(1)"/><text>x</text></a></svg>',
  ],
  [
    'MathML action with xlink:href',
    '<math><maction actiontype="statusline" xlink:href="javascript:alert(1)">m</maction></math>',
  ],
  ['MathML namespace confusion', '<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>'],
  ['iframe with a javascript: src', '<iframe src="javascript:alert(1)"></iframe>'],
  ['iframe srcdoc', '<iframe srcdoc="&lt;script&gt;alert(1)&lt;/script&gt;"></iframe>'],
  ['srcdoc on an allowed tag', '<div srcdoc="<script>alert(1)</script>">div</div>'],
  ['frameset', '<frameset><frame src="javascript:alert(1)"></frameset>'],
  ['object with data', '<object data="javascript:alert(1)"></object>'],
  ['embed with data:text/html', '<embed src="data:text/html,<script>alert(1)</script>">'],
  [
    'form action and button formaction',
    '<form action="javascript:alert(1)"><button formaction="javascript:alert(2)">go</button></form>',
  ],
  ['input image', '<input type="image" src="javascript:alert(1)">'],
  ['isindex', '<isindex action="javascript:alert(1)" type="image">'],
  ['base href', '<base href="javascript:alert(1)//">'],
  ['meta refresh', '<meta http-equiv="refresh" content="0;url=javascript:alert(1)">'],
  ['link stylesheet', '<link rel="stylesheet" href="javascript:alert(1)">'],
  ['style element with @import', `<style>@import 'javascript:alert(1)';</style>`],
  ['style attribute with expression()', '<div style="width: expression(alert(1))">div</div>'],
  [
    'style attribute with url(javascript:)',
    '<div style="background-image: url(javascript:alert(1))">div</div>',
  ],
  [
    'style attribute with a binding',
    '<div style="-moz-binding: url(https://evil.example/x.xml#x); behavior: url(x.htc)">div</div>',
  ],
  [
    'background attribute on tables',
    '<table background="javascript:alert(1)"><tr><td background="javascript:alert(1)">cell</td></tr></table>',
  ],
  ['video poster', '<video poster="javascript:alert(1)"></video>'],
  ['javascript: srcset', '<img srcset="javascript:alert(1) 1x">'],
  ['javascript: lazy src', '<img src="data:image/gif;base64,R0lGOD" data-src="javascript:alert(1)">'],
  ['javascript: blockquote cite', '<blockquote cite="javascript:alert(1)">quote</blockquote>'],
  ['noscript attribute breakout', '<noscript><p title="</noscript><img src=x onerror=alert(1)>"></noscript>'],
  ['xmp attribute breakout', '<xmp><p title="</xmp><img src=x onerror=alert(1)>"></xmp>'],
  ['textarea attribute breakout', '<textarea><p title="</textarea><img src=x onerror=alert(1)>"></textarea>'],
  ['comment confusion', '<!--<img src="--><img src=x onerror=alert(1)//">'],
  ['CDATA in HTML', '<![CDATA[<img src=x onerror=alert(1)>]]>'],
  ['plaintext', '<plaintext><img src=x onerror=alert(1)>'],
  ['quote breakout in an allowed attribute', `<p title='"><script>alert(1)</script>'>para</p>`],
  ['template content', '<template><img src=x onerror=alert(1)></template>'],
  ['custom element with a handler', '<x-widget onclick="alert(1)">widget</x-widget>'],
  ['marquee with a handler', '<marquee onstart=alert(1)>marquee</marquee>'],
];

describe.each(PARSERS)('sanitizeToHtml against filter-evasion payloads (%s)', (_name, parse) => {
  it.each(PAYLOADS)('%s', (_what, payload) => {
    const html = sanitizeFragment(`${SENTINEL}${payload}`, parse);
    expect(unsafeParts(html)).toEqual([]);
    expect(html).toContain(SENTINEL);
    expect(html).not.toMatch(/javascript:|vbscript:|data:text\/html|expression\(/i);
  });
});

describe('what the sanitizer keeps', () => {
  it.each(PARSERS)('keeps safe links, images and text, with URLs made absolute (%s)', (_name, parse) => {
    const html = sanitizeFragment(
      `<p lang="en" class="x" id="y" style="color:red">Read <a href="/report.pdf" target="_blank" rel="x">the report</a>, <a href="mailto:desk@ledger.example">write</a> or <a href="tel:+15550100">call</a>.</p>
       <img src="../img/pier.jpg" alt="The pier" width="640" height="480" loading="lazy">`,
      parse,
    );
    expect(html).toContain(
      '<p lang="en">Read <a href="https://ledger.example/report.pdf">the report</a>, <a href="mailto:desk@ledger.example">write</a> or <a href="tel:+15550100">call</a>.</p>',
    );
    expect(html).toContain(
      '<img src="https://ledger.example/img/pier.jpg" alt="The pier" width="640" height="480">',
    );
  });

  it('keeps the text of unwrapped elements and drops the content of dropped ones', () => {
    const html = sanitizeFragment(
      '<p>One <span>two</span> <font color="red">three</font> <x-widget>four</x-widget><script>five</script><svg><text>six</text></svg></p>',
      PARSERS[0]![1],
    );
    expect(html).toBe('<p>One two three four</p>');
  });

  it('keeps a link whose dangerous href was removed as plain link text', () => {
    const html = sanitizeFragment(
      '<p>Go <a href="javascript:alert(1)" onclick="x()">here</a> now.</p>',
      PARSERS[0]![1],
    );
    expect(html).toBe('<p>Go <a>here</a> now.</p>');
  });

  it('takes the <noscript> image after a placeholder-only lazy image, once', () => {
    const html = sanitizeFragment(
      `<figure><img src="data:image/gif;base64,R0lGOD" class="lazy" alt="pier">
         <noscript><img src="/img/pier.jpg" alt="The pier at dawn"></noscript></figure>
       <figure><img src="/img/real.jpg" alt="real"><noscript><img src="/img/other.jpg"></noscript></figure>`,
      PARSERS[0]![1],
    );
    expect(html.match(/<img [^>]*>/g)).toEqual([
      '<img src="https://ledger.example/img/pier.jpg" alt="The pier at dawn">',
      '<img src="https://ledger.example/img/real.jpg" alt="real">',
    ]);
  });

  it('resolves lazy images from data-src, data-lazy-src, data-original and srcset, skipping placeholders', () => {
    const html = sanitizeFragment(
      `<img src="data:image/gif;base64,R0lGOD" data-src="/a.jpg" alt="a">
       <img src="/img/blank.gif" data-lazy-src="/b.jpg" alt="b">
       <img data-original="https://cdn.example/c.jpg" alt="c">
       <img srcset="/d-320.jpg 320w, /d-1280.jpg 1280w, /d-640.jpg 640w" alt="d">
       <picture><source srcset="/e.avif 1x, /e@2x.avif 2x"><img alt="e"></picture>
       <img src="data:image/png;base64,iVBOR" alt="only a placeholder">`,
      PARSERS[0]![1],
    );
    expect(html.match(/<img [^>]*>/g)).toEqual([
      '<img src="https://ledger.example/a.jpg" alt="a">',
      '<img src="https://ledger.example/b.jpg" alt="b">',
      '<img src="https://cdn.example/c.jpg" alt="c">',
      '<img src="https://ledger.example/d-1280.jpg" alt="d">',
      '<img src="https://ledger.example/e@2x.avif" alt="e">',
    ]);
  });
});

describe('the whole extraction path keeps content.html safe', () => {
  const paragraphs = [
    'The first paragraph of the story sets the scene, with enough words and a comma, to count as content.',
    'The last paragraph of the story closes it, again long enough, with commas, to be scored as text.',
  ];
  const page = (fragment: string, head = '') =>
    `<!doctype html><html><head><title>A story</title>${head}</head><body><article><div class="article-body">
      <p>${paragraphs[0]}</p><p>A middle paragraph with <a href="relative/page">a link</a> and words, enough of them.</p>
      ${fragment}<p>${paragraphs[1]}</p></div></article></body></html>`;

  it.each(PAYLOADS)('%s', (_what, payload) => {
    const content = extractContent(PARSERS[0]![1](page(payload)), { pageUrl: PAGE_URL });
    expect(content?.text).toContain(paragraphs[0]);
    expect(unsafeParts(content!.html)).toEqual([]);
    expect(content!.html).not.toMatch(/javascript:|vbscript:|data:text\/html|expression\(/i);
  });

  it('ignores a <base href> that is not http(s): relative links resolve against the page', () => {
    for (const base of ['javascript:alert(1)//', 'data:text/html,x/', 'ftp://files.example/pub/']) {
      const content = extractContent(PARSERS[0]![1](page('', `<base href="${base}">`)), {
        pageUrl: PAGE_URL,
      });
      expect(content?.html).toContain('<a href="https://ledger.example/news/relative/page">a link</a>');
    }
  });
});
