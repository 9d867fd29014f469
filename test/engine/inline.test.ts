import { expect } from 'chai';
import { clamp, round9, roundHalfUp } from '../../src/engine/decimal.js';
import * as I from '../../src/engine/inline.js';

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

  it('clamps to bounds compared at 9 decimals as clamp does', () => {
    for (const x of [...values, 25.0000000001, 24.9999999999, 25]) expect(same(run(I.clamp('x', 0, 25), x), clamp(x, 0, 25)), String(x)).to.equal(true);
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
