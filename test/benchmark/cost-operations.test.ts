import { describe, expect, it } from 'vitest';
import {
  type OperationUnits,
  operationsPerNewArticle,
  renderOperationTable,
} from '../../benchmark/cost-operations.ts';

/** Units per article with the price bench:cost applies ($0.625 a million write units, $0.125 read units). */
const units = (writeUnits: number, readUnits = 0): OperationUnits => ({
  requests: 1,
  writeUnits,
  indexWriteUnits: 0,
  readUnits,
  usd: writeUnits * 0.625 + readUnits * 0.125,
});

describe("bench:cost's DynamoDB bill by operation", () => {
  it('weighs each operation as the headline does: a new article plus its re-checks in their shares', () => {
    const rows = operationsPerNewArticle(
      {
        newArticle: { 'PutItem INDEX': units(2), 'UpdateItem LEASE': units(1) },
        // Presumed re-checks: the lease alone. Recorded by ingest: the lease and a state write.
        recheckNotModified: { 'UpdateItem LEASE': units(1, 1) },
        recheckNotModifiedLastStep: { 'UpdateItem LEASE': units(1, 1), 'PutItem STATE': units(1) },
        recheckUnchanged: { 'UpdateItem LEASE': units(1, 1) },
        recheckUnchangedLastStep: { 'UpdateItem LEASE': units(1, 1), 'PutItem STATE': units(1) },
      },
      { rechecksPerArticle: 2, notModifiedShare: 0.5, presumedShare: 0.75 },
    );
    expect(rows.map((row) => row.operation)).toEqual(['UpdateItem LEASE', 'PutItem INDEX', 'PutItem STATE']);
    const [lease, index, state] = rows;
    // 0.625 for the new article, and 2 re-checks of 0.75 each.
    expect(lease).toEqual({
      operation: 'UpdateItem LEASE',
      newArticle: { writeUnits: 1, readUnits: 0 },
      recheck: { writeUnits: 1, readUnits: 1 },
      usdPerMillionNewArticles: 2.125,
    });
    expect(index?.usdPerMillionNewArticles).toBe(1.25);
    // Only the quarter of re-checks not presumed write the state: 2 x 0.25 x 0.625.
    expect(state).toMatchObject({
      newArticle: { writeUnits: 0, readUnits: 0 },
      recheck: { writeUnits: 0.25, readUnits: 0 },
      usdPerMillionNewArticles: 0.313,
    });
  });

  it('renders the rows most expensive first, with the DynamoDB total, tiny ones counted in one line', () => {
    const table = renderOperationTable([
      {
        operation: 'UpdateItem LEASE',
        newArticle: { writeUnits: 1, readUnits: 0 },
        recheck: { writeUnits: 1, readUnits: 0 },
        usdPerMillionNewArticles: 1.5,
      },
      {
        operation: 'Query SOURCES',
        newArticle: { writeUnits: 0, readUnits: 0.003 },
        recheck: { writeUnits: 0, readUnits: 0 },
        usdPerMillionNewArticles: 0.0004,
      },
    ]);
    const lines = table.split('\n');
    expect(lines[2]).toBe('| UpdateItem LEASE | 1.000 |  | 1.000 |  | 1.500 |');
    expect(lines[3]).toBe('| 1 more under $0.005 each | | | | | |');
    expect(lines[4]).toBe('| **DynamoDB** | | | | | 1.50 |');
  });
});
