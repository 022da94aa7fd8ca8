/** The lexer: source text -> tokens, each with its 1-based column. Linear time, no backtracking. */
import { ExprSyntaxError } from './errors.js';

export type TokenKind = 'num' | 'str' | 'ident' | 'op' | 'eof';

export interface Token {
  kind: TokenKind;
  /** Operator text, identifier name, or a string's decoded value. */
  text: string;
  /** The value of a number token. */
  num: number;
  col: number;
}

// Longest first, so `<=` wins over `<`.
const OPERATORS = ['==', '!=', '<=', '>=', '&&', '||', '+', '-', '*', '/', '%', '<', '>', '!', '?', ':', '(', ')', '[', ']', ',', '.'];
const ESCAPES: Readonly<Record<string, string>> = {
  n: '\n',
  t: '\t',
  r: '\r',
  '"': '"',
  "'": "'",
  '\\': '\\',
  '/': '/',
  b: '\b',
  f: '\f',
  '0': '\0',
};
// Sticky regexes match at lastIndex only: no copying of the rest of the source per token.
const NUMBER = /(?:\d+(?:\.\d+)?|\.\d+)(?:[eE][+-]?\d+)?/y;
// Letters of any script, so that fields like `prénom` need no brackets.
const IDENT = /[\p{L}_$][\p{L}\p{N}_$]*/uy;
const HEX4 = /[0-9a-fA-F]{4}/y;

export function tokenize(src: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  while (i < src.length) {
    const c = src[i]!;
    if (c === ' ' || c === '\t' || c === '\n' || c === '\r') {
      i++;
      continue;
    }
    const col = i + 1;
    if ((c >= '0' && c <= '9') || (c === '.' && isDigit(src[i + 1]))) {
      const text = stickyMatch(NUMBER, src, i)!;
      const num = Number(text);
      if (!Number.isFinite(num)) throw new ExprSyntaxError(`number ${text} is too large`, col);
      out.push({ kind: 'num', text, num, col });
      i += text.length;
      continue;
    }
    if (c === '"' || c === "'") {
      const [text, end] = readString(src, i);
      out.push({ kind: 'str', text, num: 0, col });
      i = end;
      continue;
    }
    const name = stickyMatch(IDENT, src, i);
    if (name !== undefined) {
      out.push({ kind: 'ident', text: name, num: 0, col });
      i += name.length;
      continue;
    }
    const op = OPERATORS.find((o) => src.startsWith(o, i));
    if (op === undefined) throw new ExprSyntaxError(`unexpected character '${c}'`, col, 'expr-syntax', hintFor(src, i));
    out.push({ kind: 'op', text: op, num: 0, col });
    i += op.length;
  }
  out.push({ kind: 'eof', text: '', num: 0, col: src.length + 1 });
  return out;
}

/** A quoted string starting at `start`: its decoded value and the index after the closing quote. */
function readString(src: string, start: number): [string, number] {
  const quote = src[start]!;
  let value = '';
  let j = start + 1;
  for (;;) {
    if (j >= src.length) throw new ExprSyntaxError('unterminated string', start + 1, 'expr-syntax', `add the closing ${quote}`);
    const d = src[j]!;
    if (d === quote) return [value, j + 1];
    if (d !== '\\') {
      value += d;
      j++;
      continue;
    }
    const e = src[j + 1];
    if (e === 'u' && stickyMatch(HEX4, src, j + 2) !== undefined) {
      value += String.fromCharCode(Number.parseInt(src.slice(j + 2, j + 6), 16));
      j += 6;
      continue;
    }
    const decoded = e === undefined ? undefined : ESCAPES[e];
    if (decoded === undefined || !Object.hasOwn(ESCAPES, e!)) {
      throw new ExprSyntaxError(
        `unknown escape '\\${e ?? ''}' in string`,
        j + 1,
        'expr-syntax',
        'known: \\n \\t \\r \\" \\\' \\\\ \\uXXXX',
      );
    }
    value += decoded;
    j += 2;
  }
}

function stickyMatch(re: RegExp, src: string, at: number): string | undefined {
  re.lastIndex = at;
  return re.exec(src)?.[0];
}

function isDigit(c: string | undefined): boolean {
  return c !== undefined && c >= '0' && c <= '9';
}

function hintFor(src: string, i: number): string | undefined {
  const c = src[i];
  if (c === '=') return src[i - 1] === '=' ? 'there is no === or !==: use == or !=' : 'use == to compare';
  if (c === '&' || c === '|') return `use ${c}${c}`;
  if (c === '`') return 'strings use " or \'';
  return undefined;
}
