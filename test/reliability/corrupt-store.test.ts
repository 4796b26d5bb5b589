import { execFile } from 'node:child_process';
import { mkdtemp, open, readdir, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { PutItemCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { StoreCorruptError, startLocalServers } from '../../lib/embedded/servers.ts';
import { startEmbeddedStack } from '../../lib/embedded/stack.ts';
import { createDynamoDbClient } from '../../lib/store/aws/clients.ts';
import { cliCommand } from '../helpers/cli-process.ts';

// Issue 14: 2 KB overwritten in a table file killed the process mid-crawl with a raw LEVEL_CORRUPTION error
// from the emulator and left a stale lock. Now the start fails with a message naming the directory, a
// non-zero exit, and the lock released.

let dataDir: string;

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'corrupt-store-'));
  // Two starts: LevelDB turns the first run's log into a table file when it opens again.
  for (let round = 0; round < 2; round++) {
    const servers = await startLocalServers({ dataDir });
    const client = createDynamoDbClient(
      { region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } },
      servers.env,
    );
    for (let index = 0; index < 100; index++) {
      await client.send(
        new PutItemCommand({
          TableName: servers.tableName,
          Item: { pk: { S: `P#${round}-${index}` }, sk: { S: 'X' }, body: { S: 'text '.repeat(100) } },
        }),
      );
    }
    client.destroy();
    await servers.stop();
  }
  const tables = (await readdir(join(dataDir, 'dynalite'))).filter((file) => file.endsWith('.ldb'));
  expect(tables.length).toBeGreaterThan(0);
  for (const file of tables) {
    const path = join(dataDir, 'dynalite', file);
    const { size } = await stat(path);
    const handle = await open(path, 'r+');
    await handle.write(Buffer.alloc(2048, 0x41), 0, 2048, Math.max(0, Math.floor(size / 2) - 1024));
    await handle.close();
  }
});
afterAll(async () => {
  await rm(dataDir, { recursive: true, force: true });
});

describe('a corrupt data directory', () => {
  it('fails the start with a message naming the directory and releases the lock', async () => {
    const starting = startEmbeddedStack({ dataDir, sources: [], port: false, logLevel: 'SILENT' });
    await expect(starting).rejects.toBeInstanceOf(StoreCorruptError);
    await expect(starting).rejects.toThrow(`the DynamoDB data in ${join(dataDir, 'dynalite')} is corrupt`);
    await expect(stat(join(dataDir, 'embedded.lock'))).rejects.toThrow(/ENOENT/);
  });

  it('npm start exits non-zero with that message', async () => {
    const result = await promisify(execFile)(process.execPath, [
      ...cliCommand('start'),
      '--data-dir',
      dataDir,
      '--once',
      '--port',
      '0',
      '--source',
      'http://127.0.0.1:9/',
    ]).catch((error: { code: number; stderr: string }) => error);
    expect((result as { code: number }).code).toBe(1);
    expect(result.stderr).toContain(`start: the DynamoDB data in ${join(dataDir, 'dynalite')} is corrupt`);
    expect(result.stderr).not.toMatch(/\n\s+at /); // no stack trace
  });
});
