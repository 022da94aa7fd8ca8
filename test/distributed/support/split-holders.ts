/**
 * Who holds a split source's partitions on BullMQ (docs/source-partitions.md): the lease of
 * partition p names its worker, the workers' info hash names that worker's process id.
 */
import type { ChildProcess } from 'node:child_process';
import type { Redis } from 'ioredis';
import type { RedisKeys } from '@sluice/engine/testing';

/** Each partition's holder's process id, 'done' once it has ended, undefined while free. */
export async function partitionHolders(
  probe: Redis,
  keys: RedisKeys,
  pid: string,
  nodeId: string,
  partitions: number,
): Promise<(number | 'done' | undefined)[]> {
  const leases = await probe.mget(...Array.from({ length: partitions }, (_, p) => keys.sourceLease(pid, nodeId, p)));
  const info = await probe.hgetall(keys.workerInfo);
  return leases.map((v) => {
    if (v === null) return undefined;
    if (v.startsWith('done:')) return 'done';
    const worker = v.split(':')[0]!;
    return Number(JSON.parse(info[worker] ?? '{}').pid);
  });
}

/** True when every process in `workers` holds at least one partition. */
export async function eachHoldsOne(
  probe: Redis,
  keys: RedisKeys,
  pid: string,
  nodeId: string,
  partitions: number,
  workers: readonly ChildProcess[],
): Promise<boolean> {
  const holders = await partitionHolders(probe, keys, pid, nodeId, partitions);
  return workers.every((w) => holders.includes(w.pid!));
}

/** Waits for `cond`, polling every 50 ms; fails naming `what` after `timeoutMs`. */
export async function waitFor(cond: () => boolean | Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const start = Date.now();
  while (!(await cond())) {
    if (Date.now() - start > timeoutMs) throw new Error(`${what}: not within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** SIGKILL and wait for the exit. */
export async function kill9(p: ChildProcess): Promise<void> {
  if (p.exitCode !== null || p.signalCode !== null) return;
  const exited = new Promise((r) => p.once('exit', r));
  p.kill('SIGKILL');
  await exited;
}
