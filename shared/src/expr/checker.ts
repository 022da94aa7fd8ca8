/**
 * The static checker: params that do not exist, fields a closed upstream schema does not have,
 * and operations whose operand types are known not to fit (`amount > "x"` when amount is a
 * number). Types are the FieldType of event schemas; 'any' (unknown) and 'null' are never a
 * mismatch, so without a schema only literals and params can clash.
 */
import type { ParamType } from '../graph/document.js';
import type { EventSchema, FieldType } from '../schema/event-schema.js';
import type { Expr } from './ast.js';
import { at, type ExprErrorCode, type ExprIssue } from './errors.js';
import { FUNCTIONS } from './functions.js';

export interface CheckScope {
  params: Readonly<Record<string, ParamType>>;
  schema?: EventSchema;
}

export interface CheckOutcome {
  issues: ExprIssue[];
  type: FieldType;
  fields: string[];
}

type Binary = Extract<Expr, { kind: 'binary' }>;

const CONCRETE: ReadonlySet<FieldType> = new Set<FieldType>(['number', 'string', 'boolean', 'object', 'array']);
const NAMES: Readonly<Record<FieldType, string>> = {
  number: 'a number',
  string: 'a string',
  boolean: 'a boolean',
  null: 'null',
  object: 'an object',
  array: 'a list',
  any: 'anything',
};

