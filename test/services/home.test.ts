import { expect } from 'chai';
import type { Db } from '../../src/db/connection.js';
import { userByName } from '../../src/db/queries/users.js';
import { getUnit } from '../../src/db/queries/units.js';
import { reportingGlance } from '../../src/services/collection.js';
import { nextStep, unitHome, type TrackGlance } from '../../src/services/home.js';
import { openStore } from '../../src/services/store.js';
import { onEachBackend } from '../support/backends.js';
import type { RunState } from '../../src/services/review-period.js';

/** The leader's next step of a period's track, as a table of where the period stands and what the home page says. */

type Glance = Omit<TrackGlance, 'next'>;

function glance(over: Partial<Glance> & { state?: RunState; openAppeals?: number; daysLeft?: number | null } = {}): Glance {
  const { state, openAppeals = 0, daysLeft = null, ...rest } = over;
  return {
    track: 'village', trackTitle: '村级千分考核', unitKind: 'village', entered: 18, units: 18, enteredText: '18个／18个', allEntered: true, drafts: 0, newestDraft: null,
    current: state ? { id: 5, state, stateTitle: '', deadline: '2024年12月9日', daysLeft, openAppeals } : null, final: state === 'final',
    ...rest,
  };
}

const CASES: Array<{ when: string; glance: Glance; words: string; to: string; step: number }> = [
  { when: 'no data is entered', glance: glance({ entered: 0, allEntered: false }), words: '录入数据（尚未录入）', to: 'entry', step: 0 },
  { when: 'some units have no data', glance: glance({ entered: 15, allEntered: false }), words: '录入数据（还有3个未录入）', to: 'entry', step: 0 },
  { when: 'every unit has data and nothing is scored', glance: glance(), words: '数据已录齐：记分并生成草稿', to: 'runs', step: 1 },
  { when: 'a draft waits', glance: glance({ drafts: 1, newestDraft: 7 }), words: '核对草稿第7号并发布公示', to: 'run', step: 2 },
  { when: 'a draft waits though some units have no data', glance: glance({ entered: 10, allEntered: false, drafts: 1, newestDraft: 7 }), words: '核对草稿第7号并发布公示', to: 'run', step: 2 },
  { when: 'the result is under 公示', glance: glance({ state: 'review', daysLeft: 3 }), words: '公示中，还剩3天；公示期满后定稿', to: 'run', step: 4 },
  { when: 'the 公示 ends today', glance: glance({ state: 'review', daysLeft: 0 }), words: '公示中，今天截止；公示期满后定稿', to: 'run', step: 4 },
  { when: 'an appeal is open under 公示', glance: glance({ state: 'review', daysLeft: 3, openAppeals: 2 }), words: '答复申诉（2件未答复）', to: 'appeals', step: 3 },
  { when: 'an appeal is open after the 公示', glance: glance({ state: 'review-ended', openAppeals: 1 }), words: '答复申诉（1件未答复）', to: 'appeals', step: 3 },
  { when: 'a correction waits beside the result under 公示', glance: glance({ state: 'review', daysLeft: 2, drafts: 1, newestDraft: 8 }), words: '核对更正草稿第8号并发布公示', to: 'run', step: 2 },
  { when: 'the 公示 is over and every appeal answered', glance: glance({ state: 'review-ended' }), words: '公示期满，申诉均已答复：可以定稿', to: 'run', step: 4 },
  { when: 'the result is final', glance: glance({ state: 'final' }), words: '已定稿，本期考核完成', to: 'run', step: 5 },
  { when: 'a correction of a final result waits', glance: glance({ state: 'final', drafts: 1, newestDraft: 9 }), words: '核对更正草稿第9号并发布公示', to: 'run', step: 2 },
];

describe('home: the leader’s next step of a period', () => {
  for (const c of CASES) {
    it(`says “${c.words}” when ${c.when}`, () => {
      const next = nextStep(c.glance, '2024');
      expect(next.words).to.equal(c.words);
      expect(next.place.to).to.equal(c.to);
      expect(next.step).to.equal(c.step);
      expect(next.done).to.equal(c.step === 5);
    });
  }

  it('sends data entry to the period and track it is about', () => {
    expect(nextStep(glance({ entered: 0, allEntered: false, track: 'staff' }), '2024Q3').place).to.deep.equal({ to: 'entry', period: '2024Q3', track: 'staff' });
  });
});

onEachBackend('home: a village’s results, one per assessment', function (backend) {
  this.timeout(120_000);
  let db: Db;
  before(async () => { db = await openStore(await backend.fresh('demo')); });
  after(async () => { await db?.destroy(); });

  it('shows the newest result in full and the newest of each other assessment of its kind in a line, in the township’s order', async () => {
    const home = (await unitHome(db, (await userByName(db, 'v01'))!))!;
    expect(home.result?.trackTitle).to.equal('村级年度综合考核');
    expect(home.others.map((o) => `${o.period}${o.trackTitle}`)).to.deep.equal(['2023年度村级千分考核', '2023年度村级党建工作专项考核', '2023年度村级安全生产专项考核']);
    for (const o of home.others) expect(o.rank).to.be.within(1, o.scopeSize);
  });

  it('shows a village the newest period’s reporting: each assessment’s deadline, the one it missed, what is still missing', async () => {
    const [reporting] = (await unitHome(db, (await userByName(db, 'v01'))!))!.reporting;
    expect(reporting).to.include({ periodId: '2024', state: 'none', stateTitle: '未填报', missing: 11, missingFiles: 2 });
    expect(reporting.windows.map((w) => [w.title, w.open, w.overdue])).to.deep.equal([
      ['村级党建工作专项考核', true, false], ['村级安全生产专项考核', false, true],
    ]);
    // The demo's returned village, and one approved: nothing missing once submitted.
    const glance = async (id: string) => (await reportingGlance(db, (await getUnit(db, id))!, 'leader'))[0];
    expect(await glance('v05')).to.include({ state: 'returned' });
    expect(await glance('v06')).to.include({ state: 'approved', missing: 0, missingFiles: 0 });
  });

  it('shows a staff member the results of staff assessments only', async () => {
    const home = (await unitHome(db, (await userByName(db, 's01'))!))!;
    expect(home.result?.trackTitle).to.equal('双线考核（工作人员）');
    expect(home.others).to.deep.equal([]);
    expect(home.reporting).to.deep.equal([]);
  });
});
