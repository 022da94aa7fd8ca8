/** Masking rules and a document's privacy settings (docs/privacy.md). */
export * from './mask-rule.js';
export * from './personal-fields.js';
export * from './privacy-settings.js';
