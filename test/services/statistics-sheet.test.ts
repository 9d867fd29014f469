import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { Db } from '../../src/db/connection.js';
import { inputOf } from '../../src/db/queries/inputs.js';
import { historyOf } from '../../src/db/queries/reports.js';
import { DataInvalid } from '../../src/engine/index.js';
import { parseDataBytes } from '../../src/io/data-file.js';
import { readTable } from '../../src/io/table.js';
import { DEMO_DIR } from '../../src/paths.js';
import { addAssessment } from '../../src/services/assessments.js';
import { importInputs } from '../../src/services/import-inputs.js';
import { importStatistics, statisticsTemplate, statisticsTemplateFile } from '../../src/services/statistics-sheet.js';
import { openStore } from '../../src/services/store.js';
import { onEachBackend } from '../support/backends.js';

const PERIOD = '2025';

onEachBackend('the statistics sheet (统计表): one sheet, every assessment’s inputs it carries', (backend) => {
  let db: Db;
  let party: string, partyAgain: string;
  const values = async (track: string, unit: string) => JSON.parse((await inputOf(db, PERIOD, track, unit))!.input_values) as Record<string, unknown>;
  const csv = (text: string) => readTable(Buffer.from(text, 'utf8'), '统计表.csv');

  before(async () => {
    db = await openStore(await backend.fresh('none'));
    const bytes = readFileSync(path.join(DEMO_DIR, 'villages-2023.csv'));
    await importInputs(db, { periodId: PERIOD, table: parseDataBytes(bytes, 'villages-2023.csv'), fileBytes: bytes, by: 'clerk' });
    party = (await addAssessment(db, { title: '村级党建工作专项考核', unitKind: 'village', rulesetId: 'village-party' }, 'admin')).id;
    partyAgain = (await addAssessment(db, { title: '党建述职评议考核', unitKind: 'village', rulesetId: 'village-party' }, 'admin')).id;
    const partyBytes = readFileSync(path.join(DEMO_DIR, 'party-2023.csv'));
    await importInputs(db, { periodId: PERIOD, track: party, table: parseDataBytes(partyBytes, 'party.csv'), fileBytes: partyBytes, by: 'clerk' });
  });
  after(async () => { await db?.destroy(); });

  it('lists every unit and every figure of every assessment of the kind once, with the record’s values filled in', async () => {
    const t = await statisticsTemplate(db, PERIOD, 'village', 'clerk');
    const headers = t.columns.map((c) => c.header);
    expect(headers.slice(0, 3)).to.deep.equal(['单位名称', '单位编号', '总人口']);
    expect(headers.filter((h) => h === '召开支部党员大会次数')).to.have.length(1);
    expect(new Set(headers).size).to.equal(headers.length);
    expect(t.title).to.contain('2025年度 村（社区）统计表');
    const v01 = t.rows.find((r) => r[1] === 'v01')!;
    expect(v01[headers.indexOf('召开支部党员大会次数')]).to.equal(5);
    expect(t.rows).to.have.length(18);
  });

  it('fills every assessment naming a figure it carries, leaves blank cells as they were, and keeps each write in the history', async () => {
    const before = await values('village', 'v02');
    const table = await csv('单位编号,总人口,召开支部党员大会次数,开展主题党日活动次数,备注\nv01,2001,7,,x\nv02,,,12,\n');
    const result = await importStatistics(db, { periodId: PERIOD, kind: 'village', table, fileBytes: Buffer.from('x'), by: 'clerk' });
    expect(result).to.deep.equal({ units: 2, assessments: ['村级千分考核', '村级党建工作专项考核', '党建述职评议考核'], ignoredColumns: ['备注'] });
    expect(await values('village', 'v01')).to.include({ population: 2001 });
    expect(await values('village', 'v02')).to.deep.equal(before);
    for (const track of [party, partyAgain]) expect(await values(track, 'v01')).to.include({ memberMeetings: 7 });
    expect(await values(party, 'v02')).to.include({ themeDays: 12, memberMeetings: 3 });
    expect(await values(partyAgain, 'v02')).to.deep.equal({ themeDays: 12 });
    expect((await historyOf(db, PERIOD, party, 'v01')).map((h) => h.via)).to.deep.equal(['import', 'import']);
  });

  it('refuses the whole sheet with every bad cell at its column as headed: a figure its input does not take, a check with the record’s figures, an unknown unit', async () => {
    const table = await csv('单位编号,总人口,出生人数,召开支部党员大会次数\nv03,abc,,4\nv04,900,,99\nv99,1000,,\nv06,,0,\n');
    let problems: Array<[number, string, string]> = [];
    try {
      await importStatistics(db, { periodId: PERIOD, kind: 'village', table, fileBytes: Buffer.from('x'), by: 'clerk' });
    } catch (e) {
      if (!(e instanceof DataInvalid)) throw e;
      problems = e.problems.map((p) => [p.row, p.column, p.code]);
    }
    // v06's record holds 1 birth missed (the township's figure): 0 births cannot be.
    expect(problems.slice(0, 3)).to.deep.equal([[2, '总人口', 'NOT_A_NUMBER'], [3, '召开支部党员大会次数', 'OUT_OF_RANGE'], [4, 'id', 'UNIT_UNKNOWN']]);
    // Every failed check at row 5 names the sheet's column as headed and the record's figures by their labels.
    expect(problems.slice(3).every(([row, column, code]) => row === 5 && code === 'CHECK_FAILED' && column.includes('出生人数'))).to.equal(true);
    expect(problems.slice(3).map(([, column]) => column)).to.include('出生男孩数、出生女孩数、出生人数');
    expect(await values(party, 'v03')).to.include({ memberMeetings: 3 }); // as it was: nothing of the sheet is kept
    expect(await values('village', 'v04')).not.to.include({ population: 900 });
  });

  it('refuses a unit given twice at its second row, naming the first, and keeps nothing of the sheet', async () => {
    const before = await values('village', 'v01');
    const table = await csv('单位编号,总人口\nv01,1234\nv02,2500\nv01,1235\n');
    const err = await importStatistics(db, { periodId: PERIOD, kind: 'village', table, fileBytes: Buffer.from('x'), by: 'clerk' }).then(() => null, (e: unknown) => e);
    expect(err).to.be.instanceOf(DataInvalid);
    expect((err as DataInvalid).problems.map((p) => [p.row, p.column, p.code, p.message])).to.deep.equal([[4, 'id', 'DUPLICATE_UNIT_ID', '单位编号 “v01” 与第2行重复']]);
    expect(await values('village', 'v01')).to.deep.equal(before);
  });

  it('imports its own template, filled in and uploaded as it is (CSV)', async () => {
    const { bytes } = await statisticsTemplateFile(db, PERIOD, 'village', 'csv', 'clerk');
    const text = bytes.toString('utf8').replace(/^(\uFEFF?)/, '$1');
    const table = await readTable(Buffer.from(text, 'utf8'), '2025年度村（社区）统计表.csv');
    expect(table.template).to.equal(true);
    const result = await importStatistics(db, { periodId: PERIOD, kind: 'village', table, fileBytes: bytes, by: 'clerk' });
    expect(result.units).to.equal(18);
    expect(await values('village', 'v01')).to.include({ population: 2001 });
  });
});
