/**
 * A notification target that names a sink node of this pipeline, `{ type: 'node', node: '<id>' }`
 * (docs/alerts.md). The engine validates and delivers it. Everything about this kind is in this file.
 */
import type { PipelineDocument } from '@sluice/shared';
import { nodeDefinitions } from '@sluice/nodes/definitions';
import { useDocument } from '../stores/document-store';

export interface NodeTargetShape {
  id: string;
  type: 'node';
  node: string;
}

/** The target as a node target, if it is one (typed loosely: the shared AlertTarget may not list the kind yet). */
export const asNodeTarget = (t: { type: string }): NodeTargetShape | undefined => (t.type === 'node' ? (t as NodeTargetShape) : undefined);

export const sinkNodesOf = (doc: PipelineDocument): string[] =>
  doc.nodes.filter((n) => nodeDefinitions.get(n.type)?.category === 'sink').map((n) => n.id);

/** A new node target on the graph's first sink node ('' when it has none: the validator says so). */
export function newNodeTarget(id: string, doc: PipelineDocument): NodeTargetShape {
  return { id, type: 'node', node: sinkNodesOf(doc)[0] ?? '' };
}

export function NodeTargetFields({ target, onChange }: { target: NodeTargetShape; onChange: (node: string) => void }) {
  const sinks = useDocument((s) => sinkNodesOf(s.doc).join('\u0000'));
  const ids = sinks ? sinks.split('\u0000') : [];
  return (
    <label className="field">
      <span className="field-name">sink node of this pipeline</span>
      <select aria-label="target sink node" value={target.node} onChange={(e) => onChange(e.target.value)}>
        {ids.includes(target.node) ? null : <option value={target.node}>{target.node || '(none)'}</option>}
        {ids.map((id) => (
          <option key={id} value={id}>
            {id}
          </option>
        ))}
      </select>
    </label>
  );
}
