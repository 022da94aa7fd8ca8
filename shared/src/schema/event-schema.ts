/**
 * What is known of the events on an edge, inferred before anything runs so forms can offer
 * field names and the expression checker can flag `amount > "x"`.
 */
export type FieldType = 'number' | 'string' | 'boolean' | 'null' | 'object' | 'array' | 'any';

export interface EventSchema {
  /** Known fields by name; nested fields use dotted names (`user.country`). */
  fields: Record<string, FieldType>;
  /** True when events may carry fields beyond `fields` (then an unknown name is not an error). */
  open: boolean;
}

export const UNKNOWN_SCHEMA: EventSchema = Object.freeze({ fields: {}, open: true }) as EventSchema;

export function schemaOf(fields: Record<string, FieldType>, open = false): EventSchema {
  return { fields, open };
}

/** The schema of a union of inputs: a field is known with a type when every input agrees. */
export function mergeSchemas(schemas: readonly (EventSchema | undefined)[]): EventSchema | undefined {
  if (schemas.length === 0) return undefined;
  if (schemas.some((s) => s === undefined)) return undefined;
  const [first, ...rest] = schemas as EventSchema[];
  const fields: Record<string, FieldType> = { ...first!.fields };
  let open = first!.open;
  for (const s of rest) {
    open ||= s.open;
    for (const [name, type] of Object.entries(s.fields)) {
      const prev = fields[name];
      fields[name] = prev === undefined || prev === type ? type : 'any';
    }
    for (const name of Object.keys(fields)) if (!(name in s.fields)) open = true;
  }
  return { fields, open };
}
