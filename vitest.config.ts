import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // Two workers on a 2-core machine: vitest's default (cores - 1) ran every file in one process while most
    // integration tests wait on loopback servers and child processes, leaving a core idle.
    maxWorkers: 2,
    // Files share a worker's module cache: each file no longer re-imports aws-cdk-lib, the AWS SDK and cheerio
    // (measured: ~23% less CPU for the whole suite). Test files restore any process state they change.
    isolate: false,
    setupFiles: ['test/setup.ts'],
  },
});
