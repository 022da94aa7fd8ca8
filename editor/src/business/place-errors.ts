/**
 * A refused call's reasons put where they belong: a 403's or 422's diagnostics name a param
 * (`params.surge_pct.value`) or a node and a path inside it (`config.rows[2].then.adjust_pct`);
 * the business page shows each beside that field or row, and the rest at the top.
 */
import type { Diagnostic } from '@sluice/shared';
import { ApiError } from '../api/client';
import { stripConfig, type TableProblem } from './rules-check';

export interface PlacedErrors {
  general: string[];
  params: Record<string, string[]>;
  tables: Record<string, TableProblem[]>;
}

export const NO_ERRORS: PlacedErrors = { general: [], params: {}, tables: {} };

export function placeErrors(err: unknown): PlacedErrors {
  if (!(err instanceof ApiError)) return { ...NO_ERRORS, general: [err instanceof Error ? err.message : String(err)] };
  // A deploy or rollback the pipeline's test cases refused: the message, then each failing case's diff (docs/pipeline-tests.md).
  if (err.code === 'tests-failed') {
    const cases = (err.body.error.details ?? []) as unknown as { name?: string; diff?: string; message?: string }[];
    const lines = cases.flatMap((c) => (c.diff ?? `${c.name}: ${c.message ?? ''}`).split('\n').filter((l) => l.trim() !== ''));
    return { ...NO_ERRORS, general: [err.message, ...lines] };
  }
  return placeDiagnostics(err.body.error.details ?? [], `${err.status === 403 ? 'Not allowed: ' : ''}${err.message}`);
}

export function placeDiagnostics(details: readonly Diagnostic[], headline?: string): PlacedErrors {
  const out: PlacedErrors = { general: headline ? [headline] : [], params: {}, tables: {} };
  for (const d of details) {
    const param = !d.nodeId && d.path ? /^params\.([^.[]+)/.exec(d.path) : null;
    if (param) (out.params[param[1]!] ??= []).push(d.message);
    else if (d.nodeId) (out.tables[d.nodeId] ??= []).push({ path: stripConfig(d.path), message: d.message, severity: d.severity });
    else out.general.push(`${d.edgeId ? `edge ${d.edgeId}: ` : ''}${d.path ? `${d.path}: ` : ''}${d.message}`);
  }
  return out;
}
