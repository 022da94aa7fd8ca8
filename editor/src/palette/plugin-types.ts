/**
 * Node types the server loaded from plugins (docs/adding-a-node-type.md): the editor's bundle
 * holds the built-in definitions only, so at start it asks GET /api/node-types?plugin=true and
 * registers each type it lacks in the same registry the built-in ones are in. Palette, canvas,
 * forms and the as-you-type validator then treat it like any other type. What a description
 * cannot carry (a type's own checks, its expressions, its output schema, ports that follow the
 * config) only the server checks: it refuses to deploy a document they find invalid.
 */
import { create } from 'zustand';
import type { NodeTypeInfo } from '@sluice/shared';
import { nodeDefinitions, registerDefinition } from '@sluice/nodes/definitions';
import { ApiError, api, type NodeTypeDescription } from '../api/client';
import { configFromJsonSchema } from '../forms/config-from-json-schema';

/** The registry entry for a described type: its schema rebuilt, its ports those of its example. */
export function pluginDefinition(d: NodeTypeDescription): NodeTypeInfo {
  const { configSchema, defaults: _defaults, outputs, bounded, plugin: _plugin, ...described } = d;
  const def: NodeTypeInfo = { ...described, config: configFromJsonSchema(configSchema), outputs: () => outputs };
  if (bounded !== undefined) def.bounded = () => bounded;
  return def;
}

/** Registers the described types this editor does not know; returns their names. */
export function registerPluginTypes(list: readonly NodeTypeDescription[]): string[] {
  const added: string[] = [];
  for (const d of list) {
    if (nodeDefinitions.get(d.type)) continue;
    registerDefinition(pluginDefinition(d));
    added.push(d.type);
  }
  return added;
}

interface PluginTypesState {
  /** `ready` once the server's types are registered (or it could not list them). */
  status: 'idle' | 'loading' | 'ready';
  /** The types registered from the server, for the palette's mark. */
  types: readonly string[];
}

export const usePluginTypes = create<PluginTypesState>(() => ({ status: 'idle', types: [] }));

/**
 * Asks the server once. A 401 leaves it to ask again after signing in; any other failure (a
 * server older than the route) leaves the built-in types, and the server's validation, to work.
 */
export function loadPluginTypes(): void {
  if (usePluginTypes.getState().status !== 'idle') return;
  usePluginTypes.setState({ status: 'loading' });
  api.pluginNodeTypes().then(
    (list) => {
      const added = registerPluginTypes(list);
      usePluginTypes.setState((s) => ({ status: 'ready', types: [...s.types, ...added] }));
    },
    (err: unknown) => usePluginTypes.setState({ status: err instanceof ApiError && err.status === 401 ? 'idle' : 'ready' }),
  );
}
