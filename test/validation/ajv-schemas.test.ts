/**
 * What a user's own JSON Schema tool makes of our schemas: ajv 8 with ajv-formats 3, strict, with
 * Sluice's custom formats registered as docs/graph-format.md tells users to. Every example
 * pipeline passes the document schema and, node by node, its type's config schema; each type's
 * own example config passes; and a bad duration or expression is refused by ajv as it is by
 * validateDocument.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CONFIG_FORMATS, DURATION_FORMAT, EXPRESSION_FORMAT, nodeConfigJsonSchema, validateDocument } from '@sluice/shared';
import { nodeDefinitions } from '@sluice/nodes/definitions';
import { Ajv2020, type ErrorObject, type ValidateFunction } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import { describe, expect, it } from 'vitest';
import { loadPlugins } from '@sluice/engine';

// ajv-formats is CommonJS: under Node's ESM loader its function is the module's `default`.
const addFormats = addFormatsModule.default;

const ROOT = new URL('../../', import.meta.url).pathname;
// The plugin example's pipeline is an example too: its type, example.dedupe, comes from the plugin.
await loadPlugins([join(ROOT, 'examples/custom-node')]);
const DOCUMENT_SCHEMA = JSON.parse(readFileSync(join(ROOT, 'docs/sluice-v1.schema.json'), 'utf8')) as Record<string, unknown>;

/** A strict ajv as a user sets it up: standard formats, and Sluice's registered by name. */
function userAjv(options: { sluiceFormats: boolean }): Ajv2020 {
  // allowUnionTypes: a duration is `"type": ["string", "number"]`, which strict mode flags otherwise.
  const ajv = new Ajv2020({ strict: true, allErrors: true, allowUnionTypes: true });
  addFormats(ajv);
  if (options.sluiceFormats) for (const [name, check] of Object.entries(CONFIG_FORMATS)) ajv.addFormat(name, check);
  return ajv;
}

const ajv = userAjv({ sluiceFormats: true });
const validateDocumentShape = ajv.compile(DOCUMENT_SCHEMA);
const configValidators = new Map<string, ValidateFunction>();
function configValidator(type: string): ValidateFunction {
  let v = configValidators.get(type);
  if (!v) {
    v = ajv.compile(nodeConfigJsonSchema(nodeDefinitions.get(type)!));
    configValidators.set(type, v);
  }
  return v;
}

const show = (errors: ErrorObject[] | null | undefined) => (errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message}`);

/** Every JSON file under examples/ that is a pipeline document (other JSON, e.g. data, skipped). */
function examplePipelines(): { file: string; doc: { nodes: { id: string; type: string; config?: unknown }[] } }[] {
  const files = readdirSync(join(ROOT, 'examples'), { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.json'));
  return files
    .map((file) => ({ file, doc: JSON.parse(readFileSync(join(ROOT, 'examples', file), 'utf8')) }))
    .filter(({ doc }) => doc !== null && typeof doc === 'object' && doc.format === 'sluice/v1');
}

describe('ajv 8 + ajv-formats 3 on the document and node config schemas', () => {
  const examples = examplePipelines();

  it('finds the example pipelines', () => {
    expect(examples.map((e) => e.file).sort()).toEqual([
      'custom-node/pipelines/dedupe-orders.json',
      'dynamic-pricing/dynamic-pricing.json',
      'fraud/fraud.json',
      'iot-maintenance/iot-maintenance.json',
      'ysb/ysb.json',
    ]);
  });

  it.each(examples.map((e) => [e.file, e.doc] as const))('%s fits the document schema and each node its config schema', (_file, doc) => {
    expect(show(validateDocumentShape(doc) ? [] : validateDocumentShape.errors)).toEqual([]);
    const refused = doc.nodes.flatMap((n) => {
      const v = configValidator(n.type);
      return v(n.config ?? {}) ? [] : show(v.errors).map((m) => `${n.id} (${n.type}): ${m}`);
    });
    expect(refused).toEqual([]);
  });

  it("compiles every node type's config schema in strict mode and accepts the type's own example", () => {
    const refused = nodeDefinitions.types().flatMap((type) => {
      const v = configValidator(type);
      return v(nodeDefinitions.get(type)!.example) ? [] : show(v.errors).map((m) => `${type}: ${m}`);
    });
    expect(refused).toEqual([]);
  });

  it('uses only formats that are standard or registered: an unregistered one stops a strict ajv', () => {
    const bare = userAjv({ sluiceFormats: false });
    expect(() => bare.compile(nodeConfigJsonSchema(nodeDefinitions.get('filter')!))).toThrow(`unknown format "${EXPRESSION_FORMAT}"`);
    expect(() => bare.compile(nodeConfigJsonSchema(nodeDefinitions.get('window')!))).toThrow(`unknown format "${DURATION_FORMAT}"`);
  });

  it('reads a duration as Sluice does: "5m" and 60000 pass, ISO 8601 and "10 sec" do not', () => {
    const window = configValidator('window');
    const config = (size: unknown) => ({ type: 'tumbling', size, aggregates: [{ as: 'n', op: 'count' }] });
    for (const ok of ['5m', '250ms', ' 10s ', 60_000]) {
      expect(window(config(ok))).toBe(true);
      expect(validateDocument({ format: 'sluice/v1', nodes: [{ id: 'w', type: 'window', config: config(ok) }] }, nodeDefinitions).ok).toBe(
        true,
      );
    }
    for (const bad of ['PT5M', '10 sec', '5 m', -1]) {
      expect(window(config(bad))).toBe(false);
      const text = ['/size must match pattern "^\\s*(\\d+)(ms|s|m|h|d)\\s*$"', `/size must match format "${DURATION_FORMAT}"`];
      expect(show(window.errors)).toEqual(bad === -1 ? ['/size must be >= 0'] : text);
      expect(validateDocument({ format: 'sluice/v1', nodes: [{ id: 'w', type: 'window', config: config(bad) }] }, nodeDefinitions).ok).toBe(
        false,
      );
    }
  });

  it('checks an expression parses (names and types need validateDocument)', () => {
    const filter = configValidator('filter');
    expect(filter({ expression: 'amount > params.limit' })).toBe(true);
    expect(filter({ expression: 'amount >' })).toBe(false);
    expect(show(filter.errors)).toEqual([`/expression must match format "${EXPRESSION_FORMAT}"`]);
    const map = configValidator('map');
    expect(map({ set: { total: 'a * b' } })).toBe(true);
    expect(map({ set: { total: 'a *' } })).toBe(false);
  });

  it('without the custom formats registered, the pattern alone still refuses a bad duration', () => {
    const lenient = new Ajv2020({ strict: false, allErrors: true, logger: false });
    const window = lenient.compile(nodeConfigJsonSchema(nodeDefinitions.get('window')!));
    expect(window({ type: 'tumbling', size: '5m', aggregates: [{ as: 'n', op: 'count' }] })).toBe(true);
    expect(window({ type: 'tumbling', size: '10 sec', aggregates: [{ as: 'n', op: 'count' }] })).toBe(false);
  });
});
