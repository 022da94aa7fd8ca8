/**
 * `GET /api/node-types` with a plugin loaded (examples/custom-node): the plugin's type is listed,
 * marked, with what the editor draws and checks it from; a viewer may read it.
 */
import { fileURLToPath } from 'node:url';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { authTestApi } from '../../auth/auth-fixtures.js';
import { loadPlugins } from '../../plugins/load-plugins.js';
import { closeTestApis, testApi } from '../test-support.js';

const EXAMPLE = fileURLToPath(new URL('../../../../examples/custom-node', import.meta.url));

beforeAll(async () => {
  expect(await loadPlugins([EXAMPLE])).toEqual(['example.dedupe']);
});
afterEach(closeTestApis);

describe('GET /api/node-types with a plugin', () => {
  it("answers the plugin's type: palette entry, ports, config JSON Schema, marked as a plugin", async () => {
    const { status, json } = await testApi().call('GET', '/api/node-types');
    expect(status).toBe(200);
    const dedupe = json.nodeTypes.find((t: { type: string }) => t.type === 'example.dedupe');
    expect(dedupe).toEqual({
      type: 'example.dedupe',
      category: 'transform',
      title: 'Dedupe',
      summary: 'Passes the first event of each value of a field; drops the repeats.',
      docs: expect.stringContaining('Passes an event whose `field` value was not seen before'),
      example: { field: 'order_id' },
      inputs: [{ name: 'in' }],
      outputs: [{ name: 'out', label: 'First of each' }],
      configSchema: {
        $schema: 'https://json-schema.org/draft/2020-12/schema',
        type: 'object',
        properties: {
          field: { type: 'string', minLength: 1, description: 'The field (dots for nested) whose value makes an event a repeat' },
        },
        required: ['field'],
      },
      defaults: {},
      connects: false,
      envRefFields: [],
      plugin: true,
    });
    // The built-in types are not plugins; a connector says where `${env:...}` may go.
    const builtIn = json.nodeTypes.filter((t: { plugin: boolean }) => !t.plugin).map((t: { type: string }) => t.type);
    expect(builtIn).toContain('filter');
    expect(builtIn).not.toContain('example.dedupe');
    expect(json.nodeTypes.find((t: { type: string }) => t.type === 'sink.postgres')).toMatchObject({
      connects: true,
      envRefFields: expect.arrayContaining(['url']),
    });
  });

  it('?plugin=true answers the plugin types only (what the editor asks at every page load)', async () => {
    const { json } = await testApi().call('GET', '/api/node-types?plugin=true');
    expect(json.nodeTypes.map((t: { type: string }) => t.type)).toEqual(['example.dedupe']);
  });

  it('a viewer may read it; no token may not', async () => {
    const api = await authTestApi();
    const viewer = await api.as('viewer', 'GET', '/api/node-types');
    expect(viewer.status).toBe(200);
    expect(viewer.json.nodeTypes.map((t: { type: string }) => t.type)).toContain('example.dedupe');
    expect((await api.as('none', 'GET', '/api/node-types')).status).toBe(401);
  });
});
