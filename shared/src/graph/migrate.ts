/**
 * Older document formats -> the current one. Each step upgrades one format to the next; a
 * document runs through every step after its own format. Only sluice/v1 exists today, so the
 * list is empty, but an old document will go through here, never through special cases.
 */
import { CURRENT_FORMAT } from './document.js';

type Step = { from: string; to: string; upgrade: (doc: Record<string, unknown>) => Record<string, unknown> };

const STEPS: Step[] = [
  // { from: 'sluice/v0', to: 'sluice/v1', upgrade: (doc) => ({ ...doc, format: 'sluice/v1' }) },
];

export function migrateDocument(input: unknown): { document: unknown; migratedFrom?: string } {
  if (input === null || typeof input !== 'object' || Array.isArray(input)) return { document: input };
  let doc = input as Record<string, unknown>;
  const original = doc.format;
  for (let step = STEPS.find((s) => s.from === doc.format); step; step = STEPS.find((s) => s.from === doc.format)) {
    doc = { ...step.upgrade(doc), format: step.to };
  }
  return doc.format === CURRENT_FORMAT && original !== CURRENT_FORMAT && typeof original === 'string'
    ? { document: doc, migratedFrom: original }
    : { document: doc };
}

/** Every format this build reads. */
export function readableFormats(): string[] {
  return [...STEPS.map((s) => s.from), CURRENT_FORMAT];
}
