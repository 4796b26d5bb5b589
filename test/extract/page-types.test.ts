import { describe, expect, it } from 'vitest';
import { extract, parseHtml } from '../../lib/core/extract/index.ts';
import { classifyPageType, type PageType, type PageTypeVerdict } from '../../lib/core/extract/page-type.ts';
import { extractForumThread } from '../../lib/core/extract/page-types/forum.ts';
import { extractByPageType } from '../../lib/core/extract/page-types/index.ts';
import { extractProductPage } from '../../lib/core/extract/page-types/product.ts';
import { extractPageRegion } from '../../lib/core/extract/page-types/region.ts';

const POSTS = [
  'My boiler loses pressure overnight, from 1.5 bar down to 0.5. No visible leaks anywhere. What should I check first?',
  'Check the expansion vessel: when its charge is low the pressure swings a lot between hot and cold.',
  'Also look at the pressure relief valve outlet pipe outside; a dripping valve is the usual silent leak.',
  'Thanks both, it was the relief valve. Replaced it and the pressure has held at 1.4 bar for three days.',
];

function threadPage(posts: readonly string[]): string {
  const blocks = posts
    .map(
      (text, i) => `<div class="message">
        <div class="user-info"><a class="username" href="/members/${i}">member${i}</a><span>Posts: ${100 + i}</span></div>
        <time datetime="2024-03-0${i + 1}T10:00:00Z">Mar ${i + 1}, 2024</time>
        <div class="message-body"><p>${text}</p></div>
        <div class="signature">My setup: combi boiler, 12 radiators, smart thermostat</div>
        <div class="post-actions"><a href="#">Reply</a> <a href="#">Like</a></div>
      </div>`,
    )
    .join('\n');
  return `<!doctype html><html><head><title>Boiler losing pressure overnight</title></head><body>
    <nav><a href="/">Forums</a> <a href="/heating">Heating</a></nav>
    <h1>Boiler losing pressure overnight</h1><div class="thread">${blocks}</div>
    <footer>Terms · Privacy</footer></body></html>`;
}

