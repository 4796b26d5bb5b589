// Bundle size and cold start of each Lambda, as `cdk synth` builds them (the re-extraction job's function with the
// same options): the bytes a cold start compiles (index.mjs and the chunks it imports statically), the bytes the
// zip holds (with the chunks loaded by `await import()` on first use), and the time to import() index.mjs in a
// fresh Node process (median of several rounds, each importing every function once), beside a peer imported in the
// same rounds: the smallest function on the same SDK (benchmark/bundles-peer.ts). Each with @aws-sdk/* bundled
// (the default) and external (loaded from node_modules, as the runtime would load its own).
// Run: npm run bench:bundles [-- --no-write] (--check: the CI gate, bytes only)
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { gzipSync } from 'node:zlib';
import type { Metafile } from 'esbuild';
import { createApp } from '../lib/cdk/app.ts';
import { synthesizedFunctions } from '../lib/cdk/assembly.ts';
import { FUNCTION_NAMES, lambdaEntry, PROJECT_ROOT } from '../lib/cdk/bundling.ts';
import { bundleLambda } from '../lib/cdk/lambda-bundle.ts';
import { REEXTRACT_ENTRY } from '../lib/cdk/reextract-job.ts';
import { SDK_NODE_VERSION_WARNING_SWITCH } from '../lib/runtime/sdk-warning.ts';
import { writeResultSection } from './report.ts';

const RUNS = Number(process.env.BENCH_RUNS ?? 9);
const BUDGET_BYTES = 500 * 1024;
const BUDGET_IMPORT_MS = 150;
const PEER_ENTRY = fileURLToPath(new URL('./bundles-peer.ts', import.meta.url));

const MEASURED = [...FUNCTION_NAMES, 'reextract'] as const;
type Measured = (typeof MEASURED)[number] | 'peer';

interface Measurement {
  variant: string;
  fn: Measured;
  /** index.mjs and the chunks it imports statically: what a cold start reads and compiles. */
  bundleBytes: number;
  gzipBytes: number;
  /** Every .mjs in the function's folder: the cold-start bytes and the chunks loaded on first use. */
  totalBytes: number;
  chunks: number;
  sourceMapBytes: number;
  importMsMedian: number;
  importMsMin: number;
  importMsMax: number;
  /**
   * CPU time (user + system, every thread of the process) the import took, median: on a loaded machine the wall
   * time also counts the waits for a core, this does not.
   */
  importCpuMsMedian: number;
  /** The peer's median import in the same rounds (every function and the peer imported once per round). */
  peerImportMsMedian: number;
  processMsMedian: number;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

interface ImportRun {
  importMs: number;
  importCpuMs: number;
  processMs: number;
}

/** One fresh process: import the bundle, print how long the import took (wall and CPU). */
function timeImport(bundleFile: string): ImportRun {
  const code = `const c=process.cpuUsage(),t=performance.now();await import(${JSON.stringify(pathToFileURL(bundleFile).href)});const w=performance.now()-t,u=process.cpuUsage(c);process.stdout.write(JSON.stringify([w,(u.user+u.system)/1000]));`;
  const started = process.hrtime.bigint();
  const output = execFileSync(process.execPath, ['--input-type=module', '-e', code], {
    encoding: 'utf8',
    // Placeholders: the handlers build their clients on the first invocation, not at import.
    // The local Node may be older than the functions' runtime (24): the SDK's warning about it is noise here.
    env: { PATH: process.env.PATH ?? '', AWS_REGION: 'us-east-1', [SDK_NODE_VERSION_WARNING_SWITCH]: 'true' },
  });
  const processMs = Number(process.hrtime.bigint() - started) / 1e6;
  const [importMs, importCpuMs] = JSON.parse(output) as [number, number];
  return { importMs, importCpuMs, processMs };
}

/** The files a function's folder ships, and which of them its index.mjs loads before the handler runs. */
function bundleFiles(dir: string): { all: string[]; coldStart: string[] } {
  const all = (readdirSync(dir, { recursive: true }) as string[])
    .filter((file) => file.endsWith('.mjs'))
    .map((file) => join(dir, file));
  const coldStart = new Set<string>();
  // esbuild writes static imports of chunks as `from"./chunks/x.mjs"` (or `import"./chunks/x.mjs"`) at the top level.
  const visit = (file: string) => {
    if (coldStart.has(file)) return;
    coldStart.add(file);
    const text = readFileSync(file, 'utf8');
    for (const match of text.matchAll(/(?:from|import)\s*"(\.\.?\/[^"]+\.mjs)"/g)) {
      visit(join(file, '..', match[1] as string));
    }
  };
  visit(join(dir, 'index.mjs'));
  return { all, coldStart: [...coldStart] };
}

