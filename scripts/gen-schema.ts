/** Writes docs/sluice-v1.schema.json, the JSON Schema of the pipeline document (from the validator's zod source). */
import { writeFileSync } from 'node:fs';
import { documentJsonSchema } from '../shared/src/graph/json-schema.js';

export const SCHEMA_PATH = new URL('../docs/sluice-v1.schema.json', import.meta.url);
export const schemaText = () => `${JSON.stringify(documentJsonSchema(), null, 2)}\n`;

if (process.argv[1] && import.meta.url.endsWith(process.argv[1].split('/').pop()!)) writeFileSync(SCHEMA_PATH, schemaText());
