// The ingest Lambda: SQS batch of URLs → fetch, extract, store, announce.
// Only the entry point lives here; lib/handlers/build-ingest.ts builds the service from configuration.
import type { Context, SQSBatchResponse } from 'aws-lambda';
import { loadConfig } from '../lib/config.ts';
import { buildIngestService } from '../lib/handlers/build-ingest.ts';
import type { IngestService } from '../lib/handlers/ingest.ts';
import { createLogger } from '../lib/handlers/logging.ts';

const logger = createLogger({ handler: 'ingest' });
let service: IngestService | undefined;

export const handler = async (event: unknown, context?: Context): Promise<SQSBatchResponse> => {
  if (context) logger.addContext(context);
  service ??= buildIngestService({ config: loadConfig(), logger });
  return service.handler(event);
};
