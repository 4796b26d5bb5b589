// The general rules for titles, authors and dates, on small hand-written pages in several languages.
import { describe, expect, it } from 'vitest';
import { parseHtml } from '../../lib/core/extract/index.ts';
import { extractMetadata } from '../../lib/core/extract/metadata.ts';
import { cleanAuthorNames, looksLikePersonName } from '../../lib/core/extract/metadata-authors.ts';
import { dateFromUrlPath, parseVisibleDate } from '../../lib/core/extract/metadata-dates.ts';
import {
  detectLanguage,
  SCRIPT_LANGUAGE_CHAR,
  SCRIPT_LANGUAGES,
} from '../../lib/core/extract/metadata-language.ts';
import { domainName, headlineAgrees, stripTitleAffixes } from '../../lib/core/extract/metadata-title.ts';

const NOW = new Date('2025-06-15T12:00:00.000Z');
const PAGE_URL = new URL('https://www.harbour-ledger.example/stories/ferry');

const page = (head: string, body: string, lang = 'en') =>
  `<!DOCTYPE html><html lang="${lang}"><head>${head}</head><body>${body}</body></html>`;
const metadataOf = (html: string, url = PAGE_URL) => extractMetadata(parseHtml(html), url, { now: NOW });

describe('title affixes', () => {
  it('strips suffixes and prefixes that name the site, in any common separator', () => {
    const sites = ['Harbour Ledger'];
    expect(stripTitleAffixes('Ferry returns | Harbour Ledger', sites)).toBe('Ferry returns');
    expect(stripTitleAffixes('Ferry returns – Harbour Ledger', sites)).toBe('Ferry returns');
    expect(stripTitleAffixes('Harbour Ledger - Ferry returns', sites)).toBe('Ferry returns');
    expect(stripTitleAffixes('Ferry returns | Opinion | Harbour Ledger', sites)).toBe('Ferry returns');
    expect(stripTitleAffixes('Opinion | Ferry returns', sites)).toBe('Ferry returns');
    expect(stripTitleAffixes('Ferry returns [Harbour Ledger]', sites)).toBe('Ferry returns');
    expect(stripTitleAffixes('渡し船が戻る：港新聞', ['港新聞'])).toBe('渡し船が戻る');
    expect(stripTitleAffixes('渡轮恢复运营_新闻_港报网', ['港报网'])).toBe('渡轮恢复运营');
  });

  it('keeps affixes that do not name the site, and never empties the headline', () => {
    expect(stripTitleAffixes('Ferry returns - Part two', ['Harbour Ledger'])).toBe(
      'Ferry returns - Part two',
    );
    expect(stripTitleAffixes('Harbour Ledger', ['Harbour Ledger'])).toBe('Harbour Ledger');
    expect(stripTitleAffixes('Fähre: Rückkehr nach dem Winter', ['Hafenblatt'])).toBe(
      'Fähre: Rückkehr nach dem Winter',
    );
  });

  it('drops a short tail after a pipe (tagline, section), also when the h1 carries it', () => {
    expect(stripTitleAffixes('Best ferry routes in 2025 | Top 19 Picks', [])).toBe(
      'Best ferry routes in 2025',
    );
    expect(stripTitleAffixes('Die besten Fährrouten 2025 | Ratgeber | Hafenblatt', [])).toBe(
      'Die besten Fährrouten 2025',
    );
    // A long tail is a subtitle; a short rest is not a headline on its own; dashes often open subtitles.
    expect(stripTitleAffixes('Ferry routes | The best crossings on the coast this year', [])).toBe(
      'Ferry routes | The best crossings on the coast this year',
    );
    expect(stripTitleAffixes('Ferry routes | Top picks', [])).toBe('Ferry routes | Top picks');
    expect(stripTitleAffixes('Les meilleures traversées en ferry – Partie deux', [])).toBe(
      'Les meilleures traversées en ferry – Partie deux',
    );
    const html = page(
      '<meta property="og:title" content="Best ferry routes in 2025 | Top 19 Picks | Harbour Ledger">',
      '<article><h1>Best ferry routes in 2025 | Top 19 Picks</h1><p>Text.</p></article>',
    );
    expect(metadataOf(html).title).toBe('Best ferry routes in 2025');
  });

  it('takes the site name from the domain when the page declares none', () => {
    expect(domainName('www.harbour-ledger.co.uk')).toBe('harbourledger');
    expect(domainName('news.example.com')).toBe('example');
    const html = page('<title>Ferry returns | HarbourLedger</title>', '<p>Text.</p>');
    expect(metadataOf(html).title).toBe('Ferry returns');
  });

  it('strips an affix that is the author’s name', () => {
    const html = page(
      '<title>Notes on ferries - Ines Varga</title><meta name="author" content="Ines Varga">',
      '<p>Text.</p>',
    );
    expect(metadataOf(html).title).toBe('Notes on ferries');
  });
});

describe('title affixes: underscore chains, bracketed domains, labels in the h1', () => {
  it('strips a chain of short section and site names after underscores, in Chinese and in Latin script', () => {
    expect(stripTitleAffixes('港口渡轮恢复运营 市民排队体验_社会_海港日报', [])).toBe(
      '港口渡轮恢复运营 市民排队体验',
    );
    expect(stripTitleAffixes('Ferry service returns to the harbour _News _Harbour Ledger', [])).toBe(
      'Ferry service returns to the harbour',
    );
    // Too little headline would be left: the title stays whole.
    expect(stripTitleAffixes('渡轮_社会', [])).toBe('渡轮_社会');
  });

  it('strips a bracketed domain name, not a bracketed word of the headline', () => {
    expect(stripTitleAffixes('Weekly edition for May 3, 2025 [Harbour.example]', [])).toBe(
      'Weekly edition for May 3, 2025',
    );
    expect(stripTitleAffixes('Ferry returns (updated)', [])).toBe('Ferry returns (updated)');
  });

  it('drops a label that opens the h1 in its own element', () => {
    const english = page(
      '<title>Ferry returns to the harbour after ten years | Harbour Ledger</title>',
      '<main><h1><strong>Blog:</strong> Ferry returns to the harbour after ten years</h1><p>Text.</p></main>',
    );
    expect(metadataOf(english).title).toBe('Ferry returns to the harbour after ten years');
    const german = page(
      '<title>Die Fähre kehrt nach zehn Jahren zurück</title>',
      '<main><h1><span class="kicker">Kommentar:</span>Die Fähre kehrt nach zehn Jahren zurück</h1><p>Text.</p></main>',
      'de',
    );
    expect(metadataOf(german).title).toBe('Die Fähre kehrt nach zehn Jahren zurück');
  });
});

describe('visible headline', () => {
  it('prefers the h1 when it agrees with the declared title, keeping the declared letter case', () => {
    const html = page(
      '<meta property="og:title" content="Ferry returns after repairs: what changes for commuters">',
      '<article><h1>Ferry returns after repairs</h1><p>Text.</p></article>',
    );
    expect(metadataOf(html).title).toBe('Ferry returns after repairs');
    expect(metadataOf(html).sources.title).toBe('dom');
    const shouting = page(
      '<meta property="og:title" content="Ferry Returns After Repairs">',
      '<h1>FERRY RETURNS AFTER REPAIRS</h1>',
    );
    expect(metadataOf(shouting).title).toBe('Ferry Returns After Repairs');
  });

  it('keeps the declared title when the h1 is navigation, a section label or unrelated', () => {
    const html = page(
      '<meta property="og:title" content="Ferry returns after repairs">',
      '<nav><h1>Ferry returns</h1></nav><h1>Blog</h1><h1>Subscribe to our newsletter</h1><p>Text.</p>',
    );
    expect(metadataOf(html).title).toBe('Ferry returns after repairs');
  });

  it('judges agreement by shared words, in spaced and unspaced scripts', () => {
    expect(
      headlineAgrees('Die Fähre kehrt zurück', 'Die Fähre kehrt nach dem Winter zurück', 'related'),
    ).toBe(true);
    expect(headlineAgrees('Newsletter', 'Die Fähre kehrt zurück', 'related')).toBe(false);
    expect(headlineAgrees('渡し船が戻る', '渡し船が戻る：港新聞', 'segment')).toBe(true);
  });
});

describe('visible headline: site names, closest agreement, datelines', () => {
  it('skips an h1 that is a logo or a link to the home page or a section above the page', () => {
    const logo = page(
      '<title>Die Fähre kehrt zurück – Hafenblatt Nord</title>',
      '<h1 class="header__logo">Hafenblatt Nord</h1><main><h1>Die Fähre kehrt zurück</h1></main>',
      'de',
    );
    expect(metadataOf(logo).title).toBe('Die Fähre kehrt zurück');
    const section = page(
      '<title>Le retour du ferry - Le Journal du Port</title>',
      '<h1><a href="/stories/">Le carnet du port</a></h1><h1>Le retour du ferry</h1>',
      'fr',
    );
    expect(metadataOf(section).title).toBe('Le retour du ferry');
    // The page's own permalink around its headline is not a section link.
    const permalink = page(
      '<meta property="og:title" content="Ferry returns after repairs: what changes">',
      '<h1><a href="/stories/ferry">Ferry returns after repairs</a></h1>',
    );
    expect(metadataOf(permalink).title).toBe('Ferry returns after repairs');
  });

  it('takes the h1 that another declared title repeats, and the closest of several h1s', () => {
    // JSON-LD names a teaser title; og:title and the h1 agree on the headline.
    const html = page(
      '<script type="application/ld+json">{"@type":"NewsArticle","headline":"Menus for a week"}</script>' +
        '<meta property="og:title" content="Siete días de comidas sanas con poco dinero">',
      '<h1>Siete días de comidas sanas con poco dinero</h1>',
      'es',
    );
    expect(metadataOf(html).title).toBe('Siete días de comidas sanas con poco dinero');
    const blogName = page(
      '<title>Defer and recover - The Harbour Language</title>',
      '<h1>The Harbour Blog</h1><h1>Defer and recover</h1>',
    );
    expect(metadataOf(blogName).title).toBe('Defer and recover');
  });

  it('keeps the declared title when the h1 runs on into its dateline or byline', () => {
    const html = page(
      '<title>Ferry returns after the winter repairs</title>',
      '<h1>Ferry returns after the winter repairs <small>Posted on July 1, 2024 by Jane Doe</small></h1>',
    );
    expect(metadataOf(html).title).toBe('Ferry returns after the winter repairs');
    const dated = page(
      '<title>Checkliste für die Fährfahrt</title>',
      '<h1>Checkliste für die Fährfahrt <span>12.03.2025</span></h1>',
      'de',
    );
    expect(metadataOf(dated).title).toBe('Checkliste für die Fährfahrt');
  });

  it('reads a styled capital inside the h1 as part of its word', () => {
    const html = page(
      '<title>How the ferry cut its crossing from two hours to one</title>',
      '<h1>How the ferry cut its <span class="dropcap">c</span>rossing from two hours to one</h1>',
    );
    expect(metadataOf(html).title).toBe('How the ferry cut its crossing from two hours to one');
  });
});

