// The tree a browser would build, before any scoring: content after an early </body> or </html>, sections of a
// streamed server render waiting in hidden segments, and checklists whose checkboxes are list markers.
import { load } from 'cheerio';
import { describe, expect, it } from 'vitest';
import { extractContent } from '../../lib/core/extract/content.ts';

const PAGE_URL = new URL('https://orchard.example/journal/pruning-old-trees');
const parse = (html: string) => load(html, { xml: { xmlMode: false, decodeEntities: true } });
const textOf = (html: string, title?: string) =>
  extractContent(parse(html), { pageUrl: PAGE_URL, title })?.text ?? '';

const PROSE = [
  'An old apple tree is pruned over three winters, never all at once, or it answers with a forest of water shoots.',
  'In the first winter take out the dead wood, the crossing branches and anything that rubs, and nothing more.',
  'In the second, open the centre so that light reaches the inner spurs, cutting back to a outward-facing bud.',
  'In the third, thin the spur systems, which on a neglected tree have grown crowded, tangled and unproductive.',
  'Feed the tree in spring with a mulch of compost, and water it through the first dry summer after pruning.',
  'By the fourth year the tree should crop again, with fewer but larger apples, and far less scab on the fruit.',
];
const paragraphs = (sentences: readonly string[]) => sentences.map((s) => `<p>${s}</p>`).join('');
const MENU = '<nav><ul><li><a href="/">Home</a></li><li><a href="/journal">Journal</a></li></ul></nav>';

/** Each question is in the text, above its answer (PROSE[firstAnswer + i]). */
function expectQuestionsAboveAnswers(text: string, questions: readonly string[], firstAnswer: number): void {
  questions.forEach((question, i) => {
    expect(text).toContain(question);
    expect(text.indexOf(question)).toBeLessThan(text.indexOf(PROSE[firstAnswer + i]!));
  });
}

describe('content after an early </body> or </html> is in the body, as a browser builds it', () => {
  it('reads the article a template printed after closing the document', () => {
    const html = `<html><head><title>Pruning</title></head><body><header>${MENU}</header></body></html><div class="post"><h1>Pruning old trees</h1>${paragraphs(PROSE)}</div>`;
    const text = textOf(html);
    for (const sentence of PROSE) expect(text).toContain(sentence);
  });

  it('reads content left between </body> and </html>', () => {
    const html = `<html><body><header>${MENU}</header></body><main>${paragraphs(PROSE)}</main></html>`;
    expect(textOf(html)).toContain(PROSE[5]);
  });
});

describe('a streamed server render is read with its sections in place', () => {
  it('puts hidden segments (<div hidden id="S:n">) where their placeholders are, in the page order', () => {
    const html = `<html><body><article><h1>Pruning old trees</h1><p>${PROSE[0]}</p><!--$?--><template id="B:0"></template><div class="skeleton">Loading…</div><!--/$--><p>${PROSE[3]}</p><template id="B:1"></template><div>Loading paragraph...</div></article><footer>${MENU}</footer><div hidden id="S:0">${paragraphs(PROSE.slice(1, 3))}</div><div hidden id="S:1">${paragraphs(PROSE.slice(4))}</div></body></html>`;
    const text = textOf(html);
    const positions = PROSE.map((sentence) => text.indexOf(sentence));
    for (const position of positions) expect(position).toBeGreaterThanOrEqual(0);
    expect([...positions].sort((a, b) => a - b)).toEqual(positions);
    expect(text).not.toContain('Loading');
  });

  it('still drops a hidden box that is no streamed segment', () => {
    const html = `<html><body><article>${paragraphs(PROSE)}</article><div hidden id="S:7"><p>Your basket is empty, and it will stay that way until you choose a tree to buy.</p></div></body></html>`;
    expect(textOf(html)).not.toContain('basket');
  });
});

