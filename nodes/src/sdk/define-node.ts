import type { NodeTypeInfo } from '@sluice/shared';

/**
 * A node type's definition: browser-safe (no operator code, no connector libraries). The
 * editor's palette and forms, the validator and the planner all read it.
 */
export type NodeDefinition<C = Record<string, unknown>> = NodeTypeInfo<C>;

export function defineNode<C>(def: NodeDefinition<C>): NodeDefinition<C> {
  return def;
}
