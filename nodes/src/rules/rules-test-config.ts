/** The rules node's tests share these: a raw config parsed by the node's schema, and the node's own checks of it. */
import { type RulesConfig, rulesDefinition } from './definition.js';

export function config(raw: Record<string, unknown>): RulesConfig {
  return rulesDefinition.config.parse(raw);
}

export function problems(raw: Record<string, unknown>) {
  return rulesDefinition.check!(config(raw));
}
