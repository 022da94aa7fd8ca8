/**
 * `GET /api/node-types`: everything the editor needs of every node type, from the one
 * definition: palette entry, docs, ports, the config's JSON Schema (forms are drawn from it)
 * and its defaults. Types from plugins are marked `plugin: true`: the editor's bundle holds the
 * built-in definitions only and registers these from this answer (editor/src/palette/plugin-types.ts).
 */
import { Hono } from 'hono';
import { z } from 'zod';
import type { NodeTypeInfo } from '@sluice/shared';
import { allDefinitions, isNodeTypeName } from '@sluice/nodes/definitions';

function describe(d: NodeTypeInfo) {
  const parsedExample = d.config.safeParse(d.example);
  // io: 'input' describes what a user may write: fields with defaults are optional.
  const configSchema = z.toJSONSchema(d.config, { io: 'input', unrepresentable: 'any' }) as {
    properties?: Record<string, { default?: unknown }>;
  };
  const defaults = Object.fromEntries(
    Object.entries(configSchema.properties ?? {})
      .filter(([, p]) => p && typeof p === 'object' && 'default' in p)
      .map(([k, p]) => [k, p.default]),
  );
  return {
    type: d.type,
    category: d.category,
    title: d.title,
    summary: d.summary,
    docs: d.docs,
    example: d.example,
    inputs: d.inputs,
    // Ports may depend on the config (a branch has one per condition): these are the example's.
    outputs: parsedExample.success ? d.outputs(parsedExample.data) : [],
    configSchema,
    defaults,
    bounded: d.bounded && parsedExample.success ? d.bounded(parsedExample.data) : undefined,
    // What the editor's validator needs beyond the schema: a Check connection button, and where `${env:...}` is allowed.
    connects: d.connects === true,
    envRefFields: d.envRefFields ?? [],
    plugin: !isNodeTypeName(d.type),
  };
}

export function nodeTypesRoutes(): Hono {
  const types = allDefinitions().map(describe);
  // `?plugin=true`: only the types the editor's bundle lacks (most servers: none), asked at every page load.
  const plugins = types.filter((t) => t.plugin);
  return new Hono().get('/', (c) => c.json({ nodeTypes: c.req.query('plugin') === 'true' ? plugins : types }));
}
