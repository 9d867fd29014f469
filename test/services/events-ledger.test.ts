import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { Db } from '../../src/db/connection.js';
import { auditEntries } from '../../src/db/queries/audit.js';
import { eventsOf, filesOfEvents } from '../../src/db/queries/events.js';
import { parseDataBytes } from '../../src/io/data-file.js';
import { DEMO_DIR } from '../../src/paths.js';
import { auditTrailPage, readAuditQuery } from '../../src/services/audit-trail.js';
import {
  addEvent, editEvent, EventMissing, EventRefused, ledgerInputs, periodTakesEvents, withdrawLedgerEvent, type EventFields,
} from '../../src/services/events-ledger.js';
import { getPeriod } from '../../src/db/queries/periods.js';
import { parsePeriod, PeriodInvalid } from '../../src/services/period.js';
import { importInputs } from '../../src/services/import-inputs.js';
import { createRun, publishRun, runResults, verifyRun, withExplanations } from '../../src/services/runs.js';
import { changedAfterPublication } from '../../src/services/publication.js';
import { getRun } from '../../src/db/queries/runs.js';
import { openStore } from '../../src/services/store.js';
import { today } from '../../src/services/review-period.js';
import { onEachBackend } from '../support/backends.js';
import { useEventsRules } from '../support/events-rules.js';

const PERIOD = '2025';
const good: EventFields = { unit: '枫林村', input: '安全生产事故', level: '较大', date: '2025-06-01', note: '' };

async function refusal(work: Promise<unknown>): Promise<Array<[string, string]>> {
  try { await work; } catch (e) {
    if (e instanceof EventRefused) return e.problems.map((p) => [p.field, p.code]);
    throw e;
  }
  return [];
}

