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

export interface IssueText {
  message: string;
  /** A required field is absent (diagnostic code `missing-config` / `missing-field`). */
  missing: boolean;
}

/** "missing required field", "expected number, got string \"left\"", the schema's own words otherwise. */
export function issueMessage(issue: Issue): string {
  return describeIssue(issue).message;
}

/**
 * What went wrong, in the words of the file's author. Needs the parse to run with
 * `{ reportInput: true }` to tell a missing field from a wrong one (JSON has no `undefined`: an
 * input of undefined is an absent field); without it, it says what was expected and never "missing".
 */
export function describeIssue(issue: Issue): IssueText {
  const reported = 'input' in issue;
  const input = (issue as { input?: unknown }).input;
  const absent = reported && input === undefined;
  const wrong = (message: string): IssueText => ({ message, missing: false });
  switch (issue.code) {
    case 'invalid_type':
      if (absent) return missing();
      return wrong(reported ? `expected ${issue.expected}, got ${describeValue(input)}` : `expected ${issue.expected}`);
    case 'invalid_value': {
      const choices = oneOf(issue.values);
      if (absent) return missing(issue.values.length > 1 ? choices : `must be ${choices}`);
      return wrong(reported ? `${describeValue(input)} is not ${choices}` : `must be ${choices}`);
    }
    case 'unrecognized_keys':
      return wrong(`unknown field${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((k) => JSON.stringify(k)).join(', ')}`);
    case 'invalid_key':
      return issue.issues[0] ? describeIssue(issue.issues[0] as Issue) : wrong(issue.message);
    case 'too_small':
      if (issue.origin === 'string' && Number(issue.minimum) === 1) return wrong('must not be empty');
      return wrong(issue.message);
    case 'invalid_union':
      return unionText(issue, input, absent);
    default:
      return wrong(issue.message);
  }
}

/** "missing required field", with what it takes when that helps (the choices of an enum). */
function missing(takes?: string): IssueText {
  return { message: takes ? `${MISSING} (${takes})` : MISSING, missing: true };
}

function oneOf(values: readonly unknown[]): string {
  return values.length === 1 ? JSON.stringify(values[0]) : `one of ${values.map((v) => JSON.stringify(v)).join(', ')}`;
}

function unionText(issue: z.core.$ZodIssueInvalidUnion, input: unknown, absent: boolean): IssueText {
  const { discriminator, options } = issue as { discriminator?: string; options?: unknown[] };
  if (absent) return missing();
  if (discriminator !== undefined) {
    const value = input !== null && typeof input === 'object' ? (input as Record<string, unknown>)[discriminator] : undefined;
    // Zod's path already ends at the field that picks the variant.
    if (value === undefined) return missing(oneOf(options ?? []));
    return { message: `${describeValue(value)} is not ${oneOf(options ?? [])}`, missing: false };
  }
  // Every branch refused the value for its type (e.g. a duration given `true`): say what fits.
  const branches = issue.errors.map((b) =>
    b.length === 1 && b[0]!.code === 'invalid_type' && b[0]!.path.length === 0 ? b[0]!.expected : undefined,
  );
  if (branches.length > 0 && branches.every((b) => b !== undefined)) {
    return { message: `expected ${branches.join(' or ')}, got ${describeValue(input)}`, missing: false };
  }
  return { message: issue.message, missing: false };
}

/** `string "10 sec"`, `a list`, `null`: short enough for one line. */
export function describeValue(v: unknown): string {
  if (v === null) return 'null';
  if (v === undefined) return 'nothing';
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'object') return 'an object';
  const text = JSON.stringify(v);
  return `${typeof v} ${text && text.length > 40 ? `${text.slice(0, 40)}…` : text}`;
}
