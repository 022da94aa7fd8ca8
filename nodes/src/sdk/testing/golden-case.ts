/**
 * The golden case format (`<type>/cases/*.json`): a config, input steps, and the expected
 * output per port. One harness (run-golden-cases.ts) runs every node's cases.
 */
export interface GoldenCase {
  name: string;
  config: Record<string, unknown>;
  params?: Record<string, string | number | boolean>;
  /** Field holding event time (epoch ms or ISO string) in the input events. Default `ts`. */
  timeField?: string;
  /**
   * When set, the harness acts as the source: it stamps SOURCE_WATERMARK like a real source and
   * advances the watermark after every batch; the case is then run with batch sizes 1, 7 and
   * 1000, which must all give the same result.
   */
  source?: { maxOutOfOrderness?: number };
  /** Output ports treated as connected (default: all the definition's outputs). */
  connected?: string[];
  steps: GoldenStep[];
  /** Expected events per output port; ports not listed must receive nothing. */
  expect: Record<string, Record<string, unknown>[]>;
  /** Compare outputs in order (default false: compared as multisets). */
  ordered?: boolean;
  counters?: Partial<Record<'errors' | 'late' | 'dropped', number>>;
}

export type GoldenStep = { events: Record<string, unknown>[]; port?: string } | { watermark: number | 'end' };
