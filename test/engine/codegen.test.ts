import { expect } from 'chai';
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { appraise, loadRuleSet, readUnits, type AppraiseOptions, type EventRow } from '../../src/engine/index.js';
import { generateReader, generateScorer } from '../../src/engine/codegen.js';
import { INLINE_BANDS } from '../../src/engine/methods.js';
import { scoreUnit, scoreUnitByClosures } from '../../src/engine/score.js';
import { parseJsonData, readDataFile } from '../../src/io/data-file.js';
import { readRuleFile, ruleSchema } from '../../src/io/rule-file.js';
import { DEMO_DIR, RULES_DIR } from '../../src/paths.js';
import { compile, FIXTURES, fixtureOptions, readJson, ruleSet } from '../helpers.js';

/** The generated straight-line scorer gives exactly what the closures give, and holds no text of the rule file. */
describe('the generated scorer', () => {
  const cases: Array<{ name: string; rules: string; rows: unknown[]; options: AppraiseOptions }> = [];
  const dir = path.join(FIXTURES, 'rulesets');
  for (const f of readdirSync(dir).filter((x) => x.endsWith('.json'))) {
    const fx = readJson<{ rules: unknown; data?: unknown[]; expected?: unknown; events?: EventRow[]; sources?: Record<string, unknown> }>(path.join(dir, f));
    if (fx.expected && fx.data) cases.push({ name: f, rules: JSON.stringify(fx.rules), rows: fx.data, options: fixtureOptions(fx) });
  }

  for (const c of cases) {
    it(`scores ${c.name} as the closures do`, () => {
      const rs = loadRuleSet(c.rules, c.name, ruleSchema()).ruleset;
      // The units as appraise reads them: their events, sources and peers' values given.
      const units = appraise(rs, parseJsonData(JSON.stringify(c.rows), c.name), c.options).units.map((r) => r.unit);
      for (const u of units) {
        const a = scoreUnit(rs, u), b = scoreUnitByClosures(rs, u);
        expect([...a.scores, a.total, a.bonus, a.penalty, a.applicablePoints], u.id).to.deep.equal([...b.scores, b.total, b.bonus, b.penalty, b.applicablePoints]);
        expect(a.vetoes, u.id).to.deep.equal(b.vetoes);
      }
    });
  }

  it('scores the demo township as the closures do', () => {
    const rs = readRuleFile(path.join(RULES_DIR, 'village-annual.json')).ruleset;
    for (const year of ['2023', '2024']) {
      for (const u of readUnits(rs, readDataFile(path.join(DEMO_DIR, `villages-${year}.csv`))).units) {
        const a = scoreUnit(rs, u), b = scoreUnitByClosures(rs, u);
        expect([...a.scores, a.total], u.id).to.deep.equal([...b.scores, b.total]);
        expect(a.vetoes).to.deep.equal(b.vetoes);
      }
    }
  });

  it('writes the total and the ranking\'s tie-break scores at the place it is given, and nowhere else', () => {
    const rs = readRuleFile(path.join(RULES_DIR, 'village-annual.json')).ruleset;
    const units = readUnits(rs, readDataFile(path.join(DEMO_DIR, 'villages-2024.csv'))).units;
    const score = generateScorer(rs), width = rs.ranking.tieBreak.length;
    const totals = new Float64Array(units.length + 1).fill(-1), ties = new Float64Array((units.length + 1) * width).fill(-1);
    units.forEach((u, at) => {
      const e = new Float64Array(rs.slotCount), s = new Float64Array(rs.nodes.length);
      u.valuesInto(e);
      score(e, s, [], totals, ties, at);
      const b = scoreUnitByClosures(rs, u);
      expect(totals[at], u.id).to.equal(b.total);
      expect([...ties.subarray(at * width, (at + 1) * width)], u.id).to.deep.equal(rs.ranking.tieBreak.map((node) => b.scores[node]));
    });
    expect(width).to.be.greaterThan(0);
    expect(totals[units.length]).to.equal(-1);
    expect([...ties.subarray(units.length * width)]).to.deep.equal(new Array(width).fill(-1));
  });

  it('carries no name, string or other text of the rule file into the generated source', () => {
    const rs = compile(ruleSet({
      inputs: { 出生人数: { type: 'number' }, star: { type: 'grade', grades: ['好', '差'] } },
      items: [
        { id: 'c1', title: 'x"); process.exit(1); ("', points: 50, award: { method: 'check', test: 'star == "好" and 出生人数 > 0', points: 50 } },
        { id: 'c2', title: 'c2', points: 50, award: { method: 'grade', input: 'star', points: { 好: 50, 差: 0 } } },
      ],
    }));
    const source = generateScorer(rs).toString();
    expect(source).to.not.match(/出生人数|star|好|process|"/);
  });

  it('reads rows with a generated reader that holds no column name, label or check of the file', () => {
    const rs = compile(ruleSet({
      inputs: { 出生人数: { type: 'integer', label: 'x"]; process.exit(1); //' }, boys: { type: 'number', min: 0 } },
      checks: [{ when: 'boys <= 出生人数', message: '男孩不多于出生"数' }],
      items: [{ id: 'c1', title: 'c1', points: 100, award: { method: 'manual', input: 'boys' } }],
    }));
    const plan = rs.inputs.map((input) => ({ input, column: input.label }));
    const source = generateReader(rs, plan, plan.map(() => () => 0), rs.checks).toString();
    expect(source).to.not.match(/出生人数|boys|process|男孩|"/);
  });

  // Issue 17, item 3: a rule file under its size limit whose bands the scorer could not be made of.
  for (const count of [INLINE_BANDS, INLINE_BANDS + 1, 20_000]) {
    it(`scores a list of ${count.toLocaleString('en')} bands as the closures do (written inline up to ${INLINE_BANDS}, looked up beyond)`, () => {
      const bands = Array.from({ length: count }, (_, k) => ({ atLeast: (count - k) / 10, points: k % 7 }));
      const rs = compile(ruleSet({ totalPoints: 10, inputs: { x: { type: 'number' } }, items: [{ id: 'a', title: 'a', points: 10, award: { method: 'bands', value: 'x', bands } }] }));
      const rows = [0, 0.05, 0.1, 1.25, 3.3, count / 20, count / 10, count].map((x, k) => ({ id: `v${k}`, x }));
      const { units } = readUnits(rs, parseJsonData(JSON.stringify(rows), 'bands.json'));
      for (const u of units) {
        const a = scoreUnit(rs, u), b = scoreUnitByClosures(rs, u);
        expect([...a.scores, a.total], u.id).to.deep.equal([...b.scores, b.total]);
      }
      expect(new Set(units.map((u) => scoreUnit(rs, u).total)).size, 'bands that give different points').to.be.greaterThan(2);
    });
  }

  it('scores a linear method whose span is beyond a double (zeroAt 1e308, fullAt −1e308) as the closures do (issue 17, item 9)', () => {
    const rs = compile(ruleSet({ totalPoints: 10, inputs: { x: { type: 'number' } }, items: [{ id: 'a', title: 'a', points: 10, award: { method: 'linear', value: 'x', zeroAt: 1e308, fullAt: -1e308 } }] }));
    const { units } = readUnits(rs, parseJsonData(JSON.stringify([0, -1e308, 1e308, 5].map((x, k) => ({ id: `v${k}`, x }))), 'linear.json'));
    for (const u of units) {
      const a = scoreUnit(rs, u), b = scoreUnitByClosures(rs, u);
      expect([...a.scores, a.total], u.id).to.deep.equal([...b.scores, b.total]);
    }
    expect(units.map((u) => scoreUnit(rs, u).total)).to.deep.equal([0, 10, 0, 0]);
  });
});
