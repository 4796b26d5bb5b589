// Multilingual and structural boilerplate rules, each on a small hand-written page: "read also" headings and
// lead-ins, subscribe / donate calls, ad labels, photo credits and rights notes in other languages, and the
// language-free rule that a short label followed by a link (or a list of links) is a teaser, never prose.
import { load } from 'cheerio';
import { describe, expect, it } from 'vitest';
import { extractContent } from '../../lib/core/extract/content.ts';

const PAGE_URL = new URL('https://quarry.example/notizen/ein-langer-weg');
const parse = (html: string) => load(html, { xml: { xmlMode: false, decodeEntities: true } });
const textOf = (html: string) => extractContent(parse(html), { pageUrl: PAGE_URL })?.text ?? '';

const PROSE = [
  'Wir brachen im Morgengrauen vom Steinbruch auf, der Nebel lag noch im Tal, und wir gingen den Grat entlang nach Norden.',
  'Gegen Mittag war der Weg zu einem Schafpfad geworden, und der Wind, der uns im Rücken gewesen war, drehte nach Westen.',
  'Die Hütte, die wir erreichen wollten, war wegen Reparaturen geschlossen, also aßen wir Brot und Käse an ihrer Mauer.',
  'Beim Abstieg in der Dämmerung zählten wir die Lichter von vier Höfen und stritten fröhlich darüber, welcher unserer war.',
];
const page = (inner: string) =>
  `<html><body><article>${PROSE.slice(0, 2)
    .map((s) => `<p>${s}</p>`)
    .join('')}${inner}${PROSE.slice(2)
    .map((s) => `<p>${s}</p>`)
    .join('')}</article></body></html>`;

const keepsProse = (text: string) => {
  for (const sentence of PROSE) expect(text).toContain(sentence);
};

