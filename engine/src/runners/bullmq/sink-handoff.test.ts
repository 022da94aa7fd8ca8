import type { PipelineDocument } from '@sluice/shared';
import { nodeDefinitions } from '@sluice/nodes/definitions';
import { describe, expect, it } from 'vitest';
import { buildPlan } from '../../compile/plan.js';
import { compiled } from '../runner.contract.js';
import type { BatchJob } from './batch-codec.js';
import type { OutgoingJob } from './exchange-buffer.js';
import { type LocalSink, SinkHandoff } from './sink-handoff.js';

// Stage 0: src; stage 1: win (keyed, 2 partitions) and tag; stage 2: out (a sink, 1 partition).
const doc: PipelineDocument = compiled({
  format: 'sluice/v1',
  nodes: [
    { id: 'src', type: 'source.generator', config: { scenario: 'orders', count: 10, seed: 1 } },
    { id: 'win', type: 'window', config: { type: 'tumbling', size: '1s', keyBy: ['category'], aggregates: [{ as: 'n', op: 'count' }] } },
    { id: 'out', type: 'sink.file', config: { path: 'out.jsonl' } },
  ],
  edges: [
    { id: 'e1', source: 'src', target: 'win' },
    { id: 'e2', source: 'win', target: 'out' },
  ],
});
const plan = buildPlan(doc, nodeDefinitions, { partitions: 2 });

const job = (edge: string, seq: number): BatchJob => ({ edge, from: 0, to: 0, seq, wm: 1000, n: 0 });
const out = (targetStage: number, targetPartition: number, seq: number): OutgoingJob => ({
  targetStage,
  targetPartition,
  job: job(targetStage === 2 ? 'e2' : 'e1', seq),
});

/** A handoff whose served sinks record what they were given; `fail` makes their apply throw. */
function setup(served: Set<string>, fail?: Error) {
  const applied: string[] = [];
  const logged: string[] = [];
  const handoff = new SinkHandoff({
    plan,
    target: (stage, partition): LocalSink | undefined =>
      served.has(`${stage}/${partition}`)
        ? {
            apply: async (j) => {
              if (fail) throw fail;
              applied.push(`${stage}/${partition}#${j.seq}`);
              return true;
            },
          }
        : undefined,
    log: (line) => logged.push(line),
  });
  return { handoff, applied, logged };
}

describe('handing batches to a sink served by the same worker', () => {
  it('applies only batches bound for a sink stage whose queue is served here', async () => {
    expect(plan.stages.map((s) => s.nodes)).toEqual([['src'], ['win'], ['out']]);
    const { handoff, applied } = setup(new Set(['1/0', '1/1', '2/0']));
    // Keyed (non-sink) stage 1 is served here too, but only the sink stage is handed to.
    handoff.offer([out(1, 0, 5), out(1, 1, 5), out(2, 0, 7)]);
    await handoff.settled();
    expect(applied).toEqual(['2/0#7']);
  });

  it('leaves a batch to its queue when the sink queue is served elsewhere', async () => {
    const { handoff, applied } = setup(new Set(['1/0']));
    handoff.offer([out(2, 0, 7)]);
    await handoff.settled();
    expect(applied).toEqual([]);
  });

  it('a refused apply is left to the queue: protocol refusals say nothing, other failures are logged', async () => {
    const pending = Object.assign(new Error('claimed for another batch'), { code: 'claim-pending' });
    const quiet = setup(new Set(['2/0']), pending);
    quiet.handoff.offer([out(2, 0, 7)]);
    await quiet.handoff.settled();
    expect(quiet.logged).toEqual([]);

    const loud = setup(new Set(['2/0']), new Error('Connection is closed.'));
    loud.handoff.offer([out(2, 0, 7)]);
    await loud.handoff.settled();
    expect(loud.logged).toEqual(['stage 2/0: handed-off batch left to its queue: Connection is closed.']);
  });
});
