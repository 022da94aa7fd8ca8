/**
 * One test per refusal reason of GRAPH_FORMAT.md, against a fake registry: each asserts the
 * node or edge id, the path, the code and the meaningful part of the message.
 */
import { describe, expect, it } from 'vitest';
import { type Diagnostic, formatDiagnostic } from '../diagnostic.js';
import { fakeRegistry, node, type TestDoc, validDoc } from './fake-registry.fixture.js';
import { validateDocument } from './validate.js';

function errors(input: unknown): Diagnostic[] {
  const r = validateDocument(input, fakeRegistry);
  const errs = r.diagnostics.filter((d) => d.severity === 'error');
  expect(r.ok).toBe(false);
  return errs;
}

/** The one error of a document with exactly one problem. */
function only(input: unknown): Diagnostic {
  const errs = errors(input);
  expect(errs.map(formatDiagnostic)).toHaveLength(1);
  return errs[0]!;
}

function edit(f: (doc: TestDoc) => unknown): TestDoc {
  const doc = validDoc();
  f(doc);
  return doc;
}

describe('validateDocument refuses', () => {
  it('malformed JSON, with its line and column', () => {
    const d = only('{\n  "format": "sluice/v1",\n  "nodes": [,]\n}');
    expect(d.code).toBe('malformed-json');
    expect(d.message).toBe('malformed JSON at line 3, column 13: unexpected ","');
  });

  it('a field of the wrong type, naming the edge or node', () => {
    const d = only(edit((doc) => (doc.edges[0]!.source = 5)));
    expect(d).toMatchObject({ code: 'wrong-type', edgeId: 'e1', path: 'source', message: 'expected string, got number 5' });
    const p = only(edit((doc) => (node(doc, 'big').position = { x: 'left', y: 0 })));
    expect(p).toMatchObject({ code: 'wrong-type', nodeId: 'big', path: 'position.x', message: 'expected number, got string "left"' });
  });

  it('a node id outside [A-Za-z0-9_-]{1,64}', () => {
    const d = only(edit((doc) => doc.nodes.push({ id: 'my node', type: 'test.sink', config: { path: 'x' } })));
    expect(d).toMatchObject({ code: 'invalid-id', nodeId: 'my node', path: 'id' });
    expect(d.message).toContain('is not a valid node id');
  });

  it('a missing format, naming the versions this build reads', () => {
    const d = only(edit((doc) => delete doc.format));
    expect(d).toMatchObject({ code: 'unsupported-format', path: 'format' });
    expect(d.message).toBe('missing "format": this build reads "sluice/v1"');
  });

  it('a format other than exactly "sluice/v1"', () => {
    const d = only(edit((doc) => (doc.format = 'sluice/v2')));
    expect(d).toMatchObject({ code: 'unsupported-format', path: 'format' });
    expect(d.message).toBe('format "sluice/v2" is not supported: this build reads "sluice/v1"');
  });

  it('an unknown node type, suggesting the closest and listing the known ones', () => {
    const d = only(edit((doc) => (node(doc, 'big').type = 'test.fliter')));
    expect(d).toMatchObject({ code: 'unknown-node-type', nodeId: 'big', path: 'type' });
    expect(d.message).toContain('unknown node type "test.fliter"; did you mean "test.filter"?');
    expect(d.message).toContain('known: test.filter, test.join');
  });

  it('an edge naming a missing node', () => {
    const d = only(edit((doc) => (doc.edges[3]!.target = 'ghost')));
    expect(d).toMatchObject({
      code: 'missing-node',
      edgeId: 'e4',
      path: 'target',
      message: 'target "ghost" is not a node of this document',
    });
  });

  it('an edge naming a missing output port, listing the ports the config gives', () => {
    const d = only(edit((doc) => (doc.edges[2]!.sourcePort = 'us')));
    expect(d).toMatchObject({ code: 'missing-port', edgeId: 'e3', path: 'sourcePort' });
    expect(d.message).toBe('"route" (test.split) has no output port "us" (ports: eu, default)');
  });

  it('an edge naming a missing input port', () => {
    const d = only(edit((doc) => (doc.edges[0]!.targetPort = 'side')));
    expect(d).toMatchObject({ code: 'missing-port', edgeId: 'e1', path: 'targetPort' });
    expect(d.message).toContain('"big" (test.filter) has no input port "side" (ports: in)');
  });

  it('two nodes with one id', () => {
    const d = only(edit((doc) => doc.nodes.push({ id: 'out', type: 'test.sink', config: { path: 'again.jsonl' } })));
    expect(d).toMatchObject({ code: 'duplicate-node-id', nodeId: 'out', path: 'nodes[5].id', message: 'two nodes have the id "out"' });
  });

  it('two edges with one id', () => {
    const d = only(edit((doc) => doc.edges.push({ id: 'e2', source: 'src', target: 'rest' })));
    expect(d).toMatchObject({ code: 'duplicate-edge-id', edgeId: 'e2', path: 'edges[4].id', message: 'two edges have the id "e2"' });
  });

  it('a cycle, naming the nodes on it', () => {
    const doc = edit((doc) => {
      doc.nodes.push({ id: 'again', type: 'test.filter', config: { expression: 'true' } });
      doc.edges[3] = { id: 'e4', source: 'route', target: 'again', sourcePort: 'default' };
      doc.edges.push({ id: 'back', source: 'again', target: 'big' });
    });
    const d = only(doc);
    expect(d).toMatchObject({ code: 'cycle', nodeId: 'big' });
    expect(d.message).toBe('the graph has a cycle: "big" -> "route" -> "again" -> "big"; a pipeline must be acyclic');
  });

  it('a source with an incoming edge', () => {
    const d = only(edit((doc) => doc.edges.push({ id: 'into-src', source: 'big', target: 'src', sourcePort: 'error' })));
    expect(d).toMatchObject({ code: 'source-has-input', edgeId: 'into-src', path: 'target' });
    expect(d.message).toContain('"src" is a test.source (a source)');
  });

  it('a sink with an outgoing edge', () => {
    const doc = edit((doc) => {
      doc.nodes.push({ id: 'more', type: 'test.sink', config: { path: 'more.jsonl' } });
      doc.edges.push({ id: 'onward', source: 'out', target: 'more' });
    });
    const d = only(doc);
    expect(d).toMatchObject({ code: 'sink-has-output', edgeId: 'onward', path: 'source' });
    expect(d.message).toContain('"out" is a test.sink (a sink)');
  });

  it('a required config field missing, with the path inside the config', () => {
    const d = only(edit((doc) => (node(doc, 'route').config = { routes: [{ port: 'eu' }] })));
    expect(d).toMatchObject({ code: 'missing-config', nodeId: 'route', path: 'config.routes[0].when', message: 'missing required field' });
  });

  it('an expression that does not parse, with its column', () => {
    const d = only(edit((doc) => (node(doc, 'big').config.expression = 'amount >')));
    expect(d).toMatchObject({ code: 'expr-syntax', nodeId: 'big', path: 'config.expression', column: 9 });
    expect(d.message).toContain('unexpected end of expression');
  });

  it('an expression reading a param that does not exist', () => {
    const d = only(edit((doc) => (node(doc, 'big').config.expression = 'amount > params.treshold')));
    expect(d).toMatchObject({ code: 'expr-unknown-param', nodeId: 'big', path: 'config.expression', column: 10 });
    expect(d.message).toContain("unknown param 'treshold'");
  });

  it('a duration that does not parse, in the words of the contract', () => {
    const doc = edit((doc) => {
      node(doc, 'big').id = 'window1';
      doc.edges[0]!.target = 'window1';
      doc.edges[1]!.source = 'window1';
      node(doc, 'window1').config.within = '10 sec';
    });
    const d = only(doc);
    expect(d.code).toBe('invalid-config');
    expect(formatDiagnostic(d)).toBe('window1: config.within: "10 sec" is not a duration (use 250ms, 10s, 5m, 1h)');
  });

  it('a duration of the wrong JSON type', () => {
    const d = only(edit((doc) => (node(doc, 'big').config.within = true)));
    expect(d).toMatchObject({ nodeId: 'big', path: 'config.within', message: 'expected string or number, got boolean true' });
  });

  it('a param value outside min/max', () => {
    const d = only(edit((doc) => (doc.params.threshold!.value = 500)));
    expect(d).toMatchObject({ code: 'param-bounds', path: 'params.threshold.value', message: '500 is above the maximum 100' });
  });

  it('a param value of the wrong type', () => {
    const d = only(edit((doc) => (doc.params.threshold!.value = 'ten')));
    expect(d).toMatchObject({ code: 'param-type', path: 'params.threshold.value', message: '"ten" is not a number' });
  });

  it("a problem found by the node type's own check", () => {
    const d = only(edit((doc) => (node(doc, 'big').config.timeout = '1s')));
    expect(d).toMatchObject({
      code: 'timeout-too-short',
      nodeId: 'big',
      path: 'config.timeout',
      message: 'must not be shorter than within',
    });
  });

  it('more than 5,000 nodes, saying the limit', () => {
    const doc = validDoc();
    doc.nodes = Array.from({ length: 5001 }, (_, i) => ({ id: `n${i}`, type: 'test.sink', config: { path: 'x' } }));
    doc.edges = [];
    const d = only(doc);
    expect(d).toMatchObject({ code: 'too-large', path: 'nodes', message: '5001 nodes; the limit is 5000 nodes' });
  });

  it('more than 5 MiB of text, without parsing it', () => {
    // Not JSON at all: refused for its size before JSON.parse could complain.
    const d = only(`{${' '.repeat(5 * 1024 * 1024)}`);
    expect(d.code).toBe('too-large');
    expect(d.message).toContain('5 MiB');
  });
});
