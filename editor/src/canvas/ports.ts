/** A node's port names, from its definition (outputs may depend on its config, e.g. branch routes). */
import { nodeDefinitions } from '@sluice/nodes/definitions';

/** By config object: parsing a config is the dearest part of drawing a node, and configs are immutable. */
const outputsOf = new WeakMap<object, string[]>();

export function outputPorts(type: string, config: Record<string, unknown>): string[] {
  const hit = outputsOf.get(config);
  if (hit) return hit;
  const def = nodeDefinitions.get(type);
  let outputs: string[] = ['out'];
  try {
    const parsed = def?.config.safeParse(config);
    if (def && parsed?.success) outputs = def.outputs(parsed.data).map((p) => p.name);
  } catch {
    // keep the default port
  }
  outputsOf.set(config, outputs);
  return outputs;
}

export function inputPorts(type: string): string[] {
  return nodeDefinitions.get(type)?.inputs.map((p) => p.name) ?? [];
}

/** Where the node component puts the i-th handle on a side (px from the top). */
export const handleTop = (i: number) => 24 + i * 16;
