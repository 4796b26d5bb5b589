// Builds the query handler (API Gateway HTTP API payload v2) over the S3 + DynamoDB store from the environment
// named in lib/config.ts, for the Lambda entry (lambdas/query.ts).
import { ENV, loadConfig, required } from '../config.ts';
import { AwsArticleReader } from '../store/aws/article-reader.ts';
import { createDynamoDbClient } from '../store/aws/clients.ts';
import { AwsClusterIndex } from '../store/aws/clusters.ts';
import { AwsSourceRegistry } from '../store/aws/sources.ts';
import { s3ClientOnFirstUse } from './first-use.ts';
import { createQueryHandler, type QueryHandler, type QueryLogger } from './query.ts';

/**
 * The cursor signing secret: read from Secrets Manager when ENV.cursorSecretArn is set (the AWS stack, so the
 * value never appears in the function's configuration), otherwise taken from ENV.cursorSecret (the embedded
 * stack). The SDK honours AWS_ENDPOINT_URL_SECRETS_MANAGER, so tests point it at a loopback fake.
 */
export async function loadCursorSecret(env: NodeJS.ProcessEnv = process.env): Promise<string> {
  const secretArn = env[ENV.cursorSecretArn];
  if (!secretArn) {
    const given = env[ENV.cursorSecret];
    if (given === undefined || given === '') {
      throw new Error(
        `no cursor signing secret: set ${ENV.cursorSecretArn} (a Secrets Manager secret) or ${ENV.cursorSecret}`,
      );
    }
    return given;
  }
  // Imported here, not at the top: read once per execution environment, only where a secret ARN is set, so the
  // client stays out of the code compiled at cold start (a chunk of its own in the bundle).
  const { GetSecretValueCommand, SecretsManagerClient } = await import('./secrets-manager-sdk.ts');
  const client = new SecretsManagerClient({
    requestHandler: { connectionTimeout: 3_000, requestTimeout: 10_000 },
  });
  try {
    const { SecretString } = await client.send(new GetSecretValueCommand({ SecretId: secretArn }));
    if (SecretString === undefined) {
      throw new Error(`the cursor signing secret ${secretArn} has no string value`);
    }
    return SecretString;
  } finally {
    client.destroy();
  }
}

/**
 * Throws (and so refuses to serve) when the table, bucket or a long enough cursor secret is missing, or the
 * secret named by ENV.cursorSecretArn cannot be read.
 */
export async function buildQueryHandler(
  env: NodeJS.ProcessEnv = process.env,
  logger?: QueryLogger,
): Promise<QueryHandler> {
  const config = loadConfig(env);
  const names = {
    bucketName: required(config.bucketName, 'bucketName'),
    tableName: required(config.tableName, 'tableName'),
  };
  const cursorSecret = await loadCursorSecret(env);
  // The read side only: the article writer (and the S3 and DynamoDB commands it sends) stays out of the bundle.
  // S3 on the first article read: lists, sources and /openapi.json are answered without loading its SDK.
  const options = { s3: s3ClientOnFirstUse({}, process.env), dynamodb: createDynamoDbClient(), ...names };
  return createQueryHandler({
    reader: new AwsArticleReader(options),
    sources: new AwsSourceRegistry(options),
    clusters: new AwsClusterIndex(options),
    cursorSecret,
    ...(logger ? { logger } : {}),
  });
}
