// Per-stage timers for extract() in a fresh process (bundled and run like the whole-process runners:
// `node stages.mjs MANIFEST [PASSES]`): the pages go through the same stages extract() runs, each timed
// on its own, first cold (the first pass pays JIT warm-up, module initialisation and inline caches) and then warm.
// Times are CPU time of the process (user + system, so other processes on a loaded machine count less than in wall
// time); garbage collection falls on whichever stage triggers it. Diagnosis only; prints one line per pass.
import { readFileSync } from 'node:fs';
import { extractContent } from '../../lib/core/extract/content.ts';
import { decodeHtml, limitNesting, MAX_NESTING_DEPTH, parseHtml } from '../../lib/core/extract/index.ts';
import { extractMetadata } from '../../lib/core/extract/metadata.ts';
import { classifyPageType } from '../../lib/core/extract/page-type.ts';
import { extractByPageType } from '../../lib/core/extract/page-types/index.ts';
import { readManifest } from './common.ts';

const [manifest, passesArg] = process.argv.slice(2);
if (!manifest) {
  process.stderr.write('usage: node stages.mjs MANIFEST [PASSES]\n');
  process.exit(2);
}
const pages = readManifest(manifest);
const passes = Number(passesArg ?? 2);
const now = new Date();

const STAGES = ['read', 'decode', 'nesting', 'parse', 'metadata', 'pageType', 'content'];
for (let pass = 0; pass < passes; pass++) {
  const totals = new Map<string, number>(STAGES.map((stage) => [stage, 0]));
  const cpuMs = () => {
    const usage = process.cpuUsage();
    return (usage.user + usage.system) / 1000;
  };
  let mark = cpuMs();
  const lap = (stage: string) => {
    const at = cpuMs();
    totals.set(stage, totals.get(stage)! + at - mark);
    mark = at;
  };
  for (const page of pages) {
    mark = cpuMs();
    const bytes = new Uint8Array(readFileSync(page.file));
    lap('read');
    const html = decodeHtml(bytes);
    lap('decode');
    const limited = limitNesting(html, MAX_NESTING_DEPTH);
    lap('nesting');
    const $ = parseHtml(limited);
    lap('parse');
    const pageUrl = new URL(page.url);
    const metadata = extractMetadata($, pageUrl, { now });
    lap('metadata');
    const pageType = classifyPageType($, pageUrl);
    lap('pageType');
    const options = { pageUrl, title: metadata.title };
    extractByPageType(pageType, $, options, () => extractContent($, options));
    lap('content');
    // extract() would also validate the Article (zod) and the runner write it as JSON: both are left out here,
    // since building the Article again would warm every stage twice as fast as a real run does.
  }
  const timed = [...totals.values()].reduce((a, b) => a + b, 0);
  const row = STAGES.map((stage) => `${stage} ${totals.get(stage)!.toFixed(0)}`).join('  ');
  console.log(
    `pass ${pass + 1} (${pass === 0 ? 'cold' : 'warm'}): ${row}  | stages ${timed.toFixed(0)} ms, ${(timed / pages.length).toFixed(1)} CPU ms/page`,
  );
}
