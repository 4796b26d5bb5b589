import { articleIdForUrl } from '../core/url.ts';
import { type EmbeddedStackOptions, startEmbeddedStack } from '../embedded/stack.ts';
import type { IngestOutcome } from '../handlers/ingest.ts';
import type { ArticleReader } from '../store/types.ts';
import { type CliIO, parseCliArgs, UsageError } from './io.ts';

export const DEFAULT_DATA_DIR = '.data';

/**
 * `articles ingest URL... [--data-dir DIR] [--allow-private-network] [--force]`: ingests the URLs once into the
 * embedded store (the same data `npm start` serves) and prints one JSON line per URL. Exit 1 when any URL failed.
 * --force fetches without validators and rewrites a stored copy that is missing or damaged (status "repaired").
 * `settings` overrides the embedded stack's fetcher (tests shorten the per-host interval; the code path is the same).
 */
export async function run(
  args: string[],
  io: CliIO,
  settings: Pick<EmbeddedStackOptions, 'fetcher'> = {},
): Promise<number> {
  const parsed = parseCliArgs(args, OPTIONS);
  const urls = parsed.positionals;
  if (urls.length === 0) throw new UsageError('give at least one URL');
  const stack = await startEmbeddedStack({
    ...settings,
    dataDir: parsed.values['data-dir'] ?? DEFAULT_DATA_DIR,
    sources: [],
    port: false,
    allowPrivateNetwork: parsed.values['allow-private-network'] ?? false,
    logLevel: 'SILENT',
  });
  let failed = 0;
  try {
    for (const url of urls) {
      const options = { force: parsed.values.force ?? false };
      let outcome = await stack.ingest.ingest({ url }, options);
      // A one-shot command may wait for a host's turn (the queue-driven handler puts the message back instead).
      while (outcome.status === 'deferred') {
        await new Promise((resolve) => setTimeout(resolve, outcome.retryAfterMs ?? 1000));
        outcome = await stack.ingest.ingest({ url }, options);
      }
      if (outcome.status === 'failed') failed++;
      io.stdout(JSON.stringify(await describe(outcome, stack.reader)));
    }
    await stack.bus.drain();
  } finally {
    await stack.stop();
  }
  return failed > 0 ? 1 : 0;
}

const OPTIONS = {
  'data-dir': { type: 'string' },
  'allow-private-network': { type: 'boolean' },
  force: { type: 'boolean' },
} as const;

/**
 * One output line. A 304 carries no page: its id comes from the crawl state (or, failing that, the requested
 * URL) and its version from the stored record.
 */
async function describe(outcome: IngestOutcome, reader: ArticleReader): Promise<Record<string, unknown>> {
  let { id, version } = outcome;
  if (outcome.status === 'unchanged' && version === undefined) {
    const record = await reader.getRecord(id ?? articleIdForUrl(outcome.url)).catch(() => undefined);
    id = record?.id ?? id;
    version = record?.version;
  }
  return {
    ...(id === undefined ? {} : { id }),
    url: outcome.url,
    ...(version === undefined ? {} : { version }),
    status: outcome.repaired ? 'repaired' : outcome.status,
    ...(outcome.pageType === undefined ? {} : { pageType: outcome.pageType }),
    ...(outcome.error ? { error: outcome.error } : {}),
  };
}
