/**
 * Routing key templates: `orders.{region}.{status}` takes `region` and `status` from each
 * event's top-level fields. The syntax is sink.mqtt's topic templates ({field}, {{ and }} for
 * literal braces), parsed by the same pure parser, never evaluated; only the rules for the
 * result differ: an AMQP routing key is any text up to 255 bytes (no wildcards to refuse: `*`
 * and `#` mean something in binding keys only). Browser-safe: the definition checks templates.
 */
import { parseTopicTemplate, type TemplatePart } from '../sink-mqtt/topic-template.js';
import { MAX_NAME_BYTES } from '../source-amqp/amqp-url.js';

export class RoutingKeyError extends Error {
  readonly code = 'routing-key';
}

const byteLength = (s: string) => new TextEncoder().encode(s).length;

/** Why `template` cannot give routing keys, or undefined. Placeholders are checked per event. */
export function routingKeyTemplateProblem(template: string): string | undefined {
  let parts: TemplatePart[];
  try {
    parts = parseTopicTemplate(template);
  } catch (err) {
    return (err as Error).message;
  }
  const literal = parts.map((p) => ('text' in p ? p.text : '')).join('');
  if (byteLength(literal) > MAX_NAME_BYTES) return `a routing key is at most ${MAX_NAME_BYTES} bytes`;
  return undefined;
}

/**
 * A function from an event to its routing key. Throws a RoutingKeyError for an event whose field
 * is missing, empty, not a string/number/boolean, or makes a key longer than 255 bytes.
 */
export function compileRoutingKey(template: string): (event: Readonly<Record<string, unknown>>) => string {
  const parts = parseTopicTemplate(template);
  if (parts.every((p) => 'text' in p)) {
    const fixed = parts.map((p) => (p as { text: string }).text).join('');
    return () => fixed;
  }
  return (event) => {
    let key = '';
    for (const p of parts) {
      if ('text' in p) {
        key += p.text;
        continue;
      }
      const v = Object.hasOwn(event, p.field) ? event[p.field] : undefined;
      if (v === undefined || v === null) throw new RoutingKeyError(`routing key ${template}: field "${p.field}" is missing`);
      if (typeof v !== 'string' && typeof v !== 'number' && typeof v !== 'boolean') {
        throw new RoutingKeyError(`routing key ${template}: field "${p.field}" is ${Array.isArray(v) ? 'a list' : 'an object'}, not a value`);
      }
      const s = String(v);
      // An empty value would silently route `orders.{region}` as `orders.`: refused like a missing one.
      if (s === '') throw new RoutingKeyError(`routing key ${template}: field "${p.field}" is empty`);
      key += s;
    }
    if (byteLength(key) > MAX_NAME_BYTES) throw new RoutingKeyError(`routing key ${template}: "${key.slice(0, 40)}..." is longer than ${MAX_NAME_BYTES} bytes`);
    return key;
  };
}
