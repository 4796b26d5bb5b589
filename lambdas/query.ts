// The query Lambda: API Gateway HTTP API (payload v2) → the query handler over the S3 + DynamoDB store.
// Only the entry point lives here; lib/handlers/build-query.ts builds the handler from configuration.
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import { buildQueryHandler } from '../lib/handlers/build-query.ts';
import { createLogger } from '../lib/handlers/logging.ts';
import type { QueryHandler } from '../lib/handlers/query.ts';

const logger = createLogger({ handler: 'query' });
/** Built on the first invocation and kept for the life of the execution environment. */
let queryHandler: Promise<QueryHandler> | undefined;

export const handler = async (
  event: APIGatewayProxyEventV2,
  context?: Context,
): Promise<APIGatewayProxyStructuredResultV2> => {
  if (context) logger.addContext(context);
  queryHandler ??= buildQueryHandler(process.env, logger).catch((error: unknown) => {
    // Not cached: the next invocation tries again (a Secrets Manager hiccup must not poison the environment).
    queryHandler = undefined;
    logger.error('query handler misconfigured', error as Error);
    throw error;
  });
  return (await queryHandler)(event);
};
