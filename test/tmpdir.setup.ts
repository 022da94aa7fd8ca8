/**
 * Each test file gets a temp folder of its own inside the run's (run-tmpdir.ts): TMPDIR points
 * there before the file is imported, so a `mkdtemp(tmpdir())` at its top level lands there too.
 * After the file's own hooks (setup-file hooks run last), what is still in the folder is noted
 * for the teardown's report, naming the file.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { afterAll, expect } from 'vitest';
import { IGNORED_ENTRY, LEFT_SUFFIX, RUN_TMP_ENV, SYSTEM_TMP_ENV, shareTsxCache } from './run-tmpdir.js';

const ROOT = new URL('../', import.meta.url).pathname;
const runTmp = process.env[RUN_TMP_ENV];
if (runTmp) {
  const file = relative(ROOT, expect.getState().testPath ?? 'unknown');
  // A short name: paths of sockets and of nested temp folders stay short.
  const name = `f-${createHash('sha256').update(file).digest('hex').slice(0, 10)}`;
  const dir = join(runTmp, name);
  mkdirSync(dir, { recursive: true, mode: 0o755 });
  const systemTmp = process.env[SYSTEM_TMP_ENV];
  if (systemTmp) shareTsxCache(dir, systemTmp);
  process.env.TMPDIR = dir;
  afterAll(() => {
    const entries = readdirSync(dir).filter((e) => !IGNORED_ENTRY.test(e));
    if (entries.length > 0) writeFileSync(join(runTmp, `${name}${LEFT_SUFFIX}`), JSON.stringify({ file, entries }));
  });
}
