import type { AnyNode, Element } from 'domhandler';
import { describe, expect, it } from 'vitest';
import {
  documentRoot,
  elementsInOrder,
  hasChildren,
  isElement,
  visibleLength,
} from '../../lib/core/extract/content-dom.ts';
import { parseHtml } from '../../lib/core/extract/index.ts';
import {
  ADD_TO_CART_CLASS,
  bodyTextPhrases,
  classifyPageType,
  EDIT_THIS_PAGE,
  isPostBlock,
  joinedTextLength,
  namesCartControl,
  PAGE_TYPE_SIGNALS,
  PAGE_TYPES,
  PAGINATION_TEXT,
  POST_BLOCK_CLASS,
  SERVICE_CALLS,
} from '../../lib/core/extract/page-type.ts';
import { seededRandom } from '../helpers/seeded-random.ts';

const prose = (n: number) =>
  Array.from(
    { length: n },
    (_, i) =>
      `<p>Paragraph ${i} of the story goes on at some length, with enough words in it to read as real prose, the way a reporter writes a paragraph about the council meeting and what was decided there.</p>`,
  ).join('');

function classify(html: string, url = 'https://example.org/page') {
  return classifyPageType(parseHtml(html), new URL(url));
}

const jsonLd = (value: unknown) => `<script type="application/ld+json">${JSON.stringify(value)}</script>`;

