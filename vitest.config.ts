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
    globalSetup: ['test/leftovers.global.ts'],
  },
});
