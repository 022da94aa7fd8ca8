/**
 * Every case of one pipeline, one after the other: what `sluice test`, the API and the deploy
 * gate share. A case that cannot be read is reported as invalid and the others still run.
 */
import { join } from 'node:path';
import { formatDiagnostic, hasErrors } from '@sluice/shared';
import { compilePipeline } from '../compile/compile-pipeline.js';
import { InvalidCase, listCases, readCase, type TestCase } from './case-files.js';
import { type CaseResult, runCase } from './run-case.js';

export interface InvalidCaseResult {
  name: string;
  status: 'invalid';
  message: string;
}

export type CaseOutcome = (CaseResult & { case: TestCase }) | InvalidCaseResult;

export interface SuiteResult {
  /** What the report calls the pipeline: the document's file, or its id. */
  label: string;
  pipelineId?: string;
  testsDir: string;
  /** Set when the document itself is invalid: no case ran. */
  documentError?: string;
  cases: CaseOutcome[];
}

export interface SuiteOptions {
  label: string;
  /** The document as written. */
  document: unknown;
  baseDir: string;
  testsDir: string;
  /** Param values every case starts from (a deploy's overrides). */
  params?: Record<string, unknown>;
  /** Only these cases (by name). */
  only?: readonly string[];
}

export async function runSuite(o: SuiteOptions): Promise<SuiteResult> {
  const id = (o.document as { id?: unknown } | null)?.id;
  const out: SuiteResult = { label: o.label, ...(typeof id === 'string' ? { pipelineId: id } : {}), testsDir: o.testsDir, cases: [] };
  const { document, diagnostics } = compilePipeline(o.document, o.params ?? {});
  if (!document || hasErrors(diagnostics)) {
    out.documentError = `invalid document: ${diagnostics
      .filter((d) => d.severity === 'error')
      .map(formatDiagnostic)
      .join('; ')}`;
    return out;
  }
  let names: string[];
  try {
    names = await listCases(o.testsDir);
  } catch (err) {
    if (!(err instanceof InvalidCase)) throw err;
    out.documentError = err.message;
    return out;
  }
  for (const name of names) {
    if (o.only && !o.only.includes(name)) continue;
    try {
      const c = await readCase(join(o.testsDir, name));
      out.cases.push({ ...(await runCase(c, o)), case: c });
    } catch (err) {
      if (!(err instanceof InvalidCase)) throw err;
      out.cases.push({ name, status: 'invalid', message: err.message });
    }
  }
  return out;
}

/** 0 every case passed, 1 a case failed, 2 a document or case is invalid (the CLI's exit codes). */
export function suiteExitCode(suites: readonly SuiteResult[]): 0 | 1 | 2 {
  if (suites.some((s) => s.documentError !== undefined || s.cases.some((c) => c.status === 'invalid'))) return 2;
  return suites.some((s) => s.cases.some((c) => c.status === 'failed')) ? 1 : 0;
}
