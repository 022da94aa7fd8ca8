/**
 * The zod schema of the document's shape, format sluice/v1 (docs/graph-format.md). Node configs
 * are checked by each node type's own schema, not here. docs/sluice-v1.schema.json is generated
 * from this file, so the JSON Schema, the validator and the TypeScript types cannot drift (the
 * types in document.ts are checked against it in document-schema.test.ts).
 *
 * Extension policy: unknown fields on the document, a param, a node or an edge are kept, never
 * refused (`looseObject`), so a newer editor can add optional fields an older engine ignores.
 */
import { z } from 'zod';
import { alertsSchema } from '../alerts/alert-rules.js';
import { privacySchema } from '../privacy/privacy-settings.js';
import { ANNOTATION_COLORS, ANNOTATION_LIMITS, CURRENT_FORMAT, MAX_SOURCE_PARALLELISM } from './document.js';

export const NODE_ID = /^[A-Za-z0-9_-]{1,64}$/;
export const DOCUMENT_ID = /^[a-z0-9][a-z0-9-]{0,63}$/;
/** Expressions read params as `params.NAME`, so a name must be an identifier there. */
export const PARAM_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
/** A worker label (`sluice worker --labels`), as a node's placement names it. */
export const PLACEMENT_LABEL = /^[A-Za-z0-9_.-]{1,64}$/;

const quoted = (v: unknown) => (typeof v === 'string' ? JSON.stringify(v) : String(v));

const shared = {
  label: z.string().optional().meta({ description: 'Shown to people in forms' }),
  description: z.string().optional(),
  unit: z.string().optional().meta({ description: 'e.g. "EUR", "orders/5min"' }),
  exposed: z.boolean().optional().meta({ description: 'A business user may change the value without touching the graph' }),
};

// One variant per type, so the JSON Schema (and an editor using it) knows `value` follows `type`.
export const paramSpecSchema = z
  .discriminatedUnion('type', [
    z.looseObject({
      type: z.literal('number'),
      value: z.number(),
      ...shared,
      min: z.number().optional(),
      max: z.number().optional(),
    }),
    z.looseObject({ type: z.literal('string'), value: z.string(), ...shared }),
    z.looseObject({ type: z.literal('boolean'), value: z.boolean(), ...shared }),
  ])
  .meta({ description: 'A named value expressions read as params.NAME' });

/** Names every JavaScript object already has: as a param they would be dropped or read the prototype. */
const RESERVED_PARAM_NAMES = new Set(['__proto__', 'constructor', 'prototype']);

export const paramNameSchema = z
  .string()
  .regex(PARAM_NAME, { error: (i) => `${quoted(i.input)} is not a valid param name (letters, digits and _, not starting with a digit)` })
  .refine((name) => !RESERVED_PARAM_NAMES.has(name), {
    error: (i) => `${quoted(i.input)} is reserved (a name every object has); rename the param`,
  });

export const positionSchema = z
  .object({ x: z.number(), y: z.number() })
  .meta({ description: 'Where the editor draws the node; never changes what runs' });

export const nodeSpecSchema = z.looseObject({
  id: z.string().regex(NODE_ID, { error: (i) => `${quoted(i.input)} is not a valid node id (1 to 64 letters, digits, _ or -)` }),
  type: z.string().min(1).meta({ description: 'A node type of the registry, e.g. "filter"' }),
  label: z.string().optional(),
  position: positionSchema.optional(),
  config: z.record(z.string(), z.unknown()).default({}).meta({ description: "Checked by the node type's own schema" }),
  parallelism: z
    .int({ error: (i) => `parallelism must be a whole number, got ${quoted(i.input)}` })
    .min(1, { error: 'parallelism must be at least 1' })
    .max(MAX_SOURCE_PARALLELISM, { error: `parallelism must be at most ${MAX_SOURCE_PARALLELISM}` })
    .optional()
    .meta({
      description: `Source nodes only: split the source into this many partitions, each read by one worker (default 1, at most ${MAX_SOURCE_PARALLELISM}; docs/source-partitions.md)`,
    }),
  placement: z
    .object({
      labels: z
        .array(
          z.string().regex(PLACEMENT_LABEL, {
            error: (i) => `${quoted(i.input)} is not a valid worker label (1 to 64 letters, digits, _, . or -)`,
          }),
        )
        .min(1, { error: 'placement.labels needs at least one label' }),
    })
    .optional()
    .meta({ description: 'Run this node only on workers started with all these labels (`sluice worker --labels a,b`)' }),
});

