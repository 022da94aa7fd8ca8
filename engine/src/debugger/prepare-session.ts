/**
 * From a request to a session's input: the document compiled and checked like a preview's draft
 * (422 with every diagnostic), the breakpoints checked against it, the events present.
 */
import { type Diagnostic, type Event, hasErrors, type ParamValue, type PipelineDocument } from '@sluice/shared';
import { compilePipeline } from '../compile/compile-pipeline.js';
import { PreviewError } from '../preview/preview.js';
import type { RecordedEvent } from '../recording/recorded-event.js';
import { BreakpointError, checkBreakpoints } from './breakpoints.js';

/** Largest source batch a session takes (a run's default batch). */
const MAX_BATCH = 1000;
import type { SessionInput } from './debug-session.js';

export function prepareSession(o: {
  pipelineId: string;
  document: unknown;
  params?: Record<string, unknown>;
  events: Record<string, readonly RecordedEvent[]>;
  baseDir: string;
  breakpoints?: unknown;
  batchSize?: unknown;
  mask?: (e: Event) => Event;
  policy?: (document: PipelineDocument) => Diagnostic[];
}): SessionInput {
  const { document, diagnostics } = compilePipeline(o.document, o.params ?? {});
  const problems = document && o.policy ? [...diagnostics, ...o.policy(document)] : diagnostics;
  if (!document || hasErrors(problems)) throw new PreviewError('invalid-document', 'the draft is invalid; fix it to debug it', problems);
  const params = Object.fromEntries(Object.entries(document.params ?? {}).map(([k, p]) => [k, p.value])) as Record<string, ParamValue>;
  const breakpoints = checkBreakpoints(o.breakpoints, document, params);
  const batchSize = o.batchSize ?? 1;
  if (typeof batchSize !== 'number' || !Number.isInteger(batchSize) || batchSize < 1 || batchSize > MAX_BATCH)
    throw new BreakpointError(`"batchSize" must be a whole number from 1 to ${MAX_BATCH}`, 'invalid-body');
  const total = Object.values(o.events).reduce((n, l) => n + l.length, 0);
  if (total === 0)
    throw new PreviewError(
      'no-recording',
      'no events to debug on: nothing is recorded or pinned for the sources (pin a sample on a source, or deploy and let it run)',
    );
  return {
    pipelineId: o.pipelineId,
    document,
    params,
    events: o.events,
    baseDir: o.baseDir,
    breakpoints,
    batchSize,
    mask: o.mask ?? ((e) => e),
  };
}
