import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { inTransaction, type Db } from '../../src/db/connection.js';
import { openAppealCount } from '../../src/db/queries/appeals.js';
import { auditEntries } from '../../src/db/queries/audit.js';
import { lockRun, markFinal, type RunRow } from '../../src/db/queries/runs.js';
import { parseDataBytes } from '../../src/io/data-file.js';
import { DEMO_DIR } from '../../src/paths.js';
import {
  answerAppeal, answerSteps, appealViews, fileAppeal, linkAppealsToCorrection, type FileAppealRequest,
} from '../../src/services/appeals.js';
import { importInputs } from '../../src/services/import-inputs.js';
import { createRun, publishRun } from '../../src/services/runs.js';
import { openStore } from '../../src/services/store.js';
import { addWorkingDays, today } from '../../src/services/review-period.js';
import { onEachBackend } from '../support/backends.js';

/** Issue 19, point 2: the appeals service on each database. */

const PDF = Buffer.from('%PDF-1.7\n%%EOF\n');
const JPEG = Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0, 0x10, 0x4a, 0x46, 0x49, 0x46]);

async function refusal(work: Promise<unknown>): Promise<string> {
  try { await work; } catch (e) { return (e as { code?: string }).code ?? String(e); }
  return 'not refused';
}

const count = async (db: Db, table: string) => Number((await db(table).count({ n: '*' }))[0].n);

/** A new period of the demo villages' data, scored and under 公示: a run of its own for each test that ends one. */
let nextYear = 2040;
async function runUnderReview(db: Db): Promise<RunRow> {
  const period = String(nextYear++);
  const bytes = readFileSync(path.join(DEMO_DIR, 'villages-2024.csv'));
  await importInputs(db, { periodId: period, track: 'village', table: parseDataBytes(bytes, 'villages.csv'), fileBytes: bytes, by: 'test' });
  const run = await createRun(db, { periodId: period, track: 'village', by: 'test' });
  return (await publishRun(db, run.id, 'leader', addWorkingDays(today(), 5))).run;
}

/** 定稿 as the publication service does it: under the run's lock, refused while an appeal is open. */
async function finalizeLocked(db: Db, runId: number, hold = 0): Promise<void> {
  await inTransaction(db, async (tx) => {
    await lockRun(tx, runId);
    if (hold) await new Promise((r) => setTimeout(r, hold));
    if ((await openAppealCount(tx, runId)) > 0) throw Object.assign(new Error('open appeals'), { code: 'APPEALS_OPEN' });
    if (!(await markFinal(tx, runId, 'leader', new Date().toISOString()))) throw Object.assign(new Error('not under review'), { code: 'NOT_UNDER_REVIEW' });
  });
}

