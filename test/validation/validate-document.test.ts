/**
 * The validator against the real node registry: one test per refusal reason of GRAPH_FORMAT.md,
 * each asserting the node/edge id, the path and the gist of the message; then all at once.
 */
import { readFileSync } from 'node:fs';
import { type Diagnostic, formatDiagnostic, validateDocument } from '@sluice/shared';
import { nodeDefinitions } from '@sluice/nodes/definitions';
import { describe, expect, it } from 'vitest';

type Doc = Record<string, unknown> & { nodes: Record<string, unknown>[]; edges: Record<string, unknown>[] };

function base(): Doc {
  return {
    format: 'sluice/v1',
    params: { limit: { type: 'number', value: 10, min: 0, max: 100 } },
    nodes: [
      { id: 'src', type: 'source.file', config: { path: 'in.jsonl', timeField: 'ts' } },
      { id: 'big', type: 'filter', config: { expression: 'amount > params.limit' } },
      { id: 'win', type: 'window', config: { type: 'tumbling', size: '10s', keyBy: ['k'], aggregates: [{ as: 'n', op: 'count' }] } },
      { id: 'out', type: 'sink.file', config: { path: 'out.jsonl' } },
    ],
    edges: [
      { id: 'e1', source: 'src', target: 'big' },
      { id: 'e2', source: 'big', target: 'win' },
      { id: 'e3', source: 'win', target: 'out' },
    ],
  };
}

function errors(input: unknown): Diagnostic[] {
  const r = validateDocument(input, nodeDefinitions);
  const errs = r.diagnostics.filter((d) => d.severity === 'error');
  expect(r.ok).toBe(errs.length === 0);
  return errs;
}

function only(input: unknown): Diagnostic {
  const errs = errors(input);
  expect(errs.map(formatDiagnostic)).toHaveLength(1);
  return errs[0]!;
}

