import { expect } from 'chai';
import { ExprSyntaxError, parseExpression } from '../../../src/engine/expression/parser.js';
import type { Expr } from '../../../src/engine/expression/ast.js';

/** Renders a tree fully parenthesised, to read precedence off it. */
function show(e: Expr): string {
  switch (e.kind) {
    case 'number': case 'boolean': return String(e.value);
    case 'string': return JSON.stringify(e.value);
    case 'name': return e.name;
    case 'unary': return `(${e.op} ${show(e.operand)})`;
    case 'binary': return `(${show(e.left)} ${e.op} ${show(e.right)})`;
    case 'call': return `${e.fn}(${e.args.map(show).join(', ')})`;
  }
}

describe('expression parser', () => {
  const cases: Array<[string, string]> = [
    ['a or b and c', '(a or (b and c))'],
    ['not a == b', '(not (a == b))'],
    ['a + b * c', '(a + (b * c))'],
    ['-a * b', '((- a) * b)'],
    ['a - b - c', '((a - b) - c)'],
    ['(a + b) * c', '((a + b) * c)'],
    ['births / population * 1000', '((births / population) * 1000)'],
    ['min(a, b + 1, 3)', 'min(a, (b + 1), 3)'],
    ['grade == "好"', '(grade == "好")'],
    ['出生人数 > 0', '(出生人数 > 0)'],
    ['if(due > 0, done / due, 1)', 'if((due > 0), (done / due), 1)'],
    ['a <= 1.5e2', '(a <= 150)'],
  ];
  for (const [src, expected] of cases) {
    it(`reads “${src}” as ${expected}`, () => expect(show(parseExpression(src))).to.equal(expected));
  }

  const errors: Array<[string, number]> = [
    ['a +', 3],
    ['a = 1', 2],
    ['(a + b', 6],
    ['a b', 2],
    ['"open', 0],
    ['a # b', 2],
    ['3x', 0],
    ['and', 0],
  ];
  for (const [src, at] of errors) {
    it(`refuses “${src}” with the offset ${at} of the problem`, () => {
      let caught: unknown;
      try { parseExpression(src); } catch (e) { caught = e; }
      expect(caught).to.be.instanceOf(ExprSyntaxError);
      expect((caught as ExprSyntaxError).at).to.equal(at);
    });
  }
});