describe('authors', () => {
  it('splits lists of names in several languages', () => {
    expect(cleanAuthorNames(['By Ana Ruiz and Ben Ode'])).toEqual(['Ana Ruiz', 'Ben Ode']);
    expect(cleanAuthorNames(['Ana Ruiz, Ben Ode & Cleo Park'])).toEqual(['Ana Ruiz', 'Ben Ode', 'Cleo Park']);
    expect(cleanAuthorNames(['Von Jonas Weber und Lea Braun'])).toEqual(['Jonas Weber', 'Lea Braun']);
    expect(cleanAuthorNames(['Por Lucía Gómez y Mateo Díaz'])).toEqual(['Lucía Gómez', 'Mateo Díaz']);
    expect(cleanAuthorNames(['Par Camille Roux et Hugo Petit'])).toEqual(['Camille Roux', 'Hugo Petit']);
    expect(cleanAuthorNames(['文／山田太郎'])).toEqual(['山田太郎']);
    expect(cleanAuthorNames(['記者 王小明'])).toEqual(['王小明']);
    expect(cleanAuthorNames(['김민준 기자'])).toEqual(['김민준']);
    expect(cleanAuthorNames(['Written by Ana Ruiz, RD, CDE. Reviewed by Ben Ode'])).toEqual(['Ana Ruiz']);
  });

  it('rejects labels, months, initials and handles', () => {
    for (const notAName of [
      'Staff',
      'Dec.',
      'January',
      'CM',
      'jane.doe',
      'brandon-peak2',
      'Full Bio',
      'Written By',
    ]) {
      expect(looksLikePersonName(notAName), notAName).toBe(false);
    }
    expect(looksLikePersonName('Marna van der Merwe')).toBe(true);
    expect(looksLikePersonName('Director of Operations')).toBe(false);
  });

  it('keeps organizations out of the authors (JSON-LD type, organization words, the site’s own name)', () => {
    const html = page(
      `<meta property="og:site_name" content="Harbour Ledger">
       <script type="application/ld+json">{"@type":"NewsArticle","headline":"Ferry returns",
         "author":[{"@type":"Organization","name":"Harbour Ledger"},{"@type":"Person","name":"Ines Varga"}]}</script>`,
      '<p>Text.</p>',
    );
    expect(metadataOf(html).authors).toEqual(['Ines Varga']);
    const orgOnly = page(
      '<meta name="author" content="Harbour Ledger Staff"><meta property="og:site_name" content="Harbour Ledger">',
      '<article><h1>Ferry returns</h1><p class="meta">By <a href="/author/ines-varga">Ines Varga</a></p><p>Text.</p></article>',
    );
    expect(metadataOf(orgOnly).authors).toEqual(['Ines Varga']);
  });

  it('reads a visible byline near the headline, with the label in its own element', () => {
    const html = page(
      '<title>Fähre kehrt zurück</title>',
      '<main><h1>Fähre kehrt zurück</h1><div><p>Geschrieben von</p><p>Jonas Weber</p></div><p>Text.</p></main>',
      'de',
    );
    expect(metadataOf(html).authors).toEqual(['Jonas Weber']);
    expect(metadataOf(html).sources.authors).toBe('dom');
    const spanish = page(
      '<title>Vuelve el ferry</title>',
      '<article><h1>Vuelve el ferry</h1><div><span>Por</span> <a href="/autor/lucia">Lucía Gómez</a> y <a href="/autor/mateo">Mateo Díaz</a></div><p>Texto.</p></article>',
      'es',
    );
    expect(metadataOf(spanish).authors).toEqual(['Lucía Gómez', 'Mateo Díaz']);
  });

  it('takes the person behind a profile link, not a sentence starting with "By"', () => {
    const html = page(
      '<title>Ferry returns</title>',
      '<article><h1>Ferry returns</h1><p>By the end of the week the ferry was back.</p><a href="/authors/ines-varga/">Ines Varga</a><p>Text.</p></article>',
    );
    expect(metadataOf(html).authors).toEqual(['Ines Varga']);
  });
});

describe('authors: layout classes, lists in one link, author boxes', () => {
  it('reads a byline inside page-builder and layout wrappers ("*-widget-container", "has-sidebar")', () => {
    const html = page(
      '<title>Ferry returns</title>',
      `<div class="site cs-sidebar-enabled"><div class="builder-widget builder-widget-container">
         <h1>Ferry returns</h1><p class="post-author">Ines Varga</p><p>Text.</p></div></div>`,
    );
    expect(metadataOf(html).authors).toEqual(['Ines Varga']);
    const sidebar = page(
      '<title>Ferry returns</title>',
      '<h1>Ferry returns</h1><p class="byline">By Ben Ode</p><p>Text.</p><div class="sidebar"><p class="post-author">Ines Varga</p></div>',
    );
    expect(metadataOf(sidebar).authors).toEqual(['Ben Ode']);
  });

  it('splits one profile link that names several people', () => {
    const html = page(
      '<title>Ferry returns</title>',
      '<article><h1>Ferry returns</h1><p>Text.</p><p>Texte : <a href="/auteur/camille-roux-et-hugo-petit">Camille Roux et Hugo Petit</a></p></article>',
      'fr',
    );
    expect(metadataOf(html).authors).toEqual(['Camille Roux', 'Hugo Petit']);
  });

  it('reads only the byline’s own line, not a sentence that starts with a label', () => {
    const html = page(
      '<title>Forming a company</title>',
      '<main><h1>Forming a company</h1><ul><li>By mail, send the completed form to the Department of State, Division of Corporations, State Records and Commercial Code, One Plaza</li></ul></main>',
    );
    expect(metadataOf(html).authors).toEqual([]);
    const authority = page(
      '<title>Solar permits</title>',
      '<main><h1>Solar permits</h1><ul><li><b>Authority Having Jurisdiction</b> checks the plans</li></ul></main>',
    );
    expect(metadataOf(authority).authors).toEqual([]);
  });

  it('takes the name an author box opens with, after the article, in several languages', () => {
    const english = page(
      '<title>Ferry returns</title>',
      `<main><h1>Ferry returns</h1><p>Text.</p></main>
       <div class="post-author-box"><p>Written by</p><p>Ines Varga</p><p>Ines covers the harbour and its ferries for a living.</p></div>`,
    );
    expect(metadataOf(english).authors).toEqual(['Ines Varga']);
    const german = page(
      '<title>Fähre kehrt zurück</title>',
      `<main><h1>Fähre kehrt zurück</h1><p>Text.</p></main>
       <section class="author-box"><h4>Über den Autor</h4><h5>Jonas Weber</h5><p>Jonas schreibt seit zehn Jahren über Häfen.</p></section>`,
      'de',
    );
    expect(metadataOf(german).authors).toEqual(['Jonas Weber']);
    const organization = page(
      '<title>Ferry returns</title>',
      '<main><h1>Ferry returns</h1><p>Text.</p></main><div class="author-card"><p>Harbour Dental Group</p></div>',
    );
    expect(metadataOf(organization).authors).toEqual([]);
    const comment = page(
      '<title>Ferry returns</title>',
      '<main><h1>Ferry returns</h1><p>Text.</p></main><ol class="comment-list"><li><div class="comment-author">Ben Ode</div></li></ol>',
    );
    expect(metadataOf(comment).authors).toEqual([]);
  });
});

