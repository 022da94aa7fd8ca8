/**
 * A plugin type described by the server (GET /api/node-types) becomes a known type in the
 * editor: the validator checks its config from the JSON Schema, its form is drawn from that
 * schema as sent, and the built-in types are left alone.
 */
import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import { type PipelineDocument, nodeConfigJsonSchema, validateDocument } from '@sluice/shared';
import { nodeDefinitions } from '@sluice/nodes/definitions';
import type { NodeTypeDescription } from '../api/client';
import { ConfigForm } from '../forms/config-form';
import { registerPluginTypes } from './plugin-types';

/** What the server answers for examples/custom-node's type (engine/src/api/routes/node-types-plugin.test.ts). */
const DEDUPE: NodeTypeDescription = {
  type: 'example.dedupe',
  category: 'transform',
  title: 'Dedupe',
  summary: 'Passes the first event of each value of a field; drops the repeats.',
  docs: 'Passes an event whose `field` value was not seen before.',
  example: { field: 'order_id' },
  inputs: [{ name: 'in' }],
  outputs: [{ name: 'out', label: 'First of each' }],
  configSchema: {
    $schema: 'https://json-schema.org/draft/2020-12/schema',
    type: 'object',
    properties: { field: { type: 'string', minLength: 1, description: 'The field whose value makes an event a repeat' } },
    required: ['field'],
  },
  defaults: {},
  connects: false,
  envRefFields: [],
  plugin: true,
};

/** A plugin type with an expression, a duration with a default, and a connection field. */
const SCORE: NodeTypeDescription = {
  ...DEDUPE,
  type: 'acme.score',
  title: 'Score',
  example: { url: 'https://scores.example', when: 'amount > 1' },
  configSchema: {
    type: 'object',
    properties: {
      url: { type: 'string' },
      when: { type: 'string', format: 'sluice-expression' },
      every: { default: '5s', type: 'string', format: 'sluice-duration', pattern: '^\\s*(\\d+)(ms|s|m|h|d)\\s*$' },
    },
    required: ['url', 'when'],
  },
  defaults: { every: '5s' },
  connects: true,
  envRefFields: ['url'],
};

const doc = (config: Record<string, unknown>): PipelineDocument => ({
  format: 'sluice/v1',
  id: 'plugin-types',
  nodes: [
    { id: 'gen', type: 'source.generator', config: nodeDefinitions.get('source.generator')!.example as Record<string, unknown> },
    { id: 'once', type: 'example.dedupe', config },
    { id: 'out', type: 'sink.console', config: {} },
  ],
  edges: [
    { id: 'e1', source: 'gen', target: 'once' },
    { id: 'e2', source: 'once', target: 'out' },
  ],
});

const errors = (d: PipelineDocument) =>
  validateDocument(d, nodeDefinitions)
    .diagnostics.filter((x) => x.severity === 'error')
    .map((x) => `${x.nodeId}: ${x.code} ${x.path}`);

describe('plugin node types from the server', () => {
  it('are unknown before they are registered, known after; built-in and known types are not registered again', () => {
    expect(errors(doc({ field: 'order_id' }))).toEqual(['once: unknown-node-type type']);
    const filter = nodeDefinitions.get('filter');
    expect(registerPluginTypes([DEDUPE, SCORE, { ...DEDUPE, type: 'filter', plugin: false }])).toEqual(['example.dedupe', 'acme.score']);
    expect(registerPluginTypes([DEDUPE])).toEqual([]);
    expect(nodeDefinitions.get('filter')).toBe(filter);

    // Known: a good config has no problem; a missing required field is the config's problem, at its path.
    expect(errors(doc({ field: 'order_id' }))).toEqual([]);
    expect(errors(doc({}))).toEqual(['once: missing-config config.field']);
    expect(errors(doc({ field: '' }))).toEqual(['once: invalid-config config.field']);
    // A key the schema does not have is a warning, as for a built-in type.
    const warnings = validateDocument(doc({ field: 'order_id', feild: 'x' }), nodeDefinitions).diagnostics.filter(
      (x) => x.severity === 'warning',
    );
    expect(warnings.map((x) => `${x.nodeId}: ${x.code} ${x.path}`)).toEqual(['once: unknown-config-field config.feild']);

    const dedupe = nodeDefinitions.get('example.dedupe')!;
    expect(dedupe).toMatchObject({ category: 'transform', title: 'Dedupe', inputs: [{ name: 'in' }] });
    expect(dedupe.outputs({ field: 'x' })).toEqual([{ name: 'out', label: 'First of each' }]);
  });

  it('draw their form from the JSON Schema as the server sent it: formats, defaults and required fields kept', () => {
    const score = nodeDefinitions.get('acme.score')!;
    const { $schema: _, ...sent } = nodeConfigJsonSchema(score);
    expect(sent).toEqual(SCORE.configSchema);
    // Defaults apply as they do to a built-in type's config (what a new node starts with).
    expect(score.config.parse({ url: 'u', when: 'true' })).toEqual({ url: 'u', when: 'true', every: '5s' });
    expect(score).toMatchObject({ connects: true, envRefFields: ['url'] });

    const html = renderToStaticMarkup(
      <ConfigForm
        schema={sent}
        value={{ url: 'https://scores.example', when: 'amount > 1' }}
        onChange={() => undefined}
        context={{ params: {} }}
      />,
    );
    expect(html).toContain('url *');
    expect(html).toContain('aria-label="config.url"');
    // The expression field is an expression input, the duration one offers the duration hint.
    expect(html).toContain('aria-label="config.when"');
    expect(html).toContain('placeholder="10s"');
  });
});
