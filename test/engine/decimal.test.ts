import { expect } from 'chai';
import { round9, roundHalfUp } from '../../src/engine/decimal.js';
import { stepCount } from '../../src/engine/methods.js';

describe('decimal discipline (RULES.md §4)', () => {
  it('rounds 2.675 at precision 2 to 2.68, as exact decimals do', () => {
    expect(roundHalfUp(2.675, 2)).to.equal(2.68);
  });

  it('counts 98 − 96 with per 1 and steps "started" as exactly 2 steps', () => {
    expect(stepCount((98 - 96) / 1, 'started')).to.equal(2);
    expect(stepCount((98.0 - 97.3) / 0.1, 'started')).to.equal(7);
    expect(stepCount((98.0 - 97.3) / 0.1, 'whole')).to.equal(7);
  });

  it('sees 0.1 + 0.2 as equal to 0.3 once rounded to 9 decimals', () => {
    expect(round9(0.1 + 0.2)).to.equal(round9(0.3));
  });

  it('rounds halves away from zero for negative values', () => {
    expect(roundHalfUp(-2.675, 2)).to.equal(-2.68);
    expect(roundHalfUp(-0.05, 1)).to.equal(-0.1);
  });

  it('never gives negative zero', () => {
    expect(Object.is(roundHalfUp(-0.0001, 1), 0)).to.equal(true);
  });

  it('rounds large values exactly on their decimal digits', () => {
    expect(roundHalfUp(123456789.125, 2)).to.equal(123456789.13);
    expect(roundHalfUp(98765432.45, 1)).to.equal(98765432.5);
  });

  it('keeps values at any precision from 0 to 4', () => {
    expect([0, 1, 2, 3, 4].map((d) => roundHalfUp(1.23456, d))).to.deep.equal([1, 1.2, 1.23, 1.235, 1.2346]);
  });

  it('leaves values from 2^53 up as they are, where every double is an integer, to the largest a double holds (issue 17)', () => {
    for (const x of [2 ** 53, 1e21, 1.5e300, Number.MAX_VALUE]) {
      for (const d of [0, 1, 4, 9]) {
        expect(roundHalfUp(x, d), `${x} at ${d}`).to.equal(x);
        expect(roundHalfUp(-x, d), `${-x} at ${d}`).to.equal(-x);
      }
    }
    expect(roundHalfUp(1e15 + 0.5, 0)).to.equal(1e15 + 1);
  });
});
