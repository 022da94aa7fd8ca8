/**
 * An edge that draws its own live numbers: it selects only its event count and the backlog in
 * front of its target, so a metrics message re-renders the edges whose numbers changed, and
 * the canvas not at all.
 */
import { BaseEdge, type Edge, EdgeLabelRenderer, type EdgeProps, getBezierPath } from '@xyflow/react';
import { memo } from 'react';
import { useDebugger } from '../stores/debugger-store';
import { useMetrics } from '../stores/metrics-store';
import { countRender } from './render-count';

export interface MetricEdgeData extends Record<string, unknown> {
  /** Moving dashes while events flow (small graphs only: they repaint every frame). */
  animate: boolean;
}

/** React Flow's dash animation (its `animated` class), drawn here since the numbers live here. */
const FLOWING = { strokeDasharray: 5, animation: 'dashdraw 0.5s linear infinite' };

function MetricEdgeView({
  id,
  source,
  target,
  sourceX,
  sourceY,
  targetX,
  targetY,
  sourcePosition,
  targetPosition,
  markerEnd,
  interactionWidth,
  data,
}: EdgeProps<Edge<MetricEdgeData>>) {
  countRender('edge');
  const events = useMetrics((s) => s.latest?.edges[id]?.events ?? 0);
  // Backpressure: batches waiting in front of the target's stage colour the edge.
  const backlog = useMetrics((s) => {
    const stage = s.stageOf[target];
    return stage !== undefined && stage !== s.stageOf[source] ? (s.latest?.stages[stage]?.backlog ?? 0) : 0;
  });
  // The debugger: a marker where a breakpoint is set, and the edge the session is paused on.
  const breakpoint = useDebugger((s) => s.breakpoints[id]);
  const pausedHere = useDebugger((s) => s.pause?.edge.id === id);
  const [path, labelX, labelY] = getBezierPath({ sourceX, sourceY, targetX, targetY, sourcePosition, targetPosition });
  const color = backlog > 40 ? 'var(--edge-blocked)' : backlog > 10 ? 'var(--edge-busy)' : undefined;
  const label = backlog > 10 ? `${events} · backlog ${backlog}` : events > 0 ? String(events) : undefined;
  const style = pausedHere
    ? { strokeWidth: 4, stroke: 'var(--accent)' }
    : {
        strokeWidth: events > 0 ? Math.min(6, 1 + Math.log10(events + 1)) : 1.5,
        ...(color ? { stroke: color } : {}),
        ...(events > 0 && data?.animate ? FLOWING : {}),
      };
  const marker =
    breakpoint !== undefined || pausedHere ? (
      <EdgeLabelRenderer>
        <div
          className={`edge-debug-marker${pausedHere ? ' paused' : ''}`}
          style={{ transform: `translate(-50%, -50%) translate(${labelX}px, ${labelY - 16}px)` }}
          data-testid={`edge-debug-${id}`}
          role="img"
          aria-label={[
            breakpoint === undefined ? '' : breakpoint ? `Breakpoint on edge ${id} when ${breakpoint}` : `Breakpoint on edge ${id}`,
            pausedHere ? `paused on edge ${id}` : '',
          ]
            .filter(Boolean)
            .join(', ')}
          title={breakpoint ? `Breakpoint: ${breakpoint}` : breakpoint === '' ? 'Breakpoint' : 'Paused here'}
        >
          {pausedHere ? <span aria-hidden="true">❚❚</span> : null}
        </div>
      </EdgeLabelRenderer>
    ) : null;
  return (
    <>
      <BaseEdge
        id={id}
        path={path}
        labelX={labelX}
        labelY={labelY}
        label={label}
        style={style}
        {...(markerEnd ? { markerEnd } : {})}
        {...(interactionWidth !== undefined ? { interactionWidth } : {})}
      />
      {marker}
    </>
  );
}

export const MetricEdge = memo(MetricEdgeView);
