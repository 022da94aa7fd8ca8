/**
 * Run a document on given source events in the embedded engine, with every sink replaced by a
 * capture: what a preview compares. Nothing is written anywhere; sources never touch the
 * outside (every source node replays its events, or none).
 */
import type { Event, ParamValue, PipelineDocument } from '@sluice/shared';
import { nodeDefinitions } from '@sluice/nodes/definitions';
import type { Operator, SourceOperator } from '@sluice/nodes/sdk';
import type { RecordedEvent } from '../recording/recorded-event.js';
import { replaySource } from '../recording/replay-source.js';
import { EmbeddedRunner } from '../runners/embedded/embedded-runner.js';
import type { RunOptions } from '../runners/runner.js';

export interface CapturedRun {
  outputs: Record<string, Event[]>;
  /** Errors counted per node (a draft that fails on some events says so). */
  errors: Record<string, number>;
  status: string;
  error?: string;
}

export async function runOnEvents(
  document: PipelineDocument,
  params: Record<string, ParamValue>,
  events: Record<string, readonly RecordedEvent[]>,
  baseDir: string,
  /** Stand-in secret values (a pipeline test's), over the environment. */
  secrets?: Readonly<Record<string, string>>,
  /** Told of every batch crossing these edges (the debug panel on a preview run), from the first event on. */
  watch?: { edges: readonly string[]; onEvents(edgeId: string, events: readonly Event[]): void },
  /** Told of every edge crossing, synchronously, in batches of this size (the stream debugger, docs/debugger.md). */
  debug?: Pick<RunOptions, 'onEdgeCrossing' | 'batchSize'>,
): Promise<CapturedRun> {
  // With edges to watch, sources wait until the taps are on: a run's first batch may otherwise pass unseen.
  let open = watch === undefined;
  const outputs: Record<string, Event[]> = {};
  const sourceOverrides: Record<string, () => SourceOperator> = {};
  const operatorOverrides: Record<string, () => Operator> = {};
  for (const node of document.nodes) {
    const category = nodeDefinitions.get(node.type)?.category;
    if (category === 'source')
      sourceOverrides[node.id] = () => {
        const replay = replaySource(events[node.id] ?? []);
        return { ...replay, poll: (max) => (open ? replay.poll(max) : { events: [], watermark: Number.NEGATIVE_INFINITY, done: false }) };
      };
    if (category === 'sink') {
      const captured: Event[] = (outputs[node.id] = []);
      operatorOverrides[node.id] = () => ({
        process(batch) {
          for (const e of batch) captured.push(e);
        },
      });
    }
  }
  // A split source replays its recording (all its partitions' events) as one partition.
  const unsplit: PipelineDocument = {
    ...document,
    nodes: document.nodes.map((n) => {
      if (n.parallelism === undefined) return n;
      const copy = { ...n };
      delete copy.parallelism;
      return copy;
    }),
  };
  const runner = new EmbeddedRunner();
  try {
    // One partition: the order of outputs is then the order of a single-threaded run.
    const handle = await runner.deploy(unsplit, {
      baseDir,
      pipelineId: `preview-${document.id ?? 'draft'}`,
      params,
      partitions: 1,
      sourceOverrides,
      operatorOverrides,
      ...(secrets ? { secrets } : {}),
      ...debug,
    });
    if (watch) {
      for (const edge of watch.edges) handle.tap(edge, (batch) => watch.onEvents(edge, batch));
      open = true;
    }
    const result = await handle.done;
    const errors: Record<string, number> = {};
    for (const [id, n] of Object.entries(result.metrics.nodes)) if (n.errors > 0) errors[id] = n.errors;
    return { outputs, errors, status: result.status, ...(result.error ? { error: result.error } : {}) };
  } finally {
    await runner.close();
  }
}
