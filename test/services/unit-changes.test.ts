import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'csv-parse/sync';
import { auditEntries } from '../../src/db/queries/audit.js';
import { listUnits, type UnitRow } from '../../src/db/queries/units.js';
import { DataInvalid, type DataProblem } from '../../src/engine/index.js';
import { parseDataBytes } from '../../src/io/data-file.js';
import { DEMO_DIR } from '../../src/paths.js';
import { importInputs } from '../../src/services/import-inputs.js';
import { openStore } from '../../src/services/store.js';
import { unitChangeProblems, type UnitAsFiled } from '../../src/services/unit-changes.js';
import type { Db } from '../../src/db/connection.js';
import { onEachBackend } from '../support/backends.js';

/**
 * A file of figures may add units and rename or move them, but only as the 单位 page may: found
 * by an outside attack on 3 December 2026, a leader's upload made two villages each other's
 * parent, put the township under a unit that does not exist and renamed it, cleared a staff
 * member's village, and gave a village a name that shows right to left, or its neighbour's.
 */

const unit = (id: string, name: string, kind: string, parent: string | null): UnitRow => ({ id, name, kind, parent_id: parent, role: null, created_at: '2024-01-01T00:00:00Z' });
const RECORD = [
  unit('hetang', '荷塘区', 'county', null), unit('fenglin', '枫林镇', 'township', 'hetang'),
  unit('v01', '枫林村', 'village', 'fenglin'), unit('v02', '双塘村', 'village', 'fenglin'), unit('s01', '李秀兰', 'staff', 'v01'),
];
const COLUMNS = { file: 'villages.csv', hasName: true, hasParent: true };
const filed = (id: string, name: string, parent: string | null, row = 2): UnitAsFiled => ({ id, name, parent, row });
const found = (problems: DataProblem[]) => problems.map((p) => [p.row, p.column, p.code]);

describe('what a file of figures may change of the unit tree', () => {
  it('takes a file that leaves every unit as the record has it, and one that adds a village under a township', () => {
    expect(unitChangeProblems('village', [filed('v01', '枫林村', 'fenglin'), filed('v03', '桃花村', 'fenglin', 3)], RECORD, COLUMNS)).to.deep.equal([]);
  });

  it('refuses a unit of another kind at its id: the township, a staff member', () => {
    const problems = unitChangeProblems('village', [filed('fenglin', '被改名的镇', 'nowhere', 2), filed('s01', '李秀兰', null, 3)], RECORD, COLUMNS);
    expect(found(problems)).to.deep.equal([[2, 'id', 'UNIT_KIND_MISMATCH'], [3, 'id', 'UNIT_KIND_MISMATCH']]);
    expect(problems[0].message).to.equal('单位编号 “fenglin” 是乡镇（街道）“枫林镇”，不是村（社区）：本文件只能填写村（社区）的数据');
  });

  it('refuses a village under a village, under itself and under a staff member, and takes a parent the record does not have yet', () => {
    const problems = unitChangeProblems('village', [
      filed('v01', '枫林村', 'v02', 2), filed('v02', '双塘村', 'v02', 3), filed('v03', '桃花村', 's01', 4), filed('v04', '白石村', 't00042', 5),
    ], RECORD, COLUMNS);
    // A township named by its code before anyone adds it on the 单位 page (a province's file does): the tree shows it at its top.
    expect(found(problems)).to.deep.equal([[2, 'parent', 'PARENT_LEVEL'], [3, 'parent', 'UNIT_CYCLE'], [4, 'parent', 'PARENT_IS_LEAF']]);
  });

  it('refuses a new name with a direction mark, an invisible character or a control character, at the name column', () => {
    const problems = unitChangeProblems('village', [
      filed('v01', '桃花村\u202e)名1第(', 'fenglin', 2), filed('v02', '双\u200b塘村', 'fenglin', 3), filed('v03', '新\u0007村', 'fenglin', 4),
    ], RECORD, COLUMNS);
    expect(found(problems)).to.deep.equal([[2, 'name', 'UNIT_NAME_INVALID'], [3, 'name', 'UNIT_NAME_INVALID'], [4, 'name', 'UNIT_NAME_INVALID']]);
  });

  it('refuses the name of a sibling, in the record or in the file, and takes two units swapping their names', () => {
    const taken = unitChangeProblems('village', [filed('v02', '枫林村', 'fenglin', 3), filed('v05', '新村', 'fenglin', 4), filed('v06', '新村', 'fenglin', 5)], RECORD, COLUMNS);
    expect(found(taken)).to.deep.equal([[3, 'name', 'UNIT_NAME_TAKEN'], [4, 'name', 'UNIT_NAME_TAKEN'], [5, 'name', 'UNIT_NAME_TAKEN']]);
    expect(taken[0].message).to.equal('同一上级单位下已有名为“枫林村”的单位（编号 v01）');
    expect(taken[1].message).to.equal('同一上级单位下已有名为“新村”的单位（本文件第5行）');
    expect(unitChangeProblems('village', [filed('v01', '双塘村', 'fenglin', 2), filed('v02', '枫林村', 'fenglin', 3)], RECORD, COLUMNS)).to.deep.equal([]);
  });

  it('judges only what the file changes: a unit the record already holds wrongly is no problem of the file', () => {
    const odd = [...RECORD, unit('v09', '枫林村', 'village', 'fenglin'), unit('v10', '坏\u202e名', 'village', 'v01')];
    expect(unitChangeProblems('village', [filed('v09', '枫林村', 'fenglin'), filed('v10', '坏\u202e名', 'v01', 3)], odd, COLUMNS)).to.deep.equal([]);
  });
});