describe('classifyPageType', () => {
  it('files a plain news story as an article', () => {
    const verdict = classify(
      `<html><head>${jsonLd({ '@type': 'NewsArticle', headline: 'Council votes' })}
       <meta property="og:type" content="article"><meta property="article:published_time" content="2024-05-01">
       </head><body><article><h1>Council votes</h1>${prose(8)}</article></body></html>`,
      'https://news.example/2024/05/01/council-votes-on-the-budget',
    );
    expect(verdict.type).toBe('article');
    expect(verdict.signals.map((s) => s.name)).toContain('jsonld:article');
  });

  it('says article when there is no evidence either way', () => {
    expect(classify('<html><body><p>Short page.</p></body></html>').type).toBe('article');
  });

  it('keeps an article with a comment section and related-story cards an article', () => {
    const comments = Array.from(
      { length: 6 },
      (_, i) =>
        `<div class="comment"><span class="author">reader${i}</span><time datetime="2024-05-0${i + 1}">May</time><p>Nice.</p></div>`,
    ).join('');
    const related = Array.from(
      { length: 8 },
      (_, i) =>
        `<div class="teaser"><a href="/s/${i}"><img src="/i/${i}.jpg"><h3>Other story ${i}</h3></a></div>`,
    ).join('');
    const verdict = classify(
      `<html><head><meta property="article:published_time" content="2024-05-01"></head><body>
       <article>${prose(10)}</article><section class="comments">${comments}</section>
       <div class="related">${related}</div></body></html>`,
      'https://blog.example/posts/how-we-rebuilt-the-bridge',
    );
    expect(verdict.type).toBe('article');
  });

  it('files a thread of posts as a forum', () => {
    const posts = Array.from(
      { length: 5 },
      (
        _,
        i,
      ) => `<div class="post"><div class="username">user${i}</div><time datetime="2024-01-0${i + 1}">Jan</time>
        <div class="post-body"><p>I had the same problem with the boiler and solved it by bleeding the radiators first, then topping up.</p></div></div>`,
    ).join('');
    const verdict = classify(
      `<html><body><h1>Boiler pressure drops</h1><div class="thread">${posts}</div></body></html>`,
      'https://community.example/threads/boiler-pressure-drops.1234/',
    );
    expect(verdict.type).toBe('forum');
    expect(verdict.signals.map((s) => s.name)).toEqual(
      expect.arrayContaining(['structure:post-blocks', 'url:forum']),
    );
  });

  it('files a DiscussionForumPosting page as a forum', () => {
    const verdict = classify(
      `<html><head>${jsonLd({ '@type': 'DiscussionForumPosting', headline: 'Help' })}</head><body>${prose(3)}</body></html>`,
    );
    expect(verdict.type).toBe('forum');
  });

  it('files a product page as a product', () => {
    const verdict = classify(
      `<html><head>${jsonLd({ '@context': 'https://schema.org', '@type': 'Product', name: 'Kettle', offers: { '@type': 'Offer', price: '39.00' } })}
       <meta property="og:type" content="product"></head><body><h1>Kettle</h1><p class="price">$39.00</p>
       <form action="/cart/add"><button type="submit">Add to cart</button></form>
       <h2>Specifications</h2><table><tr><th>Capacity</th><td>1.7 l</td></tr></table></body></html>`,
      'https://shop.example/products/kettle',
    );
    expect(verdict.type).toBe('product');
  });

  it('files a grid of priced products as a collection', () => {
    const cards = Array.from(
      { length: 12 },
      (_, i) =>
        `<li class="product-card"><a href="/p/${i}"><img src="/i/${i}.jpg"><h3>Mug ${i}</h3></a><span>$1${i}.00</span></li>`,
    ).join('');
    const verdict = classify(
      `<html><head><meta property="og:type" content="product.group"></head><body><h1>Mugs</h1><ul class="grid">${cards}</ul></body></html>`,
      'https://shop.example/collections/mugs',
    );
    expect(verdict.type).toBe('collection');
  });

  it('files a page of post teasers as a listing', () => {
    const cards = Array.from(
      { length: 10 },
      (_, i) =>
        `<div class="card"><a href="/news/story-${i}"><img src="/i/${i}.jpg"></a><h2><a href="/news/story-${i}">Story ${i}</a></h2><p>A line about story ${i}.</p></div>`,
    ).join('');
    const verdict = classify(
      `<html><body><h1>Latest news</h1><div class="list">${cards}</div><nav class="pagination"><a rel="next" href="?page=2">Next</a></nav></body></html>`,
      'https://news.example/tag/transport',
    );
    expect(verdict.type).toBe('listing');
  });

  it('files a reference page with code blocks as documentation', () => {
    const code = Array.from(
      { length: 4 },
      (_, i) => `<pre><code>const client${i} = connect();</code></pre>`,
    ).join('');
    const verdict = classify(
      `<html><body><nav class="sidebar">${'<a href="/docs/x">Topic</a>'.repeat(20)}</nav>
       <main><h1>Connecting</h1>${prose(3)}${code}</main><aside><h2>On this page</h2></aside></body></html>`,
      'https://docs.example.dev/guides/connecting',
    );
    expect(verdict.type).toBe('documentation');
  });

  it('files a company service page as a service', () => {
    const verdict = classify(
      `<html><head>${jsonLd({ '@type': 'ProfessionalService', name: 'Acme Plumbing' })}</head><body>
       <h1>Emergency plumbing</h1><h2>Why choose us</h2><p>Fast.</p><h2>How it works</h2><p>Call.</p>
       <a href="/quote">Get a free quote</a></body></html>`,
      'https://acme.example/services/emergency-plumbing',
    );
    expect(verdict.type).toBe('service');
  });

  it('files an undated page of sections with a call to action as a service, and only then', () => {
    const sections = ['Audits', 'Migrations', 'Support plans', 'Training']
      .map((name) => `<h2>${name}</h2>${prose(1)}`)
      .join('');
    const page = (head: string) =>
      `<html><head>${head}</head><body><main><h1>Cloud consulting</h1>${sections}
       <a href="/contact">Talk to an expert</a></main></body></html>`;
    const verdict = classify(page(''), 'https://consult.example/cloud');
    expect(verdict.type).toBe('service');
    expect(verdict.signals.map((s) => s.name)).toContain('structure:undated-sections');
    // A date, a post's address or an article type: a post with sections, not a service page.
    expect(classify(page('<meta property="article:published_time" content="2024-05-01">')).type).toBe(
      'article',
    );
    expect(classify(page(''), 'https://consult.example/moving-your-company-to-the-cloud').type).toBe(
      'article',
    );
    expect(classify(page('<meta property="og:type" content="article">')).type).toBe('article');
    // Without a call to action, or with the prose of a long article, it stays an article.
    expect(classify(page('').replace('Talk to an expert', 'Read more')).type).toBe('article');
    expect(classify(page('').replace('</main>', `${prose(20)}</main>`)).type).toBe('article');
  });

  it("reads a post's address under a news or blog path, but not a section's name there", () => {
    const signals = (url: string) => classify('<html><body><p>Hello</p></body></html>', url).signals;
    const postPath = (url: string) => signals(url).some((signal) => signal.name === 'url:post-path');
    expect(postPath('https://news.example/news/council-approves-new-bus-lanes')).toBe(true);
    expect(postPath('https://news.example/stories/councilapprovesnewbuslanes')).toBe(true);
    expect(postPath('https://news.example/news/12345678')).toBe(true);
    // One plain word after /news/ or /blog/ names a section of the site: its page lists posts.
    expect(postPath('https://news.example/news/technology')).toBe(false);
    expect(postPath('https://news.example/blog/entertainment/')).toBe(false);
  });

  it('has one weight table naming only known types', () => {
    const names = PAGE_TYPE_SIGNALS.map((signal) => signal.name);
    expect(new Set(names).size).toBe(names.length);
    for (const signal of PAGE_TYPE_SIGNALS) expect(PAGE_TYPES).toContain(signal.type);
  });
});

