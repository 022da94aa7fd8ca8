/**
 * A connector node's connection check, for the API (Check connection in the editor) and the
 * CLI (`sluice check`): the config validated alone as a deploy validates it, its `${env:...}`
 * references and secrets resolved in this process, then the node type's check (nodes/src/sdk
 * ConnectionCheck), bounded in time.
 */
import { type Diagnostic, type NodeSpec, type ParamSpec, paramValues, validateDocument } from '@sluice/shared';
import { nodeDefinitions } from '@sluice/nodes/definitions';
import { operatorEntry } from '@sluice/nodes/operators';
import { MemoryStateRegistry } from '@sluice/nodes/sdk';
import { compilePipeline } from '../compile/compile-pipeline.js';
import type { PlanNode } from '../compile/plan.js';
import { operatorContext } from '../runtime/operator-context.js';
import { redact } from '../secrets/redact.js';

/** Beyond this a check is abandoned (the checks bound themselves to 5 s). */
const CHECK_TIMEOUT_MS = 10_000;

export type NodeCheck =
  | { kind: 'checked'; ok: boolean; message: string; ms: number }
  /** The config does not validate: its diagnostics. */
  | { kind: 'invalid'; diagnostics: Diagnostic[] }
  /** The node type has no connection to check. */
  | { kind: 'not-checkable' };

export function isCheckable(type: string): boolean {
  return operatorEntry(type)?.check !== undefined;
}

export async function checkNode(node: NodeSpec, o: { params?: Record<string, ParamSpec>; baseDir: string }): Promise<NodeCheck> {
  const entry = operatorEntry(node.type);
  if (!entry?.check) return { kind: 'not-checkable' };
  const single = {
    format: 'sluice/v1' as const,
    ...(o.params ? { params: o.params } : {}),
    nodes: [{ id: node.id, type: node.type, config: node.config }],
    edges: [],
  };
  const diagnostics = validateDocument(single, nodeDefinitions).diagnostics.filter((d) => d.severity === 'error' && d.nodeId === node.id);
  const compiled = diagnostics.length === 0 ? compilePipeline(single).document : undefined;
  if (!compiled) return { kind: 'invalid', diagnostics };
  const plan: PlanNode = {
    ...(compiled.nodes[0] as unknown as PlanNode),
    def: nodeDefinitions.get(node.type)!,
    connectedOutputs: new Set(),
  };
  const started = performance.now();
  // Messages name the URL they tried: its password and any secret value are masked.
  const done = (ok: boolean, message: string): NodeCheck => ({
    kind: 'checked',
    ok,
    message: redact(message),
    ms: Math.round(performance.now() - started),
  });
  try {
    const ctx = operatorContext(plan, new MemoryStateRegistry(), { baseDir: o.baseDir, params: paramValues(compiled), now: Date.now });
    return done(true, await withTimeout(entry.check(ctx), CHECK_TIMEOUT_MS));
  } catch (err) {
    // Start errors name the node; the caller says which node it is.
    return done(false, (err as Error).message.replace(new RegExp(`^${node.id}: `), ''));
  }
}

function withTimeout<T>(work: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`the check did not finish within ${ms / 1000} s`)), ms);
  });
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}
