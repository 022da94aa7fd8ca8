import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: [
      'shared/src/**/*.test.ts',
      'nodes/src/**/*.test.ts',
      'engine/src/**/*.test.ts',
      'editor/src/**/*.test.ts?(x)',
      'test/**/*.test.ts',
    ],
    testTimeout: 30_000,
    pool: 'forks',
    // The run's own TMPDIR, a folder per test file in it, removed at the end (test/run-tmpdir.ts).
    globalSetup: ['test/leftovers.global.ts'],
    setupFiles: ['test/tmpdir.setup.ts'],
  },
});
