import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { Db } from '../../src/db/connection.js';
import { auditEntries } from '../../src/db/queries/audit.js';
import { inputOf } from '../../src/db/queries/inputs.js';
import { getPeriod } from '../../src/db/queries/periods.js';
import { upsertUnits } from '../../src/db/queries/units.js';
import { DataInvalid } from '../../src/engine/index.js';
import { parseDataBytes } from '../../src/io/data-file.js';
import { DEMO_DIR } from '../../src/paths.js';
import { EntryRefused, periodChoices, periodOf, saveUnitInputs } from '../../src/services/entry.js';
import { openStore } from '../../src/services/store.js';
import { onEachBackend } from '../support/backends.js';

/** A village's inputs from the demo file, as a form posts them (text). */
function demoCells(unitId: string): Record<string, string> {
  const table = parseDataBytes(readFileSync(path.join(DEMO_DIR, 'villages-2024.csv')), 'villages-2024.csv');
  const { id: _id, name: _name, parent: _parent, ...inputs } = table.rows.find((r) => r.cells.id === unitId)!.cells as Record<string, string>;
  return inputs;
}

async function problemsOf(work: Promise<unknown>): Promise<Array<{ column: string; code: string }>> {
  try { await work; } catch (e) {
    if (e instanceof DataInvalid) return e.problems.map(({ column, code }) => ({ column, code }));
    throw e;
  }
  return [];
}

onEachBackend('entering one unit’s inputs by hand', (backend) => {
  let db: Db;
  after(async () => { await db?.destroy(); });
  before(async function () {
    this.timeout(60_000);
    db = await openStore(await backend.fresh('none'));
    const at = new Date().toISOString();
    await upsertUnits(db, [
      { id: 'fenglin', name: '枫林镇', kind: 'township', parent_id: null, role: null, created_at: at },
      { id: 'v01', name: '枫林村', kind: 'village', parent_id: 'fenglin', role: null, created_at: at },
      { id: 'v02', name: '双塘村', kind: 'village', parent_id: 'fenglin', role: null, created_at: at },
    ]);
  });

  it('saves a valid row, creating the period and recording who entered it and when', async () => {
    const result = await saveUnitInputs(db, { periodId: '2025', track: 'village', unitId: 'v01', cells: demoCells('v01'), by: 'clerk' });
    expect(result).to.include({ periodId: '2025', track: 'village', unitId: 'v01', enteredBy: 'clerk' });
    const row = await inputOf(db, '2025', 'village', 'v01');
    expect(row).to.include({ entered_by: 'clerk', entered_at: result.enteredAt, name: '枫林村', parent_id: 'fenglin', batch_id: null });
    expect(JSON.parse(row!.input_values)).to.include({ population: 3595, feeAssessed: 18900, hasOfficer: true, teamGrade: '好' });
    expect(await getPeriod(db, '2025')).to.include({ kind: 'annual' });
    const [entry] = await auditEntries(db, { action: 'inputs.entry', limit: 1 });
    expect(entry).to.include({ actor: 'clerk', subject: '2025/village/v01' });
    expect(JSON.parse(entry.detail!).rules).to.equal(result.ruleSha256);
  });

  it('replaces the row when the unit is saved again', async () => {
    await saveUnitInputs(db, { periodId: '2025', track: 'village', unitId: 'v01', cells: { ...demoCells('v01'), population: '3600' }, by: 'leader' });
    const row = await inputOf(db, '2025', 'village', 'v01');
    expect(row).to.include({ entered_by: 'leader' });
    expect(JSON.parse(row!.input_values).population).to.equal(3600);
  });

  it('gives an input left blank its default', async () => {
    await saveUnitInputs(db, { periodId: '2025', track: 'village', unitId: 'v02', cells: { ...demoCells('v02'), honors: '', demoVillage: '' }, by: 'clerk' });
    expect(JSON.parse((await inputOf(db, '2025', 'village', 'v02'))!.input_values)).to.include({ honors: 0, demoVillage: false });
  });

  it('reports every bad cell and failed check through the engine and writes nothing, not even the period', async () => {
    const cells = { ...demoCells('v02'), population: 'abc', births: '600', teamGrade: '优', hasBoard: '也许', households: '' };
    expect(await problemsOf(saveUnitInputs(db, { periodId: '2030', track: 'village', unitId: 'v02', cells, by: 'clerk' }))).to.deep.equal([
      { column: 'population', code: 'NOT_A_NUMBER' }, { column: 'households', code: 'MISSING_VALUE' }, { column: 'births', code: 'OUT_OF_RANGE' },
      { column: 'teamGrade', code: 'UNKNOWN_GRADE_VALUE' }, { column: 'hasBoard', code: 'NOT_A_BOOLEAN' },
    ]);
    const row = demoCells('v02');
    expect(await problemsOf(saveUnitInputs(db, { periodId: '2030', track: 'village', unitId: 'v02', cells: { ...row, girls: String(Number(row.girls) + 1) }, by: 'clerk' })))
      .to.deep.equal([{ column: 'boys、girls、births', code: 'CHECK_FAILED' }]);
    expect(await inputOf(db, '2030', 'village', 'v02')).to.equal(undefined);
    expect(await getPeriod(db, '2030')).to.equal(undefined);
  });

  it('takes the unit’s id, name and parent from the record, never from the cells', async () => {
    const cells = { ...demoCells('v02'), id: 'v01', name: '冒名村', parent: 'elsewhere', unit_id: 'v01', entered_by: 'someone' };
    await saveUnitInputs(db, { periodId: '2026', track: 'village', unitId: 'v02', cells, by: 'clerk' });
    expect(await inputOf(db, '2026', 'village', 'v01')).to.equal(undefined);
    const row = await inputOf(db, '2026', 'village', 'v02');
    expect(row).to.include({ name: '双塘村', parent_id: 'fenglin', entered_by: 'clerk' });
    expect(JSON.parse(row!.input_values)).to.not.have.any.keys('id', 'name', 'parent', 'unit_id', 'entered_by');
  });

  it('refuses a unit the track does not appraise, and a malformed period', async () => {
    let refused: unknown;
    try { await saveUnitInputs(db, { periodId: '2025', track: 'village', unitId: 'fenglin', cells: demoCells('v01'), by: 'clerk' }); } catch (e) { refused = e; }
    expect(refused).to.be.instanceOf(EntryRefused);
    let invalid: unknown;
    try { await saveUnitInputs(db, { periodId: '2025H3', track: 'village', unitId: 'v01', cells: demoCells('v01'), by: 'clerk' }); } catch (e) { invalid = e; }
    expect((invalid as { code?: string }).code).to.equal('PERIOD_INVALID');
  });

  it('reads a typed period forgivingly: blanks trimmed, lower-case h and q', () => {
    expect(periodOf(' 2025h1 ')).to.deep.equal({ id: '2025H1', title: '2025年上半年', kind: 'half-year' });
    expect(periodOf('2025q3').id).to.equal('2025Q3');
  });
});

