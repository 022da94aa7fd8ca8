/**
 * How deep JSON may nest at every door (API bodies, ingest, the CLI's files). Every walker in
 * Sluice (validation, diffs, JSON.stringify, msgpack, structuredClone) recurses, and V8's stack
 * gives out near 10,000 frames; JSON.parse itself does not (it is iterative), so a deep text
 * parses fine and crashes later. The limits are checked on the text before parsing
 * (json-bounds.ts). See docs/api.md "Limits".
 */

/**
 * A pipeline document (and any API body). The deepest real documents nest about 8 levels
 * (document > nodes > node > config > rows > row > when > cell); a preview upload wraps events
 * 3 levels down (body > events > node list > event). 64 leaves room for both many times over.
 */
export const MAX_DOCUMENT_DEPTH = 64;

/**
 * One event (a record posted to ingest, an uploaded preview event). Events from devices and
 * webhooks nest a handful of levels; 32 is generous and keeps each event's per-operator walks
 * (copies, serialization to Redis) shallow.
 */
export const MAX_RECORD_DEPTH = 32;
