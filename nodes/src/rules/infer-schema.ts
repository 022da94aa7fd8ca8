import { checkExpression, type EventSchema, type FieldType } from '@sluice/shared';
import type { Cell, RulesConfig } from './definition.js';

/** The type of a literal cell; null says nothing about the column. */
export function literalType(v: Cell): FieldType | undefined {
  if (v === null) return undefined;
  if (typeof v === 'object') return undefined;
  return typeof v as 'number' | 'string' | 'boolean';
}

function exprType(source: string, schema: EventSchema): FieldType {
  // Params are not known here; the validator checks expressions with them separately.
  const r = checkExpression(source, { params: {}, schema });
  return r.issues.some((i) => i.severity === 'error') ? 'any' : r.type;
}

/** The type of an output column: declared, else the one type its cells agree on, else `any`. */
export function outputType(c: RulesConfig, id: string, input: EventSchema): FieldType {
  const declared = c.outputs.find((o) => o.id === id)?.type;
  if (declared) return declared;
  const types = new Set<FieldType>();
  for (const then of [...c.rows.map((r) => r.then), c.default]) {
    if (!Object.hasOwn(then, id)) continue;
    const cell = then[id]!;
    const t = cell !== null && typeof cell === 'object' ? exprType(cell.expr, input) : literalType(cell);
    if (t !== undefined && t !== 'null') types.add(t);
  }
  return types.size === 1 ? [...types][0]! : types.size === 0 ? 'null' : 'any';
}

/** Input fields, plus each output field, the match number and (collect) the list of matches. */
export function rulesSchema(c: RulesConfig, input: EventSchema): EventSchema {
  const fields: Record<string, FieldType> = { ...input.fields };
  for (const o of c.outputs) {
    for (const f of Object.keys(fields)) if (f.startsWith(`${o.id}.`)) delete fields[f];
    fields[o.id] = outputType(c, o.id, input);
  }
  if (c.matchField) fields[c.matchField] = 'number';
  if (c.hitPolicy === 'collect') fields[c.collectAs] = 'array';
  return { fields, open: input.open };
}
