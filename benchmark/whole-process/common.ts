// Shared by the whole-process runners (benchmark/whole-process/*.ts, bundled by benchmark/whole-process/measure.ts
// and run as `node runner.mjs MANIFEST OUTPUT`): reads the {"url", "file"} lines of MANIFEST, extracts each page
// in order, one at a time, and writes one JSON line per page to OUTPUT. No timing here: the parent times the
// whole process from spawn to exit.
import { closeSync, openSync, readFileSync, writeSync } from 'node:fs';

export interface PageRef {
  url: string;
  file: string;
}

/** The {"url", "file"} lines of a manifest. */
export function readManifest(path: string): PageRef[] {
  return readFileSync(path, 'utf8')
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as PageRef);
}

export function runPages(extractPage: (page: PageRef) => unknown): void {
  const [manifest, output] = process.argv.slice(2);
  if (!manifest || !output) {
    process.stderr.write('usage: node runner.mjs MANIFEST OUTPUT\n');
    process.exit(2);
  }
  const pages = readManifest(manifest);
  const fd = openSync(output, 'w');
  try {
    for (const page of pages) {
      let line: unknown;
      try {
        line = extractPage(page);
      } catch (error) {
        line = { url: page.url, error: { code: 'THREW', message: (error as Error).message } };
      }
      writeSync(fd, `${JSON.stringify(line)}\n`);
    }
  } finally {
    closeSync(fd);
  }
}
