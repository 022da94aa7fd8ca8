/**
 * A worker that cannot build its task (an operator's create() throws) fails the run with the
 * same message as the embedded runner's StartFailure, naming the node, instead of retrying the
 * batch for ever while the run hangs. The case: a sink.file in a worker stage (after a keyed
 * window) whose path goes through a symbolic link out of the allowed folder, refused when the
 * sink opens it (path-confinement.ts).
 */
import { spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, realpathSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { sluiceCommand, spawnWorkers } from '../../cli/spawn-workers.js';
import { EmbeddedRunner } from '../embedded/embedded-runner.js';
import { compiled, waitForAsync } from '../runner.contract.js';
import type { RunResult } from '../runner.js';
import { BullmqRunner } from './bullmq-runner.js';
import { deletePrefixKeys, keysMatching } from './test-keys.js';
import { TEST_KEY_ROOT } from '@sluice/nodes/testing';

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const PG_URL = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const prefix = `${TEST_KEY_ROOT}-startfail-${randomUUID().slice(0, 8)}`;
const tmp = mkdtempSync(join(tmpdir(), 'sluice-startfail-'));
const files = join(tmp, 'files');
const outside = join(tmp, 'outside');
mkdirSync(files);
mkdirSync(outside);
symlinkSync(outside, join(files, 'link'));

afterAll(async () => {
  await deletePrefixKeys(REDIS_URL, prefix);
  rmSync(tmp, { recursive: true, force: true });
});

const doc = {
  format: 'sluice/v1',
  id: 'escape',
  nodes: [
    { id: 'gen', type: 'source.generator', config: { scenario: 'orders', count: 100, rate: 0, seed: 1 } },
    { id: 'win', type: 'window', config: { type: 'tumbling', size: '1m', keyBy: ['sku'], aggregates: [{ as: 'n', op: 'count' }] } },
    { id: 'out', type: 'sink.file', config: { path: 'link/out.jsonl' } },
  ],
  edges: [
    { id: 'e1', source: 'gen', target: 'win' },
    { id: 'e2', source: 'win', target: 'out' },
  ],
};

/** The message both runners give: the node, then path-confinement's refusal with the real target. */
const expected = () =>
  `out: "link/out.jsonl" is outside the folders this server reads and writes (its data folder's files and the examples) ` +
  `(it leads to ${join(realpathSync(outside), 'out.jsonl')} through a symbolic link); use a path relative to the pipeline's folder`;

describe('a task that cannot start on a worker', () => {
  it('embedded: the deploy fails naming the sink and the path', async () => {
    await expect(new EmbeddedRunner().deploy(compiled(doc), { baseDir: files, fileRoots: [files] })).rejects.toThrow(expected());
  });

  it('BullMQ: the run fails with the same message instead of retrying the batch for ever, and leaves no key of the run', async () => {
    expect(await failedOnBullmq(doc)).toMatchObject({ status: 'failed', error: expected() });
    expect(existsSync(join(outside, 'out.jsonl'))).toBe(false);
  }, 120_000);

  it('BullMQ: a postgres sink whose table does not exist fails the run naming the sink and the table', async () => {
    const table = `sluice_test_missing_${randomUUID().slice(0, 8)}`;
    const pg = { id: 'db', type: 'sink.postgres', config: { url: PG_URL, table, columns: ['sku', 'n'] } };
    const missing = {
      ...doc,
      id: 'missing-table',
      nodes: [...doc.nodes.slice(0, 2), pg],
      edges: [doc.edges[0], { id: 'e2', source: 'win', target: 'db' }],
    };
    expect(await failedOnBullmq(missing)).toMatchObject({
      status: 'failed',
      error: `db: table ${table} does not exist (or set createTable: true)`,
    });
  }, 120_000);

  it('BullMQ: a source that cannot start on a live worker fails the deploy itself, naming the node and the cause', async () => {
    writeFileSync(join(outside, 'in.jsonl'), '{"a":1}\n');
    const source = {
      format: 'sluice/v1',
      id: 'escape-source',
      nodes: [
        { id: 'src', type: 'source.file', config: { path: 'link/in.jsonl' } },
        { id: 'out', type: 'sink.file', config: { path: 'out.jsonl' } },
      ],
      edges: [{ id: 'e1', source: 'src', target: 'out' }],
    };
    const runner = new BullmqRunner({ redisUrl: REDIS_URL, prefix });
    const workers = spawnWorkers(1, { redisUrl: REDIS_URL, prefix });
    const redis = new Redis(REDIS_URL);
    try {
      // The deploy waits for the sources only where a worker can take them: one beats first.
      const deadline = Date.now() + 90_000;
      while ((await runner.liveWorkers(3000)) === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
      await expect(runner.deploy(compiled(source), { baseDir: files, fileRoots: [files], partitions: 1 })).rejects.toThrow(
        `src: "link/in.jsonl" is outside the folders this server reads and writes (its data folder's files and the examples) ` +
          `(it leads to ${join(realpathSync(outside), 'in.jsonl')} through a symbolic link); use a path relative to the pipeline's folder`,
      );
      // Undeployed: nothing of the run is left.
      expect(await keysMatching(redis, `${prefix}:*escape-source*`)).toEqual([]);
    } finally {
      await workers.stop();
      await runner.close();
      await redis.quit();
    }
  }, 120_000);

  it('`sluice run --engine bullmq` exits 1 with the message instead of hanging', () => {
    // The CLI confines no path (the user's own files): here the sink's folder is a file.
    const dir = join(tmp, 'cli');
    mkdirSync(dir);
    writeFileSync(join(dir, 'blocked'), '');
    const path = join(dir, 'graph.json');
    writeFileSync(
      path,
      JSON.stringify({
        ...doc,
        id: 'blocked',
        nodes: [...doc.nodes.slice(0, 2), { id: 'out', type: 'sink.file', config: { path: 'blocked/out.jsonl' } }],
      }),
    );
    const root = new URL('../../../../', import.meta.url).pathname;
    // spawnSync's own timeout ends a hang (status null); the worker loads TypeScript first.
    const r = spawnSync(process.execPath, sluiceCommand(['run', path, '--engine', 'bullmq', '--workers', '1', '--quiet']), {
      cwd: root,
      encoding: 'utf8',
      timeout: 100_000,
      env: { ...process.env, REDIS_URL },
    });
    expect(r.stderr).toContain(
      `run failed: out: cannot open blocked/out.jsonl for writing: EEXIST: file already exists, mkdir '${join(dir, 'blocked')}'`,
    );
    expect(r.status).toBe(1);
  }, 120_000);
});

/**
 * Runs `document` on BullMQ (one worker process, one partition) until it ends, bounded; returns
 * its result once the run's keys are checked gone (the start-failure report among them).
 */
async function failedOnBullmq(document: { id: string }): Promise<RunResult | undefined> {
  const runner = new BullmqRunner({ redisUrl: REDIS_URL, prefix });
  if (!(await runner.ready())) throw new Error(`Redis does not answer at ${REDIS_URL}: this test needs it`);
  const workers = spawnWorkers(1, { redisUrl: REDIS_URL, prefix });
  const redis = new Redis(REDIS_URL);
  try {
    // The coordinator builds only the source stage: the sink is a worker's, so the deploy starts.
    const handle = await runner.deploy(compiled(document), { baseDir: files, fileRoots: [files], partitions: 1 });
    let result: RunResult | undefined;
    void handle.done.then((r) => (result = r));
    // The worker loads TypeScript first: on a loaded 2-core machine that takes a while.
    const ended = await waitForAsync(() => result !== undefined, 90_000);
    if (!ended) await handle.stop();
    expect(ended).toBe(true);
    expect(await keysMatching(redis, `${prefix}:*${document.id}*`)).toEqual([]);
    return result;
  } finally {
    await workers.stop();
    await runner.close();
    await redis.quit();
  }
}
