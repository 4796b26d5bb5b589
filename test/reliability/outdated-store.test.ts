import { CreateTableCommand } from '@aws-sdk/client-dynamodb';
import { describe, expect, it } from 'vitest';
import { ensureTable, StoreOutdatedError } from '../../lib/embedded/servers.ts';
import { createTableInput } from '../../lib/store/table.ts';
import { useLocalServers } from '../helpers/local-servers.ts';

describe('a data directory made by an older version', () => {
  const local = useLocalServers();

  it('is refused with the missing indexes named, instead of failing later inside a query', async () => {
    const client = local.dynamoDbClient();
    const current = createTableInput('older-table');
    const [kept, ...dropped] = current.GlobalSecondaryIndexes ?? [];
    expect(kept).toBeDefined();
    expect(dropped.length).toBeGreaterThan(0);
    // The table as an older version made it: the same keys with fewer indexes.
    const usedNames = new Set(
      [...(kept?.KeySchema ?? []), ...(current.KeySchema ?? [])].map((key) => key.AttributeName),
    );
    await client.send(
      new CreateTableCommand({
        ...current,
        GlobalSecondaryIndexes: [kept!],
        AttributeDefinitions: current.AttributeDefinitions?.filter((attribute) =>
          usedNames.has(attribute.AttributeName),
        ),
      }),
    );
    const error = await ensureTable(client, 'older-table').catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(StoreOutdatedError);
    expect((error as StoreOutdatedError).missingIndexes).toEqual(dropped.map((index) => index.IndexName));
    expect((error as Error).message).toMatch(/older version.*--data-dir/);
  });

  it('a table with every index passes', async () => {
    const client = local.dynamoDbClient();
    await ensureTable(client, 'current-table');
    await expect(ensureTable(client, 'current-table')).resolves.toBeUndefined();
  });
});
