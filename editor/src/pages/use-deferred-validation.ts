import { type PipelineDocument, validateDocument } from '@sluice/shared';
import { nodeDefinitions } from '@sluice/nodes/definitions';
import { useDeferredValue, useMemo, useRef } from 'react';

function sameExceptPositions(a: PipelineDocument, b: PipelineDocument): boolean {
  if (a.edges !== b.edges || a.params !== b.params || a.alerts !== b.alerts || a.name !== b.name || a.nodes.length !== b.nodes.length)
    return false;
  return a.nodes.every((n, i) => {
    const m = b.nodes[i]!;
    return n.id === m.id && n.type === m.type && n.config === m.config && n.label === m.label;
  });
}

/**
 * Validation follows the document in a deferred render: the canvas of a big graph is painted
 * before its first (cold, slowest) validation, and typing is not held up by it. Deploy waits for
 * it (`runnable` is false while `checking`).
 */
export function useDeferredValidation(doc: PipelineDocument) {
  const checkedDoc = useDeferredValue(doc);
  const checking = checkedDoc !== doc && !sameExceptPositions(checkedDoc, doc);
  // Positions never change what runs: a drag reuses the last validation instead of re-running it.
  const validated = useRef<{ doc: PipelineDocument; result: ReturnType<typeof validateDocument> } | undefined>(undefined);
  const validation = useMemo(() => {
    const last = validated.current;
    if (last && sameExceptPositions(last.doc, checkedDoc)) return last.result;
    const result = validateDocument(checkedDoc, nodeDefinitions);
    validated.current = { doc: checkedDoc, result };
    return result;
  }, [checkedDoc]);
  const runnable = validation.ok && !checking;
  const invalidKey = validation.diagnostics
    .filter((d) => d.severity === 'error' && d.nodeId)
    .map((d) => d.nodeId)
    .join('\u0000');
  // A new Set only when the invalid ids change: a drag must not re-render every node.
  const invalidNodes = useMemo(() => new Set(invalidKey ? invalidKey.split('\u0000') : []), [invalidKey]);
  return { validation, checking, runnable, invalidNodes };
}
