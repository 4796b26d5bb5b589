import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { Article } from '../../lib/core/article.ts';
import { renderArticleJsonSchema, SCHEMA_FILE } from '../../scripts/export-json-schema.ts';

const validArticle = {
  schemaVersion: 1,
  id: 'a'.repeat(64),
  url: 'https://news.example.com/2024/story',
  sourceUrl: 'https://news.example.com/2024/story?utm_source=feed',
  site: { domain: 'news.example.com', name: 'Example News' },
  title: 'A headline',
  description: 'What the story is about.',
  authors: ['Ana Ruiz'],
  publishedAt: '2024-03-05T07:15:00.000Z',
  language: 'en-GB',
  direction: 'ltr',
  tags: ['local'],
  image: { url: 'https://news.example.com/a.jpg', alt: 'A pier' },
  content: { html: '<p>Body.</p>', text: 'Body.', wordCount: 1 },
  contentHash: 'b'.repeat(64),
  extractedAt: '2025-01-01T00:00:00.000Z',
  metadataSources: { title: 'json-ld', url: 'meta' },
  extractor: { name: 'article-pipeline', version: '1.0.0' },
};

describe('the committed JSON Schema', () => {
  it('matches the zod schema (run `npm run schema:export` after changing lib/core/article.ts)', () => {
    expect(readFileSync(SCHEMA_FILE, 'utf8')).toBe(renderArticleJsonSchema());
  });

  it('names every required field of the contract', () => {
    const schema = JSON.parse(renderArticleJsonSchema()) as { $defs: { Article: { required: string[] } } };
    expect(schema.$defs.Article.required).toEqual(
      expect.arrayContaining(['schemaVersion', 'id', 'url', 'sourceUrl', 'site', 'title', 'authors', 'tags']),
    );
  });
});

describe('the Article schema', () => {
  it('accepts a valid article', () => {
    expect(Article.parse(validArticle)).toEqual(validArticle);
  });

  it.each([
    ['an id that is not a hex SHA-256', { id: 'ABC' }],
    ['an upper-case hex id', { id: 'A'.repeat(64) }],
    ['a date with an offset instead of UTC', { publishedAt: '2024-03-05T08:15:00+01:00' }],
    ['a date without milliseconds', { extractedAt: '2025-01-01T00:00:00Z' }],
    ['a non-http URL', { url: 'ftp://news.example.com/story' }],
    ['an empty title', { title: '   ' }],
    ['a language that is not BCP 47', { language: 'english language' }],
    ['an unknown metadata source', { metadataSources: { title: 'guess' } }],
    ['a negative word count', { content: { html: '', text: '', wordCount: -1 } }],
    ['another schema version', { schemaVersion: 2 }],
  ])('rejects %s', (_, change) => {
    expect(Article.safeParse({ ...validArticle, ...change }).success).toBe(false);
  });

  it.each(['id', 'url', 'title', 'authors', 'content', 'contentHash', 'extractedAt', 'extractor'])(
    'rejects an article without %s',
    (field) => {
      const { [field as keyof typeof validArticle]: _, ...rest } = validArticle;
      expect(Article.safeParse(rest).success).toBe(false);
    },
  );
});
