import { expect } from 'chai';
import type { Config } from '../../src/config.js';
import type { Db } from '../../src/db/connection.js';
import { auditEntries } from '../../src/db/queries/audit.js';
import { getRun } from '../../src/db/queries/runs.js';
import { changedAfterPublication, discard, finalize, nextSteps, publish, publishedWarning, stateInWords } from '../../src/services/publication.js';
import { addWorkingDays, dateInWords, daysBetween, today } from '../../src/services/review-period.js';
import { createRun, runResults } from '../../src/services/runs.js';
import { openStore } from '../../src/services/store.js';
import { onEachBackend } from '../support/backends.js';

async function refusal(work: Promise<unknown>): Promise<string> {
  try { await work; } catch (e) { return (e as { code?: string }).code ?? String(e); }
  return 'not refused';
}

async function dbRefusal(work: PromiseLike<unknown>): Promise<string> {
  try { await work; } catch (e) { return String((e as Error).message); }
  return 'not refused';
}

const DAY = 86_400_000;

/** A moment `days` after the end of a deadline (YYYY-MM-DD, Beijing time). */
const pastDeadline = (date: string, days = 1) => Date.parse(`${date}T12:00:00+08:00`) + days * DAY;

async function messagesOf(db: Db, username: string) {
  return db('messages as m').join('users as u', 'u.id', 'm.user_id').where('u.username', username).select('m.*').orderBy('m.id');
}

