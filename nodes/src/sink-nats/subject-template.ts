/**
 * Subject templates: `orders.{region}.created` takes `region` from each event's top-level
 * fields. The template syntax (and its parser, which never evaluates user text) is sink.mqtt's:
 * `{field}` placeholders, `{{` and `}}` literal braces. What differs is what makes a valid NATS
 * subject (source-nats/subjects.ts). Pure and browser-safe: the definition checks templates as
 * the user types.
 */
import { parseTopicTemplate, type TemplatePart } from '../sink-mqtt/topic-template.js';
import { publishSubjectProblem } from '../source-nats/subjects.js';

export class SubjectTemplateError extends Error {
  readonly code = 'subject-template';
}

/** Why `template` cannot give valid subjects, or undefined. Placeholders are checked per event. */
export function subjectTemplateProblem(template: string): string | undefined {
  let parts: TemplatePart[];
  try {
    parts = parseTopicTemplate(template);
  } catch (err) {
    return (err as Error).message;
  }
  // Literal parts must be valid on their own; a placeholder stands for one non-empty token.
  return publishSubjectProblem(parts.map((p) => ('text' in p ? p.text : 'x')).join(''));
}

/**
 * A function from an event to its subject. Throws a SubjectTemplateError for an event whose
 * field is missing, not a string/number/boolean, or would make an invalid subject (empty,
 * whitespace, a wildcard, an empty token). A value holding `.` adds tokens (`eu.lyon`).
 */
export function compileSubjectTemplate(template: string): (event: Readonly<Record<string, unknown>>) => string {
  const parts = parseTopicTemplate(template);
  if (parts.every((p) => 'text' in p)) {
    const fixed = parts.map((p) => (p as { text: string }).text).join('');
    return () => fixed;
  }
  return (event) => {
    let subject = '';
    for (const p of parts) {
      if ('text' in p) {
        subject += p.text;
        continue;
      }
      const v = Object.hasOwn(event, p.field) ? event[p.field] : undefined;
      if (v === undefined || v === null) throw new SubjectTemplateError(`subject ${template}: field "${p.field}" is missing`);
      if (typeof v !== 'string' && typeof v !== 'number' && typeof v !== 'boolean') {
        throw new SubjectTemplateError(`subject ${template}: field "${p.field}" is ${Array.isArray(v) ? 'a list' : 'an object'}, not a value`);
      }
      subject += String(v);
    }
    const why = publishSubjectProblem(subject);
    if (why) throw new SubjectTemplateError(`subject ${template}: ${JSON.stringify(subject)} is not a subject to publish to (${why})`);
    return subject;
  };
}
