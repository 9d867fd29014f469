import { compare, nine, roundAt } from './decimal.js';

/**
 * RULES.md §3, §7.6, §7.7 and §7.10a: a small recursive-descent parser and a tree walker.
 * Loosest first: or, and, not, comparisons, + -, * /, unary -. Nothing here builds JavaScript source.
 */

export interface ReferenceEvent { level?: string; points: number }
export type Value = number | boolean | string | undefined | ReferenceEvent[];

export type Node =
  | { kind: 'number'; value: number }
  | { kind: 'string'; value: string }
  | { kind: 'boolean'; value: boolean }
  | { kind: 'name'; name: string }
  | { kind: 'negate'; operand: Node }
  | { kind: 'not'; operand: Node }
  | { kind: 'binary'; op: string; left: Node; right: Node }
  | { kind: 'call'; fn: string; args: Node[] };

/** What an expression can ask of the unit it is evaluated for. */
export interface Scope {
  name(name: string): Value;
  /** The units of the ranking scope, this one included (§7.7). */
  peers(): Scope[];
}

interface Token { kind: 'number' | 'string' | 'name' | 'op' | 'end'; text: string; value?: number | string }

const OPERATORS = ['==', '!=', '<=', '>=', '<', '>', '+', '-', '*', '/', '(', ')', ','];

function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const rest = text.slice(i);
    const space = /^\s+/u.exec(rest);
    if (space) { i += space[0].length; continue; }
    const num = /^(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?/u.exec(rest);
    if (num) { tokens.push({ kind: 'number', text: num[0], value: Number(num[0]) }); i += num[0].length; continue; }
    const name = /^[\p{L}_][\p{L}\p{Nd}_]*(\.[\p{L}_][\p{L}\p{Nd}_]*)?/u.exec(rest);
    if (name) { tokens.push({ kind: 'name', text: name[0] }); i += name[0].length; continue; }
    if (rest[0] === '"' || rest[0] === "'") {
      const quote = rest[0];
      let j = 1;
      let value = '';
      while (j < rest.length && rest[j] !== quote) {
        if (rest[j] === '\\' && j + 1 < rest.length) j++;
        value += rest[j];
        j++;
      }
      if (j >= rest.length) throw new Error(`unterminated string in ${text}`);
      tokens.push({ kind: 'string', text: rest.slice(0, j + 1), value });
      i += j + 1;
      continue;
    }
    const op = OPERATORS.find((o) => rest.startsWith(o));
    if (!op) throw new Error(`unexpected character ${rest[0]} in ${text}`);
    tokens.push({ kind: 'op', text: op });
    i += op.length;
  }
  tokens.push({ kind: 'end', text: '' });
  return tokens;
}

const cache = new Map<string, Node>();

