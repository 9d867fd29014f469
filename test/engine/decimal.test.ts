import { expect } from 'chai';
import fc from 'fast-check';
import { above9, atLeast9, round9, roundHalfUp, same } from '../../src/engine/decimal.js';
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
  it('calls two numbers the same exactly when they round to the same 9 decimals, near or far, small or beyond 9e6', () => {
    expect(same(0.1 + 0.2, 0.3)).to.equal(true);
    expect(same(1.0000000004, 1.0000000006)).to.equal(false); // 1.000000000 and 1.000000001
    expect(same(-2.0000000004, -1.9999999996)).to.equal(true);
    expect(same(12345678.0000000004, 12345678)).to.equal(true);
    const near = fc.tuple(fc.double({ min: -1e12, max: 1e12, noNaN: true }), fc.integer({ min: -4000, max: 4000 }), fc.constantFrom(1e-12, 1e-10, 1e-9, 5e-10, 1e-7, 1e-6, 1e-3))
      .map(([a, k, step]) => [a, a + k * step * Math.max(1, Math.abs(a) * 1e-9)] as const);
    const any = fc.tuple(fc.double({ noNaN: true, noDefaultInfinity: true }), fc.double({ noNaN: true, noDefaultInfinity: true }));
    fc.assert(fc.property(fc.oneof(near, any), ([a, b]) => { expect(same(a, b)).to.equal(round9(a) === round9(b)); }), { numRuns: 20000 });
  });

  it('compares two numbers exactly as their 9-decimal roundings compare, near or far, and undefined (NaN) as neither above nor at least', () => {
    expect(atLeast9(79.9999999996, 80)).to.equal(true);
    expect(above9(80.0000000004, 80)).to.equal(false);
    expect(above9(80.000000001, 80)).to.equal(true);
    expect([atLeast9(NaN, 1), atLeast9(1, NaN), above9(NaN, 1), above9(1, NaN)]).to.deep.equal([false, false, false, false]);
    const near = fc.tuple(fc.double({ min: -1e12, max: 1e12, noNaN: true }), fc.integer({ min: -4000, max: 4000 }), fc.constantFrom(1e-12, 1e-10, 1e-9, 5e-10, 1e-7, 1e-6, 1e-3))
      .map(([a, k, step]) => [a, a + k * step * Math.max(1, Math.abs(a) * 1e-9)] as const);
    const any = fc.tuple(fc.double({ noNaN: true, noDefaultInfinity: true }), fc.double({ noNaN: true, noDefaultInfinity: true }));
    fc.assert(fc.property(fc.oneof(near, any), ([a, b]) => {
      expect(atLeast9(a, b)).to.equal(round9(a) >= round9(b));
      expect(above9(a, b)).to.equal(round9(a) > round9(b));
    }), { numRuns: 20000 });
  });
});
