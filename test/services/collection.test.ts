import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { Db } from '../../src/db/connection.js';
import { auditEntries } from '../../src/db/queries/audit.js';
import { inputOf } from '../../src/db/queries/inputs.js';
import { filesOfReport, getReport, historyOf } from '../../src/db/queries/reports.js';
import { getUnit, type UnitRow } from '../../src/db/queries/units.js';
import { parseDataBytes } from '../../src/io/data-file.js';
import { DEMO_DIR } from '../../src/paths.js';
import { addAssessment } from '../../src/services/assessments.js';
import { actionWords } from '../../src/services/audit-trail.js';
import { board, remindLate, reviewQueue } from '../../src/services/collection-board.js';
import {
  approveReport, closeReporting, openReporting, reopenForUnit, ReportRefused, reportPlan, reportSteps, returnReport, saveReport, type SaveReportRequest,
} from '../../src/services/collection.js';
import { reviewLines } from '../../src/services/report-review.js';
import { importInputs } from '../../src/services/import-inputs.js';
import { saveUnitInputs } from '../../src/services/entry.js';
import { openStore } from '../../src/services/store.js';
import { today } from '../../src/services/review-period.js';
import { onEachBackend } from '../support/backends.js';

const PERIOD = '2025';
const PNG = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), Buffer.alloc(64, 1)]);
const HTML_AS_PDF = Buffer.from('<html><script>alert(1)</script></html>');

