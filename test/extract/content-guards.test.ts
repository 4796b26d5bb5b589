// Guards on destructive rules and structural accidents of real pages, each on a small hand-written page: no
// single rule may drop most of the page or of the chosen content, and class names must not outweigh prose.
import { load } from 'cheerio';
import { describe, expect, it } from 'vitest';
import { extractContent } from '../../lib/core/extract/content.ts';
import { isDateline } from '../../lib/core/extract/content-prune.ts';
import { classWeight } from '../../lib/core/extract/content-score.ts';

const PAGE_URL = new URL('https://quarry.example/notes/a-long-walk');
const parse = (html: string) => load(html, { xml: { xmlMode: false, decodeEntities: true } });
const textOf = (html: string, title?: string) =>
  extractContent(parse(html), { pageUrl: PAGE_URL, title })?.text ?? '';

const PROSE = [
  'We set out from the quarry at dawn, with the fog still lying in the valley, and walked north along the ridge.',
  'By noon the path had narrowed to a sheep track, and the wind, which had been behind us, swung round to the west.',
  'The bothy we had hoped to reach was shut for repairs, so we ate our bread and cheese in the lee of its wall.',
  'Coming down in the dusk, we counted the lights of four farms and argued, cheerfully, about which one was ours.',
  'The next morning the fog had gone, and from the top of the quarry road the whole coast lay open, grey and bright.',
  'We will go back in spring, when the bothy is mended, and try the western loop that the farmer, kindly, described.',
];
const story = PROSE.map((sentence) => `<p>${sentence}</p>`).join('');

describe('furniture that holds the whole page is not furniture', () => {
  it('reads a page swallowed by an unclosed <aside>', () => {
    const html = `<html><body><aside class="banner"><a href="/sale">Winter sale</a><main><article>${story}</article></main></body></html>`;
    const text = textOf(html);
    for (const sentence of PROSE) expect(text).toContain(sentence);
  });

  it('reads a page hidden until its scripts reveal it, but still drops small hidden boxes', () => {
    const html = `<html><body><div style="visibility:hidden"><article>${story}<div hidden><p>Sign in to save this walk to your list of favourite routes, with a comma.</p></div></article></div></body></html>`;
    const text = textOf(html);
    for (const sentence of PROSE) expect(text).toContain(sentence);
    expect(text).not.toContain('Sign in to save');
  });

  it('reads the page served inside <noscript> when nearly all the text is there', () => {
    const html = `<html><body><div id="app"><p>Loading…</p></div><noscript><div class="wrap" role="main"><div class="post">${story}</div></div></noscript></body></html>`;
    const text = textOf(html);
    for (const sentence of PROSE) expect(text).toContain(sentence);
  });

  it('leaves <noscript> out when the page has its own text', () => {
    const html = `<html><body><article>${story}</article><noscript><p>Please enable JavaScript to see the comments below this walk report.</p></noscript></body></html>`;
    expect(textOf(html)).not.toContain('enable JavaScript');
  });

  it('reads the <body> that holds the page when broken markup opens two', () => {
    const html = `<html><head><title>A long walk</title><body><script>var a = 1;</script></head><body><article>${story}</article></body></html>`;
    expect(textOf(html)).toContain(PROSE[0]);
  });
});

describe('class names do not outweigh plain prose', () => {
  it('ignores utility classes ("[&_figcaption]:mt-2", "lg:hidden") when judging what an element is', () => {
    const html = `<html><body><article class="[&_figcaption]:mt-2 lg:hidden text-left">${story}</article></body></html>`;
    const text = textOf(html);
    for (const sentence of PROSE) expect(text).toContain(sentence);
  });

  it('does not count "overflow-hidden" (a clipped box) as a hidden one', () => {
    const $ = parse(
      '<div class="overflow-hidden rounded">x</div><div class="box overflow_hidden">x</div><div class="is-hidden">y</div>',
    );
    const flags = { stripUnlikely: true, weightClasses: true, cleanConditionally: true };
    const [clipped, clippedToo, hidden] = $('div').toArray();
    expect(classWeight(clipped!, flags)).toBe(0);
    expect(classWeight(clippedToo!, flags)).toBe(0);
    expect(classWeight(hidden!, flags)).toBeLessThan(0);
  });

  it('never lets conditional cleaning remove most of the chosen content', () => {
    const links = Array.from({ length: 30 }, (_, i) => `<a href="/w/${i}">walk ${i}</a>`).join(' ');
    const html = `<html><body><div class="entry"><div class="sidebar-like widget">${story}<p>${links}</p></div><p>A short closing line to end it.</p></div></body></html>`;
    const text = textOf(html);
    for (const sentence of PROSE) expect(text).toContain(sentence);
  });
});

