/**
 * Recursive descent with precedence climbing. Depth is counted explicitly (nesting and chains
 * alike), so a 5,000-deep input is a clean error and never a stack overflow.
 *
 * Precedence, lowest first: `?:` (right), `||`, `&&`, `== !=`, `< <= > >= in` / `not in`,
 * `+ -`, `* / %`, unary `! -`, postfix `.name [index] (call)`.
 */
import type { BinaryOp, Expr } from './ast.js';
import { ExprSyntaxError, MAX_DEPTH, MAX_SOURCE_LENGTH } from './expr-errors.js';
import { FUNCTIONS } from './library.js';
import { type Token, tokenize } from './tokens.js';

const LEVELS: string[][] = [['||'], ['&&'], ['==', '!='], ['<', '<=', '>', '>=', 'in'], ['+', '-'], ['*', '/', '%']];

export function parse(src: string): Expr {
  if (src.length > MAX_SOURCE_LENGTH) throw new ExprSyntaxError(`expression is too long (${src.length} characters, at most ${MAX_SOURCE_LENGTH})`, MAX_SOURCE_LENGTH + 1, 'expr-too-long');
  const p = new Parser(tokenize(src));
  if (p.peek().kind === 'eof') throw new ExprSyntaxError('empty expression', 1);
  const e = p.expression();
  const t = p.peek();
  if (t.kind !== 'eof') throw new ExprSyntaxError(`unexpected ${describe(t)}`, t.col);
  return e;
}

class Parser {
  private pos = 0;
  private depth = 0;

  constructor(private readonly tokens: Token[]) {}

  peek(): Token {
    return this.tokens[this.pos]!;
  }

  private next(): Token {
    return this.tokens[this.pos++]!;
  }

  private isOp(text: string): boolean {
    const t = this.peek();
    return t.kind === 'op' && t.text === text;
  }

  private expect(text: string): Token {
    const t = this.peek();
    if (t.kind !== 'op' || t.text !== text) throw new ExprSyntaxError(`expected '${text}' but found ${describe(t)}`, t.col);
    return this.next();
  }

  private enter(col: number): void {
    if (++this.depth > MAX_DEPTH) throw new ExprSyntaxError(`expression is nested too deeply (more than ${MAX_DEPTH} levels)`, col, 'expr-too-deep');
  }

  expression(): Expr {
    this.enter(this.peek().col);
    const test = this.binary(0);
    let result = test;
    if (this.isOp('?')) {
      const q = this.next();
      const then = this.expression();
      this.expect(':');
      const otherwise = this.expression();
      result = { kind: 'conditional', test, then, otherwise, col: q.col };
    }
    this.depth--;
    return result;
  }

  private binary(level: number): Expr {
    if (level === LEVELS.length) return this.unary();
    let left = this.binary(level + 1);
    let chain = 0;
    for (;;) {
      const t = this.peek();
      let op: BinaryOp | undefined;
      if (t.kind === 'op' && LEVELS[level]!.includes(t.text)) op = t.text as BinaryOp;
      else if (t.kind === 'ident' && level === 3 && t.text === 'in') op = 'in';
      else if (t.kind === 'ident' && level === 3 && t.text === 'not' && this.tokens[this.pos + 1]?.text === 'in') op = 'not in';
      if (!op) return left;
      this.next();
      if (op === 'not in') this.next();
      // A long chain (a+a+a+...) builds a deep left spine: count it like nesting.
      if (++chain + this.depth > MAX_DEPTH) throw new ExprSyntaxError(`expression is nested too deeply (more than ${MAX_DEPTH} levels)`, t.col, 'expr-too-deep');
      const right = this.binary(level + 1);
      left = { kind: 'binary', op, left, right, col: t.col };
    }
  }

  private unary(): Expr {
    const t = this.peek();
    if (t.kind === 'op' && (t.text === '!' || t.text === '-')) {
      this.next();
      this.enter(t.col);
      const operand = this.unary();
      this.depth--;
      if (t.text === '-' && operand.kind === 'literal' && typeof operand.value === 'number') return { ...operand, value: -operand.value, col: t.col };
      return { kind: 'unary', op: t.text, operand, col: t.col };
    }
    return this.postfix(this.primary());
  }