export const edgeSpecSchema = z.looseObject({
  // GRAPH_FORMAT.md: edge ids follow the node id rule, so every edge can be tapped by its id.
  id: z.string().regex(NODE_ID, { error: (i) => `${quoted(i.input)} is not a valid edge id (1 to 64 letters, digits, _ or -)` }),
  source: z.string().min(1).meta({ description: 'Node id' }),
  target: z.string().min(1).meta({ description: 'Node id' }),
  sourcePort: z.string().min(1).optional().meta({ description: 'Output port of the source node (default "out")' }),
  targetPort: z.string().min(1).optional().meta({ description: 'Input port of the target node (default "in")' }),
});

export const settingsSchema = z
  .looseObject({
    requireTestsOnDeploy: z.boolean().optional().meta({
      description:
        'A deploy through the API first runs the test cases beside the document and is refused when one fails (docs/pipeline-tests.md)',
    }),
  })
  .meta({ description: 'How the server treats this pipeline; never changes what the graph computes' });

/** `#rrggbb`, the one hex form a colour may take besides the palette's names. */
export const HEX_COLOR = /^#[0-9a-fA-F]{6}$/;

const L = ANNOTATION_LIMITS;

// A union, so the JSON Schema says it too (an enum or a pattern), not only the validator.
const notAColour = (i: { input?: unknown }) => `${quoted(i.input)} is not a colour: use one of ${ANNOTATION_COLORS.join(', ')} or #rrggbb`;
export const annotationColorSchema = z
  .union([z.enum(ANNOTATION_COLORS, { error: notAColour }), z.string().regex(HEX_COLOR, { error: notAColour })], { error: notAColour })
  .meta({ description: `One of ${ANNOTATION_COLORS.join(', ')}, or #rrggbb`, examples: ['yellow', '#ffd166'] });

const annotationId = (what: string) =>
  z.string().regex(NODE_ID, { error: (i) => `${quoted(i.input)} is not a valid ${what} id (1 to 64 letters, digits, _ or -)` });

const noteSide = (side: string) =>
  z
    .number({ error: `${side} must be a number` })
    .min(L.minNoteSize, { error: `${side} must be at least ${L.minNoteSize}` })
    .max(L.maxNoteSize, { error: `${side} must be at most ${L.maxNoteSize}` });

export const noteSpecSchema = z
  .looseObject({
    id: annotationId('note'),
    text: z
      .string()
      .max(L.maxNoteText, {
        error: (i) => `a note holds at most ${L.maxNoteText} characters, this one ${String((i.input as string).length)}`,
      })
      .meta({ description: 'Plain text, shown as written (no markdown, no HTML)' }),
    position: positionSchema,
    size: z.object({ width: noteSide('width'), height: noteSide('height') }).optional(),
    color: annotationColorSchema.optional(),
  })
  .meta({ description: 'A sticky note on the canvas; editor-only, never changes what runs' });

export const groupSpecSchema = z
  .looseObject({
    id: annotationId('group'),
    label: z
      .string()
      .min(1)
      .max(L.maxGroupLabel, { error: `a group label holds at most ${L.maxGroupLabel} characters` }),
    color: annotationColorSchema.optional(),
    nodes: z
      .array(z.string().min(1))
      .min(1, { error: 'a group needs at least one node' })
      .meta({ description: 'Ids of the member nodes; a node belongs to one group at most' }),
  })
  .meta({ description: 'A labelled, coloured frame drawn around its nodes; editor-only, never changes what runs' });

export const documentSchema = z
  .looseObject({
    format: z.literal(CURRENT_FORMAT),
    id: z
      .string()
      .regex(DOCUMENT_ID, { error: (i) => `${quoted(i.input)} is not a valid document id (lowercase letters, digits and -, at most 64)` })
      .optional(),
    name: z.string().optional(),
    description: z.string().optional(),
    params: z.record(paramNameSchema, paramSpecSchema).optional(),
    nodes: z.array(nodeSpecSchema),
    edges: z.array(edgeSpecSchema).default([]),
    settings: settingsSchema.optional(),
    privacy: privacySchema.optional(),
    alerts: alertsSchema.optional(),
    notes: z
      .array(noteSpecSchema)
      .max(L.maxNotes, { error: `at most ${L.maxNotes} notes` })
      .optional(),
    groups: z
      .array(groupSpecSchema)
      .max(L.maxGroups, { error: `at most ${L.maxGroups} groups` })
      .optional(),
  })
  .meta({ title: 'Sluice pipeline document', description: 'A pipeline graph, format sluice/v1 (docs/graph-format.md)' });

/** The document as the schema reads it (defaults applied); agrees with PipelineDocument. */
export type DocumentShape = z.output<typeof documentSchema>;
