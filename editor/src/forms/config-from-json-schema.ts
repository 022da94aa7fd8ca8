/**
 * A node type's config schema rebuilt from the JSON Schema the server answers (a plugin type
 * the editor's bundle does not hold): zod's `fromJSONSchema` gives the checks the validator runs
 * as you type, and the server's JSON Schema, attached as the root's metadata, is what
 * `z.toJSONSchema` gives back, so the form and the unknown-key warnings read the server's
 * schema as sent (a round trip through zod would drop the custom formats that draw expression
 * and duration inputs).
 */
import { z } from 'zod';

export function configFromJsonSchema(schema: Record<string, unknown>): z.ZodType<unknown> {
  const { $schema: _dialect, ...asSent } = schema;
  let checks: z.ZodType<unknown>;
  try {
    const rebuilt = z.fromJSONSchema(schema);
    // Unknown keys dropped, as a built-in type's object does (they are warned about, not refused).
    checks = rebuilt instanceof z.ZodObject ? rebuilt.strip() : rebuilt;
  } catch {
    // A schema zod cannot rebuild: any object passes here, the server's validate answer checks it.
    checks = z.record(z.string(), z.unknown());
  }
  return checks.meta(asSent);
}
