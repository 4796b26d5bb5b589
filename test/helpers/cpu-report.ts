import { appendFileSync, readFileSync } from 'node:fs';
import { afterAll } from 'vitest';

/**
 * Per-file CPU, for finding what makes `npm test` slow on a shared machine, where wall times mean little:
 *   TEST_CPU_REPORT=/tmp/cpu.jsonl npx vitest run test/dir ...
 * appends one JSON line per test file: `self` (this worker's CPU seconds from the file's import to its last hook),
 * `children` (CPU of the child processes it waited for: spawned CLIs, bundlers) and `wall`. Module transforms
 * happen in vitest's main process and are not counted. With `isolate: false` a file also pays for the modules it
 * is the first in its worker to import.
 */
export function reportFileCpu(reportFile: string): void {
  const start = sample();
  // biome-ignore lint/correctness/noEmptyPattern: vitest reads the hook's first parameter as a fixture pattern
  afterAll(({}, suite) => {
    const end = sample();
    const line = {
      file: 'filepath' in suite ? suite.filepath : suite.name,
      self: round(end.self - start.self),
      children: round(end.children - start.children),
      wall: round(end.wall - start.wall),
    };
    appendFileSync(reportFile, `${JSON.stringify(line)}\n`);
  });
}

function sample() {
  const usage = process.cpuUsage();
  return {
    self: (usage.user + usage.system) / 1e6,
    children: waitedChildrenCpu(),
    wall: performance.now() / 1000,
  };
}

/** cutime + cstime from /proc/self/stat (Linux; 0 elsewhere). */
function waitedChildrenCpu(): number {
  try {
    const fields = readFileSync('/proc/self/stat', 'utf8').split(') ')[1]?.split(' ') ?? [];
    return (Number(fields[13]) + Number(fields[14])) / 100;
  } catch {
    return 0;
  }
}

function round(seconds: number): number {
  return Math.round(seconds * 100) / 100;
}
