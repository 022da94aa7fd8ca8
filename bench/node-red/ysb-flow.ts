/**
 * The YSB graph as a Node-RED flow: function or switch (views) -> enrich (ad_id -> campaign_id from a table in
 * flow context) -> function (10 s tumbling count per campaign by event time, watermark = largest
 * event time seen, as Sluice's generator with maxOutOfOrderness 0) -> function (hands the windows
 * to the driver). An `end` message follows the events through the same wires: it stands for the
 * end of input (watermark +Infinity), so the window node emits every open window, then passes it on.
 */
import { readFileSync } from 'node:fs';

export const FLOW_ID = 'ysb_flow';
export const FILTER_ID = 'ysb_views';
export const ENRICH_ID = 'ysb_campaign';
export const WINDOW_ID = 'ysb_per_campaign';
export const SINK_ID = 'ysb_counts';
/** The functionGlobalContext key of the driver's callback, called by the sink node per message. */
export const SINK_CALLBACK = 'ysbSink';

/** How the enrich step is written: a function node, or a change node with a nested property path. */
export type EnrichKind = 'function' | 'change';
/**
 * How the filter is written: a function node, or a switch node (a core node, no sandbox). The
 * switch node handles one message per event-loop turn (it queues input and takes the next after a
 * setImmediate), so it is fastest fed one event at a time (batch 1); in batches its queue grows.
 */
export type FilterKind = 'function' | 'switch';

/** What one Node-RED run reports (one JSON line on the child's stdout). */
export interface NodeRedRunResult {
  nodeRed: string;
  delivery: 'async' | 'sync';
  filter: FilterKind;
  enrich: EnrichKind;
  batch: number;
  events: number;
  /** Events of the warm-up pass, run in the same process before the measured rounds. */
  warmUpEvents: number;
  /** Events per second of each measured round (the same process, one after another). */
  rounds: number[];
  /** The median round. */
  eventsPerSecond: number;
  windows: number;
  peakRssMb: number;
}

/** The ad_id -> campaign_id table of examples/ysb (as the Sluice graph's enrich node reads it). */
export function loadCampaigns(): Map<string, string> {
  const campaigns = new Map<string, string>();
  for (const line of readFileSync(new URL('../../examples/ysb/campaigns.jsonl', import.meta.url), 'utf8').split('\n')) {
    if (line.trim()) {
      const r = JSON.parse(line) as { ad_id: string; campaign_id: string };
      campaigns.set(r.ad_id, r.campaign_id);
    }
  }
  return campaigns;
}

// Function node bodies (JavaScript run by Node-RED's function node, in its vm sandbox). The
// campaign goes on the message (msg.campaign_id), not into msg.payload: the driver builds a fresh
// msg per event, so this is the field added by the join, without mutating the shared event objects.
const FILTER_FUNC = `return msg.payload.event_type === 'view' || msg.topic === 'end' ? msg : null;`;

const ENRICH_FUNC = `if (msg.topic === 'end') return msg;
const c = flow.get('campaigns')[msg.payload.ad_id];
if (c === undefined) return null;
msg.campaign_id = c;
return msg;`;

// State lives in node context (memory store: get returns the object itself, no copy).
const WINDOW_INIT = `context.set('ysb', { open: new Map(), watermark: -Infinity, nextEnd: Infinity });`;

const WINDOW_FUNC = `const SIZE = 10000;
const st = context.get('ysb');
if (msg.topic === 'end') {
  const out = close(Infinity);
  // The next pass over the events (the driver's warm-up, then each round) starts afresh.
  st.watermark = -Infinity;
  out.push(msg);
  return [out];
}
const t = msg.payload.event_time;
const start = t - (t % SIZE);
let w = st.open.get(start);
if (w === undefined) {
  w = new Map();
  st.open.set(start, w);
  if (start + SIZE < st.nextEnd) st.nextEnd = start + SIZE;
}
w.set(msg.campaign_id, (w.get(msg.campaign_id) || 0) + 1);
if (t > st.watermark) st.watermark = t;
if (st.watermark >= st.nextEnd) return [close(st.watermark)];
return null;

// Windows whose end <= watermark, ordered by window_end, then key (as Sluice emits them).
function close(watermark) {
  const out = [];
  const starts = [...st.open.keys()].filter((s) => s + SIZE <= watermark).sort((a, b) => a - b);
  for (const s of starts) {
    const w = st.open.get(s);
    st.open.delete(s);
    for (const k of [...w.keys()].sort()) {
      out.push({ payload: { campaign_id: k, window_start: s, window_end: s + SIZE, views: w.get(k) } });
    }
  }
  st.nextEnd = Infinity;
  for (const s of st.open.keys()) if (s + SIZE < st.nextEnd) st.nextEnd = s + SIZE;
  return out;
}`;

const SINK_FUNC = `global.get('${SINK_CALLBACK}')(msg);
return null;`;

function functionNode(id: string, name: string, func: string, wires: string[][], initialize = '') {
  return {
    id,
    type: 'function',
    z: FLOW_ID,
    name,
    func,
    outputs: 1,
    timeout: 0,
    noerr: 0,
    initialize,
    finalize: '',
    libs: [],
    x: 0,
    y: 0,
    wires,
  };
}

export function ysbFlow(filter: FilterKind, enrich: EnrichKind): object[] {
  const enrichNode =
    enrich === 'function'
      ? functionNode(ENRICH_ID, 'Campaign of the ad', ENRICH_FUNC, [[WINDOW_ID]])
      : {
          id: ENRICH_ID,
          type: 'change',
          z: FLOW_ID,
          name: 'Campaign of the ad',
          // Nested property reference: flow.campaigns[msg.payload.ad_id]. On the end message the
          // ad_id is missing and the rule sets nothing.
          rules: [{ t: 'set', p: 'campaign_id', pt: 'msg', to: 'campaigns[msg.payload.ad_id]', tot: 'flow' }],
          x: 0,
          y: 0,
          wires: [[WINDOW_ID]],
        };
  const filterNode =
    filter === 'function'
      ? functionNode(FILTER_ID, 'Views only', FILTER_FUNC, [[ENRICH_ID]])
      : {
          id: FILTER_ID,
          type: 'switch',
          z: FLOW_ID,
          name: 'Views only',
          property: 'payload.event_type',
          propertyType: 'msg',
          // Second rule: the end-of-input message takes the same path as the events.
          rules: [
            { t: 'eq', v: 'view', vt: 'str' },
            { t: 'eq', v: 'end', vt: 'str' },
          ],
          checkall: 'false',
          repair: false,
          outputs: 2,
          x: 0,
          y: 0,
          wires: [[ENRICH_ID], [ENRICH_ID]],
        };
  return [
    { id: FLOW_ID, type: 'tab', label: 'YSB' },
    filterNode,
    enrichNode,
    functionNode(WINDOW_ID, 'Views per campaign, 10 s', WINDOW_FUNC, [[SINK_ID]], WINDOW_INIT),
    functionNode(SINK_ID, 'Counts', SINK_FUNC, []),
  ];
}
