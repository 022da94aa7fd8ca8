/** The pipeline document: schema, validation, migration, JSON Schema, diffs. */
export * from './diff.js';
export * from './env-refs.js';
export * from './field-use.js';
export * from './document-schema.js';
export { exceedsBytes, type ParsedText, parseDocumentText } from './document-text.js';
export * from './json-schema.js';
export * from './migrate.js';
export { type Limits, type ValidateOptions, type ValidationResult, validateDocument } from './validate.js';
export { isSourceType, outputPorts } from './validate-graph.js';
export { formatPath, issueMessage } from './zod-issues.js';
export * from './config-formats.js';
export { formatCount, WORK_LIMITS, type WorkLimit, workBoundProblem } from './work-bounds.js';
