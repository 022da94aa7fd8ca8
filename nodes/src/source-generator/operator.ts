import { durationMs, type Event } from '@sluice/shared';
import type { SourceBatch, SourceFactory, SourceOperator } from '../sdk/operator.js';
import { TokenBucket } from '../sdk/source-time.js';
import { type SourceGeneratorConfig, startTimeMs } from './definition.js';
import { Rng, seedOf } from './rng.js';
import { type MakeEvent, SCENARIO_BUILDERS } from './scenarios.js';

/** Checkpoint position: events produced so far and the RNG state after them. */
export interface GeneratorPosition {
  produced: number;
  rng: number;
}

// Pools are fixed per scenario: build each once per process, not once per node.
const makers = new Map<string, MakeEvent>();

export const sourceGeneratorOperator: SourceFactory<SourceGeneratorConfig> = (ctx) => {
  const c = ctx.config;
  let make = makers.get(c.scenario);
  if (!make) {
    make = SCENARIO_BUILDERS[c.scenario]();
    makers.set(c.scenario, make);
  }
  return new GeneratorSource(c, make, ctx.now, c.seed ?? seedOf(ctx.nodeId));
};

class GeneratorSource implements SourceOperator {
  private produced = 0;
  private readonly rng: Rng;
  private readonly start: number;
  /** Event-time step per event (ms, fractional): 1000/rate, or 1 ms when unpaced. */
  private readonly step: number;
  private readonly maxOutOfOrderness: number;
  private readonly bucket: TokenBucket | undefined;
  private readonly count: number;

  constructor(
    c: SourceGeneratorConfig,
    private readonly make: MakeEvent,
    private readonly now: () => number,
    seed: number,
  ) {
    this.rng = new Rng(seed);
    this.start = startTimeMs(c.startTime)!;
    this.step = c.rate > 0 ? 1000 / c.rate : 1;
    this.maxOutOfOrderness = durationMs(c.maxOutOfOrderness);
    this.bucket = c.rate > 0 ? new TokenBucket(c.rate) : undefined;
    this.count = c.count ?? Number.POSITIVE_INFINITY;
  }

  /** Event time of event number `seq`. */
  private timeOf(seq: number): number {
    return this.start + Math.floor(seq * this.step);
  }

  poll(max: number): SourceBatch {
    const now = this.now();
    let n = Math.min(max, this.count - this.produced);
    if (this.bucket) n = this.bucket.available(now, n);
    const events: Event[] = [];
    const { rng, make } = this;
    const first = this.produced;
    for (let seq = first; seq < first + n; seq++) events.push(make(rng, seq, this.timeOf(seq), now) as Event);
    this.produced += n;
    this.bucket?.consume(n);
    // Flat events of our own making, not kept: no depth screen, and the pipeline may change them.
    return { events, watermark: this.watermark(), done: this.produced >= this.count, shallow: true, owned: true };
  }

  /** Events come in time order: the watermark is the last one's time minus maxOutOfOrderness. */
  private watermark(): number {
    return this.produced === 0 ? Number.NEGATIVE_INFINITY : this.timeOf(this.produced - 1) - this.maxOutOfOrderness;
  }

  position(): GeneratorPosition {
    return { produced: this.produced, rng: this.rng.state };
  }

  seek(position: unknown): void {
    const p = position as Partial<GeneratorPosition> | null;
    if (!p || typeof p.produced !== 'number' || typeof p.rng !== 'number')
      throw new Error(`not a source.generator position: ${JSON.stringify(position)}`);
    this.produced = p.produced;
    this.rng.state = p.rng;
  }
}
