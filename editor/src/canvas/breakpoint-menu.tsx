/**
 * Breakpoints from an edge's right-click menu (docs/debugger.md): add one (every event, or only
 * events matching a condition in the expression language), change its condition, remove it. The
 * condition is checked by the server when a debug session starts (400 naming the breakpoint).
 */
import type { XYPosition } from '@xyflow/react';
import { useState } from 'react';
import { useDebugger } from '../stores/debugger-store';
import type { MenuItem } from './popup-menu';
import { PopupMenu } from './popup-menu';
import { usePopup } from './popup-store';

const dbg = () => useDebugger.getState();

export function breakpointItems(edgeId: string, at: XYPosition, flowAt: XYPosition): MenuItem[] {
  const condition = dbg().breakpoints[edgeId];
  const askCondition = () => usePopup.getState().open({ kind: 'breakpoint', edgeId }, at, flowAt);
  if (condition === undefined)
    return [
      { label: 'Add breakpoint', separated: true, run: () => dbg().setBreakpoint(edgeId, '') },
      { label: 'Add breakpoint with condition…', run: askCondition },
    ];
  return [
    { label: condition ? 'Edit breakpoint condition…' : 'Add a condition to the breakpoint…', separated: true, run: askCondition },
    { label: 'Remove breakpoint', run: () => dbg().removeBreakpoint(edgeId) },
  ];
}

/** The condition of an edge's breakpoint: Enter sets it (empty: every event), Escape leaves it. */
export function BreakpointCondition({ edgeId, at }: { edgeId: string; at: XYPosition }) {
  const [text, setText] = useState(dbg().breakpoints[edgeId] ?? '');
  const close = usePopup((s) => s.close);
  const set = () => {
    dbg().setBreakpoint(edgeId, text);
    usePopup.getState().announce(text.trim() ? `Breakpoint on ${edgeId} when ${text.trim()}` : `Breakpoint on ${edgeId}`);
  };
  return (
    <PopupMenu label={`Breakpoint on edge ${edgeId}`} items={[{ label: 'Set breakpoint', run: set }]} at={at} onClose={close}>
      <input
        type="text"
        className="breakpoint-condition"
        // biome-ignore lint/a11y/noAutofocus: the field opens from a menu choice, to type in at once
        autoFocus
        aria-label="Breakpoint condition"
        placeholder='e.g. sku == "A" && quantity > 3'
        value={text}
        onChange={(e) => setText(e.target.value)}
        onKeyDown={(e) => {
          if (e.key === 'Enter') {
            e.preventDefault();
            close(true);
            set();
          } else if (e.key === 'ArrowDown') {
            e.preventDefault();
            e.currentTarget.parentElement?.querySelector<HTMLButtonElement>('[role="menuitem"]')?.focus();
          }
        }}
      />
    </PopupMenu>
  );
}
