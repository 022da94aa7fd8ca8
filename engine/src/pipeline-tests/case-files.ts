/**
 * A pipeline's test cases on disk (docs/pipeline-tests.md): the folder `<graph>.tests/` beside
 * the document, one sub-folder per case with `case.json`, `input/<source id>.jsonl` and
 * `expected/<sink id>.jsonl` (or `.json` arrays). Reading is bounded (file size, events per
 * file, cases per pipeline) and every refusal names the file, and the line when there is one.
 */
import { readdir, readFile, stat } from 'node:fs/promises';
import { basename, dirname, extname, join } from 'node:path';
import { MAX_RECORD_DEPTH, parseBoundedJson, parseTime, valueDepth } from '@sluice/shared';
import type { RecordedEvent } from '../recording/recorded-event.js';

/** Largest case file (input, expected or case.json), bytes. */
export const MAX_CASE_FILE_BYTES = 16 * 1024 * 1024;
/** Most events in one input or expected file. */
export const MAX_CASE_EVENTS = 100_000;
/** Most cases one pipeline may have. */
export const MAX_CASES = 500;
/** A case's folder name: also its name in reports and the API. */
export const CASE_NAME = /^[A-Za-z0-9_][A-Za-z0-9._-]{0,63}$/;

/** The keys of an input line that carries its own stamps instead of being a plain event. */
const ENVELOPE_KEYS = new Set(['$event', '$time', '$watermark']);
const CASE_KEYS = new Set(['description', 'params', 'timeField', 'secrets']);

/** A case or tests folder that cannot be read as one: exit 2, a 422 through the API. */
export class InvalidCase extends Error {
  readonly code = 'invalid-case';
  constructor(
    /** The file (or folder) at fault. */
    readonly file: string,
    message: string,
  ) {
    super(`${file}: ${message}`);
    this.name = 'InvalidCase';
  }
}

export interface CaseSpec {
  description?: string;
  /** Param overrides, on top of the document's values (and a deploy's). */
  params?: Record<string, unknown>;
  /** The time field of input events, for sources without a `timeField` of their own: one for all, or per source id. */
  timeField?: string | Record<string, string>;
  /**
   * Stand-in values for the secrets the pipeline names (an hmac key): a case is committed with
   * its pipeline, so these are test values, never real ones. Unlisted secrets come from the
   * environment (SLUICE_SECRET_<name>), as for a run.
   */
  secrets?: Record<string, string>;
}

/** One input line as read: the event, and its stamps when the line carried them. */
export interface InputEvent {
  event: Record<string, unknown>;
  time?: number;
  watermark?: number;
  /** Where it came from, for errors: `input/orders.jsonl:3`. */
  at: string;
}

export interface TestCase {
  name: string;
  dir: string;
  spec: CaseSpec;
  /** Per source id. */
  inputs: Record<string, InputEvent[]>;
  /** Per sink id; a sink without a file expects no events. */
  expected: Record<string, Record<string, unknown>[]>;
  /** The file each expectation came from. */
  expectedFiles: Record<string, string>;
}

/** `flows/pricing.json` -> `flows/pricing.tests`. */
export function testsFolderOf(graphPath: string): string {
  return join(dirname(graphPath), `${basename(graphPath, extname(graphPath))}.tests`);
}

const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