onEachBackend('the events ledger (事件台账)', (backend) => {
  let db: Db;
  before(async () => {
    db = await openStore(await backend.fresh('none'));
    await useEventsRules(db);
    const bytes = readFileSync(path.join(DEMO_DIR, 'villages-2023.csv'));
    await importInputs(db, { periodId: PERIOD, table: parseDataBytes(bytes, 'villages-2023.csv'), fileBytes: bytes, by: 'clerk' });
    const staff = readFileSync(path.join(DEMO_DIR, 'staff-2023.csv'));
    await importInputs(db, { periodId: PERIOD, track: 'staff', table: parseDataBytes(staff, 'staff-2023.csv'), fileBytes: staff, by: 'clerk' });
  });
  after(async () => { await db?.destroy(); });

  it('finds the events inputs of the rule sets a period is scored with', async () => {
    const inputs = await ledgerInputs(db, PERIOD, 'clerk');
    expect(inputs.map((i) => [i.name, i.label, i.subject])).to.deep.equal([['accidents', '安全生产事故', 'village']]);
    expect(inputs[0].levels).to.deep.equal([{ name: '一般', points: 5 }, { name: '较大', points: 10 }]);
    expect(inputs[0].range).to.deep.equal([2, 5]);
  });

  it('records an event by level and one by points, by a unit named or by its id, each in the audit log with words', async () => {
    const first = await addEvent(db, { periodId: PERIOD, fields: good, by: 'leader' });
    await addEvent(db, { periodId: PERIOD, fields: { unit: 'v01', input: 'accidents', points: '2.5', date: '2025-05-03', note: '<script>alert(1)</script> 仓库起火' }, by: 'leader' });
    const events = await eventsOf(db, PERIOD, { unitId: 'v01' });
    expect(events.map((e) => [e.input, e.level, e.points, e.happened_on, e.note])).to.deep.equal([
      ['accidents', null, 2.5, '2025-05-03', '<script>alert(1)</script> 仓库起火'], ['accidents', '较大', null, '2025-06-01', ''],
    ]);
    expect(events[1]).to.include({ id: first, recorded_by: 'leader', withdrawn_at: null });
    const [entry] = await auditEntries(db, { action: 'events.add' });
    expect(entry).to.include({ actor: 'leader', unit_id: 'v01' });
    const page = await auditTrailPage(db, await readAuditQuery(db, { action: 'events' }));
    expect(page.lines[0]).to.include({ action: '新增事件' });
    expect(page.lines[0].concerns).to.equal('2025年度，枫林村，“安全生产事故”，2025年5月3日');
  });

  it('refuses, at its field, what is not an event of the period: every problem at once and nothing written', async () => {
    const before = (await eventsOf(db, PERIOD)).length;
    const cases: Array<[EventFields, Array<[string, string]>]> = [
      [{ ...good, unit: '' }, [['unit', 'EVENT_UNIT_MISSING']]],
      [{ ...good, unit: '没有这个村' }, [['unit', 'EVENT_UNIT_UNKNOWN']]],
      // A staff member's rule set has no events ledger.
      [{ ...good, unit: 's01' }, [['unit', 'EVENT_UNIT_UNKNOWN']]],
      [{ ...good, input: '信访案件' }, [['input', 'EVENT_INPUT_UNKNOWN']]],
      [{ ...good, input: 'population' }, [['input', 'EVENT_INPUT_UNKNOWN']]],
      [{ ...good, level: '特大' }, [['level', 'EVENT_UNKNOWN_LEVEL']]],
      [{ ...good, points: '3' }, [['points', 'EVENT_LEVEL_AND_POINTS']]],
      [{ ...good, level: '' }, [['level', 'EVENT_NO_LEVEL_OR_POINTS']]],
      [{ ...good, level: '', points: '6' }, [['points', 'EVENT_POINTS_OUT_OF_RANGE']]],
      [{ ...good, level: '', points: '1e1' }, [['points', 'EVENT_POINTS_NOT_A_NUMBER']]],
      [{ ...good, date: '2025-02-29' }, [['date', 'EVENT_DATE_INVALID']]],
      [{ ...good, date: '9999-01-01' }, [['date', 'EVENT_DATE_FUTURE']]],
      [{ ...good, date: '' }, [['date', 'EVENT_DATE_MISSING']]],
      [{ ...good, note: '说'.repeat(201) }, [['note', 'EVENT_NOTE_TOO_LONG']]],
      [{ ...good, note: '正常\u202e文字' }, [['note', 'EVENT_NOTE_HIDDEN']]],
      [{ ...good, unit: '\u202ev01' }, [['unit', 'EVENT_UNIT_UNKNOWN']]],
      [{ ...good, unit: 'x'.repeat(2000), note: 'y'.repeat(2000) }, [['unit', 'EVENT_UNIT_UNKNOWN'], ['note', 'EVENT_NOTE_TOO_LONG']]],
      [{ unit: ['v01', 'v02'], input: '安全生产事故', level: '较大', date: '2025-06-01' } as EventFields, [['unit', 'EVENT_UNIT_UNKNOWN']]],
    ];
    for (const [fields, expected] of cases) expect(await refusal(addEvent(db, { periodId: PERIOD, fields, by: 'leader' })), JSON.stringify(fields).slice(0, 80)).to.deep.equal(expected);
    expect((await eventsOf(db, PERIOD)).length).to.equal(before);
    expect(await refusal(addEvent(db, { periodId: PERIOD, fields: { ...good, unit: 'v05', date: '2025-12-31' }, by: 'leader' }))).to.deep.equal([]);
  });

  it('takes an event of the period only: one of the day before it, or after it, is refused at its date, naming the period’s days', async () => {
    for (const date of ['2024-12-31', '2026-01-01', '1900-01-01']) {
      const err = await addEvent(db, { periodId: PERIOD, fields: { ...good, date }, by: 'leader' }).then(() => null, (e: unknown) => e);
      expect((err as EventRefused).problems.map((p) => [p.field, p.code, p.message]), date).to.deep.equal([['date', 'EVENT_DATE_OUTSIDE_PERIOD', '发生日期应在2025年度之内（2025-01-01至2025-12-31）']]);
    }
  });

  it('records events for a period the record has, or the one going on now, never for one typed into a form (9999, 1900)', async () => {
    const now = today();
    await periodTakesEvents(db, parsePeriod(PERIOD));
    await periodTakesEvents(db, parsePeriod(now.slice(0, 4)));
    await periodTakesEvents(db, parsePeriod(`${now.slice(0, 4)}M${now.slice(5, 7)}`));
    for (const id of ['9999', '1900', '2011Q2']) {
      const err = await periodTakesEvents(db, parsePeriod(id)).then(() => null, (e: unknown) => e);
      expect(err, id).to.be.instanceOf(PeriodInvalid);
    }
    const refused = await addEvent(db, { periodId: '1900', fields: { ...good, date: '1900-05-03' }, by: 'leader' }).then(() => null, (e: unknown) => e);
    expect(refused).to.be.instanceOf(PeriodInvalid);
    expect((refused as Error).message).to.equal('1900年度不是已有的考核期，也不是当前的考核期：请从列表中选择考核期');
    expect(await getPeriod(db, '1900')).to.equal(undefined);
  });

  it('changes a standing event, keeping what it was in the audit log', async () => {
    const [event] = await eventsOf(db, PERIOD, { unitId: 'v02' }).then(async (list) => (list.length ? list : (await addEvent(db, { periodId: PERIOD, fields: { ...good, unit: 'v02' }, by: 'leader' }), eventsOf(db, PERIOD, { unitId: 'v02' }))));
    await editEvent(db, { periodId: PERIOD, id: event.id, fields: { ...good, unit: 'v02', level: '一般', note: '核实后定为一般事故' }, by: 'admin' });
    const [after] = await eventsOf(db, PERIOD, { unitId: 'v02' });
    expect(after).to.include({ id: event.id, level: '一般', note: '核实后定为一般事故', changed_by: 'admin' });
    const [entry] = await auditEntries(db, { action: 'events.edit' });
    expect(JSON.parse(entry.detail!).before).to.include({ level: '较大' });
    expect(await refusal(editEvent(db, { periodId: PERIOD, id: event.id, fields: { ...good, unit: 'v02', level: '重大' }, by: 'admin' }))).to.deep.equal([['level', 'EVENT_UNKNOWN_LEVEL']]);
    expect((await eventsOf(db, PERIOD, { unitId: 'v02' }))[0].level).to.equal('一般');
  });

  it('withdraws an event, which stays on record, is changed no more, and is never deleted', async () => {
    const id = await addEvent(db, { periodId: PERIOD, fields: { ...good, unit: 'v03' }, by: 'leader' });
    await withdrawLedgerEvent(db, { periodId: PERIOD, id, by: 'leader' });
    const [row] = await eventsOf(db, PERIOD, { unitId: 'v03' });
    expect(row).to.include({ id, withdrawn_by: 'leader' });
    expect(await eventsOf(db, PERIOD, { unitId: 'v03', withdrawn: false })).to.deep.equal([]);
    const again = await withdrawLedgerEvent(db, { periodId: PERIOD, id, by: 'leader' }).then(() => null, (e: unknown) => e);
    expect(again).to.be.instanceOf(EventMissing);
    const edit = await editEvent(db, { periodId: PERIOD, id, fields: { ...good, unit: 'v03' }, by: 'leader' }).then(() => null, (e: unknown) => e);
    expect(edit).to.be.instanceOf(EventMissing);
    const otherPeriod = await withdrawLedgerEvent(db, { periodId: '2024', id, by: 'leader' }).then(() => null, (e: unknown) => e);
    expect(otherPeriod).to.be.instanceOf(EventMissing);
    const deleted = await db('events').where({ id }).delete().then(() => null, (e: unknown) => e);
    expect(deleted, 'the database refuses a DELETE').to.be.instanceOf(Error);
    expect((await auditEntries(db, { action: 'events.withdraw' }))[0]).to.include({ unit_id: 'v03' });
  });

  it('keeps an event’s files in the one storage, judged by content: a file that only calls itself a photo refuses the event, nothing written', async () => {
    const png = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), Buffer.alloc(32, 3)]);
    const before = (await eventsOf(db, PERIOD)).length;
    const refusedWith = await refusal(addEvent(db, { periodId: PERIOD, fields: { ...good, unit: 'v05' }, by: 'leader', files: [{ name: '现场.png', content: Buffer.from('<html>') }] }));
    expect(refusedWith).to.deep.equal([['files', 'EVIDENCE_TYPE']]);
    expect((await eventsOf(db, PERIOD)).length).to.equal(before);
    const id = await addEvent(db, { periodId: PERIOD, fields: { ...good, unit: 'v05' }, by: 'leader', files: [{ name: '现场.png', content: png }] });
    const [file] = await filesOfEvents(db, [id]);
    expect(file).to.include({ event_id: id, file_name: '现场.png', media_type: 'image/png', size: png.length, unit_id: 'v05' });
    // Five in all: a sixth refused on a change.
    const more = Array.from({ length: 5 }, (_, k) => ({ name: `补充${k}.png`, content: png }));
    expect(await refusal(editEvent(db, { periodId: PERIOD, id, fields: { ...good, unit: 'v05' }, by: 'leader', files: more }))).to.deep.equal([['files', 'EVIDENCE_TOO_MANY']]);
    expect(await filesOfEvents(db, [id])).to.have.length(1);
    // The database keeps it: a file that backs an event is never deleted.
    expect(await db('stored_files').where({ id: file.id }).delete().then(() => null, (e: unknown) => e)).to.be.instanceOf(Error);
    await withdrawLedgerEvent(db, { periodId: PERIOD, id, by: 'leader' });
  });

  it('pins each unit\'s standing events in a run, scores them, and verifies from the snapshot', async () => {
    const run = await createRun(db, { periodId: PERIOD, by: 'leader' });
    const { units } = await runResults(db, run.id);
    const v01 = units.find((u) => u.id === 'v01')!, v03 = units.find((u) => u.id === 'v03')!, v04 = units.find((u) => u.id === 'v04')!;
    expect(v01.inputs!.accidents).to.deep.equal([
      { points: 2.5, date: '2025-05-03', note: '<script>alert(1)</script> 仓库起火' }, { level: '较大', date: '2025-06-01', note: '' },
    ]);
    // The withdrawn event of v03 is not pinned, and a unit without events has an empty list.
    expect(v03.inputs!.accidents).to.deep.equal([]);
    expect(v04.inputs!.accidents).to.deep.equal([]);
    const [explained] = await withExplanations(db, run, [v01]);
    expect(explained.explanations!.accidents).to.contain('扣12.5分');
    expect((await verifyRun(db, run.id)).identical).to.equal(true);
    // Published, the run says when the ledger changed after it.
    await publishRun(db, run.id, 'leader');
    expect(await changedAfterPublication(db, (await getRun(db, run.id))!)).to.equal(null);
    await addEvent(db, { periodId: PERIOD, fields: { ...good, unit: 'v06' }, by: 'leader' });
    expect((await changedAfterPublication(db, (await getRun(db, run.id))!))!.words).to.match(/^leader于.+修改了事件台账（1起事件）$/);
    // What the village entered is not changed by the ledger.
    const stored = await db('inputs').where({ period_id: PERIOD, unit_id: 'v01' }).first();
    expect(JSON.parse(stored.input_values)).not.to.have.property('accidents');
  });
});