describe('forum threads', () => {
  it('keeps every post of the thread, without user panels, signatures and actions', () => {
    const result = extract({
      html: threadPage(POSTS),
      url: 'https://forum.example/threads/boiler-pressure.123/',
    });
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.value.pageType).toBe('forum');
    for (const post of POSTS) expect(result.value.content.text).toContain(post);
    expect(result.value.content.text).not.toContain('My setup');
    expect(result.value.content.text).not.toContain('Posts: 101');
    expect(result.value.content.text).not.toMatch(/\bReply\b/);
  });

  it('drops the labels and buttons every post repeats, whatever their class names', () => {
    const blocks = POSTS.map(
      (text, i) => `<div class="message">
        <div class="panel"><a class="username" href="/m/${i}">member${i}</a><div>Senior Member</div><div>${120 + 7 * i} posts</div></div>
        <time datetime="2024-03-0${i + 1}T10:00:00Z">Mar ${i + 1}, 2024</time>
        <div class="message-body"><p>${text}</p></div>
        <div class="bar"><span>Quote</span> <span>Thank you</span></div>
      </div>`,
    ).join('\n');
    const html = `<html><head><title>Boiler</title></head><body><div class="thread">${blocks}</div></body></html>`;
    const content = extractForumThread(parseHtml(html), { pageUrl: new URL('https://forum.example/t/1') });
    for (const post of POSTS) expect(content?.text).toContain(post);
    for (const label of ['Senior Member', '127 posts', 'Quote', 'Thank you']) {
      expect(content?.text).not.toContain(label);
    }
    // Usernames differ from post to post: they stay.
    expect(content?.text).toContain('member2');
  });

  it("drops a quote beside a reply and the post's frame (author pane, header, footer), keeps a quote that is the body", () => {
    const quoted = `<div class="quote-box">member0 said:<br>${POSTS[0]}</div>`;
    const blocks = POSTS.map(
      (text, i) => `<article class="message">
        <aside class="authorPane"><a class="username" href="/m/${i}">member${i}</a><span>Lisbon, Portugal ${i}</span></aside>
        <div class="message-main"><header><time datetime="2024-03-0${i + 1}">Mar ${i + 1}, 2024</time> #${i + 1}</header>
          <div class="message-body">${i === 2 ? `<blockquote>${quoted}</blockquote>` : ''}<p>${text}</p></div>
          <div class="message-userExtras">Joined Jan ${i + 1}, 2020</div>
          <footer><span>Reactions: member${i + 1} and ${i + 5} others</span></footer></div>
      </article>`,
    ).join('\n');
    const html = `<html><head><title>Boiler</title></head><body><div class="thread">${blocks}</div></body></html>`;
    const text = extractForumThread(parseHtml(html), { pageUrl: new URL('https://forum.example/t/1') })?.text;
    for (const post of POSTS) expect(text?.split(post).length).toBe(2);
    for (const frame of ['Lisbon', '#3', 'Reactions', 'Joined Jan', 'member0 said']) {
      expect(text).not.toContain(frame);
    }
    // Who wrote each post and when heads it, from the frame left out.
    expect(text).toContain(`member2\nMar 3, 2024\n\n${POSTS[2]}`);
    // Engines that mark each post's body up as a <blockquote> alone in its parent keep it.
    const bodies = blocks
      .replace(/<blockquote>.*?<\/blockquote>/s, '')
      .replace(/<p>([^<]*)<\/p>/g, '<blockquote class="messageText">$1</blockquote>');
    const kept = extractForumThread(
      parseHtml(`<html><body><div class="thread">${bodies}</div></body></html>`),
      {
        pageUrl: new URL('https://forum.example/t/1'),
      },
    )?.text;
    for (const post of POSTS) expect(kept).toContain(post);
  });

  it('keeps a quote of a source the thread does not hold, drops a quote of a post shown above', () => {
    const manual =
      'Before draining, isolate the boiler at the fused spur and let the heat exchanger cool for at least an hour.';
    const blocks = POSTS.map((text, i) => {
      const quote =
        i === 1
          ? `<blockquote class="quote">member0 said: ${POSTS[0]}</blockquote>`
          : i === 3
            ? `<blockquote>${manual}</blockquote>`
            : '';
      return `<div class="message"><a class="username" href="/m/${i}">member${i}</a>
        <time datetime="2024-03-0${i + 1}">Mar ${i + 1}, 2024</time>
        <div class="message-body">${quote}<p>${text}</p></div></div>`;
    }).join('\n');
    const html = `<html><body><div class="thread">${blocks}</div></body></html>`;
    const text = extractForumThread(parseHtml(html), { pageUrl: new URL('https://forum.example/t/1') })?.text;
    // The manual's words are on the page only in the quote: the reply answers them.
    expect(text).toContain(manual);
    // The first post is already in the thread: its quote would repeat it.
    expect(text?.split(POSTS[0]!).length).toBe(2);
    expect(text).not.toContain('member0 said');
  });

  it('keeps an opening post marked up apart from the replies (a question above its answers), once', () => {
    const question =
      'Our radiators upstairs stay cold while the ones downstairs are hot. The pump runs and the boiler fires. Why?';
    const answers = POSTS.slice(1)
      .map(
        (text, i) => `<div class="answer" itemscope itemtype="https://schema.org/Answer">
          <div class="body">${text}</div><div class="signature"><a class="author" href="/u/${i}">helper${i}</a>
          <time datetime="2024-03-0${i + 2}">answered Mar ${i + 2}, 2024</time></div></div>`,
      )
      .join('\n');
    const page = (opening: string) => `<html><body>
      <div id="question" class="question"><h1>Cold radiators upstairs</h1><div class="body"><p>${opening}</p></div>
        <div class="signature"><a class="author" href="/u/9">asker</a><time datetime="2024-03-01">asked Mar 1, 2024</time></div></div>
      <div id="answers"><h2>3 Answers</h2>${answers}</div>
      <div class="sidebar-box"><h3>Related</h3><a href="/q/2">Boiler pressure drops</a></div></body></html>`;
    const text = extractForumThread(parseHtml(page(question)), {
      pageUrl: new URL('https://qa.example/q/1'),
    })?.text;
    expect(text?.indexOf(question)).toBeGreaterThanOrEqual(0);
    expect(text?.indexOf(question)).toBeLessThan(text?.indexOf(POSTS[1]!) ?? -1);
    for (const post of POSTS.slice(1)) expect(text).toContain(post);
    // An opening block that only repeats a reply (a preview, a pinned copy) is not added again.
    const repeated = extractForumThread(parseHtml(page(POSTS[2]!)), {
      pageUrl: new URL('https://qa.example/q/1'),
    })?.text;
    expect(repeated?.split(POSTS[2]!).length).toBe(2);
  });

  it("drops the comment lists under each post (a Q&A site's remarks), keeps posts that are themselves comments", () => {
    const remark = 'Which boiler model is it? Some have a known valve fault.';
    const blocks = POSTS.map(
      (text, i) => `<div class="answer"><a class="author" href="/u/${i}">member${i}</a>
        <time datetime="2024-03-0${i + 1}">Mar ${i + 1}, 2024</time><div class="body"><p>${text}</p></div>
        <div class="comments js-comments-container"><ul><li class="comment">${remark} – reader${i}</li></ul></div></div>`,
    ).join('\n');
    const html = `<html><body><div id="answers">${blocks}</div></body></html>`;
    const text = extractForumThread(parseHtml(html), { pageUrl: new URL('https://qa.example/q/1') })?.text;
    for (const post of POSTS) expect(text).toContain(post);
    expect(text).not.toContain(remark);
    // A thread made of comments (a blog's comment section read as the thread) keeps them: the wrapper holds the posts.
    const comments = POSTS.map(
      (text, i) => `<li class="comment"><span class="author">member${i}</span>
        <time datetime="2024-03-0${i + 1}">Mar ${i + 1}, 2024</time><p>${text}</p></li>`,
    ).join('\n');
    const thread = extractForumThread(
      parseHtml(
        `<html><body><section class="comments"><ol class="comments-list">${comments}</ol></section></body></html>`,
      ),
      { pageUrl: new URL('https://blog.example/post#comments') },
    )?.text;
    for (const post of POSTS) expect(thread).toContain(post);
  });

  it('reads a thread that follows an unclosed <![CDATA[ (browsers end it at the next ">")', () => {
    const html = threadPage(POSTS).replace('<h1>', '<![CDATA[\n<h1>');
    const result = extract({ html, url: 'https://forum.example/threads/boiler-pressure.123/' });
    expect(result.ok && result.value.content.text).toContain(POSTS[3]);
  });

  it('finds no thread in a page without repeated posts, so extract() falls back to the generic extraction', () => {
    const html =
      '<html><head><title>A story</title></head><body><article><h1>A story</h1><p>One paragraph that is long enough to be the content of this short page, with a few more words.</p></article></body></html>';
    expect(
      extractForumThread(parseHtml(html), { pageUrl: new URL('https://forum.example/t/1') }),
    ).toBeUndefined();
  });

  it('finds posts that each sit alone in a list item, beside an empty anchor', () => {
    const items = POSTS.map(
      (text, i) => `<li class="board-item"><span class="anchor" id="p${i}"></span>
        <div class="board-content" itemscope itemtype="http://schema.org/Comment">
          <a class="board-name" itemprop="author" href="/m/${i}">member${i}</a>
          <time datetime="2024-03-0${i + 1}T10:00:00Z">2 years ago</time>
          <div class="board-text" itemprop="text">${text}</div>
        </div></li>`,
    ).join('\n');
    const html = `<html><head><title>Boiler</title></head><body><ul class="board-list">${items}</ul></body></html>`;
    const content = extractForumThread(parseHtml(html), { pageUrl: new URL('https://forum.example/t/1') });
    for (const post of POSTS) expect(content?.text).toContain(post);
  });

  it("keeps a post's text inside a form with no field to fill (an edit form around it), drops a reply form", () => {
    const blocks = POSTS.map(
      (text, i) => `<div class="thing comment">
        <p class="tagline"><a class="author" href="/u/${i}">member${i}</a> <time datetime="2024-03-0${i + 1}">3 hours ago</time></p>
        <form class="usertext" action="#"><input type="hidden" name="thing_id" value="t${i}"><div class="md"><p>${text}</p></div></form>
      </div>`,
    ).join('\n');
    const html = `<html><head><title>Boiler</title></head><body><div class="comments">${blocks}
      <form class="reply-form"><p>Write a reply to join the thread about boilers</p><textarea name="text"></textarea><button>Save</button></form>
      </div></body></html>`;
    const content = extractForumThread(parseHtml(html), { pageUrl: new URL('https://forum.example/t/1') });
    for (const post of POSTS) expect(content?.text).toContain(post);
    expect(content?.text).not.toContain('Write a reply');
  });

  it("drops the forum's note that a post was edited, keeps a post's own words about an edit", () => {
    const notes = [
      'Last edited: Mar 2, 2024',
      'Edited March 3, 2024 by member1',
      'Zuletzt bearbeitet von member2',
    ];
    const blocks = POSTS.map(
      (text, i) => `<div class="message">
        <a class="username" href="/m/${i}">member${i}</a><time datetime="2024-03-0${i + 1}">Mar ${i + 1}, 2024</time>
        <div class="message-body"><p>${text}</p>${i === 3 ? '<p>EDITED for a typo.</p>' : ''}</div>
        ${i < notes.length ? `<div class="message-foot">${notes[i]}</div>` : ''}
      </div>`,
    ).join('\n');
    const html = `<html><head><title>Boiler</title></head><body><div class="thread">${blocks}</div></body></html>`;
    const content = extractForumThread(parseHtml(html), { pageUrl: new URL('https://forum.example/t/1') });
    for (const post of POSTS) expect(content?.text).toContain(post);
    for (const note of notes) expect(content?.text).not.toContain(note);
    expect(content?.text).toContain('EDITED for a typo.');
  });

  it('heads a post with the name its author item declares, not the header line that item shows', () => {
    const blocks = POSTS.map(
      (text, i) => `<div class="post" itemscope itemtype="http://schema.org/Comment">
        <div class="post-header" itemprop="author" itemscope itemtype="https://schema.org/Person">
          <meta itemprop="name" content="member${i}"><span class="letter">M</span><span class="sr">Offline</span>
          <a href="/user/member${i}">member${i}</a> <span>wrote on <a class="timeago" title="2024-03-01"></a></span>
          <a class="post-index" href="/post/${i}">#${i + 1}</a>
        </div>
        <div class="content" itemprop="text"><p>${text}</p></div>
      </div>`,
    ).join('\n');
    const html = `<html><head><title>Boiler</title></head><body><div class="thread">${blocks}</div></body></html>`;
    const text = extractForumThread(parseHtml(html), { pageUrl: new URL('https://forum.example/t/1') })?.text;
    for (const [i, post] of POSTS.entries()) expect(text).toContain(`member${i}\n\n${post}`);
    expect(text).not.toContain('Offline');
    expect(text).not.toContain('wrote on');
  });

  it('reads a date shown in two forms (a long one and a short one) as its first form', () => {
    const blocks = POSTS.map(
      (text, i) => `<div class="message">
        <a class="username" href="/m/${i}">member${i}</a>
        <time datetime="2024-06-1${i}"><span class="long">June 1${i}, 2024</span><span class="short">1 yr</span></time>
        <div class="message-body"><p>${text}</p></div>
      </div>`,
    ).join('\n');
    const html = `<html><head><title>Boiler</title></head><body><div class="thread">${blocks}</div></body></html>`;
    const text = extractForumThread(parseHtml(html), { pageUrl: new URL('https://forum.example/t/1') })?.text;
    for (const [i, post] of POSTS.entries()) {
      expect(text).toContain(post);
      expect(text).toContain(`June 1${i}, 2024\n`);
    }
    expect(text).not.toContain('1 yr');
  });

  it('falls back when the posts hold too little text', () => {
    const html = threadPage(['+1', 'same', 'me too']);
    expect(
      extractForumThread(parseHtml(html), { pageUrl: new URL('https://forum.example/threads/x.1/') }),
    ).toBeUndefined();
    // The generic extraction still answers with an article (whatever it makes of so little text).
    const result = extract({ html, url: 'https://forum.example/threads/x.1/' });
    expect(result.ok && result.value.content.text.length).toBeGreaterThan(0);
  });
});

