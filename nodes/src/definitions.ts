/**
 * The browser-safe registry of node definitions: the editor, the validator and the planner
 * look types up here. Adding a type: its folder, and one line here and in operators.ts.
 */
import type { NodeTypeInfo, NodeTypeRegistry } from '@sluice/shared';
import { anomalyDefinition } from './anomaly/definition.js';
import { branchDefinition } from './branch/definition.js';
import type { NodeDefinition } from './sdk/define-node.js';
import { eraseConfig } from './sdk/erase-config.js';
import { enrichDefinition } from './enrich/definition.js';
import { filterDefinition } from './filter/definition.js';
import { mapDefinition } from './map/definition.js';
import { maskDefinition } from './mask/definition.js';
import { rulesDefinition } from './rules/definition.js';
import { sinkAmqpDefinition } from './amqp/sink/definition.js';
import { sinkConsoleDefinition } from './sink-console/definition.js';
import { sinkFileDefinition } from './file/sink/definition.js';
import { sinkHttpDefinition } from './http/sink/definition.js';
import { sinkMqttDefinition } from './mqtt/sink/definition.js';
import { sinkNatsDefinition } from './nats/sink/definition.js';
import { sinkPostgresDefinition } from './postgres/sink/definition.js';
import { sinkRedisStreamDefinition } from './redis-stream/sink/definition.js';
import { sourceAmqpDefinition } from './amqp/source/definition.js';
import { sourceFileDefinition } from './file/source/definition.js';
import { sourceGeneratorDefinition } from './source-generator/definition.js';
import { sourceHttpDefinition } from './http/source/definition.js';
import { sourceMqttDefinition } from './mqtt/source/definition.js';
import { sourceNatsDefinition } from './nats/source/definition.js';
import { sourcePostgresDefinition } from './postgres/source/definition.js';
import { sourceRedisStreamDefinition } from './redis-stream/source/definition.js';
import { windowDefinition } from './window/definition.js';

/** Every node type by its type name (registry.test.ts checks each key is its definition's `type`). */
export const NODE_DEFINITIONS = {
  // one line per node type
  'source.amqp': sourceAmqpDefinition,
  'source.file': sourceFileDefinition,
  'source.generator': sourceGeneratorDefinition,
  'source.http': sourceHttpDefinition,
  'source.mqtt': sourceMqttDefinition,
  'source.nats': sourceNatsDefinition,
  'source.postgres': sourcePostgresDefinition,
  'source.redis-stream': sourceRedisStreamDefinition,
  filter: filterDefinition,
  map: mapDefinition,
  mask: maskDefinition,
  enrich: enrichDefinition,
  branch: branchDefinition,
  window: windowDefinition,
  anomaly: anomalyDefinition,
  rules: rulesDefinition,
  'sink.file': sinkFileDefinition,
  'sink.console': sinkConsoleDefinition,
  'sink.http': sinkHttpDefinition,
  'sink.amqp': sinkAmqpDefinition,
  'sink.mqtt': sinkMqttDefinition,
  'sink.nats': sinkNatsDefinition,
  'sink.postgres': sinkPostgresDefinition,
  'sink.redis-stream': sinkRedisStreamDefinition,
};

export type NodeTypeName = keyof typeof NODE_DEFINITIONS;

/** The parsed config of a node type. */
export type ConfigOf<T extends NodeTypeName> = (typeof NODE_DEFINITIONS)[T] extends NodeDefinition<infer C> ? C : never;

/** The definitions as a mapped type: indexing it by a generic type name keeps the name and config together. */
export type TypedDefinitions = { [T in NodeTypeName]: NodeDefinition<ConfigOf<T>> };
export const typedDefinitions: TypedDefinitions = NODE_DEFINITIONS;

export function isNodeTypeName(type: string): type is NodeTypeName {
  return Object.hasOwn(NODE_DEFINITIONS, type);
}

const erase = <T extends NodeTypeName>(type: T): NodeTypeInfo => eraseConfig(typedDefinitions[type]);
const BY_TYPE = new Map<string, NodeTypeInfo>((Object.keys(NODE_DEFINITIONS) as NodeTypeName[]).map((type) => [type, erase(type)]));

/**
 * Adds a node type from outside this package (a plugin, sdk/plugin.ts) to this process's
 * registry. The editor's bundle holds the built-in types only.
 */
export function registerDefinition<C>(def: NodeDefinition<C>): void {
  if (BY_TYPE.has(def.type)) throw new Error(`node type ${def.type} is already registered`);
  BY_TYPE.set(def.type, eraseConfig(def));
}

export const nodeDefinitions: NodeTypeRegistry = {
  get: (type) => BY_TYPE.get(type),
  types: () => [...BY_TYPE.keys()],
};

export function allDefinitions(): NodeTypeInfo[] {
  return [...BY_TYPE.values()];
}
