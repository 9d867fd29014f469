import type { BinaryOp, Expr } from './ast.js';

/**
 * A recursive-descent parser for the expression language of RULES.md §3.
 * Precedence, loosest first: or, and, not, comparisons, + -, * /, unary -.
 * Nothing here ever hands text to the JavaScript compiler.
 */

type Token =
  | { t: 'num'; v: number; at: number }
  | { t: 'str'; v: string; at: number }
  | { t: 'id'; v: string; at: number }
  | { t: 'op'; v: string; at: number }
  | { t: 'end'; at: number };

const KEYWORDS = new Set(['and', 'or', 'not', 'true', 'false']);
const NAME_START = /[\p{L}_]/u;
const NAME_PART = /[\p{L}\p{N}_]/u;

/**
 * How deep an expression may nest: parentheses, function calls, signs and `not`, and each
 * operator of a chain (`a + b + c` is two levels: the scorer adds one term at a time).
 * The shipped formulas nest under 10; a sum of 100 terms is still taken. Every part of
 * the engine that walks an expression (type-checking, the closures, the generated scorer,
 * explanations) recurses once per level, so this bound is what keeps a hostile rule file
 * from overflowing the stack of any of them: a file refused here is never half-scored.
 */
export const MAX_EXPRESSION_DEPTH = 100;

export class ExprSyntaxError extends Error {
  constructor(message: string, readonly at: number, readonly code: 'EXPR_SYNTAX' | 'EXPR_TOO_DEEP' = 'EXPR_SYNTAX') {
    super(message);
  }
}

const tooDeep = (at: number) =>
  new ExprSyntaxError(`表达式嵌套过深：超过 ${MAX_EXPRESSION_DEPTH} 层（括号、函数、正负号和连续运算每一步各算一层），请拆成几个指标（metrics）`, at, 'EXPR_TOO_DEEP');

function tokenize(src: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < src.length) {
    const c = src[i];
    if (c === ' ' || c === '\t' || c === '\n' || c === '\r') { i++; continue; }
    const at = i;
    if (c >= '0' && c <= '9' || (c === '.' && src[i + 1] >= '0' && src[i + 1] <= '9')) {
      const m = /^(\d*\.?\d+|\d+\.)([eE][+-]?\d+)?/.exec(src.slice(i));
      if (!m) throw new ExprSyntaxError(`无法识别的数字`, at);
      i += m[0].length;
      if (i < src.length && NAME_PART.test(src[i])) throw new ExprSyntaxError(`数字后紧跟字母：“${src.slice(at, i + 1)}”`, at);
      const v = Number(m[0]);
      if (!Number.isFinite(v)) throw new ExprSyntaxError(`数字 “${m[0]}” 超出可计算的范围`, at);
      tokens.push({ t: 'num', v, at });
      continue;
    }
    if (c === '"') {
      let j = i + 1;
      let v = '';
      while (j < src.length && src[j] !== '"') {
        if (src[j] === '\\' && j + 1 < src.length) { v += src[j + 1]; j += 2; } else { v += src[j]; j++; }
      }
      if (j >= src.length) throw new ExprSyntaxError('字符串缺少结束引号', at);
      tokens.push({ t: 'str', v, at });
      i = j + 1;
      continue;
    }
    if (NAME_START.test(c)) {
      let j = i + 1;
      while (j < src.length && NAME_PART.test(src[j])) j++;
      // A linked unit's result is a dotted name (village.total, rules/README.md); a lone dot is still an error.
      while (src[j] === '.' && j + 1 < src.length && NAME_START.test(src[j + 1])) {
        j += 2;
        while (j < src.length && NAME_PART.test(src[j])) j++;
      }
      tokens.push({ t: 'id', v: src.slice(i, j), at });
      i = j;
      continue;
    }
    const two = src.slice(i, i + 2);
    if (two === '==' || two === '!=' || two === '<=' || two === '>=') {
      tokens.push({ t: 'op', v: two, at });
      i += 2;
      continue;
    }
    if ('<>+-*/(),'.includes(c)) {
      tokens.push({ t: 'op', v: c, at });
      i++;
      continue;
    }
    if (c === '=') throw new ExprSyntaxError('比较相等请用 “==”', at);
    throw new ExprSyntaxError(`无法识别的字符 “${c}”`, at);
  }
  tokens.push({ t: 'end', at: src.length });
  return tokens;
}

