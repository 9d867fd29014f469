import { expect } from 'chai';
import { growthSteps, stepRounds, GROWTH_LIMIT } from '../../bench/growth.js';

/** The growth table judges each step on its two sizes measured in the same round, seconds apart. */
describe('the growth of a cost with the units', () => {
  it('judges each step by the median of its rounds, each round comparing its own two figures', () => {
    // The machine was twice as slow in the second round: each round's own step is 1.2×.
    const steps = growthSteps([
      [{ size: 10, ms: 10, pageFaultsPerPass: 0 }, { size: 100, ms: 120, pageFaultsPerPass: 40 }],
      [{ size: 100, ms: 240, pageFaultsPerPass: 60 }, { size: 10, ms: 20, pageFaultsPerPass: 0 }],
      [{ size: 10, ms: 11, pageFaultsPerPass: 2 }, { size: 100, ms: 132, pageFaultsPerPass: 50 }],
    ]);
    expect(steps.map((s) => s.size)).to.deep.equal([10, 100]);
    expect(steps[0].ratioToSizeBefore).to.equal(null);
    expect(steps[0].linear).to.equal(true);
    expect(steps[1].ratioToSizeBefore).to.be.closeTo(1.2, 1e-9);
    expect(steps[1].linear).to.equal(true);
    expect(steps[1].usPerUnitByRound).to.deep.equal([1200, 2400, 1320]);
    expect(steps[1].usPerUnit).to.equal(1320);
    expect(steps[1].ms).to.equal(132);
    expect(steps[1].pageFaultsPerPass).to.equal(50);
  });

  it(`marks a step whose cost a unit is more than ${GROWTH_LIMIT}× the size before's, and not one of exactly ${GROWTH_LIMIT}×`, () => {
    const [, over] = growthSteps([[{ size: 1, ms: 1 }, { size: 10, ms: 15.01 }]]);
    expect(over.linear).to.equal(false);
    const [, at] = growthSteps([[{ size: 1, ms: 2 }, { size: 10, ms: 30 }]]);
    expect(at.linear).to.equal(true);
    expect(at.pageFaultsPerPass).to.equal(undefined);
  });

  it('judges each size against the one just below it', () => {
    const steps = growthSteps([[{ size: 1000, ms: 3000 }, { size: 10, ms: 10 }, { size: 100, ms: 100 }]]);
    expect(steps.map((s) => [s.size, s.ratioToSizeBefore])).to.deep.equal([[10, null], [100, 1], [1000, 3]]);
    expect(steps.map((s) => s.linear)).to.deep.equal([true, true, false]);
  });

  it('judges each step only on the rounds that measured both its sizes, and shows a size with all its rounds', () => {
    const steps = growthSteps([
      [{ size: 10, ms: 10 }, { size: 100, ms: 110 }],
      [{ size: 100, ms: 300 }, { size: 10, ms: 25 }],
      [{ size: 100, ms: 100 }, { size: 1000, ms: 1300 }],
      [{ size: 1000, ms: 1400 }, { size: 100, ms: 100 }],
    ]);
    expect(steps.map((s) => s.size)).to.deep.equal([10, 100, 1000]);
    expect(steps[1].ratioToSizeBefore).to.be.closeTo((1.1 + 1.2) / 2, 1e-9);
    expect(steps[2].ratioToSizeBefore).to.be.closeTo((1.3 + 1.4) / 2, 1e-9);
    expect(steps[1].usPerUnitByRound).to.deep.equal([1100, 3000, 1000, 1000]);
    expect(steps[1].usPerUnit).to.equal(1050);
  });

  it('refuses rounds it cannot judge a step on, saying which', () => {
    expect(() => growthSteps([])).to.throw('no round');
    expect(() => growthSteps([[{ size: 10, ms: 1 }, { size: 10, ms: 2 }]])).to.throw('round 1 measured a size twice (10, 10)');
    expect(() => growthSteps([[{ size: 10, ms: 1 }, { size: 100, ms: 10 }], [{ size: 1000, ms: 1 }]])).to.throw('no round measured both 100 and 1000');
  });

  it('measures each step on its own, its two sizes in turn, the smaller first in even rounds', () => {
    expect(stepRounds([100, 10, 1000], 3)).to.deep.equal([
      [10, 100], [100, 10], [10, 100],
      [100, 1000], [1000, 100], [100, 1000],
    ]);
    expect(stepRounds([10], 3)).to.deep.equal([]);
  });
});
