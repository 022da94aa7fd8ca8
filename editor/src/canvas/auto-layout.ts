/**
 * Layered layout, left to right: a node's column is its longest path from a source; rows keep
 * the order of the document within a column. Small, deterministic, and enough for pipelines
 * (which are DAGs, mostly chains with a few branches).
 */
import type { PipelineDocument } from '@sluice/shared';

export function autoLayout(doc: PipelineDocument, dx = 270, dy = 130): PipelineDocument {
  const layer = new Map<string, number>(doc.nodes.map((n) => [n.id, 0]));
  // Relax edges |V| times: longest path in a DAG (a cycle just stops growing).
  for (let i = 0; i < doc.nodes.length; i++) {
    let moved = false;
    for (const e of doc.edges) {
      const next = (layer.get(e.source) ?? 0) + 1;
      if (layer.has(e.target) && next > layer.get(e.target)! && next < doc.nodes.length) {
        layer.set(e.target, next);
        moved = true;
      }
    }
    if (!moved) break;
  }
  const rows = new Map<number, number>();
  const nodes = doc.nodes.map((n) => {
    const col = layer.get(n.id) ?? 0;
    const row = rows.get(col) ?? 0;
    rows.set(col, row + 1);
    return { ...n, position: { x: 40 + col * dx, y: 40 + row * dy } };
  });
  return { ...doc, nodes };
}
