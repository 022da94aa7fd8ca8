import { describe, expect, it } from 'vitest';
import { ROUTING_KEY_TEMPLATE } from '../amqp/routing-key.js';
import { TOPIC_TEMPLATE } from '../mqtt/topic-template.js';
import { SUBJECT_TEMPLATE } from '../nats/subject-template.js';
import { compileTemplate, isFixedTemplate, parseTemplate, TemplateError, type TemplateRules, templateProblem } from './template.js';

const SYSTEMS: Record<string, TemplateRules> = { mqtt: TOPIC_TEMPLATE, nats: SUBJECT_TEMPLATE, amqp: ROUTING_KEY_TEMPLATE };
const long = 'x'.repeat(300);

/** [system, template, event, the result or the error's message and code] */
const EVENTS: [string, string, Record<string, unknown>, string | { error: string; code: string }][] = [
  ['mqtt', 'plant/{site}/x', { site: 'lyon' }, 'plant/lyon/x'],
  ['mqtt', 'plant/{site}/x', { site: 7 }, 'plant/7/x'],
  ['mqtt', 'a/{site}/{{raw}}', { site: true }, 'a/true/{raw}'],
  ['mqtt', 'plant/{site}/x', {}, { error: 'topic plant/{site}/x: field "site" is missing', code: 'topic-template' }],
  ['mqtt', 'plant/{site}/x', { site: null }, { error: 'topic plant/{site}/x: field "site" is missing', code: 'topic-template' }],
  [
    'mqtt',
    'plant/{site}/x',
    { site: { toString: 'x' } },
    { error: 'topic plant/{site}/x: field "site" is an object, not a value', code: 'topic-template' },
  ],
  [
    'mqtt',
    'plant/{site}/x',
    { site: ['a'] },
    { error: 'topic plant/{site}/x: field "site" is a list, not a value', code: 'topic-template' },
  ],
  [
    'mqtt',
    'plant/{site}/x',
    { site: '' },
    { error: 'topic plant/{site}/x: field "site" is "", which cannot be part of a topic (empty, +, # or NUL)', code: 'topic-template' },
  ],
  [
    'mqtt',
    'plant/{site}/x',
    { site: 'a+b' },
    { error: 'topic plant/{site}/x: field "site" is "a+b", which cannot be part of a topic (empty, +, # or NUL)', code: 'topic-template' },
  ],
  [
    'mqtt',
    'plant/{site}/x',
    { site: 'a#' },
    { error: 'topic plant/{site}/x: field "site" is "a#", which cannot be part of a topic (empty, +, # or NUL)', code: 'topic-template' },
  ],
  ['mqtt', 'plant/{site}', { site: 'a/b' }, 'plant/a/b'],
  ['mqtt', 'a/{constructor}', {}, { error: 'topic a/{constructor}: field "constructor" is missing', code: 'topic-template' }],
  ['nats', 'orders.{region}.created', { region: 'eu' }, 'orders.eu.created'],
  ['nats', 'orders.{region}', { region: 'eu.lyon' }, 'orders.eu.lyon'],
  ['nats', 'a.{{x}}.{id}', { id: 'q' }, 'a.{x}.q'],
  ['nats', 'orders.{region}', {}, { error: 'subject orders.{region}: field "region" is missing', code: 'subject-template' }],
  [
    'nats',
    'orders.{region}',
    { region: [1] },
    { error: 'subject orders.{region}: field "region" is a list, not a value', code: 'subject-template' },
  ],
  [
    'nats',
    'orders.{region}',
    { region: '' },
    {
      error:
        'subject orders.{region}: "orders." is not a subject to publish to (a subject has no empty token (no leading, trailing or double dot))',
      code: 'subject-template',
    },
  ],
  [
    'nats',
    'orders.{region}',
    { region: '*' },
    {
      error: 'subject orders.{region}: "orders.*" is not a subject to publish to (a subject to publish to holds no wildcard (* or >))',
      code: 'subject-template',
    },
  ],
  ['amqp', 'orders.{region}.{{raw}}', { region: 'eu' }, 'orders.eu.{raw}'],
  ['amqp', 'orders.{region}', { region: 'a/#+' }, 'orders.a/#+'],
  ['amqp', 'orders.{region}', {}, { error: 'routing key orders.{region}: field "region" is missing', code: 'routing-key' }],
  ['amqp', 'orders.{region}', { region: '' }, { error: 'routing key orders.{region}: field "region" is empty', code: 'routing-key' }],
  [
    'amqp',
    'orders.{region}',
    { region: { a: 1 } },
    { error: 'routing key orders.{region}: field "region" is an object, not a value', code: 'routing-key' },
  ],
  [
    'amqp',
    'k.{region}',
    { region: long },
    { error: `routing key k.{region}: "k.${'x'.repeat(38)}..." is longer than 255 bytes`, code: 'routing-key' },
  ],
  ['amqp', 'fixed.key', {}, 'fixed.key'],
];

/** [system, template, why it cannot give results (undefined: it can)] */
const TEMPLATES: [string, string, string | undefined][] = [
  ['mqtt', 'plant/{site}/alerts', undefined],
  ['mqtt', 'plant/+/{site}', 'a topic to publish to holds no wildcard (+ or #)'],
  ['mqtt', 'plant/{site', '"{" at character 7 is not closed (write {{ for a literal brace)'],
  ['mqtt', 'plant/site}', '"}" at character 11 closes nothing (write }} for a literal brace)'],
  ['nats', 'orders.{region}', undefined],
  ['nats', 'orders.{a.b}', '{a.b} at character 8 is not a field name (letters, digits, _ and -; top-level fields only)'],
  ['nats', 'orders.*.{region}', 'a subject to publish to holds no wildcard (* or >)'],
  ['nats', 'orders..{region}', 'a subject has no empty token (no leading, trailing or double dot)'],
  ['amqp', 'alert.#.{site}', undefined],
  ['amqp', `${long}{site}`, 'a routing key is at most 255 bytes'],
  ['amqp', 'a.{b.c}', '{b.c} at character 3 is not a field name (letters, digits, _ and -; top-level fields only)'],
];

describe('publish templates: one syntax, each system its rules', () => {
  it('parses placeholders and {{ }} escapes without evaluating anything', () => {
    expect(parseTemplate('a/{site}/{{raw}}/{lvl}')).toEqual([{ text: 'a/' }, { field: 'site' }, { text: '/{raw}/' }, { field: 'lvl' }]);
    expect(parseTemplate('{a}{b}')).toEqual([{ field: 'a' }, { field: 'b' }]);
    expect(isFixedTemplate('a/{{b}}')).toBe(true);
    expect(isFixedTemplate('a/{b}')).toBe(false);
  });

  for (const [system, template, event, expected] of EVENTS) {
    it(`${system}: ${template} with ${JSON.stringify(event).slice(0, 40)}`, () => {
      const of = compileTemplate(template, SYSTEMS[system]!);
      if (typeof expected === 'string') {
        expect(of(event)).toBe(expected);
        return;
      }
      const err = (() => {
        try {
          of(event);
        } catch (e) {
          return e;
        }
        throw new Error('no error');
      })();
      expect(err).toBeInstanceOf(TemplateError);
      expect(err).toMatchObject({ message: expected.error, code: expected.code });
    });
  }

  for (const [system, template, why] of TEMPLATES) {
    it(`${system}: checks ${template.slice(0, 30)} as the user types`, () => {
      expect(templateProblem(template, SYSTEMS[system]!)).toBe(why);
    });
  }
});
