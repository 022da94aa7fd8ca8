/**
 * Pinned sample data (docs/pinned-samples.md): a few events pinned on a source node, so a
 * preview, "run to here", a test case and the forms' completions have events before the
 * pipeline has ever run. Kept beside the pipeline's files, `<baseDir>/<id>.pinned/<node>.jsonl`,
 * like its test cases, and never in the document: versions and exports stay free of data, and
 * an unpin deletes the data for real instead of leaving it in every saved version.
 * What is stored is already masked by the pipeline's privacy settings (the caller masks).
 */
import { mkdir, readdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { MAX_RECORD_DEPTH, parseBoundedJson, valueDepth } from '@sluice/shared';
import { writeFileAtomic } from '../store/atomic-write.js';

/** Events one source may pin: a sample to read, not a data set. */
export const MAX_PINNED_EVENTS = 100;
/** Bytes of one source's pinned events as JSONL. */
export const MAX_PINNED_BYTES = 256 * 1024;

export class PinnedSampleError extends Error {}

const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

export function pinnedFolder(p: { id: string; baseDir: string }): string {
  return join(p.baseDir, `${p.id}.pinned`);
}

/**
 * Events from what a user gives: a JSON array of objects, or JSONL text (one object a line,
 * blank lines skipped). Every problem names the event or line; the limits are checked here.
 */
export function parsePinnedEvents(input: unknown): Record<string, unknown>[] {
  let list: unknown[];
  if (typeof input === 'string') {
    if (Buffer.byteLength(input) > MAX_PINNED_BYTES)
      throw new PinnedSampleError(`the text is larger than ${MAX_PINNED_BYTES / 1024} KiB, the limit for a pinned sample`);
    const text = input.trim();
    if (text.startsWith('[')) {
      const r = parseBoundedJson(text, MAX_RECORD_DEPTH + 1, 'the pasted JSON');
      if (!r.ok) throw new PinnedSampleError(r.message);
      if (!Array.isArray(r.value)) throw new PinnedSampleError('the pasted JSON is not an array of events');
      list = r.value;
    } else {
      list = [];
      const lines = input.split('\n');
      for (let i = 0; i < lines.length; i++) {
        if (lines[i]!.trim() === '') continue;
        const r = parseBoundedJson(lines[i]!, MAX_RECORD_DEPTH, `line ${i + 1}`);
        if (!r.ok) throw new PinnedSampleError(r.message);
        if (!isObject(r.value)) throw new PinnedSampleError(`line ${i + 1}: an event is a JSON object`);
        list.push(r.value);
        if (list.length > MAX_PINNED_EVENTS)
          throw new PinnedSampleError(`more than ${MAX_PINNED_EVENTS} events; a pinned sample holds at most ${MAX_PINNED_EVENTS}`);
      }
    }
  } else if (Array.isArray(input)) list = input;
  else throw new PinnedSampleError('expected an array of events, or JSON Lines text (one event a line)');
  if (list.length === 0) throw new PinnedSampleError('no events: pin at least one');
  if (list.length > MAX_PINNED_EVENTS)
    throw new PinnedSampleError(`${list.length} events; a pinned sample holds at most ${MAX_PINNED_EVENTS}`);
  list.forEach((e, i) => {
    if (!isObject(e)) throw new PinnedSampleError(`event ${i + 1}: an event is a JSON object`);
    if (valueDepth(e, MAX_RECORD_DEPTH) > MAX_RECORD_DEPTH)
      throw new PinnedSampleError(`event ${i + 1}: nests deeper than ${MAX_RECORD_DEPTH} levels, the limit for a record`);
  });
  return list as Record<string, unknown>[];
}

export const toJsonl = (events: readonly Record<string, unknown>[]): string => events.map((e) => `${JSON.stringify(e)}\n`).join('');

/** Store one source's sample (already masked), replacing what was pinned there. */
export async function writePinned(p: { id: string; baseDir: string }, nodeId: string, events: readonly Record<string, unknown>[]) {
  const text = toJsonl(events);
  if (Buffer.byteLength(text) > MAX_PINNED_BYTES)
    throw new PinnedSampleError(`the events take more than ${MAX_PINNED_BYTES / 1024} KiB, the limit for a pinned sample; pin fewer`);
  await mkdir(pinnedFolder(p), { recursive: true });
  await writeFileAtomic(join(pinnedFolder(p), `${nodeId}.jsonl`), text);
}

/** Every source's pinned events, by node id ({} when nothing is pinned). */
export async function readPinned(p: { id: string; baseDir: string }): Promise<Record<string, Record<string, unknown>[]>> {
  const dir = pinnedFolder(p);
  let names: string[];
  try {
    names = await readdir(dir);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return {};
    throw err;
  }
  const out: Record<string, Record<string, unknown>[]> = {};
  for (const name of names.sort()) {
    if (!name.endsWith('.jsonl') || name.startsWith('.')) continue;
    const text = await readFile(join(dir, name), 'utf8');
    out[name.slice(0, -'.jsonl'.length)] = text
      .split('\n')
      .filter((l) => l.trim() !== '')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
  }
  return out;
}

/** Unpin one source (or every source with no node): the file is deleted. */
export async function deletePinned(p: { id: string; baseDir: string }, nodeId?: string): Promise<void> {
  if (nodeId === undefined) await rm(pinnedFolder(p), { recursive: true, force: true });
  else await rm(join(pinnedFolder(p), `${nodeId}.jsonl`), { force: true });
}
