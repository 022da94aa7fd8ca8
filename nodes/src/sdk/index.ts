export * from './define-node.js';
export * from './error-event.js';
export * from './operator.js';
export * from './state.js';
export * from './inbox.js';
export * from './secrets.js';
