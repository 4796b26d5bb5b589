// vitest globalSetup: runs once in the main process before any test file. The CLI bundles that process tests
// spawn (test/helpers/cli-process.ts) are rebuilt here when stale, so two workers never rebuild them at once.
import { ensureCliBundles } from './helpers/cli-process.ts';

export async function setup(): Promise<void> {
  await ensureCliBundles();
}
