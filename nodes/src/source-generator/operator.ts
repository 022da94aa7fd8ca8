import { durationMs, type Event } from '@sluice/shared';
import type { SourceBatch, SourceFactory, SourceOperator } from '../sdk/operator.js';
import { TokenBucket } from '../sdk/source-time.js';
import { type SourceGeneratorConfig, startTimeMs } from './definition.js';
import { Rng, seedOf } from './rng.js';
import { type MakeEvent, SCENARIO_BUILDERS } from './scenarios.js';

/**
 * Checkpoint position: the sequence number of the next event (events produced so far, when the
 * source is not split) and the RNG state there; a split source also keeps its last own event.
 */
export interface GeneratorPosition {
  produced: number;
  rng: number;
  last?: number;
}

/**
 * A split generator (`parallelism` N) deals event sequence numbers in blocks of this many:
 * block k belongs to partition k mod N. Each partition's events stay in time order, and the
 * union of the partitions is exactly the unsplit generator's events.
 */
export const SPLIT_BLOCK = 1024;

// Pools are fixed per scenario: build each once per process, not once per node.
const makers = new Map<string, MakeEvent>();

export const sourceGeneratorOperator: SourceFactory<SourceGeneratorConfig> = (ctx) => {
  const c = ctx.config;
  let make = makers.get(c.scenario);
  if (!make) {
    make = SCENARIO_BUILDERS[c.scenario]();
    makers.set(c.scenario, make);
  }
  const split = ctx.partition ?? { index: 0, of: 1 };
  return new GeneratorSource(c, make, ctx.now, c.seed ?? seedOf(ctx.nodeId), split.index, split.of);
};

class GeneratorSource implements SourceOperator {
  /** Sequence number of the next event this partition produces (or the count, when done). */
  private produced = 0;
  /** The last event this partition produced (-1: none yet). */
  private last = -1;
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
    private readonly index: number,
    private readonly of: number,
  ) {
    this.rng = new Rng(seed);
    this.start = startTimeMs(c.startTime)!;
    this.step = c.rate > 0 ? 1000 / c.rate : 1;
    this.maxOutOfOrderness = durationMs(c.maxOutOfOrderness);
    // Each partition paces its own share of the rate.
    this.bucket = c.rate > 0 ? new TokenBucket(c.rate / of) : undefined;
    this.count = c.count ?? Number.POSITIVE_INFINITY;
    this.skipToOwn();
  }

  /** Event time of event number `seq`. */
  private timeOf(seq: number): number {
    return this.start + Math.floor(seq * this.step);
  }

  /** Past the other partitions' blocks: to this partition's next event (the RNG advanced as if they were made). */
  private skipToOwn(): void {
    if (this.of === 1) return;
    const block = Math.floor(this.produced / SPLIT_BLOCK);
    const owner = block % this.of;
    if (owner === this.index) return;
    const target = (block + ((this.index - owner + this.of) % this.of)) * SPLIT_BLOCK;
    const until = Math.min(target, this.count);
    const n = until - this.produced;
    if (this.make.draws !== undefined) this.rng.skip(n * this.make.draws);
    else for (let seq = this.produced; seq < until; seq++) this.make(this.rng, seq, 0, 0);
    this.produced = until;
  }

  poll(max: number): SourceBatch {
    const now = this.now();
    let n = max;
    if (this.bucket) n = this.bucket.available(now, n);
    const events: Event[] = [];
    const { rng, make } = this;
    let made = 0;
    while (made < n && this.produced < this.count) {
      // The rest of the current own block (all of it when the source is not split).
      const end = this.of === 1 ? this.count : Math.min(this.count, (Math.floor(this.produced / SPLIT_BLOCK) + 1) * SPLIT_BLOCK);
      const upto = Math.min(end, this.produced + (n - made));
      for (let seq = this.produced; seq < upto; seq++) events.push(make(rng, seq, this.timeOf(seq), now) as Event);
      made += upto - this.produced;
      this.last = upto - 1;
      this.produced = upto;
      if (this.produced === end) this.skipToOwn();
    }
    this.bucket?.consume(made);
    // Flat events of our own making, not kept: no depth screen, and the pipeline may change them.
    return { events, watermark: this.watermark(), done: this.produced >= this.count, shallow: true, owned: true };
  }

  /** Events come in time order: the watermark is the last one's time minus maxOutOfOrderness. */
  private watermark(): number {
    return this.last < 0 ? Number.NEGATIVE_INFINITY : this.timeOf(this.last) - this.maxOutOfOrderness;
  }

  position(): GeneratorPosition {
    const p: GeneratorPosition = { produced: this.produced, rng: this.rng.state };
    if (this.of > 1) p.last = this.last;
    return p;
  }

  seek(position: unknown): void {
    const p = position as Partial<GeneratorPosition> | null;
    if (!p || typeof p.produced !== 'number' || typeof p.rng !== 'number')
      throw new Error(`not a source.generator position: ${JSON.stringify(position)}`);
    this.produced = p.produced;
    this.rng.state = p.rng;
    this.last = typeof p.last === 'number' ? p.last : p.produced - 1;
  }
}