// Listicles and guides: each entry in its own box, alike, several paragraphs each.
const ENTRIES = ['Ridge', 'Valley', 'Coast', 'Moor', 'Forest'].map((name, i) => ({
  name,
  paragraphs: [
    `The ${name} loop is walk number ${i + 1} on our list, about ${12 + i} kilometres, with one steep climb.`,
    `Start from the car park by the ${name.toLowerCase()} gate, keep left at the fork, and follow the yellow posts.`,
    `In wet weather the lower ${name.toLowerCase()} path floods, so take the upper track, which is longer but dry.`,
  ],
}));

describe('repeated boxes that together make most of the content are its parts', () => {
  const intro = `<p>${PROSE[0]}</p><p>${PROSE[1]}</p>`;
  const entryHtml = (tag: string, cls: string) =>
    ENTRIES.map(
      (entry) =>
        `<${tag} class="${cls}"><h2>${entry.name}</h2>${entry.paragraphs.map((p) => `<p>${p}</p>`).join('')}</${tag}>`,
    ).join('');

  it('keeps listicle entries written as nested <article> elements', () => {
    const html = `<html><body><article class="guide">${intro}${entryHtml('article', 'entry')}</article></body></html>`;
    const text = textOf(html);
    for (const entry of ENTRIES) for (const paragraph of entry.paragraphs) expect(text).toContain(paragraph);
  });

  it('still drops one-paragraph teaser cards, however many there are', () => {
    const cards = ENTRIES.map(
      (entry) =>
        `<article class="card"><p>${entry.paragraphs[0]} <a href="/${entry.name}">Read the ${entry.name} walk</a></p></article>`,
    ).join('');
    const html = `<html><body><div class="main"><article class="post">${story}</article><article class="more">${cards}</article></div></body></html>`;
    const text = textOf(html);
    for (const sentence of PROSE) expect(text).toContain(sentence);
    expect(text).not.toContain(ENTRIES[0]!.paragraphs[0]);
  });
});

describe('a small box that outscores the story around it', () => {
  it('reads the story, not only an FAQ answer full of commas inside it', () => {
    const plain = Array.from(
      { length: 16 },
      (_, i) => `<p>On day ${i + 1} we walked from one village to the next and slept in the inn there</p>`,
    );
    const answer =
      '<div class="faq-answer"><p>Bring boots, a map, a compass, water, bread, cheese, a hat, gloves, a torch, plasters, a whistle, and a friend.</p><p>Leave word, at the inn, with the keeper, of your route, your party, your hour, your plan, and your return, always.</p></div>';
    const html = `<html><body><div class="walks">${plain.slice(0, 8).join('')}<div class="faq"><div class="faq-item"><div class="faq-panel">${answer}</div></div></div>${plain.slice(8).join('')}</div></body></html>`;
    const text = textOf(html);
    expect(text).toContain('On day 1 we walked');
    expect(text).toContain('On day 16 we walked');
    expect(text).toContain('Bring boots, a map');
  });
});

