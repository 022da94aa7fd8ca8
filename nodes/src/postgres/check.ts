/**
 * "Check connection" for source.postgres and sink.postgres (ConnectionCheck, sdk/operator.ts):
 * connects as the node does (connectPostgres: the URL, the password from its secret), looks at
 * the table the config names and disconnects. Read-only: the source's check runs its first read
 * with LIMIT 0 (no row is read, but a missing table or column, or a refused SELECT, fails as at
 * the start); the sink's looks the table up in the catalog and never creates it, also with
 * createTable.
 */
import type pg from 'pg';
import { CHECK_TIMEOUT_MS, withinDeadline } from '../sdk/check-deadline.js';
import type { OperatorContext } from '../sdk/operator.js';
import { connectPostgres, messageOf } from './connection.js';
import type { SinkPostgresConfig } from './sink/definition.js';
import { findTable, missingTable } from './sink/operator.js';
import type { SourcePostgresConfig } from './source/definition.js';
import { probeTable } from './source/operator.js';

/** Columns a success line names before it only counts the rest. */
const SHOWN_COLUMNS = 12;

export async function checkPostgresSource(ctx: OperatorContext<SourcePostgresConfig>, timeoutMs = CHECK_TIMEOUT_MS): Promise<string> {
  const c = ctx.config;
  return withinDeadline(
    c.url,
    async (deadline) => {
      const client = await connectPostgres(ctx, { prepare: (cl) => deadline.onExpire(() => cl.end()) });
      try {
        // The start's own probe and messages (missing table or column, permission denied).
        await probeTable(client, c);
        const oid = await findTable(client, c.table);
        const columns = oid === null ? [] : await tableColumns(client, c.table, oid);
        return `connected to ${c.url}; table ${c.table} has the columns ${listed(columns)}`;
      } finally {
        await client.end().catch(() => undefined);
      }
    },
    timeoutMs,
  );
}

export async function checkPostgresSink(ctx: OperatorContext<SinkPostgresConfig>, timeoutMs = CHECK_TIMEOUT_MS): Promise<string> {
  const c = ctx.config;
  return withinDeadline(
    c.url,
    async (deadline) => {
      const client = await connectPostgres(ctx, { prepare: (cl) => deadline.onExpire(() => cl.end()) });
      try {
        const oid = await findTable(client, c.table);
        if (oid === null) {
          // The start's message when createTable is off.
          if (!c.createTable) throw missingTable(c.table);
          await requireSchema(client, c.table);
          return `connected to ${c.url}; table ${c.table} does not exist yet: the first write creates it (createTable)`;
        }
        const columns = await tableColumns(client, c.table, oid);
        const missing = c.columns.filter((col) => !columns.includes(col));
        if (missing.length > 0)
          throw new Error(
            `table ${c.table} has no column ${missing.map((m) => `"${m}"`).join(', ')}${columnCaseHint(missing, columns)} (it has ${listed(columns)})`,
          );
        await requirePrivileges(client, c.table, oid, c.mode === 'upsert' ? ['INSERT', 'UPDATE'] : ['INSERT']);
        let said = `connected to ${c.url}; table ${c.table} has the columns ${listed(columns)}`;
        if (c.mode === 'upsert' && c.key) {
          if (!(await hasUniqueKey(client, c.table, oid, c.key))) {
            throw new Error(
              `table ${c.table} has no primary key or unique constraint on exactly (${c.key.join(', ')}), which upsert needs (ON CONFLICT)`,
            );
          }
          said += `; upsert on its unique key (${c.key.join(', ')})`;
        }
        return said;
      } finally {
        await client.end().catch(() => undefined);
      }
    },
    timeoutMs,
  );
}

/** The sink's writes need these rights for the connecting user: say which one is missing now, not at the first write. */
async function requirePrivileges(client: pg.Client, table: string, oid: number, rights: readonly string[]): Promise<void> {
  const res = await client.query<{ right: string; granted: boolean }>(
    'SELECT r AS right, has_table_privilege($1::oid, r) AS granted FROM unnest($2::text[]) AS r',
    [oid, rights],
  );
  const missing = res.rows.filter((r) => !r.granted).map((r) => r.right);
  if (missing.length > 0) {
    const who = (await client.query<{ u: string }>('SELECT current_user AS u')).rows[0]?.u ?? 'this user';
    throw new Error(`user ${who} may not ${missing.join(' or ')} on table ${table} (GRANT ${missing.join(', ')} ON ${table} TO ${who})`);
  }
}

/** The table's columns in their order (a view's too), from the catalog. */
async function tableColumns(client: pg.Client, table: string, oid: number): Promise<string[]> {
  try {
    const res = await client.query<{ name: string }>(
      'SELECT attname::text AS name FROM pg_attribute WHERE attrelid = $1::oid AND attnum > 0 AND NOT attisdropped ORDER BY attnum',
      [oid],
    );
    return res.rows.map((r) => r.name);
  } catch (err) {
    throw new Error(`cannot read the columns of table ${table}: ${messageOf(err)}`);
  }
}

/** createTable creates the table, not its schema: a schema.name needs the schema. */
async function requireSchema(client: pg.Client, table: string): Promise<void> {
  const dot = table.indexOf('.');
  if (dot < 0) return;
  const schema = table.slice(0, dot);
  const res = await client.query<{ s: string | null }>('SELECT to_regnamespace($1)::text AS s', [`"${schema}"`]);
  if (res.rows[0]?.s == null) throw new Error(`schema ${schema} does not exist: createTable creates the table ${table}, not its schema`);
}

/** ON CONFLICT (key) needs a unique index on exactly those columns: not partial, not deferrable. */
async function hasUniqueKey(client: pg.Client, table: string, oid: number, key: readonly string[]): Promise<boolean> {
  try {
    const res = await client.query<{ cols: string[] }>(
      `SELECT array_agg(a.attname::text) AS cols
         FROM pg_index i JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = ANY ((i.indkey::int2[])[0:i.indnkeyatts - 1])
        WHERE i.indrelid = $1::oid AND i.indisunique AND i.indimmediate AND i.indpred IS NULL AND i.indexprs IS NULL
        GROUP BY i.indexrelid`,
      [oid],
    );
    const want = [...new Set(key)].sort().join(',');
    return res.rows.some((r) => [...r.cols].sort().join(',') === want);
  } catch (err) {
    throw new Error(`cannot read the keys of table ${table}: ${messageOf(err)}`);
  }
}

/** `"Price"` missing where `price` exists: names are case-sensitive (always quoted). */
function columnCaseHint(missing: readonly string[], columns: readonly string[]): string {
  const lower = new Set(columns.map((c) => c.toLowerCase()));
  return missing.some((m) => !columns.includes(m) && lower.has(m.toLowerCase())) ? '; names are case-sensitive (always quoted)' : '';
}

function listed(columns: readonly string[]): string {
  if (columns.length === 0) return '(none)';
  if (columns.length <= SHOWN_COLUMNS) return columns.join(', ');
  return `${columns.slice(0, SHOWN_COLUMNS).join(', ')} and ${columns.length - SHOWN_COLUMNS} more`;
}
