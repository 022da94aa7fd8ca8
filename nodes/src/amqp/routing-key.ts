/**
 * sink.amqp's routing key templates (`orders.{region}.{status}`, syntax in sdk/template.ts): a
 * routing key is any text up to 255 bytes (no wildcards to refuse: `*` and `#` mean something
 * in binding keys only); an empty value would silently route `orders.{region}` as `orders.`,
 * so it is refused like a missing one.
 */
import type { TemplateRules } from '../sdk/template.js';
import { MAX_NAME_BYTES } from './amqp-url.js';

const byteLength = (s: string) => new TextEncoder().encode(s).length;

export const ROUTING_KEY_TEMPLATE: TemplateRules = {
  noun: 'routing key',
  code: 'routing-key',
  placeholder: '',
  textProblem: (text) => (byteLength(text) > MAX_NAME_BYTES ? `a routing key is at most ${MAX_NAME_BYTES} bytes` : undefined),
  valueProblem: (s) => (s === '' ? 'is empty' : undefined),
  resultProblem: (key) =>
    byteLength(key) > MAX_NAME_BYTES ? `"${key.slice(0, 40)}..." is longer than ${MAX_NAME_BYTES} bytes` : undefined,
};