describe('authors: a label alone, then the names; names beside the dateline', () => {
  it('reads the names in the texts after a label that stands alone, skipping initials and role lines', () => {
    const english = page(
      '<title>Ferry returns</title>',
      `<main><h1>Ferry returns</h1><p>Text of the story.</p>
       <aside><span class="label">Author</span><span class="avatar">IV</span><span class="name">Ines Varga</span>
       <span class="role">Staff writer, Harbour Ledger</span><span class="avatar">BO</span><span class="name">Ben Ode</span>
       <span class="promo">Harbour Resources</span></aside></main>`,
    );
    expect(metadataOf(english).authors).toEqual(['Ines Varga', 'Ben Ode']);
    const german = page(
      '<title>Fähre kehrt zurück</title>',
      '<main><h1>Fähre kehrt zurück</h1><div><span>Von</span> <button>Jonas Weber</button> • <p>3. Mai 2025</p></div><p>Text.</p></main>',
      'de',
    );
    expect(metadataOf(german).authors).toEqual(['Jonas Weber']);
    const french = page(
      '<title>Le ferry revient</title>',
      '<main><h1>Le ferry revient</h1><div class="authors"><span>Auteurs :</span><a href="/q?a=1">Camille Roux</a>, <a href="/q?a=2">Hugo Petit</a></div><div>Voir le PDF de cet article</div></main>',
      'fr',
    );
    expect(metadataOf(french).authors).toEqual(['Camille Roux', 'Hugo Petit']);
  });

  it('takes one word after a "by" label, but not after a heading that says "Writers"; a reviewer is not the author', () => {
    const oneWord = page(
      '<title>Ferry returns</title>',
      '<main><h1>Ferry returns</h1><p><span>Written by</span> <span>Ines</span> <span>- Product marketer</span></p><p>Text.</p></main>',
    );
    expect(metadataOf(oneWord).authors).toEqual(['Ines']);
    const list = page(
      '<title>Who shapes a page</title>',
      '<main><h1>Who shapes a page</h1><h3>Writers</h3><ul><li>Photographers</li><li>Editors</li></ul></main>',
    );
    expect(metadataOf(list).authors).toEqual([]);
    const reviewed = page(
      '<title>Ferry returns</title>',
      '<main><h1>Ferry returns</h1><div><a>Medically reviewed</a><span>by</span><a>Ben Ode, MD</a> — <span>Written by</span><a>Ines Varga</a></div></main>',
    );
    expect(metadataOf(reviewed).authors).toEqual(['Ines Varga']);
  });

  it('a layout wrapper around the headline is not a footer or sidebar, whatever its class says', () => {
    const html = page(
      '<title>Ferry returns</title>',
      '<div class="flex-wrap-footer"><main><h1>Ferry returns</h1><p class="byline">By Ines Varga</p><p>Text.</p></main><footer><p class="byline">By Site Owner</p></footer></div>',
    );
    expect(metadataOf(html).authors).toEqual(['Ines Varga']);
  });

  it('takes a name that stands beside the dateline without a label, not a topic label there', () => {
    const html = page(
      '<title>Ferry returns</title>',
      '<main><h1>Ferry returns</h1><div class="meta"><span>2025-05-03</span><span>·</span><span>Ines Varga</span></div><p>Text of the story, long enough to be a paragraph of its own.</p></main>',
    );
    expect(metadataOf(html).authors).toEqual(['Ines Varga']);
    const spanish = page(
      '<title>El ferry vuelve</title>',
      '<main><h1>El ferry vuelve</h1><div><p>3 de mayo de 2025</p><p>Lucía Fernández   in</p><a href="/ferries">Ferries</a></div><p>Texto.</p></main>',
      'es',
    );
    expect(metadataOf(spanish).authors).toEqual(['Lucía Fernández']);
    const topic = page(
      '<title>Ferry returns</title>',
      '<main><h1>Ferry returns</h1><div><span class="taxonomy-term">Harbour Life</span><time>2025-05-03</time></div><p>Text.</p></main>',
    );
    expect(metadataOf(topic).authors).toEqual([]);
  });

  it('measures the meta block beside the dateline by its text, not by the source indentation around it', () => {
    const indent = `\r\n${' '.repeat(120)}`;
    const block = (names: string, day: string) =>
      `<div>${indent}<p>${names}</p>${indent}${indent}<time>${day}</time>${indent}</div>`;
    const english = page(
      '<title>Ferry returns</title>',
      `<article><h1>Ferry returns</h1>${block('Ines Varga, Tomas K. Berg', '3 May 2025')}<p>Text of the story.</p></article>`,
    );
    expect(metadataOf(english).authors).toEqual(['Ines Varga', 'Tomas K. Berg']);
    const german = page(
      '<title>Die Fähre kehrt zurück</title>',
      `<article><h1>Die Fähre kehrt zurück</h1>${block('Jana Vogel', '3. Mai 2025')}<p>Text.</p></article>`,
      'de',
    );
    expect(metadataOf(german).authors).toEqual(['Jana Vogel']);
    // A block of real text that long is still not a meta line.
    const long = page(
      '<title>Ferry returns</title>',
      `<article><h1>Ferry returns</h1>${block(`Ines Varga</p><p>${'Harbour news of the day. '.repeat(14)}`, '3 May 2025')}<p>Text.</p></article>`,
    );
    expect(metadataOf(long).authors).toEqual([]);
  });

  it('takes neither a share button’s label nor a source named in Latin and CJK letters beside the dateline', () => {
    const meta = (before: string, after: string) =>
      page(
        '<title>渡轮恢复运营</title>',
        `<div class="hd"><h1>渡轮恢复运营</h1><div class="info">${before}<span class="pubTime">2025年5月3日07:17</span>${after}</div></div>${'<p>渡轮在冬天之后恢复运营，港口又热闹起来了，乘客们排队上船。</p>'.repeat(12)}`,
        'zh',
      );
    expect(metadataOf(meta('', '<a class="shareBtn-hd">我要分享</a>')).authors).toEqual([]);
    expect(metadataOf(meta('<span class="where">TNW中文站</span>', '')).authors).toEqual([]);
    expect(metadataOf(meta('<span class="where">王小明</span>', '')).authors).toEqual(['王小明']);
    const english = page(
      '<title>Ferry returns</title>',
      `<main><h1>Ferry returns</h1><div><time>3 May 2025</time><button class="social-share">Facebook</button></div>${'<p>The ferry is back after the winter.</p>'.repeat(12)}</main>`,
    );
    expect(metadataOf(english).authors).toEqual([]);
  });

  it('a name opens with a letter', () => {
    expect(looksLikePersonName('[Submitted')).toBe(false);
    expect(looksLikePersonName('Łucja Nowak')).toBe(true);
  });
});

describe('dates', () => {
  it('parses visible dates in several languages and orders', () => {
    const day = (raw: string, lang?: string) => parseVisibleDate(raw, lang, NOW)?.slice(0, 10);
    expect(day('Dec 9, 2016 9:13 AM')).toBe('2016-12-09');
    expect(day('Published 9 December 2016')).toBe('2016-12-09');
    expect(day('9. Dezember 2016', 'de')).toBe('2016-12-09');
    expect(day('le 9 décembre 2016 à 14h30', 'fr')).toBe('2016-12-09');
    expect(day('9 de diciembre de 2016', 'es')).toBe('2016-12-09');
    expect(day('9 dicembre 2016', 'it')).toBe('2016-12-09');
    expect(day('9 de dezembro de 2016', 'pt')).toBe('2016-12-09');
    expect(day('9 december 2016', 'nl')).toBe('2016-12-09');
    expect(day('9 grudnia 2016', 'pl')).toBe('2016-12-09');
    expect(day('9 декабря 2016', 'ru')).toBe('2016-12-09');
    expect(day('9 Aralık 2016', 'tr')).toBe('2016-12-09');
    expect(day('2016年12月9日', 'ja')).toBe('2016-12-09');
    expect(day('2016년 12월 9일', 'ko')).toBe('2016-12-09');
    expect(day('09.12.2016', 'de')).toBe('2016-12-09');
    expect(day('09/12/2016', 'fr')).toBe('2016-12-09');
    expect(day('12/09/2016', 'en-US')).toBe('2016-12-09');
    expect(day('By 2030 we will')).toBeUndefined();
  });

  it('reads relative dates against the fetch time', () => {
    expect(parseVisibleDate('3 hours ago', 'en', NOW)).toBe('2025-06-15T09:00:00.000Z');
    expect(parseVisibleDate('vor 2 Tagen', 'de', NOW)?.slice(0, 10)).toBe('2025-06-13');
    expect(parseVisibleDate('il y a 1 jour', 'fr', NOW)?.slice(0, 10)).toBe('2025-06-14');
    expect(parseVisibleDate('3時間前', 'ja', NOW)).toBe('2025-06-15T09:00:00.000Z');
    expect(parseVisibleDate('yesterday', 'en', NOW)?.slice(0, 10)).toBe('2025-06-14');
  });

  it('takes the visible dateline near the headline, not one labelled as an update', () => {
    const html = page(
      '<title>Ferry returns</title>',
      '<article><h1>Ferry returns</h1><p>Updated: June 2, 2025</p><p>Published: May 30, 2025</p><p>Text.</p></article>',
    );
    const metadata = metadataOf(html);
    expect(metadata.publishedAt).toBe('2025-05-30T00:00:00.000Z');
    expect(metadata.modifiedAt).toBe('2025-06-02T00:00:00.000Z');
    expect(metadata.sources.publishedAt).toBe('dom');
  });

  it('reads data-*date attributes, then the URL path as weak evidence', () => {
    const withData = page(
      '<title>Ferry returns</title>',
      '<article data-published="2025-05-30T08:00:00Z"><h1>Ferry returns</h1></article>',
    );
    expect(metadataOf(withData).publishedAt).toBe('2025-05-30T08:00:00.000Z');
    const fromUrl = metadataOf(
      page('<title>Ferry returns</title>', '<p>Text.</p>'),
      new URL('https://example.com/2025/05/30/ferry'),
    );
    expect(fromUrl.publishedAt).toBe('2025-05-30T00:00:00.000Z');
    expect(fromUrl.sources.publishedAt).toBe('url');
    expect(dateFromUrlPath('/2025/13/40/x', NOW)).toBeUndefined();
  });

  it('prefers a precise value over a date-only one for the same day', () => {
    const html = page(
      `<script type="application/ld+json">{"@type":"NewsArticle","headline":"Ferry returns","datePublished":"2025-05-30"}</script>
       <meta property="article:published_time" content="2025-05-30T08:15:00+02:00">`,
      '<p>Text.</p>',
    );
    expect(metadataOf(html).publishedAt).toBe('2025-05-30T06:15:00.000Z');
    expect(metadataOf(html).sources.publishedAt).toBe('opengraph');
  });
});