type ImportRuns = Record<Measured, ImportRun[]>;

/**
 * RUNS rounds; each round imports every function and the peer once, in an order rotated by one each round. All of
 * them are then timed under the same machine conditions: timed one after another (each with its own peer runs),
 * a function measured while the machine was slower looked slower than the others (at load 1.5-1.9 the peer's
 * median moved from 66 to 96 ms between functions' slots).
 */
function timeImportsInRounds(files: Record<Measured, string>): ImportRuns {
  const order = [...MEASURED, 'peer' as const];
  for (const fn of order) timeImport(files[fn]); // warm the file cache; not counted
  const runs = Object.fromEntries(order.map((fn) => [fn, []])) as unknown as ImportRuns;
  for (let round = 0; round < RUNS; round++) {
    for (let i = 0; i < order.length; i++) {
      const fn = order[(round + i) % order.length] as Measured;
      runs[fn].push(timeImport(files[fn]));
    }
  }
  return runs;
}

function measureBundle(
  variant: string,
  fn: Measured,
  dir: string,
  runs: ImportRuns[Measured],
  peerRuns: ImportRuns[Measured],
): Measurement {
  const bundleFile = join(dir, 'index.mjs');
  const { all, coldStart } = bundleFiles(dir);
  const cold = Buffer.concat(coldStart.map((file) => readFileSync(file)));
  const imports = runs.map((run) => run.importMs);
  let sourceMapBytes = 0;
  try {
    sourceMapBytes = statSync(`${bundleFile}.map`).size;
  } catch {}
  return {
    variant,
    fn,
    bundleBytes: cold.length,
    gzipBytes: gzipSync(cold).length,
    totalBytes: all.reduce((sum, file) => sum + statSync(file).size, 0),
    chunks: all.length - 1,
    sourceMapBytes,
    importMsMedian: median(imports),
    importMsMin: Math.min(...imports),
    importMsMax: Math.max(...imports),
    importCpuMsMedian: median(runs.map((run) => run.importCpuMs)),
    peerImportMsMedian: median(peerRuns.map((run) => run.importMs)),
    processMsMedian: median(runs.map((run) => run.processMs)),
  };
}

