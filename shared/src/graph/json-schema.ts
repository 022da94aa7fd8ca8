/**
 * The JSON Schema of the pipeline document, generated from the zod source the validator uses
 * (docs/sluice-v1.schema.json is this, committed; scripts/gen-schema.ts writes it). It describes
 * the shape only: graph rules (ids, ports, cycles) and node configs need validateDocument.
 */
import { z } from 'zod';
import { documentSchema } from './document-schema.js';
import type { NodeTypeInfo } from './node-type.js';

export const DOCUMENT_SCHEMA_ID = 'https://sluice.dev/schemas/sluice-v1.schema.json';

export function documentJsonSchema(): Record<string, unknown> {
  // `input`: what a person may write (fields with defaults, like `edges`, are optional).
  return { $id: DOCUMENT_SCHEMA_ID, ...z.toJSONSchema(documentSchema, { io: 'input', target: 'draft-2020-12' }) };
}

/** The committed file's exact text (2-space JSON and a final newline). */
export function documentJsonSchemaText(): string {
  return `${JSON.stringify(documentJsonSchema(), null, 2)}\n`;
}

/**
 * The JSON Schema of one node type's config (what a person may write, defaults optional), as the
 * editor draws its form from. Durations and expressions carry the custom formats of
 * config-formats.ts; a tool checks them once it registers CONFIG_FORMATS.
 */
export function nodeConfigJsonSchema(def: Pick<NodeTypeInfo, 'config'>): Record<string, unknown> {
  return z.toJSONSchema(def.config, { io: 'input', unrepresentable: 'any', target: 'draft-2020-12' }) as Record<string, unknown>;
}
