import { describe, expect, it } from 'vitest';
import { formatRoute, parseRoute, type Route } from './route';

describe('hash routes', () => {
  it('parses every page and its parameters', () => {
    expect(parseRoute('')).toEqual({ page: 'pipelines' });
    expect(parseRoute('#/')).toEqual({ page: 'pipelines' });
    expect(parseRoute('#/new')).toEqual({ page: 'new' });
    expect(parseRoute('#/p/fraud')).toEqual({ page: 'editor', id: 'fraud' });
    expect(parseRoute('#/p/fraud/business')).toEqual({ page: 'business', id: 'fraud' });
    expect(parseRoute('#/p/fraud/history')).toEqual({ page: 'history', id: 'fraud' });
    expect(parseRoute('#/audit')).toEqual({ page: 'audit' });
    expect(parseRoute('#/audit?pipeline=fraud')).toEqual({ page: 'audit', pipeline: 'fraud' });
    expect(parseRoute('#/signin?next=%23%2Fp%2Ffraud')).toEqual({ page: 'signin', next: '#/p/fraud' });
    expect(parseRoute('#/signin?problem=no-role')).toEqual({ page: 'signin', problem: 'no-role' });
    expect(parseRoute('#/start')).toEqual({ page: 'start' });
  });

  it('sends unknown addresses to the pipelines page', () => {
    expect(parseRoute('#/p')).toEqual({ page: 'pipelines' });
    expect(parseRoute('#/p/fraud/nothing')).toEqual({ page: 'pipelines' });
    expect(parseRoute('#/elsewhere')).toEqual({ page: 'pipelines' });
  });

  it('formats what it parses back to the same route', () => {
    const routes: Route[] = [
      { page: 'pipelines' },
      { page: 'new' },
      { page: 'editor', id: 'iot-maintenance' },
      { page: 'business', id: 'a' },
      { page: 'history', id: 'a' },
      { page: 'audit' },
      { page: 'audit', pipeline: 'x y' },
      { page: 'signin', next: '#/p/a/history' },
      { page: 'signin', next: '#/p/a/history', problem: 'cancelled' },
      { page: 'start' },
    ];
    for (const r of routes) expect(parseRoute(formatRoute(r))).toEqual(r);
    expect(formatRoute({ page: 'history', id: 'fraud' })).toBe('#/p/fraud/history');
  });
});
