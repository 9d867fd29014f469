import { expect } from 'chai';
import { compileExpression, type Scope, type Typed } from '../../../src/engine/expression/compile.js';
import { parseExpression } from '../../../src/engine/expression/parser.js';
import { StringTable, type ExprProblem, type NameInfo } from '../../../src/engine/expression/ast.js';

const NAMES: Record<string, NameInfo> = {
  x: { type: 'number', slot: 0 },
  zero: { type: 'number', slot: 1 },
  flag: { type: 'boolean', slot: 2 },
  star: { type: 'string', slot: 3, grades: ['好', '中', '差'] },
};
const scope: Scope = (n) => NAMES[n];
const strings = new StringTable();
const ENV = Float64Array.from([10, 0, 1, strings.id('中')]);

/** The engine's numbers read back as the values of RULES.md §3: NaN is undefined, 1/0 booleans, ids strings. */
function decode(typed: Typed, v: number): number | boolean | string | undefined {
  if (v !== v) return undefined;
  if (typed.type === 'boolean') return v === 1;
  if (typed.type === 'string') return strings.text(v);
  return v;
}

function evaluate(src: string): number | boolean | string | undefined {
  const problems: ExprProblem[] = [];
  const typed = compileExpression(parseExpression(src), scope, problems, strings);
  expect(problems, `problems of ${src}`).to.deep.equal([]);
  return decode(typed, typed.fn(ENV));
}

function problemsOf(src: string): string[] {
  const problems: ExprProblem[] = [];
  compileExpression(parseExpression(src), scope, problems, strings);
  return problems.map((p) => p.code);
}

describe('expression compiler', () => {
  describe('arithmetic and functions', () => {
    const cases: Array<[string, number | boolean | string | undefined]> = [
      ['x * 2 + 1', 21],
      ['-x', -10],
      ['min(3, x, 7)', 3],
      ['max(3, x, 7)', 10],
      ['abs(0 - x)', 10],
      ['round(2.675, 2)', 2.68],
      ['round(-2.5, 0)', -3],
      ['round(125, -1)', 130],
      ['round(124.6, -1)', 120],
      ['round(x / 3, 1)', 3.3],
      ['0.1 + 0.2 == 0.3', true],
      ['if(flag, 1, 2)', 1],
      ['star == "中"', true],
      ['star != "好"', true],
    ];
    for (const [src, expected] of cases) it(`evaluates ${src} to ${expected}`, () => expect(evaluate(src)).to.equal(expected));
  });

  describe('undefined (a division by zero)', () => {
    const cases: Array<[string, number | boolean | string | undefined]> = [
      ['x / zero', undefined],
      ['x / zero + 1', undefined],
      ['min(1, x / zero)', undefined],
      ['round(x / zero, 1)', undefined],
      ['x / zero > 1', false],
      ['x / zero <= 1', false],
      ['x / zero == x / zero', false],
      ['not (x / zero > 1)', true],
      ['if(zero > 0, x / zero, 100)', 100],
      ['if(zero == 0, 100, x / zero)', 100],
      ['abs(x / zero)', undefined],
      ['max(x / zero, 1)', undefined],
    ];
    for (const [src, expected] of cases) it(`evaluates ${src} to ${String(expected)}`, () => expect(evaluate(src)).to.equal(expected));

    it('counts a denominator that is zero only after float noise (0.3 − 0.1 − 0.2) as zero', () => {
      expect(evaluate('x / (0.3 - 0.1 - 0.2)')).to.equal(undefined);
    });
  });

  describe('load errors', () => {
    const cases: Array<[string, string]> = [
      ['y + 1', 'EXPR_UNKNOWN_NAME'],
      ['sqrt(x)', 'EXPR_UNKNOWN_FUNCTION'],
      ['abs(x, 1)', 'EXPR_ARITY'],
      ['round(x)', 'EXPR_ARITY'],
      ['if(flag, 1)', 'EXPR_ARITY'],
      ['flag + 1', 'EXPR_TYPE'],
      ['x and flag', 'EXPR_TYPE'],
      ['not x', 'EXPR_TYPE'],
      ['x == flag', 'EXPR_TYPE'],
      ['star < 1', 'EXPR_TYPE'],
      ['if(x, 1, 2)', 'EXPR_TYPE'],
      ['if(flag, 1, true)', 'EXPR_TYPE'],
      ['star == "优"', 'UNKNOWN_GRADE'],
    ];
    for (const [src, code] of cases) it(`refuses ${src} with ${code}`, () => expect(problemsOf(src)).to.include(code));
  });
});