describe('dates: the page’s own dateline against declared dates, teasers and data tables', () => {
  it('prefers the dateline shown under the headline to a declared publication days later', () => {
    const html = page(
      `<script type="application/ld+json">{"@type":"Article","headline":"Fähre kehrt zurück","datePublished":"2025-06-01T08:00:00Z"}</script>`,
      '<main><h1>Fähre kehrt zurück</h1><p>12. März 2023</p><p>Text.</p></main>',
      'de',
    );
    expect(metadataOf(html).publishedAt).toBe('2023-03-12T00:00:00.000Z');
    expect(metadataOf(html).sources.publishedAt).toBe('dom');
    // A day apart is a time zone, not a re-publication: the precise declared value stays.
    const close = page(
      `<script type="application/ld+json">{"@type":"Article","headline":"Vuelve el ferry","datePublished":"2023-03-13T01:00:00Z"}</script>`,
      '<main><h1>Vuelve el ferry</h1><p>12 de marzo de 2023</p><p>Texto.</p></main>',
      'es',
    );
    expect(metadataOf(close).publishedAt).toBe('2023-03-13T01:00:00.000Z');
    // A declared date earlier than the dateline stays (the dateline may be an update shown without a label).
    const earlier = page(
      '<meta property="article:published_time" content="2021-01-05T10:00:00Z">',
      '<main><h1>Ferry returns</h1><p>March 12, 2023</p><p>Text.</p></main>',
    );
    expect(metadataOf(earlier).publishedAt).toBe('2021-01-05T10:00:00.000Z');
  });

  it('ignores dates of teasers, update fields and data tables', () => {
    const teaser = page(
      '<title>Ferry returns</title>',
      `<main><h1>Ferry returns</h1><p>Text.</p>
        <a href="/older-story"><h3>Harbour fees rise again for the third time this year</h3><time datetime="2024-02-01">1 Feb 2024</time></a></main>`,
    );
    expect(metadataOf(teaser).publishedAt).toBeUndefined();
    const changedField = page(
      '<title>Ferry returns</title>',
      '<main><h1>Ferry returns</h1><div class="field--name-changed"><time datetime="2025-06-10T12:00:00Z">June 10</time></div><p>Text.</p></main>',
    );
    expect(metadataOf(changedField).publishedAt).toBeUndefined();
    const table = page(
      '<title>Ferry fares</title>',
      '<main><h1>Ferry fares</h1><table><tr><th>Datum</th><th>Preis</th></tr><tr><td>01.01.2013</td><td>4 €</td></tr></table></main>',
      'de',
    );
    expect(metadataOf(table).publishedAt).toBeUndefined();
    const permalink = page(
      '<title>Ferry returns</title>',
      '<article><h1><a href="/ferry-returns" rel="bookmark"><time datetime="2025-06-10T12:00:00Z">Jun 10 2025</time> Ferry returns to the harbour after a long winter</a></h1><p>Text.</p></article>',
    );
    expect(metadataOf(permalink).publishedAt).toBe('2025-06-10T12:00:00.000Z');
  });
});

describe('authors: the byline under the headline against the declared author', () => {
  it('prefers the byline shown under the h1 when it names other people than the declared author', () => {
    const english = page(
      '<title>Ferry returns</title><script type="application/ld+json">{"@type":"Article","headline":"Ferry returns","author":{"@type":"Person","name":"Web Admin Account"}}</script><meta name="author" content="Luke Marketing">',
      '<main><h1>Ferry returns</h1><p>May 3, 2025</p><p>By: Ines Varga</p><p>Text.</p></main>',
    );
    expect(metadataOf(english).authors).toEqual(['Ines Varga']);
    const spanish = page(
      '<title>El ferry vuelve</title><meta name="author" content="Pedro Cuenta">',
      '<main><h1>El ferry vuelve</h1><p>Por Lucía Fernández y Tomás Gil</p><p>Texto.</p></main>',
      'es',
    );
    expect(metadataOf(spanish).authors).toEqual(['Lucía Fernández', 'Tomás Gil']);
    // The same person declared and shown: the declared form stays.
    const same = page(
      '<title>Ferry returns</title><meta name="author" content="Ines M. Varga">',
      '<main><h1>Ferry returns</h1><p>By Ines Varga</p><p>Text.</p></main>',
    );
    expect(metadataOf(same).authors).toEqual(['Ines M. Varga']);
  });

  it('a label in the site menu ("Authors" linking to the authors page) is not a byline', () => {
    const html = page(
      '<title>Ferry returns</title><meta name="author" content="Ines Varga">',
      '<header><ul><li><a href="/authors">Authors</a></li><li><a href="/jobs">Find Jobs</a></li></ul></header><main><h1>Ferry returns</h1><p>Text.</p></main>',
    );
    expect(metadataOf(html).authors).toEqual(['Ines Varga']);
  });
});

describe('dates: a labelled publication date in the post’s sidebar', () => {
  it('reads a date labelled "Published" in a sidebar of the post, in several languages, but not in comments', () => {
    const english = page(
      '<title>Ferry returns</title>',
      '<div class="post-content"><main><h1>Ferry returns</h1><p>Text.</p></main><div class="post-sidebar"><div>Published</div><div>May 8, 2025</div></div></div>',
    );
    expect(metadataOf(english).publishedAt).toBe('2025-05-08T00:00:00.000Z');
    const german = page(
      '<title>Fähre kehrt zurück</title>',
      '<main><h1>Fähre kehrt zurück</h1><p>Text.</p></main><aside class="sidebar"><span>Veröffentlicht:</span> <span>8. Mai 2025</span></aside>',
      'de',
    );
    expect(metadataOf(german).publishedAt).toBe('2025-05-08T00:00:00.000Z');
    const comment = page(
      '<title>Ferry returns</title>',
      '<main><h1>Ferry returns</h1><p>Text.</p></main><div class="sidebar comments"><div>Published</div><div>May 9, 2025</div></div>',
    );
    expect(metadataOf(comment).publishedAt).toBeUndefined();
    const unlabelled = page(
      '<title>Ferry returns</title>',
      '<main><h1>Ferry returns</h1><p>Text.</p></main><div class="sidebar"><div>May 9, 2025</div></div>',
    );
    expect(metadataOf(unlabelled).publishedAt).toBeUndefined();
  });
});

describe('language detection when the page declares none', () => {
  const sentences: Record<string, string> = {
    en: 'The ferry returned to the harbour on Monday after a winter of repairs, and the first passengers were on board by noon.',
    de: 'Die Fähre ist am Montag nach den Reparaturen im Winter in den Hafen zurückgekehrt, und die ersten Fahrgäste waren schon mittags an Bord.',
    fr: 'Le ferry est revenu au port lundi après un hiver de réparations, et les premiers passagers étaient à bord dès midi pour la traversée.',
    es: 'El ferry volvió al puerto el lunes después de un invierno de reparaciones, y los primeros pasajeros estaban a bordo para el mediodía.',
    it: 'Il traghetto è tornato in porto lunedì dopo un inverno di riparazioni, e i primi passeggeri erano a bordo già per il pranzo della città.',
    pt: 'O ferry voltou ao porto na segunda-feira depois de um inverno de reparações, e os primeiros passageiros estavam a bordo ao meio-dia.',
    nl: 'De veerboot is maandag na een winter van reparaties teruggekeerd in de haven, en de eerste passagiers waren om twaalf uur aan boord.',
    pl: 'Prom wrócił do portu w poniedziałek po zimie napraw i pierwsi pasażerowie byli na pokładzie już w południe, jak to jest w tym mieście.',
    ru: 'Паром вернулся в гавань в понедельник после зимнего ремонта, и первые пассажиры поднялись на борт уже к полудню.',
    ja: 'フェリーは冬の修理を終えて月曜日に港へ戻り、最初の乗客は正午までに乗船しました。',
    zh: '渡轮在冬季维修后于周一返回港口，第一批乘客在中午之前登船，码头上挤满了前来迎接的市民。',
    ko: '여객선은 겨울 수리를 마치고 월요일에 항구로 돌아왔으며 첫 승객들은 정오까지 배에 올랐습니다.',
  };
  it.each(Object.entries(sentences))('recognizes %s and records the detection', (language, sentence) => {
    const html = `<!DOCTYPE html><html><head><title>x</title></head><body><p>${sentence}</p><p>${sentence}</p></body></html>`;
    const metadata = extractMetadata(parseHtml(html), PAGE_URL, { now: NOW });
    expect(metadata.language).toBe(language);
    expect(metadata.sources.language).toBe('text');
  });

  it('looks for other scripts only in text that has a character of one (SCRIPT_LANGUAGE_CHAR)', () => {
    // Every character the script patterns can count is one the quick test sees (astral ones by their surrogates).
    const scripts = SCRIPT_LANGUAGES.map(([pattern]) => new RegExp(pattern.source, 'u'));
    const missed: string[] = [];
    for (let code = 0; code < 0x10000; code++) {
      const char = String.fromCharCode(code);
      if (scripts.some((pattern) => pattern.test(char)) && !SCRIPT_LANGUAGE_CHAR.test(char))
        missed.push(`U+${code.toString(16)}`);
    }
    expect(missed).toEqual([]);
    expect(SCRIPT_LANGUAGE_CHAR.test('\u{20000}')).toBe(true);
    // Curly quotes, dashes and the euro sign are no reason to read a Latin-script text again.
    expect(SCRIPT_LANGUAGE_CHAR.test('“Ferry” returns – €5 … ’')).toBe(false);
    expect(
      detectLanguage(`“${'The ferry is back in the harbour and the passengers are on board. '.repeat(3)}”`),
    ).toBe('en');
    expect(detectLanguage(`Ω ${'Паром вернулся в гавань в понедельник после ремонта. '.repeat(2)}`)).toBe(
      'ru',
    );
  });

  it('says nothing for too little text, and a declaration always wins', () => {
    const short = '<!DOCTYPE html><html><head><title>x</title></head><body><p>Hello there.</p></body></html>';
    expect(extractMetadata(parseHtml(short), PAGE_URL, { now: NOW }).language).toBeUndefined();
    const declared = page('<title>x</title>', `<p>${sentences.de}</p>`, 'en');
    expect(metadataOf(declared).language).toBe('en');
    expect(metadataOf(declared).sources.language).toBe('dom');
  });
});

