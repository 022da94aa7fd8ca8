import { afterEach, describe, expect, it } from 'vitest';
import { allDefinitions } from '@sluice/nodes/definitions';
import { closeTestApis, testApi } from '../test-support.js';

afterEach(closeTestApis);

describe('GET /api/node-types', () => {
  it('lists every registered type with docs, ports, config JSON Schema and defaults', async () => {
    const { json } = await testApi().call('GET', '/api/node-types');
    expect(json.nodeTypes.map((t: any) => t.type)).toEqual(allDefinitions().map((d) => d.type));
    for (const t of json.nodeTypes) {
      expect(t, t.type).toMatchObject({
        category: expect.any(String),
        title: expect.any(String),
        summary: expect.any(String),
        docs: expect.any(String),
      });
      expect(t.configSchema.type, t.type).toBe('object');
      expect(Array.isArray(t.inputs) && Array.isArray(t.outputs), t.type).toBe(true);
    }
    const window = json.nodeTypes.find((t: any) => t.type === 'window');
    expect(window).toMatchObject({ category: 'window', inputs: [{ name: 'in' }] });
    expect(window.outputs.map((p: any) => p.name)).toEqual(expect.arrayContaining(['out', 'late']));
    expect(window.configSchema.properties.type.enum).toEqual(['tumbling', 'sliding', 'session']);
    // io: 'input': a field with a default is not required, and the default is listed.
    expect(window.configSchema.required ?? []).not.toContain('allowedLateness');
    expect(window.defaults.allowedLateness).toBe('0s');
    const http = json.nodeTypes.find((t: any) => t.type === 'source.http');
    expect(http).toMatchObject({ category: 'source', inputs: [], bounded: false, defaults: { maxBuffered: 100_000 } });
  });

  it('?plugin=true: none without plugins, every built-in type marked plugin: false', async () => {
    const api = testApi();
    expect((await api.call('GET', '/api/node-types?plugin=true')).json).toEqual({ nodeTypes: [] });
    expect((await api.call('GET', '/api/node-types')).json.nodeTypes.filter((t: { plugin: unknown }) => t.plugin !== false)).toEqual([]);
  });
});
