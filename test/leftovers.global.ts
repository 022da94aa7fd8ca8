/**
 * Every test leaves nothing behind. This global setup notes what is there before the run
 * (a developer's own keys and processes are not ours) and, after the run, fails it when a test
 * left a Redis key under a test prefix on the shared Redis, a `sluice` process of this checkout
 * running, a redis-server of a test's own (its folder under the temp dir) or a network namespace
 * of the multi-host test, or a temp entry in a test file's own folder (run-tmpdir.ts), naming the
 * files and entries. Set SLUICE_LEFTOVERS_CHECK=0 to skip it while other runs share the machine.
 * Either way the run gets a temp folder of its own (TMPDIR), removed at the end; with the check
 * off, the test files that left something in theirs are listed as a warning.
 */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { Redis } from 'ioredis';
import { describeLeftovers, openRunTmp } from './run-tmpdir.js';

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const ROOT = new URL('../', import.meta.url).pathname;
/**
 * This run's tag: the test workers inherit it, and every test key starts with
 * `sluice-test-<tag>` (TEST_KEY_ROOT, @sluice/nodes/testing), so a run checks its own keys and
 * not those of another run sharing the Redis.
 */
const RUN = process.env.SLUICE_TEST_RUN ?? randomBytes(4).toString('hex');
process.env.SLUICE_TEST_RUN = RUN;
const TEST_KEY_PATTERNS = [`sluice-test-${RUN}*`, 'sluice-run-*'];

export default async function setup(): Promise<() => Promise<void>> {
  // Always, check or not: the run's temp folder, reported on and removed at the end.
  const runTmp = openRunTmp();
  const check = process.env.SLUICE_LEFTOVERS_CHECK === '0' ? undefined : await startCheck();
  return async () => {
    let problems: string[] = [];
    try {
      problems = (await check?.()) ?? [];
    } finally {
      const left = runTmp.leftovers();
      runTmp.remove();
      if (left.length > 0) {
        // The folder goes either way; a checked run fails, so the files named clean up.
        if (check) problems.push(describeLeftovers(left));
        else console.warn(describeLeftovers(left));
      }
    }
    if (problems.length > 0) {
      // vitest reports a teardown's throw but still exits 0: set the exit code too.
      process.exitCode = 1;
      throw new Error(`tests left things behind:\n${problems.join('\n')}`);
    }
  };
}

/** Notes what is there now; the function it returns lists what the tests left (and removes it). */
async function startCheck(): Promise<() => Promise<string[]>> {
  const keysBefore = new Set(await testKeys());
  const procsBefore = new Set(sluiceProcesses().map((p) => p.pid));
  const redisBefore = new Set(ownRedisServers().map((p) => p.pid));
  const netnsBefore = new Set(labNamespaces());
  return async () => {
    // A worker told to stop may need a moment to exit: wait for the condition, bounded.
    const deadline = Date.now() + 15_000;
    let procs = sluiceProcesses().filter((p) => !procsBefore.has(p.pid));
    while (procs.length > 0 && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 200));
      procs = sluiceProcesses().filter((p) => !procsBefore.has(p.pid));
    }
    const keys = (await testKeys()).filter((k) => !keysBefore.has(k));
    const servers = ownRedisServers().filter((p) => !redisBefore.has(p.pid));
    const namespaces = labNamespaces().filter((n) => !netnsBefore.has(n));
    const problems: string[] = [];
    if (servers.length > 0)
      problems.push(`${servers.length} redis-server(s) of a test outlived it: ${servers.map((p) => `${p.pid} in ${p.cmd}`).join('; ')}`);
    if (namespaces.length > 0) problems.push(`network namespace(s) of the multi-host test left: ${namespaces.join(', ')}`);
    for (const p of servers) {
      try {
        process.kill(p.pid, 'SIGKILL');
      } catch {}
    }
    for (const n of namespaces) {
      try {
        execFileSync('ip', ['netns', 'del', n]);
      } catch {}
    }
    if (procs.length > 0)
      problems.push(`${procs.length} Sluice process(es) outlived the tests: ${procs.map((p) => `${p.pid} ${p.cmd}`).join('; ')}`);
    if (keys.length > 0) problems.push(`${keys.length} test key(s) left in ${REDIS_URL}, e.g. ${keys.slice(0, 5).join(', ')}`);
    for (const p of procs) {
      try {
        process.kill(p.pid, 'SIGKILL');
      } catch {}
    }
    return problems;
  };
}

