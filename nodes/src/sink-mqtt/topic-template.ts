/**
 * Topic templates: `plant/{site}/alerts` takes `site` from each event's top-level fields. Parsed
 * once with plain string scanning (user text is never evaluated); `{{` and `}}` stand for
 * literal braces. Pure and browser-safe: the definition checks templates as the user types.
 */
import { publishTopicProblem } from '../source-mqtt/topics.js';

export type TemplatePart = { text: string } | { field: string };

/** A field name in a template: the characters of a top-level field (no dots, no braces). */
const FIELD = /^[A-Za-z_][A-Za-z0-9_-]*$/;

export class TopicTemplateError extends Error {
  readonly code = 'topic-template';
}

/** The parts of `template`, or throws a TopicTemplateError saying what is wrong and where. */
export function parseTopicTemplate(template: string): TemplatePart[] {
  const parts: TemplatePart[] = [];
  let text = '';
  let i = 0;
  while (i < template.length) {
    const ch = template[i]!;
    if (ch === '{' && template[i + 1] === '{') {
      text += '{';
      i += 2;
    } else if (ch === '}' && template[i + 1] === '}') {
      text += '}';
      i += 2;
    } else if (ch === '{') {
      const end = template.indexOf('}', i + 1);
      if (end === -1) throw new TopicTemplateError(`"{" at character ${i + 1} is not closed (write {{ for a literal brace)`);
      const name = template.slice(i + 1, end);
      if (!FIELD.test(name)) throw new TopicTemplateError(`{${name}} at character ${i + 1} is not a field name (letters, digits, _ and -; top-level fields only)`);
      if (text !== '') parts.push({ text });
      text = '';
      parts.push({ field: name });
      i = end + 1;
    } else if (ch === '}') {
      throw new TopicTemplateError(`"}" at character ${i + 1} closes nothing (write }} for a literal brace)`);
    } else {
      text += ch;
      i++;
    }
  }
  if (text !== '') parts.push({ text });
  return parts;
}

/** Why `template` cannot give valid topics, or undefined. Placeholders are checked per event. */
export function topicTemplateProblem(template: string): string | undefined {
  let parts: TemplatePart[];
  try {
    parts = parseTopicTemplate(template);
  } catch (err) {
    return (err as Error).message;
  }
  // Literal parts must be valid on their own; a placeholder stands for one non-empty value.
  return publishTopicProblem(parts.map((p) => ('text' in p ? p.text : 'x')).join(''));
}

/**
 * A function from an event to its topic. Throws a TopicTemplateError for an event whose field
 * is missing, not a string/number/boolean, or would make an invalid topic.
 */
export function compileTopicTemplate(template: string): (event: Readonly<Record<string, unknown>>) => string {
  const parts = parseTopicTemplate(template);
  if (parts.every((p) => 'text' in p)) {
    const fixed = parts.map((p) => (p as { text: string }).text).join('');
    return () => fixed;
  }
  return (event) => {
    let topic = '';
    for (const p of parts) {
      if ('text' in p) {
        topic += p.text;
        continue;
      }
      const v = Object.hasOwn(event, p.field) ? event[p.field] : undefined;
      if (v === undefined || v === null) throw new TopicTemplateError(`topic ${template}: field "${p.field}" is missing`);
      if (typeof v !== 'string' && typeof v !== 'number' && typeof v !== 'boolean') {
        throw new TopicTemplateError(`topic ${template}: field "${p.field}" is ${Array.isArray(v) ? 'a list' : 'an object'}, not a value`);
      }
      const s = String(v);
      if (s === '' || s.includes('+') || s.includes('#') || s.includes('\u0000')) {
        throw new TopicTemplateError(`topic ${template}: field "${p.field}" is ${JSON.stringify(s)}, which cannot be part of a topic (empty, +, # or NUL)`);
      }
      topic += s;
    }
    return topic;
  };
}
