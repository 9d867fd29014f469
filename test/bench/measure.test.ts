import { expect } from 'chai';
import { checksum, firstTouchMicros, median } from '../../bench/measure.js';

/** What every figure of the benchmark is made with: the median, the checksum, the price of a page. */
describe('the benchmark measures', () => {
  it('take the median of an odd and of an even number of passes, in any order', () => {
    expect(median([30, 10, 20])).to.equal(20);
    expect(median([40, 10, 30, 20])).to.equal(25);
  });

  it('checksum the totals exactly in tenths and the ranked list in its order', () => {
    const a = checksum([{ id: 'v1', total: 950.5, rank: 1 }, { id: 'v2', total: 940.1, rank: 2 }]);
    expect(a.units).to.equal(2);
    expect(a.totalTenths).to.equal(18906);
    const swapped = checksum([{ id: 'v2', total: 940.1, rank: 2 }, { id: 'v1', total: 950.5, rank: 1 }]);
    expect(swapped.totalTenths).to.equal(a.totalTenths);
    expect(swapped.hash).to.not.equal(a.hash);
  });

  it('price a page of memory touched for the first time where the system counts page faults', function () {
    this.timeout(30_000);
    const us = firstTouchMicros();
    expect(Number.isFinite(us)).to.equal(true);
    // Linux counts minor faults; a system that counts none gets no price, not a wrong one.
    if (process.platform === 'linux') expect(us).to.be.greaterThan(0);
    else expect(us).to.be.at.least(0);
  });
});
