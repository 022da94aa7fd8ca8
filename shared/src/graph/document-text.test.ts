import { describe, expect, it } from 'vitest';
import { exceedsBytes, parseDocumentText, sizeText } from './document-text.js';

describe('parseDocumentText', () => {
  it('parses JSON', () => {
    expect(parseDocumentText('{"a": [1]}')).toEqual({ value: { a: [1] }, diagnostics: [] });
  });

  it('says where JSON breaks', () => {
    const at = (text: string) => parseDocumentText(text).diagnostics[0]!.message;
    expect(at('{"a": 1,}')).toBe('malformed JSON at line 1, column 9: unexpected "}"');
    expect(at('{\n  "a": tru\n}')).toBe('malformed JSON at line 2, column 8: unexpected "t"');
    expect(at('{"a": [1, 2')).toBe('malformed JSON at line 1, column 12: unexpected end of text');
  });

  it('refuses more than the limit before parsing, counting UTF-8 bytes', () => {
    expect(parseDocumentText('"ééé"', 7).diagnostics).toEqual([
      { severity: 'error', code: 'too-large', message: 'the document is larger than 7 bytes (the limit); it was not read' },
    ]);
    expect(parseDocumentText('"ééé"', 8).value).toBe('ééé');
  });
});

describe('exceedsBytes', () => {
  it('counts 1 to 4 bytes per code point', () => {
    expect(exceedsBytes('abc', 3)).toBe(false);
    expect(exceedsBytes('abcd', 3)).toBe(true);
    expect(exceedsBytes('é€😀', 9)).toBe(false);
    expect(exceedsBytes('é€😀', 8)).toBe(true);
    expect(exceedsBytes('x'.repeat(5 * 1024 * 1024 + 1), 5 * 1024 * 1024)).toBe(true);
  });

  it('names sizes', () => {
    expect([sizeText(5 * 1024 * 1024), sizeText(2048), sizeText(7)]).toEqual(['5 MiB', '2 KiB', '7 bytes']);
  });
});
