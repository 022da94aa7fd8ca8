import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { nodeDefinitions } from '@sluice/nodes/definitions';
import { ConfigForm, choicesOf, pickChoice } from './config-form';

function render(type: string, value: Record<string, unknown>, schemaFields?: Record<string, 'number' | 'string'>) {
  const def = nodeDefinitions.get(type)!;
  const schema = z.toJSONSchema(def.config, { io: 'input', unrepresentable: 'any' }) as never;
  const context = schemaFields ? { params: {}, schema: { fields: schemaFields, open: false } } : { params: {} };
  return renderToStaticMarkup(<ConfigForm schema={schema} value={value} onChange={() => undefined} context={context} />);
}

describe('config forms generated from node definitions', () => {
  it('draws enums, durations, string lists and lists of objects for a window', () => {
    const html = render('window', { type: 'tumbling', size: '10s', keyBy: ['k'], aggregates: [{ as: 'n', op: 'count' }] });
    expect(html).toContain('aria-label="config.type"');
    expect(html).toContain('<option value="session">session</option>');
    expect(html).toContain('aria-label="config.size"');
    expect(html).toContain('value="10s"');
    expect(html).toContain('value="k"');
    expect(html).toContain('aria-label="config.aggregates[0].op"');
    expect(html).toContain('>Add</button>');
  });

  it('draws a union of constants (MQTT qos 0 | 1 | 2) as a select that gives back numbers', () => {
    const html = render('source.mqtt', { url: 'mqtt://127.0.0.1:1883', topics: ['a/#'], qos: 2 });
    expect(html).toMatch(/<select aria-label="config.qos">.*<option value="2" selected="">2<\/option>/);
    const def = nodeDefinitions.get('source.mqtt')!;
    const schema = z.toJSONSchema(def.config, { io: 'input', unrepresentable: 'any' }) as unknown as { properties: Record<string, never> };
    const choices = choicesOf(schema.properties.qos!)!;
    expect(choices).toEqual([0, 1, 2]);
    expect(pickChoice(choices, '1')).toBe(1);
    expect(pickChoice(choices, '')).toBeUndefined();
    // What the select gives back passes the node's own validation.
    expect(def.config.safeParse({ url: 'mqtt://h:1883', topics: ['a'], qos: pickChoice(choices, '1') }).success).toBe(true);
  });

  it('checks an expression as it is typed and shows the error with its column', () => {
    const html = render('filter', { expression: 'amount > ' });
    expect(html).toContain('unexpected end of expression at column 10');
    expect(html).toContain('aria-invalid="true"');
  });

  it('names the fields known upstream, and flags an unknown one', () => {
    const html = render('filter', { expression: 'amout > 1' }, { amount: 'number' });
    expect(html).toContain('fields: amount');
    expect(html).toContain('unknown field');
  });

  it('draws a key/value map of expressions for map.set', () => {
    const html = render('map', { set: { total: 'a * b' } });
    expect(html).toContain('value="total"');
    expect(html).toContain('value="a * b"');
    // Each value is an expression input (keyed on the schema's format), checked as it is typed.
    expect(render('map', { set: { total: 'a * ' } })).toContain('unexpected end of expression at column 5');
  });

  it("sees a map's earlier `set` fields in a later expression, as the validator does", () => {
    const def = nodeDefinitions.get('map')!;
    const config = { set: { surge: 'orders >= 10', price: 'surge ? 2 : 1' } };
    const schema = z.toJSONSchema(def.config, { io: 'input', unrepresentable: 'any' }) as never;
    const extraFields = Object.fromEntries(
      (def.expressions?.(def.config.parse(config) as never) ?? []).filter((x) => x.extraFields).map((x) => [x.path, x.extraFields!]),
    );
    const context = { params: {}, schema: { fields: { orders: 'number' as const }, open: false }, extraFields };
    const html = renderToStaticMarkup(<ConfigForm schema={schema} value={config} onChange={() => undefined} context={context} />);
    expect(html).not.toContain('unknown field');
    // Without them, `surge` is unknown: the check that this test guards.
    const bare = renderToStaticMarkup(
      <ConfigForm schema={schema} value={config} onChange={() => undefined} context={{ ...context, extraFields: {} }} />,
    );
    expect(bare).toContain('unknown field &#x27;surge&#x27;');
  });
});

describe('fields that depend on the rest of the config (issue 13, defect 18)', () => {
  it('a tumbling window has no slide or gap field, a sliding one has slide, a session only gap', async () => {
    const { hiddenConfigFields } = await import('./field-visibility');
    const fields = (config: Record<string, unknown>) => [...hiddenConfigFields('window', config)].sort();
    expect(fields({ type: 'tumbling', size: '1m' })).toEqual(['gap', 'slide']);
    expect(fields({ type: 'sliding', size: '1m', slide: '10s' })).toEqual(['gap']);
    expect(fields({ type: 'session', gap: '5m' })).toEqual(['size', 'slide']);
    // A value left from another type stays visible, beside its "ignored" warning.
    expect(fields({ type: 'tumbling', size: '1m', slide: '10s' })).toEqual(['gap']);
  });

  it('a number-or-text field takes digits as a number and anything else as text', async () => {
    const { numberOrText } = await import('./config-form');
    expect(numberOrText('1767225600000')).toBe(1767225600000);
    expect(numberOrText('2026-03-01T12:00:00Z')).toBe('2026-03-01T12:00:00Z');
    expect(numberOrText('')).toBeUndefined();
  });
});
