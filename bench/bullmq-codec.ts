/**
 * The BullMQ batch codec on YSB's window edge, in one process: encode (exchange side) and decode
 * (task side) of the enriched view events, projected to `campaign_id` as the exchange ships them.
 * CPU per event and bytes per event, which a loaded machine changes far less than a run's rate.
 *
 *   node --import tsx bench/bullmq-codec.ts [path to another batch-codec.ts, to compare]
 */
import { EVENT_TIME, type Event, INGEST_TIME } from '@sluice/shared';
import { readFileSync } from 'node:fs';
import { decodeEvents, encodeEvents } from '../engine/src/runners/bullmq/batch-codec.js';
import { generateEvents } from './bench-util.js';

type Codec = { encodeEvents: typeof encodeEvents; decodeEvents: typeof decodeEvents };

const campaigns = new Map<string, string>(
  readFileSync(new URL('../examples/ysb/campaigns.jsonl', import.meta.url), 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as { ad_id: string; campaign_id: string })
    .map((r) => [r.ad_id, r.campaign_id]),
);
const all = await generateEvents('ad-events', 100_000);
// What the source stage hands the exchange: views, enriched by a copy (as `enrich` does).
const views = all
  .filter((e) => e.event_type === 'view')
  .map((e) => {
    const out = Object.assign({}, e, { campaign_id: campaigns.get(e.ad_id as string) }) as Record<string | symbol, unknown>;
    out[EVENT_TIME] = e[EVENT_TIME];
    out[INGEST_TIME] = 1_800_000_000_000;
    return out as Event;
  });
const batch = 3_300; // a third of a 10,000-event poll
const batches: Event[][] = [];
for (let i = 0; i + batch <= views.length; i += batch) batches.push(views.slice(i, i + batch));

function measure(name: string, codec: Codec): void {
  const fields = ['campaign_id'];
  let bytes = 0;
  const jobs = batches.map((b) => codec.encodeEvents(b, fields));
  for (const j of jobs) bytes += j.p?.length ?? 0;
  const rounds = 30;
  const t0 = process.cpuUsage();
  for (let r = 0; r < rounds; r++) for (const b of batches) codec.encodeEvents(b, fields);
  const enc = process.cpuUsage(t0);
  const t1 = process.cpuUsage();
  for (let r = 0; r < rounds; r++) for (const j of jobs) codec.decodeEvents(j);
  const dec = process.cpuUsage(t1);
  const n = rounds * batches.length * batch;
  const ns = (u: NodeJS.CpuUsage) => Math.round(((u.user + u.system) * 1000) / n);
  process.stdout.write(
    `${name}: encode ${ns(enc)} ns/event, decode ${ns(dec)} ns/event, ${(bytes / (batches.length * batch)).toFixed(1)} bytes/event in the job (base64)\n`,
  );
}

const other = process.argv[2] ? ((await import(process.argv[2])) as Codec) : undefined;
for (let round = 0; round < 3; round++) {
  measure('this tree', { encodeEvents, decodeEvents });
  if (other) measure(process.argv[2]!, other);
}
