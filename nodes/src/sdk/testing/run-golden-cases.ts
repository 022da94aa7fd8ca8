/**
 * The one harness for every node's `cases/*.json`. Call from a node's test file:
 *   describeGoldenCases('window', new URL('./cases', import.meta.url));
 */
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { EVENT_TIME, type Event } from '@sluice/shared';
import { describe, expect, it } from 'vitest';
import { nodeDefinitions } from '../../definitions.js';
import { operatorEntry } from '../../operators.js';
import { type Operator, startOwned } from '../operator.js';
import type { GoldenCase, GoldenStep } from './golden-case.js';
import { type OperatorRun, recordingCollector, SourceStamper, testContext, toEpochMs } from './run-operator.js';

export const GOLDEN_BATCH_SIZES = [1, 7, 1000] as const;

export function loadGoldenCases(dir: URL): { file: string; c: GoldenCase }[] {
  const path = fileURLToPath(dir);
  return readdirSync(path)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((file) => ({ file, c: JSON.parse(readFileSync(`${path}/${file}`, 'utf8')) as GoldenCase }));
}

export async function createOperator(type: string, c: Pick<GoldenCase, 'config' | 'params' | 'connected'>, nodeId = 'node') {
  const def = nodeDefinitions.get(type);
  const entry = operatorEntry(type);
  if (!def || !entry) throw new Error(`no definition/operator registered for ${type}`);
  if (entry.kind !== 'operator') throw new Error(`${type} is a source; golden cases are for operators`);
  const parsed = def.config.safeParse(c.config);
  if (!parsed.success) throw new Error(`case config invalid: ${parsed.error.message}`);
  const connected = c.connected ?? def.outputs(parsed.data).map((p) => p.name);
  const ctx = testContext({ nodeId, config: parsed.data, params: c.params ?? {}, connected, now: () => 0 });
  const op = (await entry.create(ctx)) as Operator;
  startOwned(op);
  return { op, connected, ctx };
}

/** Run a case with a given batch size (only meaningful for cases with `source`). */
export async function runGoldenCase(type: string, c: GoldenCase, batchSize: number): Promise<OperatorRun> {
  const { op, connected } = await createOperator(type, c);
  const col = recordingCollector('node', (p) => connected.includes(p));
  const timeField = c.timeField ?? 'ts';
  const stamper = c.source ? new SourceStamper(timeField, c.source.maxOutOfOrderness ?? 0) : undefined;
  let lastWm = Number.NEGATIVE_INFINITY;
  for (const step of c.steps as GoldenStep[]) {
    if ('watermark' in step) {
      const wm = step.watermark === 'end' ? Number.POSITIVE_INFINITY : step.watermark;
      op.onWatermark?.(wm, col);
      lastWm = wm;
      continue;
    }
    const port = step.port ?? 'in';
    if (!stamper) {
      op.process(
        step.events.map((e) => stampTime(e, timeField)),
        col,
        port,
      );
      continue;
    }
    for (let i = 0; i < step.events.length; i += batchSize) {
      const batch = step.events.slice(i, i + batchSize).map((e) => stamper.stamp(e));
      op.process(batch, col, port);
      if (stamper.watermark > lastWm) {
        lastWm = stamper.watermark;
        op.onWatermark?.(lastWm, col);
      }
    }
  }
  return col;
}

function stampTime(raw: Record<string, unknown>, timeField: string): Event {
  return raw[timeField] === undefined ? raw : { ...raw, [EVENT_TIME]: toEpochMs(raw[timeField]) };
}

/** Plain JSON copies, for comparing without symbol metadata. */
export function plain(events: readonly Event[] | undefined): Record<string, unknown>[] {
  return (events ?? []).map((e) => JSON.parse(JSON.stringify(e)));
}

function sorted(events: Record<string, unknown>[]): Record<string, unknown>[] {
  return [...events].sort((a, b) => (JSON.stringify(a) < JSON.stringify(b) ? -1 : 1));
}

export function describeGoldenCases(type: string, dir: URL): void {
  const cases = loadGoldenCases(dir);
  describe(`${type} golden cases`, () => {
    it('has cases', () => expect(cases.length).toBeGreaterThan(0));
    for (const { file, c } of cases) {
      const sizes = c.source ? GOLDEN_BATCH_SIZES : [1000];
      for (const size of sizes) {
        it(`${file}: ${c.name}${c.source ? ` (batch size ${size})` : ''}`, async () => {
          const run = await runGoldenCase(type, c, size);
          const ports = new Set([...Object.keys(c.expect), ...Object.keys(run.outputs)]);
          for (const port of ports) {
            const got = plain(run.outputs[port]);
            const want = c.expect[port] ?? [];
            if (c.ordered) expect(got, `port ${port}`).toEqual(want);
            else expect(sorted(got), `port ${port}`).toEqual(sorted(want));
          }
          for (const [k, v] of Object.entries(c.counters ?? {})) expect(run.counters[k as keyof OperatorRun['counters']], k).toBe(v);
        });
      }
    }
  });
}
