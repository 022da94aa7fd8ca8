/**
 * Writing cases: `--update` rewrites a case's expectations with what the pipeline sent, and the
 * API writes a new case from a recording. Files are JSONL, one event a line, written atomically;
 * a sink that sent nothing gets no file (a missing file expects no events).
 */
import { mkdir, readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { RecordedEvent } from '../recording/recorded-event.js';
import { writeFileAtomic } from '../store/atomic-write.js';
import type { CaseSpec } from './case-files.js';
import { parseTime } from '@sluice/shared';

const jsonl = (events: readonly unknown[]) => events.map((e) => `${JSON.stringify(e)}\n`).join('');

/** Replace `dir`'s JSON/JSONL files with one `<id>.jsonl` per non-empty list. */
async function writeFolder(dir: string, byId: Record<string, readonly unknown[]>): Promise<void> {
  await mkdir(dir, { recursive: true });
  for (const f of await readdir(dir)) {
    const m = /^(.+)\.(jsonl|json)$/.exec(f);
    if (m && (f.endsWith('.json') || !(byId[m[1]!]?.length ?? 0))) await rm(join(dir, f), { force: true });
  }
  for (const [id, events] of Object.entries(byId)) if (events.length > 0) await writeFileAtomic(join(dir, `${id}.jsonl`), jsonl(events));
}

/** `--update`: the case's expected/ folder becomes what the pipeline sent. */
export function writeExpected(caseDir: string, outputs: Record<string, readonly Record<string, unknown>[]>): Promise<void> {
  return writeFolder(join(caseDir, 'expected'), outputs);
}

/**
 * An input line for a recorded event: the plain event when its time field already gives its
 * recorded time and it carried no late stamp (so hand edits stay easy), else the envelope.
 */
export function inputLine(r: RecordedEvent, timeField: string | undefined): Record<string, unknown> {
  const derived = timeField !== undefined ? parseTime(r.e[timeField]) : undefined;
  if (r.w === undefined && r.t === derived && !('$event' in r.e)) return r.e;
  return { $event: r.e, ...(r.t !== undefined ? { $time: r.t } : {}), ...(r.w !== undefined ? { $watermark: r.w } : {}) };
}

export interface NewCase {
  dir: string;
  spec: CaseSpec;
  inputs: Record<string, readonly Record<string, unknown>[]>;
  expected: Record<string, readonly Record<string, unknown>[]>;
}

export async function writeNewCase(c: NewCase): Promise<void> {
  await mkdir(c.dir, { recursive: true });
  await writeFileAtomic(join(c.dir, 'case.json'), `${JSON.stringify(c.spec, null, 2)}\n`);
  await writeFolder(join(c.dir, 'input'), c.inputs);
  await writeFolder(join(c.dir, 'expected'), c.expected);
}
