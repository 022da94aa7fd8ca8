/** What every part of one rules table is drawn from, and each column's kind of value. */
import { type CheckContext, checkExpression } from '@sluice/shared';
import { kindOf, type RulesConfig, type ValueKind } from '../rules-config';

export interface TableScope {
  config: RulesConfig;
  /** Names the table in labels, e.g. "Pricing table". */
  title: string;
  /** Params and the fields reaching the node, for expression cells. */
  context: CheckContext;
  readOnly: boolean;
  edit: (next: RulesConfig) => void;
}

export interface ColumnKinds {
  inputs: Record<string, ValueKind>;
  outputs: Record<string, ValueKind>;
}

/** Each column's kind of value: the checker's type of its expression, else what its cells hold. */
export function columnKinds(config: RulesConfig, context: CheckContext): ColumnKinds {
  const inputs = Object.fromEntries(
    config.inputs.map((inp) => {
      const t = inp.type ?? (inp.expression ? checkExpression(inp.expression, context).type : undefined);
      return [
        inp.id,
        kindOf(
          config.rows.map((r) => r.when[inp.id]?.value),
          t,
        ),
      ];
    }),
  ) as Record<string, ValueKind>;
  const outputs = Object.fromEntries(
    config.outputs.map((o) => [o.id, kindOf([...config.rows.map((r) => r.then[o.id]), config.default?.[o.id]], o.type)]),
  ) as Record<string, ValueKind>;
  return { inputs, outputs };
}
