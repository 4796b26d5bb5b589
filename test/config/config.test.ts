import { describe, expect, it } from 'vitest';
import { DEFAULT_USER_AGENT, ENV, loadConfig } from '../../lib/config.ts';
import { PAGE_TYPES } from '../../lib/core/article.ts';

describe('loadConfig', () => {
  it('reads every variable through its ENV name, with defaults for the optional ones', () => {
    const config = loadConfig({
      [ENV.tableName]: 'articles',
      [ENV.crawlSources]: JSON.stringify([{ url: 'https://news.example/feed.xml' }]),
      [ENV.crawlQueueLeaseSeconds]: '3840',
      [ENV.allowPrivateNetwork]: 'true',
      [ENV.allowedOrigins]: 'http://127.0.0.1:8080, https://wiki.internal',
    });
    expect(config).toMatchObject({
      tableName: 'articles',
      crawlSources: [{ url: 'https://news.example/feed.xml' }],
      crawlQueueLeaseSeconds: 3840,
      allowPrivateNetwork: true,
      allowedOrigins: ['http://127.0.0.1:8080', 'https://wiki.internal'],
      userAgent: DEFAULT_USER_AGENT,
    });
    expect(loadConfig({})).toMatchObject({
      crawlSources: [],
      allowPrivateNetwork: false,
      allowedOrigins: [],
    });
    expect(loadConfig({}).crawlQueueLeaseSeconds).toBeUndefined();
  });

  it('reads INGEST_PAGE_TYPES: articles only by default, a list, or all', () => {
    expect(loadConfig({}).ingestPageTypes).toEqual(['article']);
    expect(loadConfig({ [ENV.ingestPageTypes]: ' article, Forum ,article' }).ingestPageTypes).toEqual([
      'article',
      'forum',
    ]);
    expect(loadConfig({ [ENV.ingestPageTypes]: 'all' }).ingestPageTypes).toEqual([...PAGE_TYPES]);
    expect(() => loadConfig({ [ENV.ingestPageTypes]: 'article,recipe' })).toThrow(
      /INGEST_PAGE_TYPES: unknown page type recipe/,
    );
  });

  it('reads the permanent-failure retry in days and the metrics settings', () => {
    expect(loadConfig({})).toMatchObject({ permanentRetryDays: undefined, siteMetrics: false });
    expect(
      loadConfig({
        [ENV.permanentRetryDays]: '7',
        [ENV.metricsNamespace]: 'News',
        [ENV.siteMetrics]: 'true',
      }),
    ).toMatchObject({ permanentRetryDays: 7, metricsNamespace: 'News', siteMetrics: true });
  });

  it.each([
    [ENV.permanentRetryDays, '0'],
    [ENV.permanentRetryDays, 'a month'],
    [ENV.crawlSources, 'not json'],
    [ENV.crawlSources, JSON.stringify([{ url: 'ftp://news.example/feed' }])],
    [ENV.crawlQueueLeaseSeconds, '0'],
    [ENV.crawlQueueLeaseSeconds, 'an hour'],
    [ENV.allowPrivateNetwork, 'yes'],
  ])('refuses %s=%j with a message naming the variable', (name, value) => {
    expect(() => loadConfig({ [name]: value })).toThrow(name);
  });
});
