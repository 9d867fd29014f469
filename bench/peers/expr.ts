/**
 * The few expressions of the synthetic rule set (names, numbers, + - * /, comparisons,
 * `not`, `and`) parsed for the peers' translators. Only what bench/synthetic-rules.ts writes.
 */

export type Ast = { num: number } | { name: string } | { op: string; args: Ast[] };

const PRECEDENCE: Record<string, number> = { and: 1, '>': 3, '>=': 3, '<': 3, '<=': 3, '==': 3, '+': 4, '-': 4, '*': 5, '/': 5 };

export function parseExpr(text: string): Ast {
  const tokens = text.match(/\d+(\.\d+)?|[A-Za-z_]\w*|>=|<=|==|[-+*/<>()]/g) ?? [];
  let pos = 0;
  const primary = (): Ast => {
    const t = tokens[pos++];
    if (t === '(') { const e = binary(0); pos++; return e; }
    if (t === 'not') return { op: 'not', args: [primary()] };
    if (/^\d/.test(t)) return { num: Number(t) };
    return { name: t };
  };
  const binary = (min: number): Ast => {
    let left = primary();
    while (pos < tokens.length && PRECEDENCE[tokens[pos]] !== undefined && PRECEDENCE[tokens[pos]] > min) {
      const op = tokens[pos++];
      left = { op, args: [left, binary(PRECEDENCE[op])] };
    }
    return left;
  };
  const tree = binary(0);
  if (pos !== tokens.length) throw new Error(`bench: cannot read expression ${text}`);
  return tree;
}

export function namesOf(ast: Ast, out: string[] = []): string[] {
  if ('name' in ast) out.push(ast.name);
  else if ('op' in ast) for (const a of ast.args) namesOf(a, out);
  return out;
}

/** Evaluates over a lookup (used by json-rules-engine's computed facts). */
export function evaluate(ast: Ast, get: (name: string) => unknown): unknown {
  if ('num' in ast) return ast.num;
  if ('name' in ast) return get(ast.name);
  const [a, b] = ast.args.map((x) => evaluate(x, get)) as number[];
  switch (ast.op) {
    case 'not': return !a;
    case 'and': return a && b;
    case '+': return a + b;
    case '-': return a - b;
    case '*': return a * b;
    case '/': return a / b;
    case '>': return a > b;
    case '>=': return a >= b;
    case '<': return a < b;
    case '<=': return a <= b;
    default: return a === b;
  }
}
