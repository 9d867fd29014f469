import { expect } from 'chai';
import { setTimeZone, DEFAULT_TIME_ZONE } from '../../src/local-time.js';
import { addWorkingDays, dateInWords, daysBetween, defaultReviewUntil, isDate, runState, takesAppeals, today } from '../../src/services/review-period.js';

describe('the 公示 period', () => {
  afterEach(() => setTimeZone(DEFAULT_TIME_ZONE));

  it('counts working days from Monday to Friday, passing over the weekend', () => {
    expect(addWorkingDays('2024-12-02', 5), 'Monday + 5').to.equal('2024-12-09');
    expect(addWorkingDays('2024-12-06', 1), 'Friday + 1').to.equal('2024-12-09');
    expect(addWorkingDays('2024-12-07', 1), 'Saturday + 1').to.equal('2024-12-09');
    expect(addWorkingDays('2024-12-31', 2), 'across the year').to.equal('2025-01-02');
  });

  it('gives five working days from today in China Standard Time by default, whatever the server’s zone', () => {
    // 16:30 UTC on Friday 6 December is 00:30 on Saturday 7 December in Beijing.
    const moment = Date.parse('2024-12-06T16:30:00Z');
    expect(today(moment)).to.equal('2024-12-07');
    expect(defaultReviewUntil(moment)).to.equal('2024-12-13');
  });

  it('takes only real calendar dates written year-month-day', () => {
    expect(isDate('2024-02-29')).to.equal(true);
    for (const bad of ['2023-02-29', '2024-13-01', '2024-1-5', '20240105', '2024-01-05T00:00', '', '2024-01-05\n']) expect(isDate(bad), bad).to.equal(false);
  });

  it('reads a run under 公示 until the end of its last day, then as past its 公示', () => {
    const run = { status: 'published' as const, review_until: '2024-12-09' };
    expect(runState(run, Date.parse('2024-12-09T15:59:59Z')), '23:59:59 Beijing time').to.equal('review');
    expect(takesAppeals(run, Date.parse('2024-12-09T15:59:59Z'))).to.equal(true);
    expect(runState(run, Date.parse('2024-12-09T16:00:00Z')), 'midnight Beijing time').to.equal('review-ended');
    expect(takesAppeals(run, Date.parse('2024-12-09T16:00:00Z'))).to.equal(false);
  });

  it('reads a run published before 公示 existed (no deadline) as past its 公示, and every other state as it is', () => {
    expect(runState({ status: 'published', review_until: null })).to.equal('review-ended');
    for (const status of ['draft', 'final', 'superseded', 'discarded'] as const) {
      expect(runState({ status, review_until: '2999-01-01' })).to.equal(status);
      expect(takesAppeals({ status, review_until: '2999-01-01' })).to.equal(false);
    }
  });

  it('says a date and the days between two dates as a township does', () => {
    expect(dateInWords('2024-12-09')).to.equal('2024年12月9日');
    expect(daysBetween('2024-12-02', '2024-12-09')).to.equal(7);
    expect(daysBetween('2024-12-09', '2024-12-09')).to.equal(0);
  });
});
