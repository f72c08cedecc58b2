import { defineConfig } from 'vitest/config';

// Tests start real Temporal dev servers and redis-server processes: give them time, and let the global setup
// provision binaries and reap anything left behind. Two files at a time: a full-stack file spends most of its wall
// time waiting on polls and timers, so two of them share 2 cores well (every port is free-picked, every process is
// owned by its file). The suite must stay ≤ 12 minutes on 2 cores (README).
export default defineConfig({
  test: {
    include: [
      'test/**/*.test.ts',
      'common/**/*.test.ts',
      'redis/**/*.test.ts',
      'dcs/**/*.test.ts',
      'emulator/**/*.test.ts',
      'workflows/**/*.test.ts',
      'activities/**/*.test.ts',
      'client/**/*.test.ts',
      'worker/**/*.test.ts',
      'verify/**/*.test.ts',
      'local/**/*.test.ts',
      'codec/**/*.test.ts',
      'stack/**/*.test.ts',
    ],
    testTimeout: 120_000,
    hookTimeout: 180_000,
    pool: 'forks',
    fileParallelism: true,
    maxWorkers: 2,
    globalSetup: ['test/harness/global-setup.ts'],
    // The slowest files after the summary: test time is a budget (README: ≤ 12 minutes on 2 cores).
    reporters: ['default', './test/harness/slowest-files-reporter.ts'],
  },
});
