import { z } from 'zod';
import { defineNode } from '../../sdk/define-node.js';

export const sinkFileConfig = z.object({
  path: z.string().min(1).describe('File to write (relative paths resolve against the document folder; folders are created)'),
  format: z.enum(['jsonl']).default('jsonl').describe('jsonl: one JSON object per line'),
  mode: z
    .enum(['append', 'overwrite'])
    .default('append')
    .describe('append to the file, or replace it with a new, empty one when the pipeline starts'),
});

export type SinkFileConfig = z.output<typeof sinkFileConfig>;

export const sinkFileDefinition = defineNode<SinkFileConfig>({
  type: 'sink.file',
  category: 'sink',
  title: 'File',
  summary: 'Appends each event to a file as one JSON line.',
  docs:
    'Writes each event as one JSON line (only its fields: metadata such as event time is not ' +
    'written). Appends by default; `mode: overwrite` replaces the file with a new, empty one when ' +
    'the pipeline starts. ' +
    'Missing folders are created. Writes are buffered and flushed when the input ends or the ' +
    'pipeline stops; a write that fails (disk full, no permission) fails the run with the path.',
  example: { path: 'out/results.jsonl', format: 'jsonl', mode: 'append' },
  config: sinkFileConfig,
  inputs: [{ name: 'in' }],
  outputs: () => [],
});
