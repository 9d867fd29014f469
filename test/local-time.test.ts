import { expect } from 'chai';
import { loadConfig } from '../src/config.js';
import { DEFAULT_TIME_ZONE, localClock, localDate, localDateTime, localSecond, setTimeZone, timeZone, zoneName } from '../src/local-time.js';
import { helpers } from '../src/http/helpers/index.js';

/** Times shown to users are China Standard Time, whatever the server's own zone (issue 17), or the zone TIME_ZONE names (issue 18). */

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
      expect(localDate(utc)).to.equal(day);
      expect(localDateTime(utc)).to.equal(minute);
      expect(localClock(Date.parse(utc))).to.equal(clock);
      expect(localSecond(utc)).to.equal(`${day} ${clock}`);
      expect(helpers.date(utc, {} as never)).to.equal(day);
      expect(helpers.datetime(utc, {} as never)).to.equal(minute);
    });
  }

  it('shows nothing for what is not a moment', () => {
    expect(localDateTime('not a time')).to.equal('');
    expect(helpers.datetime(null, {} as never)).to.equal('');
    expect(localClock(Number.NaN)).to.equal('');
  });

  it('reads a run published at 05:05 UTC as 13:05, the zone being Asia/Shanghai unless TIME_ZONE says otherwise', () => {
    expect(timeZone()).to.equal('Asia/Shanghai');
    expect(loadConfig({}).timeZone).to.equal('Asia/Shanghai');
    expect(localDateTime('2024-12-31T05:05:00.000Z')).to.equal('2024-12-31 13:05');
  });

  it('shows every time in the zone TIME_ZONE names, once it is set at start-up', () => {
    try {
      expect(zoneName()).to.equal('北京时间');
      setTimeZone(loadConfig({ TIME_ZONE: 'Asia/Tokyo' }).timeZone!);
      expect(localSecond('2024-01-31T16:30:05.000Z')).to.equal('2024-02-01 01:30:05');
      expect(zoneName(), 'a message names the zone its times are in').to.equal('Asia/Tokyo');
      setTimeZone(loadConfig({ TIME_ZONE: 'UTC' }).timeZone!);
      expect(localDateTime('2024-01-31T16:30:05.000Z')).to.equal('2024-01-31 16:30');
    } finally {
      setTimeZone(DEFAULT_TIME_ZONE);
    }
  });

  it('reads every moment as the zone’s own clock does across a summer-time change, though the offset is asked once a quarter hour', () => {
    const clock = (tz: string, ms: number) => {
      const part: Record<string, string> = {};
      for (const p of new Intl.DateTimeFormat('en-US', { timeZone: tz, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit' }).formatToParts(ms)) part[p.type] = p.value;
      return `${part.year}-${part.month}-${part.day} ${part.hour}:${part.minute}:${part.second}`;
    };
    try {
      // New York springs forward on 10 March 2024 (07:00 UTC) and falls back on 3 November (06:00 UTC); Lord Howe moves by half an hour.
      for (const [tz, from] of [['America/New_York', '2024-03-10T04:00:00Z'], ['America/New_York', '2024-11-03T03:00:00Z'], ['Australia/Lord_Howe', '2024-04-06T13:00:00Z']] as const) {
        setTimeZone(tz);
        for (let ms = Date.parse(from); ms < Date.parse(from) + 6 * 3600_000; ms += 61_000 + 7) expect(localSecond(ms), `${tz} ${new Date(ms).toISOString()}`).to.equal(clock(tz, ms));
      }
    } finally {
      setTimeZone(DEFAULT_TIME_ZONE);
    }
  });

  it('refuses a TIME_ZONE that names no zone, at start-up', () => {
    expect(() => loadConfig({ TIME_ZONE: 'Mars/Olympus' })).to.throw(/TIME_ZONE/);
    expect(() => setTimeZone('Mars/Olympus')).to.throw(RangeError);
    expect(timeZone()).to.equal(DEFAULT_TIME_ZONE);
  });
});
