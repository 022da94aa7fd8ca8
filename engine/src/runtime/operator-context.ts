import { type Event, formatPath, issueMessage, type ParamValue, resolveEnvRefs } from '@sluice/shared';
import { type OperatorContext, type StateRegistry, secretEnvVar } from '@sluice/nodes/sdk';
import type { PlanNode } from '../compile/plan.js';
import { confinedPath } from '../deployments/path-confinement.js';
import { rememberSecret } from '../secrets/redact.js';
import type { IngestHub } from './ingest-hub.js';

export interface ContextOptions {
  baseDir: string;
  /**
   * Folders the node's files must really be in (server: the data folder's files, the examples),
   * checked when the node asks for its path. Unset (the CLI): any path but one with a NUL byte.
   */
  fileRoots?: readonly string[];
  /** Push sources' inboxes (server mode), with the pipeline id they are filed under. */
  ingest?: { hub: IngestHub; pipelineId: string };
  params: Record<string, ParamValue>;
  now: () => number;
  consoleWriter?: (line: string) => void;
  /** The pipeline's privacy mask for what people see (docs/privacy.md): handed to operators as `ctx.show`. */
  show?: (e: Event) => Event;
  /** Secret values by name (tests); default: the environment, SLUICE_SECRET_<name>. */
  secrets?: (name: string) => string | undefined;
  /** What `${env:NAME}` in a config reads (tests); default: process.env. */
  env?: Readonly<Record<string, string | undefined>>;
}

/** The context handed to a node's operator factory. */
export function operatorContext(node: PlanNode, state: StateRegistry, o: ContextOptions): OperatorContext<Record<string, unknown>> {
  const ctx: OperatorContext<Record<string, unknown>> & { consoleWriter?: (line: string) => void } = {
    nodeId: node.id,
    config: resolvedConfig(node, o.env ?? process.env),
    params: o.params,
    resolvePath: (p) => confinedPath(p, o.baseDir, o.fileRoots),
    isConnected: (port) => node.connectedOutputs.has(port),
    state,
    now: o.now,
    secret: (name) => {
      const value = o.secrets ? o.secrets(name) : process.env[secretEnvVar(name)];
      if (value === undefined)
        throw new Error(`secret ${name} is not set: set the environment variable ${secretEnvVar(name)} for the server and every worker`);
      rememberSecret(value);
      return value;
    },
  };
  if (o.consoleWriter) ctx.consoleWriter = o.consoleWriter;
  if (o.show) ctx.show = o.show;
  const ingest = o.ingest;
  if (ingest) ctx.inbox = (capacity, split) => ingest.hub.open(ingest.pipelineId, node.id, capacity, split);
  return ctx;
}

/**
 * The node's config with `${env:NAME}` references replaced by their values, checked again now
 * that the values are known (the validator could not). Errors name the node, the field and the
 * variable; the value itself is never shown.
 */
function resolvedConfig(node: PlanNode, env: Readonly<Record<string, string | undefined>>): Record<string, unknown> {
  const { config, missing, values } = resolveEnvRefs(node.config, env, node.def.envRefFields ?? []);
  if (config === node.config) return config;
  for (const v of values) rememberSecret(v);
  if (missing.length > 0) {
    const [field, name] = missing[0]!.split(': ');
    throw new Error(
      `${node.id}: config.${field}: the environment variable ${name} is not set (\${env:${name}}): set it for the server and every worker`,
    );
  }
  const parsed = node.def.config.safeParse(config);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new Error(`${node.id}: ${formatPath(['config', ...issue.path])}: ${issueMessage(issue)} (with its \${env:...} values)`);
  }
  const resolved = parsed.data as Record<string, unknown>;
  // A password that came from the environment is no inline password: the document holds none.
  const problems = (node.def.check?.(resolved) ?? []).filter((p) => p.severity !== 'warning' && p.code !== 'inline-password');
  if (problems.length > 0) throw new Error(`${node.id}: ${problems[0]!.path}: ${problems[0]!.message} (with its \${env:...} values)`);
  return resolved;
}
