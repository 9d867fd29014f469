import { expect } from 'chai';
import { loadRuleSet, RuleFileInvalid, type RuleProblem } from '../../src/engine/index.js';
import { ruleSchema } from '../../src/io/rule-file.js';
import { ruleSet } from '../helpers.js';

function problemsOf(text: string): RuleProblem[] {
  try {
    loadRuleSet(text, 'rules/x.json', ruleSchema());
  } catch (e) {
    if (e instanceof RuleFileInvalid) return e.problems;
    throw e;
  }
  return [];
}

const criterion = (id: string, points: number, extra: Record<string, unknown> = {}) =>
  ({ id, title: id, points, award: { method: 'fixed', points }, ...extra });

describe('loading a rule file', () => {
  it('places a JSON syntax error at its line and column', () => {
    const [p] = problemsOf('{\n  "id": "x",\n  "version" "1"\n}');
    expect(p).to.include({ code: 'JSON_SYNTAX', line: 3, column: 13, file: 'rules/x.json' });
  });

  it('reports every problem at once, each at its JSON pointer, line and column', () => {
    const text = JSON.stringify(ruleSet({
      inputs: { a: { type: 'number' } },
      items: [
        { id: 'g', title: 'G', points: 60, items: [criterion('c1', 30), criterion('c1', 20)] },
        { id: 'c3', title: 'C3', points: 50, deduct: [{ method: 'shortfall', value: 'a + b', target: 1, better: 'higher', per: 1, points: 1 }] },
      ],
    }), null, 2);
    const problems = problemsOf(text);
    expect(problems.map((p) => [p.code, p.pointer])).to.have.deep.members([
      ['POINTS_MISMATCH', '/items/0/points'],
      ['DUPLICATE_ID', '/items/0/items/1/id'],
      ['TOTAL_POINTS_MISMATCH', '/totalPoints'],
      ['EXPR_UNKNOWN_NAME', '/items/1/deduct/0/value'],
    ]);
    const lines = text.split('\n');
    const unknown = problems.find((p) => p.code === 'EXPR_UNKNOWN_NAME')!;
    // the column points at “b” inside the expression string
    expect(lines[unknown.line - 1][unknown.column - 1]).to.equal('b');
  });

  it('refuses a schema violation with the pointer of the bad value', () => {
    const problems = problemsOf(JSON.stringify(ruleSet({ precision: 7, items: [criterion('c', 100)] })));
    expect(problems.map((p) => [p.code, p.pointer])).to.deep.equal([['SCHEMA', '/precision']]);
  });

  it('refuses a criterion with both award and deduct', () => {
    const problems = problemsOf(JSON.stringify(ruleSet({ items: [{ ...criterion('c', 100), deduct: [{ method: 'fixed', points: 1 }] }] })));
    expect(problems.map((p) => p.code)).to.deep.equal(['SCHEMA']);
  });

  it('refuses shortfall in award mode, a when that is no condition, and a grade method on a number', () => {
    const problems = problemsOf(JSON.stringify(ruleSet({
      inputs: { a: { type: 'number' } },
      items: [
        { id: 'c1', title: 'c1', points: 40, award: { method: 'shortfall', value: 'a', target: 1, better: 'higher', per: 1, points: 1 } },
        { id: 'c2', title: 'c2', points: 30, award: { method: 'fixed', points: 30, when: 'a + 1' } },
        { id: 'c3', title: 'c3', points: 30, award: { method: 'grade', input: 'a', points: {} } },
      ],
    })));
    expect(problems.map((p) => p.code)).to.have.members(['METHOD_NOT_ALLOWED', 'EXPR_TYPE', 'GRADE_INPUT_TYPE']);
  });

  it('refuses a field the language does not define, where it is (RULES.md §7.1: zeroIF is not zeroIf)', () => {
    expect(problemsOf(JSON.stringify(ruleSet({ items: [{ ...criterion('c', 100), zeroIF: 'true' }] }))).map((p) => [p.code, p.pointer]))
      .to.deep.equal([['UNKNOWN_FIELD', '/items/0']]);
  });

  it('refuses an id on a method inside an item, which only an adjustment carries', () => {
    const bad = ruleSet({ items: [{ id: 'c', title: 'c', points: 100, award: { method: 'fixed', points: 100, id: 'x' } }] });
    expect(problemsOf(JSON.stringify(bad)).map((p) => [p.code, p.pointer])).to.deep.equal([['UNKNOWN_FIELD', '/items/0/award/id']]);
  });

  it('lets unit-level vetoes read scores, total, bonus and penalty, but not criteria', () => {
    const ok = ruleSet({ items: [criterion('c1', 100)], vetoes: [{ id: 'v', title: 'v', when: 'c1 < 10 or total < 60 or bonus > penalty' }] });
    expect(problemsOf(JSON.stringify(ok))).to.deep.equal([]);
    const bad = ruleSet({ items: [criterion('c1', 100, { vetoIf: 'total < 60' })] });
    expect(problemsOf(JSON.stringify(bad)).map((p) => p.code)).to.deep.equal(['EXPR_UNKNOWN_NAME']);
  });

  it('refuses a tie-break that names no group or criterion', () => {
    const problems = problemsOf(JSON.stringify(ruleSet({ items: [criterion('c1', 100)], ranking: { tieBreak: ['c2'] } })));
    expect(problems.map((p) => [p.code, p.pointer])).to.deep.equal([['TIEBREAK_UNKNOWN_ID', '/ranking/tieBreak/0']]);
  });

  it('refuses a metric that reads a later metric', () => {
    const problems = problemsOf(JSON.stringify(ruleSet({
      inputs: { a: { type: 'number' } },
      metrics: { m1: { expr: 'm2 * 2' }, m2: { expr: 'a + 1' } },
      items: [criterion('c1', 100)],
    })));
    expect(problems.map((p) => [p.code, p.pointer])).to.deep.equal([['EXPR_UNKNOWN_NAME', '/metrics/m1/expr']]);
  });

  it('reports a metric whose formula cannot be read once, where it is written, not again where it is named', () => {
    for (const [expr, code] of [['a +', 'EXPR_SYNTAX'], [`a${' + 1'.repeat(150)}`, 'EXPR_TOO_DEEP'], ['a'.repeat(10_001), 'EXPR_TOO_LONG']]) {
      const problems = problemsOf(JSON.stringify(ruleSet({
        inputs: { a: { type: 'number' } },
        metrics: { m1: { expr }, m2: { expr: 'm1 * 2' } },
        items: [{ id: 'c1', title: 'c1', points: 100, award: { method: 'ratio', value: 'm1 / 100' } }],
        vetoes: [{ id: 'v', title: 'v', when: 'm2 > 3 and nope > 1' }],
      })));
      // An unknown name that is no broken metric is still reported.
      expect(problems.map((p) => [p.code, p.pointer]), code).to.deep.equal([[code, '/metrics/m1/expr'], ['EXPR_UNKNOWN_NAME', '/vetoes/0/when']]);
    }
  });
});
