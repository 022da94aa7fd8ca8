/**
 * Raw input (text or parsed JSON) -> a validated document ready for a runner, with param
 * overrides applied; or every diagnostic. The one entry point the CLI and the API share.
 */
import { type Diagnostic, hasErrors, type PipelineDocument, validateDocument } from '@sluice/shared';
import { nodeDefinitions } from '@sluice/nodes/definitions';
import { applyParamOverrides, withParams } from './param-overrides.js';

export interface CompileResult {
  document?: PipelineDocument;
  diagnostics: Diagnostic[];
}

export function compilePipeline(input: unknown, overrides: Record<string, unknown> = {}): CompileResult {
  const result = validateDocument(input, nodeDefinitions);
  const diagnostics = [...result.diagnostics];
  if (!result.document || hasErrors(diagnostics)) return { diagnostics };
  const { params, diagnostics: paramProblems } = applyParamOverrides(result.document, overrides);
  diagnostics.push(...paramProblems);
  if (hasErrors(paramProblems)) return { diagnostics };
  if (Object.keys(params).length > 0) {
    // Re-validate with the new values: an expression or bound may depend on them.
    const again = validateDocument(withParams(result.document, params), nodeDefinitions);
    if (!again.document || hasErrors(again.diagnostics)) return { diagnostics: again.diagnostics };
    return { document: again.document, diagnostics: again.diagnostics };
  }
  return { document: result.document, diagnostics };
}
