import { expect } from 'chai';
import { appraise, explainCriterion } from '../../src/engine/index.js';
import { parseJsonData } from '../../src/io/data-file.js';
import { compile, ruleSet } from '../helpers.js';

describe('explanations a village can read', () => {
  const rs = compile(ruleSet({
    inputs: {
      due: { label: '应落实数', type: 'integer', min: 0 },
      done: { label: '已落实数', type: 'integer', min: 0 },
      cases: { label: '政策外生育', type: 'integer', min: 0, unit: '例' },
    },
    metrics: { doneRate: { label: '避孕节育措施落实率', unit: '%', expr: 'done / due * 100' } },
    items: [
      { id: 'rate', title: '措施落实率', points: 50, deduct: [{ method: 'shortfall', value: 'doneRate', target: 98, better: 'higher', per: 1, points: 5 }] },
      { id: 'cases', title: '政策外生育', points: 50, deduct: [{ method: 'per', count: 'cases', points: 10 }] },
    ],
  }));
  const explain = (row: Record<string, unknown>) => {
    const [u] = appraise(rs, parseJsonData(JSON.stringify([row]), 'd.json')).units;
    return rs.criteria.map((c) => explainCriterion(rs, c, u.unit.env, u.scores[c.index]));
  };

  it('names the figure, the target, the gap, the rule and the points lost', () => {
    const [rate, cases] = explain({ id: 'v', due: 1000, done: 973, cases: 2 });
    expect(rate).to.equal('避孕节育措施落实率97.3%，低于目标98%，差0.7个百分点，每差1个百分点扣5分，扣3.5分；本项50分，得46.5分');
    expect(cases).to.equal('政策外生育2例，每1例扣10分，扣20分；本项50分，得30分');
  });

  it('says when nothing was due and the clause scores full', () => {
    const [rate] = explain({ id: 'v', due: 0, done: 0, cases: 0 });
    expect(rate).to.contain('无此项工作').and.to.contain('记满分');
  });
});
