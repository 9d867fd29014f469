/** The expression tree of RULES.md §3. `at` is the offset of the node in the expression text. */
export type Expr =
  | { kind: 'number'; value: number; at: number }
  | { kind: 'boolean'; value: boolean; at: number }
  | { kind: 'string'; value: string; at: number }
  | { kind: 'name'; name: string; at: number }
  | { kind: 'unary'; op: '-' | 'not'; operand: Expr; at: number }
  | { kind: 'binary'; op: BinaryOp; left: Expr; right: Expr; at: number }
  | { kind: 'call'; fn: string; args: Expr[]; at: number };

export type BinaryOp = 'or' | 'and' | '==' | '!=' | '<' | '<=' | '>' | '>=' | '+' | '-' | '*' | '/';

export type ValueType = 'number' | 'boolean' | 'string';

/** A runtime value: `undefined` is the undefined of §3 (a division by zero and what follows from it). */
export type Value = number | boolean | string | undefined;

/** A problem found in an expression, at an offset of its text. */
export interface ExprProblem {
  code: 'EXPR_SYNTAX' | 'EXPR_UNKNOWN_NAME' | 'EXPR_UNKNOWN_FUNCTION' | 'EXPR_ARITY' | 'EXPR_TYPE' | 'UNKNOWN_GRADE';
  message: string;
  at: number;
}

/** Names an expression may use, with their types (and, for grade inputs, their grades). */
export interface NameInfo {
  type: ValueType;
  slot: number;
  grades?: readonly string[];
}
