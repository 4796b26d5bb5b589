// The peer of benchmark/bundles.ts: the smallest useful function on the same SDK, one DynamoDB GetItem through
// lib-dynamodb, bundled with the same options as the pipeline's functions. Its cold import in the same run is
// the floor any of them pays (the SDK's client stack), and on a loaded machine it moves with theirs.
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';

let documents: DynamoDBDocumentClient | undefined;

export const handler = async (event: { table: string; id: string }): Promise<unknown> => {
  documents ??= DynamoDBDocumentClient.from(new DynamoDBClient({}));
  const { Item } = await documents.send(new GetCommand({ TableName: event.table, Key: { pk: event.id } }));
  return Item ?? null;
};