export function parse(text: string): Node {
  const known = cache.get(text);
  if (known) return known;
  const tokens = tokenize(text);
  let at = 0;
  const peek = (): Token => tokens[at];
  const isWord = (word: string): boolean => peek().kind === 'name' && peek().text === word;
  const isOp = (op: string): boolean => peek().kind === 'op' && peek().text === op;
  const expect = (op: string): void => {
    if (!isOp(op)) throw new Error(`expected ${op} in ${text}`);
    at++;
  };

  const orExpr = (): Node => {
    let left = andExpr();
    while (isWord('or')) { at++; left = { kind: 'binary', op: 'or', left, right: andExpr() }; }
    return left;
  };
  const andExpr = (): Node => {
    let left = notExpr();
    while (isWord('and')) { at++; left = { kind: 'binary', op: 'and', left, right: notExpr() }; }
    return left;
  };
  const notExpr = (): Node => {
    if (isWord('not')) { at++; return { kind: 'not', operand: notExpr() }; }
    return comparison();
  };
  const comparison = (): Node => {
    const left = additive();
    for (const op of ['==', '!=', '<=', '>=', '<', '>']) {
      if (isOp(op)) { at++; return { kind: 'binary', op, left, right: additive() }; }
    }
    return left;
  };
  const additive = (): Node => {
    let left = multiplicative();
    while (isOp('+') || isOp('-')) { const op = tokens[at++].text; left = { kind: 'binary', op, left, right: multiplicative() }; }
    return left;
  };
  const multiplicative = (): Node => {
    let left = unary();
    while (isOp('*') || isOp('/')) { const op = tokens[at++].text; left = { kind: 'binary', op, left, right: unary() }; }
    return left;
  };
  const unary = (): Node => {
    if (isOp('-')) { at++; return { kind: 'negate', operand: unary() }; }
    return primary();
  };
  const primary = (): Node => {
    const token = tokens[at++];
    if (token.kind === 'number') return { kind: 'number', value: token.value as number };
    if (token.kind === 'string') return { kind: 'string', value: token.value as string };
    if (token.kind === 'op' && token.text === '(') { const inner = orExpr(); expect(')'); return inner; }
    if (token.kind === 'name') {
      if (token.text === 'true' || token.text === 'false') return { kind: 'boolean', value: token.text === 'true' };
      if (isOp('(')) {
        at++;
        const args: Node[] = [];
        if (!isOp(')')) {
          args.push(orExpr());
          while (isOp(',')) { at++; args.push(orExpr()); }
        }
        expect(')');
        return { kind: 'call', fn: token.text, args };
      }
      return { kind: 'name', name: token.text };
    }
    throw new Error(`unexpected ${token.text || 'end'} in ${text}`);
  };

  const tree = orExpr();
  if (peek().kind !== 'end') throw new Error(`unexpected ${peek().text} in ${text}`);
  cache.set(text, tree);
  return tree;
}

/** A number that arithmetic may go on with: NaN (∞ − ∞, 0 × ∞) is undefined. */
function num(x: number): number | undefined {
  return Number.isNaN(x) ? undefined : x;
}

function isNumber(v: Value): v is number {
  return typeof v === 'number';
}

function arithmetic(op: string, a: Value, b: Value): Value {
  if (!isNumber(a) || !isNumber(b)) return undefined;
  switch (op) {
    case '+': return num(a + b);
    case '-': return num(a - b);
    case '*': return num(a * b);
    default: return nine(b) === 0 ? undefined : num(a / b);
  }
}

function comparisonOf(op: string, a: Value, b: Value): boolean {
  if (a === undefined || b === undefined) return false;
  if (isNumber(a) && isNumber(b)) {
    const c = compare(a, b);
    return op === '==' ? c === 0 : op === '!=' ? c !== 0 : op === '<' ? c < 0 : op === '<=' ? c <= 0 : op === '>' ? c > 0 : c >= 0;
  }
  if (op === '==') return a === b;
  if (op === '!=') return a !== b;
  return false;
}

/** §7.10a: three-valued logic; an undefined is `undefined`. */
function and(a: Value, b: Value): Value {
  if (a === false || b === false) return false;
  if (a === undefined || b === undefined) return undefined;
  return true;
}
function or(a: Value, b: Value): Value {
  if (a === true || b === true) return true;
  if (a === undefined || b === undefined) return undefined;
  return false;
}

export function evaluate(node: Node, scope: Scope): Value {
  switch (node.kind) {
    case 'number': case 'string': case 'boolean': return node.value;
    case 'name': return scope.name(node.name);
    case 'negate': { const v = evaluate(node.operand, scope); return isNumber(v) ? -v : undefined; }
    case 'not': { const v = evaluate(node.operand, scope); return typeof v === 'boolean' ? !v : undefined; }
    case 'binary': {
      if (node.op === 'and') return and(evaluate(node.left, scope), evaluate(node.right, scope));
      if (node.op === 'or') return or(evaluate(node.left, scope), evaluate(node.right, scope));
      const a = evaluate(node.left, scope);
      const b = evaluate(node.right, scope);
      if (['+', '-', '*', '/'].includes(node.op)) return arithmetic(node.op, a, b);
      return comparisonOf(node.op, a, b);
    }
    case 'call': return call(node.fn, node.args, scope);
  }
}

