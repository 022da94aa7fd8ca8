import { tempFolders } from '../../sdk/testing/temp-folders.js';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { EVENT_TIME, type Event, INGEST_TIME, SOURCE_WATERMARK } from '@sluice/shared';
import { afterEach, describe, expect, it } from 'vitest';
import type { SourceBatch, SourceOperator } from '../../sdk/operator.js';
import { testContext } from '../../sdk/testing/index.js';
import { parseCsv, typeCsvValue } from '../../sdk/csv.js';
import { sourceFileDefinition } from './definition.js';
import { sourceFileOperator } from './operator.js';

const sourceFileDir = tempFolders('sluice-source-file-');

function dirWith(files: Record<string, string>): string {
  const dir = sourceFileDir();
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  return dir;
}

/** Every source a test opens, closed after it: an open FileHandle left to the GC makes Node warn. */
const opened: SourceOperator[] = [];
afterEach(async () => {
  for (const s of opened.splice(0)) await s.close?.();
});

async function source(dir: string, config: Record<string, unknown>, now: () => number = () => 1_000): Promise<SourceOperator> {
  const parsed = sourceFileDefinition.config.parse(config);
  const s = await sourceFileOperator(testContext({ config: parsed, baseDir: dir, now }));
  opened.push(s);
  return s;
}

async function drain(
  src: SourceOperator,
  max = 1000,
): Promise<{ events: Event[]; errors: NonNullable<SourceBatch['errors']>; batches: SourceBatch[] }> {
  const events: Event[] = [];
  const errors: NonNullable<SourceBatch['errors']> = [];
  const batches: SourceBatch[] = [];
  for (let i = 0; i < 10_000; i++) {
    const b = await src.poll(max);
    batches.push(b);
    events.push(...b.events);
    errors.push(...(b.errors ?? []));
    if (b.done) return { events, errors, batches };
  }
  throw new Error('source never ended');
}

const plain = (events: readonly Event[]) => events.map((e) => JSON.parse(JSON.stringify(e)));

describe('source.file: CSV', () => {
  it('types values: numbers, booleans, empty -> null, quoted commas, escaped quotes, newlines in quotes', async () => {
    const csv = [
      'id,name,price,active,note,zip',
      '1,"Smith, John",9.5,true,,007',
      '2,"say ""hi""",-3,FALSE,"line one',
      'line two",10001',
      '3,plain,1e3,yes,"",12345678901234567890',
    ].join('\r\n');
    const dir = dirWith({ 'people.csv': csv });
    const { events, errors } = await drain(await source(dir, { path: 'people.csv' }));
    expect(errors).toEqual([]);
    expect(plain(events)).toEqual([
      { id: 1, name: 'Smith, John', price: 9.5, active: true, note: null, zip: '007' },
      { id: 2, name: 'say "hi"', price: -3, active: false, note: 'line one\nline two', zip: 10001 },
      { id: 3, name: 'plain', price: 1000, active: 'yes', note: null, zip: '12345678901234567890' },
    ]);
  });

  it('types single values by the documented rules', () => {
    expect([typeCsvValue('0'), typeCsvValue('-0.25'), typeCsvValue('.5'), typeCsvValue('+4')]).toEqual([0, -0.25, 0.5, 4]);
    expect([typeCsvValue('007'), typeCsvValue('0x1F'), typeCsvValue('1,000'), typeCsvValue('NaN'), typeCsvValue(' 5')]).toEqual([
      '007',
      '0x1F',
      '1,000',
      'NaN',
      ' 5',
    ]);
    expect([typeCsvValue('true'), typeCsvValue('TRUE'), typeCsvValue('False'), typeCsvValue('')]).toEqual([true, true, false, null]);
  });

  it('fills missing trailing fields with null, reports extra fields and unterminated quotes with line numbers', async () => {
    const dir = dirWith({ 'x.csv': 'a,b\n1\n1,2,3\n\n4,5\n"open,6\n' });
    const { events, errors } = await drain(await source(dir, { path: 'x.csv' }));
    expect(plain(events)).toEqual([
      { a: 1, b: null },
      { a: 4, b: 5 },
    ]);
    expect(errors.map((e) => e.error)).toEqual(['line 3: 3 fields but the header names 2', 'line 6: unterminated quoted field']);
    expect(errors[0]!.event).toMatchObject({ _line: 3, _raw: '1,2,3' });
  });

  it('reads tab-separated files by extension, and an explicit format over the extension', async () => {
    const dir = dirWith({ 't.tsv': 'a\tb\n1\tx y\n', 'data.txt': 'k,v\nz,2\n' });
    expect(plain((await drain(await source(dir, { path: 't.tsv' }))).events)).toEqual([{ a: 1, b: 'x y' }]);
    expect(plain((await drain(await source(dir, { path: 'data.txt', format: 'csv' }))).events)).toEqual([{ k: 'z', v: 2 }]);
  });

  it('parseCsv (for tables) follows the same rules', () => {
    expect(parseCsv('\uFEFFk,v\n"a,b",1\n')).toEqual([{ k: 'a,b', v: 1 }]);
    expect(() => parseCsv('k\n"x\n')).toThrow('line 2: unterminated quoted field');
  });
});