async function measureVariant(variant: string, bundleAwsSdk: boolean): Promise<Measurement[]> {
  // Inside the repository, so that an external @aws-sdk/* resolves from node_modules as the runtime's would.
  mkdirSync(join(PROJECT_ROOT, 'cdk.out'), { recursive: true });
  const outdir = mkdtempSync(join(PROJECT_ROOT, 'cdk.out', `bench-${variant}-`));
  try {
    const { app, stack } = createApp({ app: { outdir }, pipeline: { bundling: { bundleAwsSdk } } });
    app.synth();
    const functions = synthesizedFunctions(stack, outdir);
    const dirs: Record<Measured, string> = {
      crawl: functions.crawl.assetDir,
      ingest: functions.ingest.assetDir,
      query: functions.query.assetDir,
      reextract: join(outdir, 'reextract-bundle'),
      peer: join(outdir, 'peer-bundle'),
    };
    // Not located in the assembly (a step of the job's state machine): built with the options synth uses.
    for (const [fn, entry] of [
      ['reextract', REEXTRACT_ENTRY],
      ['peer', PEER_ENTRY],
    ] as const) {
      await bundleLambda({ entry, outdir: dirs[fn], bundleAwsSdk, sourceMap: false });
    }
    const files = Object.fromEntries(
      Object.entries(dirs).map(([fn, dir]) => [fn, join(dir, 'index.mjs')]),
    ) as Record<Measured, string>;
    const runs = timeImportsInRounds(files);
    return [...MEASURED, 'peer' as const].map((fn) =>
      measureBundle(variant, fn, dirs[fn], runs[fn], runs.peer),
    );
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
}

const kb = (bytes: number) => `${(bytes / 1024).toFixed(1)} KB`;
const ms = (value: number) => `${value.toFixed(1)} ms`;

type Parts = Array<[string, number]>;

/** Bytes in the minified output per package (or folder of this repository), largest first. */
function groupByPackage(inputs: Array<[string, number]>): Parts {
  const groups = new Map<string, number>();
  for (const [path, bytes] of inputs) {
    const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(path)?.[1] ?? path.split('/').slice(0, 2).join('/');
    groups.set(pkg, (groups.get(pkg) ?? 0) + bytes);
  }
  return [...groups].sort((a, b) => b[1] - a[1]);
}

/** What each default bundle is made of, at cold start and in the chunks loaded on first use (esbuild's metafile). */
interface Composition {
  coldStart: Parts;
  onFirstUse: Parts;
  /** The outputs' bytes: loaded at cold start, and in all. */
  coldStartBytes: number;
  totalBytes: number;
}

async function composition(fn: (typeof MEASURED)[number]): Promise<Composition> {
  mkdirSync(join(PROJECT_ROOT, 'cdk.out'), { recursive: true });
  const outdir = mkdtempSync(join(PROJECT_ROOT, 'cdk.out', `bench-meta-${fn}-`));
  try {
    const metafile: Metafile = await bundleLambda({
      entry: fn === 'reextract' ? REEXTRACT_ENTRY : lambdaEntry(fn),
      outdir,
      bundleAwsSdk: true,
      sourceMap: false,
    });
    const entry = Object.keys(metafile.outputs).find((file) => file.endsWith('/index.mjs'));
    const loadedAtStart = new Set<string>();
    const visit = (file: string) => {
      if (loadedAtStart.has(file) || !metafile.outputs[file]) return;
      loadedAtStart.add(file);
      for (const imported of metafile.outputs[file].imports) {
        if (imported.kind === 'import-statement') visit(imported.path);
      }
    };
    if (entry) visit(entry);
    const inputs = (atStart: boolean) =>
      Object.entries(metafile.outputs)
        .filter(([file]) => loadedAtStart.has(file) === atStart)
        .flatMap(([, output]) =>
          Object.entries(output.inputs).map(([path, input]): [string, number] => [
            relative(PROJECT_ROOT, path),
            input.bytesInOutput,
          ]),
        );
    const outputs = Object.entries(metafile.outputs);
    return {
      coldStart: groupByPackage(inputs(true)),
      onFirstUse: groupByPackage(inputs(false)),
      coldStartBytes: outputs
        .filter(([file]) => loadedAtStart.has(file))
        .reduce((sum, [, output]) => sum + output.bytes, 0),
      totalBytes: outputs.reduce((sum, [, output]) => sum + output.bytes, 0),
    };
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
}
const TOP = 8;
const compositions = Object.fromEntries(
  await Promise.all(MEASURED.map(async (fn) => [fn, await composition(fn)] as const)),
) as Record<(typeof MEASURED)[number], Composition>;

/**
 * `--check` (CI): no timing, only the bytes a cold start compiles, against ceilings a little above the measured
 * figures, so that a static import of what only some invocations need (the HTML parser, an SDK client) fails.
 */
const COLD_START_CEILING_KB: Record<(typeof MEASURED)[number], number> = {
  crawl: 368,
  ingest: 418,
  query: 355,
  reextract: 410,
};
if (process.argv.includes('--check')) {
  const over = MEASURED.filter((fn) => compositions[fn].coldStartBytes > COLD_START_CEILING_KB[fn] * 1024);
  for (const fn of MEASURED) {
    const { coldStartBytes, totalBytes } = compositions[fn];
    console.log(
      `${fn}: cold start ${kb(coldStartBytes)} (ceiling ${COLD_START_CEILING_KB[fn]} KB), zip ${kb(totalBytes)}`,
    );
  }
  if (over.length > 0) {
    console.error(`over the cold-start ceiling: ${over.join(', ')}`);
    process.exit(1);
  }
  process.exit(0);
}

const loadBefore = loadavg()[0] ?? 0;
const measurements = [
  ...(await measureVariant('sdk-bundled', true)),
  ...(await measureVariant('sdk-external', false)),
];

const rows = measurements.map((m) =>
  [
    m.fn,
    m.variant === 'sdk-bundled' ? '`@aws-sdk/*` bundled (default)' : '`@aws-sdk/*` external',
    kb(m.bundleBytes),
    kb(m.gzipBytes),
    `${kb(m.totalBytes)} (${m.chunks})`,
    `${ms(m.importMsMedian)} (${ms(m.importMsMin)}–${ms(m.importMsMax)})`,
    m.fn === 'peer' ? '–' : `${(m.importMsMedian / m.peerImportMsMedian).toFixed(2)}x`,
    ms(m.importCpuMsMedian),
    ms(m.processMsMedian),
    m.fn === 'peer'
      ? '–'
      : m.bundleBytes < BUDGET_BYTES && m.importMsMedian < BUDGET_IMPORT_MS
        ? 'yes'
        : 'no',
  ].join(' | '),
);
const parts = (list: Parts) =>
  list
    .slice(0, TOP)
    .map(([name, bytes]) => `${name} ${kb(bytes)}`)
    .join(', ');
const markdown = [
  `Bundles built by \`cdk synth\` (esbuild, minified ESM, target node24; reextract, the job's function, and the peer`,
  'with the same options). Cold start: index.mjs and the chunks it imports statically, what a cold start compiles;',
  'zip: every .mjs shipped (chunks in brackets), the rest loaded by `await import()` on first use (the HTML parser',
  "and extractor, the Secrets Manager client, the SDK's own optional parts). Import: `await import()` of index.mjs",
  `in a fresh Node ${process.version} process, median of ${RUNS} rounds (min–max); each round imports every function`,
  'and the peer once, in an order rotated each round, so all are timed under the same conditions. Peer:',
  'benchmark/bundles-peer.ts (one DynamoDB GetItem through lib-dynamodb, bundled alike: the floor any function on',
  'this SDK pays); vs peer: the median over the peer median of the same rounds. Import CPU: user + system time of',
  'the import (all threads), median; a loaded machine stretches wall times with waits for a core, not this. Process: the whole',
  '`node` start-to-exit. With the SDK external, the import also loads `@aws-sdk/*` from node_modules, as the',
  `Lambda runtime loads its own copy. Budget: cold start < ${BUDGET_BYTES / 1024} KB and import < ${BUDGET_IMPORT_MS} ms per function.`,
  `Machine load (1-minute load average, ${cpus().length} cores): ${loadBefore.toFixed(1)} before, ${loadavg()[0]?.toFixed(1)} after;`,
  'timings on a busy machine are upper bounds: the ratio to the peer is the steadier figure.',
  '',
  '| function | variant | cold start | gzip | zip (chunks) | import (median, min–max) | vs peer | import CPU | process | within budget |',
  '| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |',
  ...rows.map((row) => `| ${row} |`),
  '',
  `Headroom left under the ${BUDGET_BYTES / 1024} KB budget (default variant) and the ${TOP} largest parts of each`,
  "bundle, bytes in the minified output per package (or folder of this repository), from esbuild's metafile:",
  '',
  '| function | headroom | largest parts at cold start | largest parts loaded on first use |',
  '| --- | --- | --- | --- |',
  ...MEASURED.map((fn) => {
    const bundled = measurements.find((m) => m.fn === fn && m.variant === 'sdk-bundled');
    const headroom = bundled ? kb(BUDGET_BYTES - bundled.bundleBytes) : '?';
    return `| ${fn} | ${headroom} | ${parts(compositions[fn].coldStart)} | ${parts(compositions[fn].onFirstUse)} |`;
  }),
].join('\n');

// --no-write: print the tables only (a measurement during development), leaving RESULTS.md as it is.
if (!process.argv.includes('--no-write'))
  writeResultSection({
    name: '60-bundles',
    title: 'Lambda bundles: size and cold import',
    command: 'npm run bench:bundles',
    markdown,
    data: {
      loadAverage: { before: loadBefore, after: loadavg()[0] },
      runs: RUNS,
      budget: { bytes: BUDGET_BYTES, importMs: BUDGET_IMPORT_MS },
      measurements,
      composition: compositions,
    },
  });
console.log(markdown);
