/**
 * Tests run Prometheus' own checker (promtool, Debian's `prometheus` package) on what Sluice
 * serves and ships. Missing promtool fails the test saying how to install it; it never skips.
 */
import { spawnSync } from 'node:child_process';

export const PROMTOOL_INSTALL = 'apt-get install -y --no-install-recommends prometheus (Debian; .ci/run does it)';

export interface PromtoolResult {
  status: number | null;
  /** stdout and stderr together: promtool prints lint problems on either. */
  output: string;
}

export function promtool(args: readonly string[], options: { input?: string; cwd?: string } = {}): PromtoolResult {
  // A bound, not a measurement: a stuck promtool is killed rather than outliving the test.
  const r = spawnSync('promtool', args, { input: options.input, cwd: options.cwd, encoding: 'utf8', timeout: 120_000 });
  if ((r.error as NodeJS.ErrnoException | undefined)?.code === 'ENOENT') throw new Error(`promtool is not installed: ${PROMTOOL_INSTALL}`);
  if (r.error) throw r.error;
  return { status: r.status, output: `${r.stdout}${r.stderr}`.trim() };
}
