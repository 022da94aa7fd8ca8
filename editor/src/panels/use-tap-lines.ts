/** The last events crossing some edges of a running pipeline, newest first, through the shared tap hub. */
import { useEffect, useState } from 'react';
import type { MaskedField } from '../api/client';
import { tapEdge } from '../api/tap-hub';
import type { TappedEdge } from './debug-edges';

export interface TapLine {
  /** Increasing, for React keys. */
  seq: number;
  edge: TappedEdge;
  event: Record<string, unknown>;
}

let seq = 0;

export function useTapLines(
  pipelineId: string | undefined,
  edges: TappedEdge[],
  running: boolean,
  keep: number,
): { lines: TapLine[]; waiting: number; masked: Record<string, MaskedField[]> } {
  const [lines, setLines] = useState<TapLine[]>([]);
  const [masked, setMasked] = useState<Record<string, MaskedField[]>>({});
  const [closed, setClosed] = useState<ReadonlySet<string>>(new Set());
  // The edges as a value: a new array with the same edges keeps the subscriptions.
  const key = JSON.stringify(edges);
  // biome-ignore lint/correctness/useExhaustiveDependencies: `key` stands for `edges`
  useEffect(() => {
    setLines([]);
    if (!pipelineId || !running) return;
    const offs = edges.map((edge) =>
      tapEdge(
        pipelineId,
        edge.edgeId,
        (events) => setLines((prev) => [...events.map((event) => ({ seq: seq++, edge, event })).reverse(), ...prev].slice(0, keep)),
        (open) =>
          setClosed((prev) => {
            const next = new Set(prev);
            if (open) next.delete(edge.edgeId);
            else next.add(edge.edgeId);
            return next;
          }),
        (fields) => setMasked((prev) => ({ ...prev, [edge.edgeId]: fields })),
      ),
    );
    return () => {
      for (const off of offs) off();
      setClosed(new Set());
    };
  }, [pipelineId, key, running, keep]);
  return { lines, waiting: closed.size, masked };
}
