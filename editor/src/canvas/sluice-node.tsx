/**
 * One node on the canvas, memoized. Its live numbers are a child of their own that selects only
 * this node's entry, so a metrics message re-renders the numbers, not the node and its handles.
 */
import { Handle, type NodeProps, Position, useReactFlow } from '@xyflow/react';
import { Bell, TriangleAlert } from 'lucide-react';
import { type KeyboardEvent, memo } from 'react';
import { nodeDefinitions } from '@sluice/nodes/definitions';
import { useAlerts } from '../stores/alert-store';
import { useMetrics } from '../stores/metrics-store';
import type { SluiceNodeData } from './flow-nodes';
import { handleTop, inputPorts, outputPorts } from './ports';
import { usePopup } from './popup-store';
import { countRender } from './render-count';

export type { SluiceNodeData } from './flow-nodes';

const fmt = (n: number) => (n >= 1e6 ? `${(n / 1e6).toFixed(1)}M` : n >= 1e3 ? `${(n / 1e3).toFixed(1)}k` : String(Math.round(n)));

function SluiceNodeView({ id, data, selected }: NodeProps & { data: SluiceNodeData }) {
  countRender('node');
  const def = nodeDefinitions.get(data.type);
  const outputs = outputPorts(data.type, data.config);
  const inputs = inputPorts(data.type);
  const { screenToFlowPosition } = useReactFlow();
  // Enter or Space on a port lists the ports it can be connected to (keyboard connection).
  const portKeys = (port: string, side: 'source' | 'target') => (e: KeyboardEvent<HTMLDivElement>) => {
    if (e.key !== 'Enter' && e.key !== ' ') return;
    // Not the node's own Enter (select it).
    e.preventDefault();
    e.stopPropagation();
    const box = e.currentTarget.getBoundingClientRect();
    const at = { x: box.right + 6, y: box.top };
    usePopup.getState().open({ kind: 'connect', nodeId: id, port, side }, at, screenToFlowPosition(at));
  };
  const name = data.label || id;
  return (
    <div
      className={`sluice-node cat-${def?.category ?? 'unknown'}${selected ? ' selected' : ''}${data.invalid ? ' invalid' : ''}`}
      data-testid={`node-${id}`}
    >
      {inputs.map((p, i) => (
        <Handle
          key={p}
          type="target"
          position={Position.Left}
          id={p}
          style={{ top: handleTop(i) }}
          tabIndex={0}
          role="button"
          aria-label={`Input ${p} of ${name}: press Enter to connect`}
          onKeyDown={portKeys(p, 'target')}
        />
      ))}
      <div className="title">
        {data.invalid ? (
          <span className="node-problem" title="has problems" role="img" aria-label="has problems">
            <TriangleAlert size={13} aria-hidden="true" />
          </span>
        ) : null}
        {data.label}
      </div>
      <div className="type">{data.type}</div>
      <NodeCounts id={id} />
      <NodeAlerts id={id} />
      {outputs.map((p, i) => (
        <Handle
          key={p}
          type="source"
          position={Position.Right}
          id={p}
          style={{ top: handleTop(i) }}
          title={p}
          tabIndex={0}
          role="button"
          aria-label={`Output ${p} of ${name}: press Enter to connect`}
          onKeyDown={portKeys(p, 'source')}
        >
          {outputs.length > 1 ? <span className="port-label">{p}</span> : null}
        </Handle>
      ))}
    </div>
  );
}

export const SluiceNode = memo(SluiceNodeView);

/** In, out, rate, errors, late and batch p99 of one node; nothing before the first metrics. */
export const NodeCounts = memo(function NodeCounts({ id }: { id: string }) {
  countRender('counts');
  const counters = useMetrics((s) => s.latest?.nodes[id]);
  const rate = useMetrics((s) => s.rates[id]);
  if (!counters) return null;
  return (
    <div className="counts" data-testid={`counts-${id}`}>
      <span title="events in">in {fmt(counters.in)}</span> <span title="events out">out {fmt(counters.out)}</span>
      {rate ? <span title="events out per second"> · {fmt(rate.out)}/s</span> : null}
      {counters.errors > 0 ? <span className="bad"> · {counters.errors} err</span> : null}
      {counters.late > 0 ? <span className="warn"> · {counters.late} late</span> : null}
      <span title="batch time p99"> · p99 {counters.batchP99Ms.toFixed(2)} ms</span>
    </div>
  );
});

/** The node's alert rules that are pending or firing (docs/alerts.md); nothing when all are ok. */
export const NodeAlerts = memo(function NodeAlerts({ id }: { id: string }) {
  const alerts = useAlerts((s) => s.byNode[id]);
  if (!alerts || alerts.length === 0) return null;
  return (
    <div className="node-alerts" data-testid={`alerts-${id}`}>
      {alerts.map((a) => (
        <span key={a.rule} className={`alert-badge ${a.state}`} title={a.value !== undefined ? `last value ${a.value}` : undefined}>
          <Bell size={11} aria-hidden="true" /> {a.state === 'firing' ? 'Firing' : 'Pending'}: {a.name}
        </span>
      ))}
    </div>
  );
});
