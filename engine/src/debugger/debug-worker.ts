/**
 * A debug session's run, in a worker thread of its own (docs/debugger.md). The pipeline runs on
 * the embedded engine exactly as a preview runs it (runOnEvents: one partition, the recorded
 * watermark stamps, sinks captured). At every edge crossing the engine calls back synchronously
 * (RunOptions.onEdgeCrossing); when the session must pause there, the worker posts the pause and
 * blocks in Atomics.wait until the server writes the next command into the shared gate. The
 * engine's stack is frozen mid-batch as it is: nothing is replayed, reordered or skipped.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { compileExpression, EVENT_TIME, type Event, SOURCE_WATERMARK } from '@sluice/shared';
import { nodeDefinitions } from '@sluice/nodes/definitions';
import { loadPlugins } from '../plugins/load-plugins.js';
import { runOnEvents } from '../preview/run-on-events.js';
import type { RunInspector } from '../runners/runner.js';
import {
  COMMAND_CODES,
  type DebugCommand,
  type DebugEnd,
  type DebugPause,
  type FromWorker,
  MAX_END_OUTPUTS,
  watermarkValue,
  type WorkerInit,
} from './debug-protocol.js';
import { keyedStateAt } from './keyed-state.js';

const COMMANDS = Object.fromEntries(Object.entries(COMMAND_CODES).map(([k, v]) => [v, k])) as Record<number, DebugCommand>;

class Session {
  private readonly gate: Int32Array;
  private mode: DebugCommand = 'run-to-hit';
  private seq = 0;
  private readonly progress = { sourceBatches: 0, sourceEvents: 0, crossings: 0 };
  /** The source batch number when the last command came: step-batch pauses in a later one. */
  private batchAtCommand = 0;
  private lastSourceBatch: readonly Event[] | undefined;
  private readonly hits: DebugPause['hits'] = {};
  private readonly conditions = new Map<string, { id: string; test?: (e: Event) => unknown }[]>();
  private readonly sources: Set<string>;
  private readonly edges: Map<string, DebugPause['edge']>;

  constructor(
    private readonly init: WorkerInit,
    private readonly port: NonNullable<typeof parentPort>,
  ) {
    this.gate = new Int32Array(init.gate);
    for (const b of init.breakpoints) {
      // Checked by the server before the session started (breakpoints.ts): this compiles.
      const test = b.condition === undefined ? undefined : compileExpression(b.condition, { params: init.params });
      this.conditions.set(b.edge, [...(this.conditions.get(b.edge) ?? []), { id: b.id, ...(test ? { test } : {}) }]);
      this.hits[b.id] = { hits: 0, conditionErrors: 0 };
    }
    this.sources = new Set(init.document.nodes.filter((n) => nodeDefinitions.get(n.type)?.category === 'source').map((n) => n.id));
    this.edges = new Map(
      init.document.edges.map((e) => [
        e.id,
        { id: e.id, source: e.source, sourcePort: e.sourcePort ?? 'out', target: e.target, targetPort: e.targetPort ?? 'in' },
      ]),
    );
  }

  /** Block until the server writes a command; returns it. */
  private awaitCommand(): DebugCommand {
    Atomics.wait(this.gate, 0, 0);
    const command = COMMANDS[Atomics.load(this.gate, 1)] ?? 'stop';
    Atomics.store(this.gate, 0, 0);
    if (command === 'stop') process.exit(0);
    this.mode = command;
    this.batchAtCommand = this.progress.sourceBatches;
    return command;
  }

  /** The breakpoint on this edge the event hits, if any (first in the order given). */
  private hit(edgeId: string, e: Event): string | undefined {
    let found: string | undefined;
    for (const b of this.conditions.get(edgeId) ?? []) {
      let ok = true;
      if (b.test) {
        try {
          ok = b.test(e) === true;
        } catch {
          // A condition that cannot be evaluated on this event (a type error) is no hit.
          this.hits[b.id]!.conditionErrors++;
          ok = false;
        }
      }
      if (!ok) continue;
      this.hits[b.id]!.hits++;
      found ??= b.id;
    }
    return found;
  }

  onEdgeCrossing = (edgeId: string, events: readonly Event[], run: RunInspector): void => {
    const edge = this.edges.get(edgeId);
    if (!edge) return;
    // A source batch crosses its source's edges first (the same array on each, at a fan-out).
    if (this.sources.has(edge.source) && events !== this.lastSourceBatch) {
      this.lastSourceBatch = events;
      this.progress.sourceBatches++;
      this.progress.sourceEvents += events.length;
    }
    for (let i = 0; i < events.length; i++) {
      this.progress.crossings++;
      const e = events[i]!;
      const breakpoint = this.hit(edgeId, e);
      let reason: DebugPause['reason'] | undefined;
      if (this.mode === 'step') reason = 'step';
      else if (this.mode === 'continue') reason = undefined;
      else if (breakpoint !== undefined) reason = 'breakpoint';
      else if (this.mode === 'step-batch' && this.progress.sourceBatches > this.batchAtCommand) reason = 'step-batch';
      if (reason === undefined) continue;
      this.pause(reason, breakpoint, edge, i, events, run);
    }
  };

  private pause(
    reason: DebugPause['reason'],
    breakpoint: string | undefined,
    edge: DebugPause['edge'],
    index: number,
    events: readonly Event[],
    run: RunInspector,
  ): void {
    const e = events[index]!;
    let state: DebugPause['state'];
    let stateError: string | undefined;
    try {
      state = keyedStateAt(this.init.document, edge.target, e, run, this.init.params);
    } catch (err) {
      stateError = err instanceof Error ? err.message : String(err);
    }
    const sw = e[SOURCE_WATERMARK];
    const pause: DebugPause & { stateError?: string } = {
      seq: ++this.seq,
      reason,
      ...(breakpoint !== undefined && reason === 'breakpoint' ? { breakpoint } : {}),
      edge,
      index,
      batchSize: events.length,
      event: { ...e },
      eventTime: e[EVENT_TIME] ?? null,
      ...(sw !== undefined ? { sourceWatermark: sw } : {}),
      watermarks: run.stages().map((s) => ({ stage: s.stage, nodes: s.nodes, watermark: watermarkValue(s.watermark) })),
      ...(state ? { state } : {}),
      ...(stateError ? { stateError } : {}),
      progress: { ...this.progress },
      hits: structuredClone(this.hits),
    };
    this.port.postMessage({ t: 'paused', pause } satisfies FromWorker);
    this.awaitCommand();
  }

  async run(): Promise<void> {
    this.port.postMessage({ t: 'ready' } satisfies FromWorker);
    this.awaitCommand();
    const { init } = this;
    const result = await runOnEvents(init.document, init.params, init.events, init.baseDir, undefined, undefined, {
      onEdgeCrossing: this.onEdgeCrossing,
      batchSize: init.batchSize,
    });
    const end: DebugEnd = {
      status: result.status,
      ...(result.error ? { error: result.error } : {}),
      errors: result.errors,
      outputs: Object.fromEntries(
        Object.entries(result.outputs).map(([sink, list]) => [
          sink,
          { count: list.length, events: list.slice(0, MAX_END_OUTPUTS).map((x) => ({ ...x }) as Record<string, unknown>) },
        ]),
      ),
      progress: { ...this.progress },
      hits: this.hits,
    };
    this.port.postMessage({ t: 'ended', end } satisfies FromWorker);
  }
}

async function main(): Promise<void> {
  const init = workerData as WorkerInit;
  const port = parentPort!;
  try {
    if (init.tsx && init.plugins.length > 0) ((await import(init.tsx)) as { register: () => void }).register();
    await loadPlugins(init.plugins);
    await new Session(init, port).run();
  } catch (err) {
    port.postMessage({ t: 'failed', message: err instanceof Error ? err.message : String(err) } satisfies FromWorker);
  }
}

void main();
