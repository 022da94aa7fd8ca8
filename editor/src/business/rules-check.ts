/**
 * The rules node's own verdict on a table (its schema, then its `check`), and any problem list
 * (the node's, the server's 422 diagnostics) sorted to the row, default or column it names.
 */
import { formatPath } from '@sluice/shared';
import { nodeDefinitions } from '@sluice/nodes/definitions';

export interface TableProblem {
  /** Path inside the config, without the `config.` prefix, e.g. `rows[2].then.adjust_pct`. */
  path: string;
  message: string;
  severity: 'error' | 'warning';
}

/** What the rules definition says of this config; empty while the type is not registered. */
export function checkRulesConfig(config: Record<string, unknown>): TableProblem[] {
  const def = nodeDefinitions.get('rules');
  if (!def) return [];
  const parsed = def.config.safeParse(config);
  if (!parsed.success)
    return parsed.error.issues.map((i) => ({ path: formatPath(i.path), message: i.message, severity: 'error' as const }));
  let problems: ReturnType<NonNullable<typeof def.check>> = [];
  try {
    problems = def.check?.(parsed.data as Record<string, unknown>) ?? [];
  } catch {
    return [{ path: '', message: 'the rules check of this table failed', severity: 'error' }];
  }
  return problems.map((p) => ({ path: stripConfig(p.path), message: p.message, severity: p.severity ?? 'error' }));
}

export const stripConfig = (path: string | undefined): string => (path ?? '').replace(/^config(\.|(?=\[)|$)/, '');

export interface SortedProblems {
  rows: Map<number, TableProblem[]>;
  default: TableProblem[];
  /** By `input:ID` / `output:ID` (column index resolved through the config). */
  columns: Map<string, TableProblem[]>;
  table: TableProblem[];
}

/** Each problem to the place it names: a row (0-based), the default row, a column, or the table. */
export function sortProblems(
  problems: readonly TableProblem[],
  config: { inputs: { id: string }[]; outputs: { id: string }[] },
): SortedProblems {
  const out: SortedProblems = { rows: new Map(), default: [], columns: new Map(), table: [] };
  const push = <K>(m: Map<K, TableProblem[]>, k: K, p: TableProblem) => m.set(k, [...(m.get(k) ?? []), p]);
  for (const p of problems) {
    const row = /^rows(?:\[(\d+)\]|\.(\d+))/.exec(p.path);
    const col = /^(inputs|outputs)(?:\[(\d+)\]|\.(\d+))/.exec(p.path);
    if (row) push(out.rows, Number(row[1] ?? row[2]), p);
    else if (p.path.startsWith('default')) out.default.push(p);
    else if (col) {
      const kind = col[1] === 'inputs' ? 'input' : 'output';
      const list = kind === 'input' ? config.inputs : config.outputs;
      const id = list[Number(col[2] ?? col[3])]?.id;
      if (id !== undefined) push(out.columns, `${kind}:${id}`, p);
      else out.table.push(p);
    } else out.table.push(p);
  }
  return out;
}

/** The cell a row problem is about (`when.demand`, `then.adjust_pct`), for a row's message. */
export function rowProblemText(p: TableProblem): string {
  const rest = p.path.replace(/^rows(?:\[\d+\]|\.\d+)\.?/, '');
  return rest ? `${rest}: ${p.message}` : p.message;
}
