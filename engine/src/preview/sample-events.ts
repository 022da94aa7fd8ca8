/**
 * Which events a preview, a "run to here" or a new test case runs on, per source: the
 * recording when the source has recorded something, else its pinned sample, else (for a
 * generator) the generator's own first events. So a pipeline that has never run can be
 * previewed without deploying it (docs/pinned-samples.md). Pinned and generated events are
 * masked by the pipeline's privacy settings, as recorded ones were when recorded.
 */
import { type Event, type PipelineDocument, parseTime } from '@sluice/shared';
import { nodeDefinitions } from '@sluice/nodes/definitions';
import type { Operator } from '@sluice/nodes/sdk';
import { type RecordedEvent, recordEvent } from '../recording/recorded-event.js';
import { EmbeddedRunner } from '../runners/embedded/embedded-runner.js';

export type SampleOrigin = 'recording' | 'pinned' | 'generator';

export interface SampleChoice {
  events: Record<string, RecordedEvent[]>;
  /** Where each source's events came from (sources with none are absent). */
  origins: Record<string, SampleOrigin>;
}

/** Events a generator gives a preview when nothing is recorded or pinned. */
export const GENERATOR_SAMPLE = 200;

const timeOf = (document: PipelineDocument, nodeId: string, e: Record<string, unknown>): RecordedEvent => {
  const node = document.nodes.find((n) => n.id === nodeId);
  // A generator has no timeField: its events carry their time in `ts` (`event_time` for ad events).
  const tf = node?.type === 'source.generator' ? ('ts' in e ? 'ts' : 'event_time') : node?.config.timeField;
  // The sources' own rule (epoch ms or ISO 8601), as an uploaded sample is timed.
  const t = typeof tf === 'string' ? parseTime(e[tf]) : undefined;
  return t === undefined ? { e } : { e, t };
};

/** A generator's first `n` events, as fast as they come (rate 0), with the stamps it gives them. */
export async function generatorSample(document: PipelineDocument, nodeId: string, n = GENERATOR_SAMPLE): Promise<RecordedEvent[]> {
  const node = document.nodes.find((x) => x.id === nodeId)!;
  const count = Math.min(n, typeof node.config.count === 'number' ? node.config.count : n);
  const kept: RecordedEvent[] = [];
  const capture: Operator = {
    process(batch) {
      for (const e of batch) kept.push(recordEvent(e as Event));
    },
  };
  const doc: PipelineDocument = {
    format: document.format,
    id: 'generator-sample',
    nodes: [
      { id: node.id, type: node.type, config: { ...node.config, rate: 0, count } },
      { id: 'sample', type: 'sink.console', config: {} },
    ],
    edges: [{ id: 'to-sample', source: node.id, target: 'sample' }],
  } as PipelineDocument;
  const runner = new EmbeddedRunner();
  try {
    const handle = await runner.deploy(doc, { baseDir: '.', partitions: 1, operatorOverrides: { sample: () => capture } });
    const result = await handle.done;
    if (result.status !== 'completed') throw new Error(`the generator ${nodeId} did not complete: ${result.error ?? result.status}`);
  } finally {
    await runner.close();
  }
  return kept;
}

export async function chooseSamples(o: {
  document: PipelineDocument;
  recorded: Record<string, RecordedEvent[]>;
  pinned: Record<string, Record<string, unknown>[]>;
  /** The pipeline's privacy mask, for generated events (pinned ones were masked when pinned: an hmac twice would differ). */
  mask: (e: Event) => Event;
  /** `pinned`: a source's pinned sample wins over its recording. */
  prefer?: 'recording' | 'pinned';
}): Promise<SampleChoice> {
  const events: Record<string, RecordedEvent[]> = {};
  const origins: Record<string, SampleOrigin> = {};
  for (const node of o.document.nodes) {
    if (nodeDefinitions.get(node.type)?.category !== 'source') continue;
    const recorded = o.recorded[node.id] ?? [];
    const pinned = (o.pinned[node.id] ?? []).map((e) => timeOf(o.document, node.id, e));
    if (pinned.length > 0 && (o.prefer === 'pinned' || recorded.length === 0)) {
      events[node.id] = pinned;
      origins[node.id] = 'pinned';
    } else if (recorded.length > 0) {
      events[node.id] = recorded;
      origins[node.id] = 'recording';
    } else if (node.type === 'source.generator') {
      // A generator whose config does not run gives nothing here: the run's own validation says why (422).
      const generated = await generatorSample(o.document, node.id).catch((): RecordedEvent[] => []);
      if (generated.length === 0) continue;
      events[node.id] = generated.map((r) => ({ ...r, e: o.mask(r.e as Event) as Record<string, unknown> }));
      origins[node.id] = 'generator';
    }
  }
  return { events, origins };
}
