/** What every benchmark run records beside its figures: the machine, its load, the date and the commit. */
import { execSync } from 'node:child_process';
import { cpus, freemem, loadavg, totalmem } from 'node:os';

export interface Machine {
  cpu: string | undefined;
  cores: number;
  memoryGb: number;
  freeMemoryGbAtStart: number;
  node: string;
  platform: string;
}

export interface RunMeta {
  date: string;
  commit: string;
  machine: Machine;
  /** 1, 5 and 15 minute load averages when the run started and when it ended. */
  loadAverage: { start: number[]; end?: number[] };
}

const gb = (bytes: number) => Math.round((bytes / 2 ** 30) * 10) / 10;
const load = () => loadavg().map((l) => Math.round(l * 100) / 100);

export function startRunMeta(): RunMeta {
  return {
    date: new Date().toISOString(),
    commit: gitCommit(),
    machine: {
      cpu: cpus()[0]?.model,
      cores: cpus().length,
      memoryGb: gb(totalmem()),
      freeMemoryGbAtStart: gb(freemem()),
      node: process.version,
      platform: process.platform,
    },
    loadAverage: { start: load() },
  };
}

export function endRunMeta(meta: RunMeta): RunMeta {
  return { ...meta, loadAverage: { ...meta.loadAverage, end: load() } };
}

/** The header line of a results markdown file. */
export function metaMarkdown(m: RunMeta): string {
  const l = m.loadAverage;
  return [
    `${m.date}, commit ${m.commit}`,
    `${m.machine.cpu} (${m.machine.cores} cores), ${m.machine.memoryGb} GB memory (${m.machine.freeMemoryGbAtStart} GB free at start), Node ${m.machine.node}`,
    `load average (1, 5, 15 min) at start ${l.start.join(', ')}${l.end ? `, at end ${l.end.join(', ')}` : ''}`,
  ].join('  \n');
}

function gitCommit(): string {
  try {
    const hash = execSync('git rev-parse --short HEAD', { encoding: 'utf8' }).trim();
    const dirty = execSync('git status --porcelain --untracked-files=no', { encoding: 'utf8' }).trim() !== '';
    return dirty ? `${hash} (with uncommitted changes)` : hash;
  } catch {
    return 'unknown';
  }
}
