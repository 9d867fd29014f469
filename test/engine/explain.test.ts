import { expect } from 'chai';
import { appraise, criterionFigure, explainAdjustment, explainCriterion, readUnits } from '../../src/engine/index.js';
import { unitsForReasons } from '../../src/engine/explain.js';
import { parseJsonData } from '../../src/io/data-file.js';
import { compile, ruleSet } from '../helpers.js';
import { V2_ROWS, v2Appraisal, v2RuleSet, v2SnapshotRows } from '../support/words-v2.js';

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
    expect(cases).to.equal('政策外生育2例，每例扣10分，扣20分；本项50分，得30分');
  });

  it('says when nothing was due and the clause scores full', () => {
    const [rate] = explain({ id: 'v', due: 0, done: 0, cases: 0 });
    expect(rate).to.contain('无此项工作').and.to.contain('记满分');
  });
});

describe('reasons without a raw expression or identifier of the rule file (issue 18, item 6)', () => {
  const rs = compile(ruleSet({
    totalPoints: 200,
    precision: 1,
    inputs: {
      out: { label: '流出已婚育龄妇女数', type: 'integer', min: 0, unit: '人' },
      signed: { label: '已签订计生合同数', type: 'integer', min: 0, unit: '人' },
      illegal: { label: '违法生育案件数', type: 'integer', min: 0, unit: '起' },
      multi: { label: '政策外多孩数', type: 'integer', min: 0, unit: '人' },
      pm: { label: '监测点2', type: 'number', min: 0 },
      volunteers: { label: '志愿者人数', type: 'integer', min: 0, unit: '人' },
      reached: { label: '入户户数', type: 'integer', min: 0, unit: '户' },
      homes: { label: '总户数', type: 'integer', min: 1, unit: '户' },
      charter: { label: '修订村民自治章程', type: 'boolean' },
    },
    metrics: { share: { label: '入户比例', expr: 'reached / homes' } },
    items: [
      { id: 'contract', title: '签订合同', points: 20, award: { method: 'check', test: 'signed >= out' } },
      { id: 'cases', title: '查处案件', points: 20, deduct: [{ method: 'per', count: 'illegal', points: 5, when: 'illegal > 0' }] },
      { id: 'multiBirths', title: '多孩', points: 20, deduct: [{ method: 'per', count: 'multi', points: 10 }], zeroIf: 'multi > 0 and not charter', vetoIf: 'multi > 0' },
      { id: 'air', title: '空气', points: 20, deduct: [{ method: 'per', count: 'pm', points: 1 }] },
      { id: 'help', title: '志愿服务', points: 20, deduct: [{ method: 'per', count: 'volunteers', points: -1 }, { method: 'fixed', points: 5 }] },
      { id: 'reach', title: '入户', points: 20, award: { method: 'ratio', value: 'share' } },
      { id: 'rest', title: '其余', points: 80, award: { method: 'fixed', points: 80 } },
    ],
  }));
  const row = { id: 'v', out: 20, signed: 18, illegal: 0, multi: 0, pm: 3, volunteers: 1, reached: 15797, homes: 16000, charter: true };
  const explain = (over: Record<string, unknown> = {}) => {
    const [u] = appraise(rs, parseJsonData(JSON.stringify([{ ...row, ...over }]), 'd.json')).units;
    return Object.fromEntries(rs.criteria.map((c) => [c.id, explainCriterion(rs, c, u.unit.env, u.scores[c.index])]));
  };
  const IDENTIFIERS = /[A-Za-z]{2,}|>=|<=|==|!=|&&|\|\||扣-|−-/;

  it('writes a condition with the inputs’ labels, a Chinese sign and the unit’s own values, turned round where it fails', () => {
    expect(explain().contract).to.equal('已签订计生合同数18人 < 流出已婚育龄妇女数20人，不记分；本项20分，得0分');
    expect(explain({ signed: 20 }).contract).to.equal('已签订计生合同数20人 ≥ 流出已婚育龄妇女数20人，得20分；本项20分，得20分');
  });

  it('says why a sub-rule does not apply in words, not by its condition’s text', () => {
    expect(explain().cases).to.equal('不适用（违法生育案件数为0），不扣分；本项20分，得20分');
    expect(explain({ illegal: 2 }).cases).to.equal('违法生育案件数2起，每起扣5分，扣10分；本项20分，得10分');
  });

  it('names the facts that zero a clause and that veto the unit', () => {
    expect(explain({ multi: 1, charter: false }).multiBirths).to.equal('符合不记分情形（政策外多孩数1人 > 0人，修订村民自治章程：否），记0分');
    expect(explain({ multi: 1 }).multiBirths).to.equal('政策外多孩数1人，每人扣10分，扣10分；本项20分，得10分；触发一票否决（政策外多孩数1人 > 0人）');
  });

  it('keeps a label that ends in a digit apart from its value', () => {
    expect(explain().air).to.match(/^监测点2：3，每个扣1分，扣3分；/);
  });

  it('reads a negative amount per step as an addition: 加1分, not 扣-1分', () => {
    expect(explain().help).to.equal('志愿者人数1人，每人加1分，加1分；扣5分；本项20分，得16分');
  });

  it('names the unrounded score with the rounded one, so that rounding never reads as an error', () => {
    // 20 × 15797/16000 = 19.74625: 19.7 at one decimal; shown as 19.75 it would seem to round to 19.8.
    expect(explain().reach).to.equal('入户比例98.73%，按比例记分：20分×98.73%，得19.746分；本项20分，按1位小数计19.7分');
  });

  it('leaves no English word, identifier or raw operator in any reason', () => {
    for (const over of [{}, { multi: 1, charter: false }, { multi: 1 }, { illegal: 2, signed: 25 }]) {
      for (const [id, text] of Object.entries(explain(over))) expect(text, id).not.to.match(IDENTIFIERS);
    }
  });
});

