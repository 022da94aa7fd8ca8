/**
 * A second, independent JSON Schema implementation: Debian's python3-jsonschema (Draft 2020-12,
 * with its format checker, which ignores formats it does not know, as most tools do). Every
 * example pipeline passes the document schema and each node its config schema; a bad duration
 * is still refused by the schema's pattern. .ci/run installs the package when missing.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { nodeConfigJsonSchema } from '@sluice/shared';
import { nodeDefinitions } from '@sluice/nodes/definitions';
import { describe, expect, it } from 'vitest';

const ROOT = new URL('../../', import.meta.url).pathname;
const EXAMPLES = ['dynamic-pricing', 'fraud', 'iot-maintenance', 'ysb'];

/** Reads [{schema, instance, label}] on stdin; prints one line per error: `label: path: message`. */
const CHECKER = `
import json, sys
from jsonschema import Draft202012Validator, FormatChecker
for case in json.load(sys.stdin):
    v = Draft202012Validator(case["schema"], format_checker=FormatChecker())
    for e in sorted(v.iter_errors(case["instance"]), key=lambda e: list(e.absolute_path)):
        print(case["label"] + ": /" + "/".join(str(p) for p in e.absolute_path) + ": " + e.validator)
`;

interface Case {
  label: string;
  schema: unknown;
  instance: unknown;
}

function pythonErrors(cases: Case[]): string[] {
  let out: string;
  try {
    out = execFileSync('python3', ['-c', CHECKER], { input: JSON.stringify(cases), encoding: 'utf8', timeout: 60_000 });
  } catch (err) {
    const e = err as { stderr?: string; message: string };
    throw new Error(
      `python3 with jsonschema is needed (Debian: apt-get install python3-jsonschema; .ci/run installs it): ${e.stderr || e.message}`,
    );
  }
  return out.split('\n').filter(Boolean);
}

describe('python3-jsonschema on the document and node config schemas', () => {
  const documentSchema = JSON.parse(readFileSync(join(ROOT, 'docs/sluice-v1.schema.json'), 'utf8'));

  it('accepts every example pipeline, and each node config against its type', () => {
    const cases: Case[] = [];
    for (const name of EXAMPLES) {
      const doc = JSON.parse(readFileSync(join(ROOT, 'examples', name, `${name}.json`), 'utf8'));
      cases.push({ label: name, schema: documentSchema, instance: doc });
      for (const n of doc.nodes)
        cases.push({ label: `${name} ${n.id}`, schema: nodeConfigJsonSchema(nodeDefinitions.get(n.type)!), instance: n.config ?? {} });
    }
    for (const type of nodeDefinitions.types()) {
      const def = nodeDefinitions.get(type)!;
      cases.push({ label: `${type} example`, schema: nodeConfigJsonSchema(def), instance: def.example });
    }
    expect(pythonErrors(cases)).toEqual([]);
  });

  it('refuses what the validator refuses: a duration in words, a negative one, a document without format', () => {
    const window = nodeConfigJsonSchema(nodeDefinitions.get('window')!);
    const config = (size: unknown) => ({ type: 'tumbling', size, aggregates: [{ as: 'n', op: 'count' }] });
    expect(
      pythonErrors([
        { label: 'words', schema: window, instance: config('10 sec') },
        { label: 'negative', schema: window, instance: config(-1) },
        { label: 'fine', schema: window, instance: config('5m') },
        { label: 'no format', schema: documentSchema, instance: { nodes: [] } },
      ]),
    ).toEqual(['words: /size: pattern', 'negative: /size: minimum', 'no format: /: required']);
  });
});