describe('source.file: JSON lines', () => {
  it('sends a malformed line, a non-object and a missing or bad time to errors with line numbers, and keeps reading', async () => {
    const text = [
      '{"ts":1000,"a":1}',
      '{"ts":2000,"a":',
      '',
      '[1,2]',
      '{"a":3}',
      '{"ts":"soon","a":4}',
      '{"ts":"1970-01-01T00:00:05Z","a":5}',
    ].join('\n');
    const dir = dirWith({ 'e.jsonl': text });
    const { events, errors } = await drain(await source(dir, { path: 'e.jsonl', timeField: 'ts' }));
    expect(plain(events)).toEqual([
      { ts: 1000, a: 1 },
      { ts: '1970-01-01T00:00:05Z', a: 5 },
    ]);
    expect(events.map((e) => e[EVENT_TIME])).toEqual([1000, 5000]);
    expect(errors.map((e) => e.error.replace(/JSON: .*/, 'JSON: ...'))).toEqual([
      'line 2: malformed JSON: ...',
      'line 4: not a JSON object',
      'line 5: timeField "ts" is missing',
      'line 6: timeField "ts" is not a time (epoch ms or ISO-8601): "soon"',
    ]);
    expect(plain([errors[0]!.event])[0]).toEqual({ _line: 2, _raw: '{"ts":2000,"a":' });
    expect(plain([errors[2]!.event])[0]).toEqual({ a: 3, _line: 5 });
  });

  it('stamps event time, ingest time, and the watermark only on events that arrived behind it', async () => {
    const rows = [1000, 9000, 5000, 3000, 12000, 4000].map((ts, i) => JSON.stringify({ ts, i }));
    const dir = dirWith({ 'e.jsonl': `${rows.join('\n')}\n` });
    const src = await source(dir, { path: 'e.jsonl', timeField: 'ts', maxOutOfOrderness: '5s' }, () => 77);
    const b1 = await src.poll(3);
    // max 9000 after the 2nd event -> watermark 4000; 5000 is not behind it.
    expect(b1.watermark).toBe(4000);
    expect(b1.events.map((e) => e[SOURCE_WATERMARK])).toEqual([undefined, undefined, undefined]);
    const b2 = await src.poll(3);
    // 3000 < 4000: stamped 4000. 12000 -> watermark 7000; 4000 < 7000: stamped 7000.
    expect(b2.events.map((e) => e[SOURCE_WATERMARK])).toEqual([4000, undefined, 7000]);
    expect(b2.events.map((e) => e[EVENT_TIME])).toEqual([3000, 12000, 4000]);
    expect(b2.events.every((e) => e[INGEST_TIME] === 77)).toBe(true);
    expect(b2.watermark).toBe(7000);
    const b3 = await src.poll(3);
    expect(b3).toMatchObject({ events: [], done: true, watermark: 7000 });
  });

  it('uses the read time as event time without a timeField', async () => {
    const dir = dirWith({ 'e.jsonl': '{"a":1}\n{"a":2}\n' });
    const { events, batches } = await drain(await source(dir, { path: 'e.jsonl' }, () => 5_000));
    expect(events.map((e) => e[EVENT_TIME])).toEqual([5000, 5000]);
    expect(batches.at(-1)!.watermark).toBe(5000);
  });

  it('resolves relative paths against the document folder and fails clearly on a missing file', async () => {
    const dir = dirWith({ 'e.jsonl': '{"a":1}' });
    expect(plain((await drain(await source(dir, { path: join(dir, 'e.jsonl') }))).events)).toEqual([{ a: 1 }]);
    await expect(source(dir, { path: 'missing.jsonl' })).rejects.toThrow(/cannot read missing\.jsonl/);
  });

  it('streams a file larger than its read chunk, with multi-byte characters across chunk edges', async () => {
    const lines: string[] = [];
    for (let i = 0; i < 30_000; i++) lines.push(JSON.stringify({ i, s: 'é漢字🙂'.repeat(i % 7) }));
    const dir = dirWith({ 'big.jsonl': lines.join('\n') });
    const { events, errors } = await drain(await source(dir, { path: 'big.jsonl' }), 999);
    expect(errors).toEqual([]);
    expect(events).toHaveLength(30_000);
    expect(plain(events.slice(29_999))[0]).toEqual({ i: 29_999, s: 'é漢字🙂'.repeat(29_999 % 7) });
  });
});