onEachBackend('appeals (申诉)', (backend) => {
  let db: Db;
  let run: RunRow;
  const appeal = (over: Partial<FileAppealRequest> = {}): FileAppealRequest => ({
    runId: run.id, unitId: 'v03', by: 'v03', items: [{ kind: 'clause', id: 'birth-rate' }, { kind: 'input', id: 'births' }], reason: '出生数统计有误', files: [], ...over,
  });
  before(async function () {
    this.timeout(120_000);
    db = await openStore(await backend.fresh('demo'));
    run = await runUnderReview(db);
  });
  after(async () => { await db?.destroy(); });

  it('files an appeal and its evidence in one go, audited with its unit, and tells the leaders', async () => {
    const filed = await fileAppeal(db, appeal({ files: [{ name: '出生证明.pdf', content: PDF }, { name: '照片.jpg', content: JPEG }] }));
    expect(filed).to.include({ run_id: run.id, unit_id: 'v03', status: 'open', filed_by: 'v03', reason: '出生数统计有误' });
    const [view] = await appealViews(db, { unitId: 'v03' });
    expect(view.itemList.map((i) => i.title)).to.deep.equal(['1.人口出生率控制在8‰以下', view.ruleset.inputs.find((i) => i.name === 'births')!.label]);
    expect(view.files.map((f) => [f.file_name, f.media_type, f.size])).to.deep.equal([['出生证明.pdf', 'application/pdf', PDF.length], ['照片.jpg', 'image/jpeg', JPEG.length]]);
    const [entry] = await auditEntries(db, { action: 'appeal.file', limit: 1 });
    expect(entry).to.include({ actor: 'v03', subject: `appeal ${filed.id}`, unit_id: 'v03' });
    const told = await db('messages').join('users', 'users.id', 'messages.user_id').where({ kind: 'appeal.filed', link: `/appeals/${filed.id}` }).select('users.role');
    expect(told.map((m: { role: string }) => m.role)).to.deep.equal(['leader']);
  });

  it('refuses what is not an appeal, writing nothing: no item, an unknown item, no reason, a reason too long, a bad file, too many files', async () => {
    const before = [await count(db, 'appeals'), await count(db, 'appeal_evidence')];
    const cases: Array<[Partial<FileAppealRequest>, string]> = [
      [{ items: [] }, 'NO_ITEMS'],
      [{ items: [{ kind: 'clause', id: 'no-such-clause' }] }, 'ITEM_UNKNOWN'],
      [{ items: [{ kind: 'clause', id: 'indicators' }] }, 'ITEM_UNKNOWN'], // a group is not a clause
      [{ reason: ' \n\u202E ' }, 'REASON_MISSING'],
      [{ reason: '理'.repeat(2001) }, 'TEXT_TOO_LONG'],
      [{ files: [{ name: '证明.pdf', content: Buffer.from('<html>not a pdf</html>') }] }, 'EVIDENCE_TYPE'],
      [{ files: [{ name: 'x.png', content: Buffer.alloc(0) }] }, 'EVIDENCE_EMPTY'],
      [{ files: [{ name: 'big.pdf', content: Buffer.concat([PDF, Buffer.alloc(10 * 1024 * 1024)]) }] }, 'EVIDENCE_TOO_LARGE'],
      [{ files: Array.from({ length: 6 }, () => ({ name: 'p.pdf', content: PDF })) }, 'EVIDENCE_TOO_MANY'],
      [{ unitId: 's01' }, 'NOT_IN_RUN'],
      [{ runId: 99_999 }, 'RUN_NOT_FOUND'],
    ];
    for (const [over, code] of cases) expect(await refusal(fileAppeal(db, appeal(over))), code).to.equal(code);
    expect([await count(db, 'appeals'), await count(db, 'appeal_evidence')]).to.deep.equal(before);
  });

  it('takes at most ten appeals of a unit on one run', async () => {
    const r = await runUnderReview(db);
    for (let k = 0; k < 10; k++) await fileAppeal(db, appeal({ runId: r.id, unitId: 'v08', by: 'v08' }));
    expect(await refusal(fileAppeal(db, appeal({ runId: r.id, unitId: 'v08', by: 'v08' })))).to.equal('TOO_MANY_APPEALS');
    expect(await refusal(fileAppeal(db, appeal({ runId: r.id, unitId: 'v09', by: 'v09' })))).to.equal('not refused');
  });

  it('refuses an appeal after the last day of 公示, and on a draft and a final run', async () => {
    const dayAfter = Date.parse(`${run.review_until}T16:00:00Z`) + 86_400_000;
    expect(await refusal(fileAppeal(db, appeal({ now: dayAfter })))).to.equal('NOT_UNDER_REVIEW');
    // On its last day, late in the evening where the township is, it is still taken.
    expect(await refusal(fileAppeal(db, appeal({ now: Date.parse(`${run.review_until}T15:59:00Z`) })))).to.equal('not refused');
    const draft = await createRun(db, { periodId: run.period_id, track: 'village', by: 'test' });
    expect(await refusal(fileAppeal(db, appeal({ runId: draft.id })))).to.equal('NOT_UNDER_REVIEW');
    const final = await runUnderReview(db);
    await finalizeLocked(db, final.id);
    expect(await refusal(fileAppeal(db, appeal({ runId: final.id })))).to.equal('NOT_UNDER_REVIEW');
    expect(await db('appeals').where({ run_id: final.id })).to.have.length(0);
  });

  it('is refused by the database itself on a run not under 公示 (the backstop)', async () => {
    const final = await runUnderReview(db);
    await finalizeLocked(db, final.id);
    let failed: unknown;
    await db('appeals').insert({ run_id: final.id, unit_id: 'v01', items: '[]', reason: 'x', status: 'open', filed_by: 'v01', filed_at: new Date().toISOString() }).catch((e) => { failed = e; });
    expect(String(failed)).to.match(/only taken on a run under 公示/);
  });

  it('answers 驳回 only with a reason and 采纳 with or without a note, once, telling the unit', async () => {
    const a = await fileAppeal(db, appeal({ unitId: 'v04', by: 'v04' }));
    expect(answerSteps(a, 'leader')).to.deep.equal(['reject', 'accept']);
    expect(answerSteps(a, 'village')).to.deep.equal([]);
    expect(await refusal(answerAppeal(db, { appealId: a.id, step: 'reject', text: '  ', by: 'leader' }))).to.equal('ANSWER_MISSING');
    const { appeal: answered } = await answerAppeal(db, { appealId: a.id, step: 'reject', text: '数据与台账一致', by: 'leader' });
    expect(answered).to.include({ status: 'rejected', answer: '数据与台账一致', answered_by: 'leader' });
    expect(answerSteps(answered, 'leader')).to.deep.equal([]);
    expect(await refusal(answerAppeal(db, { appealId: a.id, step: 'accept', text: '', by: 'admin' }))).to.equal('ALREADY_ANSWERED');
    expect(await refusal(answerAppeal(db, { appealId: 99_999, step: 'accept', text: '', by: 'admin' }))).to.equal('APPEAL_NOT_FOUND');
    const b = await fileAppeal(db, appeal({ unitId: 'v05', by: 'v05' }));
    expect((await answerAppeal(db, { appealId: b.id, step: 'accept', text: '', by: 'leader' })).appeal).to.include({ status: 'accepted', answer: null });
    const [entry] = await auditEntries(db, { action: 'appeal.answer', limit: 1 });
    expect(entry).to.include({ actor: 'leader', subject: `appeal ${b.id}`, unit_id: 'v05' });
  });

  it('names the correction of the accepted appeals of a run that have none yet, and of no other', async () => {
    const r = await runUnderReview(db);
    const accepted = await fileAppeal(db, appeal({ runId: r.id, unitId: 'v06', by: 'v06' }));
    const rejected = await fileAppeal(db, appeal({ runId: r.id, unitId: 'v07', by: 'v07' }));
    await answerAppeal(db, { appealId: accepted.id, step: 'accept', text: '', by: 'leader' });
    await answerAppeal(db, { appealId: rejected.id, step: 'reject', text: '不予采纳', by: 'leader' });
    const correction = await createRun(db, { periodId: r.period_id, track: 'village', by: 'leader', corrects: r.id, note: '申诉更正' });
    const named = async () => (await db('appeals').where({ run_id: r.id }).orderBy('id')).map((x: { correction_run_id: number | null }) => x.correction_run_id);
    expect(await named(), 'a draft correction answers nothing yet').to.deep.equal([null, null]);
    await publishRun(db, correction.id, 'leader');
    expect(await named(), 'published, it answers the accepted appeal').to.deep.equal([correction.id, null]);
    expect(await inTransaction(db, (tx) => linkAppealsToCorrection(tx, r.id, correction.id + 1000)), 'and no later one').to.equal(0);
  });

  it('lets an appeal filed while the run is being finalized wait for it, and refuses it then', async () => {
    const r = await runUnderReview(db);
    const finalizing = finalizeLocked(db, r.id, 300);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(await refusal(fileAppeal(db, appeal({ runId: r.id })))).to.equal('NOT_UNDER_REVIEW');
    await finalizing;
    expect(await db('appeals').where({ run_id: r.id })).to.have.length(0);
  });

  it('gives exactly one of two outcomes when an appeal and a 定稿 race, never an open appeal on a final run', async function () {
    this.timeout(120_000);
    for (let k = 0; k < 4; k++) {
      const r = await runUnderReview(db);
      const both = k % 2 === 0
        ? [fileAppeal(db, appeal({ runId: r.id })), finalizeLocked(db, r.id)]
        : [finalizeLocked(db, r.id), fileAppeal(db, appeal({ runId: r.id }))];
      const settled = await Promise.allSettled(both);
      expect(settled.filter((s) => s.status === 'fulfilled'), `round ${k}`).to.have.length(1);
      const status = (await db('runs').where({ id: r.id }).first()).status;
      const open = await openAppealCount(db, r.id);
      if (status === 'final') expect(open).to.equal(0);
      else expect(open).to.equal(1);
    }
  });
});
