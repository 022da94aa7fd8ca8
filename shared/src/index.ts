export * from './diagnostic.js';
export * from './duration.js';
export * from './expr/index.js';
export * from './graph/document.js';
export * from './graph/node-type.js';
export * from './schema/event-meta.js';
export * from './schema/event-schema.js';
export * from './protocol/metrics.js';