const SECTIONS = [
  [
    'Boiler servicing',
    'An annual service keeps your boiler safe and efficient; our engineers check the flue, the seals and the pressure.',
  ],
  [
    'Emergency repairs',
    'No heat or hot water? We answer the phone day and night and most repairs are done on the first visit.',
  ],
  [
    'New installations',
    'We size, fit and commission combi and system boilers, and register the warranty with the maker for you.',
  ],
] as const;

function servicePage(): string {
  const sections = SECTIONS.map(
    ([heading, text]) => `<section class="service"><h2>${heading}</h2><p>${text}</p></section>`,
  ).join('\n');
  return `<!doctype html><html><head><title>Heating services</title></head><body>
    <header class="site-header"><a href="/">Acme Heating</a><nav><a href="/about">About</a></nav></header>
    <main><h1>Heating services</h1>${sections}
      <div class="newsletter-signup"><p>Sign up for seasonal offers</p></div>
      <form action="/quote"><label>Postcode</label><input name="postcode"><button>Get a quote</button></form>
      <ul class="pagination"><li><a href="?page=2">Next page</a></li></ul>
      <section class="related-products"><h3>You may also like</h3><p>Smart thermostat, fitted</p></section>
    </main>
    <aside class="sidebar"><h3>Opening hours</h3><p>Mon-Fri 8-18</p></aside>
    <footer>© Acme Heating · Privacy</footer></body></html>`;
}

describe('pages made of sections or items (service, listing, collection, documentation)', () => {
  const pageUrl = new URL('https://heating.example/services/');

  it('keeps every section of the main region and drops the furniture in and around it', () => {
    const content = extractPageRegion(parseHtml(servicePage()), { pageUrl });
    expect(content).toBeDefined();
    for (const [heading, text] of SECTIONS) {
      expect(content?.text).toContain(heading);
      expect(content?.text).toContain(text);
    }
    for (const furniture of [
      'Acme Heating',
      'About',
      'Sign up',
      'Postcode',
      'Get a quote',
      'Next page',
      'Opening hours',
      'Privacy',
      'You may also like',
    ]) {
      expect(content?.text).not.toContain(furniture);
    }
    expect(content?.html).toContain('<h2>Emergency repairs</h2>');
  });

  it('reads the whole body when the page has no <main>, or when its <main> is a small fragment', () => {
    const noMain = servicePage().replace('<main>', '<div>').replace('</main>', '</div>');
    expect(extractPageRegion(parseHtml(noMain), { pageUrl })?.text).toContain(SECTIONS[2][1]);
    const fragment = servicePage()
      .replace('<main>', '<main><p>Intro</p></main><div>')
      .replace('</main>\n', '</div>\n');
    expect(extractPageRegion(parseHtml(fragment), { pageUrl })?.text).toContain(SECTIONS[1][1]);
  });

  it('falls back (undefined) when the region holds too little text', () => {
    const html = '<html><body><main><h1>Services</h1><p>Call us.</p></main></body></html>';
    expect(extractPageRegion(parseHtml(html), { pageUrl })).toBeUndefined();
  });

  it('keeps a furniture-named or hidden-marked wrapper that holds most of the text: it is the layout', () => {
    const wrapped = servicePage()
      .replace('<main>', '<main><div class="sticky-footer"><div aria-hidden="true">')
      .replace('</main>', '</div></div></main>');
    const content = extractPageRegion(parseHtml(wrapped), { pageUrl });
    for (const [, text] of SECTIONS) expect(content?.text).toContain(text);
    expect(content?.text).not.toContain('Sign up');
  });

  it('reads furniture words in class names, not in utility tokens that style a section ("top-[var(--nav-height)]")', () => {
    const styled = servicePage()
      .replace(
        `<h2>${SECTIONS[1][0]}</h2>`,
        `<div class="sticky top-[var(--nav-height)] w-full"><h2>${SECTIONS[1][0]}</h2>`,
      )
      .replace(`<p>${SECTIONS[1][1]}</p>`, `<p>${SECTIONS[1][1]}</p></div>`);
    const content = extractPageRegion(parseHtml(styled), { pageUrl });
    for (const [heading, text] of SECTIONS.slice(1)) {
      expect(content?.text).toContain(heading);
      expect(content?.text).toContain(text);
    }
    // A furniture word as a class of its own still marks furniture.
    const named = styled.replace('sticky top-[var(--nav-height)]', 'sticky sidebar');
    expect(extractPageRegion(parseHtml(named), { pageUrl })?.text).not.toContain(SECTIONS[1][1]);
  });
});