describe('bodyTextPhrases', () => {
  /** What the three patterns find, each scanning the text on its own. */
  function apart(text: string) {
    const calls = new Set(
      [...text.matchAll(new RegExp(SERVICE_CALLS.source, 'gi'))].map((m) => m[0].toLowerCase()),
    );
    return {
      serviceCalls: calls.size,
      editThisPage: EDIT_THIS_PAGE.test(text),
      pagination: PAGINATION_TEXT.test(text),
    };
  }

  it('finds the calls, the edit link and the pagination in one text', () => {
    expect(
      bodyTextPhrases(['Get a FREE quote! Our team. get a free quote; Edit on GitHub - Older posts']),
    ).toEqual({
      serviceCalls: 2,
      editThisPage: true,
      pagination: true,
    });
    expect(bodyTextPhrases(['Preview more of our teamwork'])).toEqual({
      serviceCalls: 0,
      editThisPage: false,
      pagination: false,
    });
  });

  /** Every phrase a pattern of words, alternatives, groups and optional groups or letters matches, lower case. */
  function phrases(pattern: RegExp): string[] {
    const source = pattern.source.replace(/^\\b\(\?:/, '(').replace(/\)\\b$/, ')');
    let at = 0;
    // alternatives := sequence ('|' sequence)*; sequence := (atom '?'?)*; atom := letter | ' ' | '(' ['?:'] alternatives ')'
    function alternatives(): string[] {
      const all = [...sequence()];
      while (source[at] === '|') {
        at++;
        all.push(...sequence());
      }
      return all;
    }
    function sequence(): string[] {
      let done = [''];
      while (at < source.length && source[at] !== '|' && source[at] !== ')') {
        let options: string[];
        if (source[at] === '(') {
          at += source.startsWith('(?:', at) ? 3 : 1;
          options = alternatives();
          at++; // ')'
        } else options = [source[at++]!];
        if (source[at] === '?') {
          at++;
          options = ['', ...options];
        }
        done = done.flatMap((head) => options.map((tail) => head + tail));
      }
      return done;
    }
    return alternatives();
  }

  it('finds what the three patterns find apart, even where one phrase runs into another', () => {
    const lists = [SERVICE_CALLS, EDIT_THIS_PAGE, PAGINATION_TEXT].map(phrases);
    expect(lists.map((list) => list.length)).toEqual([48, 6, 6]);
    const texts: string[] = [];
    for (const [i, list] of lists.entries()) {
      for (const phrase of list) {
        texts.push(phrase, `${phrase.toUpperCase()}!`);
        for (const [j, others] of lists.entries()) {
          if (i === j) continue;
          for (const other of others) {
            texts.push(`${phrase} ${other}`);
            // One phrase running into another: the words they share written once ("get in touch" + "touch more").
            const words = phrase.split(' ');
            for (let start = 1; start < words.length; start++) {
              const tail = words.slice(start).join(' ');
              if (other.startsWith(`${tail} `) || other === tail)
                texts.push(`${words.slice(0, start).join(' ')} ${other}`);
              if (tail.startsWith(`${other} `)) texts.push(`${phrase} and`);
            }
          }
        }
      }
    }
    for (const text of texts) expect(bodyTextPhrases([text]), text).toEqual(apart(text));
    // Split between text nodes anywhere, and far apart in a long text, the phrases are found as in one text.
    const filler = 'x'.repeat(5000);
    for (const text of texts) {
      for (let cut = 1; cut < text.length; cut++) {
        const parts = [text.slice(0, cut), text.slice(cut)];
        expect(bodyTextPhrases(parts), parts.join('|')).toEqual(apart(text));
      }
      const long = [filler, ` ${text} `, filler, `${text.slice(0, 3)}`, `${text.slice(3)} `, filler];
      expect(bodyTextPhrases(long), text).toEqual(apart(long.join('')));
    }
  });
});

