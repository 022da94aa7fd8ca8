export * from './golden-case.js';
export * from './run-golden-cases.js';
export * from './run-operator.js';
export * from './poll-source.js';