describe('checklists are lists, not forms', () => {
  it('keeps a list whose items start with a checkbox', () => {
    const tasks = ['Sharpen and clean the saw', 'Mark the dead wood with chalk', 'Burn the prunings'];
    const items = tasks.map((task) => `<li><input type="checkbox" disabled> ${task}</li>`).join('');
    const html = `<html><body><article>${paragraphs(PROSE.slice(0, 3))}<h2>Checklist</h2><ul>${items}</ul>${paragraphs(PROSE.slice(3))}</article></body></html>`;
    const text = textOf(html);
    for (const task of tasks) expect(text).toContain(task);
  });

  it('still drops a small signup form inside the article', () => {
    const html = `<html><body><article>${paragraphs(PROSE)}<div class="box"><p>Get the orchard letter</p><form><input type="email"><input type="checkbox"> I agree <button>Send</button></form></div></article></body></html>`;
    expect(textOf(html)).not.toContain('orchard letter');
  });
});

describe('class names of layout and of syntax highlighting are not furniture', () => {
  it('reads the page when the wrapper of nearly all its prose has a furniture class ("page-footer")', () => {
    // A lead long enough to be taken on its own, and a "footer" holding four times as much prose.
    const lead = paragraphs(PROSE.slice(0, 5).map((sentence) => `Last year: ${sentence}`));
    const years = [1, 2, 3, 4].flatMap((year) => PROSE.map((sentence) => `In year ${year}: ${sentence}`));
    const html = `<html><body>${MENU}<div class="page-lead">${lead}</div><div class="page-footer">${paragraphs(years)}</div></body></html>`;
    const text = textOf(html);
    for (const sentence of years) expect(text).toContain(sentence);
  });

  it('keeps the comments of a highlighted code block ("hljs-comment")', () => {
    const code =
      '<pre><code class="hljs"><span class="hljs-comment"># sharpen first</span>\nfile --coarse saw\n<span class="hljs-comment"># then oil</span>\noil saw</code></pre>';
    const html = `<html><body><article>${paragraphs(PROSE.slice(0, 3))}${code}${paragraphs(PROSE.slice(3))}</article></body></html>`;
    const text = textOf(html);
    expect(text).toContain('# sharpen first');
    expect(text).toContain('# then oil');
  });
});

describe('disclosure buttons and toggles do not make a box a form', () => {
  it('keeps a section opened by an accordion button and a CSS-only toggle', () => {
    const section = `<div class="group"><input type="checkbox" id="more-1" class="toggle"><label for="more-1">Pros</label><ul><li>Hardy on cold clay soils</li><li>Keeps until March in a cool shed</li></ul><p>A fine old variety for a wet garden.</p><button aria-expanded="false" aria-controls="more-2">Show more</button></div>`;
    const html = `<html><body><article>${paragraphs(PROSE)}${section}</article></body></html>`;
    const text = textOf(html);
    expect(text).toContain('Keeps until March');
    expect(text).toContain('A fine old variety');
  });

  it('still drops a small box with an action button (follow, agree)', () => {
    const box = '<div class="about"><p>Tom writes about orchards.</p><button>Follow</button></div>';
    const html = `<html><body><article>${paragraphs(PROSE)}${box}</article></body></html>`;
    expect(textOf(html)).not.toContain('Tom writes');
  });
});

describe('an accordion header (a button inside a heading) is the heading', () => {
  const QUESTIONS = ['When is the best time to prune?', 'Should the cuts be painted?'];
  const faq = (header: (question: string, i: number) => string) =>
    QUESTIONS.map(
      (question, i) =>
        `<div class="faq-item">${header(question, i)}<div id="answer-${i}" role="region"><p>${PROSE[i + 3]}</p></div></div>`,
    ).join('');
  const button = (question: string, i: number) =>
    `<button aria-expanded="true" aria-controls="answer-${i}">${question}</button>`;
  const HEADERS: [string, (question: string, i: number) => string][] = [
    ['an <h3>', (question, i) => `<h3>${button(question, i)}</h3>`],
    ['role="heading"', (question, i) => `<div role="heading" aria-level="3">${button(question, i)}</div>`],
    ['a <dt>', (question, i) => `<dl><dt>${button(question, i)}</dt></dl>`],
  ];

  it.each(HEADERS)(
    'keeps each question (in %s) above its answer, and still drops a button that heads nothing',
    (_name, header) => {
      const html = `<html><body><article>${paragraphs(PROSE.slice(0, 3))}<h2>Questions</h2>${faq(header)}<button aria-expanded="false">Show all questions</button></article></body></html>`;
      const text = textOf(html);
      expectQuestionsAboveAnswers(text, QUESTIONS, 3);
      expect(text).not.toContain('Show all questions');
    },
  );
});

