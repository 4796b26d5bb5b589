import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { expect, it } from 'vitest';

// Issue 14: every `articles` call compiled TypeScript through tsx first (~0.9 s). `npm run articles` and
// `npm start` now run esbuild bundles (built by `npm ci`'s prepare step, rebuilt when a source is newer).
const ROOT = fileURLToPath(new URL('../..', import.meta.url));

it('npm run articles runs the bundled CLI: --help answers with the usage, no TypeScript loader involved', async () => {
  const { stdout, stderr } = await promisify(execFile)(
    process.execPath,
    ['scripts/cli.mjs', 'articles', '--help'],
    {
      cwd: ROOT,
      env: { ...process.env, NODE_OPTIONS: '' },
    },
  );
  const usage = stdout + stderr; // usage goes to stderr, as for bad arguments
  expect(usage).toMatch(/^usage:\n {2}articles extract FILE/);
  expect(usage).toMatch(/articles ingest URL\.\.\. .*--force/);
});
