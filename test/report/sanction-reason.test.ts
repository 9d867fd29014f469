import { expect } from 'chai';
import type { CompiledRuleSet, Sanction } from '../../src/engine/index.js';
import { scoreJson } from '../../src/engine/index.js';
import { chineseNumber, placeWords, sanctionPhrase, sanctionReasons } from '../../src/report/sanction-reason.js';
import { v2Appraisal, v2RuleSet } from '../support/words-v2.js';

/** Why a unit bears its sanction: the rule's place in words, found again from its rank level in its scope. */

const VILLAGE_SANCTIONS = [
  { place: 1, outcome: 'commendation', label: '表彰' },
  { place: -1, outcome: 'veto', label: '一票否决' },
  { place: -2, outcome: 'criticism', label: '通报批评' },
] as const;

function rules(scope: 'parent' | 'all', sanctions: ReadonlyArray<{ place: number; outcome: Sanction['outcome']; label: string }> = VILLAGE_SANCTIONS): CompiledRuleSet {
  return { ranking: { scope, sanctions: [...sanctions], tieBreak: [], vetoedLast: true, liability: [] } } as unknown as CompiledRuleSet;
}

const s = (outcome: Sanction['outcome'], label: string): Sanction => ({ outcome, label });
const unit = (id: string, rank: number, sanctions: Sanction[] = [], parent: string | null = 't1') => ({ id, parent, rank, sanctions });

describe('the reason of a sanction', () => {
  it('writes small numbers as a township does', () => {
    expect([1, 2, 9, 10, 11, 20, 35, 99].map(chineseNumber)).to.deep.equal(['一', '二', '九', '十', '十一', '二十', '三十五', '九十九']);
    expect(chineseNumber(120)).to.equal('120');
  });

  it('names a place from the top and from the bottom', () => {
    expect([1, 3, -1, -2, -3].map(placeWords)).to.deep.equal(['第一名', '第三名', '排名最后', '倒数第二名', '倒数第三名']);
  });

  it('puts the reason before the sanction, and leaves a sanction without one as it is', () => {
    expect(sanctionPhrase({ label: '通报批评', reason: '倒数第二名' })).to.equal('倒数第二名，通报批评');
    expect(sanctionPhrase({ label: '通报批评', reason: '' })).to.equal('通报批评');
  });

  it('gives the first, the second-to-last and the last of a township their reasons', () => {
    const units = [unit('a', 1, [s('commendation', '表彰')]), unit('b', 2), unit('c', 3, [s('criticism', '通报批评')]), unit('d', 4, [s('veto', '一票否决')])];
    const reasons = sanctionReasons(rules('parent'), units);
    expect(reasons.get('a')).to.deep.equal([{ outcome: 'commendation', label: '表彰', reason: '第一名' }]);
    expect(reasons.get('c')![0].reason).to.equal('倒数第二名');
    expect(reasons.get('d')![0].reason).to.equal('排名最后');
    expect(reasons.has('b')).to.equal(false);
  });

  it('counts rank levels, not units: tied units share the place the sanction names', () => {
    // 1, 2, 2, 4: three levels, so the tied pair is the second-to-last level.
    const units = [unit('a', 1), unit('b', 2, [s('criticism', '通报批评')]), unit('c', 2, [s('criticism', '通报批评')]), unit('d', 4, [s('veto', '一票否决')])];
    const reasons = sanctionReasons(rules('parent'), units);
    expect([reasons.get('b')![0].reason, reasons.get('c')![0].reason]).to.deep.equal(['倒数第二名', '倒数第二名']);
  });

  it('counts within each township when the rule set ranks by parent, and across all when it ranks all together', () => {
    const units = [unit('a', 1, [], 't1'), unit('b', 2, [s('veto', '一票否决')], 't1'), unit('c', 1, [], 't2'), unit('d', 2, [], 't2'), unit('e', 3, [s('veto', '一票否决')], 't2')];
    expect(sanctionReasons(rules('parent'), units).get('b')![0].reason).to.equal('排名最后');
    // Ranked all together, rank 2 of three levels is the second-to-last: no rule gives 一票否决 there.
    expect(sanctionReasons(rules('all'), units).get('b')![0].reason).to.equal('');
  });

  it('tells apart places that give the same sanction (the first three commended)', () => {
    const label = '评为优秀计生干部，予以表彰奖励';
    const three = [1, 2, 3].map((place) => ({ place, outcome: 'commendation' as const, label }));
    const units = [1, 2, 3, 4].map((rank) => unit(`s${rank}`, rank, rank < 4 ? [s('commendation', label)] : []));
    const reasons = sanctionReasons(rules('parent', three), units);
    expect(['s1', 's2', 's3'].map((id) => reasons.get(id)![0].reason)).to.deep.equal(['第一名', '第二名', '第三名']);
  });

  it('gives no reason for a sanction the rule set does not place there, rather than a wrong one', () => {
    const reasons = sanctionReasons(rules('parent'), [unit('a', 1, [s('criticism', '通报批评')]), unit('b', 2), unit('c', 3)]);
    expect(reasons.get('a')).to.deep.equal([{ outcome: 'criticism', label: '通报批评', reason: '' }]);
  });
});

describe('the reason of a sanction by rank range with a condition (issue 20, point 5)', () => {
  const rs = v2RuleSet();
  const reasons = sanctionReasons(rs, scoreJson(rs, '0'.repeat(64), v2Appraisal(rs)).units);
  const phrase = (id: string) => (reasons.get(id) ?? []).map(sanctionPhrase);

  it('names the unit’s place in its township and the figure its condition reads: 全乡第2名，总分265.6分，一等奖', () => {
    expect(phrase('v01')).to.deep.equal(['全乡第1名，总分291.4分，一等奖']);
    expect(phrase('v02')).to.deep.equal(['全乡第2名，总分265.6分，一等奖']);
  });

  it('gives the second prize of the group its own reason, and a place sanction its place', () => {
    expect(phrase('v06')).to.deep.equal(['全乡第3名，总分206.3分，二等奖']);
    expect(phrase('v05')).to.deep.equal(['排名最后，通报批评']);
  });

  it('leaves out a figure the result does not carry rather than guess it', () => {
    const [u] = scoreJson(rs, '0'.repeat(64), v2Appraisal(rs)).units;
    const bare = sanctionReasons(rs, [{ id: u.id, parent: u.parent, rank: u.rank, sanctions: u.sanctions }]);
    expect(bare.get(u.id)!.map(sanctionPhrase)).to.deep.equal(['全乡第1名，一等奖']);
  });
});
