/**
 * A CPU quota per process: cgroup v2 (cpu.max) where writable, else v1 (cfs quota). Used by
 * bench:scale (quarter-core workers) and bench/quota-ceiling.ts.
 */
import { existsSync, mkdirSync, readFileSync, rmdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface CpuLimiter {
  kind: string;
  limit(pid: number, name: string): void;
  release(): void;
}

export function cpuLimiter(fraction: number): CpuLimiter | { kind: 'none'; reason: string } {
  const period = 100_000;
  const quota = Math.round(period * fraction);
  const made: string[] = [];
  const v2 = ['/sys/fs/cgroup', '/sys/fs/cgroup/unified'].find((root) => {
    try {
      return readFileSync(join(root, 'cgroup.controllers'), 'utf8').split(/\s+/).includes('cpu');
    } catch {
      return false;
    }
  });
  const v1 = existsSync('/sys/fs/cgroup/cpu/cpu.cfs_quota_us') ? '/sys/fs/cgroup/cpu' : undefined;
  const root = v2 ?? v1;
  if (!root) return { kind: 'none', reason: 'neither a cgroup v2 cpu controller nor cgroup v1 cpu is mounted' };
  try {
    const probe = join(root, `sluice-bench-probe-${process.pid}`);
    mkdirSync(probe);
    rmdirSync(probe);
  } catch (err) {
    return { kind: 'none', reason: `${root} is not writable (${(err as Error).message})` };
  }
  return {
    kind: v2 ? `cgroup v2 (${root}, cpu.max ${quota} ${period})` : `cgroup v1 (${root}, cfs_quota_us ${quota} / cfs_period_us ${period})`,
    limit(pid, name) {
      const dir = join(root, `sluice-bench-${process.pid}-${name}`);
      mkdirSync(dir, { recursive: true });
      made.push(dir);
      if (v2) writeFileSync(join(dir, 'cpu.max'), `${quota} ${period}`);
      else {
        writeFileSync(join(dir, 'cpu.cfs_period_us'), String(period));
        writeFileSync(join(dir, 'cpu.cfs_quota_us'), String(quota));
      }
      writeFileSync(join(dir, 'cgroup.procs'), String(pid));
    },
    release() {
      // A cgroup can be removed once its processes have exited (they are stopped before this).
      for (const dir of made.splice(0)) {
        try {
          rmdirSync(dir);
        } catch {
          /* still has a process: it will be empty once that exits */
        }
      }
    },
  };
}