function numbers(args: Node[], scope: Scope): number[] | undefined {
  const out: number[] = [];
  for (const arg of args) {
    const v = evaluate(arg, scope);
    if (!isNumber(v)) return undefined;
    out.push(v);
  }
  return out;
}

function call(fn: string, args: Node[], scope: Scope): Value {
  switch (fn) {
    case 'min': case 'max': {
      const xs = numbers(args, scope);
      if (!xs) return undefined;
      let best = xs[0];
      for (const x of xs.slice(1)) if (fn === 'min' ? compare(x, best) < 0 : compare(x, best) > 0) best = x;
      return best;
    }
    case 'abs': { const xs = numbers(args, scope); return xs ? Math.abs(xs[0]) : undefined; }
    case 'round': {
      const xs = numbers(args, scope);
      if (!xs) return undefined;
      return Number.isFinite(xs[0]) ? roundAt(xs[0], Math.round(nine(xs[1]))) : xs[0];
    }
    case 'if': {
      const c = evaluate(args[0], scope);
      if (c === undefined) return undefined;
      return evaluate(c === true ? args[1] : args[2], scope);
    }
    case 'count': case 'sum': {
      const events = evaluate(args[0], scope);
      if (!Array.isArray(events)) return undefined;
      if (fn === 'sum') return events.reduce((s, e) => s + e.points, 0);
      if (args.length === 1) return events.length;
      const level = evaluate(args[1], scope);
      return events.filter((e) => e.level !== undefined && e.level === level).length;
    }
    default: return peer(fn, args[0], scope);
  }
}

/**
 * The defined values of `e` over a scope's peers, worked out once per scope: the peers share one list, and a
 * scorer that changes what the peers' names mean (results after scoring) gives them a new list.
 */
const peerValues = new WeakMap<Scope[], Map<Node, number[]>>();

function valuesOver(peers: Scope[], e: Node): number[] {
  let known = peerValues.get(peers);
  if (!known) { known = new Map(); peerValues.set(peers, known); }
  let values = known.get(e);
  if (!values) {
    values = [];
    for (const p of peers) {
      const v = evaluate(e, p);
      if (isNumber(v)) values.push(v);
    }
    known.set(e, values);
  }
  return values;
}

/** §7.7: each peer's own value of `e`, compared after the 9-decimal discipline. */
function peer(fn: string, e: Node, scope: Scope): Value {
  const values = valuesOver(scope.peers(), e);
  switch (fn) {
    case 'peerMax': case 'peerMin': {
      if (values.length === 0) return undefined;
      let best = values[0];
      for (const x of values.slice(1)) if (fn === 'peerMin' ? compare(x, best) < 0 : compare(x, best) > 0) best = x;
      return best;
    }
    case 'peerSum': return num(values.reduce((s, x) => s + x, 0));
    case 'peerCount': return values.length;
    case 'peerAvg': return values.length === 0 ? undefined : num(values.reduce((s, x) => s + x, 0) / values.length);
    case 'peerRank': {
      const own = evaluate(e, scope);
      if (!isNumber(own)) return undefined;
      return 1 + values.filter((x) => compare(x, own) > 0).length;
    }
    default: throw new Error(`unknown function ${fn}`);
  }
}

/** §3 and §7.10a: an undefined `when`, `test`, `zeroIf`, `vetoIf`, `appliesIf` counts as false. */
export function holds(text: string | undefined, scope: Scope): boolean {
  return text !== undefined && evaluate(parse(text), scope) === true;
}

/** Every name an expression reads. */
export function namesIn(node: Node): string[] {
  switch (node.kind) {
    case 'name': return [node.name];
    case 'negate': case 'not': return namesIn(node.operand);
    case 'binary': return [...namesIn(node.left), ...namesIn(node.right)];
    case 'call': return node.args.flatMap(namesIn);
    default: return [];
  }
}
