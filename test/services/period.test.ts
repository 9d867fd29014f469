import { expect } from 'chai';
import { newestPeriodsFirst, parsePeriod, PeriodInvalid, periodSpan, periodTitle, sourcePeriod } from '../../src/services/period.js';

/** Periods: years, half-years, quarters and months (按月考核, issue 20 point 2), as a township writes them. */

describe('periods (parsePeriod)', () => {
  it('reads a month as 2024M03, titled 2024年3月', () => {
    expect(parsePeriod('2024M03')).to.deep.equal({ id: '2024M03', title: '2024年3月', kind: 'month' });
    expect(parsePeriod(' 2024m12 ')).to.deep.equal({ id: '2024M12', title: '2024年12月', kind: 'month' });
    expect(periodTitle('2024M01')).to.equal('2024年1月');
  });

  it('refuses months other than M01…M12, and a month without its leading zero', () => {
    for (const bad of ['2024M00', '2024M13', '2024M3', '2024M003', '2024M1', '2024M', '2024MM03']) {
      expect(() => parsePeriod(bad), bad).to.throw(PeriodInvalid).with.property('code', 'PERIOD_INVALID');
    }
    expect(periodTitle('2024M13'), 'no period: its id as it is').to.equal('2024M13');
  });

  it('still reads years, half-years and quarters as before', () => {
    expect(parsePeriod('2024').kind).to.equal('annual');
    expect(parsePeriod('2024H2').title).to.equal('2024年下半年');
    expect(parsePeriod('2024Q3').title).to.equal('2024年第3季度');
    expect(() => parsePeriod('2024H3')).to.throw(PeriodInvalid);
  });

  it('knows where each period starts and how many months it lasts', () => {
    expect(periodSpan('2024M03')).to.deep.equal({ start: 2024 * 12 + 2, months: 1 });
    expect(periodSpan('2024Q2')).to.deep.equal({ start: 2024 * 12 + 3, months: 3 });
    expect(periodSpan('2024H2')).to.deep.equal({ start: 2024 * 12 + 6, months: 6 });
    expect(periodSpan('2024')).to.deep.equal({ start: 2024 * 12, months: 12 });
    expect(periodSpan('soon')).to.equal(undefined);
  });
});

describe('periods newest first (newestPeriodsFirst)', () => {
  it('orders by the month each starts, the latest first, and of those starting together the longest first', () => {
    const ids = ['2024M01', '2024', '2024M03', '2024Q1', '2024H1', '2024M02', '2024Q2', '2024M04', '2023', '2024M12'];
    expect(newestPeriodsFirst(ids.map((id) => ({ id }))).map((p) => p.id))
      .to.deep.equal(['2024M12', '2024Q2', '2024M04', '2024M03', '2024M02', '2024', '2024H1', '2024Q1', '2024M01', '2023']);
  });

  it('puts ids that are no period last, and leaves the list it was given as it was', () => {
    const given = [{ id: 'x' }, { id: '2023' }, { id: '2024M02' }];
    expect(newestPeriodsFirst(given).map((p) => p.id)).to.deep.equal(['2024M02', '2023', 'x']);
    expect(given.map((p) => p.id)).to.deep.equal(['x', '2023', '2024M02']);
  });

  describe('the period a source reads (RULES.md §7.8)', () => {
    const cases: Array<[string, string, string]> = [
      ['2024', 'same', '2024'], ['2024', 'previous', '2023'], ['2024', 'lastYear', '2023'],
      ['2024Q3', 'previous', '2024Q2'], ['2024Q1', 'previous', '2023Q4'], ['2024Q3', 'lastYear', '2023Q3'],
      ['2024H1', 'previous', '2023H2'], ['2024H2', 'previous', '2024H1'],
      ['2024M01', 'previous', '2023M12'], ['2024M10', 'previous', '2024M09'], ['2024M03', 'lastYear', '2023M03'],
      ['2024', 'H1', '2024H1'], ['2024', 'Q4', '2024Q4'], ['2024', 'M12', '2024M12'], ['2024Q2', 'M01', '2024M01'],
    ];
    for (const [period, spec, read] of cases) {
      it(`reads ${read} for ${spec} in ${period}`, () => expect(sourcePeriod(period, spec)).to.equal(read));
    }
  });
});
