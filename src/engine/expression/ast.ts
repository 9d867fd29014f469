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

/**
 * A runtime value, always a number so that a unit's values fit in a Float64Array and
 * scoring allocates nothing: NaN is the undefined of §3 (a division by zero and what
 * follows from it), a boolean is 1 or 0, and a string (a grade) is its id in the rule
 * set's table of strings.
 */
export type Value = number;
export type Env = Float64Array;

/** A problem found in an expression, at an offset of its text. */
export interface ExprProblem {
  code: 'EXPR_SYNTAX' | 'EXPR_UNKNOWN_NAME' | 'EXPR_UNKNOWN_FUNCTION' | 'EXPR_ARITY' | 'EXPR_TYPE' | 'UNKNOWN_GRADE' | 'UNKNOWN_LEVEL' | 'PEER_NESTED' | 'PEER_NOT_ALLOWED';
  message: string;
  at: number;
  /** The name an EXPR_UNKNOWN_NAME is about. */
  name?: string;
}

/** Names an expression may use, with their types (and, for grade inputs, their grades). */
export interface NameInfo {
  type: ValueType;
  slot: number;
  grades?: readonly string[];
  /** An events input (§7.6): usable only as the first argument of count() and sum(); the slots of its figures. */
  events?: EventFigures;
  /** A metric whose formula calls a peer function, directly or through another metric (§7.7: never inside one). */
  peers?: boolean;
}

/** Where an events input's figures are kept: its count, the sum of its points, and the count at each level. */
export interface EventFigures { count: number; sum: number; levels: ReadonlyMap<string, number>; }

/** The peer functions of §7.7. */
export type PeerFunction = 'peerMax' | 'peerMin' | 'peerSum' | 'peerCount' | 'peerAvg' | 'peerRank';
export const PEER_FUNCTIONS: ReadonlySet<string> = new Set<PeerFunction>(['peerMax', 'peerMin', 'peerSum', 'peerCount', 'peerAvg', 'peerRank']);

/** The strings of a rule set (grades and the text they are compared with), each with a numeric id. */
export class StringTable {
  readonly list: string[] = [];
  private readonly ids = new Map<string, number>();
  id(s: string): number {
    let id = this.ids.get(s);
    if (id === undefined) { id = this.list.length; this.list.push(s); this.ids.set(s, id); }
    return id;
  }
  text(id: number): string | undefined {
    return Number.isInteger(id) ? this.list[id] : undefined;
  }
}
