// Whole-process speed in instructions, for a loaded machine: wall and CPU times there swing by 20-50 % from run to
// run, instruction counts by about 1 %. Each system's bundled runner (the same bundles as measure.ts) runs under
// `valgrind --tool=cachegrind` on the first N Zyte pages and on no pages; the instructions are split by where they
// run (V8's optimizing compiler, regular-expression compilation, garbage collection, everything else: JavaScript,
// builtins, parsing) and the ratio is taken per page, startup left out.
// The optimizing compiler runs on a background thread, so its share counts less in wall time; its amount also
// varies most between runs (it depends on when the background thread gets to run), hence the column without it.
// Diagnosis only (valgrind makes a run 30-50 times slower): `npx tsx benchmark/whole-process/instructions.ts
// [--pages 30]`. No test depends on this.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { BENCHMARKS_DIR, loadZyte } from '../corpora.ts';
import { bundle, PROJECT_ROOT } from './measure.ts';

const { values: args } = parseArgs({ options: { pages: { type: 'string', default: '30' } } });
const pageCount = Number.parseInt(args.pages, 10);
if (!Number.isInteger(pageCount) || pageCount < 1) {
  console.error(`--pages must be a positive whole number, got ${args.pages}`);
  process.exit(2);
}
if (spawnSync('valgrind', ['--version']).status !== 0) {
  console.error('valgrind is not installed (apt-get install valgrind)');
  process.exit(2);
}

/** Categories by the C++ function names V8 and its libraries report (JIT-compiled JavaScript has no name). */
const CATEGORIES: [name: string, pattern: RegExp][] = [
  ['optimizing compiler', /v8::internal::compiler::|Turbofan|OptimizedCompilationJob|maglev::/],
  // ICU also serves toLowerCase and normalize, but in these runs nearly all of it builds regexp character classes.
  [
    'regexp compile, ICU',
    /RegExp(?:Impl::Compile|Compiler|Parser|Bytecode|MacroAssembler|Node|ClassRanges|Text|Tree)|icu_\d+::|ucase_|u_charType|CharacterRange|TextNode::|ChoiceNode::|Trace::|QuickCheck/,
  ],
  [
    'garbage collection',
    /Scavenger|MarkCompact|heap::|Heap::|Sweeper|Marking|Evacuat|MinorMC|RememberedSet|SlotSet/,
  ],
];

interface Counts {
  total: number;
  byCategory: Map<string, number>;
}

function cachegrind(runner: string, manifest: string, dir: string, key: string): Counts {
  const out = join(dir, `${key}.cg`);
  const run = spawnSync(
    'valgrind',
    [
      '--tool=cachegrind',
      '--cache-sim=no',
      `--cachegrind-out-file=${out}`,
      process.execPath,
      runner,
      manifest,
      join(dir, `${key}.jsonl`),
    ],
    { cwd: PROJECT_ROOT, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 },
  );
  if (run.status !== 0)
    throw new Error(`cachegrind ${key} exited with ${run.status}: ${run.stderr.slice(-2000)}`);
  const annotated = spawnSync('cg_annotate', ['--threshold=0', out], {
    encoding: 'utf8',
    maxBuffer: 256 * 1024 * 1024,
  });
  if (annotated.status !== 0) throw new Error(`cg_annotate ${out}: ${annotated.stderr}`);
  const counts: Counts = { total: 0, byCategory: new Map() };
  for (const line of annotated.stdout.split('\n')) {
    const match = /^\s*([\d,]+) \(\s*[\d.]+%\)\s+(.*)$/.exec(line);
    if (!match) continue;
    const instructions = Number(match[1]!.replaceAll(',', ''));
    const name = match[2]!;
    if (name.includes('PROGRAM TOTALS')) {
      counts.total = instructions;
      continue;
    }
    const category = CATEGORIES.find(([, pattern]) => pattern.test(name))?.[0] ?? 'other';
    counts.byCategory.set(category, (counts.byCategory.get(category) ?? 0) + instructions);
  }
  return counts;
}

const pages = loadZyte().slice(0, pageCount);
const dir = mkdtempSync(join(tmpdir(), 'bench-instructions-'));
try {
  const manifest = join(dir, 'pages.jsonl');
  const noPages = join(dir, 'no-pages.jsonl');
  writeFileSync(
    manifest,
    pages
      .map(
        (page) =>
          `${JSON.stringify({ url: page.url, file: `${BENCHMARKS_DIR}article-extraction/html/${page.id}.html` })}\n`,
      )
      .join(''),
  );
  writeFileSync(noPages, '');
  const systems = [
    { key: 'ours', entry: 'ours.ts' },
    { key: 'readability-linkedom', entry: 'readability-linkedom.ts' },
  ];
  const rows: { key: string; withPages: Counts; startup: Counts }[] = [];
  for (const system of systems) {
    const runner = join(dir, `${system.key}.mjs`);
    await bundle(system.entry, runner);
    console.error(`instructions: ${system.key}, ${pages.length} pages and no pages under cachegrind ...`);
    const withPages = cachegrind(runner, manifest, dir, `${system.key}-pages`);
    const startup = cachegrind(runner, noPages, dir, `${system.key}-none`);
    rows.push({ key: system.key, withPages, startup });
  }
  const perPage = (row: (typeof rows)[number], category?: string) => {
    const of = (counts: Counts) =>
      category === undefined
        ? counts.total
        : category === 'all but optimizing compiler'
          ? counts.total - (counts.byCategory.get('optimizing compiler') ?? 0)
          : (counts.byCategory.get(category) ?? 0);
    return (of(row.withPages) - of(row.startup)) / pages.length;
  };
  const million = (value: number) => `${(value / 1e6).toFixed(1)} M`;
  console.log(
    `instructions per page over the first ${pages.length} Zyte pages (startup left out), cachegrind:`,
  );
  const columns = ['all', 'all but optimizing compiler', ...CATEGORIES.map(([name]) => name), 'other'];
  console.log(`  ${'system'.padEnd(22)}${columns.map((column) => column.padStart(28)).join('')}`);
  for (const row of rows) {
    const cells = columns.map((column) => million(perPage(row, column === 'all' ? undefined : column)));
    console.log(`  ${row.key.padEnd(22)}${cells.map((cell) => cell.padStart(28)).join('')}`);
  }
  const [ours, readability] = rows;
  console.log(
    `  ratio Readability / ours: ${(perPage(readability!) / perPage(ours!)).toFixed(2)}x all, ${(perPage(readability!, 'all but optimizing compiler') / perPage(ours!, 'all but optimizing compiler')).toFixed(2)}x without the optimizing compiler`,
  );
  console.log(
    `  startup (no pages): ours ${million(ours!.startup.total)}, Readability ${million(readability!.startup.total)}`,
  );
} finally {
  rmSync(dir, { recursive: true, force: true });
}
