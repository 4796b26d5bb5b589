import { describe, expect, it } from 'vitest';
import { eventSourceSqsRequests } from '../../benchmark/cost-prices.ts';

describe('bench:cost billing rules', () => {
  it('bills an ingest batch one SQS receive and one batch delete per 10 records, as SQS caps both', () => {
    expect(eventSourceSqsRequests(1)).toBe(2);
    expect(eventSourceSqsRequests(10)).toBe(2);
    expect(eventSourceSqsRequests(11)).toBe(4);
    expect(eventSourceSqsRequests(50)).toBe(10);
  });
});
