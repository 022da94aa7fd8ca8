/**
 * The window operator alone, on one core: 1 M pre-built events over 100 keys (100 s of event
 * time, slight disorder), batches of 1000 each followed by a watermark, for several configs.
 * Usage: node --max-semi-space-size=64 --import tsx bench/window-operator.ts [name filter]
 */
import { EVENT_TIME, type Event, INGEST_TIME } from '@sluice/shared';
import { nodeDefinitions } from '@sluice/nodes/definitions';
import { operatorEntry } from '@sluice/nodes/operators';
import { type Collector, MemoryStateRegistry, type Operator } from '@sluice/nodes/sdk';

const N = 1_000_000;
const KEYS = 100;
const REPS = 7;

function events(): Event[] {
  const keys = Array.from({ length: KEYS }, (_, i) => `campaign-${i.toString(16).padStart(8, '0')}-aaaa-bbbb`);
  const t0 = 1_767_225_600_000;
  return Array.from({ length: N }, (_, i) => {
    const t = t0 + Math.floor(i / 10) - (i % 7 === 0 ? 3 : 0);
    return {
      campaign_id: keys[(i * 7919) % KEYS],
      ad_id: `ad${i % 1000}`,
      price: (i % 97) * 0.5,
      user: { country: i % 3 ? 'FR' : 'DE' },
      [EVENT_TIME]: t,
      [INGEST_TIME]: 1,
    } as Event;
  });
}

const count = [{ as: 'n', op: 'count' }];
const CONFIGS: Record<string, unknown> = {
  'tumbling 10s count': { type: 'tumbling', size: '10s', keyBy: ['campaign_id'], aggregates: count },
  'tumbling 10s count, sum, avg, min, max': {
    type: 'tumbling',
    size: '10s',
    keyBy: ['campaign_id'],
    aggregates: [
      ...count,
      { as: 's', op: 'sum', field: 'price' },
      { as: 'a', op: 'avg', field: 'price' },
      { as: 'lo', op: 'min', field: 'price' },
      { as: 'hi', op: 'max', field: 'price' },
    ],
  },
  'tumbling 10s count_distinct, first, last': {
    type: 'tumbling',
    size: '10s',
    keyBy: ['campaign_id'],
    aggregates: [
      { as: 'd', op: 'count_distinct', field: 'ad_id' },
      { as: 'f', op: 'first', field: 'price' },
      { as: 'l', op: 'last', field: 'price' },
    ],
  },
  'tumbling 10s count, keyBy campaign_id + user.country': {
    type: 'tumbling',
    size: '10s',
    keyBy: ['campaign_id', 'user.country'],
    aggregates: count,
  },
  'sliding 10s/5s count, sum': {
    type: 'sliding',
    size: '10s',
    slide: '5s',
    keyBy: ['campaign_id'],
    aggregates: [...count, { as: 's', op: 'sum', field: 'price' }],
  },
  'session 1s gap count': { type: 'session', gap: '1s', keyBy: ['campaign_id'], aggregates: count },
  'session 5ms gap count (a session per event)': { type: 'session', gap: '5ms', keyBy: ['campaign_id'], aggregates: count },
};

const all = events();
const filter = process.argv[2];
for (const [name, raw] of Object.entries(CONFIGS)) {
  if (filter && !name.includes(filter)) continue;
  const config = nodeDefinitions.get('window')!.config.parse(raw);
  const seconds: number[] = [];
  let windows = 0;
  for (let rep = 0; rep < REPS; rep++) {
    const ctx = {
      nodeId: 'w',
      config,
      params: {},
      resolvePath: (p: string) => p,
      isConnected: () => true,
      state: new MemoryStateRegistry(),
      now: Date.now,
    };
    const op = (await operatorEntry('window')!.create(ctx as never)) as Operator;
    let emitted = 0;
    const col: Collector = { emit: () => void emitted++, emitTo: () => {}, error: () => {}, late: () => {}, drop: () => {} };
    const start = performance.now();
    let maxT = Number.NEGATIVE_INFINITY;
    for (let i = 0; i < N; i += 1000) {
      const batch = all.slice(i, i + 1000);
      op.process(batch, col, 'in');
      for (const e of batch) if (e[EVENT_TIME]! > maxT) maxT = e[EVENT_TIME]!;
      op.onWatermark!(maxT - 10, col);
    }
    op.onWatermark!(Number.POSITIVE_INFINITY, col);
    seconds.push((performance.now() - start) / 1000);
    windows = emitted;
  }
  seconds.sort((a, b) => a - b);
  const rate = (s: number) => `${(N / s / 1e6).toFixed(2)} M ev/s`;
  console.log(`${name}: best ${rate(seconds[0]!)}, median ${rate(seconds[REPS >> 1]!)} (${REPS} runs), ${windows} windows`);
}
