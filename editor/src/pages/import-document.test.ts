import { describe, expect, it } from 'vitest';
import { freeId, looksLikeDocument, readDocumentText, slugId } from './import-document';

const good = {
  format: 'sluice/v1',
  name: 'Orders',
  nodes: [
    { id: 'gen', type: 'source.generator', config: { scenario: 'orders', rate: 10 } },
    { id: 'out', type: 'sink.console', config: {} },
  ],
  edges: [{ id: 'e1', source: 'gen', target: 'out' }],
};

describe('reading an imported document', () => {
  it('accepts a document and keeps it as written', () => {
    const r = readDocumentText(JSON.stringify(good));
    expect(r).toEqual({ ok: true, document: good, problems: [] });
  });

  it('refuses malformed JSON with the line and column', () => {
    const r = readDocumentText('{\n  "format": "sluice/v1",\n  nodes: []\n}');
    expect(r.ok).toBe(false);
    expect(!r.ok && r.errors[0]).toBe('document: malformed JSON at line 3, column 3: unexpected "n"');
  });

  it('refuses what is not a document, naming what is wrong', () => {
    const notObject = readDocumentText('[1, 2]');
    expect(!notObject.ok && notObject.errors).toEqual(['document: a document is a JSON object, not a list']);
    const badNodes = readDocumentText('{"format": "sluice/v1", "nodes": "none", "edges": []}');
    expect(badNodes.ok).toBe(false);
    expect(!badNodes.ok && badNodes.errors.join('\n')).toMatch(/nodes/);
    const future = readDocumentText('{"format": "sluice/v9", "nodes": [], "edges": []}');
    expect(future.ok).toBe(false);
    expect(readDocumentText('  ')).toEqual({ ok: false, errors: ['the text is empty: paste or drop a pipeline document (JSON)'] });
  });

  it('imports a readable draft with its problems listed', () => {
    const draft = { ...good, nodes: [...good.nodes, { id: 'odd', type: 'no.such.type', config: {} }] };
    const r = readDocumentText(JSON.stringify(draft));
    expect(r.ok).toBe(true);
    expect(r.ok && r.problems.some((p) => p.startsWith('odd: '))).toBe(true);
  });

  it('tells a pasted document from copied nodes and prose', () => {
    expect(looksLikeDocument(JSON.stringify(good, null, 2))).toBe(true);
    expect(looksLikeDocument('{"sluice/nodes": {"nodes": [], "edges": []}}')).toBe(false);
    expect(looksLikeDocument('amount > 10')).toBe(false);
    expect(looksLikeDocument('{"a": 1}')).toBe(false);
  });

  it('makes ids from names and avoids taken ones', () => {
    expect(slugId('Live Orders (copy)')).toBe('live-orders-copy');
    expect(slugId('***')).toBe('pipeline');
    expect(freeId('fraud', ['fraud', 'fraud-2'])).toBe('fraud-3');
    expect(freeId('new', ['fraud'])).toBe('new');
  });
});
