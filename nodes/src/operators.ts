/**
 * Node type -> operator factory. Server-side only: this imports operator code (and, for
 * connectors, their libraries), which the editor bundle must never pull in.
 */
import { branchOperator } from './branch/operator.js';
import { enrichOperator } from './enrich/operator.js';
import { filterOperator } from './filter/operator.js';
import { mapOperator } from './map/operator.js';
import { maskOperator } from './mask/operator.js';
import { rulesOperator } from './rules/operator.js';
import { type ConfigOf, type NodeTypeName, registerDefinition, typedDefinitions } from './definitions.js';
import { eraseOperatorConfig, type RuntimeOperatorEntry } from './sdk/erase-config.js';
import type { OperatorEntry } from './sdk/operator.js';
import type { NodeTypePlugin, PluginHost } from './sdk/plugin.js';
import { sinkAmqpOperator } from './amqp/sink/operator.js';
import { sinkConsoleOperator } from './sink-console/operator.js';
import { sinkFileOperator } from './file/sink/operator.js';
import { sinkHttpOperator } from './http/sink/operator.js';
import { sinkMqttOperator } from './mqtt/sink/operator.js';
import { sinkNatsOperator } from './nats/sink/operator.js';
import { sinkPostgresOperator } from './postgres/sink/operator.js';
import { sinkRedisStreamOperator } from './redis-stream/sink/operator.js';
import { checkAmqpSink, checkAmqpSource } from './amqp/check.js';
import { sourceAmqpOperator } from './amqp/source/operator.js';
import { sourceFileOperator } from './file/source/operator.js';
import { sourceGeneratorOperator } from './source-generator/operator.js';
import { sourceHttpOperator } from './http/source/operator.js';
import { checkMqttSink, checkMqttSource } from './mqtt/check.js';
import { sourceMqttOperator } from './mqtt/source/operator.js';
import { checkNatsSink, checkNatsSource } from './nats/check.js';
import { sourceNatsOperator } from './nats/source/operator.js';
import { checkPostgresSink, checkPostgresSource } from './postgres/check.js';
import { sourcePostgresOperator } from './postgres/source/operator.js';
import { checkRedisStreamSink, checkRedisStreamSource } from './redis-stream/check.js';
import { sourceRedisStreamOperator } from './redis-stream/source/operator.js';
import { windowCombiner } from './window/combiner.js';
import { windowOperator } from './window/operator.js';
import { anomalyOperator } from './anomaly/operator.js';

/** A mapped type over the definitions: a type without an operator, or with one for another config, does not compile. */
export type OperatorTable = { [T in NodeTypeName]: OperatorEntry<ConfigOf<T>> };

const ENTRIES: OperatorTable = {
  // one line per node type
  'source.amqp': { kind: 'source', create: sourceAmqpOperator, check: checkAmqpSource },
  'source.file': { kind: 'source', create: sourceFileOperator },
  'source.generator': { kind: 'source', create: sourceGeneratorOperator },
  'source.http': { kind: 'source', create: sourceHttpOperator },
  'source.mqtt': { kind: 'source', create: sourceMqttOperator, check: checkMqttSource },
  'source.nats': { kind: 'source', create: sourceNatsOperator, check: checkNatsSource },
  'source.postgres': { kind: 'source', create: sourcePostgresOperator, check: checkPostgresSource },
  'source.redis-stream': { kind: 'source', create: sourceRedisStreamOperator, check: checkRedisStreamSource },
  filter: { kind: 'operator', create: filterOperator },
  map: { kind: 'operator', create: mapOperator },
  mask: { kind: 'operator', create: maskOperator },
  enrich: { kind: 'operator', create: enrichOperator },
  branch: { kind: 'operator', create: branchOperator },
  window: { kind: 'operator', create: windowOperator, combiner: windowCombiner },
  anomaly: { kind: 'operator', create: anomalyOperator },
  rules: { kind: 'operator', create: rulesOperator },
  'sink.file': { kind: 'operator', create: sinkFileOperator },
  'sink.console': { kind: 'operator', create: sinkConsoleOperator },
  'sink.http': { kind: 'operator', create: sinkHttpOperator },
  'sink.amqp': { kind: 'operator', create: sinkAmqpOperator, check: checkAmqpSink },
  'sink.mqtt': { kind: 'operator', create: sinkMqttOperator, check: checkMqttSink },
  'sink.nats': { kind: 'operator', create: sinkNatsOperator, check: checkNatsSink },
  'sink.postgres': { kind: 'operator', create: sinkPostgresOperator, check: checkPostgresSink },
  'sink.redis-stream': { kind: 'operator', create: sinkRedisStreamOperator, check: checkRedisStreamSink },
};

const runtimeEntry = <T extends NodeTypeName>(type: T): RuntimeOperatorEntry => eraseOperatorConfig(typedDefinitions[type], ENTRIES[type]);
const BY_TYPE = new Map<string, RuntimeOperatorEntry>((Object.keys(ENTRIES) as NodeTypeName[]).map((type) => [type, runtimeEntry(type)]));

/** A plugin's node type (sdk/plugin.ts): its definition for the validator and planner, its operator for the runners. */
export function registerNodeType<C>({ definition, operator }: NodeTypePlugin<C>): void {
  if (!/^[a-z][a-z0-9-]*(\.[a-z][a-z0-9-]*)+$/.test(definition.type)) {
    throw new Error(
      `node type ${JSON.stringify(definition.type)}: a plugin's type is dotted lower-case words, e.g. "acme.dedupe", so it never takes a built-in name`,
    );
  }
  if ((definition.category === 'source') !== (operator.kind === 'source')) {
    throw new Error(
      `node type ${definition.type}: a ${definition.category} needs ${definition.category === 'source' ? 'a source' : 'an operator'} (kind ${operator.kind} given)`,
    );
  }
  registerDefinition(definition);
  BY_TYPE.set(definition.type, eraseOperatorConfig(definition, operator));
}

/** What a plugin's default export is called with. */
export const pluginHost: PluginHost = { nodeType: registerNodeType };

/** The operator of a node type; its context's config is parsed by the type's schema on the way in. */
export function operatorEntry(type: string): RuntimeOperatorEntry | undefined {
  return BY_TYPE.get(type);
}
