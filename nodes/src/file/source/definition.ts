import { type ConfigProblem, durationSchema, type EventSchema, type FieldType, UNKNOWN_SCHEMA } from '@sluice/shared';
import { z } from 'zod';
import { defineNode } from '../../sdk/define-node.js';

const FIELD_TYPES = ['number', 'string', 'boolean', 'null', 'object', 'array', 'any'] as const satisfies readonly FieldType[];

export const sourceFileConfig = z.object({
  path: z.string().min(1).describe('File to read (relative paths resolve against the document folder)'),
  format: z.enum(['jsonl', 'csv']).optional().describe('jsonl or csv; default from the extension (.csv, .tsv: csv; else jsonl)'),
  timeField: z.string().min(1).optional().describe('Field holding the event time (epoch ms or ISO-8601); default: the read time'),
  maxOutOfOrderness: durationSchema.default('0s').describe('How far behind the latest event time an event may arrive and still be on time'),
  rate: z.number().min(0).optional().describe('Events per second; omitted or 0: as fast as possible'),
  delimiter: z.string().length(1).optional().describe('CSV field separator; default "," (tab for .tsv)'),
  schema: z
    .record(z.string().min(1), z.enum(FIELD_TYPES))
    .optional()
    .describe('The fields of the events and their types, when known: lets the editor check expressions downstream'),
});

export type SourceFileConfig = z.output<typeof sourceFileConfig>;

/** The format to read: the config's, else from the extension. */
export function fileFormatOf(c: Pick<SourceFileConfig, 'path' | 'format'>): 'jsonl' | 'csv' {
  if (c.format) return c.format;
  return /\.(csv|tsv)$/i.test(c.path) ? 'csv' : 'jsonl';
}

export function delimiterOf(c: Pick<SourceFileConfig, 'path' | 'delimiter'>): string {
  return c.delimiter ?? (/\.tsv$/i.test(c.path) ? '\t' : ',');
}

/** What the `error` port carries: the record (or its raw text) with its line number. */
const ERROR_SCHEMA: EventSchema = { fields: { _line: 'number', _raw: 'string', _error: 'object' }, open: true };

export const sourceFileDefinition = defineNode<SourceFileConfig>({
  type: 'source.file',
  category: 'source',
  title: 'File',
  summary: 'Reads a JSON-lines or CSV file once, in file order.',
  docs:
    'Reads the file once, from the first line to the last, streaming it in chunks (any size). ' +
    'JSON lines: one object per line. CSV: the first row names the fields; numbers, true/false ' +
    'and empty values (null) are typed, "007" stays a string. The event time is `timeField` ' +
    '(epoch ms or ISO-8601), else the time the line was read; the watermark is the largest ' +
    'event time read minus `maxOutOfOrderness`. A line that is not a JSON object, or whose ' +
    'time is missing or unreadable, goes to the `error` port with its line number and the ' +
    'source keeps reading. `rate` paces reading for replays and demos.',
  example: { path: 'orders.jsonl', timeField: 'ts', maxOutOfOrderness: '5s' },
  config: sourceFileConfig,
  inputs: [],
  outputs: () => [
    { name: 'out', label: 'Events' },
    { name: 'error', label: 'Bad records', description: 'Malformed lines and records without a readable time' },
  ],
  check: (c) => {
    const problems: ConfigProblem[] = [];
    const timeType = c.timeField ? c.schema?.[c.timeField] : undefined;
    if (timeType && !['number', 'string', 'any'].includes(timeType)) {
      problems.push({ path: 'config.schema', message: `timeField "${c.timeField}" must be a number or a string` });
    }
    if (c.delimiter !== undefined && fileFormatOf(c) !== 'csv') {
      problems.push({ path: 'config.delimiter', message: 'delimiter applies to CSV only', severity: 'warning' });
    }
    return problems;
  },
  inferSchema: (c) => ({
    out: c.schema ? { fields: { ...c.schema }, open: false } : UNKNOWN_SCHEMA,
    error: ERROR_SCHEMA,
  }),
  bounded: () => true,
});