describe('reasons for every method, as a township writes them (issue 18, item 6)', () => {
  const rs = compile(ruleSet({
    totalPoints: 200,
    inputs: {
      rate: { label: '征收到位率', type: 'number', min: 0, max: 100, unit: '%' },
      errors: { label: '不符处数', type: 'integer', min: 0, unit: '处' },
      meetings: { label: '例会次数', type: 'integer', min: 0, unit: '次' },
      done: { label: '及时率', type: 'number', min: 0, max: 100, unit: '%' },
      gaps: { label: '缺项数', type: 'integer', min: 0, unit: '项' },
    },
    items: [
      { id: 'fee', title: '征收', points: 20, award: { method: 'bands', value: 'rate', bands: [{ atLeast: 70, points: 20 }, { atLeast: 60, points: 15 }, { points: 0 }] } },
      { id: 'ledgers', title: '台帐', points: 40, deduct: [{ method: 'per', count: 'errors', points: 2, allowed: 2 }] },
      { id: 'meet', title: '例会', points: 40, deduct: [{ method: 'shortfall', value: 'meetings', target: 12, better: 'higher', per: 1, points: 5, steps: 'whole' }] },
      { id: 'timely', title: '及时', points: 30, award: { method: 'linear', value: 'done', zeroAt: 50, fullAt: 100 } },
      { id: 'staff', title: '配备', points: 20, deduct: [{ method: 'per', count: 'gaps', points: 5 }] },
      { id: 'rest', title: '其余', points: 50, award: { method: 'fixed', points: 50 } },
    ],
  }));
  const explain = (row: Record<string, unknown>) => {
    const [u] = appraise(rs, parseJsonData(JSON.stringify([{ id: 'v', rate: 65, errors: 5, meetings: 10, done: 80, gaps: 0, ...row }]), 'd.json')).units;
    return Object.fromEntries(rs.criteria.map((c) => [c.id, explainCriterion(rs, c, u.unit.env, u.scores[c.index])]));
  };

  it('names a band by its bounds, the one the band before sets too', () => {
    expect(explain({}).fee).to.equal('征收到位率65%，属于“≥60%且<70%”档，得15分；本项20分，得15分');
    expect(explain({ rate: 30 }).fee).to.equal('征收到位率30%，属于“<60%”档，得0分；本项20分，得0分');
  });

  it('says what a count within its allowance costs, and what its excess does', () => {
    expect(explain({}).ledgers).to.equal('不符处数5处，2处以内不扣分，超出3处，每处扣2分，扣6分；本项40分，得34分');
    expect(explain({ errors: 1 }).ledgers).to.equal('不符处数1处，在2处以内，不扣分；本项40分，得40分');
  });

  it('leaves out how a part of a step counts where the gap has none', () => {
    expect(explain({}).meet).to.equal('例会次数10次，低于目标12次，差2次，每差1次扣5分，扣10分；本项40分，得30分');
  });

  it('says a linear clause reached its full mark, or scored in proportion', () => {
    expect(explain({ done: 100 }).timely).to.equal('及时率100%，达到100%，得30分；本项30分，得30分');
    expect(explain({}).timely).to.equal('及时率80%，50%为0分、100%为30分，其间按比例得18分；本项30分，得18分');
    expect(explain({ done: 40 }).timely).to.equal('及时率40%，未超过50%，不记分；本项30分，得0分');
  });

  it('says 不扣分 for a count of nothing, and 扣完为止 where the deductions exceed the points', () => {
    expect(explain({}).staff).to.equal('缺项数0项，不扣分；本项20分，得20分');
    expect(explain({ gaps: 5 }).staff).to.equal('缺项数5项，每项扣5分，扣25分；本项20分，扣完为止，得0分');
  });
});

