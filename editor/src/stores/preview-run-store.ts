/**
 * The last debug run of the draft on sample events (POST .../preview/debug): the debug panel
 * shows its console lines, error-port events and a node's last inputs and outputs as it shows
 * taps of a live run, and a node's "Run to here" shows its outputs.
 */
import type { PipelineDocument } from '@sluice/shared';
import { create } from 'zustand';
import { type DebugRunAnswer, api } from '../api/client';

export interface PreviewRunState {
  result: DebugRunAnswer | undefined;
  running: boolean;
  error: string | undefined;
  run(pipelineId: string, document: PipelineDocument, until?: string): Promise<DebugRunAnswer | undefined>;
  clear(): void;
}

export const usePreviewRun = create<PreviewRunState>()((set) => ({
  result: undefined,
  running: false,
  error: undefined,
  async run(pipelineId, document, until) {
    set({ running: true, error: undefined });
    try {
      const result = await api.debugRun(pipelineId, { document, ...(until ? { until } : {}) });
      set({ result, running: false });
      return result;
    } catch (err) {
      set({ running: false, error: err instanceof Error ? err.message : String(err) });
      return undefined;
    }
  },
  clear: () => set({ result: undefined, error: undefined, running: false }),
}));
