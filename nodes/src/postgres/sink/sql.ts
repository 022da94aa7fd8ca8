/** The statements sink.postgres runs, built from validated names (always quoted) and $n parameters. */
import { quoteIdent, quoteTable } from '../identifiers.js';

/** PostgreSQL takes at most 65535 parameters per statement. */
const MAX_PARAMS = 65_535;
/** Rows per INSERT: large enough to amortise round trips, small enough to keep statements cheap to plan. */
export const MAX_ROWS_PER_STATEMENT = 1000;

export function rowsPerStatement(columns: number): number {
  return Math.max(1, Math.min(MAX_ROWS_PER_STATEMENT, Math.floor(MAX_PARAMS / columns)));
}

/**
 * `INSERT INTO "t" ("a","b") VALUES ($1,$2),($3,$4)`, and for an upsert
 * `ON CONFLICT ("k") DO UPDATE SET "b" = EXCLUDED."b"` (DO NOTHING when every column is key).
 */
export function insertSql(table: string, columns: readonly string[], rows: number, key?: readonly string[]): string {
  const n = columns.length;
  const tuples: string[] = [];
  for (let r = 0; r < rows; r++) {
    const ps: string[] = [];
    for (let c = 1; c <= n; c++) ps.push(`$${r * n + c}`);
    tuples.push(`(${ps.join(',')})`);
  }
  let sql = `INSERT INTO ${quoteTable(table)} (${columns.map(quoteIdent).join(',')}) VALUES ${tuples.join(',')}`;
  if (key) {
    const rest = columns.filter((c) => !key.includes(c));
    sql += ` ON CONFLICT (${key.map(quoteIdent).join(',')}) `;
    sql += rest.length === 0 ? 'DO NOTHING' : `DO UPDATE SET ${rest.map((c) => `${quoteIdent(c)} = EXCLUDED.${quoteIdent(c)}`).join(', ')}`;
  }
  return sql;
}

/** A PostgreSQL column type for a JSON value: the simple mapping `createTable` uses. */
export function columnTypeOf(value: unknown): string {
  if (typeof value === 'number') return 'double precision';
  if (typeof value === 'boolean') return 'boolean';
  if (value !== null && typeof value === 'object') return 'jsonb';
  return 'text';
}

/**
 * `CREATE TABLE IF NOT EXISTS`, each column typed from its first non-null value in `rows`
 * (text when all are null); the upsert key becomes the primary key, which ON CONFLICT needs.
 */
export function createTableSql(
  table: string,
  columns: readonly string[],
  rows: readonly (readonly unknown[])[],
  key?: readonly string[],
): string {
  const defs = columns.map((c, i) => {
    const sample = rows.find((r) => r[i] !== null && r[i] !== undefined)?.[i];
    return `${quoteIdent(c)} ${columnTypeOf(sample)}`;
  });
  if (key && key.length > 0) defs.push(`PRIMARY KEY (${key.map(quoteIdent).join(',')})`);
  return `CREATE TABLE IF NOT EXISTS ${quoteTable(table)} (${defs.join(', ')})`;
}