/** Parses an expression; throws ExprSyntaxError with the offset of the problem. */
export function parseExpression(src: string): Expr {
  const tokens = tokenize(src);
  let p = 0;
  // Levels of recursion open now: each is a parenthesis, a call, a sign or a `not` being read.
  let depth = 0;
  const enter = (at: number) => { if (++depth > MAX_EXPRESSION_DEPTH) throw tooDeep(at); };
  const peek = () => tokens[p];
  const isOp = (v: string) => { const k = tokens[p]; return k.t === 'op' && k.v === v; };
  const isWord = (v: string) => { const k = tokens[p]; return k.t === 'id' && k.v === v; };
  const describe = (k: Token) => (k.t === 'end' ? '表达式结尾' : `“${'v' in k ? k.v : ''}”`);
  const expectOp = (v: string) => {
    if (!isOp(v)) throw new ExprSyntaxError(`此处应为 “${v}”，却是${describe(peek())}`, peek().at);
    p++;
  };

  function binaryLevel(next: () => Expr, ops: string[], words: boolean): () => Expr {
    return () => {
      let left = next();
      for (;;) {
        const k = peek();
        const match = words ? k.t === 'id' && ops.includes(k.v) : k.t === 'op' && ops.includes(k.v);
        if (!match) return left;
        p++;
        const right = next();
        left = { kind: 'binary', op: (k as { v: string }).v as BinaryOp, left, right, at: k.at };
      }
    };
  }

  function unary(): Expr {
    if (isOp('-')) {
      const at = peek().at;
      p++;
      enter(at);
      const operand = unary();
      depth--;
      return { kind: 'unary', op: '-', operand, at };
    }
    return primary();
  }

  function primary(): Expr {
    const k = peek();
    if (k.t === 'num') { p++; return { kind: 'number', value: k.v, at: k.at }; }
    if (k.t === 'str') { p++; return { kind: 'string', value: k.v, at: k.at }; }
    if (k.t === 'id') {
      if (k.v === 'true' || k.v === 'false') { p++; return { kind: 'boolean', value: k.v === 'true', at: k.at }; }
      if (KEYWORDS.has(k.v)) throw new ExprSyntaxError(`此处缺少运算对象，却是关键字 “${k.v}”`, k.at);
      p++;
      if (isOp('(')) {
        p++;
        enter(k.at);
        const args: Expr[] = [];
        if (!isOp(')')) {
          args.push(or());
          while (isOp(',')) { p++; args.push(or()); }
        }
        expectOp(')');
        depth--;
        return { kind: 'call', fn: k.v, args, at: k.at };
      }
      return { kind: 'name', name: k.v, at: k.at };
    }
    if (isOp('(')) {
      enter(k.at);
      p++;
      const inner = or();
      expectOp(')');
      depth--;
      return inner;
    }
    throw new ExprSyntaxError(`此处缺少运算对象，却是${describe(k)}`, k.at);
  }

  const multiplicative = binaryLevel(unary, ['*', '/'], false);
  const additive = binaryLevel(multiplicative, ['+', '-'], false);
  const comparison = binaryLevel(additive, ['==', '!=', '<', '<=', '>', '>='], false);
  function negation(): Expr {
    if (isWord('not')) {
      const at = peek().at;
      p++;
      enter(at);
      const operand = negation();
      depth--;
      return { kind: 'unary', op: 'not', operand, at };
    }
    return comparison();
  }
  const and = binaryLevel(negation, ['and'], true);
  const or = binaryLevel(and, ['or'], true);

  const tree = or();
  if (peek().t !== 'end') throw new ExprSyntaxError(`多余的内容：${describe(peek())}`, peek().at);
  const deepest = deepestNode(tree);
  if (deepest) throw tooDeep(deepest.at);
  return tree;
}

/**
 * The first node below MAX_EXPRESSION_DEPTH levels of the tree, if any. A chain of
 * operators is read in a loop, so the parser's own depth does not see it; this walk keeps
 * its own stack, so that it cannot overflow on the tree it measures.
 */
function deepestNode(tree: Expr): Expr | undefined {
  const stack: Array<[Expr, number]> = [[tree, 1]];
  while (stack.length) {
    const [e, level] = stack.pop()!;
    if (level > MAX_EXPRESSION_DEPTH) return e;
    if (e.kind === 'unary') stack.push([e.operand, level + 1]);
    else if (e.kind === 'binary') stack.push([e.left, level + 1], [e.right, level + 1]);
    else if (e.kind === 'call') for (const a of e.args) stack.push([a, level + 1]);
  }
  return undefined;
}

/** Every name an expression reads (not function names). */
export function namesIn(e: Expr, into: Set<string> = new Set()): Set<string> {
  switch (e.kind) {
    case 'name': into.add(e.name); break;
    case 'unary': namesIn(e.operand, into); break;
    case 'binary': namesIn(e.left, into); namesIn(e.right, into); break;
    case 'call': for (const a of e.args) namesIn(a, into); break;
  }
  return into;
}

