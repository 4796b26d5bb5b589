import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  charsetFromContentType,
  decodeHtml,
  decodeHtmlDetailed,
  normalizeCharset,
  utf8Pieces,
} from '../../lib/core/extract/decode.ts';

// Byte fixtures: tiny pages in legacy encodings, written for these tests and encoded with Python's codecs.
const FIXTURES = new URL('../fixtures/metadata/charsets/', import.meta.url);
const manifest = JSON.parse(readFileSync(new URL('manifest.json', FIXTURES), 'utf8')) as {
  file: string;
  contentType: string | null;
  text: string;
}[];

describe('decodeHtml on legacy-encoded pages', () => {
  it.each(manifest)('$file comes out as the right text', ({ file, contentType, text }) => {
    const bytes = new Uint8Array(readFileSync(new URL(file, FIXTURES)));
    const html = decodeHtml(bytes, contentType ?? undefined);
    expect(html).toContain(text);
    expect(html).not.toContain('\uFFFD');
  });

  it('reports where the charset came from', () => {
    const read = (file: string) => new Uint8Array(readFileSync(new URL(file, FIXTURES)));
    expect(decodeHtmlDetailed(read('ru-windows-1251-meta.html'))).toMatchObject({
      charset: 'windows-1251',
      source: 'meta',
    });
    expect(decodeHtmlDetailed(read('ru-koi8-r-http.html'), 'text/html; charset=koi8-r')).toMatchObject({
      charset: 'koi8-r',
      source: 'http',
    });
    expect(decodeHtmlDetailed(read('ja-shift_jis-undeclared.html'))).toMatchObject({
      charset: 'shift_jis',
      source: 'sniff',
    });
    expect(decodeHtmlDetailed(read('zh-gbk-meta-gb2312.html')).charset).toBe('gbk');
    expect(decodeHtmlDetailed(read('ko-euc-kr-undeclared.html')).charset).toBe('euc-kr');
    expect(decodeHtmlDetailed(read('fr-latin1-undeclared.html')).charset).toBe('windows-1252');
  });
});

describe('decodeHtml precedence', () => {
  const utf8 = (text: string) => new TextEncoder().encode(text);

  it('a UTF-8 byte-order mark wins over a conflicting HTTP charset and is stripped', () => {
    const bytes = new Uint8Array([0xef, 0xbb, 0xbf, ...utf8('<p>Größe</p>')]);
    const decoded = decodeHtmlDetailed(bytes, 'text/html; charset=windows-1252');
    expect(decoded).toMatchObject({ text: '<p>Größe</p>', charset: 'utf-8', source: 'bom' });
  });

  it('decodes UTF-16LE with a byte-order mark', () => {
    const text = '<p>Привет</p>';
    const bytes = new Uint8Array(2 + text.length * 2);
    bytes.set([0xff, 0xfe]);
    for (let i = 0; i < text.length; i++) {
      const code = text.charCodeAt(i);
      bytes[2 + i * 2] = code & 0xff;
      bytes[3 + i * 2] = code >> 8;
    }
    expect(decodeHtml(bytes)).toBe(text);
  });

  it('the HTTP charset wins over a <meta> declaration', () => {
    // "é" in windows-1252 is 0xE9; as ISO-8859-5 the same byte is "щ".
    const bytes = new Uint8Array([...utf8('<meta charset="iso-8859-5"><p>caf'), 0xe9, ...utf8('</p>')]);
    expect(decodeHtml(bytes, 'text/html; charset=windows-1252')).toContain('café');
    expect(decodeHtml(bytes)).toContain('cafщ');
  });

  it('ignores a <meta charset> inside an HTML comment', () => {
    const bytes = new Uint8Array([
      ...utf8('<!-- <meta charset="koi8-r"> --><meta charset="windows-1251"><p>'),
      0xcf,
      0xf0,
      0xe8,
      0xe2,
      0xe5,
      0xf2,
      ...utf8('</p>'),
    ]);
    expect(decodeHtml(bytes)).toContain('Привет');
  });

  it('treats bytes that are valid multi-byte UTF-8 as UTF-8 even when a page mislabels them', () => {
    const bytes = utf8('<meta charset="gbk"><p>宇航员在太空中</p>');
    expect(decodeHtmlDetailed(bytes)).toMatchObject({ charset: 'utf-8', source: 'sniff' });
    expect(decodeHtml(bytes)).toContain('宇航员在太空中');
  });

  it('treats pure ASCII without a declaration as UTF-8', () => {
    expect(decodeHtmlDetailed(utf8('<p>plain</p>'))).toMatchObject({ charset: 'utf-8', source: 'sniff' });
  });

  it('falls back to a sniff when the declared charset is unknown', () => {
    const bytes = utf8('<meta charset="no-such-charset"><p>naïve</p>');
    expect(decodeHtmlDetailed(bytes)).toMatchObject({
      text: expect.stringContaining('naïve'),
      charset: 'utf-8',
    });
  });

  it('passes strings through, minus a leading BOM', () => {
    expect(decodeHtml('\uFEFF<p>x</p>')).toBe('<p>x</p>');
  });
});

