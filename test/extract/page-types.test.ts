import { describe, expect, it } from 'vitest';
import { extract, parseHtml } from '../../lib/core/extract/index.ts';
import { extractForumThread } from '../../lib/core/extract/page-types/forum.ts';

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

  it('finds no thread in a page without repeated posts, so extract() falls back to the generic extraction', () => {
    const html =
      '<html><head><title>A story</title></head><body><article><h1>A story</h1><p>One paragraph that is long enough to be the content of this short page, with a few more words.</p></article></body></html>';
    expect(
      extractForumThread(parseHtml(html), { pageUrl: new URL('https://forum.example/t/1') }),
    ).toBeUndefined();
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