describe('the story split across alike wrappers is read whole', () => {
  it('takes the common ancestor of several strong candidates of the same tag and class', () => {
    const sections = ENTRIES.map(
      (entry, i) =>
        `<li class="listing"><div class="inner"><div class="rating">Rating ${4 + i / 10}</div><div class="accordion"><div class="descr">${entry.paragraphs.map((p) => `<p>${p}</p>`).join('')}${i === 0 ? `<p>${PROSE[2]}</p><p>${PROSE[3]}</p>` : ''}</div></div></div></li>`,
    ).join('');
    const html = `<html><body><div class="page"><ul class="listings">${sections}</ul></div><div class="footer-note"><p>Copyright the walkers.</p></div></body></html>`;
    const text = textOf(html);
    for (const entry of ENTRIES) for (const paragraph of entry.paragraphs) expect(text).toContain(paragraph);
  });

  it('counts wrappers as alike when they differ only by an instance class token (page builders)', () => {
    // Each part: a heading and a text widget in a wrapper; the class names the kind and the instance. The first
    // part is long (long enough that no retry runs), the others one paragraph each (too weak to be alternatives).
    const parts = ENTRIES.map((entry, i) => {
      const paragraphs = i === 0 ? [...entry.paragraphs, ...PROSE.slice(0, 3)] : [entry.paragraphs[0]];
      const kind = `pb-element pb-element-${(0xa3f9 + i * 977).toString(16)} pb-editor`;
      return `<div class="pb-section"><div class="pb-container"><div class="pb-wrap"><h2>${entry.name}</h2><div class="${kind}"><div class="pb-inner-box">${paragraphs.map((p) => `<p>${p}</p>`).join('')}</div></div></div></div></div>`;
    }).join('');
    const html = `<html><body><div class="pb-column"><div class="pb-inner">${parts}</div></div><div class="pb-side"><p>Our office is open on weekdays, from nine until five, except on holidays.</p></div></body></html>`;
    const text = textOf(html);
    for (const entry of ENTRIES) expect(text).toContain(entry.paragraphs[0]);
    expect(text).not.toContain('Our office is open');
  });

  it('keeps one-paragraph parts classed like furniture ("widget") when together they are the plain prose', () => {
    const parts = ENTRIES.map(
      (entry) =>
        `<div class="widget-wrap"><div class="widget"><p>${entry.paragraphs.join(' ')}</p></div></div>`,
    ).join('');
    // Enough other prose that the first attempt is kept (no retry without class weights): the rule alone decides.
    const html = `<html><body><article class="post"><h1>Five walks</h1>${parts}${PROSE.slice(0, 5)
      .map((p) => `<p>${p}</p>`)
      .join('')}</article></body></html>`;
    const text = textOf(html, 'Five walks');
    for (const entry of ENTRIES) expect(text).toContain(entry.paragraphs[0]);
  });
});

describe('collapsed accordion panels are part of the page', () => {
  it('reads a panel hidden until its heading is clicked (aria-controls), but not other hidden boxes', () => {
    const panels = ENTRIES.map(
      (entry, i) =>
        `<h3><button aria-controls="panel-${i}" aria-expanded="false">${entry.name}</button></h3><div id="panel-${i}" style="display:none">${entry.paragraphs.map((p) => `<p>${p}</p>`).join('')}</div>`,
    ).join('');
    const html = `<html><body><article>${story}${panels}<div style="display:none"><p>Your session has expired, please sign in again to keep your list.</p></div></article></body></html>`;
    const text = textOf(html);
    for (const entry of ENTRIES) for (const paragraph of entry.paragraphs) expect(text).toContain(paragraph);
    expect(text).not.toContain('session has expired');
  });

  it('reads an ARIA accordion region hidden by its collapsed state', () => {
    const html = `<html><body><article>${story}<div role="region" aria-labelledby="h1" hidden><p>${ENTRIES[0]!.paragraphs[0]}</p></div></article></body></html>`;
    expect(textOf(html)).toContain(ENTRIES[0]!.paragraphs[0]);
  });
});

describe('quantities are not furniture', () => {
  it('reads a lone number as a dateline only when it reads as a year', () => {
    expect(isDateline('300')).toBe(false);
    expect(isDateline('(6)')).toBe(false);
    expect(isDateline('2019')).toBe(true);
    expect(isDateline('17 Feb 2020')).toBe(true);
    expect(isDateline('Updated: 10:45')).toBe(true);
  });

  it('keeps an ingredient list under a servings form, and the amounts in their own elements', () => {
    const amounts = ['300', '200', '6'];
    const items = ['g flour, sifted', 'g butter, soft', 'eggs, medium sized'];
    const list = amounts
      .map(
        (amount, i) => `<li><span class="amount">${amount}</span> <span class="name">${items[i]}</span></li>`,
      )
      .join('');
    const ingredients = `<section class="ingredients"><form><label>For <input name="servings" value="4"> people</label></form><ul>${list}</ul></section>`;
    const html = `<html><body><article>${story}${ingredients}<p>${PROSE[0]}</p></article></body></html>`;
    const text = textOf(html);
    for (const sentence of PROSE) expect(text).toContain(sentence);
    for (const [i, amount] of amounts.entries()) expect(text).toContain(`${amount} ${items[i]}`);
    expect(text).not.toContain('For people');
  });
});

