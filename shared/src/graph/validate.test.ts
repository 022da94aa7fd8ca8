/**
 * validateDocument beyond single refusals: a valid document comes back normalized, every error
 * is reported at once, warnings never refuse, schemas flow along the edges, options work.
 */
import { describe, expect, it } from 'vitest';
import { fakeRegistry, node, type TestDoc, validDoc } from './fake-registry.fixture.js';
import type { MigrationStep } from './migrate.js';
import { validateDocument } from './validate.js';

const where = (d: { nodeId?: string; edgeId?: string; path?: string; code: string }) =>
  `${d.nodeId ?? d.edgeId ?? '-'} ${d.path ?? '-'} ${d.code}`;

function edit(f: (doc: TestDoc) => unknown): TestDoc {
  const doc = validDoc();
  f(doc);
  return doc;
}

describe('validateDocument: a valid document', () => {
  it('passes with no diagnostics, configs parsed with their defaults', () => {
    const doc = edit((doc) => delete node(doc, 'big').config.within);
    const r = validateDocument(doc, fakeRegistry);
    expect(r.diagnostics).toEqual([]);
    expect(r.ok).toBe(true);
    expect(r.document!.nodes.find((n) => n.id === 'big')!.config).toEqual({ expression: 'amount > params.threshold', within: '0s' });
    expect(r.document!.edges).toHaveLength(4);
    // The caller's object is left as it was.
    expect(node(doc, 'big').config.within).toBeUndefined();
  });

  it('reads the same from JSON text', () => {
    const r = validateDocument(JSON.stringify(validDoc()), fakeRegistry);
    expect(r.ok).toBe(true);
    expect(r.document!.id).toBe('orders-by-country');
  });

  it('keeps unknown fields (extensions) on the document, nodes, edges and params', () => {
    const doc = edit((doc) => {
      doc['x-owner'] = 'pricing team';
      node(doc, 'src').color = 'teal';
      doc.edges[0]!.note = 'raw orders';
      doc.params.threshold!.step = 5;
    });
    const r = validateDocument(doc, fakeRegistry);
    expect(r.diagnostics).toEqual([]);
    const out = r.document as unknown as TestDoc;
    expect(out['x-owner']).toBe('pricing team');
    expect(out.nodes[0]!.color).toBe('teal');
    expect(out.edges[0]!.note).toBe('raw orders');
    expect(out.params.threshold!.step).toBe(5);
  });

  it('returns the document of a draft with errors, when its shape could be read whole', () => {
    const draft = validateDocument(
      edit((doc) => {
        doc.params.threshold!.value = 'ten';
        doc.edges[0]!.target = 'ghost';
      }),
      fakeRegistry,
    );
    expect(draft.ok).toBe(false);
    expect(draft.document!.params!.threshold!.value).toBe('ten');
    const broken = validateDocument(
      edit((doc) => (doc.nodes[0]!.id = 7)),
      fakeRegistry,
    );
    expect(broken.document).toBeUndefined();
  });

  it('refuses a JSON value that is not an object', () => {
    const r = validateDocument('[1, 2]', fakeRegistry);
    expect(r.ok).toBe(false);
    expect(r.diagnostics).toEqual([{ severity: 'error', code: 'wrong-type', message: 'a document is a JSON object, not a list' }]);
  });
});

describe('validateDocument: every error at once', () => {
  it('reports each problem with its node or edge id and path, not only the first', () => {
    const doc = edit((doc) => {
      doc.params.threshold!.value = -1;
      node(doc, 'src').position = { x: 'left', y: 0 };
      node(doc, 'big').config = { expression: 'amount >', within: 'soon' };
      node(doc, 'route').config = { routes: [{ port: 'eu', when: 'country = "FR"' }] };
      node(doc, 'out').config = {};
      doc.nodes.push({ id: 'odd', type: 'test.nope', config: {} });
      doc.nodes.push({ id: 'rest', type: 'test.sink', config: { path: 'twice' } });
      doc.edges.push({ id: 'e9', source: 'src', target: 'ghost' });
      doc.edges.push({ id: 'e1', source: 'src', target: 'route', targetPort: 'left' });
      doc.edges.push({ id: 'e10', source: 7, target: 'out' });
    });
    const r = validateDocument(doc, fakeRegistry);
    expect(r.ok).toBe(false);
    expect(r.document).toBeUndefined();
    expect(r.diagnostics.map(where)).toEqual(
      expect.arrayContaining([
        'src position.x wrong-type',
        'e10 source wrong-type',
        'odd type unknown-node-type',
        'rest nodes[6].id duplicate-node-id',
        'e9 target missing-node',
        'e1 edges[5].id duplicate-edge-id',
        'e1 targetPort missing-port',
        'big config.within invalid-config',
        'big config.expression expr-syntax',
        'route config.routes[0].when expr-syntax',
        'out config.path missing-config',
        '- params.threshold.value param-bounds',
      ]),
    );
    expect(r.diagnostics.filter((d) => d.severity === 'error')).toHaveLength(12);
  });

  it('checks the expressions of a node whose config misses another field', () => {
    const doc = edit((doc) => (node(doc, 'route').config = { routes: [{ port: 'eu', when: 'countr == "FR"' }, { when: 'true' }] }));
    const found = validateDocument(doc, fakeRegistry).diagnostics.map(where);
    expect(found).toEqual(
      expect.arrayContaining(['route config.routes[1].port missing-config', 'route config.routes[0].when expr-unknown-field']),
    );
  });

  it('names every cycle of the graph', () => {
    const doc = edit((doc) => {
      doc.nodes.push(
        { id: 'a', type: 'test.filter', config: { expression: 'true' } },
        { id: 'b', type: 'test.filter', config: { expression: 'true' } },
      );
      doc.edges.push(
        { id: 'ab', source: 'a', target: 'b' },
        { id: 'ba', source: 'b', target: 'a' },
        { id: 'self', source: 'rest', target: 'rest' },
      );
    });
    const cycles = validateDocument(doc, fakeRegistry).diagnostics.filter((d) => d.code === 'cycle' || d.code === 'sink-has-output');
    expect(cycles.map((d) => d.message)).toEqual([
      expect.stringContaining('"rest" is a test.sink'),
      'the graph has a cycle: "a" -> "b" -> "a"; a pipeline must be acyclic',
    ]);
  });
});

