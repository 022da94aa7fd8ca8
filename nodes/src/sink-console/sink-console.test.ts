import { EVENT_TIME, type Event } from '@sluice/shared';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Operator } from '../sdk/operator.js';
import { recordingCollector, testContext } from '../sdk/testing/index.js';
import { sinkConsoleDefinition } from './definition.js';
import { createSinkConsole, sinkConsoleOperator } from './operator.js';

const col = recordingCollector('node', () => true);
const ctx = (config: Record<string, unknown>) => testContext({ config: sinkConsoleDefinition.config.parse(config) });

afterEach(() => vi.restoreAllMocks());

describe('sink.console', () => {
  it('prints each event as a JSON line with the prefix, up to the limit, through an injected writer', () => {
    const lines: string[] = [];
    const op = createSinkConsole({ writer: (l) => lines.push(l) })(ctx({ prefix: '> ', limit: 3 })) as Operator;
    op.process([Object.freeze({ a: 1, [EVENT_TIME]: 9 }) as Event, { b: 'x' }], col, 'in');
    op.process([{ c: null }, { d: 4 }], col, 'in');
    op.process([{ e: 5 }], col, 'in');
    expect(lines).toEqual(['> {"a":1}', '> {"b":"x"}', '> {"c":null}']);
  });

  it("uses the context's consoleWriter (what the runner passes), else standard output, one write per batch", () => {
    const lines: string[] = [];
    const withWriter = sinkConsoleOperator({ ...ctx({}), consoleWriter: (l: string) => lines.push(l) } as never) as Operator;
    withWriter.process([{ a: 1 }], col, 'in');
    expect(lines).toEqual(['{"a":1}']);
    const write = vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
    const toStdout = sinkConsoleOperator(ctx({})) as Operator;
    toStdout.process([{ a: 1 }, { a: 2 }], col, 'in');
    expect(write.mock.calls).toEqual([['{"a":1}\n{"a":2}\n']]);
  });

  it('has defaults for everything', () => {
    expect(sinkConsoleDefinition.config.parse({})).toEqual({});
    expect(sinkConsoleDefinition.config.safeParse(sinkConsoleDefinition.example).success).toBe(true);
  });
});
