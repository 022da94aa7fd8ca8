/**
 * Sink targets: a notification written as one event to a sink, configured as a node of that
 * sink type is (docs/alerts.md, "A sink as target"), or through a sink node of the graph ("A
 * sink node as target": the node's type and config, its secrets resolved as the run resolves
 * them). The sink is this evaluator's own instance, opened at the first notification and kept
 * open while the pipeline runs, so a file sink appends line after line; writes to one target
 * are in order. A failed write is logged (secrets redacted), never thrown.
 */
import type { Event, ParamValue } from '@sluice/shared';
import { nodeDefinitions } from '@sluice/nodes/definitions';
import { operatorEntry } from '@sluice/nodes/operators';
import { type Collector, MemoryStateRegistry, type Operator, type SinkOperator, startOwned } from '@sluice/nodes/sdk';
import type { PlanNode } from '../compile/plan.js';
import { operatorContext } from '../runtime/operator-context.js';
import { redact } from '../secrets/redact.js';
import type { AlertNotification } from './alert-notifier.js';

export interface SinkPlace {
  baseDir: string;
  fileRoots?: readonly string[];
  /** The document's param values (a node's config may name them, as in its run). */
  params?: Record<string, ParamValue>;
}

/** What a target writes through: a sink type and its config; `via`, the graph's node it came from. */
export interface SinkSpec {
  type: string;
  config: Record<string, unknown>;
  via?: string;
}

interface Open {
  key: string;
  op: Promise<SinkOperator>;
  /** The last write: the next one waits for it. */
  last: Promise<unknown>;
}

export class SinkTargets {
  private readonly open = new Map<string, Open>();

  constructor(private readonly log: (line: string) => void) {}

  /** Writes `n` to the target's sink; false (and a log line) when it could not. */
  write(pipeline: string, targetId: string, sink: SinkSpec, n: AlertNotification, place: SinkPlace): Promise<boolean> {
    const id = `${pipeline}\0${targetId}`;
    const key = JSON.stringify([sink, place]);
    let o = this.open.get(id);
    if (o && o.key !== key) {
      void this.closeOne(id);
      o = undefined;
    }
    if (!o) {
      const op = create(`alert_target_${targetId}`, sink, place);
      o = { key, op, last: op };
      this.open.set(id, o);
    }
    const opened = o;
    const done = opened.last.then(
      async () => {
        const op = await opened.op;
        const problems: string[] = [];
        op.process([n as unknown as Event], collector(problems), 'in', false);
        await op.flush?.();
        if (problems.length > 0) throw new Error(problems[0]);
        return true;
      },
      () => false,
    );
    opened.last = done.catch(() => undefined);
    return done.catch((err: Error) => {
      const through = sink.via !== undefined ? `node ${sink.via}, ${sink.type}` : sink.type;
      this.log(redact(`alert ${pipeline}/${n.rule} (${n.state}) was not written to target ${targetId} (${through}): ${err.message}`));
      return false;
    });
  }

  /** Closes the sinks of a pipeline (it stopped), or all of them. */
  async close(pipeline?: string): Promise<void> {
    const ids = [...this.open.keys()].filter((id) => pipeline === undefined || id.startsWith(`${pipeline}\0`));
    await Promise.allSettled(ids.map((id) => this.closeOne(id)));
  }

  private async closeOne(id: string): Promise<void> {
    const o = this.open.get(id);
    if (!o) return;
    this.open.delete(id);
    await o.last;
    const op = await o.op.catch(() => undefined);
    await op?.close?.();
  }
}

async function create(nodeId: string, sink: SinkSpec, place: SinkPlace): Promise<SinkOperator> {
  const def = nodeDefinitions.get(sink.type);
  const entry = operatorEntry(sink.type);
  if (def?.category !== 'sink' || !entry || entry.kind === 'source') throw new Error(`${sink.type} is not a sink type`);
  // A node's config comes from the validated document, parsed already (as buildPlan takes it);
  // parsing it again would refuse its `${env:...}` references, which the context resolves.
  const config = sink.via !== undefined ? sink.config : (def.config.parse(sink.config) as Record<string, unknown>);
  const node: PlanNode = {
    id: nodeId,
    type: sink.type,
    def,
    config,
    stage: 0,
    isSource: false,
    isSink: true,
    outEdges: new Map(),
    inEdges: [],
    connectedOutputs: new Set(),
  };
  const ctx = operatorContext(node, new MemoryStateRegistry(), {
    baseDir: place.baseDir,
    ...(place.fileRoots ? { fileRoots: place.fileRoots } : {}),
    params: place.params ?? {},
    now: Date.now,
  });
  const op = (await entry.create(ctx)) as Operator as SinkOperator;
  startOwned(op);
  return op;
}

/** A sink emits nothing; what it reports as an error is the write's failure. */
function collector(problems: string[]): Collector {
  const none = () => undefined;
  return {
    emit: none,
    emitTo: none,
    late: none,
    drop: none,
    error: (_e, err) => problems.push(err instanceof Error ? err.message : String(err)),
  };
}
