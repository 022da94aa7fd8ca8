/**
 * The debugger store's breakpoints: set, changed, removed, kept or dropped as the editor moves
 * between pipelines, and pruned when a loaded document lacks their edge. Kept across reloads in
 * localStorage, which Node has not: test/e2e/debugger-breakpoints-reload.test.ts covers that in Chromium.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import { useDebugger } from './debugger-store';

const dbg = () => useDebugger.getState();

beforeEach(() => useDebugger.setState({ breakpoints: {}, owner: undefined }));

describe('debugger store: breakpoints', () => {
  it('sets one per edge (trimmed condition, empty for every event), changes and removes it', () => {
    dbg().setBreakpoint('e1', '  sku == "A"  ');
    dbg().setBreakpoint('e2', '');
    expect(dbg().breakpoints).toEqual({ e1: 'sku == "A"', e2: '' });
    dbg().setBreakpoint('e1', 'quantity > 3');
    dbg().removeBreakpoint('e2');
    expect(dbg().breakpoints).toEqual({ e1: 'quantity > 3' });
  });

  it("keeps a new pipeline's breakpoints through its first save, not into another pipeline", () => {
    dbg().showing(undefined);
    dbg().setBreakpoint('e1', '');
    dbg().savedAs('saved-now');
    dbg().showing('saved-now');
    expect(dbg().breakpoints).toEqual({ e1: '' });
    expect(dbg().owner).toEqual({ user: 'anonymous', pipelineId: 'saved-now' });
    dbg().showing('another');
    expect(dbg().breakpoints).toEqual({});

    // A new pipeline's breakpoints are not another's: opening one without saving leaves them.
    dbg().showing(undefined);
    dbg().setBreakpoint('e1', 'x > 1');
    dbg().showing('third');
    expect(dbg().breakpoints).toEqual({});
  });

  it('drops the breakpoints of edges the loaded document no longer has, the others stay', () => {
    dbg().showing('p');
    dbg().setBreakpoint('e1', '');
    dbg().setBreakpoint('e2', 'quantity > 3');
    dbg().dropStale('p', ['e2', 'e3']);
    expect(dbg().breakpoints).toEqual({ e2: 'quantity > 3' });
    // Another pipeline's document leaves these alone.
    dbg().dropStale('q', []);
    expect(dbg().breakpoints).toEqual({ e2: 'quantity > 3' });
  });
});
