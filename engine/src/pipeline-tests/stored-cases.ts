/**
 * The test cases of a stored pipeline: in `<baseDir>/<id>.tests/`, the folder `sluice test`
 * reads beside `<baseDir>/<id>.json`, so a case made through the API runs in CI unchanged and
 * the examples' shipped cases are the server's too. Stored with the pipeline's files (its
 * baseDir), not in the pipeline store: the same for the file and the PostgreSQL store.
 */
import { join } from 'node:path';
import type { StoredPipeline } from '@sluice/shared';
import { runSuite, type SuiteResult, suiteExitCode } from './run-suite.js';

export function casesFolder(p: Pick<StoredPipeline, 'id' | 'baseDir'>): string {
  return join(p.baseDir, `${p.id}.tests`);
}

/** Every case of a stored pipeline, on `document` (default: the stored one) with a deploy's params. */
export function runStoredCases(p: StoredPipeline, o: { document?: unknown; params?: Record<string, unknown> } = {}): Promise<SuiteResult> {
  return runSuite({
    label: p.id,
    document: o.document ?? p.document,
    baseDir: p.baseDir,
    testsDir: casesFolder(p),
    ...(o.params ? { params: o.params } : {}),
  });
}

/** Whether the document asks deploys to pass its cases first (`settings.requireTestsOnDeploy`). */
export function requiresTests(document: unknown): boolean {
  return (document as { settings?: { requireTestsOnDeploy?: unknown } } | null)?.settings?.requireTestsOnDeploy === true;
}

export type GateVerdict = { ok: true; suite?: SuiteResult } | { ok: false; suite: SuiteResult; reason: string };

/**
 * The deploy gate: when the document requires it, every case must pass with the deploy's
 * params. An invalid document is let through to the deploy, which refuses it with every
 * diagnostic; a pipeline that requires tests but has none is refused (the setting would
 * otherwise promise a check that never runs).
 */
export async function deployGate(
  p: StoredPipeline,
  params: Record<string, unknown>,
  /** Required whatever `p.document` says (a rollback from a version that required them). */
  o: { required?: boolean; what?: string } = {},
): Promise<GateVerdict> {
  if (!o.required && !requiresTests(p.document)) return { ok: true };
  const suite = await runStoredCases(p, { params });
  if (suite.documentError?.startsWith('invalid document')) return { ok: true, suite };
  if (suite.documentError) return { ok: false, suite, reason: suite.documentError };
  if (suite.cases.length === 0)
    return {
      ok: false,
      suite,
      reason: `settings.requireTestsOnDeploy is set but pipeline "${p.id}" has no test cases (make one with POST /api/pipelines/${p.id}/tests)`,
    };
  if (suiteExitCode([suite]) === 0) return { ok: true, suite };
  const bad = suite.cases.filter((c) => c.status !== 'passed');
  return {
    ok: false,
    suite,
    reason: `${o.what ?? 'deploy'} refused: ${bad.length} of ${suite.cases.length} test case${suite.cases.length === 1 ? '' : 's'} ${bad.length === 1 ? 'does' : 'do'} not pass with this change (${bad.map((c) => c.name).join(', ')}); details has the diff`,
  };
}
