import { describe, expect, it } from 'vitest';
import { nodeDefinitions } from './definitions.js';
import { filterDefinition } from './filter/definition.js';
import { filterOperator } from './filter/operator.js';
import { operatorEntry, registerNodeType } from './operators.js';
import { sinkConsoleDefinition } from './sink-console/definition.js';
import { sinkConsoleOperator } from './sink-console/operator.js';

describe('registering a plugin node type', () => {
  it('adds its definition and operator, behind the same config-parsing face as the built-in ones', () => {
    registerNodeType({ definition: { ...filterDefinition, type: 'acme.keep' }, operator: { kind: 'operator', create: filterOperator } });
    expect(nodeDefinitions.types()).toContain('acme.keep');
    expect(nodeDefinitions.get('acme.keep')?.expressions?.({ expression: 'a > 1' })).toEqual([
      { path: 'config.expression', source: 'a > 1', role: 'predicate' },
    ]);
    expect(operatorEntry('acme.keep')?.kind).toBe('operator');
  });

  it('refuses a taken type, a name that could be a built-in one, and an operator of the wrong kind', () => {
    const op = { kind: 'operator', create: filterOperator } as const;
    registerNodeType({ definition: { ...filterDefinition, type: 'acme.twice' }, operator: op });
    expect(() => registerNodeType({ definition: { ...filterDefinition, type: 'acme.twice' }, operator: op })).toThrow(
      'node type acme.twice is already registered',
    );
    expect(() => registerNodeType({ definition: { ...filterDefinition, type: 'source.file' }, operator: op })).toThrow(
      'node type source.file is already registered',
    );
    expect(() => registerNodeType({ definition: filterDefinition, operator: op })).toThrow("a plugin's type is dotted lower-case words");
    expect(() => registerNodeType({ definition: { ...filterDefinition, type: 'acme.Keep' }, operator: op })).toThrow(
      'dotted lower-case words',
    );
    expect(() =>
      registerNodeType({
        definition: { ...sinkConsoleDefinition, type: 'acme.src', category: 'source' },
        operator: { kind: 'operator', create: sinkConsoleOperator },
      }),
    ).toThrow('node type acme.src: a source needs a source (kind operator given)');
    expect(nodeDefinitions.get('acme.src')).toBeUndefined();
  });
});