describe('the periods a form offers (periodChoices)', () => {
  it('lists the periods holding data first, then this year’s (with its months) and last year’s not yet started, each in words', () => {
    const { stored, fresh } = periodChoices(['2024', '2023'], '2024', 2026);
    expect(stored).to.deep.equal([{ id: '2024', title: '2024年度', selected: true }, { id: '2023', title: '2023年度', selected: false }]);
    const months = Array.from({ length: 12 }, (_, k) => `2026M${String(k + 1).padStart(2, '0')}`);
    expect(fresh.map((p) => p.id)).to.deep.equal(['2026', '2026H1', '2026H2', '2026Q1', '2026Q2', '2026Q3', '2026Q4', ...months, '2025', '2025H1', '2025H2', '2025Q1', '2025Q2', '2025Q3', '2025Q4']);
    expect(fresh[1].title).to.equal('2026年上半年');
    expect(fresh.find((p) => p.id === '2026M03')!.title).to.equal('2026年3月');
  });

  it('offers a period asked for by its link, written any way, selected, even one in neither list', () => {
    const { fresh } = periodChoices(['2024'], '2019q3', 2026);
    expect(fresh[0]).to.deep.equal({ id: '2019Q3', title: '2019年第3季度', selected: true });
    expect(fresh.filter((p) => p.selected)).to.have.length(1);
  });

  it('offers nothing for a period that is none, and no period twice', () => {
    const { stored, fresh } = periodChoices(['2026H1'], 'abc', 2026);
    expect([...stored, ...fresh].some((p) => p.selected)).to.equal(false);
    expect(fresh.map((p) => p.id)).to.not.include('2026H1');
  });
});