describe('documentation pages with tabbed samples', () => {
  const pageUrl = new URL('https://docs.example/guides/send-a-message/');
  const docsPage = `<!doctype html><html><head><title>Send a message</title></head><body>
    <nav class="sidebar"><a href="/guides/">Guides</a> <a href="/reference/">Reference</a></nav>
    <main><h1>Send a message</h1>
      <p>Every client library sends a message with one call: give it the recipient, the sender and the body, and it
      returns the new message's identifier once the service has queued it for delivery.</p>
      <div role="tablist"><button role="tab" aria-selected="true">Python</button><button role="tab">Ruby</button>
        <button role="tab">Go</button></div>
      <div role="tabpanel" aria-labelledby="tab-python"><p>Install the package with pip first.</p>
        <pre><code>client.messages.create(to="+100", body="Hello from Python")</code></pre></div>
      <div role="tabpanel" hidden aria-labelledby="tab-ruby"><p>Add the gem to your Gemfile first.</p>
        <pre><code>client.messages.create(to: "+100", body: "Hello from Ruby")</code></pre></div>
      <div role="tabpanel" style="display:none" hidden aria-labelledby="tab-go"><p>Fetch the module with go get.</p>
        <pre><code>client.Messages.Create("+100", "Hello from Go")</code></pre></div>
      <h2>Check the delivery</h2>
      <p>The service calls your status address each time the message changes state, from queued to sent to delivered,
      so an application can show its users where each of their messages is without asking for it again.</p>
      <div hidden><p>Cookie preferences saved.</p></div>
    </main><footer>Terms · Privacy</footer></body></html>`;
  const verdict = (type: PageType): PageTypeVerdict => ({ type, signals: [] });

  it('keeps the samples in hidden tab panels, as the reader sees them by choosing a tab', () => {
    const chosen = extractByPageType(
      verdict('documentation'),
      parseHtml(docsPage),
      { pageUrl },
      () => undefined,
    );
    for (const sample of [
      'Hello from Python',
      'Add the gem',
      'Hello from Ruby',
      'Hello from Go',
      'Check the delivery',
    ]) {
      expect(chosen?.text).toContain(sample);
    }
    // Hidden elements that are not tab panels stay out.
    expect(chosen?.text).not.toContain('Cookie preferences');
  });

  it('leaves hidden tab panels out of other pages read by region (on a shop they hold its blurbs)', () => {
    const region = extractPageRegion(parseHtml(docsPage), { pageUrl });
    expect(region?.text).toContain('Hello from Python');
    expect(region?.text).not.toContain('Hello from Ruby');
  });
});

