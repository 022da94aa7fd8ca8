/**
 * Older document formats -> the current one, run before validation. Each step upgrades one
 * format to the next; a document goes through every step after its own format, so supporting
 * an old format is one entry in MIGRATIONS, never a special case in the validator or engine.
 * Only sluice/v1 exists today, so the list is empty and migration is the identity.
 */
import { CURRENT_FORMAT } from './document.js';

export interface MigrationStep {
  from: string;
  to: string;
  /** Returns a new object (the input is the caller's and is never mutated). */
  upgrade: (doc: Readonly<Record<string, unknown>>) => Record<string, unknown>;
}

/** Ordered oldest first. Example of the first real entry: */
// { from: 'sluice/v0', to: 'sluice/v1', upgrade: ({ links, ...doc }) => ({ ...doc, edges: links }) },
export const MIGRATIONS: readonly MigrationStep[] = [];

export interface MigrationResult {
  document: unknown;
  /** The format the document was written in, when it was upgraded. */
  migratedFrom?: string;
}

/**
 * The document in the current format when a chain of steps leads there; otherwise the input
 * unchanged (not an object, no format, an unknown format: the validator refuses those).
 */
export function migrateDocument(input: unknown, steps: readonly MigrationStep[] = MIGRATIONS): MigrationResult {
  if (input === null || typeof input !== 'object' || Array.isArray(input)) return { document: input };
  const original = (input as Record<string, unknown>).format;
  if (typeof original !== 'string' || original === CURRENT_FORMAT) return { document: input };
  let doc = input as Record<string, unknown>;
  // At most one pass per step: a mistaken loop in the list cannot hang the validator.
  for (let n = 0; n < steps.length && doc.format !== CURRENT_FORMAT; n++) {
    const step = steps.find((s) => s.from === doc.format);
    if (!step) break;
    doc = { ...step.upgrade(doc), format: step.to };
  }
  return doc.format === CURRENT_FORMAT ? { document: doc, migratedFrom: original } : { document: input };
}

/** Every format this build reads, oldest first. */
export function readableFormats(steps: readonly MigrationStep[] = MIGRATIONS): string[] {
  return [...steps.map((s) => s.from), CURRENT_FORMAT];
}
