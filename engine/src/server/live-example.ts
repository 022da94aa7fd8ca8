/**
 * The live form of an example pipeline, for the server (`pnpm start`): its bounded generators
 * (`count`, `rate: 0`: a benchmark that ends in about 2 s) become unbounded ones at a modest
 * rate, so a new user sees numbers move, windows close and taps fill while the run lasts. The
 * files under examples/ keep their bounded benchmark form for the CLI (`pnpm sluice run`).
 */
import type { PipelineDocument } from '@sluice/shared';

/** Events per second of each generator in a live example: numbers that move, a machine left idle. */
export const LIVE_EXAMPLE_RATE = 50;

export function liveExample(doc: PipelineDocument): PipelineDocument {
  let changed = false;
  const nodes = doc.nodes.map((n) => {
    if (n.type !== 'source.generator') return n;
    const { count: _count, ...config } = (n.config ?? {}) as Record<string, unknown>;
    const rate = typeof config.rate === 'number' && config.rate > 0 ? Math.min(config.rate, LIVE_EXAMPLE_RATE) : LIVE_EXAMPLE_RATE;
    changed = true;
    return { ...n, config: { ...config, rate } };
  });
  return changed ? { ...doc, nodes } : doc;
}
