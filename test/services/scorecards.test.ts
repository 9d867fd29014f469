import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { Db } from '../../src/db/connection.js';
import { parseDataBytes } from '../../src/io/data-file.js';
import { DEMO_DIR } from '../../src/paths.js';
import { addAssessment, moveAssessment } from '../../src/services/assessments.js';
import { importInputs } from '../../src/services/import-inputs.js';
import { createRun, publishRun, runResults, withExplanations } from '../../src/services/runs.js';
import { aboveOf, scorecardOf, trendGrade } from '../../src/services/scorecards.js';
import type { UnitResult } from '../../src/report/ranking-sheet.js';
import { compile, ruleSet } from '../helpers.js';
import { openStore } from '../../src/services/store.js';
import { onEachBackend } from '../support/backends.js';

/** Scorecards read again: what follows from a run's results comes from memory, the rest as it is now. */

async function importDemo(db: Db, periodId: string, file: string, track?: string): Promise<void> {
  const bytes = readFileSync(path.join(DEMO_DIR, file));
  await importInputs(db, { periodId, track, table: parseDataBytes(bytes, file), fileBytes: bytes, by: 'test' });
}

onEachBackend('a unit’s scorecard read again', (backend) => {
  let db: Db;
  before(async () => { db = await openStore(await backend.fresh('none')); });
  after(async () => { await db?.destroy(); });

  it('reads the same card the second time as the first, with the reasons the run’s results give', async () => {
    await importDemo(db, '2023', 'villages-2023.csv');
    const run = await createRun(db, { periodId: '2023', by: 'test' });
    await publishRun(db, run.id, 'test');
    const first = await scorecardOf(db, 'v03', { runId: run.id, withDrafts: false });
    const second = await scorecardOf(db, 'v03', { runId: run.id, withDrafts: false });
    expect(second).to.deep.equal(first);
    const [worked] = await withExplanations(db, first!.run, (await runResults(db, run.id, { unitId: 'v03', fresh: true })).units);
    expect(first!.result.explanations).to.deep.equal(worked.explanations);
    expect(first!.clauses.filter((c) => c.kind === 'criterion').map((c) => c.explanation)).to.include(Object.values(worked.explanations!)[0]);
  });

  it('tells each veto with the facts that decide it: a part’s own (vetoIf) as well as the rule set’s', async () => {
    const run = (await scorecardOf(db, 'v09', { withDrafts: true }))!.run;
    const card = (await scorecardOf(db, 'v09', { runId: run.id, withDrafts: true }))!;
    expect(card.vetoes.map((v) => [v.line, v.why])).to.deep.equal([
      ['一票否决：4.政策外多孩率为0', '其中政策外多孩数1人 > 0人'],
      ['有政策外生育的村实行一票否决', '政策外出生数1人 > 0人'],
    ]);
  });

  it('shows a draft to those who may see drafts, and the new run in the trend once it is published', async () => {
    await importDemo(db, '2024', 'villages-2024.csv');
    const draft = await createRun(db, { periodId: '2024', by: 'test' });
    expect((await scorecardOf(db, 'v03', { withDrafts: true }))!.run.id).to.equal(draft.id);
    expect((await scorecardOf(db, 'v03', { withDrafts: false }))!.run.id).not.to.equal(draft.id);
    expect((await scorecardOf(db, 'v03', { runId: draft.id, withDrafts: false }))).to.equal(null);
    expect((await scorecardOf(db, 'v03', { withDrafts: true }))!.trend.map((t) => t.period)).to.deep.equal(['2023']);

    await publishRun(db, draft.id, 'test');
    const card = (await scorecardOf(db, 'v03', { withDrafts: false }))!;
    expect(card.run).to.include({ id: draft.id, status: 'published' });
    expect(card.trend.map((t) => t.runId)).to.include(draft.id);
    expect(card.runs.map((r) => r.id)).to.include(draft.id);
  });

  it('opens on the first assessment, in the township’s order, with a run the reader may see: one with only a draft does not hide the rest', async () => {
    const first = await addAssessment(db, { title: '新设党建考核', unitKind: 'village', rulesetId: 'village-party' }, 'admin');
    for (let k = 0; k < 8; k++) await moveAssessment(db, first.id, -1, 'admin');
    await importDemo(db, '2024', 'party-2024.csv', first.id);
    const draft = await createRun(db, { periodId: '2024', track: first.id, by: 'test' });
    expect((await scorecardOf(db, 'v03', { withDrafts: true }))!.run.id).to.equal(draft.id);
    const seen = (await scorecardOf(db, 'v03', { withDrafts: false }))!;
    expect(seen.run.track).to.equal('village');
    expect(seen.run.status).to.equal('published');
  });

  it('keeps the cards of one database apart from another’s run of the same number', async function () {
    // A second fresh PostgreSQL database would wipe the first (they share the test schema): two SQLite files show it.
    if (backend.name !== 'SQLite') this.skip();
    const other = await openStore(await backend.fresh('none'));
    try {
      // The same run number, over another year's figures.
      await importDemo(other, '2023', 'villages-2024.csv');
      const run = await createRun(other, { periodId: '2023', by: 'test' });
      const mine = (await scorecardOf(db, 'v03', { runId: run.id, withDrafts: true }))!;
      const theirs = (await scorecardOf(other, 'v03', { runId: run.id, withDrafts: true }))!;
      const [stored] = (await runResults(other, run.id, { unitId: 'v03', fresh: true })).units;
      expect(theirs.result.total).to.equal(stored.total);
      expect(theirs.result.values).to.deep.equal(stored.values);
      expect(mine.result.values).not.to.deep.equal(theirs.result.values);
    } finally {
      await other.destroy();
    }
  });
});

