import { discover } from '../core/discover/index.ts';
import { toPipelineError } from '../core/errors.ts';
import { FETCHER_FLAGS, fetcherConfigFromFlags, nonNegativeInteger } from './fetch.ts';
import { type CliIO, parseCliArgs, UsageError } from './io.ts';

const OPTIONS = {
  ...FETCHER_FLAGS,
  since: { type: 'string' },
  'allow-other-sites': { type: 'boolean' },
  'max-urls': { type: 'string' },
} as const;

/**
 * `articles discover SOURCE_URL [--since DATE] [--allow-private-network] [--allowed-origin ORIGIN]...
 * [--allow-other-sites] [--max-urls N] [--user-agent UA] [--ignore-robots]`: one JSON line per article URL
 * ({url, publishedAt?, modifiedAt?, via}); skipped child documents are reported on stderr.
 * Failures print {"url","error":{"code","message"}} and exit 1.
 */
export async function run(args: string[], io: CliIO): Promise<number> {
  const { values, positionals } = parseCliArgs(args, OPTIONS);
  if (positionals.length !== 1) throw new UsageError('discover takes exactly one SOURCE_URL');
  const sourceUrl = positionals[0] ?? '';
  let since: Date | undefined;
  if (values.since !== undefined) {
    since = new Date(values.since);
    if (Number.isNaN(since.getTime()))
      throw new UsageError(`--since is not a date: ${JSON.stringify(values.since)}`);
  }
  const fetcherConfig = fetcherConfigFromFlags(values);
  // Parsed before the try: a bad flag is a usage error (exit 2), not a discovery failure.
  const maxUrls = nonNegativeInteger(values['max-urls'], '--max-urls');
  try {
    const urls = await discover(sourceUrl, {
      ...fetcherConfig,
      allowOtherSites: values['allow-other-sites'] === true,
      maxUrls,
      since,
      onWarning: ({ url, error }) => io.stderr(`skipped ${url}: ${error.code}: ${error.message}`),
    });
    for (const entry of urls) io.stdout(JSON.stringify(entry));
    return 0;
  } catch (caught) {
    const error = toPipelineError(caught);
    io.stdout(JSON.stringify({ url: sourceUrl, error: { code: error.code, message: error.message } }));
    return 1;
  }
}
