import { relative } from 'node:path';
import { configDefaults, defineConfig } from 'vitest/config';
import { BaseSequencer, type TestSpecification } from 'vitest/node';

/**
 * Test files named `*.ci.test.ts` run only in CI (`.ci/run`, with CI_ONLY_TESTS=1), not in `npm test`, which must
 * stay under its time budget (developers' guide: 90 s on 2 cores). Put a test there only when CI already checks the
 * same thing another way or it costs seconds of CPU on its own; run one locally with
 * `CI_ONLY_TESTS=1 npx vitest run test/path/name.ci.test.ts`.
 */
const CI_ONLY_TESTS = 'test/**/*.ci.test.ts';

/**
 * The files that take longest (CPU and child processes; TEST_CPU_REPORT measures them) start first, so the two
 * workers end together instead of one finishing a long file alone. vitest orders by the durations of the last run
 * when it has them, but a fresh clone has none and starts the largest files first, and these are mostly short.
 */
const LONGEST_FIRST = [
  'test/reliability/restart.test.ts',
  'test/cdk/bundled-handlers.test.ts',
  'test/embedded/stack.test.ts',
  'test/store/article-store.test.ts',
  'test/extract/content.test.ts',
  'test/cdk/template.test.ts',
  'test/cdk/nag.test.ts',
  'test/api/query.integration.test.ts',
  'test/handlers/pipeline.test.ts',
  'test/reliability/list-memory.test.ts',
];

class LongestFirstSequencer extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const rank = (file: TestSpecification) => {
      const index = LONGEST_FIRST.indexOf(relative(file.project.config.root, file.moduleId));
      return index === -1 ? LONGEST_FIRST.length : index;
    };
    return (await super.sort(files)).sort((a, b) => rank(a) - rank(b));
  }
}

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    exclude:
      process.env.CI_ONLY_TESTS === '1' ? configDefaults.exclude : [...configDefaults.exclude, CI_ONLY_TESTS],
    // A hang, not slowness, should fail a test: with six engineers on 2 cores (load ~20) tests that take ~5 s quiet
    // (list-memory, content's 5 MB page, embedded/stack's worker thread) reached 20-30 s.
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // Two workers on a 2-core machine: vitest's default (cores - 1) ran every file in one process while most
    // integration tests wait on loopback servers and child processes, leaving a core idle.
    maxWorkers: 2,
    // Files share a worker's module cache: each file no longer re-imports aws-cdk-lib, the AWS SDK and cheerio
    // (measured: ~23% less CPU for the whole suite). Test files restore any process state they change.
    isolate: false,
    sequence: { sequencer: LongestFirstSequencer },
    globalSetup: ['test/global-setup.ts'],
    setupFiles: ['test/setup.ts'],
  },
});