describe('boilerplate vocabulary in other languages', () => {
  it.each([
    ['de', 'Mehr zum Thema'],
    ['fr', 'Sur le même sujet'],
    ['es', 'Noticias relacionadas'],
    ['it', 'Articoli correlati'],
    ['pt', 'Leia também'],
    ['nl', 'Lees ook'],
    ['pl', 'Czytaj także'],
    ['ru', 'Читайте также'],
    ['tr', 'İlgili haberler'],
    ['ja', '関連記事'],
    ['zh', '相关阅读'],
  ])('drops a %s "more on this topic" heading and its links', (_lang, heading) => {
    const text = textOf(
      page(`<h3>${heading}</h3><div><a href="/a">Eine andere Wanderung im Herbst</a></div>`),
    );
    keepsProse(text);
    expect(text).not.toContain(heading);
    expect(text).not.toContain('andere Wanderung');
  });

  it.each([
    ['h4', 'Auch interessant'],
    ['h2', 'Temas relacionados'],
    ['h2', 'Matérias relacionadas'],
    ['h3', 'Sujets associés'],
    ['h3', 'Verwandte Themen'],
    ['h1', 'Mehr zum Thema'],
  ])('drops a <%s> "%s" inside the content with its links', (tag, heading) => {
    const text = textOf(
      page(`<${tag}>${heading}</${tag}><ul><li><a href="/a">Eine andere Wanderung im Herbst</a></li></ul>`),
    );
    keepsProse(text);
    expect(text).not.toContain(heading);
    expect(text).not.toContain('andere Wanderung');
  });

  it.each(['Table of Contents', 'Inhaltsverzeichnis', 'Sommaire', 'Spis treści'])(
    'drops a "%s" heading and the links under it',
    (heading) => {
      const text = textOf(
        page(
          `<h2>${heading}</h2><ul><li><a href="#a">Der Aufbruch</a></li><li><a href="#b">Der Grat</a></li></ul>`,
        ),
      );
      keepsProse(text);
      expect(text).not.toContain(heading);
      expect(text).not.toContain('Der Aufbruch');
    },
  );

  it('drops a "Mehr Themen:" label line before a teaser list', () => {
    const text = textOf(page('<p><strong>Mehr Themen:</strong></p>'));
    keepsProse(text);
    expect(text).not.toContain('Mehr Themen');
  });

  it.each([
    'Jetzt abonnieren und keinen Bericht verpassen',
    'Titelbild: Anna Beispiel',
    'Kommentieren',
    'Sie müssen sich einloggen, um sich an einer Diskussion beteiligen zu können.',
    'You must be logged in to post a comment.',
    'Hier können Sie den Artikel bewerten',
    '(Alle Angaben ohne Gewähr)',
    'Dieser Beitrag gibt die Meinung des Autors wieder, nicht die der Redaktion.',
    'Je fais un don à l’association',
    'Rezept drucken',
    'If you enjoyed reading this post, share it with a friend who walks.',
    'Abonnez-vous pour lire la suite de nos reportages',
    'Suscríbete a nuestro boletín semanal de rutas',
    'Zapisz się do newslettera i otrzymuj nowe trasy',
    'Подпишитесь на нашу рассылку о походах',
    'Foto: Anna Beispiel / Archiv',
    'Fot. Jan Przykładowy',
    'Alle Rechte vorbehalten.',
    'Anzeige',
    'Lesen Sie auch: Wie man eine Hütte repariert',
    '© 2024 Beispiel Verlag GmbH',
    'Copyright 2024 Example Media Inc. All Rights Reserved.',
    'Follow The Ridge Walkers on Instagram and Facebook for new routes',
    'Folgen Sie uns auf Mastodon und Instagram',
    'Síguenos en nuestras redes sociales',
    'Únete a nuestro grupo de WhatsApp para recibir las rutas',
    'Werden Sie Mitglied und erhalten Sie unsere Karten',
    'Hazte miembro y disfruta de beneficios exclusivos',
    'Karten jetzt auch digital! Einfach hier klicken und registrieren!',
    'Puede escribirnos a redaccion@ejemplo.es o suscribirse aquí a nuestra newsletter.',
    '¿Ya sabías que tenemos canal de Telegram? Únete desde tu celular en este enlace.',
    'Get the latest news straight to your phone with the Ridge Walkers app.',
    'Want to hear about our next walks? Sign up here',
    'Diese Wegbeschreibung als PDF herunterladen',
    'aja/PAP',
    'dpa/lnw',
    'Page 2 of 8',
    'Seite 2 von 5',
    'Sign up',
    'Thank you! Please check your inbox now for your welcome email.',
    'Walking tips from our guides, delivered to your inbox',
  ])('drops the short furniture line "%s"', (line) => {
    const text = textOf(page(`<p>${line}</p>`));
    keepsProse(text);
    expect(text).not.toContain(line);
  });

  it.each([
    'Copyright law was never written with footpaths in mind, the farmer said.',
    'The channel on Telegram where walkers post the weather went quiet that week.',
    'Wir mussten nicht lange klicken: Hier war die Karte, die wir suchten, und sie stimmte sogar.',
    'Our newsletter editor, Anna, walked the whole ridge with us and never once complained.',
  ])('keeps prose that mentions copyright or a messaging channel: "%s"', (line) => {
    expect(textOf(page(`<p>${line}</p>`))).toContain(line);
  });

  it('keeps prose that merely starts with a furniture word', () => {
    const line =
      'Foto und Karte halfen uns wenig, denn der Nebel kam zurück, und wir verloren den Pfad zweimal, bevor wir die Straße fanden.';
    expect(textOf(page(`<p>${line}</p>`))).toContain(line);
  });
});