async function entries(dir: string): Promise<import('node:fs').Dirent[] | undefined> {
  try {
    return await readdir(dir, { withFileTypes: true });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
}

/** The case folders of a tests folder, by name ([] when there is none). */
export async function listCases(testsDir: string): Promise<string[]> {
  const found = await entries(testsDir);
  if (!found) return [];
  const names = found.filter((e) => e.isDirectory() && !e.name.startsWith('.')).map((e) => e.name);
  for (const n of names)
    if (!CASE_NAME.test(n))
      throw new InvalidCase(join(testsDir, n), 'a case folder is named with 1 to 64 letters, digits, _ . or -, not starting with . or -');
  if (names.length > MAX_CASES) throw new InvalidCase(testsDir, `${names.length} cases; a pipeline may have at most ${MAX_CASES}`);
  return names.sort();
}

async function readBounded(file: string): Promise<string> {
  const s = await stat(file);
  if (!s.isFile()) throw new InvalidCase(file, 'is not a file');
  if (s.size > MAX_CASE_FILE_BYTES)
    throw new InvalidCase(file, `${s.size} bytes; a case file may have at most ${MAX_CASE_FILE_BYTES} (16 MiB): make the case smaller`);
  return readFile(file, 'utf8');
}

/** The JSON objects of a `.jsonl` (one a line, blank lines skipped) or `.json` (an array) file, with their line. */
export async function readObjects(file: string, extraDepth = 0): Promise<{ value: Record<string, unknown>; line: number }[]> {
  const text = await readBounded(file);
  const out: { value: Record<string, unknown>; line: number }[] = [];
  const push = (value: unknown, line: number, where: string) => {
    if (!isObject(value)) throw new InvalidCase(where, 'an event is a JSON object');
    if (valueDepth(value, MAX_RECORD_DEPTH + extraDepth) > MAX_RECORD_DEPTH + extraDepth)
      throw new InvalidCase(where, `the event nests deeper than ${MAX_RECORD_DEPTH} levels, the limit for a record`);
    if (out.length >= MAX_CASE_EVENTS)
      throw new InvalidCase(file, `more than ${MAX_CASE_EVENTS} events; a case file may have at most that many`);
    out.push({ value, line });
  };
  if (file.endsWith('.json')) {
    const r = parseBoundedJson(text, MAX_RECORD_DEPTH + extraDepth + 1, 'the file');
    if (!r.ok) throw new InvalidCase(file, r.message);
    if (!Array.isArray(r.value)) throw new InvalidCase(file, 'a .json case file is an array of events (or use .jsonl, one event a line)');
    for (const [i, v] of r.value.entries()) push(v, 0, `${file}[${i}]`);
    return out;
  }
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!.trim();
    if (line === '') continue;
    const r = parseBoundedJson(line, MAX_RECORD_DEPTH + extraDepth, `line ${i + 1}`);
    if (!r.ok) throw new InvalidCase(`${file}:${i + 1}`, r.message);
    push(r.value, i + 1, `${file}:${i + 1}`);
  }
  return out;
}

/** The JSON/JSONL files of a folder by node id; two files for one id (`a.json` and `a.jsonl`) are refused. */
async function filesById(dir: string): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  for (const e of (await entries(dir)) ?? []) {
    if (e.name.startsWith('.')) continue;
    const m = /^(.+)\.(jsonl|json)$/.exec(e.name);
    if (!e.isFile() || !m) throw new InvalidCase(join(dir, e.name), 'expected <node id>.jsonl or <node id>.json files only here');
    const prev = out.get(m[1]!);
    if (prev) throw new InvalidCase(join(dir, e.name), `${basename(prev)} names the same node; keep one of them`);
    out.set(m[1]!, join(dir, e.name));
  }
  return out;
}

function readSpec(file: string, raw: unknown): CaseSpec {
  if (!isObject(raw)) throw new InvalidCase(file, 'case.json is a JSON object: { "description"?, "params"?, "timeField"?, "secrets"? }');
  for (const k of Object.keys(raw))
    if (!CASE_KEYS.has(k)) throw new InvalidCase(file, `unknown key "${k}" (case.json has description, params, timeField, secrets)`);
  const spec: CaseSpec = {};
  if (raw.description !== undefined) {
    if (typeof raw.description !== 'string') throw new InvalidCase(file, '"description" is text');
    spec.description = raw.description;
  }
  if (raw.params !== undefined) {
    if (!isObject(raw.params)) throw new InvalidCase(file, '"params" is an object: { "name": value }');
    spec.params = raw.params;
  }
  const tf = raw.timeField;
  if (tf !== undefined) {
    const ok = typeof tf === 'string' || (isObject(tf) && Object.values(tf).every((v) => typeof v === 'string'));
    if (!ok) throw new InvalidCase(file, '"timeField" is a field name, or { "<source id>": "field" }');
    spec.timeField = tf as CaseSpec['timeField'];
  }
  const sec = raw.secrets;
  if (sec !== undefined) {
    const ok = isObject(sec) && Object.entries(sec).every(([k, v]) => /^[A-Z][A-Z0-9_]*$/.test(k) && typeof v === 'string');
    if (!ok) throw new InvalidCase(file, '"secrets" is { "SECRET_NAME": "test value" } (names upper case letters, digits and _)');
    spec.secrets = sec as Record<string, string>;
  }
  return spec;
}

