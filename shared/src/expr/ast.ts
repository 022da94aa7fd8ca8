/** The expression AST. Every node keeps its 1-based column for error messages. */
export type BinaryOp = '+' | '-' | '*' | '/' | '%' | '==' | '!=' | '<' | '<=' | '>' | '>=' | '&&' | '||' | 'in' | 'not in';

export type Expr =
  | { kind: 'literal'; value: string | number | boolean | null; col: number }
  | { kind: 'list'; items: Expr[]; col: number }
  /** An event field, possibly dotted (`user.country`); `path` holds the segments. */
  | { kind: 'field'; path: string[]; col: number }
  | { kind: 'param'; name: string; col: number }
  /** `object[index]` or `object.name` on something that is not a plain field path. */
  | { kind: 'index'; object: Expr; index: Expr; col: number }
  | { kind: 'unary'; op: '!' | '-'; operand: Expr; col: number }
  | { kind: 'binary'; op: BinaryOp; left: Expr; right: Expr; col: number }
  | { kind: 'conditional'; test: Expr; then: Expr; otherwise: Expr; col: number }
  | { kind: 'call'; name: string; args: Expr[]; col: number };