onEachBackend('publication: 发布 → 公示 → 定稿, 作废 (issue 19, point 1)', (backend) => {
  let config: Config;
  let db: Db;
  before(async () => {
    config = await backend.fresh('demo');
    db = await openStore(config);
  });
  after(async () => { await db?.destroy(); });

  /** A new village draft of 2024 (the demo's own is run 2). */
  const draft = async () => (await createRun(db, { periodId: '2024', by: 'leader' })).id;

  it('offers a draft its publication and its discarding, and nothing else', async () => {
    const run = (await getRun(db, 2))!;
    const steps = await nextSteps(db, run);
    expect(steps.map((s) => [s.step, s.allowed])).to.deep.equal([['publish', true], ['discard', true]]);
    expect(stateInWords(run).words).to.equal('草稿');
  });

  it('refuses a deadline that is not a date, or is before today', async () => {
    expect(await refusal(publish(db, 2, 'leader', '2024-02-30'))).to.equal('REVIEW_UNTIL_INVALID');
    expect(await refusal(publish(db, 2, 'leader', '12月9日'))).to.equal('REVIEW_UNTIL_INVALID');
    expect(await refusal(publish(db, 2, 'leader', '2020-01-01'))).to.equal('REVIEW_UNTIL_INVALID');
    expect((await getRun(db, 2))!.status).to.equal('draft');
  });

  it('publishes a draft under 公示 until the deadline, telling the ranked villages (each its own scorecard) and the leaders', async () => {
    const until = addWorkingDays(today(), 3);
    const { run } = await publish(db, 2, 'leader', until);
    expect(run).to.include({ status: 'published', review_until: until, published_by: 'leader' });
    const [village] = await messagesOf(db, 'v01');
    expect(village).to.include({ kind: 'review.started', link: '/units/v01?run=2' });
    expect(village.title).to.match(/^公示开始：2024年度.*千分考核结果，截止\d+年?\d+月\d+日$/);
    const [leader] = await messagesOf(db, 'leader');
    expect(leader).to.include({ kind: 'review.started', link: '/runs/2' });
    expect(await messagesOf(db, 's01')).to.deep.equal([]); // a staff account is not ranked in a village run
    expect(stateInWords(run).words).to.equal(`公示中，截止${dateInWords(until)}，还剩${daysBetween(today(), until)}天`);
  });

  it('refuses 定稿 before the deadline has passed, saying from when it may be done', async () => {
    const run = (await getRun(db, 2))!;
    expect(await refusal(finalize(db, 2, 'leader'))).to.equal('REVIEW_NOT_OVER');
    const fin = (await nextSteps(db, run)).find((s) => s.step === 'finalize')!;
    expect(fin.allowed).to.equal(false);
    expect(fin.why).to.match(/^公示截止后（\d{4}年\d+月\d+日起）才能定稿$/);
    expect((await nextSteps(db, run)).find((s) => s.step === 'correct')!.allowed).to.equal(true);
  });

  it('refuses 定稿 while an appeal of the run is open, and allows it once answered', async () => {
    const run = (await getRun(db, 2))!;
    const later = pastDeadline(run.review_until!);
    const [appeal] = await db('appeals').insert({
      run_id: 2, unit_id: 'v01', items: '[]', reason: '出生人数有误', status: 'open', filed_by: 'v01', filed_at: new Date().toISOString(),
    }).returning('id');
    const id = typeof appeal === 'object' ? (appeal as { id: number }).id : Number(appeal);
    expect(await refusal(finalize(db, 2, 'leader', later))).to.equal('APPEALS_OPEN');
    const fin = (await nextSteps(db, run, later)).find((s) => s.step === 'finalize')!;
    expect(fin).to.include({ allowed: false, why: '尚有1件申诉未答复，答复后才能定稿' });
    expect(await auditEntries(db, { action: 'run.finalize' })).to.deep.equal([]); // a refusal leaves no entry
    await db('appeals').where({ id }).update({ status: 'rejected', answer: '数据无误', answered_by: 'leader', answered_at: new Date().toISOString() });
    expect((await nextSteps(db, run, later)).find((s) => s.step === 'finalize')!.allowed).to.equal(true);
  });

  it('of two 定稿 at once on two connections, lets exactly one through and tells the other who did it', async () => {
    const run = (await getRun(db, 2))!;
    const later = pastDeadline(run.review_until!);
    const other = await openStore(config);
    try {
      const outcomes = await Promise.allSettled([finalize(db, 2, 'leader', later), finalize(other, 2, 'admin', later)]);
      expect(outcomes.filter((o) => o.status === 'fulfilled')).to.have.length(1);
      const [lost] = outcomes.filter((o): o is PromiseRejectedResult => o.status === 'rejected');
      expect(lost.reason.code).to.equal('ALREADY_FINAL');
      expect(lost.reason.message).to.match(/^第2号考核已由.+于.+定稿，无需再定稿$/);
    } finally {
      await other.destroy();
    }
    const final = (await getRun(db, 2))!;
    expect(final.status).to.equal('final');
    expect(await auditEntries(db, { action: 'run.finalize' })).to.have.length(1);
    const told = (await messagesOf(db, 'v01')).filter((m: { kind: string }) => m.kind === 'run.finalized');
    expect(told).to.have.length(1);
    expect(told[0].title).to.match(/^已定稿：2024年度/);
    expect(stateInWords(final).words).to.match(/^已定稿（\d{4}年\d+月\d+日）$/);
    expect((await nextSteps(db, final)).map((s) => s.step)).to.deep.equal(['correct']);
  });

  it('refuses 定稿 of a draft and of a final run', async () => {
    const id = await draft();
    expect(await refusal(finalize(db, id, 'leader', Date.now() + 30 * DAY))).to.equal('NOT_FINALIZABLE');
    expect(await refusal(finalize(db, 2, 'leader', Date.now() + 30 * DAY))).to.equal('ALREADY_FINAL');
    expect(await refusal(finalize(db, 999, 'leader'))).to.equal('RUN_NOT_FOUND');
  });

  it('discards a draft: its results go, the run stays on record, with who did it', async () => {
    const id = await draft();
    const run = await discard(db, id, 'leader');
    expect(run).to.include({ status: 'discarded', discarded_by: 'leader' });
    expect((await runResults(db, id, { fresh: true })).units).to.deep.equal([]);
    const [entry] = await auditEntries(db, { action: 'run.discard', limit: 1 });
    expect(entry).to.include({ actor: 'leader', subject: `run ${id}` });
    expect(stateInWords(run).words).to.equal('已作废');
    expect(await nextSteps(db, run)).to.deep.equal([]);
  });

  it('refuses to discard what is not a draft, leaving no audit entry', async () => {
    const before = (await auditEntries(db, { action: 'run.discard' })).length;
    expect(await refusal(discard(db, 1, 'leader'))).to.equal('NOT_A_DRAFT');
    expect(await refusal(discard(db, 2, 'leader'))).to.equal('NOT_A_DRAFT');
    expect((await auditEntries(db, { action: 'run.discard' })).length).to.equal(before);
    expect((await getRun(db, 1))!.status).to.equal('published');
  });

  describe('the database refuses every forbidden change', () => {
    it('a final run becomes nothing but superseded', async () => {
      for (const status of ['published', 'draft', 'discarded']) {
        expect(await dbRefusal(db('runs').where({ id: 2 }).update({ status })), status).to.match(/never changes/);
      }
      expect((await getRun(db, 2))!.status).to.equal('final');
    });

    it('a final run’s pinned fields and its 定稿 never change', async () => {
      for (const change of [{ note: '改' }, { review_until: '2099-01-01' }, { published_by: 'x' }, { finalized_by: 'x' }, { results_sha256: 'x' }]) {
        expect(await dbRefusal(db('runs').where({ id: 2 }).update(change)), JSON.stringify(change)).to.match(/never changes/);
      }
    });

    it('a published run is never deleted, nor its results', async () => {
      expect(await dbRefusal(db('runs').where({ id: 1 }).delete())).to.match(/never changes/);
      expect(await dbRefusal(db('results').where({ run_id: 1 }).delete())).to.match(/never change/);
    });

    it('a discarded run stays discarded', async () => {
      const id = await draft();
      await discard(db, id, 'leader');
      for (const status of ['draft', 'published', 'final']) {
        expect(await dbRefusal(db('runs').where({ id }).update({ status })), status).to.match(/never changes/);
      }
    });
  });

  describe('data changed after publication (issue 19, point 4)', () => {
    it('says nothing of a run whose inputs have not changed since it pinned them', async () => {
      expect(await changedAfterPublication(db, (await getRun(db, 1))!)).to.equal(null);
    });

    it('warns before the data of a period with a result under 公示 or final is changed', async () => {
      expect((await publishedWarning(db, '2023', 'village'))!.text).to.match(/^本期考核结果已于\d{4}年\d+月\d+日发布（公示中），修改数据不会改变已发布的结果；如需改变结果，请在保存后发起更正$/);
      expect((await publishedWarning(db, '2024', 'village'))!.text).to.contain('（已定稿）');
      expect(await publishedWarning(db, '2031', 'village')).to.equal(null);
    });

    it('names who changed which units, and when, once an input is entered after the run', async () => {
      await db('inputs').where({ period_id: '2023', track: 'village', unit_id: 'v01' }).update({ entered_by: 'leader', entered_at: new Date(Date.now() + 1000).toISOString() });
      const changed = await changedAfterPublication(db, (await getRun(db, 1))!);
      expect(changed!.count).to.equal(1);
      expect(changed!.words).to.match(/^.+于\d{4}-\d{2}-\d{2} \d{2}:\d{2}修改了枫林村的数据$/);
      expect(await changedAfterPublication(db, (await getRun(db, 3))!)).to.equal(null); // the staff track is untouched
    });
  });
});