describe('captions credited at their end and post meta lines', () => {
  it.each([
    'Der Nebel über dem Tal am frühen Morgen. (Foto: Anna Beispiel)',
    'Die Hütte am Grat. | © Beispiel Agentur/Bildarchiv',
    'El refugio cerrado por reparaciones. Foto: Agencia Ejemplo',
    'The ridge path at dusk. Photo by Jane Example/Example Images',
    'Schronisko na grani. Fot. Jan Przykładowy',
  ])('drops the caption "%s"', (caption) => {
    const text = textOf(page(`<div class="bild"><img src="/a.jpg"><span>${caption}</span></div>`));
    keepsProse(text);
    expect(text).not.toContain(caption.slice(0, 20));
  });

  it.each([
    'Wir zeigten dem Wirt das Bild: Er lachte und holte den Schlüssel aus der Küche.',
    'The hut was closed, so we photographed it. Credit where due, the door was beautiful.',
    'Die Karte stammt aus dem Jahr 1936. © 2002, 2003 Anna Beispiel',
  ])('keeps a sentence that is no credit: "%s"', (line) => {
    expect(textOf(page(`<p>${line}</p>`))).toContain(line);
  });

  it.each([
    '16 marca 2021',
    '3 окт. 2020',
    'Pubblicato il 19 Febbraio 2020 Ultima modifica 19 Febbraio 2020',
    '24. März 2004, 19:49 | Wandern',
    '2021-10-16 | Allgemein',
    'Ridge Walkers Team | 5 min read',
    '12. März 2021 · Lesezeit: 4 Minuten',
    'Published June 23, 2025 10:39AM',
    'Posted by Anna Beispiel at December 16, 2025 11:15 AM',
    'Written by Anna Beispiel',
    'Geschrieben von Anna Beispiel',
  ])('drops the dateline or meta line "%s"', (line) => {
    const text = textOf(page(`<div class="meta">${line}</div>`));
    keepsProse(text);
    expect(text).not.toContain(line);
  });

  it.each([
    'Tags: Wandern, Herbst, Grat',
    'Schlagwörter: Wandern, Nebel',
    'Etiquetas: senderismo, otoño',
    'Étiquettes : randonnée, brouillard',
    'Tagi: wędrówki, jesień',
    'Теги: поход, осень',
    '- Publicado por: Ana Exemplo - Categoria: Trilhas - Tags: outono neblina',
  ])('drops the tag list "%s"', (line) => {
    const text = textOf(page(`<p class="meta">${line}</p>`));
    keepsProse(text);
    expect(text).not.toContain(line.slice(-12));
  });

  it.each([
    'Kommentare sind geschlossen.',
    'Keine Kommentare Kommentare sind geschlossen.',
    'Les commentaires sont fermés.',
    'Los comentarios están cerrados.',
    'I commenti sono chiusi.',
    'Reacties zijn gesloten.',
    'Gefällt mir:',
    'Gefällt mir Lade …',
    '%d Bloggern gefällt das:',
    'Like this:',
    'Loading...',
    'Wird geladen …',
    'Cargando...',
    'ATENÇÃO: Comentários ofensivos ou fora do tema não serão aprovados pelo moderador.',
    'Comments that attack other readers will not be published.',
    'Permalink: https://quarry.example/p/4711',
    'Permalien https://quarry.example/p/4711',
    'Empfohlener redaktioneller Inhalt',
    'An dieser Stelle finden Sie einen externen Inhalt von Beispielvideo, der den Artikel ergänzt.',
    'Ich bin damit einverstanden, dass mir externe Inhalte angezeigt werden.',
    'SUGGESTED CITATION Beispiel, Anna: Ein langer Weg, Steinbruch-Notizen, 2020/4/09.',
    'Zitiervorschlag: Beispiel, Anna (2020): Ein langer Weg.',
    'Pour citer cet article :',
    'Dieser Text wurde veröffentlicht unter der Lizenz CC-BY-NC-ND-4.0-DE.',
    '(No Ratings Yet) Loading...',
    'Gefällt dir unser Wandermagazin? Wir verzichten auf eine Bezahlschranke und bitten um Unterstützung.',
    'Hat Ihnen der Artikel gefallen?',
    'Vous avez aimé cet article ?',
    '¿Te gustó este artículo?',
    'Steinbruch-Notizen Would Like To Send You Push Notifications.',
  ])('drops the comment, like, loading, citation or licence notice "%s"', (line) => {
    const text = textOf(page(`<p>${line}</p>`));
    keepsProse(text);
    expect(text).not.toContain(line);
  });

  it.each([
    'Du musst <a href="#login">eingeloggt</a> sein um Kommentare zu schreiben! Oder noch gar nicht <a href="/registrieren">registriert</a>?',
    'Sie müssen sich <a href="/login">anmelden</a>, um einen Kommentar zu schreiben.',
    'You must be <a href="/login">logged in</a> to post a comment.',
    '<a href="/drucken">Rezept drucken</a>',
    'Les commentaires sont fermés.',
  ])('drops the notice "%s" written loose between the blocks of the story', (loose) => {
    const result = extractContent(parse(page(loose)), { pageUrl: PAGE_URL });
    keepsProse(result?.text ?? '');
    for (const words of ['Kommentar', 'comment', 'drucken', 'fermés']) {
      expect(result?.text).not.toContain(words);
      expect(result?.html).not.toContain(words);
    }
  });

  it('drops a notice on a line of its own at the end of a long paragraph, and keeps the paragraph', () => {
    const long =
      'Die Hütte stand seit zweihundert Jahren am Grat, und jeder Wirt hatte ein Stück angebaut: einen Stall, eine Stube, einen Keller für den Käse, der im Sommer oben gemacht und im Herbst ins Tal getragen wurde. Wir saßen bis spät in der Stube und hörten zu, wie der Wirt die Namen der Höfe aufzählte, die man von der Terrasse aus sehen konnte.';
    const result = extractContent(
      parse(page(`<p>${long}<br><a href="/drucken">Rezept drucken</a><br>Les commentaires sont fermés.</p>`)),
      { pageUrl: PAGE_URL },
    );
    keepsProse(result?.text ?? '');
    expect(result?.text).toContain(long);
    expect(result?.text).not.toContain('drucken');
    expect(result?.text).not.toContain('fermés');
    expect(result?.html).not.toContain('fermés');
  });

  it('keeps loose prose between the blocks, and a loose line that only starts like a notice', () => {
    const lines = [
      'Am Grat trafen wir einen Schäfer, der uns <a href="/wege">den alten Weg</a> zur Hütte zeigte.',
      'Du musst den Grat vor dem Abend verlassen, sagte er, denn das Wetter dreht hier schnell.',
    ];
    const text = textOf(page(lines.join('<br>')));
    keepsProse(text);
    expect(text).toContain('Am Grat trafen wir einen Schäfer, der uns den alten Weg zur Hütte zeigte.');
    expect(text).toContain(lines[1]);
  });

  it('keeps sentences that start like those notices', () => {
    const lines = [
      'Gefällt mir: der Blick vom Grat über die vier Höfe, wenn der Nebel im Tal liegt und die Sonne aufgeht.',
      'Loading the car took longer than the walk itself, because the hut keeper insisted on sending cheese home.',
      'Die Kommentare sind geschlossen, schrieb der Wirt an die Tür, und meinte damit das Gästebuch vom letzten Jahr.',
      'Der Permalink zum Gipfelbuch hing am Kreuz, aber niemand hatte ein Telefon dabei, um ihn zu öffnen.',
      'Wie gefällt dir das Design der neuen Hütte? Uns gefällt es, auch wenn der Wirt über die Fenster klagt.',
    ];
    const text = textOf(page(lines.map((line) => `<p>${line}</p>`).join('')));
    for (const line of lines) expect(text).toContain(line);
  });

  it('keeps a sentence about tags, and a tag line that goes on as prose', () => {
    const lines = [
      'Tags: Die Markierungen am Grat waren verblasst. Wir folgten den Steinmännern bis zur Hütte.',
      'Wir lasen die Tags an den Bäumen: rote Punkte für den Abstieg, blaue für den Grat.',
    ];
    const text = textOf(page(lines.map((line) => `<p>${line}</p>`).join('')));
    for (const line of lines) expect(text).toContain(line);
  });

  it('keeps a recipe time, which is no reading time', () => {
    const text = textOf(page('<ul><li>Vorbereitung</li><li>5 minutes</li><li>20 Minuten</li></ul>'));
    expect(text).toContain('5 minutes');
    expect(text).toContain('20 Minuten');
  });

  it('keeps a short line with a number and labels that is no date', () => {
    const line = 'Etappe 3 | Von der Hütte zum See';
    expect(textOf(page(`<p>${line}</p>`))).toContain(line);
  });
});

