/**
 * Which nodes of a running plan keep their state when a changed document replaces it (hot
 * redeploy, docs/hot-redeploy.md). A node keeps its state when its id, type, config (as
 * normalized JSON), the keyBy of its stage and the stage's partition count are unchanged: its
 * state then means the same thing and lives in the same partitions. Param values are not part
 * of a node's config (expressions read them), so a param-only change keeps every node.
 */
import type { Plan, PlanNode } from './plan.js';

export interface RedeployDiff {
  /** In both plans, unchanged: state (and a source's position) carried over. */
  kept: string[];
  /** In both plans, changed: starts empty (a changed source reads from its beginning). */
  reset: string[];
  /** Only in the new plan: starts empty. */
  added: string[];
  /** Only in the old plan: its state is dropped. */
  removed: string[];
  /** Why each reset node was reset. */
  reasons: Record<string, string>;
}

/** JSON with object keys sorted, so `{a,b}` and `{b,a}` compare equal. */
export function normalizedJson(value: unknown): string {
  return JSON.stringify(value, (_k, v: unknown) =>
    v !== null && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : v,
  );
}

/** Why the node cannot keep its state, or undefined when it can. */
export function stateChange(before: Plan, after: Plan, id: string): string | undefined {
  const a = before.nodes.get(id);
  const b = after.nodes.get(id);
  if (!a || !b) return a ? 'removed' : 'added';
  if (a.type !== b.type) return `type ${a.type} -> ${b.type}`;
  if (normalizedJson(a.config) !== normalizedJson(b.config)) return 'config changed';
  const sa = stageOf(before, a);
  const sb = stageOf(after, b);
  if (normalizedJson(sa.keyBy ?? null) !== normalizedJson(sb.keyBy ?? null)) return 'partitioning key changed';
  if (sa.partitions !== sb.partitions) return `partitions ${sa.partitions} -> ${sb.partitions}`;
  return undefined;
}

export function diffPlans(before: Plan, after: Plan): RedeployDiff {
  const diff: RedeployDiff = { kept: [], reset: [], added: [], removed: [], reasons: {} };
  for (const id of after.order) {
    if (!before.nodes.has(id)) {
      diff.added.push(id);
      continue;
    }
    const why = stateChange(before, after, id);
    if (why === undefined) diff.kept.push(id);
    else {
      diff.reset.push(id);
      diff.reasons[id] = why;
    }
  }
  for (const id of before.order) if (!after.nodes.has(id)) diff.removed.push(id);
  return diff;
}

function stageOf(plan: Plan, node: PlanNode) {
  return plan.stages[node.stage]!;
}
