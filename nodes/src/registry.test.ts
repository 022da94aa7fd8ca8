import { describe, expect, it } from 'vitest';
import { allDefinitions, isNodeTypeName, NODE_DEFINITIONS, nodeDefinitions } from './definitions.js';
import { filterOperator } from './filter/operator.js';
import { type OperatorTable, operatorEntry } from './operators.js';
import type { Operator } from './sdk/operator.js';
import { plain, recordingCollector, testContext } from './sdk/testing/index.js';

const types = Object.keys(NODE_DEFINITIONS);

describe('node registry', () => {
  it('keys every definition by its own type, each type once', () => {
    for (const [key, def] of Object.entries(NODE_DEFINITIONS)) expect(def.type).toBe(key);
    expect(nodeDefinitions.types()).toEqual(types);
    expect(new Set(allDefinitions().map((d) => d.type)).size).toBe(types.length);
    expect(types).toHaveLength(24);
  });

  it('gives every type an operator of the kind its category needs: sources poll, the rest process batches', () => {
    for (const type of types) {
      const def = nodeDefinitions.get(type)!;
      expect(operatorEntry(type)?.kind, type).toBe(def.category === 'source' ? 'source' : 'operator');
    }
  });

  it('offers a connection check exactly for the types that talk to an outside system', () => {
    const checked = types.filter((t) => operatorEntry(t)?.check !== undefined);
    expect(checked).toEqual(types.filter((t) => nodeDefinitions.get(t)!.connects === true));
    expect(checked.toSorted()).toEqual([
      'sink.amqp',
      'sink.mqtt',
      'sink.nats',
      'sink.postgres',
      'sink.redis-stream',
      'source.amqp',
      'source.mqtt',
      'source.nats',
      'source.postgres',
      'source.redis-stream',
    ]);
  });

  it("does not compile an operator table that misses a type or pairs one with another type's operator", () => {
    // @ts-expect-error every node type needs its operator
    const missing: OperatorTable = { filter: { kind: 'operator', create: filterOperator } };
    // @ts-expect-error the filter's operator reads a filter config, not a map's
    const mistyped: Pick<OperatorTable, 'map'> = { map: { kind: 'operator', create: filterOperator } };
    expect([missing, mistyped]).toHaveLength(2); // the proof is the compiler's; pnpm typecheck runs it
  });

  it('answers undefined for a type it does not know, including names every object has', () => {
    for (const type of ['filtr', 'Filter', '', 'toString', '__proto__', 'constructor']) {
      expect(nodeDefinitions.get(type)).toBeUndefined();
      expect(operatorEntry(type)).toBeUndefined();
      expect(isNodeTypeName(type)).toBe(false);
    }
    expect(isNodeTypeName('window')).toBe(true);
  });

  it('has an example that its own schema accepts, for every type', () => {
    for (const def of allDefinitions()) expect(def.config.safeParse(def.example).success, def.type).toBe(true);
  });

  it('hands a raw config to a definition parsed, and one that does not parse as it is', () => {
    const window = nodeDefinitions.get('window')!;
    const raw = { type: 'tumbling', size: '1m', keyBy: ['sku', 'user.country'], aggregates: [{ as: 'n', op: 'count' }] };
    expect(window.keyBy?.(raw)).toEqual(['sku', 'user.country']);
    expect(window.outputs(raw).map((p) => p.name)).toEqual(['out', 'late', 'error']);
    // A branch whose config does not parse still names its ports (best effort, for the validator).
    const branch = nodeDefinitions.get('branch')!;
    const broken = {
      routes: [
        { port: 'big', expression: 'amount > 100' },
        { port: 'small', expression: '' },
      ],
    };
    expect(branch.config.safeParse(broken).success).toBe(false);
    expect(branch.outputs(broken).map((p) => p.name)).toEqual(['big', 'small', 'else', 'error']);
  });

  it('creates an operator from a raw config through the registry', async () => {
    const entry = operatorEntry('filter');
    if (entry?.kind !== 'operator') throw new Error('filter is an operator');
    const op = (await entry.create(testContext<unknown>({ config: { expression: 'amount > 10' } }))) as Operator;
    const col = recordingCollector('f', () => true);
    op.process([{ amount: 5 }, { amount: 50 }], col, 'in');
    expect(plain(col.outputs.out)).toEqual([{ amount: 50 }]);
  });
});
