/**
 * sink.mqtt's topic templates (`plant/{site}/alerts`, syntax in sdk/template.ts): the literal
 * text must make a topic to publish to, and a field's value one non-empty part of a level
 * (no wildcard, no NUL).
 */
import type { TemplateRules } from '../sdk/template.js';
import { publishTopicProblem } from './topics.js';

export const TOPIC_TEMPLATE: TemplateRules = {
  noun: 'topic',
  code: 'topic-template',
  placeholder: 'x',
  textProblem: publishTopicProblem,
  valueProblem: (s) =>
    s === '' || s.includes('+') || s.includes('#') || s.includes('\u0000')
      ? `is ${JSON.stringify(s)}, which cannot be part of a topic (empty, +, # or NUL)`
      : undefined,
};
