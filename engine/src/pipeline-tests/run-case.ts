/**
 * Run one test case the way a preview runs a draft (run-on-events.ts: the embedded engine, one
 * partition, every source replaying the case's events with their stamps, every sink captured)
 * and compare each sink's outputs with the expectation, paired by key as a preview pairs them.
 */
import { formatDiagnostic, hasErrors, type ParamValue, type PipelineDocument } from '@sluice/shared';
import { nodeDefinitions } from '@sluice/nodes/definitions';
import { compilePipeline } from '../compile/compile-pipeline.js';
import { diffOutputs, sinkKeyFields } from '../preview/diff-outputs.js';
import { type CapturedRun, runOnEvents } from '../preview/run-on-events.js';
import { InvalidCase, recordedInputs, type TestCase } from './case-files.js';

/** One difference between what a case expects of a sink and what the pipeline did. */
export interface CaseDifference {
  sink: string;
  /** The pairing key (`sku="A", window_start=0`), or `#n` by position. */
  key: string;
  kind: 'changed' | 'missing' | 'unexpected';
  /** For `changed`: each field that differs. */
  fields?: { field: string; expected: unknown; actual: unknown }[];
  /** The expected event (`changed`, `missing`). */
  expected?: Record<string, unknown>;
  /** The event the pipeline sent (`changed`, `unexpected`). */
  actual?: Record<string, unknown>;
}

export interface SinkResult {
  sink: string;
  key: string[];
  expected: number;
  actual: number;
  matched: number;
  changed: number;
  missing: number;
  unexpected: number;
}

export interface CaseResult {
  name: string;
  description?: string;
  status: 'passed' | 'failed';
  ms: number;
  sinks: SinkResult[];
  /** Every difference (capped per sink at the preview's row cap; the counts cover all). */
  differences: CaseDifference[];
  /** Set when the run itself failed. */
  runError?: string;
  /** Errors counted per node (events a node could not process). */
  nodeErrors: Record<string, number>;
  /** What each sink sent, as JSON (symbols and undefined dropped): what `--update` writes. */
  outputs: Record<string, Record<string, unknown>[]>;
}

export interface RunCaseOptions {
  /** The document as written (not yet compiled). */
  document: unknown;
  baseDir: string;
  /** Param values the case starts from (a deploy's overrides); the case's own params win. */
  params?: Record<string, unknown>;
}

const plain = (e: unknown) => JSON.parse(JSON.stringify(e)) as Record<string, unknown>;

/** Nested objects with their keys sorted: `{b, a}` written by hand equals `{a, b}` sent (field order stays). */
function sortedKeys(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(sortedKeys);
  if (v === null || typeof v !== 'object') return v;
  return Object.fromEntries(
    Object.keys(v)
      .sort()
      .map((k) => [k, sortedKeys((v as Record<string, unknown>)[k])]),
  );
}
const comparable = (e: Record<string, unknown>) => Object.fromEntries(Object.entries(e).map(([k, v]) => [k, sortedKeys(v)]));

function categoryOf(doc: PipelineDocument, id: string): string | undefined {
  const node = doc.nodes.find((n) => n.id === id);
  return node ? nodeDefinitions.get(node.type)?.category : undefined;
}

export async function runCase(c: TestCase, o: RunCaseOptions): Promise<CaseResult> {
  const started = performance.now();
  const caseFile = `${c.dir}/case.json`;
  const { document, diagnostics } = compilePipeline(o.document, { ...(o.params ?? {}), ...(c.spec.params ?? {}) });
  if (!document || hasErrors(diagnostics))
    throw new InvalidCase(
      caseFile,
      `the document does not compile with this case's params: ${diagnostics
        .filter((d) => d.severity === 'error')
        .map(formatDiagnostic)
        .join('; ')}`,
    );
  for (const id of Object.keys(c.inputs))
    if (categoryOf(document, id) !== 'source')
      throw new InvalidCase(`${c.dir}/input`, `"${id}" is not a source node of the document; name files after source node ids`);
  for (const [id, file] of Object.entries(c.expectedFiles))
    if (categoryOf(document, id) !== 'sink')
      throw new InvalidCase(file, `"${id}" is not a sink node of the document; name files after sink node ids`);

  const timeFieldOf = (id: string) => {
    const tf = document.nodes.find((n) => n.id === id)?.config.timeField;
    return typeof tf === 'string' ? tf : undefined;
  };
  const events = recordedInputs(c, timeFieldOf);
  const params = Object.fromEntries(Object.entries(document.params ?? {}).map(([k, p]) => [k, p.value])) as Record<string, ParamValue>;
  // A run that cannot start (an enrich table that is not there) fails the case, saying why.
  const run: CapturedRun = await runOnEvents(document, params, events, o.baseDir, c.spec.secrets).catch((err: unknown) => ({
    outputs: {},
    errors: {},
    status: 'failed',
    error: err instanceof Error ? err.message : String(err),
  }));

  const sinks: SinkResult[] = [];
  const differences: CaseDifference[] = [];
  const outputs: CaseResult['outputs'] = {};
  for (const node of document.nodes) {
    if (nodeDefinitions.get(node.type)?.category !== 'sink') continue;
    const actual = (run.outputs[node.id] ?? []).map(plain);
    outputs[node.id] = actual;
    const expected = c.expected[node.id] ?? [];
    const key = sinkKeyFields(document, node.id);
    const d = diffOutputs(expected.map(comparable), actual.map(comparable), key);
    sinks.push({
      sink: node.id,
      key,
      expected: expected.length,
      actual: actual.length,
      matched: d.unchanged,
      changed: d.changed,
      missing: d.removed,
      unexpected: d.added,
    });
    // Changed rows first (biggest move first, as a preview lists them), then missing, then unexpected.
    for (const r of d.rows) {
      if (r.change === 'changed')
        differences.push({
          sink: node.id,
          key: r.key,
          kind: 'changed',
          fields: r.fields.map((f) => ({ field: f.field, expected: f.before, actual: f.after })),
          expected: r.before as Record<string, unknown>,
          actual: r.after as Record<string, unknown>,
        });
    }
    for (const r of d.rows)
      if (r.change === 'removed')
        differences.push({ sink: node.id, key: r.key, kind: 'missing', expected: r.before as Record<string, unknown> });
    for (const r of d.rows)
      if (r.change === 'added')
        differences.push({ sink: node.id, key: r.key, kind: 'unexpected', actual: r.after as Record<string, unknown> });
  }
  const failed = run.status === 'failed' || sinks.some((s) => s.changed + s.missing + s.unexpected > 0);
  return {
    name: c.name,
    ...(c.spec.description !== undefined ? { description: c.spec.description } : {}),
    status: failed ? 'failed' : 'passed',
    ms: performance.now() - started,
    sinks,
    differences,
    ...(run.status === 'failed' ? { runError: run.error ?? 'the run failed' } : {}),
    nodeErrors: run.errors,
    outputs,
  };
}
