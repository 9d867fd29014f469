import { expect } from 'chai';
import { appraise, DataInvalid, SourceResults } from '../../src/engine/index.js';
import { benchRuleSetV2, engineTask, tableOf, v2Data } from '../../bench/tasks/engine.js';
import { scoreV2ByHand } from '../../bench/peers/hand-written-v2.js';
import { scoreByJsonLogicV2, translateToJsonLogicV2 } from '../../bench/peers/json-logic-v2.js';
import { syntheticRuleSetV2 } from '../../bench/synthetic-v2.js';

/**
 * The version-2 part of the engine benchmark (issue 20, point 7): its times mean something only if
 * the engine, the hand-written function and json-logic rank the same units the same way, and only
 * if its data makes every version-2 construct count. No time is asserted.
 */
describe('the engine benchmark on the version-2 rule set', () => {
  it('gets identical rankings from the engine, the hand-written function and json-logic', async function () {
    this.timeout(120_000);
    const { contestants, ruleset } = await engineTask({ size: 400, quick: true, ruleset: 'v2' });
    expect(ruleset).to.equal('v2');
    expect(contestants.map((c) => c.name)).to.deep.equal(['engine', 'handWritten', 'jsonLogic']);
    const [engine, ...peers] = contestants;
    expect(engine.checksum.units).to.equal(400);
    for (const peer of peers) expect(peer.checksum, peer.name).to.deep.equal(engine.checksum);
  });

  it('has data in which every version-2 construct changes some unit’s score', () => {
    const rs = benchRuleSetV2();
    const data = v2Data(2000);
    const { units } = appraise(rs, tableOf(data.cells, 'bench-v2'), { sources: new Map([['fp', data.fp]]) });
    const score = (id: string) => units.map((u) => u.scores[rs.nodes.findIndex((n) => n.id === id)]);
    // appliesIf: some units scaled, some not; an item that does not apply scores null (NaN here).
    expect(units.filter((u) => u.applicablePoints < 500).length).to.be.within(200, 1800);
    expect(score('c0').filter((s) => s !== s).length).to.be.above(0);
    // floor: the events item and the amount item go below zero, to their floors at most.
    expect(Math.min(...score('d0'))).to.be.below(0).and.at.least(-20);
    expect(Math.min(...score('c2'))).to.equal(-10);
    // events: 0 to 4 inline, and their vetoIf (3 较大 or more) vetoes a few units.
    expect(new Set(data.cells.map((c) => c.incidents.length))).to.deep.equal(new Set([0, 1, 2, 3, 4]));
    expect(units.filter((u) => u.vetoed).length).to.be.within(1, 100);
    // peers: the rank bands give more than one figure, and the source's veto takes points from some.
    expect(new Set(score('b0')).size).to.be.at.least(5);
    expect(score('d3').filter((s) => s === 0).length).to.be.above(0);
  });

  it('makes every contestant refuse a unit the source has no result for', () => {
    const rs = benchRuleSetV2();
    const data = v2Data(40);
    const lacking = new Map(data.fpObjects);
    lacking.delete('u0000007');
    expect(() => appraise(rs, tableOf(data.cells, 'bench-v2'), { sources: new Map([['fp', SourceResults.from(lacking)]]) }))
      .to.throw(DataInvalid).with.property('problems').that.deep.includes({ code: 'SOURCE_MISSING', message: '四十项细则考核中没有单位 “u0000007” 的考核结果', file: 'bench-v2', row: 8, column: 'id' });
    expect(() => scoreV2ByHand(data.cells, lacking)).to.throw(/u0000007/);
    expect(() => scoreByJsonLogicV2(translateToJsonLogicV2(syntheticRuleSetV2()), data.cells as never, lacking)).to.throw(/u0000007/);
  });
});
