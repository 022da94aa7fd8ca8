export * from './document-schema.js';
export * from './json-schema.js';
export * from './migrate.js';
export { parseDocumentText, type ValidationResult, validateDocument } from './validate.js';
export { formatPath, issueMessage } from './zod-issues.js';
export * from './diff.js';