describe('charset labels', () => {
  it('normalizes labels the way browsers do', () => {
    expect(normalizeCharset('GB2312')).toBe('gbk');
    expect(normalizeCharset('latin1')).toBe('windows-1252');
    expect(normalizeCharset('ISO-8859-1')).toBe('windows-1252');
    expect(normalizeCharset('"Shift_JIS"')).toBe('shift_jis');
    expect(normalizeCharset('utf-16')).toBe('utf-8');
    expect(normalizeCharset('klingon')).toBeUndefined();
  });

  it('reads the charset parameter of a Content-Type header', () => {
    expect(charsetFromContentType('text/html; charset="EUC-KR"')).toBe('euc-kr');
    expect(charsetFromContentType('text/html;charset=utf-8')).toBe('utf-8');
    expect(charsetFromContentType('text/html')).toBeUndefined();
    expect(charsetFromContentType(undefined)).toBeUndefined();
  });
});

describe('utf8Pieces: a UTF-8 page in pieces, ASCII apart from the stretches that need decoding', () => {
  const encode = (text: string) => new TextEncoder().encode(text);
  // Written for this test: non-ASCII in text, an attribute, a comment and a script, an entity and a "<" in a script
  // right where a piece ends, upper-case tags, a character outside the BMP.
  const PAGE = [
    '<!DOCTYPE html><HTML><head><title>Caf\u00e9 \u2014 menu</title>',
    '<script>if (a<b && c > d) label = "na\u00efve \u201cquote\u201d";</script></head>',
    '<BODY><p class="r\u00e9sum\u00e9">Plain ASCII text &amp; more &copy',
    '<br>Tom&rsquo;s <b>caf\u00e9</b> serves cr\u00e8me br\u00fbl\u00e9e \u{1F370} every day.</p>',
    '<!-- a comment with \u00e9 and <b> inside --><div title="\u00fc">x &lt; y</div>',
    `<p>${'Only ASCII here, for a while. '.repeat(40)}</p><p>And the end \u2026</p></BODY></HTML>`,
  ].join('');

  it('joins back to exactly what decodeHtml gives, with the ASCII stretches left out of the decoded pieces', () => {
    const page = utf8Pieces(encode(PAGE));
    expect(page).toBeDefined();
    const pieces = page!.pieces();
    expect(pieces.join('')).toBe(decodeHtml(encode(PAGE)));
    expect(page!.length).toBe(encode(PAGE).length);
    // The long ASCII paragraph is a piece of its own: none of its characters needs decoding.
    expect(pieces.some((piece) => piece.includes('Only ASCII here') && !/[^\x00-\x7f]/.test(piece))).toBe(
      true,
    );
    expect(pieces.length).toBeGreaterThan(2);
    for (const piece of pieces.slice(1)) expect(piece.startsWith('<')).toBe(true);
  });

  it('cuts a long page before a "<" into pieces under V8\'s large-object size, where a "<" comes soon enough', () => {
    const ascii = '<p>Only ASCII here, for a while, with a <a href="/x">link</a> in it.</p>';
    const french = '<p>Le caf\u00e9 rouvre apr\u00e8s l\u2019hiver, \u00e0 c\u00f4t\u00e9 du pont.</p>';
    const html = `<html><body>${ascii.repeat(3000)}${french.repeat(3000)}${ascii.repeat(1000)}<pre>${'x'.repeat(100_000)}</pre></body></html>`;
    const pieces = utf8Pieces(encode(html))!.pieces();
    expect(pieces.join('')).toBe(html);
    for (const piece of pieces.slice(1)) expect(piece.startsWith('<')).toBe(true);
    // Only the text of <pre>, which holds no "<" for 100,000 characters, makes a longer piece.
    const long = pieces.filter((piece) => piece.length > 32 * 1024);
    expect(long).toHaveLength(1);
    expect(long[0]).toMatch(/^<pre>x{100000}$/);
    expect(pieces.length).toBeGreaterThan(15);
  });

  it('drops a leading byte-order mark as decodeHtml does, and keeps one inside the text', () => {
    const bytes = encode(`\uFEFF<p>\uFEFFa\u00e9</p>`);
    expect(utf8Pieces(bytes)!.pieces().join('')).toBe(decodeHtml(bytes));
    expect(decodeHtml(bytes)).toBe('<p>\uFEFFa\u00e9</p>');
  });

  it('gives nothing for bytes that are not valid UTF-8 or are read as another charset', () => {
    const invalid = new Uint8Array([...encode('<p>caf'), 0xe9, ...encode(' au lait</p>')]);
    expect(utf8Pieces(invalid)).toBeUndefined();
    expect(utf8Pieces(encode('<p>caf\u00e9</p>'), 'text/html; charset=utf-8')).toBeDefined();
    const latin1 = new Uint8Array([
      ...encode('<meta charset="windows-1252"><p>caf'),
      0xe9,
      ...encode('</p>'),
    ]);
    expect(utf8Pieces(latin1)).toBeUndefined();
  });
});