export function checkAst(root: Expr, scope: CheckScope): CheckOutcome {
  const issues: ExprIssue[] = [];
  const fields = new Set<string>();
  const report = (what: string, column: number, code: ExprErrorCode, severity: 'error' | 'warning' = 'error', hint?: string) =>
    issues.push({ message: at(what, column, hint), column, severity, code });

  /** Reports `n` of type `t` where one of `want` is needed. */
  const expect = (n: Expr, t: FieldType, want: readonly FieldType[], what: string) => {
    if (t === 'any' || t === 'null' || want.includes('any') || want.includes(t)) return;
    report(`${what} needs ${want.map((w) => NAMES[w]).join(' or ')}, but ${label(n)} is ${NAMES[t]}`, n.col, 'expr-type');
  };

  const field = (n: Extract<Expr, { kind: 'field' }>, inHas: boolean): FieldType => {
    const name = n.path.join('.');
    fields.add(name);
    const s = scope.schema;
    if (!s) return 'any';
    if (Object.hasOwn(s.fields, name)) return s.fields[name]!;
    // A known prefix decides: an object (or unknown) keeps its inner fields to itself; a
    // number, text or list has none.
    for (let i = n.path.length - 1; i > 0; i--) {
      const prefix = n.path.slice(0, i).join('.');
      if (!Object.hasOwn(s.fields, prefix)) continue;
      const t = s.fields[prefix]!;
      if (t === 'object' || t === 'any' || t === 'null') return 'any';
      report(`'${prefix}' is ${NAMES[t]}, it has no field '${n.path[i]}'`, n.col, 'expr-type');
      return 'any';
    }
    if (!s.open) {
      const known = Object.keys(s.fields);
      const hint = known.length
        ? `fields here: ${known.slice(0, 12).join(', ')}${known.length > 12 ? ', ...' : ''}`
        : 'no fields are known here';
      if (inHas) report(`has(${name}) is always false: no such field`, n.col, 'expr-unknown-field', 'warning', hint);
      else report(`unknown field '${name}'`, n.col, 'expr-unknown-field', 'error', hint);
    }
    return 'any';
  };

  const visit = (n: Expr): FieldType => {
    switch (n.kind) {
      case 'literal':
        return n.value === null ? 'null' : (typeof n.value as FieldType);
      case 'list':
        for (const item of n.items) visit(item);
        return 'array';
      case 'field':
        return field(n, false);
      case 'param': {
        if (Object.hasOwn(scope.params, n.name)) return scope.params[n.name]!;
        const known = Object.keys(scope.params);
        report(
          `unknown param '${n.name}'`,
          n.col,
          'expr-unknown-param',
          'error',
          known.length ? `declared: ${known.join(', ')}` : 'the document declares no params',
        );
        return 'any';
      }
      case 'index':
        expect(n.object, visit(n.object), ['array', 'object'], "'[ ]'");
        expect(n.index, visit(n.index), ['number', 'string'], 'an index');
        return 'any';
      case 'unary':
        expect(n.operand, visit(n.operand), [n.op === '-' ? 'number' : 'boolean'], `'${n.op}'`);
        return n.op === '-' ? 'number' : 'boolean';
      case 'conditional': {
        expect(n.test, visit(n.test), ['boolean'], 'the condition of ?:');
        return unify([visit(n.then), visit(n.otherwise)]);
      }
      case 'call': {
        const fn = FUNCTIONS[n.name]!;
        if (n.name === 'has') {
          field(n.args[0] as Extract<Expr, { kind: 'field' }>, true);
          return 'boolean';
        }
        const types = n.args.map((a, i) => {
          const t = visit(a);
          expect(a, t, fn.args[Math.min(i, fn.args.length - 1)] ?? ['any'], `${n.name}()`);
          return t;
        });
        return fn.returns === 'unify' ? unify(types) : fn.returns;
      }
      case 'binary':
        return binary(n, visit(n.left), visit(n.right));
    }
  };

  const binary = (n: Binary, l: FieldType, r: FieldType): FieldType => {
    switch (n.op) {
      case '&&':
      case '||':
        expect(n.left, l, ['boolean'], `'${n.op}'`);
        expect(n.right, r, ['boolean'], `'${n.op}'`);
        return 'boolean';
      case '==':
      case '!=':
        if (CONCRETE.has(l) && CONCRETE.has(r) && l !== r) {
          report(
            `${label(n.left)} (${NAMES[l]}) is never equal to ${label(n.right)} (${NAMES[r]}): '${n.op}' is always ${n.op === '!='}`,
            n.col,
            'expr-type',
            'error',
            'values are not converted; toNumber() or toString() can',
          );
        }
        return 'boolean';
      case '<':
      case '<=':
      case '>':
      case '>=':
        if ((l === 'number' || l === 'string') && (r === 'number' || r === 'string') && l !== r) {
          report(`cannot compare ${label(n.left)} (${NAMES[l]}) with ${label(n.right)} (${NAMES[r]})`, n.col, 'expr-type');
        } else {
          expect(n.left, l, ['number', 'string'], `'${n.op}'`);
          expect(n.right, r, ['number', 'string'], `'${n.op}'`);
        }
        return 'boolean';
      case 'in':
      case 'not in':
        expect(n.right, r, ['array', 'string'], `'${n.op}'`);
        if (r === 'string') expect(n.left, l, ['string'], `'${n.op}' a string`);
        if (n.right.kind === 'list' && CONCRETE.has(l)) {
          // Literal items only: the list was visited (and its fields reported) above.
          const items = n.right.items.map((i) => (i.kind === 'literal' ? visit(i) : i.kind === 'list' ? 'array' : 'any'));
          if (items.length > 0 && items.every((t) => CONCRETE.has(t) && t !== l)) {
            report(
              `${label(n.left)} is ${NAMES[l]} and no item of the list is`,
              n.col,
              'expr-type',
              'error',
              `'${n.op}' is always ${n.op === 'not in'}`,
            );
          }
        }
        return 'boolean';
      case '+':
        if (l === 'string' || r === 'string') {
          expect(n.left, l, ['string', 'number', 'boolean'], "'+'");
          expect(n.right, r, ['string', 'number', 'boolean'], "'+'");
          return 'string';
        }
        expect(n.left, l, ['number', 'string'], "'+'");
        expect(n.right, r, ['number', 'string'], "'+'");
        return l === 'number' && r === 'number' ? 'number' : 'any';
      default:
        expect(n.left, l, ['number'], `'${n.op}'`);
        expect(n.right, r, ['number'], `'${n.op}'`);
        if ((n.op === '/' || n.op === '%') && n.right.kind === 'literal' && n.right.value === 0) {
          report('division by zero', n.right.col, 'expr-type', 'warning', 'it gives null for every event');
        }
        return 'number';
    }
  };

  const type = visit(root);
  return { issues, type, fields: [...fields] };
}

/** How a message names an operand: the field, the param, the literal, or "this". */
function label(n: Expr): string {
  if (n.kind === 'field') return `'${n.path.join('.')}'`;
  if (n.kind === 'param') return `params.${n.name}`;
  if (n.kind === 'literal') return typeof n.value === 'string' ? JSON.stringify(n.value) : String(n.value);
  return 'this';
}

/** The common type of several values (a ?: b, coalesce): nulls aside, one type or 'any'. */
function unify(types: readonly FieldType[]): FieldType {
  const known = types.filter((t) => t !== 'null');
  if (known.length === 0) return 'null';
  return known.every((t) => t === known[0]) ? known[0]! : 'any';
}