describe('choosing between the type-specific and the generic extraction', () => {
  const verdict = (type: PageType, ...signals: string[]): PageTypeVerdict => ({
    type,
    signals: signals.map((name) => ({ name, type: 'article', weight: 1 })),
  });
  const pageUrl = new URL('https://shop.example/c/boilers/');
  const longParagraph = (i: number) =>
    `Paragraph ${i} of a long story: ${'the engineer explained how the pressure vessel and the relief valve interact, '.repeat(3)}`;

  it('keeps the whole list of a listing page when the generic extraction found one item', () => {
    const generic = { html: '<p>x</p>', text: SECTIONS[0][1], wordCount: 20 };
    const chosen = extractByPageType(
      verdict('listing'),
      parseHtml(servicePage()),
      { pageUrl },
      () => generic,
    );
    for (const [, text] of SECTIONS) expect(chosen?.text).toContain(text);
    // With nothing to read in the page, the generic extraction answers.
    expect(
      extractByPageType(verdict('listing'), parseHtml('<html></html>'), { pageUrl }, () => generic),
    ).toBe(generic);
  });

  it('keeps the generic text on a list page when it reads as an article (several long paragraphs)', () => {
    const story = [1, 2, 3, 4, 5].map(longParagraph);
    const cards = Array.from(
      { length: 8 },
      (_, i) =>
        `<li class="card"><a href="/s/${i}"><h3>Related story ${i}</h3></a><p>${'Teaser text. '.repeat(30)}</p></li>`,
    ).join('');
    const html = `<html><body><main><article>${story.map((p) => `<p>${p}</p>`).join('')}</article><ul>${cards}</ul></main></body></html>`;
    const chosen = extractByPageType(verdict('listing'), parseHtml(html), { pageUrl }, () => ({
      html: '',
      text: story.join('\n\n'),
      wordCount: 100,
    }));
    expect(chosen?.text).not.toContain('Related story');
    // A service page keeps its sections whatever the generic extraction finds.
    const service = extractByPageType(verdict('service'), parseHtml(html), { pageUrl }, () => undefined);
    expect(service?.text).toContain('Related story 7');
  });

  it("keeps a service page's generic text when it holds nearly all the region's text, the region otherwise", () => {
    const region = extractPageRegion(parseHtml(servicePage()), { pageUrl });
    expect(region).toBeDefined();
    const whole = { html: '', text: 'x'.repeat(Math.ceil((region?.text.length ?? 0) * 0.9)), wordCount: 1 };
    expect(extractByPageType(verdict('service'), parseHtml(servicePage()), { pageUrl }, () => whole)).toBe(
      whole,
    );
    const oneSection = { html: '<p>x</p>', text: SECTIONS[0][1], wordCount: 20 };
    const chosen = extractByPageType(
      verdict('service'),
      parseHtml(servicePage()),
      { pageUrl },
      () => oneSection,
    );
    for (const [, text] of SECTIONS) expect(chosen?.text).toContain(text);
  });

  it('extracts a list-like page with a post address or an article type as an article', () => {
    const generic = { html: '<p>x</p>', text: SECTIONS[0][1], wordCount: 20 };
    for (const signals of [['url:post-slug'], ['jsonld:article'], ['url:post-path', 'og:article']]) {
      expect(
        extractByPageType(
          verdict('listing', ...signals),
          parseHtml(servicePage()),
          { pageUrl },
          () => generic,
        ),
      ).toBe(generic);
    }
    // Service pages keep their sections: dated "about" or "pricing" pages are still made of sections.
    const service = extractByPageType(
      verdict('service', 'meta:published-date'),
      parseHtml(servicePage()),
      { pageUrl },
      () => generic,
    );
    expect(service?.text).toContain(SECTIONS[2][1]);
  });

  it('keeps the list of a list page whose only signs of an article are site-wide stamps (a date, og:type article)', () => {
    const oneItem = { html: '<p>x</p>', text: SECTIONS[0][1], wordCount: 20 };
    for (const signals of [['meta:published-date'], ['og:article'], ['meta:published-date', 'og:article']]) {
      for (const type of ['listing', 'collection'] as const) {
        const chosen = extractByPageType(
          verdict(type, ...signals),
          parseHtml(servicePage()),
          { pageUrl },
          () => oneItem,
        );
        for (const [, text] of SECTIONS) expect(chosen?.text).toContain(text);
      }
    }
    // Stamped and reading as an article (several long paragraphs): the generic text is kept.
    const story = [1, 2, 3, 4, 5].map(longParagraph).join('\n\n');
    const article = { html: '<p>x</p>', text: story, wordCount: 200 };
    expect(
      extractByPageType(
        verdict('listing', 'og:article'),
        parseHtml(servicePage()),
        { pageUrl },
        () => article,
      ),
    ).toBe(article);
  });

  it('keeps the whole region of an article-filed page of sections when the generic text is one section', () => {
    const oneSection = { html: '<p>x</p>', text: SECTIONS[0][1], wordCount: 20 };
    const sectioned = servicePage().replace(
      '<h1>Heating services</h1>',
      '<h1>Heating services</h1><h2>Our promise</h2>',
    );
    const chosen = extractByPageType(verdict('article'), parseHtml(sectioned), { pageUrl }, () => oneSection);
    for (const [heading, text] of SECTIONS) {
      expect(chosen?.text).toContain(heading);
      expect(chosen?.text).toContain(text);
    }
    // A sign of one article (a date, an article type, a post address) keeps a generic text of prose.
    const prose = { html: '<p>x</p>', text: `${SECTIONS[0][1]} ${SECTIONS[1][1]}`, wordCount: 40 };
    for (const signal of ['meta:published-date', 'jsonld:article', 'url:post-slug']) {
      expect(
        extractByPageType(verdict('article', signal), parseHtml(sectioned), { pageUrl }, () => prose),
      ).toBe(prose);
    }
    // Only site-wide stamps (a date, og:type article) and calls for a quote: a service page after all.
    const stamped = verdict('article', 'meta:published-date', 'og:article', 'structure:service-calls');
    const service = extractByPageType(stamped, parseHtml(sectioned), { pageUrl }, () => oneSection);
    expect(service?.text).toContain(SECTIONS[2][1]);
    const post = verdict('article', 'meta:published-date', 'url:post-slug', 'structure:service-calls');
    expect(extractByPageType(post, parseHtml(sectioned), { pageUrl }, () => prose)).toBe(prose);
    // Fewer than SECTIONED_PAGE.minSectionHeadings headings: not a page of sections.
    expect(
      extractByPageType(
        verdict('article'),
        parseHtml(servicePage().replace(/<h2>[^<]*<\/h2>/, '')),
        { pageUrl },
        () => prose,
      ),
    ).toBe(prose);
    // The generic text holds most of the region: it is the article.
    const most = { html: '', text: SECTIONS.flat().join(' '), wordCount: 60 };
    expect(extractByPageType(verdict('article'), parseHtml(sectioned), { pageUrl }, () => most)).toBe(most);
  });

  it("reads a site's home page as a front page unless it declares an article in JSON-LD", () => {
    const home = { pageUrl: new URL('https://heating.example/') };
    // Two sections as one paragraph of prose: a story anywhere but on the home page.
    const twoSections = { html: '<p>x</p>', text: `${SECTIONS[0][1]} ${SECTIONS[1][1]}`, wordCount: 40 };
    const dated = verdict('article', 'meta:published-date');
    const chosen = extractByPageType(dated, parseHtml(servicePage()), home, () => twoSections);
    for (const [, text] of SECTIONS) expect(chosen?.text).toContain(text);
    const declared = verdict('article', 'jsonld:article');
    expect(extractByPageType(declared, parseHtml(servicePage()), home, () => twoSections)).toBe(twoSections);
    // A post addressed by query (/?p=123) is not the home page.
    const post = { pageUrl: new URL('https://heating.example/?p=123') };
    expect(extractByPageType(dated, parseHtml(servicePage()), post, () => twoSections)).toBe(twoSections);
  });

  it('reads a product page as its region without customer reviews when the generic text is a small part of it', () => {
    const specs = Array.from(
      { length: 12 },
      (_, i) => `<tr><th>Property ${i}</th><td>Value ${i} in millimetres</td></tr>`,
    ).join('');
    const reviews = Array.from(
      { length: 3 },
      (_, i) =>
        `<li class="review-item"><b>Buyer ${i}</b><p>Boils fast but the lid rattles a little, reviewer ${i} says.</p></li>`,
    ).join('');
    const html = `<html><body><main><h1>Kettle</h1><p>A quiet kettle.</p><table>${specs}</table>
      <section id="customer-reviews"><h2>Reviews</h2><ul>${reviews}</ul></section></main></body></html>`;
    const description = { html: '<p>A quiet kettle.</p>', text: 'A quiet kettle.', wordCount: 3 };
    const chosen = extractByPageType(verdict('product'), parseHtml(html), { pageUrl }, () => description);
    expect(chosen?.text).toContain('Value 11 in millimetres');
    expect(chosen?.text).toContain('A quiet kettle.');
    expect(chosen?.text).not.toContain('lid rattles');
  });

  it("keeps a product page's generic text when the product text holds it and is less than twice as long", () => {
    const description = [
      'This enamel kettle holds 1.7 litres and boils a full load in four minutes on any hob, induction included.',
      'The whistle sounds once the water boils and the handle stays cool, so it can be lifted without a cloth.',
    ];
    const html = `<html><body><main><h1>Enamel kettle</h1>${description.map((text) => `<p>${text}</p>`).join('')}
      <ul class="specs"><li>Capacity: 1.7 l</li><li>Weight: 1.1 kg</li><li>Colour: cream</li></ul></main></body></html>`;
    const product = extractProductPage(parseHtml(html), { pageUrl });
    const generic = {
      html: description.map((text) => `<p>${text}</p>`).join(''),
      text: description.join('\n\n'),
      wordCount: 40,
    };
    // The product text is the description and the specifications: it holds every word of the generic text.
    expect(product?.text).toContain('Capacity: 1.7 l');
    expect(generic.text.length).toBeGreaterThanOrEqual((product?.text.length ?? 0) * 0.5);
    expect(extractByPageType(verdict('product'), parseHtml(html), { pageUrl }, () => generic)).toBe(generic);
    // Words the product text does not hold: the generic extraction read something else, the product text stays.
    const elsewhere = {
      ...generic,
      text: `${generic.text}\n\nFree delivery on orders over fifty pounds, returns within thirty days, gift wrapping at the checkout.`,
    };
    expect(extractByPageType(verdict('product'), parseHtml(html), { pageUrl }, () => elsewhere)?.text).toBe(
      product?.text,
    );
    // Less than half of the product text: one part of it, the product text stays.
    const firstParagraph = { ...generic, text: description[0] ?? '' };
    expect(
      extractByPageType(verdict('product'), parseHtml(html), { pageUrl }, () => firstParagraph)?.text,
    ).toBe(product?.text);
  });

  it('reads the region of a dated page when the generic text is a caption beside it, and only then', () => {
    const items = Array.from(
      { length: 40 },
      (_, i) =>
        `<li><a href="/languages/${i}">Language ${i}</a>, designed in ${1950 + i} for teaching structured programming</li>`,
    ).join('');
    const html = `<html><head><meta property="article:published_time" content="2024-05-01"></head><body><main>
      <h1>List of languages</h1><figure><figcaption>A caption under the banner.</figcaption></figure>
      <ul>${items}</ul></main></body></html>`;
    const page = parseHtml(html);
    const dated = classifyPageType(page, pageUrl);
    expect(dated.type).toBe('article');
    const caption = {
      html: '<p>A caption under the banner.</p>',
      text: 'A caption under the banner.',
      wordCount: 5,
    };
    const chosen = extractByPageType(dated, page, { pageUrl }, () => caption);
    expect(chosen?.text).toContain('Language 39, designed in 1989');
    // A generic text that is not a sliver of the region is the article.
    const story = { html: '<p>…</p>', text: 'A story about languages. '.repeat(12), wordCount: 48 };
    expect(extractByPageType(dated, parseHtml(html), { pageUrl }, () => story)).toBe(story);
  });

  it('reads the region of an article-filed page when the generic text has no prose and is less than half of it', () => {
    const dated = verdict('article', 'meta:published-date', 'url:post-slug');
    const region = extractPageRegion(parseHtml(servicePage()), { pageUrl });
    const regionLength = region?.text.length ?? 0;
    // One short section (no paragraph of TYPE_EXTRACTION_CHOICE.proseParagraphChars), under half the region.
    const oneSection = { html: '<p>x</p>', text: SECTIONS[0][1], wordCount: 20 };
    expect(oneSection.text.length).toBeLessThan(regionLength * 0.5);
    const chosen = extractByPageType(dated, parseHtml(servicePage()), { pageUrl }, () => oneSection);
    for (const [, text] of SECTIONS) expect(chosen?.text).toContain(text);
    // The same length as one paragraph of prose is a story: kept.
    const story = { html: '<p>x</p>', text: 'A story about boilers. '.repeat(7), wordCount: 28 };
    expect(story.text.length).toBeLessThan(regionLength * 0.5);
    expect(extractByPageType(dated, parseHtml(servicePage()), { pageUrl }, () => story)).toBe(story);
    // Short paragraphs that make more than half of the region: kept.
    const most = { html: '<p>x</p>', text: SECTIONS.map(([, text]) => text).join('\n\n'), wordCount: 60 };
    expect(extractByPageType(dated, parseHtml(servicePage()), { pageUrl }, () => most)).toBe(most);
    // A list page with a post address keeps its generic text: the rule reads article-filed pages only.
    expect(
      extractByPageType(
        verdict('listing', 'url:post-slug'),
        parseHtml(servicePage()),
        { pageUrl },
        () => oneSection,
      ),
    ).toBe(oneSection);
  });

  it('reads the region of an article-filed page of parts (docs path, calls to action) unless the generic text holds most of it', () => {
    const region = extractPageRegion(parseHtml(servicePage()), { pageUrl });
    const regionLength = region?.text.length ?? 0;
    // Two sections as one paragraph of prose: more than half the region, less than SECTIONED_PAGE's 0.8.
    const twoSections = { html: '<p>x</p>', text: `${SECTIONS[0][1]} ${SECTIONS[1][1]}`, wordCount: 40 };
    expect(twoSections.text.length).toBeGreaterThan(regionLength * 0.5);
    expect(twoSections.text.length).toBeLessThan(regionLength * 0.8);
    for (const signals of [
      ['url:documentation'],
      ['structure:many-service-calls', 'meta:published-date', 'og:article'],
      ['structure:undated-sections'],
    ]) {
      const chosen = extractByPageType(
        verdict('article', ...signals),
        parseHtml(servicePage()),
        { pageUrl },
        () => twoSections,
      );
      for (const [, text] of SECTIONS) expect(chosen?.text).toContain(text);
    }
    // A sign of one article (an article type, a post address) keeps the generic text; so does no sign of parts.
    for (const signals of [
      ['url:documentation', 'jsonld:article'],
      ['url:documentation', 'url:post-slug'],
      [],
    ]) {
      const parts = verdict('article', ...signals);
      expect(extractByPageType(parts, parseHtml(servicePage()), { pageUrl }, () => twoSections)).toBe(
        twoSections,
      );
    }
    // The generic text holds most of the region: it is the page.
    const most = { html: '<p>x</p>', text: SECTIONS.flat().join(' '), wordCount: 60 };
    expect(most.text.length).toBeGreaterThanOrEqual(regionLength * 0.8);
    const docs = verdict('article', 'url:documentation');
    expect(extractByPageType(docs, parseHtml(servicePage()), { pageUrl }, () => most)).toBe(most);
  });

  it('reads the region of an article-filed page when the generic text is a few headed blurbs holding little of it', () => {
    // A course catalogue: eight courses, each a heading over one paragraph of prose.
    const courses = (
      [
        ['Pottery', 'clay, wheels and glazes'],
        ['Watercolour', 'washes, pigments and paper'],
        ['Joinery', 'dovetails, chisels and oak'],
        ['Bookbinding', 'signatures, awls and linen thread'],
        ['Weaving', 'looms, warps and wefts'],
        ['Printmaking', 'linocuts, brayers and ink'],
        ['Calligraphy', 'nibs, ductus and gouache'],
        ['Upholstery', 'webbing, springs and tacks'],
      ] as const
    ).map(([name, things]): [string, string] => [
      name,
      `${name} for beginners runs over eight evening sessions in the studio, where you learn ${things} with a tutor beside you, take your work home and leave ready to carry on alone.`,
    ]);
    const catalogue = `<!doctype html><html><head><title>Evening courses</title></head><body>
      <nav><a href="/">Home</a> <a href="/courses">Courses</a></nav>
      <main><h1>Evening courses</h1>${courses.map(([name, text]) => `<div class="course"><h3>${name}</h3><p>${text}</p></div>`).join('')}</main>
      <footer>© Studio · Privacy</footer></body></html>`;
    const blurbs = (parts: [string, string][], heading: 'h3' | 'p') => ({
      html: parts.map(([name, text]) => `<${heading}>${name}</${heading}><p>${text}</p>`).join(''),
      text: parts.flat().join('\n\n'),
      wordCount: 30 * parts.length,
    });
    const threeHeaded = blurbs(courses.slice(0, 3), 'h3');
    for (const filed of [verdict('article', 'meta:published-date', 'url:post-slug'), verdict('article')]) {
      const chosen = extractByPageType(filed, parseHtml(catalogue), { pageUrl }, () => threeHeaded);
      for (const [, text] of courses) expect(chosen?.text).toContain(text);
      // The same text without headings is prose, not blurbs: kept.
      const plain = blurbs(courses.slice(0, 3), 'p');
      expect(extractByPageType(filed, parseHtml(catalogue), { pageUrl }, () => plain)).toBe(plain);
      // Headed blurbs that hold most of the region's words are the page: kept.
      const most = blurbs(courses.slice(0, 6), 'h3');
      expect(extractByPageType(filed, parseHtml(catalogue), { pageUrl }, () => most)).toBe(most);
      // Two headings are not a run of blurbs.
      const two = blurbs(courses.slice(0, 2), 'h3');
      expect(extractByPageType(filed, parseHtml(catalogue), { pageUrl }, () => two)).toBe(two);
    }
    // A list page with a post address keeps its generic text: the rule reads article-filed pages only.
    const datedList = verdict('listing', 'url:post-slug');
    expect(extractByPageType(datedList, parseHtml(catalogue), { pageUrl }, () => threeHeaded)).toBe(
      threeHeaded,
    );
  });

  it("drops the shop's furniture from a product page: price lines, buy box, delivery notes, other products", () => {
    const description =
      'Hand-thrown stoneware mug with a speckled glaze. Holds 350 ml, safe in the dishwasher and the microwave.';
    const others = Array.from(
      { length: 4 },
      (_, i) => `<li class="tile"><a href="/p/${i}">Plate number ${i}</a><span>€${12 + i},00</span></li>`,
    ).join('');
    const html = `<html><body><main>
      <h1>Speckled mug</h1>
      <div><span>Sale price $24.00</span></div>
      <div class="product-form__quantity"><label>Quantity</label><span>Decrease quantity</span></div>
      <div class="shipping-info"><p>Free delivery on orders over $50, returns within 30 days.</p></div>
      <div class="tabs"><div class="tab"><p>${description}</p></div><div class="tab"><p>${description}</p></div></div>
      <p>Each mug is thrown by hand in our studio, so its size and glaze vary a little from the photographs.</p>
      <dl><div><dt>Capacity:</dt><dd>350 ml</dd></div><div><dt>Height:</dt><dd>9 cm</dd></div></dl>
      <dl><div><dt>Capacity:</dt><dd>450 ml</dd></div><div><dt>Height:</dt><dd>11 cm</dd></div></dl>
      <h2>You may like</h2><ul>${others}</ul>
    </main></body></html>`;
    const content = extractProductPage(parseHtml(html), { pageUrl });
    const text = content?.text ?? '';
    expect(text).toContain('Speckled mug');
    // The description shown twice (summary and tab) is kept once; spec labels repeat with other values.
    expect(text.split(description).length - 1).toBe(1);
    expect(text.match(/Capacity:/g)).toHaveLength(2);
    expect(text).toContain('450 ml');
    for (const furniture of ['$24.00', 'Decrease quantity', 'Free delivery', 'Plate number 2', '€13,00']) {
      expect(text).not.toContain(furniture);
    }
  });

  it("drops a product page's purchase options, offers, selling points and hover bubbles, keeps its description", () => {
    const description =
      'A cast iron teapot with an enamelled inside and a steel mesh infuser, heavy enough to keep tea hot a while.';
    const html = `<html><body><main>
      <h1>Iron teapot</h1>
      <p>${description}</p>
      <p>Each pot is cast in a sand mould and finished by hand, so the pattern on its lid differs a little.</p>
      <div class="product-options"><span>Colour: Black, Green, Rust red</span><span>Size: 0.6 litre, 1.2 litre</span></div>
      <div class="bundles-and-offers"><p>Iron teapot second choice with small marks on the lid for less</p></div>
      <ul class="usp-bar"><li>Free standard delivery on every order over forty pounds</li></ul>
      <p>Capacity 1.2 litres<span class="info-tooltip">Measured to the brim; fill to the spout for serving.</span></p>
    </main></body></html>`;
    const text = extractProductPage(parseHtml(html), { pageUrl })?.text ?? '';
    expect(text).toContain(description);
    expect(text).toContain('Capacity 1.2 litres');
    for (const furniture of ['Rust red', 'second choice', 'Free standard delivery', 'Measured to the brim']) {
      expect(text).not.toContain(furniture);
    }
  });

  it("drops customers' testimonials and questions and answers from a product page, as its reviews", () => {
    const description =
      'A wool throw woven on an old shuttle loom, heavy enough for a cold room and soft enough for a sofa.';
    const html = `<html><body><main><h1>Wool throw</h1><p>${description}</p>
      <p>Each throw is finished by hand with a twisted fringe and measures 130 by 180 centimetres once washed.</p>
      <section class="product-testimonials"><p>Warm and beautifully made, it lives on our sofa now. Anna, Leeds</p></section>
      <div id="pdp-qna"><h3>Does it shed?</h3><p>A little in the first week, then hardly at all, answered Tom.</p></div>
      <div class="questions-and-answers__list"><p>Can it go in the washer? Only on a wool cycle, cold, said Lee.</p></div>
    </main></body></html>`;
    const text = extractProductPage(parseHtml(html), { pageUrl })?.text ?? '';
    expect(text).toContain(description);
    for (const customers of ['lives on our sofa', 'Does it shed', 'wool cycle'])
      expect(text).not.toContain(customers);
  });

  it('drops the web addresses a product page prints from its data, not those written for the reader', () => {
    const description =
      'A linen apron with a long neck strap and two deep pockets, washed soft before it is sewn and sold.';
    const thumbnail = 'https://cdn.example/images/stencil/160x160/apron_natural_thumb.jpg';
    const html = `<html><body><main><h1>Linen apron</h1><p>${description}</p>
      <dl><dt>Material</dt><dd>100% linen</dd><dt>Image</dt><dd>${thumbnail}</dd></dl>
      <p>Our guide: <a href="https://example.shop/guides/linen">https://example.shop/guides/linen</a></p>
      <p>The feed for your reader:</p><p><code>https://example.shop/feed.xml</code></p>
    </main></body></html>`;
    const text = extractProductPage(parseHtml(html), { pageUrl })?.text ?? '';
    expect(text).toContain(description);
    expect(text).toContain('100% linen');
    // An address that is a link's text or quoted code is written for the reader.
    expect(text).toContain('https://example.shop/guides/linen');
    expect(text).toContain('https://example.shop/feed.xml');
    expect(text).not.toContain(thumbnail);
  });

  it('puts first the description a product declares in JSON-LD when the page shows it only in a drawer or by script', () => {
    const declared =
      'A waxed cotton tote with leather handles and a zipped inner pocket. It stands up on its own when empty.';
    const jsonLd = (description: string) =>
      `<script type="application/ld+json">${JSON.stringify({
        '@context': 'https://schema.org',
        '@graph': [{ '@type': 'Product', name: 'Field tote', description }],
      })}</script>`;
    const page = (head: string, drawer: string) => `<html><head>${head}</head><body><main>
      <h1>Field tote</h1><p>Sold in olive and in navy, with a matching strap sold separately in the shop.</p>
      <p>Made to order in our workshop in Leeds from cotton canvas we wax by hand, so allow two weeks.</p>
      <dl><dt>Width</dt><dd>40 cm</dd><dt>Height</dt><dd>35 cm</dd><dt>Depth</dt><dd>12 cm</dd></dl>
      <div role="dialog"><aside class="sheet"><p>${drawer}</p></aside></div>
    </main></body></html>`;
    // Shown only in a drawer (an <aside> in a dialog, left out with the furniture): the declared text goes first.
    const inDrawer = extractProductPage(parseHtml(page(jsonLd(declared), declared)), { pageUrl });
    expect(inDrawer?.text.startsWith(declared)).toBe(true);
    expect(inDrawer?.text).toContain('40 cm');
    expect(inDrawer?.html.startsWith(`<p>${declared}</p>`)).toBe(true);
    // HTML and lines in the declared text become paragraphs; a percent-encoded text is decoded.
    const marked = extractProductPage(
      parseHtml(page(jsonLd(`<p>${declared}</p><ul><li>Waxed &amp; waterproof</li></ul>`), '')),
      { pageUrl },
    );
    expect(marked?.text.startsWith(`${declared}\n\nWaxed & waterproof`)).toBe(true);
    const encoded = extractProductPage(parseHtml(page(jsonLd(encodeURIComponent(declared)), '')), {
      pageUrl,
    });
    expect(encoded?.text.startsWith(declared)).toBe(true);
    // Shown on the page already, or too short to be a description: nothing is added.
    const shown = page(jsonLd(declared), '').replace('<dl>', `<p>${declared}</p><dl>`);
    expect(extractProductPage(parseHtml(shown), { pageUrl })?.text.split(declared)).toHaveLength(2);
    const short = extractProductPage(parseHtml(page(jsonLd('Waxed cotton tote.'), '')), { pageUrl });
    expect(short?.text).not.toContain('Waxed cotton tote.');
    // Without JSON-LD the drawer stays out.
    expect(extractProductPage(parseHtml(page('', declared)), { pageUrl })?.text).not.toContain(declared);
  });

  it("drops the shop's data fields printed raw (an identifier for a name, a bare address for a value), keeps the specifications", () => {
    const html = `<html><body><main><h1>Canvas apron</h1>
      <p>A heavy canvas apron with brass rings, cross-back straps and a pocket for pencils, cut long for the workshop.</p>
      <p>Each one is cut and sewn in our studio; the canvas softens and darkens a little with every wash and year.</p>
      <dl><dt>Material:</dt><dd>12 oz cotton canvas</dd><dt>Length:</dt><dd>90 cm</dd>
      <dt>retail_price_tier2:</dt><dd>$18.00_10-49 items</dd>
      <dt>Swatch:</dt><dd>https://cdn.example/images/160x160/apron_swatch_olive.jpg</dd>
      <dt>Care:</dt><dd>Wash cold, hang to dry.</dd></dl>
    </main></body></html>`;
    const text = extractProductPage(parseHtml(html), { pageUrl })?.text ?? '';
    for (const kept of ['Material:', '12 oz cotton canvas', 'Length:', '90 cm', 'Care:', 'Wash cold']) {
      expect(text).toContain(kept);
    }
    for (const raw of ['retail_price_tier2', '$18.00_10-49 items', 'Swatch:', 'apron_swatch_olive']) {
      expect(text).not.toContain(raw);
    }
  });

  it('gives a product page whose description is drawn by scripts no content, not the footer', () => {
    const links = Array.from({ length: 30 }, (_, i) => `<a href="/help/${i}">Help topic ${i}</a>`).join(', ');
    const shell = `<html><body><main><h1>Kettle</h1><div id="root">Loading...</div></main>
      <footer><p>${links}</p></footer></body></html>`;
    const footer = { html: `<p>${links}</p>`, text: links, wordCount: 90 };
    const chosen = extractByPageType(verdict('product'), parseHtml(shell), { pageUrl }, () => footer);
    expect(chosen?.text).toBe('');
    // A page classified otherwise still falls back to the generic extraction.
    expect(extractByPageType(verdict('documentation'), parseHtml(shell), { pageUrl }, () => footer)).toBe(
      footer,
    );
  });
});

describe('a text made only of controls', () => {
  it('is no content: a page whose scripts draw it leaves only its skip link', () => {
    const html = `<!doctype html><html><head><title>Winter jackets</title></head><body>
      <a class="visually-hidden-focusable" href="#app">Skip to content</a>
      <div id="app"></div><script>window.render()</script></body></html>`;
    const result = extract({ html, url: 'https://shop.example/jackets/winter-down-jackets-women' });
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.error.code).toBe('NO_ARTICLE');
  });

  it('keeps a text that has a line of its own beside the controls', () => {
    const html = `<!doctype html><html><head><title>Opening hours</title></head><body>
      <a href="#main">Skip to content</a>
      <main id="main"><p>The library opens at nine on weekdays and at ten on Saturdays.</p></main></body></html>`;
    const result = extract({ html, url: 'https://library.example/hours' });
    expect(result.ok && result.value.content.text).toContain('opens at nine');
  });
});
