import { describe, expect, it } from 'vitest';
import { itemKind } from '../../benchmark/cost-meter.ts';
import { replayRechecks } from '../../benchmark/cost-rechecks.ts';

const HOUR = 3_600_000;
const fetchedAt = '2026-01-10T12:00:00.000Z';
const at = (offsetMs: number) => new Date(Date.parse(fetchedAt) + offsetMs).toISOString();
/** A page just stored: fetched, next re-check in 1 h (the policy's first step). */
const stored = { lastFetchedAt: fetchedAt, lastOutcome: 'created', nextDueAt: at(HOUR), failureCount: 0 };

describe('re-checks replayed through the crawl policy', () => {
  it('re-checks a page its source dates only by publication on the whole time schedule, then stops', () => {
    expect(replayRechecks(stored, { publishedAt: at(-HOUR) }, 30 * 24 * HOUR)).toBe(3);
    // Within 2 h only the 1 h step has come.
    expect(replayRechecks(stored, { publishedAt: at(-HOUR) }, 2 * HOUR)).toBe(1);
  });

  it('does not re-check a page whose source gives a modification date older than the fetch', () => {
    expect(replayRechecks(stored, { modifiedAt: at(-HOUR) }, 30 * 24 * HOUR)).toBe(0);
  });

  it('re-checks once when the source dates a change after the fetch', () => {
    expect(replayRechecks(stored, { modifiedAt: at(10 * 60_000) }, 30 * 24 * HOUR)).toBe(1);
  });

  it('counts nothing for a URL never fetched', () => {
    expect(replayRechecks({ failureCount: 0 }, {}, 30 * 24 * HOUR)).toBe(0);
  });
});

describe('the cost meter names the items a request touches', () => {
  it('by key prefix, index or queried partition', () => {
    expect(itemKind({ Key: { pk: { S: 'ARTICLE#ab' }, sk: { S: 'CURRENT' } } })).toBe('ARTICLE CURRENT');
    expect(itemKind({ Item: { pk: { S: 'CRAWL#ab' }, sk: { S: 'STATE' } } })).toBe('CRAWL');
    expect(itemKind({ IndexName: 'bySite' })).toBe('index bySite');
    expect(itemKind({ ExpressionAttributeValues: { ':pk': { S: 'SOURCES' } } })).toBe('SOURCES');
    expect(
      itemKind({ RequestItems: { table: { Keys: [{ pk: { S: 'CRAWL#ab' }, sk: { S: 'STATE' } }] } } }),
    ).toBe('CRAWL');
  });
});
