/**
 * The custom JSON Schema formats of node config schemas, and what each accepts, so a JSON Schema
 * tool can check them as the validator does. Custom names on purpose: the standard `duration`
 * means ISO 8601 (`PT5M`), and there is no standard expression format (docs/graph-format.md).
 */
import { DURATION_FORMAT, parseDuration } from '../duration.js';
import { parseExpression } from '../expr/api.js';

/** A string in Sluice's expression language (docs/expressions.md). */
export const EXPRESSION_FORMAT = 'sluice-expression';

/**
 * One check per format, for the string values they apply to (what `ajv.addFormat(name, check)`
 * takes). An expression passes when it parses; names and types need the document's params
 * and the events' schema, which only validateDocument has.
 */
export const CONFIG_FORMATS: Readonly<Record<string, (value: string) => boolean>> = {
  [DURATION_FORMAT]: (value) => parseDuration(value) !== undefined,
  [EXPRESSION_FORMAT]: (value) => parseExpression(value).ok,
};
