/**
 * The embedded engine's recording survives a restart (issue 13, defect 11): written to the data
 * folder, read back at start, with the pipeline's maxEvents and TTL kept (docs/privacy.md).
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { FileRecordingStore } from './file-recording-store.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});
const tempDir = () => {
  const d = mkdtempSync(join(tmpdir(), 'sluice-rec-'));
  dirs.push(d);
  return d;
};
const ev = (sku: string, t: number, a?: number) => ({ e: { sku }, t, ...(a !== undefined ? { a } : {}) });

describe('FileRecordingStore', () => {
  it('keeps the newest maxEvents of each source across a close and a reopen', async () => {
    const dir = tempDir();
    const first = await FileRecordingStore.open(dir, { flushMs: 60_000 });
    first.append('shop', 'orders', [ev('A', 1), ev('B', 2), ev('C', 3)], { maxEvents: 2 });
    first.append('shop', 'returns', [ev('R', 5)], { maxEvents: 2 });
    await first.close();
    expect(JSON.parse(readFileSync(join(dir, 'shop.json'), 'utf8')).limits).toEqual({ maxEvents: 2 });

    const second = await FileRecordingStore.open(dir, { flushMs: 60_000 });
    expect(await second.read('shop')).toEqual({ orders: [ev('B', 2), ev('C', 3)], returns: [ev('R', 5)] });
    // The limit came back with it: a new event pushes the oldest out.
    second.append('shop', 'orders', [ev('D', 4)], { maxEvents: 2 });
    expect((await second.read('shop')).orders).toEqual([ev('C', 3), ev('D', 4)]);
    await second.clear('shop');
    expect(existsSync(join(dir, 'shop.json'))).toBe(false);
    await second.close();
    const third = await FileRecordingStore.open(dir);
    expect(await third.stats('shop')).toEqual({ events: 0, sources: {}, capacity: 10_000 });
    await third.close();
  });

  it('a restart does not bring back what the TTL deleted, and an emptied recording loses its file', async () => {
    const dir = tempDir();
    let now = 100_000;
    const first = await FileRecordingStore.open(dir, { flushMs: 60_000, now: () => now });
    // Recorded at 90 s and 99 s with a 5 s TTL: at 100 s the first is past it.
    first.append('shop', 'orders', [ev('old', 1, 90_000), ev('new', 2, 99_000)], { ttlMs: 5000 });
    await first.close();
    const second = await FileRecordingStore.open(dir, { flushMs: 60_000, now: () => now });
    expect(await second.read('shop')).toEqual({ orders: [ev('new', 2, 99_000)] });
    now = 103_500;
    await second.flush();
    expect(JSON.parse(readFileSync(join(dir, 'shop.json'), 'utf8')).sources.orders).toEqual([ev('new', 2, 99_000)]);
    // 99 s + 5 s: its TTL is up.
    now = 104_000;
    second.sweepNow();
    await second.flush();
    expect(existsSync(join(dir, 'shop.json'))).toBe(false);
    await second.close();
  });
});
