// Settings the Lambda entry points and the embedded stack share when they build handlers from configuration.
import type { PipelineConfig } from '../config.ts';
import type { FetchOptions } from '../core/fetch/index.ts';

/** Fetch settings shared by every wiring: one quick retry in the fetcher, then SQS redelivery takes over. */
export function pipelineFetchOptions(config: PipelineConfig): FetchOptions {
  return {
    userAgent: config.userAgent,
    allowPrivateNetwork: config.allowPrivateNetwork,
    allowedOrigins: config.allowedOrigins,
    retries: 1,
    timeoutMs: 20_000,
  };
}

/** Region and credentials from a given environment, so a wiring need not mutate process.env. */
export function awsClientConfig(env: NodeJS.ProcessEnv) {
  if (env === process.env) return {};
  const region = env.AWS_REGION;
  const accessKeyId = env.AWS_ACCESS_KEY_ID;
  const secretAccessKey = env.AWS_SECRET_ACCESS_KEY;
  return {
    ...(region ? { region } : {}),
    ...(accessKeyId && secretAccessKey ? { credentials: { accessKeyId, secretAccessKey } } : {}),
  };
}