describe('source.file: rate and checkpoints', () => {
  it('emits no more than the rate allows since the first poll (token bucket, injected clock)', async () => {
    const rows = Array.from({ length: 500 }, (_, i) => JSON.stringify({ i }));
    const dir = dirWith({ 'e.jsonl': rows.join('\n') });
    let t = 0;
    const src = await source(dir, { path: 'e.jsonl', rate: 100 }, () => t);
    const counts: number[] = [];
    const poll = async (at: number, max = 1000) => {
      t = at;
      counts.push((await src.poll(max)).events.length);
    };
    await poll(0); // starts the bucket empty: 0
    await poll(100); // 100 ms at 100/s: 10
    await poll(100); // nothing new: 0
    await poll(355); // 255 ms more: 25 (the half token waits)
    await poll(360, 3); // 0.5 + 0.5 token, max 3: 1
    await poll(10_000); // a long pause: capped at one second of credit, 100
    expect(counts).toEqual([0, 10, 0, 25, 1, 100]);
  });

  it('resumes from position() exactly: offset, line numbers, CSV header and watermark', async () => {
    const csv = 'ts,v\n1000,a\n"3000",b\n2000,"multi\nline"\n500,d\nbad,e\n';
    const dir = dirWith({ 'e.csv': csv });
    const first = await source(dir, { path: 'e.csv', timeField: 'ts', maxOutOfOrderness: 0 });
    const b = await first.poll(2);
    expect(plain(b.events)).toEqual([
      { ts: 1000, v: 'a' },
      { ts: 3000, v: 'b' },
    ]);
    const pos = JSON.parse(JSON.stringify(first.position!()));
    expect(pos).toEqual({ offset: 21, line: 3, maxTime: 3000, header: ['ts', 'v'] });
    const second = await source(dir, { path: 'e.csv', timeField: 'ts' });
    second.seek!(pos);
    const rest = await drain(second);
    expect(plain(rest.events)).toEqual([
      { ts: 2000, v: 'multi\nline' },
      { ts: 500, v: 'd' },
    ]);
    expect(rest.events.map((e) => e[SOURCE_WATERMARK])).toEqual([3000, 3000]);
    expect(rest.errors.map((e) => e.error)).toEqual(['line 7: timeField "ts" is not a time (epoch ms or ISO-8601): "bad"']);
    await first.close!();
    await second.close!();
  });

  it('declares a bounded source with out and error ports; a declared schema closes the output schema', () => {
    const c = sourceFileDefinition.config.parse({ path: 'x.jsonl', schema: { a: 'number' } });
    expect(sourceFileDefinition.bounded!(c)).toBe(true);
    expect(sourceFileDefinition.outputs(c).map((p) => p.name)).toEqual(['out', 'error']);
    expect(sourceFileDefinition.inferSchema!(c, { inputs: {} }).out).toEqual({ fields: { a: 'number' }, open: false });
    expect(sourceFileDefinition.config.safeParse(sourceFileDefinition.example).success).toBe(true);
  });
});
