import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { WARCParser } from 'warcio';
import { UsageError } from '../../lib/cli/io.ts';
import { parseSelection } from '../../lib/cli/reextract.ts';
import { articleChanged, compareExtractorVersions } from '../../lib/core/reextract.ts';
import { parseWarcResponse, warcResponseMember } from '../../lib/store/warc.ts';
import { makeArticle } from '../store/fixtures.ts';

describe('articleChanged', () => {
  const stored = makeArticle({ url: 'https://a.example/one', extractedAt: '2026-01-01T00:00:00.000Z' });
  it('ignores when and by which extractor, and key order', () => {
    const { title, ...rest } = stored;
    const again = {
      title,
      ...rest,
      extractedAt: '2026-12-01T00:00:00.000Z',
      extractor: { name: 'x', version: '9' },
    };
    expect(articleChanged(stored, again)).toBe(false);
  });
  it('sees metadata, content and added fields', () => {
    expect(articleChanged(stored, { ...stored, title: 'Another' })).toBe(true);
    expect(articleChanged(stored, { ...stored, authors: [] })).toBe(true);
    expect(articleChanged(stored, { ...stored, content: { ...stored.content, markdown: 'x' } })).toBe(true);
    expect(articleChanged(stored, { ...stored, pageType: 'article' })).toBe(true);
  });
});

describe('compareExtractorVersions', () => {
  it('compares dotted numbers, missing parts as 0, odd versions first', () => {
    expect(compareExtractorVersions('1.1.0', '1.10.0')).toBe(-1);
    expect(compareExtractorVersions('1.2', '1.2.0')).toBe(0);
    expect(compareExtractorVersions('2.0.0', '1.9.9')).toBe(1);
    expect(compareExtractorVersions('0-dev', '0.0.1')).toBe(-1);
  });
});

describe('parseWarcResponse', () => {
  it('reads back what warcResponseMember wrote, as warcio does', async () => {
    const body = new TextEncoder().encode('<html><body>Grüße\r\n\r\nsecond block</body></html>');
    const member = warcResponseMember({
      url: 'https://a.example/x',
      fetchedAt: '2026-11-30T08:00:00.000Z',
      status: 203,
      contentType: 'text/html; charset=utf-8',
      etag: '"e"',
      body,
    });
    const parsed = parseWarcResponse(gunzipSync(member));
    expect(parsed).toMatchObject({
      url: 'https://a.example/x',
      fetchedAt: '2026-11-30T08:00:00.000Z',
      status: 203,
      contentType: 'text/html; charset=utf-8',
      etag: '"e"',
    });
    expect(Buffer.from(parsed.body).equals(Buffer.from(body))).toBe(true);
    const reference = await new WARCParser([member]).parse();
    expect(Buffer.from(await (reference?.readFully() as Promise<Uint8Array>)).equals(Buffer.from(body))).toBe(
      true,
    );
  });
  it('refuses what is not a WARC response', () => {
    expect(() => parseWarcResponse(new TextEncoder().encode('<html></html>'))).toThrow(/header block|WARC/);
  });
});

describe('reextract arguments', () => {
  it('normalizes a selection and refuses bad values with a usage error', () => {
    expect(parseSelection({ since: '2026-11-01', site: 'News.Example', 'extractor-below': '1.2.0' })).toEqual(
      {
        since: '2026-11-01T00:00:00.000Z',
        site: 'news.example',
        extractorBelow: '1.2.0',
      },
    );
    expect(() => parseSelection({ since: 'yesterday' })).toThrow(UsageError);
    expect(() => parseSelection({ 'extractor-below': 'latest' })).toThrow(/version like 1.2.0/);
  });
});
