/**
 * Reading a document someone pasted, dropped or picked: the same parse and validation as the
 * server, so the page can say what is wrong before sending anything. A document whose shape
 * cannot be read is refused with every reason; one that reads but has problems (an unknown
 * node type, a bad expression) imports as a draft, like a save, and its problems are listed.
 */
import { type Diagnostic, formatDiagnostic, type PipelineDocument, parseDocumentText, validateDocument } from '@sluice/shared';
import { nodeDefinitions } from '@sluice/nodes/definitions';

export type ImportResult = { ok: true; document: PipelineDocument; problems: string[] } | { ok: false; errors: string[] };

// The server's own refusals for "not a document this build reads" (engine readDocument).
const NOT_A_DOCUMENT = new Set(['unsupported-format', 'too-large']);

export function readDocumentText(text: string): ImportResult {
  if (text.trim() === '') return { ok: false, errors: ['the text is empty: paste or drop a pipeline document (JSON)'] };
  const parsed = parseDocumentText(text);
  if (parsed.diagnostics.length > 0) return { ok: false, errors: parsed.diagnostics.map(formatDiagnostic) };
  const r = validateDocument(parsed.value, nodeDefinitions);
  const errors = r.diagnostics.filter((d) => d.severity === 'error');
  if (r.document === undefined || r.diagnostics.some((d) => NOT_A_DOCUMENT.has(d.code))) {
    return { ok: false, errors: errors.length > 0 ? errors.map(formatDiagnostic) : ['the text is not a pipeline document'] };
  }
  // Kept as written (defaults implicit), as the server stores it; r.document is normalized.
  return { ok: true, document: parsed.value as PipelineDocument, problems: errors.map(formatDiagnostic) };
}

/** True for text that is meant as a document (a JSON object with nodes or a format), not copied nodes or prose. */
export function looksLikeDocument(text: string): boolean {
  const t = text.trim();
  if (!t.startsWith('{')) return false;
  if (t.includes(`"${NODES_CLIP}"`)) return false;
  return /"(format|nodes)"\s*:/.test(t);
}

/** The clipboard format for copied nodes, so a paste can tell them from a document. */
export const NODES_CLIP = 'sluice/nodes';

/** A pipeline id (the server's rule: [a-z0-9][a-z0-9-]{0,63}) from a name. */
export function slugId(name: string): string {
  return (
    name
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^-+|-+$/g, '')
      .slice(0, 56)
      .replace(/-+$/, '') || 'pipeline'
  );
}

/** `base`, or `base-2`, `base-3`, ... whichever is not taken. */
export function freeId(base: string, taken: Iterable<string>): string {
  const used = new Set(taken);
  if (!used.has(base)) return base;
  let i = 2;
  while (used.has(`${base}-${i}`)) i++;
  return `${base}-${i}`;
}

/** Error details from a 422 response, one line each. */
export function detailLines(details: Diagnostic[] | undefined): string[] {
  return (details ?? []).filter((d) => d.severity === 'error').map(formatDiagnostic);
}
