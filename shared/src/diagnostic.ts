/**
 * A problem found in a document, an expression or a config. Every diagnostic names where it
 * is: the node or edge id and the path inside it (e.g. `config.size`), so the editor can focus
 * the node and the CLI can print `window1: config.size: ...`.
 */
export type Severity = 'error' | 'warning';

export interface Diagnostic {
  severity: Severity;
  /** Stable machine-readable code, e.g. `unknown-node-type`, `cycle`, `expr-syntax`. */
  code: string;
  /** Human message without the location prefix. */
  message: string;
  nodeId?: string;
  edgeId?: string;
  /** Path inside the node, edge or document, e.g. `config.aggregates[0].field`. */
  path?: string;
  /** 1-based column inside an expression, when the problem is in one. */
  column?: number;
}

/** `window1: config.size: "10 sec" is not a duration (...)` */
export function formatDiagnostic(d: Diagnostic): string {
  const where = d.nodeId ?? (d.edgeId !== undefined ? `edge ${d.edgeId}` : 'document');
  const path = d.path ? `${d.path}: ` : '';
  const prefix = d.severity === 'warning' ? 'warning: ' : '';
  return `${prefix}${where}: ${path}${d.message}`;
}

export function hasErrors(diagnostics: readonly Diagnostic[]): boolean {
  return diagnostics.some((d) => d.severity === 'error');
}

/** Thrown where a diagnostic list must stop the caller (e.g. compiling an invalid graph). */
export class DiagnosticsError extends Error {
  readonly code = 'invalid-document';
  constructor(readonly diagnostics: readonly Diagnostic[]) {
    super(
      diagnostics
        .filter((d) => d.severity === 'error')
        .map(formatDiagnostic)
        .join('\n'),
    );
    this.name = 'DiagnosticsError';
  }
}
