// Whole-process speed: for each system, a fresh `node` process reads every page from disk, extracts it and writes
// one JSON line per page to a file; the parent times it from spawn to exit (process start, module loading, reading,
// extraction, output), several times. Every system runs as plain JS bundled by esbuild (ours pays no TypeScript
// compilation); our CLI as users run it (`npx tsx bin/articles.ts extract --jsonl`) is an extra, informative row.
// Each round also runs every system once with no pages, which times start, module loading and exit alone.
// Used by benchmark/extraction.ts; no test depends on any of this.
import { spawnSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { build, type Plugin } from 'esbuild';

export const PROJECT_ROOT = fileURLToPath(new URL('../../', import.meta.url));

export interface WholeProcessPage {
  id: string;
  url: string;
  file: string;
}

export interface WholeProcessOptions {
  pages: WholeProcessPage[];
  /** Timed runs per system. */
  runs: number;
  jsdom: boolean;
  cli: boolean;
  log?: (message: string) => void;
}

export interface WholeProcessResult {
  key: string;
  label: string;
  /** How the process is started (bundles are named by their entry file). */
  command: string;
  /** Bytes of the esbuild bundle the process loads, for the bundled systems. */
  bundleBytes?: number;
  runsMs: number[];
  medianMs: number;
  minMs: number;
  /** Pages divided by the median wall time. */
  pagesPerSecond: number;
  /** Median wall time / our bundled runner's median wall time. */
  ratio: number;
  /** Median wall time of the same process given no pages: start, module loading and exit only. */
  startupMedianMs: number;
  /** Output lines that are errors (pages on which the system failed or threw). */
  errorLines: number;
  /** The extracted text per page, in page order, from the first timed run (for scoring). */
  texts: string[];
}

interface System {
  key: string;
  label: string;
  /** Entry file under benchmark/whole-process/ for bundled systems; undefined for the CLI. */
  entry?: string;
  warmUp: boolean;
}

const BANNER =
  "import { createRequire as __benchCreateRequire } from 'module';const require = __benchCreateRequire(import.meta.url);";

/**
 * Some dependencies (jsdom, css-tree) read their own data files at run time relative to their source file
 * (__dirname, import.meta.url, require.resolve('./x')). In a bundle those would point at the temporary directory,
 * so they are pinned to the file's real location in node_modules; the code itself stays in the bundle.
 */
const pinNodeModulePaths: Plugin = {
  name: 'pin-node-module-paths',
  setup(pluginBuild) {
    pluginBuild.onLoad({ filter: /[\\/]node_modules[\\/].*\.(?:c?js|mjs)$/ }, async (args) => {
      let source = await readFile(args.path, 'utf8');
      if (!/import\.meta\.url|__dirname|__filename|require\.resolve\(/.test(source)) return undefined;
      const dir = dirname(args.path);
      source = source
        .replaceAll('import.meta.url', JSON.stringify(pathToFileURL(args.path).href))
        .replace(/require\.resolve\((["'])(\.\.?\/[^"']+)\1\)/g, (_match, _quote, relative: string) =>
          JSON.stringify(resolve(dir, relative)),
        );
      const declarations: string[] = [];
      if (/\b__dirname\b/.test(source) && !/(?:const|let|var)\s+__dirname\b/.test(source)) {
        declarations.push(`var __dirname = ${JSON.stringify(dir)};`);
      }
      if (/\b__filename\b/.test(source) && !/(?:const|let|var)\s+__filename\b/.test(source)) {
        declarations.push(`var __filename = ${JSON.stringify(args.path)};`);
      }
      return { contents: `${declarations.join('')}${source}`, loader: 'js', resolveDir: dir };
    });
  },
};

export async function bundle(entry: string, outfile: string): Promise<number> {
  await build({
    entryPoints: [fileURLToPath(new URL(`./${entry}`, import.meta.url))],
    outfile,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    banner: { js: BANNER },
    plugins: [pinNodeModulePaths],
    logLevel: 'error',
  });
  return statSync(outfile).size;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

/** Runs one process to completion; returns its wall time from spawn to exit in milliseconds. */
function timeProcess(
  command: string,
  args: string[],
  stdinFile: string | undefined,
  outputFile: string,
): number {
  const stdin = stdinFile === undefined ? 'ignore' : openSync(stdinFile, 'r');
  const stdout = openSync(outputFile, 'w');
  try {
    const started = process.hrtime.bigint();
    const result = spawnSync(command, args, {
      cwd: PROJECT_ROOT,
      stdio: [stdin, stdout, 'pipe'],
      maxBuffer: 64 * 1024 * 1024,
    });
    const wallMs = Number(process.hrtime.bigint() - started) / 1e6;
    if (result.error) throw result.error;
    if (result.status !== 0) {
      throw new Error(
        `${command} ${args.join(' ')} exited with ${result.status ?? result.signal}: ${String(result.stderr).slice(-2000)}`,
      );
    }
    return wallMs;
  } finally {
    if (typeof stdin === 'number') closeSync(stdin);
    closeSync(stdout);
  }
}

function readOutput(file: string, expectedLines: number): { texts: string[]; errorLines: number } {
  const lines = readFileSync(file, 'utf8')
    .split('\n')
    .filter((line) => line.trim() !== '');
  if (lines.length !== expectedLines) {
    throw new Error(`${file}: ${lines.length} output lines for ${expectedLines} pages`);
  }
  let errorLines = 0;
  const texts = lines.map((line) => {
    const value = JSON.parse(line) as { error?: unknown; content?: { text?: string }; textContent?: string };
    if (value.error !== undefined) errorLines++;
    return value.content?.text ?? value.textContent ?? '';
  });
  return { texts, errorLines };
}

export async function measureWholeProcess(options: WholeProcessOptions): Promise<WholeProcessResult[]> {
  const log = options.log ?? (() => {});
  const systems: System[] = [
    { key: 'ours', label: 'ours: extract() (bundled runner)', entry: 'ours.ts', warmUp: true },
    {
      key: 'readability-linkedom',
      label: '@mozilla/readability 0.6 + linkedom (bundled runner)',
      entry: 'readability-linkedom.ts',
      warmUp: true,
    },
  ];
  // jsdom takes the better part of a minute per run, so it gets no warm-up run (the page files are cached by then).
  if (options.jsdom) {
    systems.push({
      key: 'readability-jsdom',
      label: '@mozilla/readability 0.6 + jsdom (bundled runner)',
      entry: 'readability-jsdom.ts',
      warmUp: false,
    });
  }
  if (options.cli) {
    systems.push({
      key: 'cli',
      label: 'ours: `npx tsx bin/articles.ts extract --jsonl` (CLI as users run it)',
      warmUp: true,
    });
  }

  const dir = mkdtempSync(join(tmpdir(), 'bench-whole-process-'));
  try {
    const manifest = join(dir, 'pages.jsonl');
    const emptyManifest = join(dir, 'no-pages.jsonl');
    writeFileSync(emptyManifest, '');
    writeFileSync(
      manifest,
      options.pages.map((page) => `${JSON.stringify({ url: page.url, file: page.file })}\n`).join(''),
    );
    const commands = new Map<string, { command: string; args: string[]; stdin?: string; shown: string }>();
    const bundleBytes = new Map<string, number>();
    for (const system of systems) {
      const output = join(dir, `${system.key}.out.jsonl`);
      if (system.entry) {
        const outfile = join(dir, `${system.key}.mjs`);
        bundleBytes.set(system.key, await bundle(system.entry, outfile));
        commands.set(system.key, {
          command: process.execPath,
          args: [outfile, manifest, output],
          shown: `node ${system.key}.mjs PAGES OUTPUT (esbuild bundle of benchmark/whole-process/${system.entry})`,
        });
      } else {
        commands.set(system.key, {
          command: 'npx',
          args: ['tsx', 'bin/articles.ts', 'extract', '--jsonl'],
          stdin: manifest,
          shown: 'npx tsx bin/articles.ts extract --jsonl < PAGES > OUTPUT',
        });
      }
    }
    const runOnce = (system: System, pages = manifest): number => {
      const { command, args, stdin } = commands.get(system.key)!;
      return timeProcess(
        command,
        args.map((arg) => (arg === manifest ? pages : arg)),
        stdin === undefined ? undefined : pages,
        join(dir, `${system.key}.out.jsonl`),
      );
    };

    log(`whole process: warm-up (${systems.filter((system) => system.warmUp).length} systems) ...`);
    for (const system of systems) if (system.warmUp) runOnce(system);

    // Round-robin, so that a change in machine load over the runs touches every system alike.
    const runsMs = new Map<string, number[]>(systems.map((system) => [system.key, []]));
    const startupMs = new Map<string, number[]>(systems.map((system) => [system.key, []]));
    const outputs = new Map<string, { texts: string[]; errorLines: number }>();
    for (let round = 0; round < options.runs; round++) {
      log(`whole process: run ${round + 1} of ${options.runs} ...`);
      for (const system of systems) {
        runsMs.get(system.key)!.push(runOnce(system));
        if (round === 0) {
          outputs.set(system.key, readOutput(join(dir, `${system.key}.out.jsonl`), options.pages.length));
        }
        startupMs.get(system.key)!.push(runOnce(system, emptyManifest));
      }
    }

    const oursMedian = median(runsMs.get('ours')!);
    return systems.map((system) => {
      const runs = runsMs.get(system.key)!;
      const medianMs = median(runs);
      const output = outputs.get(system.key)!;
      return {
        key: system.key,
        label: system.label,
        command: commands.get(system.key)!.shown,
        ...(bundleBytes.has(system.key) && { bundleBytes: bundleBytes.get(system.key)! }),
        runsMs: runs,
        medianMs,
        minMs: Math.min(...runs),
        pagesPerSecond: (options.pages.length * 1000) / medianMs,
        ratio: medianMs / oursMedian,
        startupMedianMs: median(startupMs.get(system.key)!),
        errorLines: output.errorLines,
        texts: output.texts,
      };
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