async function testKeys(): Promise<string[]> {
  const redis = new Redis(REDIS_URL, { maxRetriesPerRequest: 1, lazyConnect: true });
  try {
    await redis.connect();
    const out: string[] = [];
    for (const pattern of TEST_KEY_PATTERNS) {
      let cursor = '0';
      do {
        const [next, keys] = await redis.scan(cursor, 'MATCH', pattern, 'COUNT', 1000);
        cursor = next;
        out.push(...keys);
      } while (cursor !== '0');
    }
    // A `sluice run` prefix whose lease lives belongs to a live run (another suite's, sharing
    // this Redis); a dead one's keys are left behind (its janitor removes them: prefix-janitor.ts).
    const live = new Map<string, boolean>();
    const kept: string[] = [];
    for (const key of out) {
      const run = /^(sluice-run-[^:]+):/.exec(key)?.[1];
      if (run === undefined) {
        kept.push(key);
        continue;
      }
      if (!live.has(run)) live.set(run, (await redis.exists(`${run}:lease`)) === 1);
      if (!live.get(run)) kept.push(key);
    }
    return kept;
  } finally {
    redis.disconnect();
  }
}

/** `sluice` CLI processes started from this checkout (workers, runs, servers). */
function sluiceProcesses(): { pid: number; cmd: string }[] {
  let text = '';
  try {
    text = execFileSync('ps', ['-eo', 'pid=,args='], { encoding: 'utf8' });
  } catch {
    return [];
  }
  const out: { pid: number; cmd: string }[] = [];
  for (const line of text.split('\n')) {
    const m = /^\s*(\d+)\s+(.*)$/.exec(line);
    if (!m) continue;
    const cmd = m[2]!;
    if (!cmd.includes(`${ROOT}engine/src/cli/main.ts`) && !cmd.includes(`${ROOT}engine/dist/cli/main.js`)) continue;
    if (Number(m[1]) === process.pid) continue;
    out.push({ pid: Number(m[1]), cmd: cmd.slice(0, 160) });
  }
  return out;
}

/** redis-server processes started by tests (own-redis.ts, own-cluster.ts, tls-redis.ts): their working folder is a `sluice-*` temp folder. */
function ownRedisServers(): { pid: number; cmd: string }[] {
  const out: { pid: number; cmd: string }[] = [];
  let text = '';
  try {
    text = execFileSync('ps', ['-eo', 'pid=,comm='], { encoding: 'utf8' });
  } catch {
    return [];
  }
  for (const line of text.split('\n')) {
    const m = /^\s*(\d+)\s+redis-server/.exec(line);
    if (!m) continue;
    try {
      const cwd = readlinkSync(`/proc/${m[1]}/cwd`);
      if (cwd.startsWith(tmpdir()) && /\/sluice-[^/]*$/.test(cwd)) out.push({ pid: Number(m[1]), cmd: cwd });
    } catch {}
  }
  return out;
}

/** The multi-host test's network namespaces (net-lab.ts names them `sl-<tag>-<host>`). */
function labNamespaces(): string[] {
  try {
    return execFileSync('ip', ['netns', 'list'], { encoding: 'utf8' })
      .split('\n')
      .map((l) => l.split(' ')[0]!)
      .filter((n) => /^sl-[0-9a-f]{6}-/.test(n));
  } catch {
    return [];
  }
}
