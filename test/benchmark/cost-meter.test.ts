import {
  BatchGetCommand,
  DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import { CostMeter, itemSize, readUnits, writeUnits } from '../../benchmark/cost-meter.ts';
import type { TableDefinition } from '../../lib/store/table.ts';
import { useLocalServers } from '../helpers/local-servers.ts';

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

describe('cost meter on a DynamoDB-compatible server', () => {
  const local = useLocalServers();

  /** A fresh store whose DynamoDB client the meter counts, and a document client over that same client. */
  async function meteredStore() {
    const dynamodb = local.dynamoDbClient();
    const store = await local.freshStore({ dynamodb });
    const meter = new CostMeter();
    meter.useShadowClient({ ...local.env, AWS_ENDPOINT_URL_DYNAMODB: local.servers.dynamodbEndpoint });
    meter.instrument(dynamodb);
    return { store, meter, documents: DynamoDBDocumentClient.from(dynamodb) };
  }

  it("bills an update of a non-key attribute without touching the item's index copies", async () => {
    const { store, meter, documents } = await meteredStore();
    // An item in the bySite index (ALL projection), then an update that leaves its index keys alone.
    const key = { pk: 'ARTICLE#meter', sk: 'CURRENT' };
    await documents.send(
      new PutCommand({ TableName: store.tableName, Item: { ...key, gsi1pk: 'SITE#a', gsi1sk: '1', n: 1 } }),
    );
    meter.counting = true;
    await documents.send(
      new UpdateCommand({
        TableName: store.tableName,
        Key: key,
        UpdateExpression: 'ADD n :one',
        ExpressionAttributeValues: { ':one': 1 },
      }),
    );
    await meter.settle();
    // The old image comes back with the write: the bySite copy changes (n), so one unit there, not a new copy.
    expect(meter.snapshot().dynamodb['UpdateItem ARTICLE CURRENT']).toMatchObject({
      writeUnits: 2,
      indexWriteUnits: { bySite: 1 },
    });
    await documents.send(
      new UpdateCommand({
        TableName: store.tableName,
        Key: { pk: 'SOURCES', sk: 'x' },
        UpdateExpression: 'SET gsi3pk = :k, gsi3sk = :s, n = :n',
        ExpressionAttributeValues: { ':k': 'DUE#0', ':s': '1#x', ':n': 1 },
      }),
    );
    await documents.send(
      new UpdateCommand({
        TableName: store.tableName,
        Key: { pk: 'SOURCES', sk: 'x' },
        UpdateExpression: 'ADD n :one',
        ExpressionAttributeValues: { ':one': 1 },
      }),
    );
    await meter.settle();
    // KEYS_ONLY dueSources: the first write adds a copy, the counter's ADD writes none (it counted one before).
    expect(meter.snapshot().dynamodb['UpdateItem SOURCES']).toMatchObject({
      writeUnits: 3,
      indexWriteUnits: { dueSources: 1 },
    });
  });

  it("sizes an update of an item it saw written from that image and the write's own answer, with no read of its own", async () => {
    const dynamodb = local.dynamoDbClient();
    const store = await local.freshStore({ dynamodb });
    const meter = new CostMeter();
    meter.useShadowClient({ ...local.env, AWS_ENDPOINT_URL_DYNAMODB: local.servers.dynamodbEndpoint });
    meter.instrument(dynamodb);
    const documents = DynamoDBDocumentClient.from(dynamodb);
    const key = { pk: 'ARTICLE#seen', sk: 'CURRENT' };
    const addOne = () =>
      documents.send(
        new UpdateCommand({
          TableName: store.tableName,
          Key: key,
          UpdateExpression: 'ADD n :one',
          ExpressionAttributeValues: { ':one': 1 },
          ReturnValues: 'NONE',
        }),
      );
    // Written before counting (a phase's set-up): the meter keeps the image.
    await documents.send(
      new PutCommand({ TableName: store.tableName, Item: { ...key, gsi1pk: 'SITE#a', gsi1sk: '1', n: 1 } }),
    );
    meter.counting = true;
    const updated = await addOne();
    await addOne();
    await meter.settle();
    expect(updated.Attributes).toBeUndefined();
    expect(meter.shadowReads).toBe(0);
    expect(meter.snapshot().dynamodb['UpdateItem ARTICLE CURRENT']).toMatchObject({
      writeUnits: 4,
      indexWriteUnits: { bySite: 2 },
    });
    // An item it never saw written: its new image is read once, then known.
    const other = { pk: 'ARTICLE#unseen', sk: 'CURRENT' };
    meter.counting = false;
    await DynamoDBDocumentClient.from(local.dynamoDbClient()).send(
      new PutCommand({ TableName: store.tableName, Item: { ...other, n: 1 } }),
    );
    meter.counting = true;
    for (let i = 0; i < 2; i++) {
      await documents.send(
        new UpdateCommand({
          TableName: store.tableName,
          Key: other,
          UpdateExpression: 'SET m = :m',
          ExpressionAttributeValues: { ':m': i },
        }),
      );
      await meter.settle();
    }
    expect(meter.shadowReads).toBe(1);
  });

  it('bills a batched read of a missing item the minimum unit, as GetItem', async () => {
    const { store, meter, documents } = await meteredStore();
    await documents.send(
      new PutCommand({ TableName: store.tableName, Item: { pk: 'CRAWL#a', sk: 'STATE' } }),
    );
    meter.counting = true;
    const keys = ['a', 'b', 'c'].map((id) => ({ pk: `CRAWL#${id}`, sk: 'STATE' }));
    await documents.send(new BatchGetCommand({ RequestItems: { [store.tableName]: { Keys: keys } } }));
    await documents.send(new GetCommand({ TableName: store.tableName, Key: { pk: 'CRAWL#b', sk: 'STATE' } }));
    await meter.settle();
    // One item found and two missing: three half units, as three eventually consistent GetItems of them would be.
    expect(meter.snapshot().dynamodb['BatchGetItem CRAWL']).toMatchObject({ requests: 1, readUnits: 1.5 });
    expect(meter.snapshot().dynamodb['GetItem CRAWL']).toMatchObject({ requests: 1, readUnits: 0.5 });
  });
});