describe('dates: far from the headline, in the article’s aside, under a hidden h1', () => {
  const longPost = (paragraphs: number) =>
    Array.from({ length: paragraphs }, (_, i) => `<p>Absatz ${i + 1} über die Fähre.</p>`).join('');

  it('reads a date labelled as the publication at the end of a long post, not an unlabelled one', () => {
    const german = page(
      '<title>Fähre kehrt zurück</title>',
      `<article><h1>Fähre kehrt zurück</h1>${longPost(150)}<p>Veröffentlicht am 3. März 2025</p></article>`,
      'de',
    );
    expect(metadataOf(german).publishedAt).toBe('2025-03-03T00:00:00.000Z');
    const english = page(
      '<title>Ferry returns</title>',
      `<article><h1>Ferry returns</h1>${longPost(150)}<span>Publish date</span><time>15 November 2018</time></article>`,
    );
    expect(metadataOf(english).publishedAt).toBe('2018-11-15T00:00:00.000Z');
    const unlabelled = page(
      '<title>Ferry returns</title>',
      `<article><h1>Ferry returns</h1>${longPost(150)}<p>March 3, 2025</p></article>`,
    );
    expect(metadataOf(unlabelled).publishedAt).toBeUndefined();
    const updated = page(
      '<title>Ferry returns</title>',
      `<article><h1>Ferry returns</h1>${longPost(150)}<p>Published, last updated March 3, 2025</p></article>`,
    );
    expect(metadataOf(updated).publishedAt).toBeUndefined();
  });

  it('takes a <time datetime> in an aside of the article, not in an aside beside it', () => {
    const inside = page(
      '<title>Une brève introduction à git</title>',
      '<main><article><h1>Une brève introduction à git</h1><aside><time datetime="2021-06-06">6 juin 2021</time></aside><p>Texte.</p></article></main>',
      'fr',
    );
    expect(metadataOf(inside).publishedAt).toBe('2021-06-06T00:00:00.000Z');
    const beside = page(
      '<title>Une brève introduction à git</title>',
      '<main><article><h1>Une brève introduction à git</h1><p>Texte.</p></article><aside><time datetime="2021-06-06">6 juin 2021</time></aside></main>',
      'fr',
    );
    expect(metadataOf(beside).publishedAt).toBeUndefined();
  });

  it('measures the dateline’s distance from the visible h1, not from a hidden "Search" h1', () => {
    const menu = Array.from({ length: 130 }, (_, i) => `<li><a href="/t/${i}">Tema ${i}</a></li>`).join('');
    const html = page(
      '<title>Tendencias en psiquiatría</title>',
      `<h1 class="sr-only">Buscar</h1><ul>${menu}</ul><article><h1>Tendencias en psiquiatría</h1><p>24 de diciembre de 2024</p><p>Texto.</p></article>`,
      'es',
    );
    expect(metadataOf(html).publishedAt).toBe('2024-12-24T00:00:00.000Z');
  });
});

describe('authors: a "by" inside a sentence', () => {
  it('does not read a paragraph as a byline because a text node in it starts with "par" or "by"', () => {
    const french = page(
      '<title>Le ferry reprend la mer</title>',
      '<article><h1>Le ferry reprend la mer</h1><p>L’appareil, retardé <a href="/x">samedi</a> par le trafic du port, est reparti.</p></article>',
      'fr',
    );
    expect(metadataOf(french).authors).toEqual([]);
    const english = page(
      '<title>Ferry returns</title>',
      '<article><h1>Ferry returns</h1><p>Harbour, delayed on <a href="/x">Saturday</a> by the storm, sailed again.</p></article>',
    );
    expect(metadataOf(english).authors).toEqual([]);
    // A byline that opens its line still counts, whatever inline element carries the label.
    const byline = page(
      '<title>Le ferry reprend la mer</title>',
      '<article><h1>Le ferry reprend la mer</h1><p class="signature"><span>Par</span> <a href="/auteurs/jeanne">Jeanne Martin</a></p><p>Texte.</p></article>',
      'fr',
    );
    expect(metadataOf(byline).authors).toEqual(['Jeanne Martin']);
  });
});

describe('authors: bylines of other posts and of reviewers', () => {
  it('skips bylines in read-next cards and comment lists, whatever the card’s own markup', () => {
    const html = page(
      '<title>El ferry vuelve al puerto</title>',
      '<main><h1>El ferry vuelve al puerto</h1><p>Texto.</p>' +
        '<section class="cs-read-next"><article class="post"><h2>Otra noticia</h2><div class="cs-meta-author"><a>por Marta Ruiz Soler</a></div></article></section>' +
        '<ul class="jcomments-latest"><li><span class="comment-author">Pablo Gómez Vidal</span></li></ul></main>',
      'es',
    );
    expect(metadataOf(html).authors).toEqual([]);
  });

  it('does not take the reviewer that a byline element names', () => {
    const html = page(
      '<title>Ferry safety checklist</title>',
      '<main><h1>Ferry safety checklist</h1><div class="byline-reviewed">Reviewed by <a class="author-name" href="/people/rob">Robert Tallis</a></div><p>Text.</p></main>',
    );
    expect(metadataOf(html).authors).toEqual([]);
    const author = page(
      '<title>Ferry safety checklist</title>',
      '<main><h1>Ferry safety checklist</h1><div class="byline">Written by <a class="author-name" href="/people/rob">Robert Tallis</a></div><p>Text.</p></main>',
    );
    expect(metadataOf(author).authors).toEqual(['Robert Tallis']);
  });
});

describe('dates: numeric order learned from the page’s written dates', () => {
  it('reads "03/10/2023" day first on an English page that writes its dates day first, month first otherwise', () => {
    const british = page(
      '<title>Wine styles</title>',
      '<main><h1>Wine styles</h1><span class="post-time">03/10/2023</span><p>Text.</p><ul><li><a href="/a">Sake careers</a> - 26 October 2023</li><li><a href="/b">Spirits jargon</a> - 13 October 2023</li></ul></main>',
      'en-US',
    );
    expect(metadataOf(british).publishedAt).toBe('2023-10-03T00:00:00.000Z');
    const american = page(
      '<title>Wine styles</title>',
      '<main><h1>Wine styles</h1><span class="post-time">03/10/2023</span><p>Text.</p><ul><li><a href="/a">Sake careers</a> - October 26, 2023</li></ul></main>',
      'en-US',
    );
    expect(metadataOf(american).publishedAt).toBe('2023-03-10T00:00:00.000Z');
    // Other languages write day first anyway.
    const german = page(
      '<title>Weinstile</title>',
      '<main><h1>Weinstile</h1><span class="post-time">03.10.2023</span><p>Text.</p></main>',
      'de',
    );
    expect(metadataOf(german).publishedAt).toBe('2023-10-03T00:00:00.000Z');
  });
});

describe('titles: a cut declared title, a headline styled in capitals or lower case', () => {
  it('takes the declared title that goes on past a long one cut at a length limit, not an affix', () => {
    const whole =
      'Fährverbindung nach Helgoland und Sylt: Wie die Reederei ihre Überfahrten für den Winter neu plant (mit einem Trick, der bei Sturm hilft)';
    const cut = whole.slice(0, whole.indexOf(' einem'));
    const html = page(
      `<script type="application/ld+json">{"@type":"NewsArticle","headline":"${cut}"}</script>
       <meta property="og:site_name" content="Hafenblatt"><meta property="og:title" content="${whole} - Hafenblatt">`,
      '<p>Text.</p>',
      'de',
    );
    expect(metadataOf(html).title).toBe(whole);
    // A long title followed only by the site's name is not a cut one.
    const withAffix = page(
      `<script type="application/ld+json">{"@type":"NewsArticle","headline":"${whole}"}</script>
       <meta property="og:title" content="${whole} | Hafenblatt">`,
      '<p>Text.</p>',
      'de',
    );
    expect(metadataOf(withAffix).title).toBe(whole);
  });

  it('writes an h1 styled in capitals or opening in lower case as the declared title writes it', () => {
    const shouting = page(
      '<title>Best ferry routes 2025: tips from skippers</title>',
      '<article><h1>BEST FERRY ROUTES IN 2025: TIPS FROM SKIPPERS</h1><p>Text.</p></article>',
    );
    expect(metadataOf(shouting).title).toBe('Best ferry routes 2025: tips from skippers');
    const lowered = page(
      '<title>Histoire du café | Origines, commerce, chronologie | Encyclopédie du Port</title>',
      '<article><h1>histoire du café</h1><p>Text.</p></article>',
      'fr',
    );
    expect(metadataOf(lowered).title).toBe('Histoire du café');
    // A headword the declared title writes in capitals keeps the h1's own case; so does a brand in lower case.
    const headword = page(
      '<title>FÄHRE Bedeutung & Herkunft | Wörterbuch</title>',
      '<article><h1>fähre</h1><p>Text.</p></article>',
      'de',
    );
    expect(metadataOf(headword).title).toBe('fähre');
    const brand = page(
      '<title>iFerry app review: timetables offline | Harbour Ledger</title>',
      '<article><h1>iFerry app review: timetables offline</h1><p>Text.</p></article>',
    );
    expect(metadataOf(brand).title).toBe('iFerry app review: timetables offline');
  });

  it('takes the declared title over an h1 whose punctuation an encoding step turned into "?"', () => {
    const lost = page(
      '<title>Ferry season: a skipper’s guide – part one | Harbour Ledger</title><meta property="og:site_name" content="Harbour Ledger">',
      '<article><h1>Ferry season? a skipper?s guide ? part one</h1><p>Text.</p></article>',
    );
    expect(metadataOf(lost).title).toBe('Ferry season: a skipper’s guide – part one');
    const replacement = page(
      '<title>Fähre: Überfahrt im Winter</title>',
      '<article><h1>F\uFFFDhre: \uFFFDberfahrt im Winter</h1><p>Text.</p></article>',
      'de',
    );
    expect(metadataOf(replacement).title).toBe('Fähre: Überfahrt im Winter');
    // A real question in the h1 is read as it stands.
    const question = page(
      '<title>Ferry season | Harbour Ledger</title>',
      '<article><h1>Ferry season: is it worth it?</h1><p>Text.</p></article>',
    );
    expect(metadataOf(question).title).toBe('Ferry season: is it worth it?');
  });
});

describe('dates: publication meta tags by other names', () => {
  it('reads <meta name="published"> and "published-date" / "publication_date"', () => {
    for (const [name, content, expected] of [
      ['published', 'July 17, 2024', '2024-07-17T00:00:00.000Z'],
      ['published-date', '2021-02-16', '2021-02-16T00:00:00.000Z'],
      ['publication_date', '2024-03-05T10:00:00Z', '2024-03-05T10:00:00.000Z'],
    ]) {
      const html = page(
        `<title>Ferry returns</title><meta name="${name}" content="${content}">`,
        '<p>Text.</p>',
      );
      expect(metadataOf(html).publishedAt).toBe(expected);
      expect(metadataOf(html).sources.publishedAt).toBe('meta');
    }
  });
});

