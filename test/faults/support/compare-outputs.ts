/**
 * The drills' checker: a sink's output against the embedded engine's on the same input, as
 * multisets of rows. `lost` rows the reference has more often than the output, `duplicated`
 * rows the output has more often, `wrong` rows the reference never has.
 */
export interface OutputComparison {
  expected: number;
  actual: number;
  lost: number;
  duplicated: number;
  wrong: number;
  /** A few examples of each, for the failure message. */
  examples: { lost: string[]; duplicated: string[]; wrong: string[] };
}

export function compareOutputs(expected: readonly unknown[], actual: readonly unknown[]): OutputComparison {
  const want = countRows(expected);
  const got = countRows(actual);
  const out: OutputComparison = {
    expected: expected.length,
    actual: actual.length,
    lost: 0,
    duplicated: 0,
    wrong: 0,
    examples: { lost: [], duplicated: [], wrong: [] },
  };
  for (const [row, n] of want) {
    const m = got.get(row) ?? 0;
    if (m < n) note(out, 'lost', row, n - m);
    else if (m > n) note(out, 'duplicated', row, m - n);
  }
  for (const [row, m] of got) if (!want.has(row)) note(out, 'wrong', row, m);
  return out;
}

function note(out: OutputComparison, kind: 'lost' | 'duplicated' | 'wrong', row: string, n: number): void {
  out[kind] += n;
  if (out.examples[kind].length < 3) out.examples[kind].push(row);
}

/** Rows keyed by their JSON with sorted keys, so field order does not matter. */
function countRows(rows: readonly unknown[]): Map<string, number> {
  const m = new Map<string, number>();
  for (const r of rows) {
    const k = stableJson(r);
    m.set(k, (m.get(k) ?? 0) + 1);
  }
  return m;
}

function stableJson(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(stableJson).join(',')}]`;
  if (v !== null && typeof v === 'object') {
    const o = v as Record<string, unknown>;
    return `{${Object.keys(o)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${stableJson(o[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(v) ?? 'undefined';
}
