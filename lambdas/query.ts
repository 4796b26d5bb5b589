// The query Lambda: API Gateway HTTP API (payload v2) → the query handler over the S3 + DynamoDB store.
// Built from the environment named in lib/config.ts; the embedded stack serves the same handler on node:http.
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import { ENV, loadConfig, required } from '../lib/config.ts';
import { createLogger } from '../lib/handlers/logging.ts';
import { createQueryHandler, type QueryHandler } from '../lib/handlers/query.ts';
import { createAwsStoreFromEnv } from '../lib/store/aws/index.ts';

const logger = createLogger({ handler: 'query' });
let queryHandler: QueryHandler | undefined;

/** Throws (and so refuses to serve) when the table, bucket or a long enough cursor secret is missing. */
export function buildQueryHandler(env: NodeJS.ProcessEnv = process.env): QueryHandler {
  const config = loadConfig(env);
  const store = createAwsStoreFromEnv({
    bucketName: required(config.bucketName, 'bucketName'),
    tableName: required(config.tableName, 'tableName'),
  });
  return createQueryHandler({
    reader: store.articles,
    cursorSecret: env[ENV.cursorSecret] ?? '',
    logger,
  });
}

export const handler = async (
  event: APIGatewayProxyEventV2,
  context?: Context,
): Promise<APIGatewayProxyStructuredResultV2> => {
  if (context) logger.addContext(context);
  if (!queryHandler) {
    try {
      queryHandler = buildQueryHandler();
    } catch (error) {
      logger.error('query handler misconfigured', error as Error);
      throw error;
    }
  }
  return queryHandler(event);
};
