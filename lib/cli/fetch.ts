import { loadConfig } from '../config.ts';
import { toPipelineError } from '../core/errors.ts';
import { extract } from '../core/extract/index.ts';
import {
  createFetcher,
  type FetcherConfig,
  type FetchTimings,
  fetchOptionsFromConfig,
} from '../core/fetch/index.ts';
import { type CliIO, parseCliArgs, UsageError } from './io.ts';

/** The flags `fetch` and `discover` share: what may be reached, as whom, and whether robots.txt is honoured. */
export const FETCHER_FLAGS = {
  'allow-private-network': { type: 'boolean' },
  'allowed-origin': { type: 'string', multiple: true },
  'user-agent': { type: 'string' },
  'ignore-robots': { type: 'boolean' },
} as const;

/** The fetcher settings from the environment (loadConfig), widened or overridden by FETCHER_FLAGS. */
export function fetcherConfigFromFlags(flags: {
  'allow-private-network'?: boolean;
  'allowed-origin'?: string[];
  'user-agent'?: string;
  'ignore-robots'?: boolean;
}): FetcherConfig {
  const config = fetchOptionsFromConfig(loadConfig());
  return {
    ...config,
    allowPrivateNetwork: flags['allow-private-network'] === true || config.allowPrivateNetwork,
    allowedOrigins: [...(config.allowedOrigins ?? []), ...(flags['allowed-origin'] ?? [])],
    userAgent: flags['user-agent'] ?? config.userAgent,
    respectRobots: flags['ignore-robots'] !== true,
  };
}

const OPTIONS = {
  ...FETCHER_FLAGS,
  extract: { type: 'boolean' },
  'timeout-ms': { type: 'string' },
  'max-bytes': { type: 'string' },
  retries: { type: 'string' },
} as const;

export function nonNegativeInteger(value: string | undefined, flag: string): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\d+$/.test(value))
    throw new UsageError(`${flag} must be a non-negative integer, got ${JSON.stringify(value)}`);
  return Number(value);
}

/**
 * `articles fetch URL [--extract] [--allow-private-network] [--allowed-origin ORIGIN]... [--user-agent UA]
 * [--ignore-robots] [--timeout-ms N] [--max-bytes N] [--retries N]`: one safe fetch, printed as one JSON line
 * (never the body), or the extracted Article. Failures print {"url","error":{"code","message"}} on stdout (for
 * scripts reading the JSON), a readable line on stderr (for the person at the terminal) and exit 1.
 */
export async function run(args: string[], io: CliIO): Promise<number> {
  const { values, positionals } = parseCliArgs(args, OPTIONS);
  if (positionals.length !== 1) throw new UsageError('fetch takes exactly one URL');
  const url = positionals[0] ?? '';
  const fetcher = createFetcher({
    ...fetcherConfigFromFlags(values),
    timeoutMs: nonNegativeInteger(values['timeout-ms'], '--timeout-ms'),
    maxBytes: nonNegativeInteger(values['max-bytes'], '--max-bytes'),
    retries: nonNegativeInteger(values.retries, '--retries'),
  });
  try {
    const result = await fetcher.fetch(url);
    if (values.extract !== true) {
      io.stdout(
        JSON.stringify({
          url: result.requestedUrl,
          finalUrl: result.url,
          status: result.status,
          notModified: result.notModified,
          contentType: result.contentType,
          charset: result.charset,
          bytes: result.body.byteLength,
          etag: result.etag,
          lastModified: result.lastModified,
          redirects: result.redirects,
          attempts: result.attempts,
          timings: roundTimings(result.timings),
        }),
      );
      return 0;
    }
    const extracted = extract({
      html: result.body,
      url: result.url,
      contentType: result.headers['content-type'],
    });
    if (!extracted.ok) throw extracted.error;
    io.stdout(JSON.stringify(extracted.value));
    return 0;
  } catch (caught) {
    const error = toPipelineError(caught);
    io.stdout(JSON.stringify({ url, error: { code: error.code, message: error.message } }));
    io.stderr(`articles fetch: ${url}: ${error.code}: ${error.message}`);
    return 1;
  }
}

function roundTimings(timings: FetchTimings): Record<string, number> {
  const rounded: Record<string, number> = {};
  for (const [name, value] of Object.entries(timings)) {
    if (value !== undefined) rounded[name] = Math.round(value * 10) / 10;
  }
  return rounded;
}
