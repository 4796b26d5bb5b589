import { configDefaults, defineConfig } from 'vitest/config';

/**
 * Test files named `*.ci.test.ts` run only in CI (`.ci/run`, with CI_ONLY_TESTS=1), not in `npm test`, which must
 * stay under its time budget (developers' guide: 90 s on 2 cores). Put a test there only when CI already checks the
 * same thing another way or it costs seconds of CPU on its own; run one locally with
 * `CI_ONLY_TESTS=1 npx vitest run test/path/name.ci.test.ts`.
 */
const CI_ONLY_TESTS = 'test/**/*.ci.test.ts';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    exclude:
      process.env.CI_ONLY_TESTS === '1' ? configDefaults.exclude : [...configDefaults.exclude, CI_ONLY_TESTS],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // Two workers on a 2-core machine: vitest's default (cores - 1) ran every file in one process while most
    // integration tests wait on loopback servers and child processes, leaving a core idle.
    maxWorkers: 2,
    // Files share a worker's module cache: each file no longer re-imports aws-cdk-lib, the AWS SDK and cheerio
    // (measured: ~23% less CPU for the whole suite). Test files restore any process state they change.
    isolate: false,
    globalSetup: ['test/global-setup.ts'],
    setupFiles: ['test/setup.ts'],
  },
});
