/**
 * Node type -> operator factory. Server-side only: this imports operator code (and, for
 * connectors, their libraries), which the editor bundle must never pull in.
 */
import type { OperatorEntry } from './sdk/operator.js';
import { sourceFileOperator } from './source-file/operator.js';
import { sourceGeneratorOperator } from './source-generator/operator.js';

const ENTRIES: Record<string, OperatorEntry<never>> = {
  // one line per node type
  'source.file': { kind: 'source', create: sourceFileOperator },
  'source.generator': { kind: 'source', create: sourceGeneratorOperator },
};

export function operatorEntry(type: string): OperatorEntry<never> | undefined {
  return ENTRIES[type];
}
