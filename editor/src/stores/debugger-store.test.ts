/** The debugger store's breakpoints: set, changed, removed, and kept or dropped as the editor moves between pipelines. */
import { beforeEach, describe, expect, it } from 'vitest';
import { useDebugger } from './debugger-store';

const dbg = () => useDebugger.getState();

beforeEach(() => useDebugger.setState({ breakpoints: {}, pipelineId: undefined }));

describe('debugger store: breakpoints', () => {
  it('sets one per edge (trimmed condition, empty for every event), changes and removes it', () => {
    dbg().setBreakpoint('e1', '  sku == "A"  ');
    dbg().setBreakpoint('e2', '');
    expect(dbg().breakpoints).toEqual({ e1: 'sku == "A"', e2: '' });
    dbg().setBreakpoint('e1', 'quantity > 3');
    dbg().removeBreakpoint('e2');
    expect(dbg().breakpoints).toEqual({ e1: 'quantity > 3' });
  });

  it("keeps a new pipeline's breakpoints through its first save, drops them for another pipeline", () => {
    dbg().showing(undefined);
    dbg().setBreakpoint('e1', '');
    dbg().showing('saved-now');
    expect(dbg().breakpoints).toEqual({ e1: '' });
    dbg().showing('saved-now');
    expect(dbg().breakpoints).toEqual({ e1: '' });
    dbg().showing('another');
    expect(dbg().breakpoints).toEqual({});
  });
});
