/**
 * The root of every Redis key a test writes: `sluice-test-<run>` when the suite's global setup
 * tagged this run (test/leftovers.global.ts sets SLUICE_TEST_RUN), so the leftovers check of one
 * run never blames the live keys of another run sharing the same Redis.
 */
const run = process.env.SLUICE_TEST_RUN;
export const TEST_KEY_ROOT = run ? `sluice-test-${run}` : 'sluice-test';
