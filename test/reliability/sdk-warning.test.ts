import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { expect, it } from 'vitest';
import { SDK_NODE_VERSION_WARNING_SWITCH } from '../../lib/runtime/sdk-warning.ts';
import { cliCommand } from '../helpers/cli-process.ts';

const run = promisify(execFile);

// Issue 14: every start and ingest printed the AWS SDK's 8-line NodeVersionSupportWarning. The entry points
// switch off exactly that warning; other warnings still reach the console.
it('articles ingest prints no NodeVersionSupportWarning, and other warnings still print', async () => {
  const dataDir = await mkdtemp(join(tmpdir(), 'sdk-warning-'));
  // As a user's shell would run it: without the switch the test setup sets for this process.
  const env: NodeJS.ProcessEnv = { ...process.env, NODE_OPTIONS: '' };
  delete env[SDK_NODE_VERSION_WARNING_SWITCH];
  try {
    // A loopback URL without --allow-private-network: the store starts (SDK clients are made), nothing is fetched.
    const result = await run(
      process.execPath,
      cliCommand('articles', 'ingest', 'http://127.0.0.1:9/x', '--data-dir', dataDir),
      { env },
    ).catch((error: { stdout: string; stderr: string; code: number }) => error);
    expect(result.stdout).toMatch(/BLOCKED_ADDRESS/);
    expect(result.stderr).not.toMatch(/NodeVersionSupportWarning/);

    const other = await run(
      process.execPath,
      [
        '--import',
        'tsx',
        '-e',
        "await import('./lib/runtime/sdk-warning.ts'); process.emitWarning('keep me');",
      ],
      { env, cwd: fileURLToPath(new URL('../..', import.meta.url)) },
    );
    expect(other.stderr).toMatch(/Warning: keep me/);
  } finally {
    await rm(dataDir, { recursive: true, force: true });
  }
});

// The benchmarks printed it too. Every benchmark entry that reaches the SDK (the store, the embedded stack or a
// client) switches it off before its first import, as the bin/ entry points do.
it('every benchmark that reaches the AWS SDK switches the warning off before anything else', () => {
  const root = fileURLToPath(new URL('../..', import.meta.url));
  const scripts = Object.values(
    (JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { scripts: Record<string, string> })
      .scripts,
  );
  const entries = new Set(
    scripts.flatMap((script) => [...script.matchAll(/benchmark\/[\w-]+\.ts/g)].map((m) => m[0])),
  );
  const reachingSdk = [...entries].filter((entry) =>
    /from '(@aws-sdk\/|\.\.\/lib\/(store|embedded|handlers)\/|\.\/cost-meter)/.test(
      readFileSync(join(root, entry), 'utf8'),
    ),
  );
  expect(reachingSdk.length).toBeGreaterThanOrEqual(4);
  for (const entry of reachingSdk) {
    const firstImport = /^import [^;]*;/m.exec(readFileSync(join(root, entry), 'utf8'))?.[0];
    expect({ entry, firstImport }).toEqual({ entry, firstImport: "import '../lib/runtime/sdk-warning.ts';" });
  }
});
