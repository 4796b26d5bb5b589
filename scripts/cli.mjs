#!/usr/bin/env node
// Runs a bundled entry point (`node scripts/cli.mjs articles|start ARGS...`), building it first when the bundle
// is missing or older than any TypeScript source. `npm run articles` and `npm start` go through here, so each
// call costs a Node start and a bundle load (~0.1 s) instead of compiling every file through tsx (~0.9 s).
// `npm ci` builds both (the `prepare` script); a later edit is picked up by the freshness check.
import { existsSync, readdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
export const ENTRY_POINTS = { articles: 'bin/articles.ts', start: 'bin/start.ts' };
export const OUT_DIR = join(root, 'dist', 'cli');
const SOURCE_DIRS = ['bin', 'lib', 'lambdas'];

function newestSource() {
  let newest = statSync(join(root, 'package.json')).mtimeMs;
  const walk = (dir) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (entry.name.endsWith('.ts')) newest = Math.max(newest, statSync(path).mtimeMs);
    }
  };
  for (const dir of SOURCE_DIRS) walk(join(root, dir));
  return newest;
}

export async function buildCli() {
  const { build } = await import('esbuild');
  await build({
    entryPoints: Object.fromEntries(
      Object.entries(ENTRY_POINTS).map(([name, path]) => [name, join(root, path)]),
    ),
    outdir: OUT_DIR,
    outExtension: { '.js': '.mjs' },
    bundle: true,
    splitting: true, // commands load their code on use, so `--help` reads only the entry chunk
    format: 'esm',
    platform: 'node',
    target: 'node20',
    packages: 'external', // dependencies load from node_modules as they would under tsx
    sourcemap: 'linked',
    logLevel: 'warning',
  });
}

export function isFresh(name) {
  const bundle = join(OUT_DIR, `${name}.mjs`);
  return existsSync(bundle) && statSync(bundle).mtimeMs >= newestSource();
}

const isMain = process.argv[1] !== undefined && pathToFileURL(process.argv[1]).href === import.meta.url;
if (isMain) {
  const [name, ...args] = process.argv.slice(2);
  if (name === '--build') {
    await buildCli();
  } else if (name in ENTRY_POINTS) {
    if (!isFresh(name)) await buildCli();
    process.argv = [process.argv[0], join(OUT_DIR, `${name}.mjs`), ...args];
    process.setSourceMapsEnabled(true);
    await import(pathToFileURL(join(OUT_DIR, `${name}.mjs`)).href);
  } else {
    process.stderr.write(`usage: node scripts/cli.mjs articles|start|--build [ARGS...]\n`);
    process.exitCode = 2;
  }
}
