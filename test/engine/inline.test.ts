import { expect } from 'chai';
import { clamp, round9, roundHalfUp } from '../../src/engine/decimal.js';
import * as I from '../../src/engine/inline.js';
import { meetsTarget, stepCount } from '../../src/engine/methods.js';

/**
 * The decimal discipline written inline for generated code computes what the helpers of
 * decimal.ts compute, value for value, on the awkward values: halves, negatives, −0,
 * float noise, magnitudes past the fast range, undefined (NaN) and infinities.
 */
describe('the decimal discipline written inline', () => {
  const H = { r9: round9, rh: roundHalfUp };
  const run = (expr: string, ...args: number[]): number => {
    // eslint-disable-next-line @typescript-eslint/no-implied-eval -- the code under test is generated
    const fn = new Function('H', 'x', 'y', `${I.temporaries(expr)}\nreturn ${expr};`) as (h: typeof H, x: number, y: number) => number;
    return fn(H, args[0], args[1]);
  };
  const same = (a: number, b: number) => Object.is(a, b) || (a !== a && b !== b);
  const values = [0, -0, 1, -1, 2.675, -2.675, 0.1 + 0.2, 1.0000000005, -1.0000000005, 0.0000000004, 12345.6789, 8999999.5, 9e6, -9e6, 1.5e10, -3.25e12, NaN, Infinity, -Infinity, 97.99999999999999];

  it('rounds to 9 decimals as round9 does', () => {
    for (const x of values) expect(same(run(I.r9('x'), x), round9(x)), String(x)).to.equal(true);
  });

  it('rounds half up at every precision as roundHalfUp does', () => {
    for (let digits = 0; digits <= 9; digits++) {
      for (const x of values) expect(same(run(I.roundHalfUp('x', digits), x), roundHalfUp(x, digits)), `${x} at ${digits}`).to.equal(true);
    }
  });

  it('clamps to bounds compared at 9 decimals as clamp does, with the bounds and just past them', () => {
    const bounds: Array<[number, number]> = [[0, 25], [0, 1], [-5, 2.5], [0.1, 0.3], [1e-10, 7], [0, 0.1 + 0.2], [-9.5e6, 9.5e6], [3, 3]];
    for (const [lo, hi] of bounds) {
      const near = [lo, hi, lo - 4e-10, lo - 6e-10, lo + 4e-10, hi + 4e-10, hi + 6e-10, hi - 4e-10, (lo + hi) / 2];
      for (const x of [...values, ...near]) expect(same(run(I.clamp('x', lo, hi), x), clamp(x, lo, hi)), `${x} in [${lo}, ${hi}]`).to.equal(true);
    }
  });

  it('takes a shortfall as methods.ts does, on the target, just short of it and just past it, both ways and in every step mode', () => {
    for (const target of [90, 0.3, -2, 0.1 + 0.2]) {
      const near = [target, target - 4e-10, target - 6e-10, target + 4e-10, target + 6e-10, target - 0.75, target + 0.75, target - 3, NaN];
      for (const better of ['higher', 'lower'] as const) {
        for (const mode of ['started', 'whole', 'proportional'] as const) {
          const expected = (x: number) => (x !== x ? NaN : meetsTarget(x, target, better) ? 0 : 2 * stepCount(Math.abs(x - target) / 0.5, mode));
          for (const x of near) expect(same(run(I.shortfall('x', target, better, 0.5, 2, mode), x), expected(x)), `${x} ${better} than ${target}, ${mode}`).to.equal(true);
        }
      }
    }
  });

  it('gives undefined for a division by what is 0 to 9 decimals, and the quotient otherwise', () => {
    expect(run(I.divide('x', 'y'), 1, 0)).to.be.NaN;
    expect(run(I.divide('x', 'y'), 1, 4e-10)).to.be.NaN;
    expect(run(I.divide('x', 'y'), 1, 0.3 - 0.1 - 0.2)).to.be.NaN;
    expect(run(I.divide('x', 'y'), 1, 6e-10)).to.equal(1 / 6e-10);
    expect(run(I.divide('x', 'y'), 7, NaN)).to.be.NaN;
    expect(run(I.divide('x', 'y'), 3, 4)).to.equal(0.75);
  });

  it('writes undefined as a number, never as the global NaN', () => {
    expect(I.divide('x', 'y')).to.not.match(/\bNaN\b/);
    expect(I.NAN).to.equal('(0 / 0)');
  });
});
