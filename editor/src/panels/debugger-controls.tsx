/**
 * The stream debugger's toolbar group (docs/debugger.md): "Debug" opens a session on the draft
 * over the recorded events or the pinned samples (as a preview chooses them), then Step, Step
 * batch, Run to next hit, Continue and Stop drive it. A command waits for the pause or the end.
 */
import { Bug, ChevronsRight, FastForward, Play, StepForward, X } from 'lucide-react';
import { useState } from 'react';
import type { DebugStepCommand } from '@sluice/shared';
import { useDebugger } from '../stores/debugger-store';
import { useDocument } from '../stores/document-store';
import './debugger.css';

const COMMANDS: { command: DebugStepCommand; label: string; title: string; Icon: typeof Play }[] = [
  { command: 'step', label: 'Step', title: 'Run to the next edge crossing of any event', Icon: StepForward },
  { command: 'step-batch', label: 'Step batch', title: 'Run to the first crossing of the next source batch', Icon: ChevronsRight },
  { command: 'run-to-hit', label: 'Run to next hit', title: 'Run to the next breakpoint hit, or the end', Icon: FastForward },
  { command: 'continue', label: 'Continue', title: 'Run to the end, past every breakpoint', Icon: Play },
];

export function DebuggerControls({ pipelineId, runnable }: { pipelineId: string | undefined; runnable: boolean }) {
  const session = useDebugger((s) => s.session);
  const busy = useDebugger((s) => s.busy);
  const ended = useDebugger((s) => s.end !== undefined);
  const [sample, setSample] = useState<'recording' | 'pinned'>('recording');
  if (!session)
    return (
      <fieldset className="tb-group" aria-label="Debugger">
        <select aria-label="Debug on" value={sample} onChange={(e) => setSample(e.target.value as 'recording' | 'pinned')}>
          <option value="recording">recorded events</option>
          <option value="pinned">pinned samples</option>
        </select>
        <button
          type="button"
          className="icon-button"
          disabled={!pipelineId || !runnable || busy}
          title={
            !pipelineId
              ? 'Save the pipeline first'
              : runnable
                ? 'Step through the draft on its recorded events or pinned samples, stopping at breakpoints (nothing is deployed)'
                : 'Fix the problems first'
          }
          onClick={() => {
            if (pipelineId) void useDebugger.getState().start(pipelineId, useDocument.getState().doc, sample);
          }}
        >
          <Bug size={15} aria-hidden="true" />
          {busy ? 'Starting…' : 'Debug'}
        </button>
      </fieldset>
    );
  return (
    <fieldset className="tb-group debugger-controls" aria-label="Debugger controls">
      {COMMANDS.map(({ command, label, title, Icon }) => (
        <button
          key={command}
          type="button"
          className="icon-button"
          aria-label={label}
          title={title}
          disabled={busy || ended}
          onClick={() => void useDebugger.getState().command(command)}
        >
          <Icon size={15} aria-hidden="true" />
          <span className="tb-label">{label}</span>
        </button>
      ))}
      <button
        type="button"
        className="icon-button"
        aria-label="Stop debugging"
        title="End the debug session"
        onClick={() => void useDebugger.getState().stop()}
      >
        <X size={15} aria-hidden="true" />
        <span className="tb-label">Stop</span>
      </button>
    </fieldset>
  );
}
