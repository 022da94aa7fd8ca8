/**
 * `pnpm test:faults [--full]`: the fault drills (test/faults) against Redis servers the suite
 * starts on ports of its own. CI runs them at sizes that fit its time; `--full` runs them at
 * the sizes of the drills in issue 10 (12 M events, 3 workers, 20 s pauses).
 */
import { spawnSync } from 'node:child_process';

const full = process.argv.includes('--full');
const rest = process.argv.slice(2).filter((a) => a !== '--full');
// Files named on the command line run alone; without any, the whole suite.
const files = rest.filter((a) => !a.startsWith('-'));
const r = spawnSync('pnpm', ['exec', 'vitest', 'run', ...(files.length > 0 ? [] : ['test/faults']), ...rest], {
  stdio: 'inherit',
  env: { ...process.env, ...(full ? { SLUICE_FAULTS_FULL: '1' } : {}) },
});
process.exit(r.status ?? 1);