describe('a short label followed by a link is a teaser, whatever the language', () => {
  it('drops "label: link" in a language the vocabulary does not know', () => {
    const text = textOf(
      page('<p><strong>Loe ka:</strong> <a href="/b">Kuidas parandada mägionni katust</a></p>'),
    );
    keepsProse(text);
    expect(text).not.toContain('Kuidas parandada');
  });

  it('drops a short label line followed by a list of links', () => {
    const text = textOf(
      page(
        '<p>Vaata ka:</p><ul><li><a href="/c">Sügisene matk</a></li><li><a href="/d">Talvine matk</a></li></ul>',
      ),
    );
    keepsProse(text);
    expect(text).not.toContain('Sügisene matk');
    expect(text).not.toContain('Vaata ka');
  });

  it('keeps prose with a link in it, and a list entry that starts with its link', () => {
    const sentence =
      'Der Bauer beschrieb uns die westliche Runde: <a href="/e">sie führt am alten Kalkofen vorbei</a> und dann hinunter zum Meer, sagte er.';
    const entry = '<a href="/f">Karte der Westrunde</a> – 1998';
    const text = textOf(page(`<p>${sentence}</p><p>${entry}</p>`));
    keepsProse(text);
    expect(text).toContain('sie führt am alten Kalkofen vorbei');
    expect(text).toContain('Karte der Westrunde');
  });
});