  private postfix(e: Expr): Expr {
    for (;;) {
      const t = this.peek();
      if (t.kind !== 'op') return e;
      if (t.text === '.') {
        this.next();
        const name = this.next();
        if (name.kind !== 'ident') throw new ExprSyntaxError(`expected a field name after '.' but found ${describe(name)}`, name.col);
        if (e.kind === 'field') e = { ...e, path: [...e.path, name.text] };
        else if (e.kind === 'param') throw new ExprSyntaxError(`params.${e.name} is a value, it has no field '${name.text}'`, name.col);
        else e = { kind: 'index', object: e, index: { kind: 'literal', value: name.text, col: name.col }, col: t.col };
      } else if (t.text === '[') {
        this.next();
        const index = this.expression();
        this.expect(']');
        e = { kind: 'index', object: e, index, col: t.col };
      } else if (t.text === '(') {
        throw new ExprSyntaxError('only library functions can be called', t.col, 'expr-not-callable');
      } else return e;
    }
  }

  private primary(): Expr {
    const t = this.next();
    switch (t.kind) {
      case 'num':
        return { kind: 'literal', value: t.num!, col: t.col };
      case 'str':
        return { kind: 'literal', value: t.text, col: t.col };
      case 'ident':
        return this.identifier(t);
      case 'op':
        if (t.text === '(') {
          const e = this.expression();
          this.expect(')');
          return e;
        }
        if (t.text === '[') return this.list(t);
        throw new ExprSyntaxError(`unexpected ${describe(t)}`, t.col);
      case 'eof':
        throw new ExprSyntaxError('unexpected end of expression', t.col);
    }
  }

  private identifier(t: Token): Expr {
    if (t.text === 'true' || t.text === 'false') return { kind: 'literal', value: t.text === 'true', col: t.col };
    if (t.text === 'null') return { kind: 'literal', value: null, col: t.col };
    if (this.isOp('(')) {
      const fn = FUNCTIONS[t.text];
      if (!fn || !Object.hasOwn(FUNCTIONS, t.text)) {
        throw new ExprSyntaxError(`unknown function '${t.text}' (known: ${Object.keys(FUNCTIONS).join(', ')})`, t.col, 'expr-unknown-function');
      }
      this.next();
      const args: Expr[] = [];
      if (!this.isOp(')')) {
        do args.push(this.expression());
        while (this.isOp(',') && this.next());
      }
      this.expect(')');
      if (args.length < fn.minArgs || args.length > fn.maxArgs) {
        const want = fn.minArgs === fn.maxArgs ? `${fn.minArgs}` : fn.maxArgs === Number.POSITIVE_INFINITY ? `at least ${fn.minArgs}` : `${fn.minArgs} to ${fn.maxArgs}`;
        throw new ExprSyntaxError(`${t.text}() takes ${want} argument${want === '1' ? '' : 's'}, got ${args.length}`, t.col, 'expr-arity');
      }
      if (t.text === 'has' && args[0]!.kind !== 'field') throw new ExprSyntaxError('has() takes a field name, e.g. has(user.country)', args[0]!.col, 'expr-type');
      return { kind: 'call', name: t.text, args, col: t.col };
    }
    if (t.text === 'params') {
      if (!this.isOp('.')) throw new ExprSyntaxError("use params.NAME to read a param", t.col, 'expr-unknown-param');
      this.next();
      const name = this.next();
      if (name.kind !== 'ident') throw new ExprSyntaxError(`expected a param name after 'params.' but found ${describe(name)}`, name.col);
      return { kind: 'param', name: name.text, col: t.col };
    }
    return { kind: 'field', path: [t.text], col: t.col };
  }

  private list(open: Token): Expr {
    const items: Expr[] = [];
    if (!this.isOp(']')) {
      do items.push(this.expression());
      while (this.isOp(',') && this.next());
    }
    this.expect(']');
    return { kind: 'list', items, col: open.col };
  }
}

function describe(t: Token): string {
  if (t.kind === 'eof') return 'end of expression';
  if (t.kind === 'str') return `string "${t.text}"`;
  return `'${t.text}'`;
}
