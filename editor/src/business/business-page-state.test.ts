import { readFileSync } from 'node:fs';
import type { PipelineDocument } from '@sluice/shared';
import { describe, expect, it } from 'vitest';
import { type BusinessPageState, businessPageReducer, INITIAL_STATE } from './business-page-state';
import { NO_ERRORS } from './place-errors';

const pricing = JSON.parse(
  readFileSync(new URL('../../../examples/dynamic-pricing/dynamic-pricing.json', import.meta.url), 'utf8'),
) as PipelineDocument;
const surgePct = pricing.params!.surge_pct!;
const opened = (): BusinessPageState =>
  businessPageReducer(INITIAL_STATE, { type: 'loaded', loaded: { doc: pricing, version: 3, status: 'running' } });

describe('business page state', () => {
  it('a loaded version is the draft to start from', () => {
    const s = opened();
    expect(s.draft).toBe(pricing);
    expect(s.loaded?.version).toBe(3);
    expect(s.badParams).toEqual({});
  });

  it('a param typed out of bounds keeps its text and why, and leaves the draft at the last good value', () => {
    const s = businessPageReducer(opened(), { type: 'param-typed', name: 'surge_pct', spec: surgePct, text: '60', value: 60 });
    expect(s.badParams).toEqual({
      surge_pct: { text: '60', message: 'Price increase during a surge must be at most 50 % (allowed: 0 to 50 %)' },
    });
    expect(s.draft?.params?.surge_pct?.value).toBe(10);
  });

  it('a good value then clears the mark and goes into the draft, not into the loaded version', () => {
    const bad = businessPageReducer(opened(), { type: 'param-typed', name: 'surge_pct', spec: surgePct, text: '60', value: 60 });
    const s = businessPageReducer(bad, { type: 'param-typed', name: 'surge_pct', spec: surgePct, text: '12', value: 12 });
    expect(s.badParams).toEqual({});
    expect(s.draft?.params?.surge_pct?.value).toBe(12);
    expect(s.loaded?.doc.params?.surge_pct?.value).toBe(10);
  });

  it('an action clears the last errors and notice while it runs; its notice stays after it ends', () => {
    const failed = businessPageReducer(opened(), { type: 'errors', errors: { ...NO_ERRORS, general: ['Not saved: x.'] } });
    const running = businessPageReducer(failed, { type: 'action-started', name: 'deploy' });
    expect(running.busy).toBe('deploy');
    expect(running.errors).toEqual(NO_ERRORS);
    const ended = businessPageReducer(businessPageReducer(running, { type: 'action-said', notice: 'Deployed.' }), { type: 'action-ended' });
    expect(ended.busy).toBeUndefined();
    expect(ended.notice).toBe('Deployed.');
  });

  it('a save makes the stored document both the new base and the draft; the run status stays', () => {
    const stored: PipelineDocument = { ...pricing, name: 'saved' };
    const s = businessPageReducer(opened(), { type: 'saved', doc: stored, version: 4 });
    expect(s.loaded).toEqual({ doc: stored, version: 4, status: 'running' });
    expect(s.draft).toBe(stored);
  });
});
