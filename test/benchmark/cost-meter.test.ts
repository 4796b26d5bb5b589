import { describe, expect, it } from 'vitest';
import { itemSize, readUnits, writeUnits } from '../../benchmark/cost-meter.ts';
import type { TableDefinition } from '../../lib/store/table.ts';

const TABLE: TableDefinition = {
  partitionKey: { name: 'pk', type: 'S' },
  sortKey: { name: 'sk', type: 'S' },
  billingMode: 'PAY_PER_REQUEST',
  globalSecondaryIndexes: [
    {
      indexName: 'byA',
      partitionKey: { name: 'a', type: 'S' },
      sortKey: { name: 'as', type: 'S' },
      projection: 'ALL',
    },
    {
      indexName: 'byB',
      partitionKey: { name: 'b', type: 'S' },
      sortKey: { name: 'bs', type: 'S' },
      projection: 'KEYS_ONLY',
    },
  ],
};

const text = (n: number) => ({ S: 'x'.repeat(n) });

describe('cost meter capacity units', () => {
  it('sizes items as DynamoDB does: names plus values, numbers by digit pairs', () => {
    expect(itemSize({ pk: { S: 'ab' }, n: { N: '12345' }, ok: { BOOL: true } })).toBe(2 + 2 + 1 + 4 + 2 + 1);
    expect(itemSize({ l: { L: [{ S: 'abc' }] } })).toBe(1 + 3 + 1 + 3);
  });

  it('bills a write on the larger image and each index copy it touches', () => {
    const item = { pk: { S: 'p' }, sk: { S: 's' }, a: { S: 'A' }, as: { S: '1' }, body: text(1500) };
    // New item over 1 KB: 2 units in the table, 2 in the ALL index, nothing in byB (no key: sparse).
    expect(writeUnits(undefined, item, TABLE)).toEqual({ table: 2, indexes: { byA: 2 } });
    // The key of byA moves: delete + put there.
    const moved = { ...item, as: { S: '2' } };
    expect(writeUnits(item, moved, TABLE)).toEqual({ table: 2, indexes: { byA: 4 } });
    // A KEYS_ONLY copy is small, and unchanged keys write nothing there.
    const keyed = { ...item, b: { S: 'B' }, bs: { S: '1' } };
    expect(writeUnits(undefined, keyed, TABLE).indexes.byB).toBe(1);
    expect(writeUnits(keyed, { ...keyed, body: text(10) }, TABLE).indexes.byB).toBeUndefined();
  });

  it('reads in 4 KB units, half for eventually consistent reads, one at least', () => {
    expect(readUnits(0, false)).toBe(0.5);
    expect(readUnits(4097, true)).toBe(2);
    expect(readUnits(9000, false)).toBe(1.5);
  });
});
