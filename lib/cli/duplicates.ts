import { startEmbeddedStack } from '../embedded/stack.ts';
import { listDuplicates } from '../handlers/duplicates.ts';
import { DEFAULT_DATA_DIR } from './ingest.ts';
import { type CliIO, parseCliArgs, UsageError } from './io.ts';

/**
 * `articles duplicates ID [--data-dir DIR]`: the article's near-duplicate cluster in the embedded store, as one
 * JSON object: its cluster ({id, role, similarity}) and the other members (id, site, url, role, similarity,
 * firstSeenAt), first seen first. Exit 1 when there is no such article.
 */
export async function run(args: string[], io: CliIO): Promise<number> {
  const parsed = parseCliArgs(args, OPTIONS);
  const [id, ...extra] = parsed.positionals;
  if (id === undefined || extra.length > 0) throw new UsageError('give exactly one article id');
  if (!/^[0-9a-f]{64}$/.test(id)) {
    throw new UsageError('an article id is 64 lowercase hex characters (the SHA-256 of its canonical URL)');
  }
  const stack = await startEmbeddedStack({
    dataDir: parsed.values['data-dir'] ?? DEFAULT_DATA_DIR,
    sources: [],
    port: false,
    logLevel: 'SILENT',
  });
  try {
    const list = await listDuplicates(stack.reader, stack.clusters, id);
    if (!list) {
      io.stderr(`no article with id ${id}`);
      return 1;
    }
    io.stdout(JSON.stringify(list));
    return 0;
  } finally {
    await stack.stop();
  }
}

const OPTIONS = { 'data-dir': { type: 'string' } } as const;
