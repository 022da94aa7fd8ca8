/**
 * `sluice test <graph.json | folder> ... [--update] [--junit out.xml] [--case NAME ...]`: run
 * every test case of the pipelines named (a folder: every document under it with a
 * `<name>.tests/` folder) on the embedded engine and compare the sinks' outputs with the
 * expectations (docs/pipeline-tests.md). Exit 0 all passed, 1 a case failed, 2 an invalid
 * document or case (or usage).
 */
import { writeFile } from 'node:fs/promises';
import { dirname, relative } from 'node:path';
import { parseArgs } from 'node:util';
import { findSuites, type SuiteTarget } from '../pipeline-tests/find-suites.js';
import { formatSuite, formatTotals } from '../pipeline-tests/format-report.js';
import { junitXml } from '../pipeline-tests/junit-report.js';
import { runSuite, type SuiteResult, suiteExitCode } from '../pipeline-tests/run-suite.js';
import { writeExpected } from '../pipeline-tests/write-case.js';

const USAGE = 'usage: sluice test <graph.json | folder> ... [--update] [--junit out.xml] [--case NAME ...]\n';

export async function testCommand(args: string[]): Promise<number> {
  let parsed: ReturnType<typeof parse>;
  try {
    parsed = parse(args);
  } catch (err) {
    process.stderr.write(`sluice test: ${(err as Error).message}\n${USAGE}`);
    return 2;
  }
  if (parsed.positionals.length === 0) {
    process.stderr.write(USAGE);
    return 2;
  }
  const targets: SuiteTarget[] = [];
  try {
    for (const arg of parsed.positionals) targets.push(...(await findSuites(arg)));
  } catch (err) {
    process.stderr.write(`sluice test: ${(err as Error).message}\n`);
    return 2;
  }
  const update = parsed.values.update ?? false;
  const suites: SuiteResult[] = [];
  for (const t of targets) {
    const s: SuiteResult = t.error
      ? { label: t.label, testsDir: t.testsDir, documentError: t.error, cases: [] }
      : await runSuite({
          label: t.label,
          document: t.document,
          baseDir: dirname(t.graphPath),
          testsDir: t.testsDir,
          ...(parsed.values.case ? { only: parsed.values.case } : {}),
        });
    if (update) {
      for (const c of s.cases) {
        // A run that failed is not an expectation to keep.
        if (c.status === 'invalid' || c.status === 'passed' || c.runError) continue;
        await writeExpected(c.case.dir, c.outputs);
        process.stdout.write(`updated ${relative(process.cwd(), c.case.dir)}/expected\n`);
        // Written as sent: the case now passes.
        Object.assign(c, {
          status: 'passed',
          differences: [],
          sinks: c.sinks.map((x) => ({ ...x, changed: 0, missing: 0, unexpected: 0 })),
        });
      }
    }
    process.stdout.write(formatSuite(s));
    suites.push(s);
  }
  if (targets.length === 0)
    process.stdout.write(`no test cases under ${parsed.positionals.join(', ')} (a document's cases live in <name>.tests/ beside it)\n`);
  else process.stdout.write(formatTotals(suites));
  const seen = new Set(suites.flatMap((s) => s.cases.map((c) => c.name)));
  const unknown = (parsed.values.case ?? []).filter((n) => !seen.has(n));
  if (unknown.length > 0) {
    process.stderr.write(`sluice test: no case named ${unknown.map((n) => JSON.stringify(n)).join(', ')} in what was named\n`);
    return 2;
  }
  if (parsed.values.junit) {
    try {
      await writeFile(parsed.values.junit, junitXml(suites));
    } catch (err) {
      process.stderr.write(`sluice test: cannot write ${parsed.values.junit}: ${(err as Error).message}\n`);
      return 2;
    }
  }
  const code = suiteExitCode(suites);
  if (code === 2) process.stderr.write('sluice test: a document or case is invalid (see "!" above)\n');
  else if (code === 1)
    process.stderr.write('sluice test: a case failed (see "✗" above); if the change is intended, run again with --update\n');
  return code;
}

function parse(args: string[]) {
  return parseArgs({
    args,
    allowPositionals: true,
    options: { update: { type: 'boolean' }, junit: { type: 'string' }, case: { type: 'string', multiple: true } },
  });
}
