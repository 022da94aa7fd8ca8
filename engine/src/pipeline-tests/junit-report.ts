/**
 * JUnit XML for CI systems (Jenkins, GitLab, GitHub reporters): one <testsuite> per pipeline,
 * one <testcase> per case; a failed case has a <failure> with the text diff, an invalid case
 * (or document) an <error>. The shape most readers accept: testsuites > testsuite > testcase.
 */
import { differenceCount, formatFailure } from './format-report.js';
import type { SuiteResult } from './run-suite.js';

// XML 1.0 has no escape for most control characters: drop them rather than write a file no parser reads.
// biome-ignore lint/suspicious/noControlCharactersInRegex: removing control characters is the point
const INVALID_XML = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/g;

export function xmlEscape(s: string): string {
  return s
    .replace(INVALID_XML, '')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;');
}

const attrs = (a: Record<string, string | number>) =>
  Object.entries(a)
    .map(([k, v]) => ` ${k}="${xmlEscape(String(v))}"`)
    .join('');
const seconds = (ms: number) => (ms / 1000).toFixed(3);

export function junitXml(suites: readonly SuiteResult[]): string {
  const out: string[] = ['<?xml version="1.0" encoding="UTF-8"?>'];
  const all = suites.flatMap((s) => s.cases);
  const time = (s: SuiteResult) => s.cases.reduce((t, c) => t + ('ms' in c ? c.ms : 0), 0);
  const count = (cs: SuiteResult['cases'], st: string) => cs.filter((c) => c.status === st).length;
  const docErrors = suites.filter((s) => s.documentError).length;
  out.push(
    `<testsuites${attrs({
      name: 'sluice test',
      tests: all.length + docErrors,
      failures: count(all, 'failed'),
      errors: count(all, 'invalid') + docErrors,
      time: seconds(suites.reduce((t, s) => t + time(s), 0)),
    })}>`,
  );
  for (const s of suites) {
    const classname = s.pipelineId ?? s.label;
    const tests = s.cases.length + (s.documentError ? 1 : 0);
    out.push(
      `  <testsuite${attrs({
        name: s.label,
        tests,
        failures: count(s.cases, 'failed'),
        errors: count(s.cases, 'invalid') + (s.documentError ? 1 : 0),
        skipped: 0,
        time: seconds(time(s)),
      })}>`,
    );
    if (s.documentError) {
      out.push(`    <testcase${attrs({ classname, name: '(document)', time: '0.000' })}>`);
      out.push(`      <error${attrs({ message: s.documentError, type: 'invalid-document' })}/>`);
      out.push('    </testcase>');
    }
    for (const c of s.cases) {
      if (c.status === 'invalid') {
        out.push(`    <testcase${attrs({ classname, name: c.name, time: '0.000' })}>`);
        out.push(`      <error${attrs({ message: c.message, type: 'invalid-case' })}/>`);
        out.push('    </testcase>');
        continue;
      }
      const open = `    <testcase${attrs({ classname, name: c.name, time: seconds(c.ms) })}`;
      if (c.status === 'passed') {
        out.push(`${open}/>`);
        continue;
      }
      const n = differenceCount(c);
      const message = c.runError ? `the run failed: ${c.runError}` : `${n} difference${n === 1 ? '' : 's'} from the expected outputs`;
      out.push(`${open}>`);
      out.push(`      <failure${attrs({ message, type: 'outputs-differ' })}>${xmlEscape(formatFailure(c, ''))}</failure>`);
      out.push('    </testcase>');
    }
    out.push('  </testsuite>');
  }
  out.push('</testsuites>');
  return `${out.join('\n')}\n`;
}
