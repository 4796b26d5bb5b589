#!/usr/bin/env node
// The article-pipeline CLI: `npm run -s articles -- <command> [options]`.
import '../lib/runtime/sdk-warning.ts';
import { type CliCommand, type CliIO, processIO, UsageError } from '../lib/cli/io.ts';
import { SOURCES_USAGE } from '../lib/cli/sources-usage.ts';

const COMMANDS: Record<string, { summary: string; load: () => Promise<{ run: CliCommand }> }> = {
  extract: {
    summary: 'extract FILE [--url URL] | extract --jsonl',
    load: () => import('../lib/cli/extract.ts'),
  },
  fetch: {
    summary: 'fetch URL [--extract] [--allow-private-network]',
    load: () => import('../lib/cli/fetch.ts'),
  },
  discover: {
    summary: 'discover SOURCE_URL [--since DATE] [--allow-private-network]',
    load: () => import('../lib/cli/discover.ts'),
  },
  ingest: {
    summary: 'ingest URL... [--data-dir DIR] [--allow-private-network] [--force]',
    load: () => import('../lib/cli/ingest.ts'),
  },
  reextract: {
    summary:
      'reextract [--data-dir DIR | --stack NAME] [--site S] [--since DATE] [--extractor-below VERSION] [--dry-run] [--restart]',
    load: () => import('../lib/cli/reextract.ts'),
  },
  duplicates: {
    summary: 'duplicates ID [--data-dir DIR]',
    load: () => import('../lib/cli/duplicates.ts'),
  },
  sources: {
    summary: SOURCES_USAGE,
    load: () => import('../lib/cli/sources.ts'),
  },
};

function usage(): string {
  const lines = Object.values(COMMANDS).map((command) => `  articles ${command.summary}`);
  return ['usage:', ...lines].join('\n');
}

export async function main(argv: string[], io: CliIO = processIO): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    io.stderr(usage());
    return name === undefined ? 2 : 0;
  }
  const command = COMMANDS[name];
  if (command === undefined) {
    io.stderr(`articles: unknown command ${JSON.stringify(name)}\n${usage()}`);
    return 2;
  }
  try {
    const { run } = await command.load();
    return await run(rest, io);
  } catch (error) {
    if (error instanceof UsageError) {
      io.stderr(`articles ${name}: ${error.message}\n${usage()}`);
      return 2;
    }
    io.stderr(`articles ${name}: ${error instanceof Error ? error.message : String(error)}`);
    return 1;
  }
}

process.exitCode = await main(process.argv.slice(2));