describe('a grade as the trend writes it', () => {
  it('says 一票否决 once: after a grade that does not say it, not again after one that does', () => {
    expect(trendGrade('不合格（一票否决）', true)).to.equal('不合格（一票否决）');
    expect(trendGrade('不合格', true)).to.equal('不合格（一票否决）');
    expect(trendGrade(null, true)).to.equal('一票否决');
    expect(trendGrade('优秀', false)).to.equal('优秀');
    expect(trendGrade(null, false)).to.equal('');
  });
});

describe('what a scorecard says of the unit above (issue 18, item 6)', () => {
  const rs = compile(ruleSet({
    totalPoints: 100,
    inputs: { a: { label: '甲', type: 'number' }, b: { label: '乙', type: 'number' } },
    items: [
      { id: 'first', title: '一、指标', points: 50, items: [{ id: 'x', title: '甲项', points: 50, award: { method: 'manual', input: 'a' } }] },
      { id: 'second', title: '二、基础', points: 50, items: [{ id: 'y', title: '乙项', points: 50, award: { method: 'manual', input: 'b' } }] },
    ],
    vetoes: [{ id: 'v', title: '否决', when: 'a < 0' }],
    ranking: { tieBreak: ['first', 'second'] },
  }));
  const unit = (id: string, rank: number, total: number, first: number, vetoed = false): UnitResult => ({
    id, name: `${id}村`, parent: null, total, rank, grade: null, vetoed, vetoes: vetoed ? [{ id: 'v', title: '否决' }] : [],
    sanctions: [], bonus: 0, penalty: 0, scores: { first, second: total - first, x: first, y: total - first }, values: {},
  } as unknown as UnitResult);

  it('says a condition veto put the unit below a lower total, and whether it is the last', () => {
    const top = unit('甲', 1, 90, 45), vetoed = unit('乙', 2, 95, 50, true), last = unit('丙', 3, 80, 40, true);
    expect(aboveOf(rs, vetoed, top, [top, vetoed, last])).to.include({ byVeto: true, last: false, tieBreak: null });
    const alone = [top, unit('乙', 2, 95, 50, true)];
    expect(aboveOf(rs, alone[1], top, alone)).to.include({ byVeto: true, last: true });
  });

  it('gives the gap where the total, not the veto, decides', () => {
    const top = unit('甲', 1, 90, 45), below = unit('乙', 2, 80.5, 40, true);
    expect(aboveOf(rs, below, top, [top, below])).to.include({ byVeto: false, gap: 9.5, tieBreak: null });
  });

  it('names the tie-break score that put an equal total below, with both scores', () => {
    const top = unit('甲', 1, 90, 45), tied = unit('乙', 2, 90, 40);
    expect(aboveOf(rs, tied, top, [top, tied]).tieBreak).to.deep.equal({ title: '一、指标', theirs: 45, mine: 40 });
    const second = unit('丙', 2, 90, 45);
    (second.scores as Record<string, number>).second = 44;
    const third = { ...top, scores: { ...top.scores, second: 45 } } as UnitResult;
    expect(aboveOf(rs, second, third, [third, second]).tieBreak).to.deep.equal({ title: '二、基础', theirs: 45, mine: 44 });
  });
});
