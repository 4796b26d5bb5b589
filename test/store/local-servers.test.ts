import { DescribeTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { describe, expect, it } from 'vitest';
import { ENV, loadConfig } from '../../lib/config.ts';
import { ARTICLES_TABLE } from '../../lib/store/table.ts';
import { useLocalServers } from '../helpers/local-servers.ts';

const local = useLocalServers({ setProcessEnv: true });

describe('startLocalServers', () => {
  it('returns an environment that config and plain SDK clients understand unmodified', async () => {
    expect(local.env).toMatchObject({
      AWS_ENDPOINT_URL_S3: local.servers.s3Endpoint,
      AWS_ENDPOINT_URL_DYNAMODB: local.servers.dynamodbEndpoint,
      [ENV.bucketName]: local.servers.bucketName,
      [ENV.tableName]: local.servers.tableName,
    });
    const config = loadConfig(process.env);
    expect(config.bucketName).toBe(local.servers.bucketName);
    expect(config.tableName).toBe(local.servers.tableName);

    // Clients built with no options at all, as a handler might: everything comes from process.env.
    const dynamodb = new DynamoDBClient({});
    const s3 = new S3Client({});
    try {
      const { Table } = await dynamodb.send(new DescribeTableCommand({ TableName: config.tableName }));
      expect(Table?.TableStatus).toBe('ACTIVE');
      expect(Table?.GlobalSecondaryIndexes?.map((index) => index.IndexName).sort()).toEqual(
        ARTICLES_TABLE.globalSecondaryIndexes.map((index) => index.indexName).sort(),
      );
      await s3.send(
        new PutObjectCommand({ Bucket: config.bucketName, Key: 'probe/hello.txt', Body: 'hello' }),
      );
      const object = await s3.send(
        new GetObjectCommand({ Bucket: config.bucketName, Key: 'probe/hello.txt' }),
      );
      expect(await object.Body?.transformToString()).toBe('hello');
    } finally {
      dynamodb.destroy();
      s3.destroy();
    }
  });
});
