import { App } from 'aws-cdk-lib';
import { describe, expect, it } from 'vitest';
import { settingsFromContext } from '../../lib/cdk/context.ts';
import { resolveProps } from '../../lib/cdk/props.ts';
import { isPipelineError } from '../../lib/core/errors.ts';

function settings(context: Record<string, unknown>) {
  return settingsFromContext(new App({ context }).node);
}

describe('settings from CDK context', () => {
  it('reads -c strings: comma-separated sources, numbers, flags', () => {
    const result = settings({
      sources: 'https://a.example/feed.xml, https://b.example/sitemap.xml',
      crawlRateMinutes: '30',
      rawTransitionDays: '60',
      rawExpireDays: '400',
      tableDeletionProtection: 'false',
      eventBus: 'default',
      stackName: 'NewsPipeline',
    });
    expect(result.stackName).toBe('NewsPipeline');
    expect(result.props).toEqual({
      sources: [{ url: 'https://a.example/feed.xml' }, { url: 'https://b.example/sitemap.xml' }],
      crawlRateMinutes: 30,
      rawHtml: { transitionAfterDays: 60, expireAfterDays: 400 },
      tableDeletionProtection: false,
      eventBus: 'default',
      apiThrottle: {},
      bundling: {},
    });
  });

  it('reads cdk.json JSON: source objects and booleans', () => {
    const result = settings({
      sources: [{ url: 'https://a.example/', allowOtherSites: true }, 'https://b.example/feed'],
      bucketVersioning: true,
    });
    expect(result.props.sources).toEqual([
      { url: 'https://a.example/', allowOtherSites: true },
      { url: 'https://b.example/feed' },
    ]);
    expect(result.props.bucketVersioning).toBe(true);
  });

  it('reads ingestPageTypes from -c or cdk.json; resolveProps refuses unknown types', () => {
    expect(settings({ ingestPageTypes: 'article, forum' }).props.ingestPageTypes).toEqual([
      'article',
      'forum',
    ]);
    expect(settings({ ingestPageTypes: ['product'] }).props.ingestPageTypes).toEqual(['product']);
    expect(resolveProps({}).ingestPageTypes).toEqual(['article']);
    expect(() => resolveProps({ ingestPageTypes: ['article', 'recipe' as 'article'] })).toThrow(
      /ingestPageTypes: unknown page type recipe/,
    );
  });

  it('names the key of a bad value in a typed error', () => {
    try {
      settings({ crawlRateMinutes: 'often', eventBus: 'mine' });
      expect.unreachable();
    } catch (error) {
      expect(isPipelineError(error) && error.code).toBe('BAD_REQUEST');
      expect(String(error)).toMatch(/crawlRateMinutes/);
      expect(String(error)).toMatch(/eventBus/);
    }
  });
});
