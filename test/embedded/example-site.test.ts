import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { extract } from '../../lib/core/extract/index.ts';
import { EXAMPLE_ARTICLES, EXAMPLE_SITE_NAME } from '../../lib/embedded/example-site/articles.ts';
import {
  articlePath,
  renderArticlePage,
  renderRssFeed,
  renderSitemap,
} from '../../lib/embedded/example-site/render.ts';

// The bundled site is what `npm start` shows first: every page must come out of the extractor whole and clean.
const site = { origin: 'http://127.0.0.1:8080', name: EXAMPLE_SITE_NAME };

describe('the example site', () => {
  it('has 6 to 10 articles with distinct slugs', () => {
    expect(EXAMPLE_ARTICLES.length).toBeGreaterThanOrEqual(6);
    expect(EXAMPLE_ARTICLES.length).toBeLessThanOrEqual(10);
    expect(new Set(EXAMPLE_ARTICLES.map((article) => article.slug)).size).toBe(EXAMPLE_ARTICLES.length);
  });

  it.each(EXAMPLE_ARTICLES.map((article) => [article.slug, article] as const))(
    '%s extracts with its metadata, every paragraph and none of the page chrome',
    (_slug, article) => {
      const html = renderArticlePage(article, site, EXAMPLE_ARTICLES.slice(0, 3));
      const result = extract({ html, url: `${site.origin}${articlePath(article)}?utm_source=test` });
      if (!result.ok) throw result.error;
      const extracted = result.value;
      expect(extracted.url).toBe(`${site.origin}${articlePath(article)}`);
      expect(extracted.title).toBe(article.title);
      expect(extracted.authors).toEqual(article.authors);
      expect(extracted.publishedAt).toBe(article.publishedAt);
      expect(extracted.site.name).toBe(EXAMPLE_SITE_NAME);
      for (const paragraph of article.paragraphs) expect(extracted.content.text).toContain(paragraph);
      // The fragment starts and ends with markup, not the line breaks removed elements left behind.
      expect(extracted.content.html).toMatch(/^<[a-z]/);
      expect(extracted.content.html).toMatch(/>$/);
      for (const chrome of [
        'newsletter',
        'reCAPTCHA',
        'Comments are closed',
        'Share:',
        'Related stories',
        'cookies',
      ]) {
        expect(extracted.content.text).not.toContain(chrome);
      }
    },
  );

  it("is the site the README's site= examples against npm start ask for", () => {
    const article = EXAMPLE_ARTICLES[0];
    if (article === undefined) throw new Error('no example article');
    const result = extract({
      html: renderArticlePage(article, site),
      url: `${site.origin}${articlePath(article)}`,
    });
    if (!result.ok) throw result.error;
    const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
    const asked = [...readme.matchAll(/127\.0\.0\.1:3000\/articles\?site=([^&'"\s]+)/g)].map(
      (match) => match[1],
    );
    expect(asked.length).toBeGreaterThan(0);
    for (const value of asked) expect(value).toBe(result.value.site.domain);
  });

  it('lists every article in the feed (with tracking parameters, as CMSs do) and the sitemap (with lastmod)', () => {
    const feed = renderRssFeed(EXAMPLE_ARTICLES, site);
    const sitemap = renderSitemap(EXAMPLE_ARTICLES, site);
    for (const article of EXAMPLE_ARTICLES) {
      expect(feed).toContain(`<link>${site.origin}${articlePath(article)}?utm_source=rss`);
      expect(sitemap).toContain(
        `<loc>${site.origin}${articlePath(article)}</loc><lastmod>${article.modifiedAt ?? article.publishedAt}</lastmod>`,
      );
    }
  });
});
