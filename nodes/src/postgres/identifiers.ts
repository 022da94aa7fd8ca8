/**
 * Table and column names for the PostgreSQL nodes. Browser-safe (the definitions validate with
 * it). Names are a plain identifier, or `schema.identifier` for tables, and are always written
 * into SQL double-quoted: user text never reaches a statement unquoted, and the case is kept
 * exactly as written (`Orders` is the table "Orders", not orders).
 */
import { z } from 'zod';

/** Postgres truncates longer names silently (NAMEDATALEN - 1): refused instead. */
const MAX_IDENT = 63;
const IDENT = '[A-Za-z_][A-Za-z0-9_]*';
const IDENT_RE = new RegExp(`^${IDENT}$`);
const TABLE_RE = new RegExp(`^${IDENT}(\\.${IDENT})?$`);

const HINT = 'letters, digits and _, not starting with a digit';

export const columnName = z
  .string()
  .max(MAX_IDENT, `a column name is at most ${MAX_IDENT} characters`)
  .regex(IDENT_RE, `a column name is ${HINT}`);

export const tableName = z
  .string()
  .regex(TABLE_RE, `a table is "name" or "schema.name", each ${HINT} (spaces, quotes and other characters are refused)`)
  .refine((t) => t.split('.').every((p) => p.length <= MAX_IDENT), `each part of a table name is at most ${MAX_IDENT} characters`);

/** `"name"`: a double-quoted identifier (the validated names hold no quote, but escape anyway). */
export function quoteIdent(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

/** `"schema"."table"` or `"table"` from a validated table name. */
export function quoteTable(table: string): string {
  return table.split('.').map(quoteIdent).join('.');
}