describe('dates: the dateline nearest the headline, other posts’ <time>s', () => {
  it('takes the date right under the h1, not one ending a list of other posts just above it', () => {
    const english = page(
      '<title>Ferry returns</title>',
      '<ul><li><a href="/a">Harbour works</a></li><li><span>01/31/2025</span></li></ul><h1>Ferry returns</h1><div class="meta"><span>03/01/2017</span></div><p>Text.</p>',
    );
    expect(metadataOf(english).publishedAt).toBe('2017-03-01T00:00:00.000Z');
    const german = page(
      '<title>Die Fähre kehrt zurück</title>',
      '<ul><li><a href="/a">Hafenarbeiten</a></li><li><span>31.01.2025</span></li></ul><h1>Die Fähre kehrt zurück</h1><div class="meta"><span>01.03.2017</span></div><p>Text.</p>',
      'de',
    );
    expect(metadataOf(german).publishedAt).toBe('2017-03-01T00:00:00.000Z');
  });

  it('prefers the <time> under the headline to a later one of a list elsewhere, and a <time>’s datetime to its text', () => {
    const listed = page(
      '<title>Ferry returns</title>',
      '<div class="views-field-date"><time datetime="2025-01-31T12:00:00Z">01/31/2025</time></div><p>Other news in a list of many links and words.</p><p>More of the list.</p><h1>Ferry returns</h1><div class="node__meta"><time datetime="2017-03-01T12:00:00Z">03/01/2017</time></div><p>Text.</p>',
    );
    expect(metadataOf(listed).publishedAt?.slice(0, 10)).toBe('2017-03-01');
    const mismatched = page(
      '<title>Ferry returns</title>',
      '<h1>Ferry returns</h1><div><time datetime="2024-12-20">August 28, 2024</time></div><p>Text.</p>',
    );
    expect(metadataOf(mismatched).publishedAt).toBe('2024-12-20T00:00:00.000Z');
  });
});

describe('authors: an author box known by its bio, not by a class name', () => {
  it('takes the one person whose bio follows the name, beside their photo or introducing themself', () => {
    const english = page(
      '<title>Ferry returns</title>',
      `<main><h1>Ferry returns</h1><p>The ferry is back after the winter.</p>
       <div class="box"><img src="/i.jpg" alt="Ines Varga"><h4>Ines Varga</h4>
       <p>Harbour correspondent</p><p>Ines covers the harbour and its ferries for the paper.</p></div></main>`,
    );
    expect(metadataOf(english).authors).toEqual(['Ines Varga']);
    const german = page(
      '<title>Fähre kehrt zurück</title>',
      `<main><h1>Fähre kehrt zurück</h1><p>Die Fähre fährt wieder.</p>
       <div class="card"><p><strong>Jonas Weber</strong></p><p>Hallo, ich bin Jonas, und ich schreibe über Häfen.</p></div></main>`,
      'de',
    );
    expect(metadataOf(german).authors).toEqual(['Jonas Weber']);
    const spanish = page(
      '<title>Vuelve el ferry</title>',
      `<main><h1>Vuelve el ferry</h1><p>El ferry vuelve tras el invierno.</p>
       <p><img src="/l.jpg" alt="Foto de Lucía Fernández"></p><p><b>Lucía Fernández</b></p>
       <p>Lucía escribe sobre puertos y barcos desde 2010.</p></main>`,
      'es',
    );
    expect(metadataOf(spanish).authors).toEqual(['Lucía Fernández']);
  });

  it('reads the bio from a line pieced together from several elements, however long the article after it', () => {
    const story = '<p>The ferry sails at dawn and comes back at dusk, whatever the weather.</p>'.repeat(300);
    const html = page(
      '<title>Ferry returns</title>',
      `<main><h1>Ferry returns</h1><p>The ferry is back after the winter.</p>
       <div class="box"><img src="/i.jpg" alt="Ines Varga"><h4>Ines Varga</h4><p>Harbour correspondent</p>
       <p><b>Ines</b>   covers the <i>harbour</i><br>and its ferries.</p></div><section>${story}</section></main>`,
    );
    expect(metadataOf(html).authors).toEqual(['Ines Varga']);
  });

  it('takes no one from a page about several people, a heading, a teaser or a bio without photo or box', () => {
    const people = page(
      '<title>Harbour people</title>',
      `<main><h1>Harbour people</h1>
       <div class="person"><img alt="Ines Varga"><h3>Ines Varga</h3><p>Ines Varga runs the ferry.</p></div>
       <div class="person"><img alt="Ben Ode"><h3>Ben Ode</h3><p>Ben Ode mends the nets.</p></div></main>`,
    );
    expect(metadataOf(people).authors).toEqual([]);
    const heading = page(
      '<title>Saving energy</title>',
      `<main><h1>Saving energy</h1><img alt="Energy Savings at home"><h2>Energy Savings</h2>
       <p>Energy savings matter to every household.</p></main>`,
    );
    expect(metadataOf(heading).authors).toEqual([]);
    const teaser = page(
      '<title>Ferry returns</title>',
      `<main><h1>Ferry returns</h1><p>Text.</p><div class="teaser"><img alt="Dynamo Kyiv"><p>Dynamo Kyiv</p>
       <p>3 September 2021</p><p>Dynamo beat Brazil in five great seasons</p></div></main>`,
    );
    expect(metadataOf(teaser).authors).toEqual([]);
    const noPhoto = page(
      '<title>Ferry returns</title>',
      '<main><h1>Ferry returns</h1><h2>Ines Varga</h2><p>Ines Varga runs the ferry since 2010.</p></main>',
    );
    expect(metadataOf(noPhoto).authors).toEqual([]);
  });
});

describe('dates and bylines in a layout wrapper named for its sidebar', () => {
  it('reads the dateline inside a wrapper that holds the article’s headline, not only the header’s h1', () => {
    const html = (date: string, lang: string) =>
      page(
        '<title>Ferry returns</title>',
        `<header><a href="/"><div><h1>Harbour Ledger</h1></div></a><nav><a href="/news">News</a></nav></header>
         <main><div class="story-page story-template-sidebar"><div class="story">
           <h1 class="story-headline">Ferry returns</h1><div class="story-date"><span>${date}</span></div>
           <p>The ferry is back after the winter.</p></div>
           <div class="story-sidebar"><p>Most read</p></div></div></main>`,
        lang,
      );
    expect(metadataOf(html('May 31, 2024', 'en')).publishedAt).toBe('2024-05-31T00:00:00.000Z');
    expect(metadataOf(html('31. Mai 2024', 'de')).publishedAt).toBe('2024-05-31T00:00:00.000Z');
    expect(metadataOf(html('31 mai 2024', 'fr')).publishedAt).toBe('2024-05-31T00:00:00.000Z');
  });

  it('still skips a date inside the sidebar itself', () => {
    const html = page(
      '<title>Ferry returns</title>',
      `<main><div class="story-page"><div class="story"><h1>Ferry returns</h1><p>The ferry is back.</p></div>
       <div class="story-sidebar"><p>Most read</p><span>May 30, 2024</span></div></div></main>`,
    );
    expect(metadataOf(html).publishedAt).toBeUndefined();
  });
});

describe('dates: a publication meta tag under a vendor prefix', () => {
  it('reads "w-published-date", "cxenseparse:recs:publishtime" and the like, in any language', () => {
    const html = (tag: string, lang: string, headline: string) =>
      page(
        `<title>${headline}</title><meta name="${tag}" content="2024-03-05T09:30:00Z">`,
        `<h1>${headline}</h1><p>Text.</p>`,
        lang,
      );
    expect(metadataOf(html('w-published-date', 'en', 'Ferry returns')).publishedAt).toBe(
      '2024-03-05T09:30:00.000Z',
    );
    expect(metadataOf(html('cxenseparse:recs:publishtime', 'de', 'Fähre kehrt zurück')).publishedAt).toBe(
      '2024-03-05T09:30:00.000Z',
    );
    expect(metadataOf(html('sf_pub_date', 'fr', 'Le ferry revient')).publishedAt).toBe(
      '2024-03-05T09:30:00.000Z',
    );
  });

  it('does not read modification or "unpublished" keys as the publication', () => {
    const html = (tag: string) =>
      page(
        `<title>Ferry returns</title><meta name="${tag}" content="2024-03-05T09:30:00Z">`,
        '<h1>Ferry returns</h1><p>Text.</p>',
      );
    expect(metadataOf(html('w-modified-date')).publishedAt).toBeUndefined();
    expect(metadataOf(html('x-unpublished-date')).publishedAt).toBeUndefined();
  });
});

describe('titles: text a site encoded to UTF-8 twice', () => {
  it('decodes a double-encoded title once more, in any script', () => {
    const titled = (title: string, lang: string) =>
      metadataOf(page(`<title>${title}</title>`, '<p>Text.</p>', lang)).title;
    expect(titled('The ferry\u00e2\u0080\u0099s return', 'en')).toBe('The ferry’s return');
    expect(titled('The ferryâ€™s return', 'en')).toBe('The ferry’s return');
    expect(titled('Le cafÃ© du port', 'fr')).toBe('Le café du port');
    expect(titled('Ð\u009fÐ°Ñ\u0080Ð¾Ð¼ Ð²ÐµÑ\u0080Ð½Ñ\u0083Ð»Ñ\u0081Ñ\u008f', 'ru')).toBe('Паром вернулся');
  });

  it('leaves real text alone, also a letter before a quote mark or an ellipsis', () => {
    const titled = (title: string, lang: string) =>
      metadataOf(page(`<title>${title}</title>`, '<p>Text.</p>', lang)).title;
    expect(titled('Viel Spaß…', 'de')).toBe('Viel Spaß…');
    expect(titled('Das „MENÜ“ am Hafen', 'de')).toBe('Das „MENÜ“ am Hafen');
    expect(titled('São Paulo: a balsa volta', 'pt')).toBe('São Paulo: a balsa volta');
  });
});

describe('titles: the site’s domain before the headline without a separator', () => {
  it('drops the page’s own domain opening the title', () => {
    const titled = (title: string, lang: string) =>
      metadataOf(page(`<title>${title}</title>`, '<p>Text.</p>', lang)).title;
    expect(titled('harbour-ledger.example Ferry returns', 'en')).toBe('Ferry returns');
    expect(titled('harbour-ledger.example Fähre kehrt zurück', 'de')).toBe('Fähre kehrt zurück');
  });

  it('keeps another site’s domain, and a title that would be left with one word', () => {
    const titled = (title: string) => metadataOf(page(`<title>${title}</title>`, '<p>Text.</p>')).title;
    expect(titled('tide-tables.example Ferry returns')).toBe('tide-tables.example Ferry returns');
    expect(titled('harbour-ledger.example Ferries')).toBe('harbour-ledger.example Ferries');
  });
});