describe('a data table in a scroll wrapper is judged as the table (DATA_TABLE_WRAPPER)', () => {
  const rows = [
    ['Day one', 'Quarry to the ridge', '11 km'],
    ['Day two', 'Ridge to the bothy', '14 km'],
    ['Day three', 'Bothy to the coast road', '9 km'],
  ];
  const table = `<table><thead><tr><td>Stage</td><td>Route</td><td>Distance</td></tr></thead><tbody>${rows
    .map((row) => `<tr>${row.map((cell) => `<td>${cell}</td>`).join('')}</tr>`)
    .join('')}</tbody></table>`;

  it('keeps a stage table whose wrapper is classed for scrolling', () => {
    const html = `<html><body><article>${story}<div class="table-wrap overflow-x-scroll">${table}</div><p>${PROSE[0]}</p></article></body></html>`;
    const text = textOf(html);
    for (const sentence of PROSE) expect(text).toContain(sentence);
    for (const row of rows) expect(text).toContain(row[1]);
  });

  it('still drops a scroll widget whose table is not most of its text', () => {
    const widget = `<div class="scroller"><p>Walks near you this weekend, picked by our readers from the map above.</p><p>Share yours with the club and win a day pass for the quarry trail and the bothy.</p>${table}</div>`;
    const html = `<html><body><article>${story}${widget}</article></body></html>`;
    expect(textOf(html)).not.toContain('Walks near you');
  });
});