describe('card groups', () => {
  const card = (i: number, extra = '') =>
    `<div class="card"><a href="/s/${i}"><img src="/i/${i}.jpg"></a><h3>Item ${i}</h3>${extra}</div>`;
  const cards = (n: number, extra = '') => Array.from({ length: n }, (_, i) => card(i, extra)).join('');
  const signals = (html: string) => classify(html).signals.map((signal) => signal.name);

  it('counts prices on the largest group only, not on a smaller priced one', () => {
    const page = (priced: number, plain: number) =>
      `<html><body><section>${cards(plain)}</section><section>${cards(priced, '<span>$12.00</span>')}</section></body></html>`;
    expect(signals(page(6, 0))).toContain('structure:priced-cards');
    expect(signals(page(6, 8))).not.toContain('structure:priced-cards');
    expect(signals(page(9, 8))).toContain('structure:priced-cards');
  });

  it('reads a bare link around an image as a card', () => {
    const tiles = Array.from(
      { length: 8 },
      (_, i) => `<a class="tile" href="/p/${i}"><img src="/i/${i}.jpg">$5.00</a>`,
    );
    expect(signals(`<html><body><div>${tiles.join('')}</div></body></html>`)).toContain(
      'structure:priced-cards',
    );
  });

  it('reads no cards inside a <nav>, however deep', () => {
    const page = (wrap: (inner: string) => string) =>
      `<html><body><h1>Shop</h1>${wrap(cards(8, '<span>$12.00</span>'))}</body></html>`;
    expect(signals(page((inner) => `<div>${inner}</div>`))).toContain('structure:priced-cards');
    expect(signals(page((inner) => `<nav>${inner}</nav>`))).not.toContain('structure:priced-cards');
    expect(signals(page((inner) => `<nav><div><ul><li>${inner}</li></ul></div></nav>`))).not.toContain(
      'structure:priced-cards',
    );
  });
});

describe('class and id tests', () => {
  // Every post word in some case, inside letters and beside other characters.
  const TOKENS = [
    'post',
    'Message',
    'reply',
    'x',
    'comments',
    'user',
    'REPLIES',
    'cooked',
    'Answer',
    'bbWrapper',
    'repl',
    'a1',
    '',
    'é',
  ];
  const SEPARATORS = [' ', '-', '_', '\t', '', '.', '  '];

  it('isPostBlock tests the class and the id as the two joined by a space would be tested', () => {
    const next = seededRandom(17);
    const pick = <T>(items: readonly T[]) => items[Math.floor(next() * items.length)]!;
    const value = () => {
      let text = '';
      for (let i = Math.floor(next() * 5); i > 0; i--) text += pick(TOKENS) + pick(SEPARATORS);
      return next() < 0.1 ? text.repeat(40) : text;
    };
    const wrong: string[] = [];
    for (let i = 0; i < 3000; i++) {
      const attributes: Record<string, string> = {};
      if (next() < 0.8) attributes.class = value();
      if (next() < 0.5) attributes.id = value();
      const joined = `${attributes.class ?? ''} ${attributes.id ?? ''}`;
      const expected = joined.length > 1 && joined.length < 300 && POST_BLOCK_CLASS.test(joined);
      const element = { attribs: attributes } as unknown as Element;
      if (isPostBlock(element) !== expected) wrong.push(JSON.stringify(attributes));
    }
    expect(wrong).toEqual([]);
  });
});

