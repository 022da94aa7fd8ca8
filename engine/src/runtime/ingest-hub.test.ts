import { describe, expect, it } from 'vitest';
import { MemoryIngestHub } from './ingest-hub.js';

describe('MemoryIngestHub', () => {
  it('offers to the inbox a node opened; unknown pipelines or nodes say so', async () => {
    const hub = new MemoryIngestHub();
    expect(await hub.offer('p', 'n', [1])).toBe('unknown');
    const inbox = hub.open('p', 'n', 3);
    expect(await hub.offer('p', 'n', [1, 2])).toBe('accepted');
    expect(await hub.offer('p', 'other', [1])).toBe('unknown');
    expect(await hub.offer('p', 'n', [3, 4])).toBe('full');
    expect(hub.waiting('p', 'n')).toBe(2);
    expect(inbox.take(10)).toEqual([1, 2]);
    hub.close('p');
    expect(await hub.offer('p', 'n', [1])).toBe('unknown');
  });

  it('a redeploy (a node opening its inbox again) carries over what was accepted and not yet read', async () => {
    const hub = new MemoryIngestHub();
    const first = hub.open('p', 'n', 10);
    await hub.offer('p', 'n', ['a', 'b', 'c']);
    expect(first.take(1)).toEqual(['a']);
    const second = hub.open('p', 'n', 10);
    await hub.offer('p', 'n', ['d']);
    expect(second.take(10)).toEqual(['b', 'c', 'd']);
    expect(first.size).toBe(0);
  });

  it('keeps pipelines apart, also when one id is a prefix of another', async () => {
    const hub = new MemoryIngestHub();
    hub.open('p', 'n', 5);
    hub.open('p-2', 'n', 5);
    hub.close('p');
    expect(await hub.offer('p-2', 'n', [1])).toBe('accepted');
  });
});
