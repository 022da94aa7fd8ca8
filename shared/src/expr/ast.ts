/** The expression AST. Every node keeps the 1-based column of its first token (operators: the operator's). */
export type BinaryOp = '+' | '-' | '*' | '/' | '%' | '==' | '!=' | '<' | '<=' | '>' | '>=' | '&&' | '||' | 'in' | 'not in';

export type Expr =
  | { kind: 'literal'; value: string | number | boolean | null; col: number }
  | { kind: 'list'; items: Expr[]; col: number }
  /** An event field: `user.country` and `user["country"]` both have the path ['user', 'country']. */
  | { kind: 'field'; path: string[]; col: number }
  /** `params.NAME`: a constant bound when compiling. */
  | { kind: 'param'; name: string; col: number }
  /** A computed index (`tags[0]`, `user[key]`) or a name on something that is not a field. */
  | { kind: 'index'; object: Expr; index: Expr; col: number }
  | { kind: 'unary'; op: '!' | '-'; operand: Expr; col: number }
  | { kind: 'binary'; op: BinaryOp; left: Expr; right: Expr; col: number }
  | { kind: 'conditional'; test: Expr; then: Expr; otherwise: Expr; col: number }
  /** A library function; the parser refuses any other call. */
  | { kind: 'call'; name: string; args: Expr[]; col: number };
