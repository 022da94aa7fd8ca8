import { type ConfigProblem, type EventSchema, type FieldType, UNKNOWN_SCHEMA } from '@sluice/shared';
import { z } from 'zod';
import { defineNode } from '../sdk/define-node.js';

const inlineTable = z.object({
  rows: z.array(z.record(z.string(), z.unknown())).describe('The table, written in the document'),
});
const fileTable = z.object({
  path: z.string().min(1).describe('A .jsonl or .csv file, read once when the pipeline starts'),
  format: z.enum(['jsonl', 'csv']).optional().describe('Default from the extension (.csv: csv; else jsonl)'),
});

export const enrichConfig = z.object({
  table: z.union([inlineTable, fileTable]).describe('{ "rows": [...] } or { "path": "file.jsonl" }'),
  key: z.string().min(1).describe("The table's column to look up"),
  on: z.string().min(1).describe("The event's field (dotted allowed) whose value is looked up"),
  fields: z.array(z.string().min(1)).optional().describe('Columns to copy onto the event; default: all but the key'),
  prefix: z.string().optional().describe('Prepended to the copied field names, e.g. "customer_"'),
  onMissing: z
    .enum(['drop', 'pass', 'error'])
    .default('drop')
    .describe('No row for the event: drop it (counted as dropped), pass it unchanged, or send it to the error port'),
});

export type EnrichConfig = z.output<typeof enrichConfig>;

/**
 * How event values meet table keys: by their text, so 1 and "1" match (CSV and JSON disagree
 * on types all the time). Objects, arrays and null never match.
 */
export function lookupKey(v: unknown): string | undefined {
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean' || typeof v === 'bigint') return String(v);
  return undefined;
}

function typeOf(v: unknown): FieldType {
  if (v === null || v === undefined) return 'null';
  if (Array.isArray(v)) return 'array';
  const t = typeof v;
  return t === 'number' || t === 'string' || t === 'boolean' || t === 'object' ? t : 'any';
}

/** Copied field name -> type, from inline rows (null values do not decide a type). */
function copiedFields(c: EnrichConfig): Record<string, FieldType> | undefined {
  const prefix = c.prefix ?? '';
  const out: Record<string, FieldType> = {};
  if (!('rows' in c.table)) {
    if (!c.fields) return undefined;
    for (const f of c.fields) out[prefix + f] = 'any';
    return out;
  }
  const names = c.fields ?? [...new Set(c.table.rows.flatMap((r) => Object.keys(r)))].filter((n) => n !== c.key);
  for (const name of names) {
    let type: FieldType | undefined;
    for (const row of c.table.rows) {
      const t = typeOf(row[name]);
      if (t === 'null') continue;
      type = type === undefined || type === t ? t : 'any';
    }
    out[prefix + name] = type ?? 'null';
  }
  return out;
}

export const enrichDefinition = defineNode<EnrichConfig>({
  type: 'enrich',
  category: 'transform',
  title: 'Enrich',
  summary: 'Joins each event with one row of a lookup table.',
  docs:
    "Looks the event's `on` field up in the table's `key` column and copies the row's `fields` " +
    '(default: every column but the key) onto a new event, optionally renamed with `prefix`; ' +
    'copied fields replace event fields of the same name. Values match by their text (1 and "1" ' +
    'are the same key); when several rows share a key the last one wins. The table is inline ' +
    '(`rows`) or a .jsonl / .csv file loaded once at start. Without a row the event is dropped ' +
    '(`onMissing: drop`, counted), passed unchanged (`pass`) or sent to the `error` port (`error`).',
  example: {
    table: { rows: [{ sku: 'SKU-10001', brand: 'Acme', margin: 0.3 }] },
    key: 'sku',
    on: 'sku',
    onMissing: 'pass',
  },
  config: enrichConfig,
  inputs: [{ name: 'in' }],
  fieldUse: (c) => ({ reads: [c.on.split('.')[0]!], forwards: true }),
  outputs: (c) =>
    c.onMissing === 'error'
      ? [{ name: 'out' }, { name: 'error', label: 'No match', description: 'Events without a row in the table' }]
      : [{ name: 'out' }],
  check: (c) => {
    const problems: ConfigProblem[] = [];
    if (!('rows' in c.table)) return problems;
    const seen = new Set<string>();
    const dupes = new Set<string>();
    c.table.rows.forEach((row, i) => {
      const k = lookupKey(row[c.key]);
      if (k === undefined) {
        problems.push({
          path: `config.table.rows[${i}]`,
          message: `row has no "${c.key}" (string or number): it can never match`,
          severity: 'warning',
        });
      } else if (seen.has(k)) dupes.add(k);
      else seen.add(k);
    });
    for (const k of dupes)
      problems.push({
        path: 'config.table.rows',
        message: `several rows have ${c.key} = ${JSON.stringify(k)}: the last one wins`,
        severity: 'warning',
      });
    return problems;
  },
  inferSchema: (c, ctx) => {
    const input = ctx.inputs.in ?? UNKNOWN_SCHEMA;
    const copied = copiedFields(c);
    const out: EventSchema = copied
      ? { fields: { ...input.fields, ...copied }, open: input.open }
      : { fields: { ...input.fields }, open: true };
    return c.onMissing === 'error' ? { out, error: { fields: { ...input.fields, _error: 'object' }, open: input.open } } : { out };
  },
});
