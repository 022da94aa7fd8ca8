/**
 * Node types shipped in a separate package (a plugin): the package's default export is a
 * SluicePlugin, which the engine calls once at start (`--plugin`, SLUICE_PLUGINS) with a host
 * that registers each type. The definition and its operator are checked to agree on the config
 * type at the call, as the built-in table is (operators.ts). See docs/adding-a-node-type.md.
 */
import type { NodeDefinition } from './define-node.js';
import type { OperatorEntry } from './operator.js';

export interface NodeTypePlugin<C> {
  definition: NodeDefinition<C>;
  operator: OperatorEntry<C>;
}

export interface PluginHost {
  /** Registers a node type; throws when its type is taken or its operator's kind does not fit its category. */
  nodeType<C>(plugin: NodeTypePlugin<C>): void;
}

export type SluicePlugin = (host: PluginHost) => void | Promise<void>;
