// Text normalization of the extracted body: one spelling per character, nothing invisible, no ruby readings.
import { load } from 'cheerio';
import { describe, expect, it } from 'vitest';
import { extractContent } from '../../lib/core/extract/content.ts';
import { normalizeText, toPlainText } from '../../lib/core/extract/text.ts';

const parse = (html: string) => load(html, { xml: { xmlMode: false, decodeEntities: true } });
const textOf = (html: string) => toPlainText(parse(html).root().toArray());

describe('normalizeText', () => {
  it('composes decomposed letters (NFC), so "é" is one code point however the page spelled it', () => {
    const decomposed = 'Cafe\u0301 au lait';
    expect(decomposed).not.toBe('Café au lait');
    expect(normalizeText(decomposed)).toBe('Café au lait');
  });

  it('removes soft hyphens, zero-width spaces, word joiners and stray byte-order marks', () => {
    expect(normalizeText('Donau\u00addampf\u00adschiff\u200bfahrt\u2060s\ufeffgesellschaft')).toBe(
      'Donaudampfschifffahrtsgesellschaft',
    );
  });

  it('keeps the zero-width non-joiner, which is spelling in Persian', () => {
    expect(normalizeText('می\u200cخواهم')).toBe('می\u200cخواهم');
  });
});

describe('toPlainText', () => {
  it('drops ruby annotations (<rt>, <rp>) and keeps the base characters', () => {
    expect(textOf('<p><ruby>漢<rp>(</rp><rt>かん</rt><rp>)</rp>字<rt>じ</rt></ruby>を読む</p>')).toBe(
      '漢字を読む',
    );
  });

  it('joins a word split by soft hyphens from the page', () => {
    expect(textOf('<p>An extra&shy;ordinary day in Ham&#173;burg.</p>')).toBe(
      'An extraordinary day in Hamburg.',
    );
  });
});

describe('extractContent', () => {
  const sentence =
    'Die Bergbauern im Tal ernten das Heu im August, wenn das Wetter, wie meistens, trocken bleibt.';
  const html = `<html><body><article>${Array.from(
    { length: 6 },
    (_, i) => `<p>${sentence.replace('Heu', 'He\u00adu')} <ruby>山<rt>やま</rt></ruby> ${i}.</p>`,
  ).join('')}</article></body></html>`;
  const content = extractContent(parse(html), { pageUrl: new URL('https://alm.example/heu') });

  it('stores the normalized text and leaves ruby readings out of the html', () => {
    expect(content?.text).toContain(`${sentence} 山 0.`);
    expect(content?.text).not.toContain('やま');
    expect(content?.html).not.toContain('やま');
  });
});
