import { Hono } from 'hono';
import { z } from 'zod';
import { allDefinitions } from '@sluice/nodes/definitions';

/** Every node type the editor needs: palette entry, ports, config JSON Schema, defaults, docs. */
export function nodeTypesRoutes(): Hono {
  const types = allDefinitions().map((d) => {
    const example = d.example;
    const parsedExample = d.config.safeParse(example);
    return {
      type: d.type,
      category: d.category,
      title: d.title,
      summary: d.summary,
      docs: d.docs,
      example,
      inputs: d.inputs,
      outputs: parsedExample.success ? d.outputs(parsedExample.data) : [],
      configSchema: z.toJSONSchema(d.config, { io: 'input', unrepresentable: 'any' }),
      bounded: d.bounded && parsedExample.success ? d.bounded(parsedExample.data) : undefined,
    };
  });
  return new Hono().get('/', (c) => c.json({ nodeTypes: types }));
}
