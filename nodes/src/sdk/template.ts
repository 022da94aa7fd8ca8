/**
 * Publish templates: `plant/{site}/alerts` (an MQTT topic), `orders.{region}.created` (a NATS
 * subject), `orders.{region}` (an AMQP routing key) take each `{field}` from the event's
 * top-level fields; `{{` and `}}` stand for literal braces. One syntax and one parser (plain
 * string scanning: user text is never evaluated); each system gives its own rules for the
 * result in a TemplateRules. Pure and browser-safe: definitions check templates as the user types.
 */
export type TemplatePart = { text: string } | { field: string };

/** What one system allows in a result; messages are built `<noun> <template>: <tail>`. */
export interface TemplateRules {
  /** Names the result in messages: `topic`, `subject`, `routing key`. */
  noun: string;
  /** The errors' `code` (an error event's `_error.code`). */
  code: string;
  /** What a placeholder stands for when the template's literal text is checked. */
  placeholder: string;
  /** Why the template's text, placeholders replaced, cannot give results. */
  textProblem(text: string): string | undefined;
  /** Why a field's value (as text) cannot stand in a result: the tail after `field "f" `. */
  valueProblem?(value: string): string | undefined;
  /** Why a whole result cannot be used: the tail after `<noun> <template>: `. */
  resultProblem?(result: string): string | undefined;
}

export class TemplateError extends Error {
  constructor(
    message: string,
    readonly code: string,
  ) {
    super(message);
  }
}

/** A field name in a template: the characters of a top-level field (no dots, no braces). */
const FIELD = /^[A-Za-z_][A-Za-z0-9_-]*$/;

/** The parts of `template`, or throws a TemplateError saying what is wrong and where. */
export function parseTemplate(template: string, code = 'template'): TemplatePart[] {
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
      if (end === -1) throw new TemplateError(`"{" at character ${i + 1} is not closed (write {{ for a literal brace)`, code);
      const name = template.slice(i + 1, end);
      if (!FIELD.test(name))
        throw new TemplateError(
          `{${name}} at character ${i + 1} is not a field name (letters, digits, _ and -; top-level fields only)`,
          code,
        );
      if (text !== '') parts.push({ text });
      text = '';
      parts.push({ field: name });
      i = end + 1;
    } else if (ch === '}') {
      throw new TemplateError(`"}" at character ${i + 1} closes nothing (write }} for a literal brace)`, code);
    } else {
      text += ch;
      i++;
    }
  }
  if (text !== '') parts.push({ text });
  return parts;
}

/** Why `template` cannot give valid results, or undefined. Placeholders are checked per event. */
export function templateProblem(template: string, rules: TemplateRules): string | undefined {
  let parts: TemplatePart[];
  try {
    parts = parseTemplate(template, rules.code);
  } catch (err) {
    return (err as Error).message;
  }
  return rules.textProblem(parts.map((p) => ('text' in p ? p.text : rules.placeholder)).join(''));
}

/** True when the template has no placeholder: every event gets the same result. */
export function isFixedTemplate(template: string): boolean {
  return parseTemplate(template).every((p) => 'text' in p);
}

/**
 * A function from an event to its result. Throws a TemplateError for an event whose field is
 * missing, not a string/number/boolean, or breaks the system's rules.
 */
export function compileTemplate(template: string, rules: TemplateRules): (event: Readonly<Record<string, unknown>>) => string {
  const parts = parseTemplate(template, rules.code);
  const { noun, code, valueProblem, resultProblem } = rules;
  if (parts.every((p) => 'text' in p)) {
    const fixed = parts.map((p) => (p as { text: string }).text).join('');
    return () => fixed;
  }
  const fail = (tail: string) => new TemplateError(`${noun} ${template}: ${tail}`, code);
  return (event) => {
    let result = '';
    for (const p of parts) {
      if ('text' in p) {
        result += p.text;
        continue;
      }
      const v = Object.hasOwn(event, p.field) ? event[p.field] : undefined;
      if (v === undefined || v === null) throw fail(`field "${p.field}" is missing`);
      if (typeof v !== 'string' && typeof v !== 'number' && typeof v !== 'boolean') {
        throw fail(`field "${p.field}" is ${Array.isArray(v) ? 'a list' : 'an object'}, not a value`);
      }
      const s = String(v);
      const bad = valueProblem?.(s);
      if (bad) throw fail(`field "${p.field}" ${bad}`);
      result += s;
    }
    const why = resultProblem?.(result);
    if (why) throw fail(why);
    return result;
  };
}
