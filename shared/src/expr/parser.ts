/**
 * Pratt parser: tokens -> AST. Precedence, lowest first (all binary operators left-assoc):
 *
 *   1  c ? a : b           right-assoc
 *   2  ||
 *   3  &&
 *   4  == !=
 *   5  < <= > >= in, not in
 *   6  + -
 *   7  * / %
 *   8  ! -                 prefix
 *   9  .name [index] f()   postfix; only library functions can be called
 *
 * Depth is bounded two ways, both by MAX_DEPTH and both before anything can overflow: the
 * parser's own recursion (parentheses, lists, operands) is counted on the way down, prefix
 * chains (`!!!!x`) are collected in a loop, and the height of every node built is checked, so
 * a 5,000-long `a+a+...` chain stops at the 201st `+`. The checker and the compiler recurse
 * over the AST and rely on that height bound.
 */
import type { BinaryOp, Expr } from './ast.js';
import { ExprSyntaxError, MAX_DEPTH, MAX_SOURCE_LENGTH } from './errors.js';
import { FUNCTIONS, isFunctionName } from './functions.js';
import { type Token, tokenize } from './lexer.js';

const BINDING: ReadonlyMap<string, number> = new Map([
  ['||', 2],
  ['&&', 3],
  ['==', 4],
  ['!=', 4],
  ['<', 5],
  ['<=', 5],
  ['>', 5],
  ['>=', 5],
  ['in', 5],
  ['+', 6],
  ['-', 6],
  ['*', 7],
  ['/', 7],
  ['%', 7],
]);

export function parse(src: string): Expr {
  if (src.length > MAX_SOURCE_LENGTH) {
    throw new ExprSyntaxError(
      'expression is too long',
      MAX_SOURCE_LENGTH + 1,
      'expr-too-long',
      `${src.length} characters, at most ${MAX_SOURCE_LENGTH}`,
    );
  }
  const p = new Parser(tokenize(src));
  if (p.peek().kind === 'eof') throw new ExprSyntaxError('empty expression', 1);
  const e = p.expr(0);
  const t = p.peek();
  if (t.kind !== 'eof')
    throw new ExprSyntaxError(
      `unexpected ${describe(t)}`,
      t.col,
      'expr-syntax',
      t.text === ')' ? 'no ( to close' : 'an operator is missing before it',
    );
  return e;
}

const tooDeep = (col: number) =>
  new ExprSyntaxError(
    'expression is nested too deeply',
    col,
    'expr-too-deep',
    `more than ${MAX_DEPTH} levels; for many alternatives use x in [a, b, ...]`,
  );

class Parser {
  private pos = 0;
  private depth = 0;
  private readonly heights = new Map<Expr, number>();

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

  private expect(text: string, hint?: string): Token {
    const t = this.peek();
    if (t.kind !== 'op' || t.text !== text)
      throw new ExprSyntaxError(`expected '${text}' but found ${describe(t)}`, t.col, 'expr-syntax', hint);
    return this.next();
  }

  /** Records a new node's height (1 + its tallest child) and refuses one that is too tall. */
  private node<T extends Expr>(n: T, children: readonly Expr[]): T {
    let h = 0;
    for (const c of children) h = Math.max(h, this.heights.get(c) ?? 1);
    if (h + 1 > MAX_DEPTH) throw tooDeep(n.col);
    this.heights.set(n, h + 1);
    return n;
  }

  expr(minBinding: number): Expr {
    if (++this.depth > MAX_DEPTH) throw tooDeep(this.peek().col);
    let left = this.prefix();
    for (;;) {
      const t = this.peek();
      if (t.kind === 'op' && t.text === '?') {
        if (minBinding > 0) break;
        this.next();
        const then = this.expr(0);
        this.expect(':', `to go with the '?' at column ${t.col}`);
        const otherwise = this.expr(0);
        left = this.node({ kind: 'conditional', test: left, then, otherwise, col: t.col }, [left, then, otherwise]);
        continue;
      }
      const op = this.binaryOp(t);
      const binding = op === undefined ? 0 : BINDING.get(op === 'not in' ? 'in' : op)!;
      if (op === undefined || binding <= minBinding) break;
      this.pos += op === 'not in' ? 2 : 1;
      const right = this.expr(binding);
      left = this.node({ kind: 'binary', op, left, right, col: t.col }, [left, right]);
    }
    this.depth--;
    return left;
  }

  private binaryOp(t: Token): BinaryOp | undefined {
    if (t.kind === 'op') return BINDING.has(t.text) ? (t.text as BinaryOp) : undefined;
    if (t.kind !== 'ident') return undefined;
    if (t.text === 'in') return 'in';
    const after = this.tokens[this.pos + 1]!;
    return t.text === 'not' && after.kind === 'ident' && after.text === 'in' ? 'not in' : undefined;
  }

  /** Prefix operators are collected in a loop, so `!!!!...x` needs no recursion. */
  private prefix(): Expr {
    const ops: Token[] = [];
    while (this.isOp('!') || this.isOp('-')) {
      ops.push(this.next());
      if (ops.length + this.depth > MAX_DEPTH) throw tooDeep(ops[ops.length - 1]!.col);
    }
    let e = this.postfix(this.primary());
    for (let i = ops.length - 1; i >= 0; i--) {
      const t = ops[i]!;
      const op = t.text as '!' | '-';
      // Fold `-3` into a literal so that `x > -3` still gets the literal fast paths.
      if (op === '-' && e.kind === 'literal' && typeof e.value === 'number') e = { kind: 'literal', value: -e.value, col: t.col };
      else e = this.node({ kind: 'unary', op, operand: e, col: t.col }, [e]);
    }
    return e;
  }

