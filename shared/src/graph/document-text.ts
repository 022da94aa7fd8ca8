/**
 * Document text -> JSON value. The size limit is checked before JSON.parse so a huge upload
 * costs a length count, not a parse; a syntax error gets a line and a column, which Node 20's
 * JSON.parse does not give.
 */
import type { Diagnostic } from '../diagnostic.js';
import { findDepthExcess, findNonFinite } from '../json-bounds.js';
import { MAX_DOCUMENT_DEPTH } from '../limits.js';
import { LIMITS } from './document.js';
import { jsonErrorOffset } from './json-position.js';

export interface ParsedText {
  /** The parsed JSON, when there are no diagnostics. */
  value?: unknown;
  diagnostics: Diagnostic[];
}

export function parseDocumentText(text: string, maxBytes: number = LIMITS.maxBytes): ParsedText {
  if (exceedsBytes(text, maxBytes)) {
    const message = `the document is larger than ${sizeText(maxBytes)} (the limit); it was not read`;
    return { diagnostics: [{ severity: 'error', code: 'too-large', message }] };
  }
  // Before JSON.parse: a 100,000-deep text parses, then overflows the stack of every walker.
  const deep = findDepthExcess(text, MAX_DOCUMENT_DEPTH);
  if (deep) {
    const message = `the document nests deeper than ${MAX_DOCUMENT_DEPTH} levels at ${lineColumn(text, deep.offset)}; the limit is ${MAX_DOCUMENT_DEPTH}`;
    return { diagnostics: [{ severity: 'error', code: 'too-deep', message }] };
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    const offset = jsonErrorOffset(text);
    const found = offset >= 0 && offset < text.length ? `unexpected ${JSON.stringify(text[offset])}` : 'unexpected end of text';
    return {
      diagnostics: [{ severity: 'error', code: 'malformed-json', message: `malformed JSON at ${lineColumn(text, offset)}: ${found}` }],
    };
  }
  const bad = findNonFinite(value);
  if (bad !== undefined) {
    const message = `the number at ${bad} is too large to represent (it would read as null)`;
    return { diagnostics: [{ severity: 'error', code: 'non-finite-number', message, path: bad }] };
  }
  return { value, diagnostics: [] };
}

function lineColumn(text: string, offset: number): string {
  const upTo = text.slice(0, Math.max(0, offset));
  return `line ${upTo.split('\n').length}, column ${upTo.length - upTo.lastIndexOf('\n')}`;
}

/** True when the UTF-8 encoding of `text` is longer than `max` bytes, without encoding it. */
export function exceedsBytes(text: string, max: number): boolean {
  // Each UTF-16 unit is 1 to 3 bytes (a surrogate pair 4 for 2): the length alone often decides.
  if (text.length > max) return true;
  if (text.length * 3 <= max) return false;
  let bytes = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    bytes += c < 0x80 ? 1 : c < 0x800 ? 2 : 3;
    // A high surrogate's pair adds 1 more: 4 bytes per code point in all.
    if (c >= 0xd800 && c <= 0xdbff) bytes -= 2;
    if (bytes > max) return true;
  }
  return false;
}

/** 5242880 -> "5 MiB". */
export function sizeText(bytes: number): string {
  if (bytes % (1024 * 1024) === 0) return `${bytes / (1024 * 1024)} MiB`;
  if (bytes % 1024 === 0) return `${bytes / 1024} KiB`;
  return `${bytes} bytes`;
}
