import { z } from 'zod';
import { documentSchema } from './document-schema.js';

/** The JSON Schema of the pipeline document, from the same zod source the validator uses. */
export function documentJsonSchema(): Record<string, unknown> {
  return { $id: 'https://sluice.dev/schemas/sluice-v1.schema.json', ...z.toJSONSchema(documentSchema, { io: 'input', target: 'draft-2020-12' }) };
}