describe('validateDocument: a valid document', () => {
  it('passes, with configs parsed (defaults applied) and schemas inferred per edge', () => {
    const r = validateDocument(base(), nodeDefinitions);
    expect(r.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
    expect(r.ok).toBe(true);
    const win = r.document!.nodes.find((n) => n.id === 'win')!;
    expect(win.config.allowedLateness).toBe('0s');
    expect(r.schemas!.e3!.fields.window_end).toBe('number');
  });
});

describe('validateDocument: one test per refusal reason', () => {
  it('malformed JSON, with line and column', () => {
    const d = only('{\n  "format": "sluice/v1",\n  "nodes": [,]\n}');
    expect(d.code).toBe('malformed-json');
    expect(d.message).toMatch(/line 3/);
  });

  it('format other than sluice/v1 names the versions this build reads', () => {
    const d = only({ ...base(), format: 'sluice/v9' });
    expect(d.path).toBe('format');
    expect(d.message).toContain('"sluice/v9"');
    expect(d.message).toContain('"sluice/v1"');
  });

  it('a field of the wrong type', () => {
    const doc = base();
    doc.nodes[0]!.position = { x: 'left', y: 0 };
    const d = only(doc);
    expect(d).toMatchObject({ nodeId: 'src', path: 'position.x' });
    expect(d.message).toContain('expected number');
  });

  it('an unknown node type, with the closest known one', () => {
    const doc = base();
    doc.nodes[1]!.type = 'filtr';
    const d = only(doc);
    expect(d).toMatchObject({ nodeId: 'big', path: 'type', code: 'unknown-node-type' });
    expect(d.message).toContain('did you mean "filter"');
  });

  it('an edge naming a missing node', () => {
    const doc = base();
    doc.edges[2]!.target = 'nowhere';
    const d = errors(doc).find((x) => x.code === 'missing-node')!;
    expect(d).toMatchObject({ edgeId: 'e3', path: 'target' });
    expect(d.message).toContain('"nowhere"');
  });

  it('an edge naming a missing port', () => {
    const doc = base();
    doc.edges[2]!.sourcePort = 'late_events';
    const d = errors(doc).find((x) => x.code === 'missing-port')!;
    expect(d).toMatchObject({ edgeId: 'e3', path: 'sourcePort' });
    expect(d.message).toContain('ports: out, late, error');
  });

  it('two nodes with one id', () => {
    const doc = base();
    doc.nodes.push({ id: 'big', type: 'sink.console', config: {} });
    const d = errors(doc).find((x) => x.code === 'duplicate-node-id')!;
    expect(d).toMatchObject({ nodeId: 'big', path: 'nodes[4].id' });
  });

  it("two nodes with one id: the duplicate is reported and each copy's own errors too", () => {
    const doc = base();
    doc.nodes.push({ id: 'big', type: 'filtr', config: {} });
    doc.nodes.push({ id: 'win', type: 'window', config: { type: 'tumbling', size: '10 sec', aggregates: [{ as: 'n', op: 'count' }] } });
    const found = errors(doc).map((d) => `${d.code} ${formatDiagnostic(d)}`);
    expect(found).toEqual([
      'duplicate-node-id big: nodes[4].id: two nodes have the id "big"',
      `unknown-node-type big: nodes[4].type: unknown node type "filtr"; did you mean "filter"? (known: ${nodeDefinitions.types().toSorted().join(', ')})`,
      'duplicate-node-id win: nodes[5].id: two nodes have the id "win"',
      'invalid-config win: nodes[5].config.size: "10 sec" is not a duration (use 250ms, 10s, 5m, 1h)',
    ]);
  });

  it('two edges with one id', () => {
    const doc = base();
    doc.edges.push({ id: 'e1', source: 'win', target: 'out' });
    const d = errors(doc).find((x) => x.code === 'duplicate-edge-id')!;
    expect(d).toMatchObject({ edgeId: 'e1', path: 'edges[3].id' });
  });

  it('a cycle, naming the nodes on it', () => {
    const doc = base();
    doc.nodes.push({ id: 'again', type: 'filter', config: { expression: 'true' } });
    doc.edges.push({ id: 'e4', source: 'win', target: 'again' }, { id: 'e5', source: 'again', target: 'big' });
    const d = only(doc);
    expect(d.code).toBe('cycle');
    for (const id of ['big', 'win', 'again']) expect(d.message).toContain(`"${id}"`);
  });

  it('a source with an incoming edge', () => {
    const doc = base();
    doc.edges.push({ id: 'back', source: 'big', target: 'src' });
    const d = errors(doc).find((x) => x.code === 'source-has-input')!;
    expect(d).toMatchObject({ edgeId: 'back', path: 'target' });
  });

  it('a sink with an outgoing edge', () => {
    const doc = base();
    doc.nodes.push({ id: 'more', type: 'sink.console', config: {} });
    doc.edges.push({ id: 'onward', source: 'out', target: 'more' });
    const d = only(doc);
    expect(d).toMatchObject({ edgeId: 'onward', code: 'sink-has-output', path: 'source' });
  });

  it('a required config field missing', () => {
    const doc = base();
    doc.nodes[3]!.config = {};
    const d = only(doc);
    expect(d).toMatchObject({ nodeId: 'out', path: 'config.path', message: 'missing required field' });
  });

  it('a required enum field missing says it is missing, and what it takes', () => {
    const doc = base();
    doc.nodes[0] = { id: 'src', type: 'source.generator', config: { rate: 10 } };
    doc.nodes[2]!.config = { size: '10s', aggregates: [{ as: 'n' }] };
    expect(errors(doc).map(formatDiagnostic)).toEqual([
      'src: config.scenario: missing required field (one of "orders", "transactions", "sensors", "ad-events")',
      'win: config.type: missing required field (one of "tumbling", "sliding", "session")',
      'win: config.aggregates[0].op: missing required field (one of "count", "sum", "avg", "min", "max", "count_distinct", "first", "last")',
    ]);
    expect(errors(doc).map((d) => d.code)).toEqual(['missing-config', 'missing-config', 'missing-config']);
  });

  it('an expression that does not parse, with its column', () => {
    const doc = base();
    doc.nodes[1]!.config = { expression: 'amount > ' };
    const d = only(doc);
    expect(d).toMatchObject({ nodeId: 'big', path: 'config.expression', column: 10 });
  });

  it('an expression reading a param that does not exist', () => {
    const doc = base();
    doc.nodes[1]!.config = { expression: 'amount > params.limmit' };
    const d = only(doc);
    expect(d).toMatchObject({ nodeId: 'big', path: 'config.expression', code: 'expr-unknown-param' });
    expect(d.message).toContain('declared: limit');
  });

  it('a duration that does not parse, in the contract words', () => {
    const doc = base();
    doc.nodes[2]!.id = 'window1';
    doc.edges[1]!.target = 'window1';
    doc.edges[2]!.source = 'window1';
    (doc.nodes[2]!.config as Record<string, unknown>).size = '10 sec';
    expect(formatDiagnostic(only(doc))).toBe('window1: config.size: "10 sec" is not a duration (use 250ms, 10s, 5m, 1h)');
  });

  it('a param value outside its bounds', () => {
    const doc = base();
    doc.params = { limit: { type: 'number', value: 500, min: 0, max: 100 } };
    expect(only(doc)).toMatchObject({ path: 'params.limit.value', code: 'param-bounds' });
  });

  it('more than 5,000 nodes', () => {
    const doc = base();
    doc.nodes = Array.from({ length: 5001 }, (_, i) => ({ id: `n${i}`, type: 'sink.console', config: {} }));
    doc.edges = [];
    expect(only(doc).message).toContain('the limit is 5000');
  });

  it('more than 5 MiB of text, refused before parsing', () => {
    const text = JSON.stringify({ ...base(), description: 'x'.repeat(5 * 1024 * 1024) });
    const d = only(text);
    expect(d.code).toBe('too-large');
    expect(d.message).toContain('5 MiB');
  });
});

describe('validateDocument: several errors at once', () => {
  it('reports every problem, not only the first', () => {
    const doc = base();
    doc.nodes[1]!.config = { expression: 'amount >' };
    (doc.nodes[2]!.config as Record<string, unknown>).size = 'soon';
    doc.nodes[3]!.config = {};
    doc.nodes.push({ id: 'x', type: 'nope', config: {} });
    doc.edges.push({ id: 'e9', source: 'src', target: 'ghost' });
    const found = errors(doc).map((d) => `${d.nodeId ?? d.edgeId}:${d.path}`);
    expect(found).toEqual(expect.arrayContaining(['big:config.expression', 'win:config.size', 'out:config.path', 'x:type', 'e9:target']));
  });

  it('warns (without refusing) about a node no source reaches', () => {
    const doc = base();
    doc.nodes.push({ id: 'lonely', type: 'filter', config: { expression: 'true' } });
    const r = validateDocument(doc, nodeDefinitions);
    expect(r.ok).toBe(true);
    expect(r.diagnostics).toContainEqual(expect.objectContaining({ severity: 'warning', nodeId: 'lonely', code: 'unconnected-input' }));
  });

  it('checks expressions against the fields that reach the node', () => {
    const doc = {
      format: 'sluice/v1',
      nodes: [
        { id: 'gen', type: 'source.generator', config: { scenario: 'orders', count: 10 } },
        { id: 'f', type: 'filter', config: { expression: 'quantty > 2' } },
      ],
      edges: [{ id: 'e', source: 'gen', target: 'f' }],
    };
    const d = only(doc);
    expect(d).toMatchObject({ nodeId: 'f', code: 'expr-unknown-field' });
    expect(d.message).toContain('quantity');
  });

  it('lets a map expression read the fields set before it in the same map', () => {
    const doc = {
      format: 'sluice/v1',
      nodes: [
        { id: 'gen', type: 'source.generator', config: { scenario: 'orders', count: 10 } },
        { id: 'm', type: 'map', config: { set: { total: 'quantity * unit_price', big: 'total > 100', typo: 'totl > 1' } } },
      ],
      edges: [{ id: 'e', source: 'gen', target: 'm' }],
    };
    const d = only(doc);
    expect(d).toMatchObject({ nodeId: 'm', path: 'config.set.typo', code: 'expr-unknown-field' });
  });
});

describe('validateDocument: config fields that would do nothing', () => {
  const warnings = (doc: unknown) =>
    validateDocument(doc, nodeDefinitions)
      .diagnostics.filter((d) => d.code === 'unknown-config-field' || d.code === 'duration-as-number')
      .map((d) => `${d.severity} ${d.code} ${formatDiagnostic(d)}`);

  it('warns about a misspelt optional field, with the closest field of the type', () => {
    const doc = base();
    doc.nodes[0]!.config = { path: 'in.jsonl', timeField: 'ts', maxOutOfOrder: '5s' };
    doc.nodes[2]!.config = { type: 'tumbling', size: '10s', allowedLatenes: '1m', aggregates: [{ as: 'n', op: 'count', feild: 'k' }] };
    doc.nodes[3]!.config = { path: 'out.jsonl', colour: 'red' };
    const r = validateDocument(doc, nodeDefinitions);
    expect(r.ok).toBe(true);
    expect(warnings(doc)).toEqual([
      'warning unknown-config-field warning: src: config.maxOutOfOrder: "maxOutOfOrder" is not a field of a source.file: it is ignored; did you mean "maxOutOfOrderness"?',
      'warning unknown-config-field warning: win: config.allowedLatenes: "allowedLatenes" is not a field of a window: it is ignored; did you mean "allowedLateness"?',
      `warning unknown-config-field warning: win: config.aggregates[0].feild: "feild" is not a field of a window's aggregates[0]: it is ignored; did you mean "field"?`,
      'warning unknown-config-field warning: out: config.colour: "colour" is not a field of a sink.file: it is ignored (fields: path, format, mode)',
    ]);
  });

  it('warns about a duration written as a bare number (milliseconds), never about 0', () => {
    const doc = base();
    doc.nodes[0]!.config = { path: 'in.jsonl', timeField: 'ts', maxOutOfOrderness: 5000 };
    doc.nodes[2]!.config = { type: 'tumbling', size: 60, allowedLateness: 0, aggregates: [{ as: 'n', op: 'count' }] };
    expect(validateDocument(doc, nodeDefinitions).ok).toBe(true);
    expect(warnings(doc)).toEqual([
      'warning duration-as-number warning: src: config.maxOutOfOrderness: a bare number is milliseconds: 5000 is 5s; write the unit ("5s")',
      'warning duration-as-number warning: win: config.size: a bare number is milliseconds: 60 is 60ms; write the unit ("60ms", or "60s" if seconds were meant)',
    ]);
  });

  it('warns even when the config has errors, so a misspelt required field is found', () => {
    const doc = base();
    doc.nodes[1]!.config = { expresion: 'amount > 1' };
    expect(
      validateDocument(doc, nodeDefinitions)
        .diagnostics.filter((d) => d.nodeId === 'big')
        .map(formatDiagnostic),
    ).toEqual([
      'big: config.expression: missing required field',
      'warning: big: config.expresion: "expresion" is not a field of a filter: it is ignored; did you mean "expression"?',
    ]);
  });

  it("finds nothing in the examples or in any node type's own example config (maps, rules tables, unions)", () => {
    const docs = ['dynamic-pricing', 'fraud', 'iot-maintenance', 'ysb'].map((name) =>
      JSON.parse(readFileSync(new URL(`../../examples/${name}/${name}.json`, import.meta.url), 'utf8')),
    );
    for (const doc of docs) expect(warnings(doc)).toEqual([]);
    for (const type of nodeDefinitions.types()) {
      expect(warnings({ format: 'sluice/v1', nodes: [{ id: 'n', type, config: nodeDefinitions.get(type)!.example }] })).toEqual([]);
    }
  });
});