describe('authors: a sentence after the text that says who wrote it', () => {
  it('reads "This post was written by …", "Dieser Artikel wurde von … verfasst", "Cet article a été écrit par …"', () => {
    const story = (note: string, lang: string) =>
      page(
        '<title>Ferry returns</title>',
        `<main><h1>Ferry returns</h1>${'<p>The ferry is back after the winter, and the harbour is busy.</p>'.repeat(3)}
         <div class="note">${note}</div></main>`,
        lang,
      );
    expect(
      metadataOf(story('This post was written by Ines Varga,<br>Head of Harbour News', 'en')).authors,
    ).toEqual(['Ines Varga']);
    expect(metadataOf(story('Dieser Artikel wurde von Jonas Weber verfasst.', 'de')).authors).toEqual([
      'Jonas Weber',
    ]);
    expect(metadataOf(story('Cet article a été écrit par Claire Dubois.', 'fr')).authors).toEqual([
      'Claire Dubois',
    ]);
    expect(metadataOf(story('Este artículo fue escrito por Lucía Fernández', 'es')).authors).toEqual([
      'Lucía Fernández',
    ]);
  });

  it('takes no team, and nothing from a comment', () => {
    const team = page(
      '<title>Ferry returns</title>',
      '<main><h1>Ferry returns</h1><p>Text.</p><p>This post was written by our harbour team.</p></main>',
    );
    expect(metadataOf(team).authors).toEqual([]);
    const comment = page(
      '<title>Ferry returns</title>',
      `<main><h1>Ferry returns</h1><p>Text.</p></main>
       <ol class="comments"><li><p>This post was written by Ines Varga, I think.</p></li></ol>`,
    );
    expect(metadataOf(comment).authors).toEqual([]);
  });
});

describe('authors: a one-word name after a "By:" label with a colon', () => {
  it('reads "Posted By:", "Von:", "Par :" followed by a first name alone', () => {
    const signed = (label: string, name: string, lang: string) =>
      metadataOf(
        page(
          '<title>Ferry returns</title>',
          `<article><h1>Ferry returns</h1><p class="meta"><span>${label}</span> <a href="/about">${name}</a></p>
           <p>The ferry is back after the winter.</p></article>`,
          lang,
        ),
      ).authors;
    expect(signed('Posted By:', 'Ines', 'en')).toEqual(['Ines']);
    expect(signed('Von:', 'Jonas', 'de')).toEqual(['Jonas']);
    expect(signed('Par :', 'Claire', 'fr')).toEqual(['Claire']);
  });
});

describe('authors: the name an author link’s URL spells, beside a link that is not a name', () => {
  it('takes "Ines Varga" written beside "Articles by Ines" → /authors/ines-varga, in any language', () => {
    const card = (name: string, link: string, slug: string, lang: string) =>
      page(
        '<title>Ferry returns</title>',
        `<main><h1>Ferry returns</h1><div class="card"><p>${name}</p><p>Harbour writer</p>
         <a href="/blog/authors/${slug}">${link}</a></div><p>The ferry is back after the winter.</p></main>`,
        lang,
      );
    expect(metadataOf(card('Ines Varga', 'Articles by Ines', 'ines-varga', 'en')).authors).toEqual([
      'Ines Varga',
    ]);
    expect(metadataOf(card('Jonas Weber', 'Profil ansehen', 'jonas-weber', 'de')).authors).toEqual([
      'Jonas Weber',
    ]);
    expect(
      metadataOf(card('Lucía Fernández', 'Ver perfil', 'luc%C3%ADa-fern%C3%A1ndez', 'es')).authors,
    ).toEqual(['Lucía Fernández']);
  });

  it('does not take an author link’s capitalised furniture ("Alle Artikel", "Tous les articles") as a name', () => {
    const box = (link: string, lang: string) =>
      page(
        '<title>Ferry returns</title>',
        `<main><h1>Ferry returns</h1><p>The ferry is back after the winter.</p>
         <div class="card"><a href="/autoren/harbour-desk/">${link}</a></div></main>`,
        lang,
      );
    for (const [link, lang] of [
      ['Alle Artikel', 'de'],
      ['Alle Beiträge', 'de'],
      ['Tous les articles', 'fr'],
      ['Todos los artículos', 'es'],
      ['Tutti gli articoli', 'it'],
      ['Alle artikelen', 'nl'],
      ['Join Us', 'en'],
    ] as const) {
      expect(metadataOf(box(link, lang)).authors, link).toEqual([]);
    }
    // The names after an "Autoren" label without its colon are all people, the label none.
    const credit = page(
      '<title>Die Fähre kehrt zurück</title>',
      '<main><h1>Die Fähre kehrt zurück</h1><p>Die Fähre fährt wieder.</p><p class="byline">Autoren Jana Vogel und Uwe Kern</p></main>',
      'de',
    );
    expect(metadataOf(credit).authors).toEqual(['Jana Vogel', 'Uwe Kern']);
    expect(cleanAuthorNames(['Auteurs Claire Dubois et Marc Petit'])).toEqual([
      'Claire Dubois',
      'Marc Petit',
    ]);
  });

  it('takes no nearby name the URL does not spell', () => {
    const html = page(
      '<title>Ferry returns</title>',
      `<main><h1>Ferry returns</h1><div class="card"><p>Ben Ode</p>
       <a href="/blog/authors/ines-varga">Articles by Ines</a></div><p>The ferry is back.</p></main>`,
    );
    expect(metadataOf(html).authors).toEqual([]);
  });
});

describe('authors: a "written by" label standing alone in an author box after the text', () => {
  it('reads the name after "Article written by:", "Geschrieben von", "Écrit par"', () => {
    const story = (label: string, name: string, lang: string) =>
      page(
        '<title>Ferry returns</title>',
        `<main><h1>Ferry returns</h1>${'<p>The ferry is back after the winter, and the harbour is busy.</p>'.repeat(3)}
         <section><h2>${label}</h2><div><h3>${name}</h3></div><h2>Reviewed by:</h2><div><h3>Ben Ode</h3></div>
         </section></main>`,
        lang,
      );
    expect(metadataOf(story('Article written by:', 'Ines Varga, MD', 'en')).authors).toEqual(['Ines Varga']);
    expect(metadataOf(story('Geschrieben von', 'Jonas Weber', 'de')).authors).toEqual(['Jonas Weber']);
    expect(metadataOf(story('Écrit par', 'Claire Dubois', 'fr')).authors).toEqual(['Claire Dubois']);
  });

  it('does not read "written by" inside a sentence, far down the page', () => {
    const html = page(
      '<title>Ferry novels</title>',
      `<main><h1>Ferry novels</h1>${'<p>A <b>ferry</b> novel.</p>'.repeat(100)}<p>The best is <i>Harbour Lights</i> written by <a href="/wiki/Ines_Varga">Ines
       Varga</a>, published in 1990.</p></main>`,
    );
    expect(metadataOf(html).authors).toEqual([]);
  });
});

describe('dates in another page’s teaser card', () => {
  // A card: a small block whose heading links to another page, with that page's date and byline.
  const card = (title: string, href: string, date: string, shown: string, byline: string) =>
    `<article class="card"><h3><a href="${href}">${title}</a></h3><p class="meta">${byline}
     <a class="author" href="/author/ben-ode">Ben Ode</a></p><time datetime="${date}">${shown}</time></article>`;
  const story = (lang: string, heading: string, cards: string) =>
    page(
      '<title>Ferry returns</title>',
      `<main><h1>Ferry returns</h1><p>The ferry is back after the winter, and the harbour is busy again.</p>
       <p>Crossings run every hour from the north pier.</p></main>
       <section><h2>${heading}</h2><div class="grid">${cards}</div></section>`,
      lang,
    );

  it('takes no date from the cards of other stories, in English, German and French', () => {
    const en = story(
      'en',
      'More from the harbour',
      card(
        'Lighthouse keepers return to the island',
        '/stories/lighthouse',
        '2025-03-02',
        '2 March 2025',
        'By',
      ) +
        card(
          'Night boats are back on the river',
          '/stories/night-boats',
          '2025-02-11',
          '11 February 2025',
          'By',
        ),
    );
    const de = story(
      'de',
      'Mehr aus dem Hafen',
      card(
        'Die Leuchtturmwärter kehren auf die Insel zurück',
        '/stories/leuchtturm',
        '2025-03-02',
        '2. März 2025',
        'Von',
      ),
    );
    const fr = story(
      'fr',
      'Plus du port',
      card(
        'Les gardiens du phare reviennent sur l’île',
        '/stories/phare',
        '2025-03-02',
        '2 mars 2025',
        'Par',
      ),
    );
    for (const html of [en, de, fr]) expect(metadataOf(html).publishedAt).toBeUndefined();
  });

  it('keeps the page’s own date beside a heading that links to the author or to the page itself', () => {
    const ownAuthorHeading = page(
      '<title>Ferry returns</title>',
      `<main><h1>Ferry returns</h1><div class="author-box"><h3><a href="/profile/ines-varga">Ines Varga</a></h3>
       <p class="date">Published on 3 May 2025</p></div><p>The ferry is back after the winter.</p></main>`,
    );
    expect(metadataOf(ownAuthorHeading).publishedAt?.slice(0, 10)).toBe('2025-05-03');
    // No h1: the page's own headline is an h2 that links to the page itself.
    const permalink = page(
      '<title>Ferry returns</title>',
      `<div class="post"><h2><a href="${PAGE_URL.href}">The ferry returns to the harbour tonight</a></h2>
       <time datetime="2025-05-03">3 May 2025</time><p>The ferry is back after the winter.</p></div>`,
    );
    expect(metadataOf(permalink).publishedAt?.slice(0, 10)).toBe('2025-05-03');
  });
});

