/**
 * The static checker: params that do not exist, fields the upstream schema does not have, and
 * operations whose operand types are known not to fit (`amount > "x"` when amount is a number).
 * Types are the FieldType of event schemas; 'any' means unknown and is never an error.
 */
import type { ParamType } from '../graph/document.js';
import type { EventSchema, FieldType } from '../schema/event-schema.js';
import type { Expr } from './ast.js';
import { FUNCTIONS } from './library.js';

export interface CheckIssue {
  message: string;
  column: number;
  severity: 'error' | 'warning';
  code: string;
}

export interface CheckScope {
  params: Record<string, ParamType>;
  schema?: EventSchema;
}

export function checkAst(root: Expr, scope: CheckScope): { issues: CheckIssue[]; type: FieldType; fields: string[] } {
  const issues: CheckIssue[] = [];
  const fields = new Set<string>();
  const error = (message: string, column: number, code: string) => issues.push({ message, column, severity: 'error', code });

  const fieldType = (path: string[], col: number): FieldType => {
    const name = path.join('.');
    fields.add(name);
    const s = scope.schema;
    if (!s) return 'any';
    const t = s.fields[name];
    if (t !== undefined) return t;
    // A prefix may be a known object whose inner fields are not described.
    for (let i = path.length - 1; i > 0; i--) {
      const p = s.fields[path.slice(0, i).join('.')];
      if (p === 'object' || p === 'any') return 'any';
    }
    if (!s.open) {
      const known = Object.keys(s.fields);
      error(`unknown field '${name}'${known.length ? ` (fields here: ${known.slice(0, 12).join(', ')}${known.length > 12 ? ', ...' : ''})` : ''}`, col, 'expr-unknown-field');
    }
    return 'any';
  };

  const expectType = (t: FieldType, want: FieldType[], what: string, col: number) => {
    if (t === 'any' || t === 'null' || want.includes('any') || want.includes(t)) return;
    error(`${what} needs ${want.join(' or ')}, but this is ${t}`, col, 'expr-type');
  };

  const visit = (n: Expr): FieldType => {
    switch (n.kind) {
      case 'literal':
        return n.value === null ? 'null' : (typeof n.value as FieldType);
      case 'list':
        n.items.forEach(visit);
        return 'array';
      case 'field':
        return fieldType(n.path, n.col);
      case 'param': {
        const t = scope.params[n.name];
        if (t === undefined) {
          const known = Object.keys(scope.params);
          error(`unknown param '${n.name}' (${known.length ? `declared: ${known.join(', ')}` : 'the document declares no params'})`, n.col, 'expr-unknown-param');
          return 'any';
        }
        return t;
      }
      case 'index':
        visit(n.object);
        visit(n.index);
        return 'any';
      case 'unary': {
        const t = visit(n.operand);
        if (n.op === '-') {
          expectType(t, ['number'], "'-'", n.col);
          return 'number';
        }
        expectType(t, ['boolean'], "'!'", n.col);
        return 'boolean';
      }
      case 'conditional': {
        expectType(visit(n.test), ['boolean'], "the condition of '?:'", n.col);
        const a = visit(n.then);
        const b = visit(n.otherwise);
        return a === b ? a : a === 'null' ? b : b === 'null' ? a : 'any';
      }
      case 'call': {
        const fn = FUNCTIONS[n.name]!;
        const types = n.args.map(visit);
        types.forEach((t, i) => {
          const want = fn.params[Math.min(i, fn.params.length - 1)] ?? 'any';
          expectType(t, [want], `${n.name}()`, n.args[i]!.col);
        });
        return fn.returns === 'arg0' ? (types[0] ?? 'any') : fn.returns;
      }
      case 'binary': {
        const l = visit(n.left);
        const r = visit(n.right);
        switch (n.op) {
          case '&&':
          case '||':
            expectType(l, ['boolean'], `'${n.op}'`, n.left.col);
            expectType(r, ['boolean'], `'${n.op}'`, n.right.col);
            return 'boolean';
          case '==':
          case '!=':
            return 'boolean';
          case '<':
          case '<=':
          case '>':
          case '>=':
            if (known(l) && known(r) && l !== r) error(`cannot compare ${l} ${n.op} ${r}`, n.col, 'expr-type');
            else {
              expectType(l, ['number', 'string'], `'${n.op}'`, n.left.col);
              expectType(r, ['number', 'string'], `'${n.op}'`, n.right.col);
            }
            return 'boolean';
          case 'in':
          case 'not in':
            expectType(r, ['array', 'string'], `'${n.op}'`, n.right.col);
            return 'boolean';
          case '+':
            if (l === 'string' || r === 'string') return 'string';
            expectType(l, ['number', 'string'], "'+'", n.left.col);
            expectType(r, ['number', 'string'], "'+'", n.right.col);
            return l === 'number' && r === 'number' ? 'number' : 'any';
          default:
            expectType(l, ['number'], `'${n.op}'`, n.left.col);
            expectType(r, ['number'], `'${n.op}'`, n.right.col);
            return 'number';
        }
      }
    }
  };

  const type = visit(root);
  return { issues, type, fields: [...fields] };
}

function known(t: FieldType): boolean {
  return t === 'number' || t === 'string' || t === 'boolean';
}
