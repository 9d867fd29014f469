/**
 * The few expressions of the synthetic rule sets parsed for the peers' translators: names (a source's
 * `fp.total` among them), numbers, "strings", + - * /, comparisons, `not`, `and`, `or`, and function
 * calls (`if`, `count`, `sum`, the peer functions). Only what bench/synthetic-rules.ts and
 * bench/synthetic-v2.ts write.
 */

export type Ast = { num: number } | { str: string } | { name: string } | { op: string; args: Ast[] } | { call: string; args: Ast[] };

const PRECEDENCE: Record<string, number> = { or: 0.5, and: 1, '>': 3, '>=': 3, '<': 3, '<=': 3, '==': 3, '!=': 3, '+': 4, '-': 4, '*': 5, '/': 5 };

export function parseExpr(text: string): Ast {
  const tokens = text.match(/\d+(\.\d+)?|"[^"]*"|[A-Za-z_][\w.]*|>=|<=|==|!=|[-+*/<>(),]/g) ?? [];
  let pos = 0;
  const primary = (): Ast => {
    const t = tokens[pos++];
    if (t === '(') { const e = binary(0); pos++; return e; }
    if (t === 'not') return { op: 'not', args: [binary(2)] };
    if (/^\d/.test(t)) return { num: Number(t) };
    if (t.startsWith('"')) return { str: t.slice(1, -1) };
    if (tokens[pos] === '(') {
      pos++;
      const args: Ast[] = [];
      while (tokens[pos] !== ')') {
        args.push(binary(0));
        if (tokens[pos] === ',') pos++;
      }
      pos++;
      return { call: t, args };
    }
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
  else if ('args' in ast) for (const a of ast.args) namesOf(a, out);
  return out;
}

/** Evaluates over a lookup (used by json-rules-engine's computed facts): the operators only, no calls. */
export function evaluate(ast: Ast, get: (name: string) => unknown): unknown {
  if ('num' in ast) return ast.num;
  if ('str' in ast) return ast.str;
  if ('name' in ast) return get(ast.name);
  if ('call' in ast) throw new Error(`bench: evaluate reads no function (${ast.call})`);
  const [a, b] = ast.args.map((x) => evaluate(x, get)) as number[];
  switch (ast.op) {
    case 'not': return !a;
    case 'and': return a && b;
    case 'or': return a || b;
    case '+': return a + b;
    case '-': return a - b;
    case '*': return a * b;
    case '/': return a / b;
    case '>': return a > b;
    case '>=': return a >= b;
    case '<': return a < b;
    case '<=': return a <= b;
    case '!=': return a !== b;
    default: return a === b;
  }
}
