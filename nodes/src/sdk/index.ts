export * from './define-node.js';
export * from './operator.js';
export * from './state.js';
