import { randomUUID } from 'node:crypto';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll } from 'vitest';
import {
  type DynamoDbEngine,
  ensureTable,
  type LocalServers,
  type LocalServersOptions,
  startLocalServers,
} from '../../lib/embedded/servers.ts';
import { createDynamoDbClient, ENDPOINT_ENV } from '../../lib/store/aws/clients.ts';
import { type AwsStore, type AwsStoreOptions, createAwsStore } from '../../lib/store/aws/index.ts';
import { createS3Client } from '../../lib/store/aws/s3-client.ts';

/**
 * Starts the local S3/DynamoDB servers once per test file (beforeAll/afterAll) and hands out clients and
 * stores bound to them. `STORE_TEST_ENGINE=dynamodb-local` switches the DynamoDB engine for every user of
 * this helper, so one suite can run against dynalite and against Amazon's DynamoDB Local.
 *
 *   const local = useLocalServers();
 *   it('...', async () => { const store = await local.freshStore(); ... });
 */

export function storeTestEngine(): DynamoDbEngine {
  const engine = process.env.STORE_TEST_ENGINE;
  if (engine === undefined || engine === '' || engine === 'dynalite') return 'dynalite';
  if (engine === 'dynamodb-local') return 'dynamodb-local';
  throw new Error(`STORE_TEST_ENGINE must be dynalite or dynamodb-local, got ${engine}`);
}

export interface LocalServersHandle {
  readonly servers: LocalServers;
  readonly env: Record<string, string>;
  /** Clients for the servers (new ones each call; the helper destroys them in afterAll). */
  s3Client(): S3Client;
  dynamoDbClient(): DynamoDBClient;
  /** A store on a table of its own (created from lib/store/table.ts), so tests cannot see each other's items. */
  freshStore(
    options?: Partial<Omit<AwsStoreOptions, 'bucketName' | 'tableName' | 's3'>> & { s3?: S3Client },
  ): Promise<TestStore>;
  /** Stops the servers now (to test a restart); afterAll then does nothing. */
  stop(): Promise<void>;
}

export interface TestStore extends AwsStore {
  tableName: string;
  bucketName: string;
  s3: S3Client;
  dynamodb: DynamoDBClient;
}

export interface UseLocalServersOptions extends LocalServersOptions {
  /** Also copy the servers' env into process.env for the file (restored afterwards). */
  setProcessEnv?: boolean;
}

export function useLocalServers(options: UseLocalServersOptions = {}): LocalServersHandle {
  let servers: LocalServers | undefined;
  const clients: Array<{ destroy(): void }> = [];
  const savedEnv: Record<string, string | undefined> = {};

  beforeAll(async () => {
    servers = await startLocalServers({ engine: storeTestEngine(), ...options });
    if (options.setProcessEnv) {
      for (const [name, value] of Object.entries(servers.env)) {
        savedEnv[name] = process.env[name];
        process.env[name] = value;
      }
    }
  });

  const stop = async () => {
    for (const client of clients.splice(0)) client.destroy();
    await servers?.stop();
    for (const [name, value] of Object.entries(savedEnv)) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  };
  afterAll(stop);

  const started = (): LocalServers => {
    if (!servers) throw new Error('local servers are not running (use the handle inside tests or hooks)');
    return servers;
  };
  const clientConfig = () => ({
    region: started().env.AWS_REGION,
    credentials: {
      accessKeyId: started().env.AWS_ACCESS_KEY_ID ?? '',
      secretAccessKey: started().env.AWS_SECRET_ACCESS_KEY ?? '',
    },
  });
  const handle: LocalServersHandle = {
    get servers() {
      return started();
    },
    get env() {
      return started().env;
    },
    s3Client() {
      const client = createS3Client(clientConfig(), { [ENDPOINT_ENV.s3]: started().s3Endpoint });
      clients.push(client);
      return client;
    },
    dynamoDbClient() {
      const client = createDynamoDbClient(clientConfig(), {
        [ENDPOINT_ENV.dynamodb]: started().dynamodbEndpoint,
      });
      clients.push(client);
      return client;
    },
    async freshStore(storeOptions = {}) {
      const s3 = storeOptions.s3 ?? handle.s3Client();
      const dynamodb = storeOptions.dynamodb ?? handle.dynamoDbClient();
      const tableName = `articles-${randomUUID().slice(0, 8)}`;
      await ensureTable(dynamodb, tableName);
      const bucketName = started().bucketName;
      const store = createAwsStore({ ...storeOptions, s3, dynamodb, bucketName, tableName });
      return { ...store, tableName, bucketName, s3, dynamodb };
    },
    stop,
  };
  return handle;
}
