export * from './golden-case.js';
export * from './run-golden-cases.js';
export * from './run-operator.js';
export * from './poll-source.js';
export { TEST_KEY_ROOT } from './test-key-root.js';
export { tempFolders } from './temp-folders.js';
