import { expect } from 'chai';
import { chinaClock, chinaDate, chinaDateTime, chinaSecond } from '../src/china-time.js';
import { helpers } from '../src/http/helpers/index.js';

/** Times shown to users are China Standard Time, whatever the server's own zone (issue 17). */

describe('times as China Standard Time', () => {
  let zone: string | undefined;
  // A server whose own zone is far from China's: what it shows must not follow it.
  before(() => { zone = process.env.TZ; process.env.TZ = 'America/New_York'; });
  after(() => { if (zone === undefined) delete process.env.TZ; else process.env.TZ = zone; });

  const cases: Array<[string, string, string, string]> = [
    // [moment in UTC, its day, its minute, its clock] in China
    ['2024-01-31T16:30:05.000Z', '2024-02-01', '2024-02-01 00:30', '00:30:05'],
    ['2024-12-31T15:59:59.999Z', '2024-12-31', '2024-12-31 23:59', '23:59:59'],
    ['2024-07-01T02:00:00.000Z', '2024-07-01', '2024-07-01 10:00', '10:00:00'], // no summer time
  ];
  for (const [utc, day, minute, clock] of cases) {
    it(`shows ${utc} as ${minute} (${clock})`, () => {
      expect(chinaDate(utc)).to.equal(day);
      expect(chinaDateTime(utc)).to.equal(minute);
      expect(chinaClock(Date.parse(utc))).to.equal(clock);
      expect(chinaSecond(utc)).to.equal(`${day} ${clock}`);
      expect(helpers.date(utc, {} as never)).to.equal(day);
      expect(helpers.datetime(utc, {} as never)).to.equal(minute);
    });
  }

  it('shows nothing for what is not a moment', () => {
    expect(chinaDateTime('not a time')).to.equal('');
    expect(helpers.datetime(null, {} as never)).to.equal('');
    expect(chinaClock(Number.NaN)).to.equal('');
  });
});
