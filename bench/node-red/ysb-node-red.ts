/**
 * YSB in a real Node-RED, embedded as its docs describe (RED.init(server, settings), RED.start(),
 * flows loaded with RED.runtime.flows.setFlows). Run in its own process by node-red-bench.ts (one
 * Node-RED runtime per process; its heap apart from Sluice's):
 *
 *   node --max-semi-space-size=64 --import tsx bench/node-red/ysb-node-red.ts \
 *     --events N --delivery async|sync --filter function|switch --enrich function|change --batch B \
 *     --rounds R --warm-up-events W --out windows.jsonl
 *
 * One warm-up pass over the first W events, then R measured passes over the N events, in this
 * process (the flow's end message resets the window state between passes), as `pnpm bench` warms
 * and measures Sluice. Prints one JSON line with the result on stdout; --out gets the windows of
 * the last pass. The events are the generator's (scenario
 * ad-events, seed 42), built up front as bench/ysb-embedded.ts builds them for Sluice.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { generateEvents } from '../bench-util.js';
import {
  ENRICH_ID,
  type EnrichKind,
  FILTER_ID,
  type FilterKind,
  loadCampaigns,
  type NodeRedRunResult,
  SINK_CALLBACK,
  ysbFlow,
} from './ysb-flow.js';

/** The part of Node-RED's embedding API used here (node-red ships no types). */
interface NodeRedNode {
  receive(msg: object): void;
  context(): { flow: { set(key: string, value: unknown): void } };
}
interface NodeRed {
  init(server: ReturnType<typeof createServer>, settings: Record<string, unknown>): void;
  start(): Promise<void>;
  stop(): Promise<void>;
  version(): string;
  runtime: { flows: { setFlows(opts: { flows: { flows: object[] }; deploymentType: string }): Promise<unknown> } };
  nodes: { getNode(id: string): NodeRedNode | null };
  events: { on(event: string, fn: () => void): void };
}

interface WindowMsg {
  topic?: string;
  payload: { campaign_id: string; window_start: number; window_end: number; views: number };
}

const { values } = parseArgs({
  options: {
    events: { type: 'string' },
    delivery: { type: 'string' },
    enrich: { type: 'string' },
    filter: { type: 'string' },
    batch: { type: 'string' },
    rounds: { type: 'string' },
    'warm-up-events': { type: 'string' },
    out: { type: 'string' },
  },
});
const N = Number(values.events ?? 3_000_000);
const delivery = values.delivery === 'sync' ? 'sync' : 'async';
const enrich: EnrichKind = values.enrich === 'change' ? 'change' : 'function';
const filterKind: FilterKind = values.filter === 'switch' ? 'switch' : 'function';
const batch = Number(values.batch ?? 1000);
const ROUNDS = Number(values.rounds ?? 3);
const WARM_UP = Math.min(N, Number(values['warm-up-events'] ?? 200_000));

const events = await generateEvents('ad-events', N);
const campaigns = loadCampaigns();

const userDir = mkdtempSync(join(tmpdir(), 'sluice-node-red-'));
const RED = createRequire(new URL('./package.json', import.meta.url))('node-red') as NodeRed;
const windows: string[] = [];
let finished: () => void = () => undefined;
RED.init(createServer(), {
  userDir,
  httpAdminRoot: false, // no editor, no admin API: just the runtime
  httpNodeRoot: false,
  credentialSecret: false,
  // async (Node-RED's default): each hop is delivered on a later setImmediate; sync: the
  // runtimeSyncDelivery setting, each hop called directly.
  runtimeSyncDelivery: delivery === 'sync',
  logging: { console: { level: 'warn', metrics: false, audit: false } },
  functionGlobalContext: {
    [SINK_CALLBACK]: (msg: WindowMsg) => {
      if (msg.topic === 'end') finished();
      else windows.push(JSON.stringify(msg.payload));
    },
  },
});
// RED.start() starts the (empty) stored flows and emits flows:started after it resolves: wait for
// the start in which the YSB nodes exist.
const started = new Promise<void>((resolve) =>
  RED.events.on('flows:started', () => {
    if (RED.nodes.getNode(FILTER_ID)) resolve();
  }),
);
await RED.start();
await RED.runtime.flows.setFlows({ flows: { flows: ysbFlow(filterKind, enrich) }, deploymentType: 'full' });
await started;

const filter = RED.nodes.getNode(FILTER_ID);
const enrichNode = RED.nodes.getNode(ENRICH_ID);
if (!filter || !enrichNode) throw new Error(`Node-RED did not start the YSB flow (nodes ${FILTER_ID}, ${ENRICH_ID} missing)`);
enrichNode.context().flow.set('campaigns', Object.fromEntries(campaigns));

// Inject: each event as a fresh msg straight into the filter node (no inject/source hop), in
// batches; between batches yield with setImmediate so Node-RED's queued deliveries run and the
// number of messages in flight stays bounded by the batch size times the hops.
const yieldToNodeRed = () => new Promise<void>((resolve) => setImmediate(resolve));
async function pass(into: NodeRedNode, count: number): Promise<number> {
  windows.length = 0;
  const allWindows = new Promise<void>((resolve) => {
    finished = resolve;
  });
  const start = performance.now();
  for (let i = 0; i < count; i += batch) {
    const end = Math.min(i + batch, count);
    for (let j = i; j < end; j++) into.receive({ payload: events[j] });
    await yieldToNodeRed();
  }
  into.receive({ topic: 'end', payload: { event_type: 'end' } });
  await allWindows;
  return count / ((performance.now() - start) / 1000);
}

await pass(filter, WARM_UP);
const rounds: number[] = [];
for (let r = 0; r < ROUNDS; r++) rounds.push(await pass(filter, N));
const sorted = [...rounds].sort((x, y) => x - y);

const result: NodeRedRunResult = {
  nodeRed: RED.version(),
  delivery,
  filter: filterKind,
  enrich,
  batch,
  events: N,
  warmUpEvents: WARM_UP,
  rounds,
  eventsPerSecond: sorted[Math.floor(sorted.length / 2)]!,
  windows: windows.length,
  peakRssMb: Math.round(process.resourceUsage().maxRSS / 1024),
};
if (values.out) writeFileSync(values.out, windows.length ? `${windows.join('\n')}\n` : '');
await RED.stop();
rmSync(userDir, { recursive: true, force: true });
process.stdout.write(`${JSON.stringify(result)}\n`);
process.exit(0);
