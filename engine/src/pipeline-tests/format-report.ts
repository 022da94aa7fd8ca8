/**
 * The text report of `sluice test` and of a refused deploy: per case a pass/fail line, and per
 * failure each difference as case, sink, key, field, expected, actual (missing and unexpected
 * events with the event). Values are JSON, cut at 200 characters.
 */
import type { CaseDifference, CaseResult } from './run-case.js';
import type { CaseOutcome, SuiteResult } from './run-suite.js';

/** Differences printed per case; the counts always cover all. */
const MAX_SHOWN = 50;

const show = (v: unknown) => {
  const s = v === undefined ? 'missing' : JSON.stringify(v);
  return s.length > 200 ? `${s.slice(0, 200)}...` : s;
};

/** Every difference of a case, from the per-sink counts (the listed ones are capped per sink). */
export function differenceCount(r: CaseResult): number {
  return r.sinks.reduce((n, s) => n + s.changed + s.missing + s.unexpected, 0);
}

/** One difference, one or more lines, indented by `pad`. */
export function formatDifference(d: CaseDifference, pad = ''): string {
  const head = `${pad}${d.sink} ${d.key}`;
  if (d.kind === 'missing') return `${head}: missing: expected ${show(d.expected)}, the pipeline sent no such event`;
  if (d.kind === 'unexpected') return `${head}: unexpected: the pipeline sent ${show(d.actual)}`;
  return [`${head}:`, ...(d.fields ?? []).map((f) => `${pad}  ${f.field}: expected ${show(f.expected)}, actual ${show(f.actual)}`)].join(
    '\n',
  );
}

/** The lines under a failed case: a summary per sink that differs, then the differences. */
export function formatFailure(r: CaseResult, pad = '    '): string {
  const lines: string[] = [];
  if (r.runError) lines.push(`${pad}the run failed: ${r.runError}`);
  for (const s of r.sinks) {
    if (s.changed + s.missing + s.unexpected === 0) continue;
    const key = s.key.length > 0 ? `paired by ${s.key.join(', ')}` : 'paired by position';
    lines.push(
      `${pad}${s.sink} (${key}): ${s.expected} expected, ${s.actual} sent; ${s.matched} as expected, ${s.changed} changed, ${s.missing} missing, ${s.unexpected} unexpected`,
    );
  }
  for (const d of r.differences.slice(0, MAX_SHOWN)) lines.push(formatDifference(d, `${pad}  `));
  const total = differenceCount(r);
  if (total > MAX_SHOWN) lines.push(`${pad}  ... and ${total - MAX_SHOWN} more differences`);
  const errors = Object.entries(r.nodeErrors);
  if (errors.length > 0) lines.push(`${pad}node errors: ${errors.map(([n, k]) => `${n} ${k}`).join(', ')}`);
  return lines.join('\n');
}

function caseLine(c: CaseOutcome): string {
  if (c.status === 'invalid') return `  ! ${c.name}: invalid case: ${c.message}`;
  const ms = `${Math.round(c.ms)} ms`;
  if (c.status === 'passed') return `  ✓ ${c.name} (${ms})`;
  const n = differenceCount(c);
  const what = c.runError ? 'the run failed' : `${n} difference${n === 1 ? '' : 's'}`;
  return `  ✗ ${c.name}: ${what} (${ms})\n${formatFailure(c)}`;
}

export function formatSuite(s: SuiteResult): string {
  if (s.documentError) return `${s.label}\n  ! ${s.documentError}\n`;
  if (s.cases.length === 0) return `${s.label}: no test cases (${s.testsDir})\n`;
  return `${s.label}\n${s.cases.map(caseLine).join('\n')}\n`;
}

export function formatTotals(suites: readonly SuiteResult[]): string {
  const all = suites.flatMap((s) => s.cases);
  const count = (st: string) => all.filter((c) => c.status === st).length;
  const bad = suites.filter((s) => s.documentError).length;
  const parts = [`${count('passed')} passed`, `${count('failed')} failed`];
  if (count('invalid') > 0) parts.push(`${count('invalid')} invalid`);
  if (bad > 0) parts.push(`${bad} invalid document${bad === 1 ? '' : 's'} or tests folder${bad === 1 ? '' : 's'}`);
  return `${all.length} case${all.length === 1 ? '' : 's'}: ${parts.join(', ')}\n`;
}

/** Differences an API answer lists per case; the counts per sink always cover all. */
const MAX_ANSWERED = 100;

/** A case's outcome as the API answers it: JSON only, with the text diff for people. */
export function caseAnswer(c: CaseOutcome): Record<string, unknown> {
  if (c.status === 'invalid') return { name: c.name, status: c.status, message: c.message };
  return {
    name: c.name,
    status: c.status,
    ...(c.description !== undefined ? { description: c.description } : {}),
    ms: Math.round(c.ms),
    sinks: c.sinks,
    differences: c.differences.slice(0, MAX_ANSWERED),
    ...(c.runError ? { runError: c.runError } : {}),
    ...(c.status === 'failed' ? { diff: formatFailure(c, '') } : {}),
  };
}
