import { expect } from 'chai';
import { peerScopeWords, ruleExpressionWords, useSourceTitles } from '../../src/engine/words.js';
import { compile, ruleSet } from '../helpers.js';

/** A rule set's own names in words (engine/words.ts), for the constructs of version 2 (issue 20, point 5). */

describe('a rule set’s names in words', () => {
  const withSources = () => compile(ruleSet({
    totalPoints: 10,
    sources: { fp: { label: '计划生育专项考核', ruleset: 'village-fp', scores: ['indicators', '人口计划'], metrics: ['birthRate'] } },
    items: [{ id: 'a', title: '甲项', points: 10, award: { method: 'amount', value: 'fp.indicators * 0.02' } }],
  }));

  it('never reads another rule file’s id to a reader: a source’s score or metric goes by its place in the list', () => {
    const rs = withSources();
    expect(ruleExpressionWords(rs, 'fp.indicators * 0.02')).to.equal('计划生育专项考核所列第1项得分×2%');
    expect(ruleExpressionWords(rs, 'fp.birthRate > 8')).to.equal('计划生育专项考核所列第1项指标 > 8');
    expect(ruleExpressionWords(rs, 'fp.人口计划 >= 100')).to.equal('计划生育专项考核“人口计划”得分 ≥ 100分');
  });

  it('takes a source’s titles from the caller that knows that rule set', () => {
    const rs = withSources();
    ruleExpressionWords(rs, 'fp.total'); // words made before the titles are told are made again
    useSourceTitles(rs, (source, field) => (source === 'fp' ? ({ indicators: '工作指标', birthRate: '人口出生率' } as Record<string, string>)[field] : undefined));
    expect(ruleExpressionWords(rs, 'fp.indicators * 0.02 + fp.total * 0.5')).to.equal('计划生育专项考核“工作指标”得分×2%+计划生育专项考核总分×50%');
    expect(ruleExpressionWords(rs, 'fp.birthRate > 8')).to.equal('计划生育专项考核人口出生率 > 8');
  });

  it('names the peers by the ranking’s scope and the subject', () => {
    const scope = (over: Record<string, unknown>) => peerScopeWords(compile(ruleSet({
      totalPoints: 10, items: [{ id: 'a', title: '甲项', points: 10, award: { method: 'fixed', points: 10 } }], ...over,
    })));
    expect(scope({})).to.equal('全乡');
    expect(scope({ subject: 'staff' }), 'staff are ranked within the unit they serve').to.equal('同一上级单位内');
    expect(scope({ subject: 'township' })).to.equal('同一上级单位内');
    expect(scope({ ranking: { scope: 'all' } })).to.equal('全部参考单位');
  });
});