function inputEvent(value: Record<string, unknown>, at: string): InputEvent {
  if (!('$event' in value)) return { event: value, at };
  for (const k of Object.keys(value))
    if (!ENVELOPE_KEYS.has(k)) throw new InvalidCase(at, `unknown key "${k}" beside "$event" (an envelope has $event, $time, $watermark)`);
  if (!isObject(value.$event)) throw new InvalidCase(at, '"$event" is the event, a JSON object');
  const out: InputEvent = { event: value.$event, at };
  if (value.$time !== undefined) {
    const t = parseTime(value.$time);
    if (t === undefined) throw new InvalidCase(at, `"$time": ${JSON.stringify(value.$time)} is not a time (epoch ms or ISO 8601)`);
    out.time = t;
  }
  if (value.$watermark !== undefined) {
    const w = parseTime(value.$watermark);
    if (w === undefined)
      throw new InvalidCase(at, `"$watermark": ${JSON.stringify(value.$watermark)} is not a time (epoch ms or ISO 8601)`);
    out.watermark = w;
  }
  return out;
}

/** Read one case folder. Node ids are checked against the document later (runCase). */
export async function readCase(dir: string): Promise<TestCase> {
  const name = basename(dir);
  const specFile = join(dir, 'case.json');
  let spec: CaseSpec = {};
  const specText = await readBounded(specFile).catch((err: NodeJS.ErrnoException) => {
    if (err.code === 'ENOENT') return undefined;
    throw err;
  });
  if (specText !== undefined) {
    const r = parseBoundedJson(specText, 16, 'case.json');
    if (!r.ok) throw new InvalidCase(specFile, r.message);
    spec = readSpec(specFile, r.value);
  }
  const inputDir = join(dir, 'input');
  const inputs: TestCase['inputs'] = {};
  const inputFiles = await filesById(inputDir);
  if (inputFiles.size === 0) throw new InvalidCase(inputDir, 'no input: put the events of a source in input/<source id>.jsonl');
  for (const [id, file] of inputFiles) {
    const rel = `input/${basename(file)}`;
    inputs[id] = (await readObjects(file, 1)).map(({ value, line }) => inputEvent(value, `${join(dir, rel)}${line ? `:${line}` : ''}`));
  }
  const expected: TestCase['expected'] = {};
  const expectedFiles: TestCase['expectedFiles'] = {};
  for (const [id, file] of await filesById(join(dir, 'expected'))) {
    expected[id] = (await readObjects(file)).map((o) => o.value);
    expectedFiles[id] = file;
  }
  return { name, dir, spec, inputs, expected, expectedFiles };
}

/** The source's events with their stamps, timed by the envelope, else the source's (or the case's) time field. */
export function recordedInputs(c: TestCase, sourceTimeField: (sourceId: string) => string | undefined): Record<string, RecordedEvent[]> {
  const out: Record<string, RecordedEvent[]> = {};
  for (const [id, events] of Object.entries(c.inputs)) {
    const caseField = typeof c.spec.timeField === 'string' ? c.spec.timeField : c.spec.timeField?.[id];
    const field = sourceTimeField(id) ?? caseField;
    out[id] = events.map((ie) => {
      const r: RecordedEvent = { e: ie.event };
      let t = ie.time;
      if (t === undefined && field !== undefined) {
        t = parseTime(ie.event[field]);
        if (t === undefined)
          throw new InvalidCase(ie.at, `${field}: ${JSON.stringify(ie.event[field]) ?? 'missing'} is not a time (epoch ms or ISO 8601)`);
      }
      if (t !== undefined) r.t = t;
      if (ie.watermark !== undefined) r.w = ie.watermark;
      return r;
    });
  }
  return out;
}