describe('reasons for the constructs of version 2, with the unit’s own figures (issue 20, point 5)', () => {
  const rs = v2RuleSet();
  const { units } = v2Appraisal(rs);
  const reason = (unitId: string, criterionId: string) => {
    const u = units.find((x) => x.unit.id === unitId)!;
    const c = rs.criteria.find((x) => x.id === criterionId)!;
    return explainCriterion(rs, c, u.unit.env, u.scores[c.index]);
  };
  const cases: Array<[string, string, string, string]> = [
    ['names the unit’s place among its township’s villages and the points of that place (排名赋分)', 'v03', 'rankRectify',
      '隐患整改率92%，全乡第3名，得54分；本项60分，得54分'],
    ['gives the place beyond the named ones the points of the band for the rest', 'v06', 'rankRectify',
      '隐患整改率80%，全乡第6名，得40分；本项60分，得40分'],
    ['shows a share of the best village with both figures (按与全乡最高值的比例得分)', 'v02', 'irrigation',
      '灌溉面积达标率80%÷全乡最高值90%＝88.89%，按比例记分：50分×88.89%，得44.44分；本项50分，按1位小数计44.4分'],
    ['compares with the township’s average, both figures named', 'v06', 'aboveAverage',
      '隐患整改率80% < 全乡平均水平90%，不记分；本项20分，得0分'],
    ['counts the events by level, most serious first, then those given points, and goes below zero where the item may', 'v03', 'accidentsItem',
      '较大安全生产事故2起×10分，一般安全生产事故1起×5分，另有1起按4分计，共扣29分；本项20分，倒扣9分，得−9分'],
    ['stops a deduction at the floor, and names the veto under its own title', 'v05', 'accidentsItem',
      '重大安全生产事故1起×30分，共扣30分；本项20分，倒扣10分，得−10分；触发一票否决：发生重大安全生产事故（重大安全生产事故1起 > 0起）'],
    ['says a unit had no events of the ledger', 'v01', 'accidentsItem', '本期无安全生产事故记录，不扣分；本项20分，得20分'],
    ['adds up events given by points alone (每起扣1至3分)', 'v03', 'findingsItem', '督查发现问题2个共计4分，共扣4分；本项20分，得16分'],
    ['says one event given by points by its points', 'v02', 'findingsItem', '督查发现问题1个按2分计，共扣2分；本项20分，得18分'],
    ['says why an item does not apply and to what the applicable points are scaled (按比例折算)', 'v04', 'irrigation',
      '所在部分“农田水利”不适用（是否农场：是），其余项目按250分折算为300分'],
    ['zeroes the items of a part whose condition holds (本部分不得分)', 'v04', 'petitionsItem',
      '所在部分符合不得分情形（村党组织软弱涣散：是），记0分'],
    ['works a composite score out of the sources’ totals with their weights as shares', 'v01', 'composite',
      '计划生育专项考核总分96.5分×40%+党建专项考核总分88分×60%，得91.4分；本项100分，得91.4分'],
  ];
  for (const [sentence, unitId, criterionId, expected] of cases) {
    it(sentence, () => expect(reason(unitId, criterionId)).to.equal(expected));
  }

  it('stops at the floor when the deductions go past it (最多倒扣)', () => {
    const rows = V2_ROWS.map((r) => (r.id === 'v05' ? { ...r, accidents: [{ level: '重大' }, { level: '一般' }] } : r));
    const u = v2Appraisal(rs, rows).units.find((x) => x.unit.id === 'v05')!;
    const c = rs.criteria.find((x) => x.id === 'accidentsItem')!;
    expect(explainCriterion(rs, c, u.unit.env, u.scores[c.index])).to.match(/共扣35分；本项20分，最多倒扣10分，得−10分；/);
  });

  it('says an item does not apply by its own condition, and when nothing applies at all', () => {
    const own = compile(ruleSet({
      totalPoints: 100,
      inputs: { farm: { label: '是否农场', type: 'boolean', default: false }, x: { label: '甲数', type: 'number' } },
      items: [
        { id: 'a', title: '甲项', points: 40, appliesIf: 'not farm', award: { method: 'fixed', points: 40 } },
        { id: 'b', title: '乙项', points: 60, appliesIf: 'x > 0', award: { method: 'fixed', points: 60 } },
      ],
    }));
    const explainOne = (row: Record<string, unknown>) => {
      const [u] = appraise(own, parseJsonData(JSON.stringify([{ id: 'v', ...row }]), 'd.json')).units;
      return own.criteria.map((c) => explainCriterion(own, c, u.unit.env, u.scores[c.index]));
    };
    expect(explainOne({ farm: true, x: 1 })[0]).to.equal('本项不适用（是否农场：是），其余项目按60分折算为100分');
    expect(explainOne({ farm: true, x: 0 })[1]).to.equal('本项不适用（甲数为0），本细则各项均不适用，记0分');
  });
});

