/**
 * A drill file's scope: what each test registers to undo runs after it, newest first, and a
 * Redis and a folder of the test's own, both removed then.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach } from 'vitest';
import { OwnRedis } from './own-redis.js';

export interface DrillScope {
  /** Undo steps of the running test. */
  cleanups: (() => Promise<void> | void)[];
  /** A Redis of its own and a temporary folder named `sluice-drill-<label>-*`. */
  setup(label: string): Promise<{ redis: OwnRedis; dir: string }>;
}

/** Call at the top of a test file: registers the afterEach that runs the cleanups. */
export function drillScope(): DrillScope {
  const cleanups: DrillScope['cleanups'] = [];
  afterEach(async () => {
    for (const c of cleanups.splice(0).reverse()) await c();
  });
  return {
    cleanups,
    async setup(label) {
      const redis = await OwnRedis.start();
      cleanups.push(() => redis.stop());
      const dir = mkdtempSync(join(tmpdir(), `sluice-drill-${label}-`));
      cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
      return { redis, dir };
    },
  };
}
