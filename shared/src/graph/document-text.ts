/**
 * Document text -> JSON value. The size limit is checked before JSON.parse so a huge upload
 * costs a length count, not a parse; a syntax error gets a line and a column, which Node 20's
 * JSON.parse does not give.
 */
import type { Diagnostic } from '../diagnostic.js';
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
  try {
    return { value: JSON.parse(text), diagnostics: [] };
  } catch {
    const offset = jsonErrorOffset(text);
    const upTo = text.slice(0, Math.max(0, offset));
    const line = upTo.split('\n').length;
    const column = upTo.length - upTo.lastIndexOf('\n');
    const found = offset >= 0 && offset < text.length ? `unexpected ${JSON.stringify(text[offset])}` : 'unexpected end of text';
    return { diagnostics: [{ severity: 'error', code: 'malformed-json', message: `malformed JSON at line ${line}, column ${column}: ${found}` }] };
  }
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