/** The demo villages' 2024 file with some rows' cells changed (row numbers as a spreadsheet's: v01 is row 2), and rows added. */
function villages(changes: Record<string, Record<string, string>>, added: Array<Record<string, string>> = []): Buffer {
  const rows = parse(readFileSync(path.join(DEMO_DIR, 'villages-2024.csv')), { bom: true }) as string[][];
  const [header] = rows;
  for (const row of rows.slice(1)) for (const [column, v] of Object.entries(changes[row[0]] ?? {})) row[header.indexOf(column)] = v;
  for (const cells of added) {
    const row = [...rows[1]];
    for (const [column, v] of Object.entries(cells)) row[header.indexOf(column)] = v;
    rows.push(row);
  }
  return Buffer.from(rows.map((r) => r.map((s) => (/[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s)).join(',')).join('\n') + '\n');
}

onEachBackend('importing figures that would change the unit tree', function (backend) {
  this.timeout(60_000);
  let db: Db;
  before(async () => { db = await openStore(await backend.fresh('demo')); });
  after(async () => { await db?.destroy(); });
  const upload = (bytes: Buffer) => importInputs(db, { periodId: '2027', track: 'village', table: parseDataBytes(bytes, 'villages.csv'), fileBytes: bytes, by: 'leader' });

  it('refuses the attack’s file whole: two villages each other’s parent, the township renamed and moved, a mark that turns the text', async () => {
    const before = await listUnits(db);
    const bytes = villages({ v01: { parent: 'v02' }, v02: { parent: 'v01' }, v03: { name: '桃花村\u202e)名1第(' }, v04: { name: '龙潭村' } }, [{ id: 'fenglin', name: '被改名的镇', parent: 'hetang-x' }]);
    const err = await upload(bytes).then(() => null, (e: unknown) => e);
    expect(err).to.be.instanceOf(DataInvalid);
    expect(found((err as DataInvalid).problems)).to.deep.equal([
      [2, 'parent', 'PARENT_LEVEL'], [3, 'parent', 'PARENT_LEVEL'], [4, 'name', 'UNIT_NAME_INVALID'], [5, 'name', 'UNIT_NAME_TAKEN'], [20, 'id', 'UNIT_KIND_MISMATCH'],
    ]);
    expect(await listUnits(db)).to.deep.equal(before);
  });

  it('keeps the record’s parent where the file’s cell is blank, and puts a rename and a move made by a file in the audit log', async () => {
    await upload(villages({ v01: { name: '枫林一村' }, v02: { parent: '' } }));
    const units = new Map((await listUnits(db)).map((u) => [u.id, u]));
    expect(units.get('v01')!.name).to.equal('枫林一村');
    expect(units.get('v02')!.parent_id).to.equal('fenglin');
    const [renamed] = await auditEntries(db, { action: 'unit.rename', limit: 1 });
    expect(renamed).to.include({ actor: 'leader', subject: 'v01', unit_id: 'v01' });
    expect(JSON.parse(renamed.detail!)).to.deep.equal({ from: '枫林村', to: '枫林一村' });
    expect(await auditEntries(db, { action: 'unit.move' })).to.deep.equal([]);
  });
});
