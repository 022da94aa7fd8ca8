/**
 * The browser-safe registry of node definitions: the editor, the validator and the planner
 * look types up here. Adding a type: its folder, and one line here and in operators.ts.
 */
import type { NodeTypeInfo, NodeTypeRegistry } from '@sluice/shared';
import { branchDefinition } from './branch/definition.js';
import type { NodeDefinition } from './sdk/define-node.js';
import { enrichDefinition } from './enrich/definition.js';
import { filterDefinition } from './filter/definition.js';
import { mapDefinition } from './map/definition.js';
import { rulesDefinition } from './rules/definition.js';
import { sinkAmqpDefinition } from './sink-amqp/definition.js';
import { sinkConsoleDefinition } from './sink-console/definition.js';
import { sinkFileDefinition } from './sink-file/definition.js';
import { sinkMqttDefinition } from './sink-mqtt/definition.js';
import { sinkNatsDefinition } from './sink-nats/definition.js';
import { sinkPostgresDefinition } from './sink-postgres/definition.js';
import { sinkRedisStreamDefinition } from './sink-redis-stream/definition.js';
import { sourceAmqpDefinition } from './source-amqp/definition.js';
import { sourceFileDefinition } from './source-file/definition.js';
import { sourceGeneratorDefinition } from './source-generator/definition.js';
import { sourceHttpDefinition } from './source-http/definition.js';
import { sourceMqttDefinition } from './source-mqtt/definition.js';
import { sourceNatsDefinition } from './source-nats/definition.js';
import { sourcePostgresDefinition } from './source-postgres/definition.js';
import { sourceRedisStreamDefinition } from './source-redis-stream/definition.js';
import { windowDefinition } from './window/definition.js';

const ALL: NodeDefinition<never>[] = [
  // one line per node type
  sourceAmqpDefinition as never,
  sourceFileDefinition as never,
  sourceGeneratorDefinition as never,
  sourceHttpDefinition as never,
  sourceMqttDefinition as never,
  sourceNatsDefinition as never,
  sourcePostgresDefinition as never,
  sourceRedisStreamDefinition as never,
  filterDefinition as never,
  mapDefinition as never,
  enrichDefinition as never,
  branchDefinition as never,
  windowDefinition as never,
  rulesDefinition as never,
  sinkFileDefinition as never,
  sinkConsoleDefinition as never,
  sinkAmqpDefinition as never,
  sinkMqttDefinition as never,
  sinkNatsDefinition as never,
  sinkPostgresDefinition as never,
  sinkRedisStreamDefinition as never,
];

const BY_TYPE = new Map<string, NodeTypeInfo>(ALL.map((d) => [d.type, d as unknown as NodeTypeInfo]));

export const nodeDefinitions: NodeTypeRegistry = {
  get: (type) => BY_TYPE.get(type),
  types: () => [...BY_TYPE.keys()],
};

export function allDefinitions(): NodeTypeInfo[] {
  return [...BY_TYPE.values()];
}
