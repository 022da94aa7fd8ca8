export * from './define-node.js';
export * from './error-event.js';
export * from './operator.js';
export * from './partial-rows.js';
export * from './state.js';
export * from './inbox.js';
export * from './secrets.js';
export * from './plugin.js';
/** The zod a node's config schema is written with: the validator, JSON Schema and forms read it, so a plugin uses this one. */
export { z } from 'zod';
export { keyFunction, type KeyFn } from './state-key.js';
