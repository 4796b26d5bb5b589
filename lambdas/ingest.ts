// The ingest Lambda: SQS batch of URLs → fetch, extract, store, announce.
// Only the entry point lives here; lib/handlers/build-ingest.ts builds the service from configuration.
import type { Context, SQSBatchResponse } from 'aws-lambda';
import { loadConfig } from '../lib/config.ts';
import { buildIngestService } from '../lib/handlers/build-ingest.ts';
import type { IngestService } from '../lib/handlers/ingest.ts';
import { createLogger } from '../lib/handlers/logging.ts';
import { createMetrics, type PipelineMetrics } from '../lib/handlers/metrics.ts';

const logger = createLogger({ handler: 'ingest' });
let service: IngestService | undefined;
let metrics: PipelineMetrics | undefined;

export const handler = async (event: unknown, context?: Context): Promise<SQSBatchResponse> => {
  if (context) logger.addContext(context);
  if (service === undefined) {
    const config = loadConfig();
    const outcomes = createMetrics('ingest', {
      ...(config.metricsNamespace ? { namespace: config.metricsNamespace } : {}),
      siteDimension: config.siteMetrics,
    });
    metrics = outcomes;
    service = buildIngestService({ config, logger, onOutcome: (outcome) => outcomes.ingestOutcome(outcome) });
  }
  try {
    return await service.handler(event);
  } finally {
    // Outcomes per site, error code and outcome as EMF lines (lib/handlers/metrics.ts); the alarms read them.
    metrics?.flush();
  }
};
