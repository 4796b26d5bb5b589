// Bundle size and cold start of each Lambda, as `cdk synth` builds them: bytes of the bundle the runtime loads,
// and the time to import() it in a fresh Node process (median of several runs), with @aws-sdk/* bundled (the
// default) and external (loaded from node_modules, as the runtime would load its own). Run: npm run bench:bundles
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { gzipSync } from 'node:zlib';
import { createApp } from '../lib/cdk/app.ts';
import { synthesizedFunctions } from '../lib/cdk/assembly.ts';
import { FUNCTION_NAMES, type FunctionName, lambdaEntry, PROJECT_ROOT } from '../lib/cdk/bundling.ts';
import { bundleLambda } from '../lib/cdk/lambda-bundle.ts';
import { SDK_NODE_VERSION_WARNING_SWITCH } from '../lib/runtime/sdk-warning.ts';
import { writeResultSection } from './report.ts';

const RUNS = Number(process.env.BENCH_RUNS ?? 9);
const BUDGET_BYTES = 500 * 1024;
const BUDGET_IMPORT_MS = 150;

interface Measurement {
  variant: string;
  fn: FunctionName;
  bundleBytes: number;
  gzipBytes: number;
  sourceMapBytes: number;
  importMsMedian: number;
  importMsMin: number;
  importMsMax: number;
  processMsMedian: number;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

/** One fresh process: import the bundle, print how long the import took. */
function timeImport(bundleFile: string): { importMs: number; processMs: number } {
  const code = `const t=performance.now();await import(${JSON.stringify(pathToFileURL(bundleFile).href)});process.stdout.write(String(performance.now()-t));`;
  const started = process.hrtime.bigint();
  const output = execFileSync(process.execPath, ['--input-type=module', '-e', code], {
    encoding: 'utf8',
    // Placeholders: the handlers build their clients on the first invocation, not at import.
    // The local Node may be older than the functions' runtime (24): the SDK's warning about it is noise here.
    env: { PATH: process.env.PATH ?? '', AWS_REGION: 'us-east-1', [SDK_NODE_VERSION_WARNING_SWITCH]: 'true' },
  });
  const processMs = Number(process.hrtime.bigint() - started) / 1e6;
  return { importMs: Number(output.trim()), processMs };
}

function measureVariant(variant: string, bundleAwsSdk: boolean): Measurement[] {
  // Inside the repository, so that an external @aws-sdk/* resolves from node_modules as the runtime's would.
  mkdirSync(join(PROJECT_ROOT, 'cdk.out'), { recursive: true });
  const outdir = mkdtempSync(join(PROJECT_ROOT, 'cdk.out', `bench-${variant}-`));
  try {
    const { app, stack } = createApp({ app: { outdir }, pipeline: { bundling: { bundleAwsSdk } } });
    app.synth();
    const functions = synthesizedFunctions(stack, outdir);
    return FUNCTION_NAMES.map((fn) => {
      const { bundleFile } = functions[fn];
      const bytes = readFileSync(bundleFile);
      timeImport(bundleFile); // warm the file cache; not counted
      const runs = Array.from({ length: RUNS }, () => timeImport(bundleFile));
      const imports = runs.map((run) => run.importMs);
      let sourceMapBytes = 0;
      try {
        sourceMapBytes = statSync(`${bundleFile}.map`).size;
      } catch {}
      return {
        variant,
        fn,
        bundleBytes: bytes.length,
        gzipBytes: gzipSync(bytes).length,
        sourceMapBytes,
        importMsMedian: median(imports),
        importMsMin: Math.min(...imports),
        importMsMax: Math.max(...imports),
        processMsMedian: median(runs.map((run) => run.processMs)),
      };
    });
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
}

const kb = (bytes: number) => `${(bytes / 1024).toFixed(1)} KB`;
const ms = (value: number) => `${value.toFixed(1)} ms`;

const loadBefore = loadavg()[0] ?? 0;
const measurements = [...measureVariant('sdk-bundled', true), ...measureVariant('sdk-external', false)];

/** What dominates each default bundle: bytes per package (or lib/ folder) from esbuild's metafile. */
async function composition(fn: FunctionName): Promise<Array<[string, number]>> {
  const outdir = mkdtempSync(join(PROJECT_ROOT, 'cdk.out', `bench-meta-${fn}-`));
  try {
    const metafile = await bundleLambda({
      entry: lambdaEntry(fn),
      outdir,
      bundleAwsSdk: true,
      sourceMap: false,
    });
    const groups = new Map<string, number>();
    for (const output of Object.values(metafile.outputs)) {
      for (const [path, input] of Object.entries(output.inputs)) {
        const pkg =
          /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(path)?.[1] ?? path.split('/').slice(0, 2).join('/');
        groups.set(pkg, (groups.get(pkg) ?? 0) + input.bytesInOutput);
      }
    }
    return [...groups].sort((a, b) => b[1] - a[1]);
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
}
const TOP = 8;
const compositions = Object.fromEntries(
  await Promise.all(FUNCTION_NAMES.map(async (fn) => [fn, await composition(fn)] as const)),
) as Record<FunctionName, Array<[string, number]>>;

const rows = measurements.map((m) =>
  [
    m.fn,
    m.variant === 'sdk-bundled' ? '`@aws-sdk/*` bundled (default)' : '`@aws-sdk/*` external',
    kb(m.bundleBytes),
    kb(m.gzipBytes),
    `${ms(m.importMsMedian)} (${ms(m.importMsMin)}–${ms(m.importMsMax)})`,
    ms(m.processMsMedian),
    m.bundleBytes < BUDGET_BYTES && m.importMsMedian < BUDGET_IMPORT_MS ? 'yes' : 'no',
  ].join(' | '),
);
const markdown = [
  `Bundles built by \`cdk synth\` (esbuild, minified ESM, target node24). Import time: \`await import()\` of the`,
  `bundle in a fresh Node ${process.version} process, median of ${RUNS} runs (min–max); process: the whole`,
  `\`node\` start-to-exit. With the SDK external, the import also loads \`@aws-sdk/*\` from node_modules, as the`,
  `Lambda runtime loads its own copy. Budget: < ${BUDGET_BYTES / 1024} KB and < ${BUDGET_IMPORT_MS} ms per function.`,
  `Machine load (1-minute load average, ${cpus().length} cores): ${loadBefore.toFixed(1)} before, ${loadavg()[0]?.toFixed(1)} after;`,
  'timings on a busy machine are upper bounds, and the minimum is the steadiest figure.',
  '',
  '| function | variant | bundle | gzip | import (median, min–max) | process | within budget |',
  '| --- | --- | --- | --- | --- | --- | --- |',
  ...rows.map((row) => `| ${row} |`),
  '',
  `Headroom left under the ${BUDGET_BYTES / 1024} KB budget (default variant) and the ${TOP} largest parts of each`,
  "bundle, bytes in the minified output per package (or folder of this repository), from esbuild's metafile:",
  '',
  '| function | headroom | largest parts |',
  '| --- | --- | --- |',
  ...FUNCTION_NAMES.map((fn) => {
    const bundled = measurements.find((m) => m.fn === fn && m.variant === 'sdk-bundled');
    const headroom = bundled ? kb(BUDGET_BYTES - bundled.bundleBytes) : '?';
    const parts = compositions[fn].slice(0, TOP).map(([name, bytes]) => `${name} ${kb(bytes)}`);
    return `| ${fn} | ${headroom} | ${parts.join(', ')} |`;
  }),
].join('\n');

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
