import { mkdir, mkdtemp } from 'node:fs/promises';
import { basename, extname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

/** The repository root: the working directory the commands expect. */
export const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const CLI_SCRIPT = fileURLToPath(new URL('../../scripts/cli.mjs', import.meta.url));

/**
 * Arguments for `process.execPath` that run a command the way `npm run articles` and `npm start` do: through
 * scripts/cli.mjs, which loads the esbuild bundle in dist/cli (built by `npm ci`; brought up to date before the tests
 * by test/global-setup.ts). A process so started costs ~1 s of CPU less than `node --import tsx bin/….ts`, which
 * compiles every source first (and `node_modules/.bin/tsx` adds a second Node process).
 *
 *   await execFile(process.execPath, cliCommand('articles', 'extract', file), { cwd: ROOT });
 */
export function cliCommand(name: 'articles' | 'start', ...args: string[]): string[] {
  return [CLI_SCRIPT, name, ...args];
}

/** Rebuilds the CLI bundles when a source is newer (scripts/cli.mjs would, in every process that finds them stale). */
export async function ensureCliBundles(): Promise<void> {
  const cli = (await import(pathToFileURL(CLI_SCRIPT).href)) as {
    buildCli(): Promise<void>;
    isFresh(name: string): boolean;
  };
  if (!cli.isFresh('articles') || !cli.isFresh('start')) await cli.buildCli();
}

/**
 * Bundles a TypeScript script (a test's child-process fixture) with esbuild into one .mjs under dist/test,
 * dependencies left in node_modules as for dist/cli, so the test runs it with plain `node`: ~1 s of CPU less per
 * process than `node --import tsx`. Each call writes a file of its own; returns its path.
 */
export async function bundleScript(entry: string): Promise<string> {
  const { build } = await import('esbuild');
  await mkdir(join(ROOT, 'dist', 'test'), { recursive: true });
  const outdir = await mkdtemp(join(ROOT, 'dist', 'test', `${basename(entry, extname(entry))}-`));
  const outfile = join(outdir, 'index.mjs');
  await build({
    entryPoints: [entry],
    outfile,
    bundle: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    packages: 'external',
    logLevel: 'warning',
  });
  return outfile;
}
