/** The selected node: label, generated config form, docs, and the last minutes as a sparkline. */
import { useMemo } from 'react';
import { z } from 'zod';
import type { Diagnostic, EventSchema, ParamType } from '@sluice/shared';
import { nodeDefinitions } from '@sluice/nodes/definitions';
import { RulesNodeForm } from '../business/rules-node-form';
import { AlertRulesForm } from './alert-rules-form';
import { ConfigForm } from '../forms/config-form';
import { hiddenConfigFields } from '../forms/field-visibility';
import { ConnectionCheck } from './connection-check';
import { Markdown } from './markdown';
import { PinnedSample } from './pinned-sample';
import { RunToHere } from './run-to-here';
import { useDocument } from '../stores/document-store';
import { useMetrics } from '../stores/metrics-store';

export function NodePanel({
  nodeId,
  inputSchema,
  canCheck = true,
  diagnostics = [],
}: {
  nodeId: string;
  inputSchema: EventSchema | undefined;
  canCheck?: boolean;
  /** The document's problems: this node's are shown at their fields. */
  diagnostics?: readonly Diagnostic[];
}) {
  const node = useDocument((s) => s.doc.nodes.find((n) => n.id === nodeId));
  const pipelineId = useDocument((s) => s.id);
  const params = useDocument((s) => s.doc.params);
  const history = useMetrics((s) => s.history[nodeId]);
  const def = node ? nodeDefinitions.get(node.type) : undefined;
  const schema = useMemo(() => (def ? (z.toJSONSchema(def.config, { io: 'input', unrepresentable: 'any' }) as never) : undefined), [def]);
  const problems = useMemo(() => {
    const byPath = new Map<string, string[]>();
    for (const d of diagnostics) {
      if (d.nodeId !== nodeId || !d.path || d.code.startsWith('expr-')) continue;
      byPath.set(d.path, [...(byPath.get(d.path) ?? []), d.message]);
    }
    return byPath;
  }, [diagnostics, nodeId]);
  if (!node) return null;
  const paramTypes = Object.fromEntries(Object.entries(params ?? {}).map(([k, p]) => [k, p.type])) as Record<string, ParamType>;
  // Fields the node adds before an expression runs (a map's earlier `set`), as the validator sees them.
  const parsed = def?.config.safeParse(node.config);
  const extraFields = Object.fromEntries(
    (parsed?.success ? (def?.expressions?.(parsed.data) ?? []) : []).filter((x) => x.extraFields).map((x) => [x.path, x.extraFields!]),
  );
  const context = inputSchema ? { params: paramTypes, schema: inputSchema, extraFields } : { params: paramTypes, extraFields };
  return (
    <aside className="panel" aria-label={`Node ${node.id}`}>
      <h2>{def?.title ?? node.type}</h2>
      <label className="field">
        <span className="field-name">label</span>
        <input
          aria-label="label"
          value={node.label ?? ''}
          onChange={(e) => useDocument.getState().updateNode(node.id, { label: e.target.value })}
        />
      </label>
      <div className="hint">id {node.id}</div>
      {node.type === 'rules' ? (
        <RulesNodeForm
          schema={schema}
          value={node.config}
          context={context}
          title={node.label ?? node.id}
          onChange={(config) => useDocument.getState().updateNode(node.id, { config })}
        />
      ) : schema ? (
        <ConfigForm
          schema={schema}
          value={node.config}
          context={context}
          problems={problems}
          hidden={hiddenConfigFields(node.type, node.config)}
          onChange={(config) => useDocument.getState().updateNode(node.id, { config })}
        />
      ) : (
        <p>Unknown node type {node.type}</p>
      )}
      {def?.connects && canCheck ? <ConnectionCheck pipelineId={pipelineId} nodeId={node.id} config={node.config} /> : null}
      {canCheck ? <RunToHere pipelineId={pipelineId} nodeId={node.id} /> : null}
      {def?.category === 'source' ? <PinnedSample pipelineId={pipelineId} nodeId={node.id} editable={canCheck} /> : null}
      <AlertRulesForm watch={{ node: node.id }} diagnostics={diagnostics} />
      {history && history.length > 1 ? <Sparkline values={history} /> : null}
      {def ? <Markdown className="docs" text={def.docs} /> : null}
    </aside>
  );
}

function Sparkline({ values }: { values: number[] }) {
  const max = Math.max(1, ...values);
  const points = values.map((v, i) => `${(i / (values.length - 1)) * 200},${40 - (v / max) * 38}`).join(' ');
  return (
    <figure className="sparkline">
      <svg width="200" height="40" role="img" aria-label="events out per second, last minutes">
        <polyline points={points} fill="none" stroke="currentColor" strokeWidth="1.5" />
      </svg>
      <figcaption>out/s, peak {Math.round(max)}</figcaption>
    </figure>
  );
}
