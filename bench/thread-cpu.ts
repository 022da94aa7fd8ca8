/**
 * CPU time of each thread of this process (Linux: /proc/self/task/<tid>/stat, in clock ticks of
 * 10 ms), to tell the busiest thread of a run from the rest. On a loaded machine a run's wall clock
 * says more about the others' load than about the run; its threads' CPU does not, and on a quiet
 * machine a run that keeps its threads busy takes about as long as its busiest thread's CPU (or
 * its total CPU shared over the cores, if that is more).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { cpus } from 'node:os';

const TICK_S = 0.01;

export type ThreadTicks = Map<string, number>;

/** Ticks (user + system) of every thread now; empty where /proc is missing. */
export function threadTicks(): ThreadTicks {
  const out: ThreadTicks = new Map();
  let tids: string[];
  try {
    tids = readdirSync('/proc/self/task');
  } catch {
    return out;
  }
  for (const tid of tids)
    try {
      const stat = readFileSync(`/proc/self/task/${tid}/stat`, 'utf8');
      const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      out.set(tid, Number(f[11]) + Number(f[12]));
    } catch {
      // the thread ended meanwhile
    }
  return out;
}

export interface ThreadCpu {
  /** CPU seconds of the busiest thread over the interval (the main thread, or a partition thread). */
  busiest: number;
  /** CPU seconds of every thread. */
  total: number;
  /** What a quiet machine would take: the busiest thread, or the total over the cores if more. */
  quietWall: number;
}

export function threadCpu(before: ThreadTicks, after: ThreadTicks): ThreadCpu {
  let busiest = 0;
  let total = 0;
  for (const [tid, t] of after) {
    const d = (t - (before.get(tid) ?? 0)) * TICK_S;
    total += d;
    if (d > busiest) busiest = d;
  }
  return { busiest, total, quietWall: Math.max(busiest, total / cpus().length) };
}
