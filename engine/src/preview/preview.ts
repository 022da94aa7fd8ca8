/**
 * What-if preview: the live version and a draft run side by side, in the embedded engine, on
 * the same recorded (or uploaded) source events, with sinks captured; the result pairs their
 * outputs by key. Nothing reaches the live pipeline or the outside world.
 */
import { type Diagnostic, type Event, hasErrors, type ParamValue, type PipelineDocument, type PreviewResult } from '@sluice/shared';
import { compilePipeline } from '../compile/compile-pipeline.js';
import type { RecordedEvent } from '../recording/recorded-event.js';
import { diffOutputs, type SinkDiff, sinkKeyFields } from './diff-outputs.js';

export type { PreviewResult };
import { type CapturedRun, runOnEvents } from './run-on-events.js';

/** Outputs returned per sink and side (the diff always covers all of them). */
const MAX_OUTPUTS = 1000;

export class PreviewError extends Error {
  constructor(
    readonly code: 'invalid-document' | 'no-recording' | 'invalid-live',
    message: string,
    readonly diagnostics: Diagnostic[] = [],
  ) {
    super(message);
  }
}

export interface PreviewSide {
  document: unknown;
  params?: Record<string, unknown>;
}

export interface PreviewInput {
  live: PreviewSide & { version: number | null };
  draft: PreviewSide;
  events: Record<string, readonly RecordedEvent[]>;
  baseDir: string;
  /**
   * Applied to every sink output of both sides before they are compared and answered
   * (docs/privacy.md): inputs were masked already; this catches personal fields nodes add.
   */
  maskOutput?: (e: Event) => Event;
  /** Server policy on the compiled draft (file paths confined). */
  policy?: (document: PipelineDocument) => Diagnostic[];
}

function compiled(side: PreviewSide, which: 'live' | 'draft', policy?: PreviewInput['policy']) {
  const { document, diagnostics } = compilePipeline(side.document, side.params ?? {});
  const problems = document && policy ? [...diagnostics, ...policy(document)] : diagnostics;
  if (!document || hasErrors(problems)) {
    const code = which === 'draft' ? 'invalid-document' : 'invalid-live';
    throw new PreviewError(
      code,
      which === 'draft' ? 'the draft is invalid; fix it to preview' : 'the live version no longer compiles',
      problems,
    );
  }
  const params = Object.fromEntries(Object.entries(document.params ?? {}).map(([k, p]) => [k, p.value])) as Record<string, ParamValue>;
  return { document, params };
}

function masked(run: CapturedRun, mask: PreviewInput['maskOutput']): CapturedRun {
  if (!mask) return run;
  return { ...run, outputs: Object.fromEntries(Object.entries(run.outputs).map(([k, v]) => [k, v.map(mask)])) };
}

const capped = (run: CapturedRun) => Object.fromEntries(Object.entries(run.outputs).map(([k, v]) => [k, v.slice(0, MAX_OUTPUTS)]));

export async function runPreview(input: PreviewInput): Promise<PreviewResult> {
  const sources = Object.fromEntries(Object.entries(input.events).map(([k, v]) => [k, v.length]));
  const total = Object.values(sources).reduce((a, b) => a + b, 0);
  if (total === 0)
    throw new PreviewError(
      'no-recording',
      'no events to preview on: the pipeline has recorded nothing yet (deploy it and let it run) and no sample was uploaded',
    );
  const draft = compiled(input.draft, 'draft', input.policy);
  const live = compiled(input.live, 'live');
  // One after the other: two runs at once would double the memory for no gain on one core.
  const liveRun = masked(await runOnEvents(live.document, live.params, input.events, input.baseDir), input.maskOutput);
  const draftRun = masked(await runOnEvents(draft.document, draft.params, input.events, input.baseDir), input.maskOutput);

  const diff: Record<string, SinkDiff> = {};
  let changed = 0;
  let all = 0;
  for (const sink of new Set([...Object.keys(liveRun.outputs), ...Object.keys(draftRun.outputs)])) {
    const keyDoc = draftRun.outputs[sink] ? draft.document : live.document;
    const d = diffOutputs(liveRun.outputs[sink] ?? [], draftRun.outputs[sink] ?? [], sinkKeyFields(keyDoc, sink));
    diff[sink] = d;
    changed += d.changed + d.added + d.removed;
    all += d.changed + d.added + d.removed + d.unchanged;
  }
  return {
    recording: { events: total, sources },
    live: { version: input.live.version, outputs: capped(liveRun), errors: liveRun.errors },
    draft: { outputs: capped(draftRun), errors: draftRun.errors },
    diff,
    outcomes: { changed, total: all },
  };
}