describe('the figure behind a criterion of version 2, as the scorecard shows it beside the score', () => {
  const rs = v2RuleSet();
  const { units } = v2Appraisal(rs);
  const figure = (unitId: string, criterionId: string) => {
    const u = units.find((x) => x.unit.id === unitId)!;
    const c = rs.criteria.find((x) => x.id === criterionId)!;
    const v = c.value!(u.unit.env);
    return criterionFigure(rs, c, v);
  };
  const cases: Array<[string, string, string]> = [
    ['v03', 'rankRectify', '第3名'],
    ['v03', 'accidentsItem', '29分'],
    ['v02', 'irrigation', '88.89%'],
    ['v02', 'petitionsItem', '1件'],
  ];
  for (const [unitId, criterionId, expected] of cases) it(`shows ${criterionId} of ${unitId} as ${expected}`, () => expect(figure(unitId, criterionId)).to.equal(expected));
});

describe('the reason of a bonus whose amount falls below zero (issue 20, point 5)', () => {
  it('says it counts 0, as the engine counts it, rather than reading as a deduction', () => {
    const rs = compile(ruleSet({
      totalPoints: 10,
      inputs: { x: { label: '甲数', type: 'number' } },
      items: [{ id: 'a', title: '甲项', points: 10, award: { method: 'fixed', points: 10 } }],
      bonus: { items: [{ id: 'b', title: '加分', method: 'amount', value: 'x - 5' }] },
    }));
    const [u] = appraise(rs, parseJsonData(JSON.stringify([{ id: 'v', x: 2 }]), 'd.json')).units;
    expect(u.bonus).to.equal(0);
    expect(explainAdjustment(rs, rs.bonus!.items[0].method, u.unit.env, '加分', 'bonus')).to.equal('甲数2−5，扣3分，低于0分的按0分计');
  });
});

describe('units read again for their reasons, with their peers (issue 20, point 5)', () => {
  const rs = v2RuleSet();
  const rankItem = rs.criteria.find((c) => c.id === 'rankRectify')!;
  const read = (rows: Array<Record<string, unknown>>) => {
    const u = unitsForReasons(rs, parseJsonData(JSON.stringify(rows), 'd.json')).find((x) => x.id === 'v03')!;
    return { place: rankItem.value!(u.env), reason: explainCriterion(rs, rankItem, u.env, 54) };
  };

  it('gives a unit read with its township the values of its peer calls, as scoring gave them', () => {
    expect(read(v2SnapshotRows())).to.deep.equal({ place: 3, reason: '隐患整改率92%，全乡第3名，得54分；本项60分，得54分' });
  });

  it('places a unit read alone first among none: why a scorecard must read its whole township', () => {
    expect(read(v2SnapshotRows().filter((r) => r.id === 'v03')).place).to.equal(1);
  });
});

describe('a reason whose figure cannot be worked out from the values it is given', () => {
  it('claims no rule for 无此项工作 that did not give the score (a unit read without its peers)', () => {
    const rs = v2RuleSet();
    const rankItem = rs.criteria.find((c) => c.id === 'rankRectify')!;
    const u = readUnits(rs, parseJsonData(JSON.stringify(v2SnapshotRows()), 'd.json')).units.find((x) => x.id === 'v03')!;
    expect(explainCriterion(rs, rankItem, u.env, 54)).to.equal('隐患整改率92%，无法排出名次；本项60分，得54分');
  });
});