describe('a disclosure button whose words are a question is the FAQ header (DISCLOSED_QUESTION)', () => {
  const QUESTIONS = ['Can a neglected pear tree be saved?', 'Do I need a ladder for a standard tree?'];
  const faq = QUESTIONS.map(
    (question, i) =>
      `<div class="faq-item"><button class="faq-toggle" aria-expanded="false" aria-controls="a-${i}"><span>${question}</span><i class="icon-plus"></i></button><div id="a-${i}" style="display:none"><p>${PROSE[i + 4]}</p></div></div>`,
  ).join('');

  it('keeps each question above its answer, and drops disclosure buttons that ask nothing', () => {
    const html = `<html><body><article>${paragraphs(PROSE.slice(0, 4))}<h2>Questions</h2><div class="faq">${faq}</div><button aria-expanded="false" aria-controls="more">Read the whole guide</button></article></body></html>`;
    const text = textOf(html);
    expectQuestionsAboveAnswers(text, QUESTIONS, 4);
    expect(text).not.toContain('Read the whole guide');
  });

  it('still drops a question on a plain button (a form or a widget, not a disclosure)', () => {
    const html = `<html><body><article>${paragraphs(PROSE)}<div class="ask"><button type="submit">Was this guide helpful?</button></div></article></body></html>`;
    expect(textOf(html)).not.toContain('Was this guide helpful?');
  });
});

describe('a heading left open by a mismatched end tag ends there, as a browser closes it', () => {
  const deck =
    'Whether or not you prune in winter, there is no denying that an old tree needs three seasons to answer well.';

  it('keeps the deck and the body that htmlparser2 nested in an <h2> closed by </h3>', () => {
    const html = `<html><body><article><h1>Pruning old trees</h1><h2 class="excerpt">${deck}</h3><div class="ad"><h3>Advertisement</h3></div><div class="body">${paragraphs(PROSE)}</div></article></body></html>`;
    const text = textOf(html, 'Pruning old trees');
    expect(text).toContain(deck);
    for (const sentence of PROSE) expect(text).toContain(sentence);
    expect(text.indexOf(deck)).toBeLessThan(text.indexOf(PROSE[0]!));
  });

  it('moves out only the blocks after the heading’s own words', () => {
    const $ = parse(`<div><h2>Title <em>words</em><p>${PROSE[0]}</p></h2></div>`);
    extractContent($, { pageUrl: PAGE_URL });
    expect($('h2').text()).toBe('Title words');
    expect($('h2 + p').text()).toBe(PROSE[0]);
  });

  it('closes nested open headings in document order', () => {
    const $ = parse('<div><h2>A<h3>B<p>C</p></h3><p>D</p></h2><p>E</p></div>');
    extractContent($, { pageUrl: PAGE_URL });
    const order = $('div')
      .children()
      .toArray()
      .map((element) => `${element.name}:${$(element).text()}`);
    expect(order).toEqual(['h2:A', 'h3:B', 'p:C', 'p:D', 'p:E']);
  });

  it('leaves a heading whose words are inside a block (<h2><div>Title</div></h2>)', () => {
    const $ = parse(`<div><h2><div>Title</div></h2>${paragraphs(PROSE)}</div>`);
    extractContent($, { pageUrl: PAGE_URL });
    expect($('h2 > div').text()).toBe('Title');
  });
});