/** A day `n` days from today (YYYY-MM-DD), as a deadline is given. */
function inDays(n: number): string {
  const d = new Date(`${today()}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + n);
  return d.toISOString().slice(0, 10);
}

/** The 党建 figures a village reports, all good: what the demo's 枫林村 reported for 2024. */
const PARTY = {
  memberMeetings: '5', committeeMeetings: '11', groupMeetings: '11', partyLectures: '5', themeDays: '9', heldLifeMeeting: '是',
  heldMemberReview: '是', newMembers: '1', activists: '2', affairsPublished: '是', duesOnTime: '是',
};

async function refused(work: Promise<unknown>): Promise<ReportRefused> {
  try { await work; } catch (e) {
    if (e instanceof ReportRefused) return e;
    throw e;
  }
  throw new Error('expected ReportRefused');
}

onEachBackend('data collection (数据填报): windows, reports, review', (backend) => {
  let db: Db;
  let party: string, partyAgain: string;
  let v01: UnitRow;
  const save = (over: Partial<SaveReportRequest> = {}) => saveReport(db, { periodId: PERIOD, unitId: 'v01', cells: {}, files: [], submit: false, by: 'v01user', ...over });

  before(async () => {
    db = await openStore(await backend.fresh('none'));
    // The demo township's villages (the import makes the units), and the township's own 党建 figures of last year.
    const bytes = readFileSync(path.join(DEMO_DIR, 'villages-2023.csv'));
    await importInputs(db, { periodId: PERIOD, table: parseDataBytes(bytes, 'villages-2023.csv'), fileBytes: bytes, by: 'clerk' });
    party = (await addAssessment(db, { title: '村级党建工作专项考核', unitKind: 'village', rulesetId: 'village-party' }, 'admin')).id;
    // A second assessment naming the same figures (the 党建 part of another appraisal): a figure is reported once for both.
    partyAgain = (await addAssessment(db, { title: '党建述职评议考核', unitKind: 'village', rulesetId: 'village-party' }, 'admin')).id;
    const last = readFileSync(path.join(DEMO_DIR, 'party-2023.csv'));
    await importInputs(db, { periodId: '2024', track: party, table: parseDataBytes(last, 'party-2023.csv'), fileBytes: last, by: 'clerk' });
    v01 = (await getUnit(db, 'v01'))!;
  });
  after(async () => { await db?.destroy(); });

  it('refuses to open reporting with a deadline past, impossible or too far, or for an assessment with nothing a unit reports', async () => {
    expect((await refused(openReporting(db, { periodId: PERIOD, assessmentId: party, deadline: inDays(-1), by: 'leader' }))).code).to.equal('DEADLINE_PAST');
    expect((await refused(openReporting(db, { periodId: PERIOD, assessmentId: party, deadline: '2025-02-30', by: 'leader' }))).code).to.equal('DEADLINE_INVALID');
    expect((await refused(openReporting(db, { periodId: PERIOD, assessmentId: party, deadline: inDays(400), by: 'leader' }))).code).to.equal('DEADLINE_TOO_FAR');
    const composite = await addAssessment(db, { title: '村级年度综合考核', unitKind: 'village', rulesetId: 'village-composite' }, 'admin');
    expect((await refused(openReporting(db, { periodId: PERIOD, assessmentId: composite.id, deadline: inDays(5), by: 'leader' }))).code).to.equal('NOTHING_TO_REPORT');
  });

  it('asks a village for the figures its rule sets mark as its own, each once however many assessments name it', async () => {
    expect((await reportPlan(db, PERIOD, v01, 'v01user')).windows).to.have.length(0);
    await openReporting(db, { periodId: PERIOD, assessmentId: party, deadline: inDays(10), by: 'leader' });
    await openReporting(db, { periodId: PERIOD, assessmentId: partyAgain, deadline: inDays(10), by: 'leader' });
    const plan = await reportPlan(db, PERIOD, v01, 'v01user');
    expect(plan.fields.map((f) => f.name)).to.deep.equal(Object.keys(PARTY));
    // An inspector's grade and the township's count of disciplined members are never asked.
    expect(plan.fields.map((f) => f.name)).not.to.include.members(['siteGrade', 'disciplinedMembers']);
    expect(plan.fields.every((f) => f.open && f.askedBy.length === 2)).to.equal(true);
    expect(plan.fields.find((f) => f.name === 'heldLifeMeeting')!.evidence).to.equal('required');
  });

  it('keeps a draft as typed, and refuses a submission with every problem beside its field, keeping nothing of it', async () => {
    await save({ cells: { memberMeetings: 'abc', themeDays: '9', siteGrade: '优' } });
    const draft = (await getReport(db, PERIOD, 'v01'))!;
    expect(draft.state).to.equal('draft');
    // What is not the unit's to report (siteGrade) is not taken.
    expect(JSON.parse(draft.report_values)).to.deep.equal({ memberMeetings: 'abc', themeDays: '9' });
    const e = await refused(save({ submit: true, cells: { ...PARTY, memberMeetings: '-1', committeeMeetings: '' }, files: [{ field: 'heldLifeMeeting', upload: { name: '记录.pdf', content: HTML_AS_PDF } }] }));
    expect(e.code).to.equal('REPORT_INVALID');
    expect(e.problems.map((p) => [p.field, p.code])).to.deep.include.members([
      ['heldLifeMeeting', 'EVIDENCE_TYPE'], ['memberMeetings', 'OUT_OF_RANGE'], ['committeeMeetings', 'MISSING_VALUE'],
    ]);
    const after = (await getReport(db, PERIOD, 'v01'))!;
    expect(after).to.deep.equal(draft);
    expect(await filesOfReport(db, draft.id)).to.have.length(0);
  });

  it('refuses a submission without the file a figure must carry, and takes one with it', async () => {
    const e = await refused(save({ submit: true, cells: PARTY }));
    expect(e.problems.map((p) => [p.field, p.code])).to.deep.equal([['heldLifeMeeting', 'EVIDENCE_REQUIRED'], ['heldMemberReview', 'EVIDENCE_REQUIRED']]);
    // Only approved values count: nothing is in the period's inputs yet.
    expect(await inputOf(db, PERIOD, party, 'v01')).to.equal(undefined);
    const report = await save({ submit: true, cells: PARTY, files: [
      { field: 'heldLifeMeeting', upload: { name: 'C:\\材料\\组织生活会.png', content: PNG } }, { field: 'heldMemberReview', upload: { name: '评议.png', content: PNG } },
    ] });
    expect(report.state).to.equal('submitted');
    const [file, second] = await filesOfReport(db, report.id);
    expect(second.input_name).to.equal('heldMemberReview');
    expect(file).to.include({ input_name: 'heldLifeMeeting', media_type: 'image/png', file_name: '组织生活会.png', size: PNG.length });
    expect(file.sha256).to.match(/^[0-9a-f]{64}$/);
    expect(await inputOf(db, PERIOD, party, 'v01')).to.equal(undefined);
    // Submitted: the village can no longer change it; the township may return or approve it.
    expect((await refused(save({ cells: PARTY }))).code).to.equal('REPORT_STATE');
    expect(reportSteps('submitted', 'village')).to.deep.equal([]);
    expect(reportSteps('submitted', 'leader')).to.deep.equal(['return', 'approve']);
  });

  it('shows the township each figure beside the value it replaces and last year, marking what moved more than usual', async () => {
    const report = (await getReport(db, PERIOD, 'v01'))!;
    const lines = await reviewLines(db, report, v01, 'leader');
    const themeDays = lines.find((l) => l.name === 'themeDays')!;
    expect(themeDays).to.include({ reported: '9', lastYear: '11' });
    // 5 入党积极分子 last year, 2 now: more than the usual change, marked; 12 党小组会 then, 11 now, not.
    expect(lines.find((l) => l.name === 'activists')!.flags).to.deep.equal(['较上年减少60%']);
    expect(lines.find((l) => l.name === 'groupMeetings')!.flags).to.deep.equal([]);
    expect(themeDays.flags).to.deep.equal([]);
    const queue = await reviewQueue(db, PERIOD, undefined);
    expect(queue.lines.map((l) => l.unitId)).to.deep.equal(['v01']);
  });

  it('returns a report only with a comment, and the village corrects and submits again', async () => {
    const report = (await getReport(db, PERIOD, 'v01'))!;
    expect((await refused(returnReport(db, { reportId: report.id, notes: { themeDays: '  ' }, by: 'leader' }))).code).to.equal('RETURN_WITHOUT_COMMENT');
    await returnReport(db, { reportId: report.id, notes: { themeDays: '主题党日应为12次，请核对台账', notAField: 'x' }, by: 'leader' });
    const returned = (await getReport(db, PERIOD, 'v01'))!;
    expect(returned.state).to.equal('returned');
    expect(JSON.parse(returned.field_notes!)).to.deep.equal({ themeDays: '主题党日应为12次，请核对台账' });
    // A second answer of the same report is refused: it is no longer submitted.
    expect((await refused(approveReport(db, { reportId: report.id, by: 'leader' }))).code).to.equal('REPORT_STATE');
    await save({ submit: true, cells: { themeDays: '12' } });
    expect((await getReport(db, PERIOD, 'v01'))!).to.include({ state: 'submitted', field_notes: null });
  });

  it('approves: the figures become the inputs of every assessment naming them, each write in the history with who reported and who approved', async () => {
    const report = (await getReport(db, PERIOD, 'v01'))!;
    await approveReport(db, { reportId: report.id, by: 'leader' });
    for (const track of [party, partyAgain]) {
      const row = (await inputOf(db, PERIOD, track, 'v01'))!;
      expect(JSON.parse(row.input_values)).to.include({ themeDays: 12, memberMeetings: 5, heldLifeMeeting: true });
      expect(row.report_id).to.equal(report.id);
      const [h] = await historyOf(db, PERIOD, track, 'v01');
      expect(h).to.include({ via: 'report', report_id: report.id, entered_by: 'v01user', approved_by: 'leader' });
    }
    // The township then enters its own figures by the form: kept with the reported ones, in the history as a form.
    await saveUnitInputs(db, { periodId: PERIOD, track: party, unitId: 'v01', cells: { ...PARTY, themeDays: '12', disciplinedMembers: '0', siteGrade: '好' }, by: 'leader' });
    expect((await historyOf(db, PERIOD, party, 'v01')).map((h) => h.via)).to.deep.equal(['report', 'form']);
    const words = (await auditEntries(db, { limit: 50 })).map((a) => a.action).filter((a) => a.startsWith('report.') || a.startsWith('collection.'));
    expect(words).to.include.members(['collection.open', 'report.save', 'report.submit', 'report.return', 'report.approve']);
    for (const code of words) expect(actionWords(code)).not.to.equal('其他操作');
  });

  it('counts the board by state, marks the late after the deadline and reminds every unit not yet submitted', async () => {
    const b = await board(db, PERIOD, party);
    expect(b.counts.approved).to.equal(1);
    expect(b.counts.none).to.equal(b.total - 1);
    expect(b.lines.find((l) => l.unitId === 'v01')!.stateTitle).to.equal('已审核');
    expect(b.lines.some((l) => l.overdue)).to.equal(false);
    const late = await board(db, PERIOD, party, { state: 'late' }, inDays(11));
    expect(late.lines.length).to.equal(Math.min(50, b.total - 1));
    expect(late.lines.every((l) => l.overdue && l.unitId !== 'v01')).to.equal(true);
    expect(await remindLate(db, { periodId: PERIOD, assessmentId: party, by: 'leader' })).to.equal(b.total - 1);
  });

  it('refuses a submission after the deadline until the township reopens it for that unit', async () => {
    const after = inDays(11);
    const e = await refused(saveReport(db, { periodId: PERIOD, unitId: 'v02', cells: PARTY, files: [], submit: false, by: 'v02user', now: after }));
    expect(e.code).to.equal('REPORT_CLOSED');
    await reopenForUnit(db, { periodId: PERIOD, unitId: 'v02', until: inDays(12), by: 'leader', now: today() });
    const report = await saveReport(db, { periodId: PERIOD, unitId: 'v02', cells: PARTY, files: [], submit: false, by: 'v02user', now: after });
    expect(report).to.include({ state: 'draft', reopened_until: inDays(12) });
    // A unit given a later day of its own is not late: neither listed nor counted.
    const late = await board(db, PERIOD, party, { state: 'late' }, after);
    expect(late.lines.map((l) => l.unitId)).not.to.include('v02');
    expect(late.matching).to.equal(late.lateCount);
  });

  it('refuses a comment longer than 500 characters, and labels a report by its rule sets once reporting is closed', async () => {
    const report = await saveReport(db, { periodId: PERIOD, unitId: 'v03', cells: PARTY, files: [
      { field: 'heldLifeMeeting', upload: { name: 'a.png', content: PNG } }, { field: 'heldMemberReview', upload: { name: 'b.png', content: PNG } },
    ], submit: true, by: 'v03user' });
    expect((await refused(returnReport(db, { reportId: report.id, notes: {}, comment: '长'.repeat(501), by: 'leader' }))).code).to.equal('TEXT_TOO_LONG');
    expect((await getReport(db, PERIOD, 'v03'))!.state).to.equal('submitted');
    await closeReporting(db, { periodId: PERIOD, assessmentId: party, by: 'leader' });
    await closeReporting(db, { periodId: PERIOD, assessmentId: partyAgain, by: 'leader' });
    const lines = await reviewLines(db, report, (await getUnit(db, 'v03'))!, 'leader');
    expect(lines.find((l) => l.name === 'themeDays')!.label).to.equal('开展主题党日活动次数');
  });

  it('checks a reported figure against what the township entered: 出生人数 below the 出生漏报数 on record is refused beside it', async () => {
    await openReporting(db, { periodId: PERIOD, assessmentId: 'village', deadline: inDays(10), by: 'leader' });
    // v06's record holds 1 birth missed (抽查发现出生漏报数, the township's): 0 births reported cannot be.
    const e = await refused(saveReport(db, { periodId: PERIOD, unitId: 'v06', cells: { births: '0' }, files: [], submit: true, by: 'v06user' }));
    expect(e.problems.filter((p) => p.field === 'births').map((p) => p.code)).to.include('CHECK_FAILED');
    expect(e.problems.some((p) => p.field === 'birthsMissed')).to.equal(false);
  });
});