describe('authors: microdata of the page’s own item, not of its replies', () => {
  const person = (name: string) =>
    `<span itemprop="author" itemscope itemtype="https://schema.org/Person"><span itemprop="name">${name}</span></span>`;

  it('takes the thread’s author, not the authors of the replies nested in it (en, de, fr)', () => {
    const threads: [string, string, string, string][] = [
      [
        'en',
        'Ferry timetable for the winter?',
        'Does anyone know when the ferry runs?',
        'Every hour from the pier.',
      ],
      ['de', 'Fährplan im Winter?', 'Weiß jemand, wann die Fähre fährt?', 'Jede Stunde ab dem Anleger.'],
      [
        'fr',
        'Horaires du bac en hiver ?',
        'Quelqu’un sait quand passe le bac ?',
        'Toutes les heures depuis le quai.',
      ],
    ];
    for (const [lang, title, question, answer] of threads) {
      const html = page(
        `<title>${title}</title>`,
        `<main><div itemscope itemtype="https://schema.org/DiscussionForumPosting"><h1 itemprop="headline">${title}</h1>
         ${person('Ines Varga')}<div itemprop="text"><p>${question}</p></div>
         <div itemprop="comment" itemscope itemtype="https://schema.org/Comment">${person('Ben Ode')}<p>${answer}</p></div>
         <div itemprop="comment" itemscope itemtype="https://schema.org/Comment">${person('Noor Haddad')}<p>${answer}</p></div>
         </div></main>`,
        lang,
      );
      expect(metadataOf(html).authors).toEqual(['Ines Varga']);
    }
  });

  it('takes the first post’s author when every post is an item of its own, and keeps co-authors of one item', () => {
    const posts = page(
      '<title>Ferry timetable</title>',
      `<main><h1>Ferry timetable</h1>
       <article itemscope itemtype="https://schema.org/Comment">${person('Ines Varga')}<p>When does it run?</p></article>
       <article itemscope itemtype="https://schema.org/Comment">${person('Ben Ode')}<p>Every hour.</p></article></main>`,
    );
    expect(metadataOf(posts).authors).toEqual(['Ines Varga']);
    const coauthors = page(
      '<title>Ferry returns</title>',
      `<main><article itemscope itemtype="https://schema.org/NewsArticle"><h1>Ferry returns</h1>
       <p>By ${person('Ines Varga')} and ${person('Ben Ode')}</p><p>The ferry is back.</p></article></main>`,
    );
    expect(metadataOf(coauthors).authors).toEqual(['Ines Varga', 'Ben Ode']);
  });
});

describe('authors: a site menu without <nav>, a name inside the headline', () => {
  it('takes no author from an author link in a menu marked by its classes or role (en, de, fr)', () => {
    const menus = [
      `<ul class="menu"><li class="menu-item"><a href="/">Home</a><ul class="sub-menu"><li class="menu-item">
       <a href="/author/island-ferries/">Island Ferries</a></li></ul></li></ul>`,
      `<div class="navbar"><a href="/autor/hafen-lotsen/">Hafen Lotsen</a></div>`,
      `<div role="menu"><a href="/auteur/marins-libres/">Marins Libres</a></div>`,
    ];
    for (const [lang, menu] of [
      ['en', menus[0]],
      ['de', menus[1]],
      ['fr', menus[2]],
    ] as const) {
      const html = page(
        '<title>Ferry returns</title>',
        `<header>${menu}</header><main><h1>Ferry returns</h1><p>The ferry is back after the winter.</p></main>`,
        lang,
      );
      expect(metadataOf(html).authors).toEqual([]);
    }
    // The same link in the byline is the author's.
    const byline = page(
      '<title>Ferry returns</title>',
      `<main><h1>Ferry returns</h1><p class="meta"><a href="/author/ines-varga/">Ines Varga</a></p>
       <p>The ferry is back after the winter.</p></main>`,
    );
    expect(metadataOf(byline).authors).toEqual(['Ines Varga']);
  });

  it('does not take a name that is part of the headline for the one beside the date (en, de, es)', () => {
    const heads: [string, string, string][] = [
      ['en', 'Inside the kitchen of', '3 May 2025'],
      ['de', 'Zu Gast in der Küche von', '3. Mai 2025'],
      ['es', 'En la cocina de', '3 de mayo de 2025'],
    ];
    for (const [lang, lead, date] of heads) {
      const html = page(
        '<title>Kitchen</title>',
        `<main><header><h1><span>${lead}</span> <span>Rosa Marine</span></h1><div><time>${date}</time></div></header>
         <p>The kitchen opens at dawn.</p></main>`,
        lang,
      );
      const metadata = metadataOf(html);
      expect(metadata.publishedAt?.slice(0, 10)).toBe('2025-05-03');
      expect(metadata.authors).toEqual([]);
    }
  });
});

describe('authors: the names of reviews and testimonials on a product or service page', () => {
  it('takes no author from customer reviews or testimonials (en, de, fr)', () => {
    const pages: [string, string, string][] = [
      ['en', 'customer-reviews', 'Great kayak, light and steady.'],
      ['de', 'product-reviews', 'Tolles Kajak, leicht und stabil.'],
      ['fr', 'testimonials', 'Très bon kayak, léger et stable.'],
    ];
    for (const [lang, box, quote] of pages) {
      const html = page(
        '<title>Harbour kayak</title>',
        `<main><h1>Harbour kayak</h1><p>A two-seat kayak for calm water, 4.2 m long.</p>
         <section class="${box}"><div class="item"><p>${quote}</p><p class="review-author">Ines Varga</p></div>
         <div class="item"><p>${quote}</p><p class="review-author">Ben Ode</p></div></section></main>`,
        lang,
      );
      expect(metadataOf(html).authors).toEqual([]);
    }
  });
});

describe('dates of other events and of other pages’ list entries', () => {
  const story = (shown: string, lang = 'en') =>
    page(
      '<title>Ferry returns</title>',
      `<main><h1>Ferry returns</h1>${shown}<p>The ferry is back after the winter, and the harbour is busy again.</p>
       <p>Crossings run every hour from the north pier.</p></main>`,
      lang,
    );

  it('takes no publication date from an offer’s end, a validity, a joining or a check (en, de, fr)', () => {
    const shown: [string, string][] = [
      ['<p class="promo">Season tickets: offer ends May 2, 2025.</p>', 'en'],
      ['<p>Prices are valid through</p><p>05/02/2025</p>', 'en'],
      ['<dl><dt>Joined:</dt><dd>Mar 3, 2021</dd></dl>', 'en'],
      ['<p>Last checked: 2025-05-28</p>', 'en'],
      ['<p>Sommerfahrplan gültig bis 30.04.2025</p>', 'de'],
      ['<p>Tarif valable jusqu’au 2 mai 2025</p>', 'fr'],
    ];
    for (const [html, lang] of shown) expect(metadataOf(story(html, lang)).publishedAt).toBeUndefined();
  });

  it('passes over such a date and a date range to the page’s own dateline', () => {
    const offerFirst = story(
      '<div class="promo">Offer ends 2 May 2025</div><div>Spring course 1/27/2025 - 3/24/2025</div><p>4 May 2025</p>',
    );
    expect(metadataOf(offerFirst).publishedAt?.slice(0, 10)).toBe('2025-05-04');
    expect(metadataOf(story('<p>DATE: 2025-05-12 - 2025-05-17</p>')).publishedAt).toBeUndefined();
  });

  it('takes no date from a list of dated entries (jobs, episodes, days), but keeps a thread’s first post', () => {
    const entry = (title: string, day: number) =>
      `<li><a href="/jobs/${day}">${title}</a> <span>Harbour office</span> <span>May ${day}, 2025</span></li>`;
    const listing = page(
      '<title>Harbour jobs</title>',
      `<main><h1>Harbour jobs</h1><ul>${entry('Deckhand', 12)}${entry('Pier cook', 11)}${entry('Ticket clerk', 9)}${entry('Pilot', 2)}</ul></main>`,
    );
    expect(metadataOf(listing).publishedAt).toBeUndefined();
    const post = (name: string, day: number, text: string) =>
      `<div class="post"><p class="who">${name}</p><p>May ${day}, 2025</p><p>${text}</p></div>`;
    const thread = page(
      '<title>Ferry timetable?</title>',
      `<main><h1>Ferry timetable?</h1>${post('ines', 3, 'When does the ferry run in winter?')}${post('ben', 4, 'Every hour.')}${post('ines', 5, 'Thanks!')}</main>`,
    );
    expect(metadataOf(thread).publishedAt?.slice(0, 10)).toBe('2025-05-03');
  });

  it('reads 300 characters or more of utility classes as no post mark, as the thread reader does', () => {
    // "postcard" in a class string of layout utilities marks no post: the entries are a list of other pages.
    const soup = `${'md:flex-row w-full '.repeat(16)}postcard`;
    expect(soup.length).toBeGreaterThanOrEqual(300);
    const entry = (title: string, day: number) =>
      `<li class="${soup}"><a href="/jobs/${day}">${title}</a> <span>Harbour office</span> <span>May ${day}, 2025</span></li>`;
    const listing = page(
      '<title>Harbour jobs</title>',
      `<main><h1>Harbour jobs</h1><ul>${entry('Deckhand', 12)}${entry('Pier cook', 11)}${entry('Ticket clerk', 9)}</ul></main>`,
    );
    expect(metadataOf(listing).publishedAt).toBeUndefined();
  });
});

describe('bylines in a list of other pages’ entries', () => {
  it('takes no author from the bylines of a listing’s dated entries, but keeps the page’s own byline', () => {
    const entry = (title: string, author: string, day: number) =>
      `<li><a href="/stories/${day}">${title}</a> <span class="byline">By ${author}</span> <span>May ${day}, 2025</span></li>`;
    const entries = `${entry('Ferry returns', 'Ines Varga', 12)}${entry('Pier reopens', 'Ben Ode', 11)}${entry('Night boats', 'Ada Lind', 9)}`;
    const listing = page(
      '<title>Harbour stories</title>',
      `<main><h1>Harbour stories</h1><ul>${entries}</ul></main>`,
    );
    expect(metadataOf(listing).authors).toEqual([]);
    const story = page(
      '<title>Harbour stories</title>',
      `<main><h1>Harbour stories</h1><p class="byline">By Mara Holm</p><p>The week on the water.</p><ul>${entries}</ul></main>`,
    );
    expect(metadataOf(story).authors).toEqual(['Mara Holm']);
  });
});
