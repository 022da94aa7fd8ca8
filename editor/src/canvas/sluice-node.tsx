/** One node on the canvas: memoized, reads only its own metrics entry. */
import { Handle, type NodeProps, Position } from '@xyflow/react';
import { memo } from 'react';
import { nodeDefinitions } from '@sluice/nodes/definitions';
import { useMetrics } from '../stores/metrics-store';

export interface SluiceNodeData extends Record<string, unknown> {
  type: string;
  label: string;
  config: Record<string, unknown>;
  invalid: boolean;
}

const fmt = (n: number) => (n >= 1e6 ? `${(n / 1e6).toFixed(1)}M` : n >= 1e3 ? `${(n / 1e3).toFixed(1)}k` : String(Math.round(n)));

function SluiceNodeView({ id, data, selected }: NodeProps & { data: SluiceNodeData }) {
  const def = nodeDefinitions.get(data.type);
  const counters = useMetrics((s) => s.latest?.nodes[id]);
  const rate = useMetrics((s) => s.rates[id]);
  let outputs: string[] = ['out'];
  try {
    const parsed = def?.config.safeParse(data.config);
    if (def && parsed?.success) outputs = def.outputs(parsed.data).map((p) => p.name);
  } catch {
    // keep the default port
  }
  const inputs = def?.inputs.map((p) => p.name) ?? [];
  return (
    <div className={`sluice-node cat-${def?.category ?? 'unknown'}${selected ? ' selected' : ''}${data.invalid ? ' invalid' : ''}`} data-testid={`node-${id}`}>
      {inputs.map((p, i) => (
        <Handle key={p} type="target" position={Position.Left} id={p} style={{ top: 24 + i * 16 }} />
      ))}
      <div className="title">
        {data.invalid ? (
          <span title="has problems" role="img" aria-label="has problems">
            ⚠{' '}
          </span>
        ) : null}
        {data.label}
      </div>
      <div className="type">{data.type}</div>
      {counters ? (
        <div className="counts" data-testid={`counts-${id}`}>
          <span title="events in">in {fmt(counters.in)}</span> <span title="events out">out {fmt(counters.out)}</span>
          {rate ? <span title="events out per second"> · {fmt(rate.out)}/s</span> : null}
          {counters.errors > 0 ? <span className="bad"> · {counters.errors} err</span> : null}
          {counters.late > 0 ? <span className="warn"> · {counters.late} late</span> : null}
          <span title="batch time p99"> · p99 {counters.batchP99Ms.toFixed(2)} ms</span>
        </div>
      ) : null}
      {outputs.map((p, i) => (
        <Handle key={p} type="source" position={Position.Right} id={p} style={{ top: 24 + i * 16 }} title={p}>
          {outputs.length > 1 ? <span className="port-label">{p}</span> : null}
        </Handle>
      ))}
    </div>
  );
}

export const SluiceNode = memo(SluiceNodeView);
