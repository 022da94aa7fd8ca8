/**
 * The start-failure report against the real Redis: written only while the run is live, read
 * back as the embedded runner's StartFailure, and ignored when it speaks of another deploy.
 */
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { TEST_KEY_ROOT } from '@sluice/nodes/testing';
import { StartFailure } from '../../runtime/node-errors.js';
import { RedisKeys } from './keys.js';
import { RunMarker } from './run-marker.js';
import { reportStartFailure, StartFailureWatch } from './start-failure-report.js';
import { deletePrefixKeys } from './test-keys.js';

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const prefix = `${TEST_KEY_ROOT}-startreport-${randomUUID().slice(0, 8)}`;
const keys = new RedisKeys(prefix);
const redis = new Redis(REDIS_URL, { maxRetriesPerRequest: 1 });
afterAll(async () => {
  await deletePrefixKeys(REDIS_URL, prefix);
  await redis.quit();
});

const failure = new StartFailure('out', new Error('cannot open out.jsonl for writing: EACCES'));

describe('start-failure report', () => {
  it('is not written once the run is undeployed (its marker gone): nothing would ever delete it', async () => {
    await reportStartFailure(redis, keys, 'gone', 'g1', failure);
    expect(await redis.exists(keys.startFailure('gone'))).toBe(0);
  });

  it("fails the coordinator's check with the worker's message for its own deploy, not for another", async () => {
    await new RunMarker(redis, keys, 'p').write('g2');
    await reportStartFailure(redis, keys, 'p', 'g1', failure);
    // A worker still on the deploy before a hot redeploy: not this run's task.
    await expect(new StartFailureWatch(redis, keys, 'p').checkNowAndThen('g2')).resolves.toBeUndefined();
    await reportStartFailure(redis, keys, 'p', 'g2', failure);
    const err = await new StartFailureWatch(redis, keys, 'p').checkNowAndThen('g2').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(StartFailure);
    expect(err).toMatchObject({ nodeId: 'out', message: 'out: cannot open out.jsonl for writing: EACCES' });
    // The pipeline's cleanup pattern takes the report with it.
    expect(keys.pipelinePattern('p')).toContain(keys.startFailure('p'));
  });
});