  private postfix(e: Expr): Expr {
    for (;;) {
      const t = this.peek();
      if (t.kind !== 'op') return e;
      if (t.text === '.') {
        this.next();
        const name = this.next();
        if (name.kind !== 'ident') throw new ExprSyntaxError(`expected a field name after '.' but found ${describe(name)}`, name.col);
        if (e.kind === 'param') throw new ExprSyntaxError(`params.${e.name} is a single value, it has no field '${name.text}'`, name.col);
        const key: Expr = { kind: 'literal', value: name.text, col: name.col };
        // Field nodes are fresh from identifier(), so growing the path in place is safe (and linear).
        if (e.kind === 'field') {
          if (e.path.push(name.text) > MAX_DEPTH) throw tooDeep(name.col);
        } else e = this.node({ kind: 'index', object: e, index: key, col: t.col }, [e, key]);
      } else if (t.text === '[') {
        this.next();
        const index = this.expr(0);
        this.expect(']', `to close the '[' at column ${t.col}`);
        // item["odd name"] is the field path item / odd name: checked and read like item.name.
        if (e.kind === 'field' && index.kind === 'literal' && typeof index.value === 'string') e.path.push(index.value);
        else e = this.node({ kind: 'index', object: e, index, col: t.col }, [e, index]);
      } else if (t.text === '(') {
        const what = e.kind === 'field' ? `'${e.path.join('.')}'` : 'this value';
        throw new ExprSyntaxError(
          `${what} cannot be called`,
          t.col,
          'expr-not-callable',
          `only library functions can: ${Object.keys(FUNCTIONS).join(', ')}`,
        );
      } else return e;
    }
  }

  private primary(): Expr {
    const t = this.next();
    switch (t.kind) {
      case 'num':
        return { kind: 'literal', value: t.num, col: t.col };
      case 'str':
        return { kind: 'literal', value: t.text, col: t.col };
      case 'ident':
        return this.identifier(t);
      case 'op':
        if (t.text === '(') {
          const e = this.expr(0);
          this.expect(')', `to close the '(' at column ${t.col}`);
          return e;
        }
        if (t.text === '[') {
          const items = this.list(']', t);
          return this.node({ kind: 'list', items, col: t.col }, items);
        }
        throw new ExprSyntaxError(`unexpected ${describe(t)}`, t.col);
      case 'eof':
        throw new ExprSyntaxError('unexpected end of expression', t.col);
    }
  }

  private identifier(t: Token): Expr {
    switch (t.text) {
      case 'true':
      case 'false':
        return { kind: 'literal', value: t.text === 'true', col: t.col };
      case 'null':
        return { kind: 'literal', value: null, col: t.col };
      case 'in':
        throw new ExprSyntaxError("unexpected 'in'", t.col, 'expr-syntax', 'it needs a value on its left');
      case 'params':
        return this.param(t);
    }
    if (!this.isOp('(')) return { kind: 'field', path: [t.text], col: t.col };
    if (!isFunctionName(t.text)) {
      throw new ExprSyntaxError(
        `unknown function '${t.text}'`,
        t.col,
        'expr-unknown-function',
        `known: ${Object.keys(FUNCTIONS).join(', ')}`,
      );
    }
    const open = this.next();
    const args = this.list(')', open);
    const fn = FUNCTIONS[t.text]!;
    if (args.length < fn.minArgs || args.length > fn.maxArgs) {
      const want =
        fn.minArgs === fn.maxArgs
          ? `${fn.minArgs}`
          : fn.maxArgs === Number.POSITIVE_INFINITY
            ? `at least ${fn.minArgs}`
            : `${fn.minArgs} or ${fn.maxArgs}`;
      throw new ExprSyntaxError(
        `${t.text}() takes ${want} argument${want === '1' ? '' : 's'}, got ${args.length}`,
        t.col,
        'expr-arity',
        fn.signature,
      );
    }
    if (t.text === 'has' && args[0]!.kind !== 'field') {
      throw new ExprSyntaxError('has() takes a field, not a value', args[0]!.col, 'expr-syntax', 'e.g. has(user.country)');
    }
    return this.node({ kind: 'call', name: t.text, args, col: t.col }, args);
  }

  private param(t: Token): Expr {
    if (!this.isOp('.')) throw new ExprSyntaxError("'params' alone is not a value", t.col, 'expr-unknown-param', 'use params.NAME');
    this.next();
    const name = this.next();
    if (name.kind !== 'ident')
      throw new ExprSyntaxError(`expected a param name after 'params.' but found ${describe(name)}`, name.col, 'expr-unknown-param');
    return { kind: 'param', name: name.text, col: t.col };
  }

  /** Comma-separated expressions up to `close` (the opening token is consumed already). */
  private list(close: ')' | ']', open: Token): Expr[] {
    const items: Expr[] = [];
    if (this.isOp(close)) {
      this.next();
      return items;
    }
    for (;;) {
      items.push(this.expr(0));
      if (!this.isOp(',')) break;
      this.next();
    }
    this.expect(close, `to close the '${open.text}' at column ${open.col}`);
    return items;
  }
}

function describe(t: Token): string {
  switch (t.kind) {
    case 'eof':
      return 'end of expression';
    case 'str':
      return `string ${JSON.stringify(t.text.length > 20 ? `${t.text.slice(0, 20)}...` : t.text)}`;
    case 'num':
      return `number ${t.text}`;
    default:
      return `'${t.text}'`;
  }
}
