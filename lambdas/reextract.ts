// The re-extraction job's Lambda: the list, part and summarize steps of the state machine in
// lib/cdk/reextract-job.ts (lib/handlers/reextract-job.ts). Only the entry point lives here.
import type { Context } from 'aws-lambda';
import { loadConfig, required } from '../lib/config.ts';
import { buildReextractService } from '../lib/handlers/build-reextract.ts';
import { createLogger } from '../lib/handlers/logging.ts';
import { createReextractJob } from '../lib/handlers/reextract-job.ts';

const logger = createLogger({ handler: 'reextract' });
const config = loadConfig();
let built: ReturnType<typeof buildReextractService> | undefined;

export const handler = async (event: unknown, context?: Context): Promise<unknown> => {
  if (context) logger.addContext(context);
  built ??= buildReextractService({ config, logger });
  const job = createReextractJob({
    service: built.service,
    reader: built.articles,
    s3: built.s3,
    jobBucketName: required(config.reextractJobBucket, 'reextractJobBucket'),
    ...(context ? { remainingMs: () => context.getRemainingTimeInMillis() } : {}),
  });
  return job.handle(event);
};