describe('validateDocument: warnings never refuse', () => {
  it('a sink no source reaches, a node with no input, an unconnected required port', () => {
    const doc = edit((doc) => {
      doc.nodes.push({ id: 'lonely', type: 'test.sink', config: { path: 'l.jsonl' } });
      doc.nodes.push(
        { id: 'island', type: 'test.opaque', config: {} },
        { id: 'island-out', type: 'test.sink', config: { path: 'i.jsonl' } },
      );
      doc.edges.push({ id: 'i1', source: 'island', target: 'island-out' });
      doc.nodes.push({ id: 'j', type: 'test.join', config: { on: 'id' } });
      doc.edges.push({ id: 'j1', source: 'big', target: 'j', targetPort: 'left' });
    });
    const r = validateDocument(doc, fakeRegistry);
    expect(r.ok).toBe(true);
    const warnings = r.diagnostics.filter((d) => d.severity === 'warning');
    expect(warnings.map((d) => `${d.nodeId} ${d.code}: ${d.message}`)).toEqual([
      'lonely unconnected-input: this sink has no input: it will never receive an event',
      'island unconnected-input: this node has no input: it will never receive an event',
      'island-out unreachable: no source reaches this sink: it will never receive an event',
      'j unconnected-input: input port "right" is not connected',
    ]);
  });
});

describe('validateDocument: schema inference', () => {
  it('propagates fields along the graph and returns the schema of every edge', () => {
    const doc = edit((doc) => {
      node(doc, 'big').config.tag = 'large';
      node(doc, 'route').config = { routes: [{ port: 'eu', when: 'country == "FR" && tag != "small"' }] };
    });
    const r = validateDocument(doc, fakeRegistry);
    expect(r.diagnostics).toEqual([]);
    expect(r.schemas!.e1).toEqual({ fields: { amount: 'number', country: 'string' }, open: false });
    expect(r.schemas!.e2!.fields).toEqual({ amount: 'number', country: 'string', tag: 'string' });
    expect(r.schemas!.e3).toEqual(r.schemas!.e2);
    expect(r.schemas!.e4).toEqual(r.schemas!.e2);
  });

  it('flags a field that does not reach the node, naming the ones that do', () => {
    const d = validateDocument(
      edit((doc) => (node(doc, 'route').config = { routes: [{ port: 'eu', when: 'tag == "x"' }] })),
      fakeRegistry,
    ).diagnostics;
    expect(d).toHaveLength(1);
    expect(d[0]).toMatchObject({ nodeId: 'route', path: 'config.routes[0].when', code: 'expr-unknown-field', column: 1 });
    expect(d[0]!.message).toContain('amount, country');
  });

  it('knows nothing past a node type that infers nothing (any field is accepted there)', () => {
    const doc = edit((doc) => {
      doc.nodes.push(
        { id: 'o', type: 'test.opaque', config: {} },
        { id: 'f', type: 'test.filter', config: { expression: 'whatever > 1' } },
      );
      doc.edges.push(
        { id: 'o1', source: 'src', target: 'o' },
        { id: 'o2', source: 'o', target: 'f' },
        { id: 'o3', source: 'f', target: 'rest' },
      );
    });
    const r = validateDocument(doc, fakeRegistry);
    expect(r.diagnostics).toEqual([]);
    expect(r.schemas!.o2).toBeUndefined();
  });

  it('refuses a condition that does not give true or false', () => {
    const d = validateDocument(
      edit((doc) => (node(doc, 'big').config.expression = 'amount + 1')),
      fakeRegistry,
    ).diagnostics;
    expect(d).toEqual([
      expect.objectContaining({
        nodeId: 'big',
        path: 'config.expression',
        code: 'expr-type',
        message: 'must give true or false, but gives a number',
      }),
    ]);
  });
});

describe('validateDocument: options', () => {
  it('runs migrations first and says where the document came from', () => {
    const v0: MigrationStep = { from: 'sluice/v0', to: 'sluice/v1', upgrade: ({ links, ...doc }) => ({ ...doc, edges: links }) };
    const { edges, ...rest } = validDoc();
    const old = { ...rest, format: 'sluice/v0', links: edges };
    const r = validateDocument(old, fakeRegistry, { migrations: [v0] });
    expect(r.diagnostics).toEqual([]);
    expect(r.migratedFrom).toBe('sluice/v0');
    expect(r.document!.edges).toHaveLength(4);
    const refused = validateDocument({ ...old, format: 'sluice/v9' }, fakeRegistry, { migrations: [v0] });
    expect(refused.diagnostics[0]!.message).toContain('this build reads "sluice/v0", "sluice/v1"');
  });

  it('takes other limits', () => {
    const r = validateDocument(validDoc(), fakeRegistry, { limits: { maxEdges: 3 } });
    expect(r.diagnostics).toEqual([
      expect.objectContaining({ code: 'too-large', path: 'edges', message: '4 edges; the limit is 3 edges' }),
    ]);
    const text = JSON.stringify(validDoc());
    expect(validateDocument(text, fakeRegistry, { limits: { maxBytes: text.length - 1 } }).diagnostics[0]!.code).toBe('too-large');
  });
});