describe('a page of headed sections is read whole, not one section of it', () => {
  // A service page: a heading and a little text per section, each section in a box classed like furniture
  // ("widget"), with an icon or two; the FAQ, with paragraphs and commas, outscores every other section.
  const services = [
    ['Hull repairs', 'Fibreglass and timber hulls patched, faired and painted again in our covered yard.'],
    [
      'Engine servicing',
      'Inboard and outboard engines serviced on the mooring or at the quay before the season.',
    ],
    ['Rigging', 'Standing and running rigging checked, replaced and tuned by riggers who sail themselves.'],
    ['Winter storage', 'Boats lifted out, washed down and kept ashore on cradles from November until March.'],
  ];
  const answers = [
    'Yes, we do, although in winter, when the slipway is busy, a haul-out may have to wait a week or two.',
    'We quote after seeing the boat, in the yard or on the water, and the quote, once given, holds for a month.',
    'Most engine services take a day, but parts for older engines, which we order, can add a few days more.',
    'We work on sail and motor boats up to twelve metres, wooden or fibreglass, and on most working craft too.',
    'Owners may stay aboard while the boat is ashore, on the cradle, as long as they keep clear of the hoist.',
  ];
  const faq = `<section class="block widget"><h2>Questions</h2>${answers.map((answer, i) => `<div class="faq-item"><h3>Question ${i + 1}</h3><p>${answer}</p></div>`).join('')}</section>`;
  const section = ([heading, text]: string[]) =>
    `<section class="block widget"><h2>${heading}</h2><img src="/i/a.svg"><img src="/i/b.svg"><div class="copy">${text}</div><div class="cta"><a href="/quote">Ask for a quote</a></div></section>`;
  const page = (sections: string) =>
    `<html><body><header><a href="/">Harbour Boatyard</a></header><main><div class="sections">${sections}</div></main><footer><p>Harbour Boatyard, Quay Street. Open daily.</p></footer></body></html>`;

  it('climbs from the best section to the box holding it and its sibling sections of the same shape', () => {
    const text = textOf(page(`${services.map(section).join('')}${faq}`));
    for (const [heading, sentence] of services) {
      expect(text).toContain(heading);
      expect(text).toContain(sentence);
    }
    for (const answer of answers) expect(text).toContain(answer);
    expect(text).not.toContain('Quay Street');
    // Inside the sections, only boxes of links still go: the call to action under each.
    expect(text).not.toContain('Ask for a quote');
  });

  it('does not climb from a story that holds most of its box to the short headed boxes beside it', () => {
    const body = `<div class="story"><h2>The crossing</h2>${story}</div>`;
    const bio = `<div class="box"><h3>About the author</h3><p>The author walks and writes, and keeps bees in the valley below the quarry.</p></div>`;
    const text = textOf(
      `<html><body><div class="wrap">${body}${bio}${bio.replace('About the author', 'About the walk')}</div></body></html>`,
    );
    for (const sentence of PROSE) expect(text).toContain(sentence);
    expect(text).not.toContain('keeps bees');
  });

  it('counts the sections with the boxes cleaning would drop, so an unheaded text box among them stays', () => {
    // A page builder's text box without a heading, classed like furniture as every section is: on its own it is
    // a small share of the content, with the sections beside it the boxes make the page.
    const intro =
      '<div class="block widget"><p>We have mended, rigged and stored boats on this quay since the yard opened in 1962.</p></div>';
    const plain = ([heading, text]: string[]) =>
      `<section class="block widget"><h2>${heading}</h2><p>${text}</p></section>`;
    const more = [
      'Sail lofts',
      'Sails washed, patched and recut in the loft above the chandlery, in any season.',
    ];
    const text = textOf(page(`${intro}${[...services, more].map(plain).join('')}`));
    expect(text).toContain('since the yard opened in 1962');
    for (const [heading, sentence] of [...services, more]) {
      expect(text).toContain(heading);
      expect(text).toContain(sentence);
    }
  });

  it('reads sections only while furniture is left out: a retry does not take a dialog panel for one', () => {
    // Too short a story, so the rules are relaxed and the settings dialog's panels (unlikely: "modal") beside it come
    // back in: each a heading and a sentence, as a section has.
    const short = [
      'The ferry runs twice a day in summer, at seven, at noon, at five, and, on winter mornings, once, at eight.',
      'Tickets are sold on the quay, in the hut, by the office, and on board, in cash, but not, alas, by card.',
    ];
    const panel = (name: string) =>
      `<section class="modal-panel"><h3>${name}</h3><p>These are set on every page we serve to remember what you chose on this panel, and for how long</p></section>`;
    const panels = ['Necessary', 'Preferences', 'Statistics', 'Marketing', 'Partners'].map(panel).join('');
    const text = textOf(
      `<html><body><div class="wrap"><section><h2>The ferry</h2>${short.map((line) => `<p>${line}</p>`).join('')}</section>${panels}</div></body></html>`,
    );
    for (const line of short) expect(text).toContain(line);
    expect(text).not.toContain('remember what you chose');
  });
});

describe('a list of links the story introduces with a sentence is content (PROSE_INTRO)', () => {
  const sources = [
    ['/maps/ridge', 'The ridge path as surveyed by the county in 1998'],
    ['/maps/bothy', 'Plans of the bothy before its roof was mended'],
    ['/maps/loop', 'The western loop, drawn by the farmer from memory'],
  ]
    .map(([href, title]) => `<li><p><a href="${href}">${title}</a></p></li>`)
    .join('');

  it('keeps the list, and its box, when a paragraph of prose ending with a colon introduces it', () => {
    const html = `<html><body><article><h1>A long walk</h1>${story}
      <div class="note"><div class="paragraph"><p>We drew on three old maps to plan the route this time:</p></div>
      <div class="ulist"><ul>${sources}</ul></div></div></article></body></html>`;
    const text = textOf(html);
    expect(text).toContain('The ridge path as surveyed by the county in 1998');
    expect(text).toContain('The western loop, drawn by the farmer from memory');
  });

  it('still drops the list after a short label or a teaser heading sentence', () => {
    for (const intro of ['Maps:', 'Related stories from our walking blog:']) {
      const html = `<html><body><article><h1>A long walk</h1>${story}<p>${intro}</p><ul>${sources}</ul></article></body></html>`;
      const text = textOf(html);
      expect(text).toContain(PROSE[5]);
      expect(text).not.toContain('The ridge path as surveyed');
    }
  });
});
