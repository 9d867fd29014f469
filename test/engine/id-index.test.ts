import { expect } from 'chai';
import fc from 'fast-check';
import { hashId, IdIndex } from '../../src/engine/id-index.js';

describe('unit ids found by their text', () => {
  it('finds each id at its place, and no id that is not there', () => {
    const ids = ['v1', 'v10', 'v100', '', '村01', '张庄村', 'u0000001', 'V1', 'v1 ', '𠀀村'];
    const index = new IdIndex(ids);
    ids.forEach((id, p) => expect(index.indexOf(id), id).to.equal(p));
    // A prefix, a longer id, another case, another surrogate pair, another CJK character: none is there.
    for (const id of ['v', 'v1000', 'v2', 'u0000002', 'V10', '𠀁村', '张庄', '张庄村委', ' v1']) expect(index.indexOf(id), id).to.equal(-1);
  });

  it('tells apart ids whose hashes are the same, whatever their length', () => {
    const ids = ['v1', 'v10', 'v', '', 'w1', '村1'];
    const index = new IdIndex(ids, () => 7); // every id in one slot: found by its code units alone
    ids.forEach((id, p) => expect(index.indexOf(id), id).to.equal(p));
    for (const id of ['v100', 'v2', 'x', '村', '1v']) expect(index.indexOf(id), id).to.equal(-1);
  });

  it('finds nothing in no ids', () => {
    expect(new IdIndex([]).indexOf('v1')).to.equal(-1);
    expect(new IdIndex([]).indexOf('')).to.equal(-1);
  });

  it('keeps the first place of an id given twice', () => {
    expect(new IdIndex(['a', 'b', 'a']).indexOf('a')).to.equal(0);
    expect(new IdIndex(['a', 'b', 'a'], hashId).indexOf('a')).to.equal(0);
  });

  it('finds the same places in a Map of a few ids as in the table of many', () => {
    const ids = Array.from({ length: 40_000 }, (_, k) => `村${k}`);
    const many = new IdIndex(ids), few = new IdIndex(ids.slice(0, 30_000));
    for (let k = 0; k < 30_000; k += 11) expect(few.indexOf(ids[k])).to.equal(many.indexOf(ids[k])).and.to.equal(k);
    expect(few.indexOf(ids[35_000])).to.equal(-1);
    expect(many.indexOf(ids[35_000])).to.equal(35_000);
  });

  it('finds every one of 100,000 ids that differ in one character, and none of their neighbours', () => {
    const ids = Array.from({ length: 100_000 }, (_, k) => `u${String(k).padStart(7, '0')}`);
    const index = new IdIndex(ids);
    for (let k = 0; k < ids.length; k += 7) expect(index.indexOf(ids[k])).to.equal(k);
    expect(index.indexOf('u0100000')).to.equal(-1);
    expect(index.indexOf('u000000')).to.equal(-1);
  });

  it('finds what a Map of the same ids finds, for any ids and any lookups', () => {
    fc.assert(fc.property(fc.array(fc.string({ unit: 'binary', maxLength: 6 }), { maxLength: 60 }), fc.array(fc.string({ unit: 'binary', maxLength: 6 }), { maxLength: 30 }), (given, asked) => {
      const ids = [...new Set(given)];
      const map = new Map(ids.map((id, p) => [id, p]));
      // A few ids are a Map; the same ids in the table (given its hash) are found the same.
      for (const index of [new IdIndex(ids), new IdIndex(ids, hashId)]) {
        for (const id of [...ids, ...asked]) expect(index.indexOf(id)).to.equal(map.get(id) ?? -1);
      }
    }), { numRuns: 300 });
  });

  it('hashes an id by its code units alone', () => {
    expect(hashId('村01')).to.equal(hashId(['村', '0', '1'].join('')));
    expect(hashId('ab')).to.not.equal(hashId('ba'));
  });
});
