import { isAbsolute, resolve } from 'node:path';
import type { ParamValue } from '@sluice/shared';
import { type OperatorContext, type StateRegistry, secretEnvVar } from '@sluice/nodes/sdk';
import type { PlanNode } from '../compile/plan.js';
import type { IngestHub } from './ingest-hub.js';

export interface ContextOptions {
  baseDir: string;
  /** Push sources' inboxes (server mode), with the pipeline id they are filed under. */
  ingest?: { hub: IngestHub; pipelineId: string };
  params: Record<string, ParamValue>;
  now: () => number;
  consoleWriter?: (line: string) => void;
  /** Secret values by name (tests); default: the environment, SLUICE_SECRET_<name>. */
  secrets?: (name: string) => string | undefined;
}

/** The context handed to a node's operator factory. */
export function operatorContext(node: PlanNode, state: StateRegistry, o: ContextOptions): OperatorContext<never> {
  const ctx: OperatorContext<Record<string, unknown>> & { consoleWriter?: (line: string) => void } = {
    nodeId: node.id,
    config: node.config,
    params: o.params,
    resolvePath: (p) => (isAbsolute(p) ? p : resolve(o.baseDir, p)),
    isConnected: (port) => node.connectedOutputs.has(port),
    state,
    now: o.now,
    secret: (name) => {
      const value = o.secrets ? o.secrets(name) : process.env[secretEnvVar(name)];
      if (value === undefined) throw new Error(`secret ${name} is not set: set the environment variable ${secretEnvVar(name)} for the server and every worker`);
      return value;
    },
  };
  if (o.consoleWriter) ctx.consoleWriter = o.consoleWriter;
  const ingest = o.ingest;
  if (ingest) ctx.inbox = (capacity) => ingest.hub.open(ingest.pipelineId, node.id, capacity);
  return ctx as never;
}
