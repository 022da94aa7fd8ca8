/**
 * One sweep point in its own process (started by bench/sweep/sweep.ts):
 *
 *   node --max-semi-space-size=64 --import tsx bench/sweep/point-main.ts '<PointSpec as JSON>'
 *
 * Warms up on a small run of the same shape first (the same for every point and contender),
 * then prints the measured PointResult as one JSON line.
 */
import { type PointSpec, runPoint } from './point.js';

const WARM_UP_EVENTS = 50_000;

const spec = JSON.parse(process.argv[2] ?? '') as PointSpec;
await runPoint({ ...spec, events: Math.min(spec.events, WARM_UP_EVENTS), keys: Math.min(spec.keys, WARM_UP_EVENTS) });
const result = await runPoint(spec);
process.stdout.write(`${JSON.stringify(result)}\n`);
