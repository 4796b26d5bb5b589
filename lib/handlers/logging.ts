import { Logger } from '@aws-lambda-powertools/logger';
import { ENV } from '../config.ts';

export const DEFAULT_SERVICE_NAME = 'article-pipeline';

/**
 * The structured JSON logger every handler uses. Powertools reads POWERTOOLS_LOG_LEVEL and
 * POWERTOOLS_SERVICE_NAME (named in lib/config.ts ENV) itself; the options here only set defaults.
 */
export function createLogger(options: {
  handler: string;
  logLevel?: 'DEBUG' | 'INFO' | 'WARN' | 'ERROR' | 'SILENT';
}): Logger {
  return new Logger({
    serviceName: process.env[ENV.serviceName] ?? DEFAULT_SERVICE_NAME,
    ...(options.logLevel === undefined ? {} : { logLevel: options.logLevel }),
    persistentKeys: { handler: options.handler },
  });
}

/** The part of the logger the handlers call; tests pass a silent or capturing stand-in. */
export type HandlerLogger = Pick<Logger, 'debug' | 'info' | 'warn' | 'error'>;