describe('labels before short links are not teasers', () => {
  it('keeps "Versions: 00 01 02" and "(Artist: name)" lines, whose links are not headlines', () => {
    const text = textOf(
      page(
        '<p>Versionen: <a href="/0">00</a> <a href="/1">01</a> <a href="/2">02</a></p><p>(Künstler: <a href="/k">Wegmann</a>)</p>',
      ),
    );
    keepsProse(text);
    expect(text).toContain('Versionen');
    expect(text).toContain('Wegmann');
  });
});

describe('a photo credit inside a figure', () => {
  it('takes at most its figure along, not the box that also holds the lead beside the figure', () => {
    const lead =
      'Der Weg über den Grat ist kürzer als sein Ruf. Warum er gemieden wird, und ob das berechtigt ist, erzählt dieser Bericht.';
    const paragraphs = (sentences: string[]) => sentences.map((s) => `<p>${s}</p>`).join('');
    // The credit ("Bild: A. Beispiel") escalates to a small box; the <section> around the figure is one.
    const text = textOf(
      `<html><body><article><header><h1>Über den Grat</h1></header><div class="entry"><section class="intro"><p class="lead">${lead}</p>` +
        '<figure><img src="/grat.jpg"><figcaption>Der Grat im Nebel. <span class="source"><em>Bild: A. Beispiel</em></span></figcaption></figure>' +
        `</section><div class="text">${paragraphs(PROSE.slice(0, 2))}</div><div class="more">${paragraphs(PROSE.slice(2))}</div></div></article></body></html>`,
    );
    keepsProse(text);
    expect(text).toContain(lead);
    expect(text).not.toContain('A. Beispiel');
  });
});
