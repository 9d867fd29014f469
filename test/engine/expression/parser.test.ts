import { expect } from 'chai';
import { ExprSyntaxError, MAX_EXPRESSION_DEPTH, parseExpression } from '../../../src/engine/expression/parser.js';
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

  describe('depth and numbers (issue 17, item 3)', () => {
    const refusal = (src: string): ExprSyntaxError | undefined => {
      try { parseExpression(src); } catch (e) { if (e instanceof ExprSyntaxError) return e; throw e; }
      return undefined;
    };
    const sum = (terms: number) => Array.from({ length: terms }, () => 'a').join(' + ');
    const shapes: Array<[string, (levels: number) => string]> = [
      ['brackets', (n) => `${'('.repeat(n)}a${')'.repeat(n)}`],
      ['signs', (n) => `${'-'.repeat(n)}a`],
      ['nots', (n) => `${'not '.repeat(n)}a`],
      ['calls', (n) => `${'abs('.repeat(n)}a${')'.repeat(n)}`],
      ['a chain of sums, one level per operator', (n) => sum(n + 1)],
    ];

    for (const [what, make] of shapes) {
      it(`reads ${what} ${MAX_EXPRESSION_DEPTH - 1} deep and refuses them ${MAX_EXPRESSION_DEPTH + 1} and 4,000 deep with EXPR_TOO_DEEP`, () => {
        expect(refusal(make(MAX_EXPRESSION_DEPTH - 1))).to.equal(undefined);
        for (const levels of [MAX_EXPRESSION_DEPTH + 1, 4000]) {
          const e = refusal(make(levels));
          expect(e?.code, `${levels} levels`).to.equal('EXPR_TOO_DEEP');
          expect(e!.at).to.be.within(0, make(levels).length);
        }
      });
    }

    it('counts the depth of a tree, not its size: a flat min of 4,000 terms is read', () => {
      const e = parseExpression(`min(${Array.from({ length: 4000 }, () => 'a').join(', ')})`);
      expect(e.kind === 'call' && e.args.length).to.equal(4000);
    });

    it('refuses a number too large for a double, where it is written', () => {
      const e = refusal('a + 1e400');
      expect(e?.code).to.equal('EXPR_SYNTAX');
      expect(e?.at).to.equal(4);
      expect(refusal('a * 1.7e308')).to.equal(undefined);
    });
  });
});
