/**
 * The coordinator's fence (docs/multi-server.md, "Fencing in Redis"), against the real Redis: a
 * coordinator whose run another leader resumed with a higher token can change nothing (gate,
 * deploy, checkpoints, cleanup, the run board); the newer one can.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { TEST_KEY_ROOT } from '@sluice/nodes/testing';
import { BOARD_FENCE_FIELD, publishBoard } from '../../cluster/run-board.js';
import { compiled } from '../runner.contract.js';
import { BullmqRunner } from './bullmq-runner.js';
import { CoordinatorFence, type CoordinatorFenced } from './coordinator-fence.js';
import { RedisKeys } from './keys.js';
import { SourceCheckpoints } from './source-checkpoints.js';
import { deletePrefixKeys } from './test-keys.js';

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const prefix = `${TEST_KEY_ROOT}-cfence-${randomUUID().slice(0, 8)}`;
const keys = new RedisKeys(prefix);
const redis = new Redis(REDIS_URL);
const dir = mkdtempSync(join(tmpdir(), 'sluice-cfence-'));
afterAll(async () => {
  await redis.quit();
  await deletePrefixKeys(REDIS_URL, prefix);
  rmSync(dir, { recursive: true, force: true });
});

const doc = {
  format: 'sluice/v1',
  id: 'fenced',
  nodes: [
    { id: 'gen', type: 'source.generator', config: { scenario: 'orders', count: 1000, rate: 10, seed: 1 } },
    { id: 'out', type: 'sink.file', config: { path: 'out.jsonl' } },
  ],
  edges: [{ id: 'e1', source: 'gen', target: 'out' }],
};

describe('coordinator fence', () => {
  it('refuses every write of a coordinator whose token is lower than the one that claimed the run', async () => {
    const pid = 'direct';
    const old = new CoordinatorFence(redis, keys, pid, '1000');
    const newer = new CoordinatorFence(redis, keys, pid, '2000');
    await old.mark('g1');
    await old.set('gate run', keys.sourceGate(pid), 'run:g1');
    await newer.claim();
    await expect(old.set('gate stop', keys.sourceGate(pid), 'stop:g1')).rejects.toMatchObject({ code: 'coordinator-fenced', held: '2000' });
    await expect(old.unmark('undeploy', [keys.pipeline(pid)])).rejects.toMatchObject({ code: 'coordinator-fenced' });
    await expect(old.del('swap', [keys.sourceGate(pid)])).rejects.toMatchObject({ code: 'coordinator-fenced' });
    const cps = new SourceCheckpoints(redis, keys, pid);
    const cp = { position: 1, exchange: { seq: {}, sentWm: {} }, watermark: 1, done: false, counters: {} };
    await expect(cps.write('gen', 0, cp, '', '', '1000')).rejects.toMatchObject({ code: 'coordinator-fenced' });
    expect(await cps.read('gen', 0)).toBeUndefined();
    // Nothing of the old one's landed; the newer one writes.
    expect(await redis.get(keys.sourceGate(pid))).toBe('run:g1');
    expect(await redis.get(keys.runMarker(pid))).toBe('g1');
    await newer.set('gate pause', keys.sourceGate(pid), 'pause:g1');
    await cps.write('gen', 0, cp, '', '', '2000');
    expect(await redis.get(keys.sourceGate(pid))).toBe('pause:g1');
    expect((await cps.read('gen', 0))?.position).toBe(1);
    await newer.unmark('undeploy', [keys.pipeline(pid)]);
    // Undeployed: a late write of anyone's does not bring the run back.
    await expect(newer.set('gate run', keys.sourceGate(pid), 'run:g1')).rejects.toMatchObject({ code: 'run-state-lost' });
  });

  it('a run resumed by a newer leader: the old coordinator stop changes nothing, and detaches', async () => {
    const older = new BullmqRunner({ redisUrl: REDIS_URL, prefix });
    const newer = new BullmqRunner({ redisUrl: REDIS_URL, prefix });
    const refused: CoordinatorFenced[] = [];
    older.fenceWith({ token: () => '1000', onRefused: (_pid, err) => refused.push(err) });
    newer.fenceWith({ token: () => '2000', onRefused: () => undefined });
    try {
      const a = await older.deploy(compiled(doc), { baseDir: dir, pipelineId: 'run' });
      const gate = await redis.get(keys.sourceGate('run'));
      expect(gate).toMatch(/^run:/);
      const b = await newer.resume('run', {});
      expect(b).toBeDefined();
      expect(await redis.get(keys.coordinatorFence('run'))).toBe('2000');
      // The old coordinator (a leader that woke after its lease) is asked to stop: its gate
      // write is refused, so it detaches; the run goes on under the newer one.
      const r = await a.stop();
      expect(r.status).toBe('running');
      expect(refused.map((e) => e.what)).toEqual(['gate stop']);
      expect(await redis.get(keys.sourceGate('run'))).toBe(gate);
      expect(await redis.exists(keys.runMarker('run'), keys.pipeline('run'))).toBe(2);
      expect(b!.status()).toBe('running');
      const end = await b!.stop();
      expect(end.status).toBe('stopped');
      expect(await redis.exists(keys.runMarker('run'), keys.pipeline('run'), keys.coordinatorFence('run'))).toBe(0);
    } finally {
      await older.close();
      await newer.close();
    }
  });

  it('the run board: a leader with a lower token cannot overwrite what a newer one published', async () => {
    const board = `${prefix}:cluster:runs`;
    expect(await publishBoard(redis, board, '1000', ['p1', '{"old":1}'])).toBeUndefined();
    expect(await publishBoard(redis, board, '2000', ['p2', '{"new":1}'])).toBeUndefined();
    expect(await publishBoard(redis, board, '1000', ['p1', '{"old":2}'])).toBe('2000');
    expect(await redis.hgetall(board)).toEqual({ [BOARD_FENCE_FIELD]: '2000', p2: '{"new":1}' });
  });
});
