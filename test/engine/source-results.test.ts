import { expect } from 'chai';
import fc from 'fast-check';
import { SourceResults, type SourceResult } from '../../src/engine/source-results.js';
import { ABSENT, Field, fieldAt, type SourceField } from '../../src/engine/source-fields.js';
import { dict } from '../../src/engine/own.js';

const result = (total: number, more: Partial<SourceResult> = {}): SourceResult => ({ total, rank: 1, grade: '优秀', vetoed: false, bonus: 0, penalty: 0, ...more });
const field = (kind: Field, key = ''): SourceField => ({ source: { name: 'fp' } as never, k: 0, kind, key });

describe('a source’s results kept column by column', () => {
  it('gives back each unit’s result as it was given: figures, null, yes/no, text, an absent applicablePoints, its scores and metrics', () => {
    const given: Array<[string, SourceResult]> = [
      ['v1', result(96.5, { applicablePoints: 1000, scores: { a: 10, b: null }, metrics: { rate: 98.25, farm: true, kind: '山区' } })],
      ['v2', result(NaN, { grade: null, vetoed: true, rank: 2 })],
      ['v3', result(80, { scores: {}, metrics: { rate: null } })],
    ];
    const kept = SourceResults.from(given);
    expect(kept.size).to.equal(3);
    expect([...kept.keys()]).to.deep.equal(['v1', 'v2', 'v3']);
    for (const [id, r] of given) expect(kept.get(id)).to.deep.equal(JSON.parse(JSON.stringify(r, (_k, v) => (Number.isNaN(v) ? 'NaN' : v)), (_k, v) => (v === 'NaN' ? NaN : v)));
    expect(kept.get('v2')).to.not.have.property('applicablePoints');
    expect(kept.get('v2')).to.not.have.property('scores');
    expect(kept.get('v9')).to.equal(undefined);
    expect(kept.indexOf('v3')).to.equal(2);
    expect(kept.indexOf('v9')).to.equal(-1);
  });

  it('keeps the last of a unit given twice, in the place of the first, as a Map does', () => {
    const kept = SourceResults.from([['v1', result(1)], ['v2', result(2)], ['v1', result(3)]]);
    expect([...kept.keys()]).to.deep.equal(['v1', 'v2']);
    expect(kept.get('v1')!.total).to.equal(3);
  });

  it('reads a listed score or metric a result lacks, or holds no figure in, as absent, and one no result has at every place', () => {
    const kept = SourceResults.from([
      ['v1', result(1, { scores: { a: 5 } })],
      ['v2', result(2, { scores: { b: 5 } })],
      ['v3', result(3, { scores: { a: { nested: 1 } as never } })],
      ['v4', result(4)],
    ]);
    expect([0, 1, 2, 3].map((i) => fieldAt(kept, i, field(Field.Score, 'a')))).to.deep.equal([5, ABSENT, ABSENT, ABSENT]);
    expect([0, 1, 2, 3].map((i) => fieldAt(kept, i, field(Field.Metric, 'rate')))).to.deep.equal([ABSENT, ABSENT, ABSENT, ABSENT]);
    expect(kept.get('v3')!.scores).to.deep.equal({ a: { nested: 1 } });
  });

  it('reads a key only inherited from Object.prototype as absent, and a key named __proto__ as the result’s own', () => {
    const scores = dict<number | null>();
    scores.__proto__ = 7;
    const kept = SourceResults.from([['v1', result(1, { scores })], ['v2', result(2, { scores: { a: 1 } })]]);
    expect(fieldAt(kept, 0, field(Field.Score, '__proto__'))).to.equal(7);
    expect(fieldAt(kept, 1, field(Field.Score, '__proto__'))).to.equal(ABSENT);
    expect(fieldAt(kept, 1, field(Field.Score, 'toString'))).to.equal(ABSENT);
  });

  it('reads applicablePoints beyond a figure as null, and the other fields as they were given', () => {
    const kept = SourceResults.from([
      ['v1', result(1, { applicablePoints: Infinity })],
      ['v2', result(2)],
      ['v3', result(3, { applicablePoints: 850, grade: null, vetoed: true })],
    ]);
    expect([0, 1, 2].map((i) => fieldAt(kept, i, field(Field.ApplicablePoints)))).to.deep.equal([null, null, 850]);
    expect([0, 1, 2].map((i) => fieldAt(kept, i, field(Field.Grade)))).to.deep.equal(['优秀', '优秀', null]);
    expect([0, 1, 2].map((i) => fieldAt(kept, i, field(Field.Vetoed)))).to.deep.equal([false, false, true]);
    expect([0, 1, 2].map((i) => fieldAt(kept, i, field(Field.Total)))).to.deep.equal([1, 2, 3]);
  });

  it('gives back any results exactly, whatever their values', () => {
    const value = fc.oneof(fc.double(), fc.constant(null), fc.boolean(), fc.string({ maxLength: 4 }));
    const table = fc.option(fc.dictionary(fc.constantFrom('a', 'b', 'c', '__proto__'), value), { nil: undefined });
    const one = fc.record({
      total: fc.double(), rank: fc.integer(), grade: fc.option(fc.string({ maxLength: 3 }), { nil: null }), vetoed: fc.boolean(),
      bonus: fc.double(), penalty: fc.double(), applicablePoints: fc.option(fc.double(), { nil: undefined }), scores: table, metrics: table,
    }, { requiredKeys: ['total', 'rank', 'grade', 'vetoed', 'bonus', 'penalty'] });
    fc.assert(fc.property(fc.uniqueArray(fc.tuple(fc.string({ minLength: 1, maxLength: 3 }), one), { selector: ([id]) => id, maxLength: 8 }), (entries) => {
      const kept = SourceResults.from(entries as Array<[string, SourceResult]>);
      for (const [id, r] of entries) {
        const back = kept.get(id)! as unknown as Record<string, unknown>;
        for (const [k, v] of Object.entries(r)) {
          if (v === undefined) { expect(back).to.not.have.property(k); continue; }
          if (k === 'scores' || k === 'metrics') expect({ ...(back[k] as object) }).to.deep.equal({ ...(v as object) });
          else expect(Object.is(back[k], v) || (Number.isNaN(back[k]) && Number.isNaN(v))).to.equal(true, `${id}.${k}`);
        }
      }
    }));
  });
  describe('the places of a list of keys', () => {
    // Results in the order a ranking lists them (by parent, then by rank), not by id.
    const kept = SourceResults.from(['v07', 'v03', 'v10', 'v01', 'v05'].map((id, k) => [id, result(k)] as [string, SourceResult]));

    it('finds each key of a list in id order where indexOf finds it, -1 for a unit the assessment has none for, and none for a key undefined or null', () => {
      const keys = [undefined, 'v01', 'v02', 'v03', null, 'v05', 'v07', 'v08', 'v10', 'v11'];
      expect([...kept.placesOf(keys)]).to.deep.equal([-1, 3, -1, 1, -1, 4, 0, -1, 2, -1]);
    });

    it('finds a key repeated in a row (the rows of one parent) at the same place each time', () => {
      expect([...kept.placesOf(['v03', 'v03', 'v03', 'v06', 'v06', 'v07', 'v07'])]).to.deep.equal([1, 1, 1, -1, -1, 0, 0]);
    });

    it('looks up every key from the first out of order on, and finds them all the same', () => {
      expect([...kept.placesOf(['v03', 'v07', 'v01', 'v10', 'v05', 'v03'])]).to.deep.equal([1, 0, 3, 2, 4, 1]);
    });

    it('gives any list of keys the places indexOf gives, whether in order or not', () => {
      const id = fc.integer({ min: 0, max: 30 }).map((k) => `u${String(k).padStart(2, '0')}`);
      fc.assert(fc.property(fc.uniqueArray(id, { maxLength: 20 }), fc.array(fc.option(id, { nil: undefined }), { maxLength: 30 }), fc.boolean(), (ids, keys, sorted) => {
        const results = SourceResults.from(ids.map((x, k) => [x, result(k)] as [string, SourceResult]));
        const list = sorted ? [...keys].sort() : keys;
        expect([...results.placesOf(list)]).to.deep.equal(list.map((k) => (k === undefined ? -1 : results.indexOf(k))));
      }));
    });
  });
});
