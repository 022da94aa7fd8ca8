/**
 * A registry holds many node types, each typed by its own config. These functions give a typed
 * definition (and its operator entry) the registry's config-erased face without a cast at any
 * caller: every function takes the config as a document holds it, parses it with the type's
 * schema (defaults applied) and hands the typed value to the definition. Parsing is idempotent
 * (no schema transforms), so a config that was already parsed comes out the same.
 */
import type { NodeTypeInfo } from '@sluice/shared';
import type { NodeDefinition } from './define-node.js';
import type { OperatorContext, OperatorEntry } from './operator.js';

/** What the runtime looks an operator up as: its config as the plan holds it. */
export type RuntimeOperatorEntry = OperatorEntry<unknown>;

export function eraseConfig<C>(def: NodeDefinition<C>): NodeTypeInfo {
  // The validator still asks a config that does not parse for its ports and expressions (so one
  // bad field does not hide the rest), and catches what a definition throws on it: best effort.
  const typed = (raw: unknown): C => {
    const parsed = def.config.safeParse(raw);
    return parsed.success ? parsed.data : (raw as C);
  };
  const { outputs, expressions, check, inferSchema, keyBy, fieldUse, combines, fieldRefs, bounded, split, ...rest } = def;
  const erased: NodeTypeInfo = { ...rest, outputs: (c) => outputs(typed(c)) };
  if (expressions) erased.expressions = (c) => expressions(typed(c));
  if (check) erased.check = (c) => check(typed(c));
  if (inferSchema) erased.inferSchema = (c, ctx) => inferSchema(typed(c), ctx);
  if (keyBy) erased.keyBy = (c) => keyBy(typed(c));
  if (fieldRefs) erased.fieldRefs = (c) => fieldRefs(typed(c));
  if (fieldUse) erased.fieldUse = (c, isConnected) => fieldUse(typed(c), isConnected);
  if (combines) erased.combines = (c, isConnected) => combines(typed(c), isConnected);
  if (bounded) erased.bounded = (c) => bounded(typed(c));
  if (split) {
    const { check: splitCheck, ...words } = split;
    erased.split = splitCheck ? { ...words, check: (c, n) => splitCheck(typed(c), n) } : words;
  }
  return erased;
}

/** The entry with its context's config parsed by the definition's schema on the way in. */
export function eraseOperatorConfig<C>(def: NodeDefinition<C>, entry: OperatorEntry<C>): RuntimeOperatorEntry {
  const typed = (ctx: OperatorContext<unknown>): OperatorContext<C> => ({ ...ctx, config: def.config.parse(ctx.config) });
  const check = entry.check;
  const checked = check ? { check: (ctx: OperatorContext<unknown>) => check(typed(ctx)) } : {};
  if (entry.kind === 'source') {
    const create = entry.create;
    return { kind: 'source', create: (ctx) => create(typed(ctx)), ...checked };
  }
  const create = entry.create;
  const combiner = entry.combiner;
  const combining = combiner ? { combiner: (config: unknown) => combiner(def.config.parse(config)) } : {};
  return { kind: 'operator', create: (ctx) => create(typed(ctx)), ...checked, ...combining };
}
