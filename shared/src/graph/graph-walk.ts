/**
 * Walks over node ids and edges: topological order, cycles, reachability. Linear in nodes plus
 * edges (the editor runs them on every change of a 5,000-node graph).
 */
export interface Link {
  source: string;
  target: string;
}

export function successors(ids: readonly string[], links: readonly Link[]): Map<string, string[]> {
  const next = new Map<string, string[]>(ids.map((id) => [id, []]));
  for (const l of links) next.get(l.source)?.push(l.target);
  return next;
}

/** Kahn's order; nodes on a cycle, and those only reachable through one, are left out. */
export function topologicalOrder(ids: readonly string[], next: Map<string, string[]>): string[] {
  const indegree = new Map(ids.map((id) => [id, 0]));
  for (const targets of next.values()) for (const t of targets) indegree.set(t, (indegree.get(t) ?? 0) + 1);
  const queue = ids.filter((id) => indegree.get(id) === 0);
  for (let i = 0; i < queue.length; i++) {
    for (const t of next.get(queue[i]!) ?? []) {
      const d = indegree.get(t)! - 1;
      indegree.set(t, d);
      if (d === 0) queue.push(t);
    }
  }
  return queue;
}

/**
 * One closed path per strongly connected component that holds a cycle, e.g. `[a, b, c, a]`
 * (Tarjan's algorithm, iterative so a long chain cannot overflow the stack).
 */
export function findCycles(ids: readonly string[], next: Map<string, string[]>): string[][] {
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const onStack = new Set<string>();
  const stack: string[] = [];
  const components: string[][] = [];
  let counter = 0;
  for (const root of ids) {
    if (index.has(root)) continue;
    const frames: { id: string; child: number }[] = [{ id: root, child: 0 }];
    index.set(root, counter);
    low.set(root, counter++);
    stack.push(root);
    onStack.add(root);
    while (frames.length > 0) {
      const frame = frames[frames.length - 1]!;
      const targets = next.get(frame.id) ?? [];
      if (frame.child < targets.length) {
        const t = targets[frame.child++]!;
        if (!index.has(t)) {
          index.set(t, counter);
          low.set(t, counter++);
          stack.push(t);
          onStack.add(t);
          frames.push({ id: t, child: 0 });
        } else if (onStack.has(t)) low.set(frame.id, Math.min(low.get(frame.id)!, index.get(t)!));
        continue;
      }
      frames.pop();
      const parent = frames[frames.length - 1];
      if (parent) low.set(parent.id, Math.min(low.get(parent.id)!, low.get(frame.id)!));
      if (low.get(frame.id) === index.get(frame.id)) {
        const component: string[] = [];
        let id: string;
        do {
          id = stack.pop()!;
          onStack.delete(id);
          component.push(id);
        } while (id !== frame.id);
        const selfLoop = component.length === 1 && targets.includes(frame.id);
        if (component.length > 1 || selfLoop) components.push(component);
      }
    }
  }
  // In document order (Tarjan finds them downstream first): the report reads top to bottom.
  const position = new Map(ids.map((id, i) => [id, i]));
  const first = (c: string[]) => c.reduce((min, id) => Math.min(min, position.get(id)!), Number.POSITIVE_INFINITY);
  return components.sort((a, b) => first(a) - first(b)).map((c) => cycleIn(new Set(c), next, position));
}

/** A closed path inside one component, starting at its first node in document order. */
function cycleIn(component: Set<string>, next: Map<string, string[]>, position: Map<string, number>): string[] {
  let at = [...component].sort((a, b) => position.get(a)! - position.get(b)!)[0]!;
  const path: string[] = [];
  const seen = new Map<string, number>();
  // Every node of a component has a successor inside it, so this walk must close a loop.
  while (!seen.has(at)) {
    seen.set(at, path.length);
    path.push(at);
    at = next.get(at)!.find((t) => component.has(t))!;
  }
  return [...path.slice(seen.get(at)), at];
}

/** Every id reachable from `seeds` (the seeds included). */
export function reachable(seeds: Iterable<string>, next: Map<string, string[]>): Set<string> {
  const reached = new Set<string>();
  const stack = [...seeds];
  while (stack.length > 0) {
    const id = stack.pop()!;
    if (reached.has(id)) continue;
    reached.add(id);
    for (const t of next.get(id) ?? []) stack.push(t);
  }
  return reached;
}
