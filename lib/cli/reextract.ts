import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { loadConfig } from '../config.ts';
import { PipelineError } from '../core/errors.ts';
import { isExtractorVersion, type ReextractCounts } from '../core/reextract.ts';
import type { CheckpointStore, ReextractCheckpoint, ReextractSelection } from '../handlers/reextract.ts';
import { normalizeTimestamp } from '../store/layout.ts';
import { DEFAULT_DATA_DIR } from './ingest.ts';
import { type CliIO, parseCliArgs, UsageError } from './io.ts';

/** The embedded run's checkpoint, in the data directory beside the store it walks. */
export const CHECKPOINT_FILE = 'reextract-checkpoint.json';
const PROGRESS_INTERVAL_MS = 1_000;

/**
 * `articles reextract`: runs the current extractor again over the stored raw pages of the selected articles.
 * Embedded (`--data-dir`, the default): here, with progress on stderr and a JSON summary on stdout; a stopped run
 * (Ctrl-C finishes the batch in flight) started again with the same selection carries on from its checkpoint.
 * `--stack NAME`: starts the deployed stack's re-extraction state machine and prints the execution.
 */
export async function run(args: string[], io: CliIO): Promise<number> {
  const parsed = parseCliArgs(args, OPTIONS);
  const { values } = parsed;
  if (parsed.positionals.length > 0) throw new UsageError('reextract takes no operands');
  if (values['data-dir'] !== undefined && values.stack !== undefined) {
    throw new UsageError('give one of --data-dir or --stack');
  }
  const selection = parseSelection(values);
  if (values.stack !== undefined) {
    const { startReextractJob } = await import('./reextract-aws.ts');
    io.stdout(JSON.stringify(await startReextractJob(values.stack, selection)));
    return 0;
  }
  return runEmbedded(values['data-dir'] ?? DEFAULT_DATA_DIR, selection, values.restart ?? false, io);
}

const OPTIONS = {
  'data-dir': { type: 'string' },
  stack: { type: 'string' },
  site: { type: 'string' },
  since: { type: 'string' },
  'extractor-below': { type: 'string' },
  'dry-run': { type: 'boolean' },
  restart: { type: 'boolean' },
} as const;

export function parseSelection(values: {
  site?: string;
  since?: string;
  'extractor-below'?: string;
  'dry-run'?: boolean;
}): ReextractSelection {
  const selection: ReextractSelection = {};
  if (values.site !== undefined) {
    if (values.site.trim() === '') throw new UsageError('--site must be a domain, e.g. example.com');
    selection.site = values.site.trim().toLowerCase();
  }
  if (values.since !== undefined) {
    try {
      // A bare date means its start, UTC.
      const since = /^\d{4}-\d{2}-\d{2}$/.test(values.since) ? `${values.since}T00:00:00Z` : values.since;
      selection.since = normalizeTimestamp(since, '--since');
    } catch (error) {
      if (error instanceof PipelineError) throw new UsageError(error.message);
      throw error;
    }
  }
  const below = values['extractor-below'];
  if (below !== undefined) {
    if (!isExtractorVersion(below)) {
      throw new UsageError(`--extractor-below must be a version like 1.2.0, got ${JSON.stringify(below)}`);
    }
    selection.extractorBelow = below;
  }
  if (values['dry-run']) selection.dryRun = true;
  return selection;
}

async function runEmbedded(
  dataDir: string,
  selection: ReextractSelection,
  restart: boolean,
  io: CliIO,
): Promise<number> {
  const [{ startEmbeddedStack }, { buildReextractService }, { createLogger }] = await Promise.all([
    import('../embedded/stack.ts'),
    import('../handlers/build-reextract.ts'),
    import('../handlers/logging.ts'),
  ]);
  const stack = await startEmbeddedStack({ dataDir, sources: [], port: false, logLevel: 'SILENT' });
  const abort = new AbortController();
  const stop = () => {
    io.stderr('reextract: stopping after the batch in flight (run again to carry on)');
    abort.abort();
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  try {
    const { service } = buildReextractService({
      config: loadConfig(stack.env),
      env: stack.env,
      events: stack.bus,
      logger: createLogger({ handler: 'reextract', logLevel: 'SILENT' }),
    });
    const started = performance.now();
    let lastReport = 0;
    const summary = await service.run({
      selection,
      checkpoints: fileCheckpoints(join(dataDir, CHECKPOINT_FILE)),
      restart,
      signal: abort.signal,
      onProgress: (counts) => {
        const elapsed = performance.now() - started;
        if (elapsed - lastReport < PROGRESS_INTERVAL_MS) return;
        lastReport = elapsed;
        io.stderr(`reextract: ${progressLine(counts, elapsed / 1000)}`);
      },
    });
    await stack.bus.drain();
    io.stderr(
      `reextract: ${summary.complete ? 'done' : 'stopped'}: ${progressLine(summary, summary.seconds)}`,
    );
    io.stdout(JSON.stringify(summary));
    return summary.failed > 0 || !summary.complete ? 1 : 0;
  } finally {
    process.off('SIGINT', stop);
    process.off('SIGTERM', stop);
    await stack.stop();
  }
}

export function progressLine(counts: ReextractCounts, seconds: number): string {
  const rate = seconds > 0 ? ` (${(counts.scanned / seconds).toFixed(1)}/s)` : '';
  const failures = Object.entries(counts.failedByCode)
    .map(([code, count]) => `${code} ${count}`)
    .join(', ');
  return (
    `${counts.scanned} scanned, ${counts.changed} changed, ${counts.unchanged} unchanged, ` +
    `${counts.skipped} skipped, ${counts.failed} failed${failures ? ` (${failures})` : ''}${rate}`
  );
}

/** The checkpoint as a JSON file, replaced atomically (write then rename) so a kill never leaves half of one. */
export function fileCheckpoints(path: string): CheckpointStore {
  return {
    async load() {
      let text: string;
      try {
        text = await readFile(path, 'utf8');
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
        throw error;
      }
      try {
        return JSON.parse(text) as ReextractCheckpoint;
      } catch {
        throw new PipelineError(
          'BAD_REQUEST',
          `${path} is not a reextract checkpoint; remove it or pass --restart`,
        );
      }
    },
    async save(checkpoint) {
      await mkdir(join(path, '..'), { recursive: true });
      const temporary = `${path}.tmp`;
      await writeFile(temporary, `${JSON.stringify(checkpoint)}\n`);
      await rename(temporary, path);
    },
  };
}
