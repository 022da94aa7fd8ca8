/**
 * The package's entry: Sluice loads it at start (`sluice run --plugin <this folder>`, or
 * SLUICE_PLUGINS) and calls it with a host that registers each node type.
 */
import type { SluicePlugin } from '@sluice/nodes/sdk';
import { dedupeDefinition } from './definition.js';
import { dedupeOperator } from './operator.js';

const plugin: SluicePlugin = (sluice) => {
  sluice.nodeType({ definition: dedupeDefinition, operator: { kind: 'operator', create: dedupeOperator } });
};

export default plugin;