describe('textChars', () => {
  it('counts each body whole outside its scripts, styles and templates, a body inside another once per body', () => {
    const chars = (html: string) => classify(html).textChars;
    // 'abc', 'defg ', 'h' in the outer body, 'defg ' again in the inner one: one more character each.
    expect(
      chars(
        '<html><body><p>abc</p><div><body><p>defg <script>var x</script></p></body></div><p>h</p></body></html>',
      ),
    ).toBe(16);
    // A body inside a template is read from its top: its text counts, its script does not.
    expect(
      chars(
        '<html><head><template><body><p>in template</p><script>s</script></body></template></head><body><p>main</p><style>x{}</style></body></html>',
      ),
    ).toBe(17);
    expect(
      chars('<html><body><template><p>t</p><body><p>u</p></body></template><p>v</p></body></html>'),
    ).toBe(4);
    expect(chars('<html><body><p>one</p></body></html><body><p>two  words</p></body>')).toBe(14);
  });
});

describe('namesCartControl', () => {
  it('tests the class, id, name and action as the four joined by spaces would be tested', () => {
    const PIECES = ['add', 'to', 'cart', '-', ' ', 'Buy', 'now', 'product', 'form', 'addtocart', 'x'];
    const next = seededRandom(29);
    const value = () => {
      let text = '';
      for (let n = Math.floor(next() * 4); n > 0; n--) text += PIECES[Math.floor(next() * PIECES.length)];
      return text;
    };
    const wrong: string[] = [];
    for (let i = 0; i < 5000; i++) {
      const attributes: Record<string, string> = {};
      for (const name of ['class', 'id', 'name', 'action']) if (next() < 0.6) attributes[name] = value();
      const joined = `${attributes.class ?? ''} ${attributes.id ?? ''} ${attributes.name ?? ''} ${attributes.action ?? ''}`;
      if (namesCartControl(attributes) !== ADD_TO_CART_CLASS.test(joined))
        wrong.push(JSON.stringify(attributes));
    }
    expect(wrong).toEqual([]);
  });
});

describe('joinedTextLength', () => {
  const SKIPPED = new Set(['script', 'style', 'template', 'svg', 'head']);
  /** What it counts: the visible length of the element's texts outside the skipped tags, joined by spaces. */
  function joinedReference(element: Element): number {
    const parts: string[] = [];
    const stack: AnyNode[] = [element];
    while (stack.length > 0) {
      const node = stack.pop()!;
      if (node.type === 'text') parts.push((node as unknown as { data: string }).data);
      else if (isElement(node) && SKIPPED.has(node.name)) continue;
      else if (hasChildren(node))
        for (let i = node.children.length - 1; i >= 0; i--) stack.push(node.children[i]!);
    }
    return visibleLength(parts.join(' '));
  }

  it('is the visible length of the texts joined by spaces, whatever the whitespace at their edges', () => {
    const next = seededRandom(23);
    const pick = <T>(items: readonly T[]) => items[Math.floor(next() * items.length)]!;
    const WORDS = ['word', ' ', '  ', '\n', 'a b', ' lead', 'trail ', '\u00a0', '', 'x'];
    const TAGS = ['div', 'p', 'span', 'script', 'svg', 'template', 'b'];
    const fragment = (depth: number): string => {
      let html = '';
      for (let i = Math.floor(next() * 4); i >= 0; i--) {
        html +=
          depth > 3 || next() < 0.5 ? pick(WORDS) : `<${pick(TAGS)}>${fragment(depth + 1)}</${pick(TAGS)}>`;
      }
      return html;
    };
    const wrong: string[] = [];
    for (let page = 0; page < 300; page++) {
      const root = documentRoot(parseHtml(`<html><body>${fragment(0)}</body></html>`));
      for (const element of elementsInOrder(root)) {
        if (joinedTextLength(element) !== joinedReference(element)) wrong.push(element.name);
      }
    }
    expect(wrong).toEqual([]);
  });
});
