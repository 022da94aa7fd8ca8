/**
 * Zod issues as users read them. Zod's own messages ("Invalid input: expected number, received
 * string") do not show the offending value, and the value is what a person looks for in a file.
 */
import type { z } from 'zod';

const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

/** `['aggregates', 0, 'field']` -> `aggregates[0].field`; odd keys quoted: `set["unit price"]`. */
export function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const p of path) {
    if (typeof p === 'number') out += `[${p}]`;
    else if (typeof p === 'string' && IDENTIFIER.test(p)) out += out === '' ? p : `.${p}`;
    else out += `[${JSON.stringify(String(p))}]`;
  }
  return out;
}

export const MISSING = 'missing required field';

type Issue = z.core.$ZodIssue;

/** "missing required field", "expected number, got string \"left\"", the schema's own words otherwise. */
export function issueMessage(issue: Issue): string {
  const input = (issue as { input?: unknown }).input;
  switch (issue.code) {
    case 'invalid_type':
      return input === undefined ? MISSING : `expected ${issue.expected}, got ${describeValue(input)}`;
    case 'invalid_value':
      return `${describeValue(input)} is not one of ${issue.values.map((v) => JSON.stringify(v)).join(', ')}`;
    case 'unrecognized_keys':
      return `unknown field${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((k) => JSON.stringify(k)).join(', ')}`;
    case 'invalid_key':
      return issue.issues[0] ? issueMessage(issue.issues[0] as Issue) : issue.message;
    case 'too_small':
      if (issue.origin === 'string' && Number(issue.minimum) === 1) return 'must not be empty';
      return issue.message;
    case 'invalid_union':
      return unionMessage(issue, input);
    default:
      return issue.message;
  }
}

function unionMessage(issue: z.core.$ZodIssueInvalidUnion, input: unknown): string {
  const { discriminator, options } = issue as { discriminator?: string; options?: unknown[] };
  if (discriminator !== undefined) {
    const value = input !== null && typeof input === 'object' ? (input as Record<string, unknown>)[discriminator] : undefined;
    if (value === undefined) return MISSING;
    return `${describeValue(value)} is not one of ${(options ?? []).map((v) => JSON.stringify(v)).join(', ')}`;
  }
  // Every branch refused the value for its type (e.g. a duration given `true`): say what fits.
  const branches = issue.errors.map((b) => (b.length === 1 && b[0]!.code === 'invalid_type' && b[0]!.path.length === 0 ? b[0]!.expected : undefined));
  if (branches.length > 0 && branches.every((b) => b !== undefined)) {
    return input === undefined ? MISSING : `expected ${branches.join(' or ')}, got ${describeValue(input)}`;
  }
  return issue.message;
}

/** `string "10 sec"`, `a list`, `null`: short enough for one line. */
export function describeValue(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'object') return 'an object';
  const text = JSON.stringify(v);
  return `${typeof v} ${text && text.length > 40 ? `${text.slice(0, 40)}…` : text}`;
}
