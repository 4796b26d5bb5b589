import { DynamoDBClient, type DynamoDBClientConfig } from '@aws-sdk/client-dynamodb';
import type { S3Client } from '@aws-sdk/client-s3';

/**
 * Client factories for the store (S3's is in s3-client.ts, which the functions load on first use). In AWS they are
 * plain SDK clients. When AWS_ENDPOINT_URL_S3 / AWS_ENDPOINT_URL_DYNAMODB point at a local server (the embedded stack, tests), the SDK already routes to
 * it by itself; these factories add what the local servers need on top: path-style bucket addressing and
 * checksums only when an operation requires them (s3rver 3 rejects the SDK's default CRC32 trailers).
 */

export const ENDPOINT_ENV = {
  s3: 'AWS_ENDPOINT_URL_S3',
  dynamodb: 'AWS_ENDPOINT_URL_DYNAMODB',
} as const;

/** Keeps Lambda cold starts and local runs from hanging on a dead endpoint. */
export const REQUEST_TIMEOUTS = { connectionTimeout: 3_000, requestTimeout: 10_000 } as const;

/**
 * Something the factories apply to every client they create from now on (the cost benchmark adds SDK middleware
 * that counts requests this way). Returns the function that stops applying it to later clients.
 */
export type ClientInstrument = (client: S3Client | DynamoDBClient) => void;
const instruments = new Set<ClientInstrument>();

export function instrumentStoreClients(instrument: ClientInstrument): () => void {
  instruments.add(instrument);
  return () => instruments.delete(instrument);
}

export function instrumented<T extends S3Client | DynamoDBClient>(client: T): T {
  for (const instrument of instruments) instrument(client);
  return client;
}

export function createDynamoDbClient(
  overrides: DynamoDBClientConfig = {},
  env: NodeJS.ProcessEnv = process.env,
): DynamoDBClient {
  const endpoint = env[ENDPOINT_ENV.dynamodb];
  return instrumented(
    new DynamoDBClient({ requestHandler: REQUEST_TIMEOUTS, ...(endpoint ? { endpoint } : {}), ...overrides }),
  );
}
