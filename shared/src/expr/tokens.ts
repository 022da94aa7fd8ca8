/** The lexer: source text -> tokens with 1-based columns. */
import { ExprSyntaxError } from './expr-errors.js';

export type TokenKind = 'num' | 'str' | 'ident' | 'op' | 'eof';

export interface Token {
  kind: TokenKind;
  /** Operator text, identifier name, or the string's decoded value. */
  text: string;
  num?: number;
  col: number;
}

const OPERATORS = ['==', '!=', '<=', '>=', '&&', '||', '+', '-', '*', '/', '%', '<', '>', '!', '?', ':', '(', ')', '[', ']', ',', '.'];
const ESCAPES: Record<string, string> = { n: '\n', t: '\t', r: '\r', '"': '"', "'": "'", '\\': '\\', '/': '/', b: '\b', f: '\f' };

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
    if (isDigit(c) || (c === '.' && isDigit(src[i + 1] ?? ''))) {
      const m = /^(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?/.exec(src.slice(i))!;
      out.push({ kind: 'num', text: m[0], num: Number(m[0]), col });
      i += m[0].length;
      continue;
    }
    if (c === '"' || c === "'") {
      let j = i + 1;
      let value = '';
      for (;;) {
        if (j >= src.length) throw new ExprSyntaxError('unterminated string', col);
        const d = src[j]!;
        if (d === c) break;
        if (d === '\\') {
          const e = src[j + 1];
          if (e === 'u' && /^[0-9a-fA-F]{4}$/.test(src.slice(j + 2, j + 6))) {
            value += String.fromCharCode(Number.parseInt(src.slice(j + 2, j + 6), 16));
            j += 6;
            continue;
          }
          if (e === undefined || ESCAPES[e] === undefined) throw new ExprSyntaxError(`unknown escape \\${e ?? ''} in string`, j + 1);
          value += ESCAPES[e];
          j += 2;
          continue;
        }
        value += d;
        j++;
      }
      out.push({ kind: 'str', text: value, col });
      i = j + 1;
      continue;
    }
    if (/[A-Za-z_$]/.test(c)) {
      const m = /^[A-Za-z_$][A-Za-z0-9_$]*/.exec(src.slice(i))!;
      out.push({ kind: 'ident', text: m[0], col });
      i += m[0].length;
      continue;
    }
    const op = OPERATORS.find((o) => src.startsWith(o, i));
    if (!op) {
      const hint = c === '=' ? " (use == to compare)" : c === '&' || c === '|' ? ` (use ${c}${c})` : '';
      throw new ExprSyntaxError(`unexpected character '${c}'${hint}`, col);
    }
    out.push({ kind: 'op', text: op, col });
    i += op.length;
  }
  out.push({ kind: 'eof', text: '', col: src.length + 1 });
  return out;
}

function isDigit(c: string): boolean {
  return c >= '0' && c <= '9';
}
