/**
 * The zod schema of the document's shape (node configs are checked by each node type's own
 * schema). The JSON Schema in docs/sluice-v1.schema.json is generated from it. Extra fields
 * are kept (extensions), never an error.
 */
import { z } from 'zod';

export const NODE_ID = /^[A-Za-z0-9_-]{1,64}$/;
export const DOCUMENT_ID = /^[a-z0-9][a-z0-9-]{0,63}$/;

export const paramSpecSchema = z
  .looseObject({
    type: z.enum(['number', 'string', 'boolean']),
    value: z.union([z.number(), z.string(), z.boolean()]),
    label: z.string().optional(),
    description: z.string().optional(),
    unit: z.string().optional(),
    exposed: z.boolean().optional(),
    min: z.number().optional(),
    max: z.number().optional(),
  })
  .meta({ description: 'A named value expressions read as params.NAME' });

export const nodeSpecSchema = z.looseObject({
  id: z.string().regex(NODE_ID, 'must match [A-Za-z0-9_-]{1,64}'),
  type: z.string().min(1),
  label: z.string().optional(),
  position: z.object({ x: z.number(), y: z.number() }).optional(),
  config: z.record(z.string(), z.unknown()).default({}),
});

export const edgeSpecSchema = z.looseObject({
  id: z.string().min(1).max(128),
  source: z.string().min(1),
  target: z.string().min(1),
  sourcePort: z.string().min(1).optional(),
  targetPort: z.string().min(1).optional(),
});

export const documentSchema = z
  .looseObject({
    format: z.literal('sluice/v1'),
    id: z.string().regex(DOCUMENT_ID, 'must match [a-z0-9][a-z0-9-]{0,63}').optional(),
    name: z.string().optional(),
    description: z.string().optional(),
    params: z.record(z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'param names are identifiers'), paramSpecSchema).optional(),
    nodes: z.array(nodeSpecSchema),
    edges: z.array(edgeSpecSchema).default([]),
  })
  .meta({ title: 'Sluice pipeline document', description: 'A pipeline graph, format sluice/v1 (docs/graph-format.md)' });
