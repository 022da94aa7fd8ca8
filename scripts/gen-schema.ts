/**
 * Writes docs/sluice-v1.schema.json, the JSON Schema of the pipeline document, from the
 * validator's zod source. Run after changing shared/src/graph/document-schema.ts:
 *   npx tsx scripts/gen-schema.ts
 */
import { writeFileSync } from 'node:fs';
import { documentJsonSchemaText } from '../shared/src/graph/json-schema.js';

export const SCHEMA_PATH = new URL('../docs/sluice-v1.schema.json', import.meta.url);
export const schemaText = documentJsonSchemaText;

if (process.argv[1] && import.meta.url.endsWith(process.argv[1].split('/').pop()!)) {
  writeFileSync(SCHEMA_PATH, schemaText());
  process.stdout.write(`wrote ${SCHEMA_PATH.pathname}\n`);
}
