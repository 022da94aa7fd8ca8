/**
 * `--param name=value` (CLI) and API overrides: typed by the document's param declarations and
 * held to their bounds, with errors that name the param.
 */
import type { Diagnostic, ParamValue, PipelineDocument } from '@sluice/shared';

export function parseParamArgs(args: readonly string[]): { values: Record<string, string>; diagnostics: Diagnostic[] } {
  const values: Record<string, string> = {};
  const diagnostics: Diagnostic[] = [];
  for (const arg of args) {
    const eq = arg.indexOf('=');
    if (eq <= 0) {
      diagnostics.push({
        severity: 'error',
        code: 'param-syntax',
        path: `params`,
        message: `--param ${JSON.stringify(arg)}: use --param name=value`,
      });
      continue;
    }
    values[arg.slice(0, eq)] = arg.slice(eq + 1);
  }
  return { values, diagnostics };
}

/** Typed override values, or diagnostics naming each bad one. Strings are converted per the param's type. */
export function applyParamOverrides(
  doc: PipelineDocument,
  overrides: Record<string, unknown>,
): { params: Record<string, ParamValue>; diagnostics: Diagnostic[] } {
  const params: Record<string, ParamValue> = {};
  const diagnostics: Diagnostic[] = [];
  const declared = doc.params ?? {};
  const fail = (name: string, message: string) =>
    diagnostics.push({ severity: 'error', code: 'param-override', path: `params.${name}`, message });
  for (const [name, raw] of Object.entries(overrides)) {
    const spec = declared[name];
    if (!spec) {
      const known = Object.keys(declared);
      fail(name, `unknown param (${known.length ? `declared: ${known.join(', ')}` : 'the document declares none'})`);
      continue;
    }
    const value = coerce(raw, spec.type);
    if (value === undefined) {
      fail(name, `${JSON.stringify(raw)} is not a ${spec.type}`);
      continue;
    }
    if (typeof value === 'number') {
      if (spec.min !== undefined && value < spec.min) {
        fail(name, `${value} is below the minimum ${spec.min}`);
        continue;
      }
      if (spec.max !== undefined && value > spec.max) {
        fail(name, `${value} is above the maximum ${spec.max}`);
        continue;
      }
    }
    params[name] = value;
  }
  return { params, diagnostics };
}

function coerce(raw: unknown, type: 'number' | 'string' | 'boolean'): ParamValue | undefined {
  if (type === 'string') return typeof raw === 'string' ? raw : undefined;
  if (type === 'number') {
    if (typeof raw === 'number') return Number.isFinite(raw) ? raw : undefined;
    if (typeof raw !== 'string' || raw.trim() === '') return undefined;
    const n = Number(raw);
    return Number.isFinite(n) ? n : undefined;
  }
  if (typeof raw === 'boolean') return raw;
  if (raw === 'true') return true;
  if (raw === 'false') return false;
  return undefined;
}

/** The document with override values written into its params (so a run/deploy records them). */
export function withParams(doc: PipelineDocument, params: Record<string, ParamValue>): PipelineDocument {
  if (Object.keys(params).length === 0) return doc;
  const next = { ...(doc.params ?? {}) };
  for (const [name, value] of Object.entries(params)) next[name] = { ...next[name]!, value };
  return { ...doc, params: next };
}
