import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { Db } from '../../src/db/connection.js';
import { auditEntries } from '../../src/db/queries/audit.js';
import { eventsOf } from '../../src/db/queries/events.js';
import { DataInvalid } from '../../src/engine/index.js';
import { parseDataBytes } from '../../src/io/data-file.js';
import { readTable } from '../../src/io/table.js';
import { DEMO_DIR } from '../../src/paths.js';
import { eventsTemplateFile, importEvents } from '../../src/services/events-import.js';
import { importInputs } from '../../src/services/import-inputs.js';
import { openStore } from '../../src/services/store.js';
import { onEachBackend } from '../support/backends.js';
import { useEventsRules } from '../support/events-rules.js';

const PERIOD = '2025';

onEachBackend('importing the events ledger from a sheet', (backend) => {
  let db: Db;
  const csv = async (text: string) => {
    const bytes = Buffer.from(text, 'utf8');
    return { table: await readTable(bytes, 'events.csv'), fileBytes: bytes };
  };
  before(async () => {
    db = await openStore(await backend.fresh('none'));
    await useEventsRules(db);
    const bytes = readFileSync(path.join(DEMO_DIR, 'villages-2023.csv'));
    await importInputs(db, { periodId: PERIOD, table: parseDataBytes(bytes, 'villages-2023.csv'), fileBytes: bytes, by: 'clerk' });
  });
  after(async () => { await db?.destroy(); });

  it('reports every bad row with its row and column, and keeps nothing', async () => {
    const file = await csv([
      '单位,台账,等级,分值,日期,说明',
      '枫林村,安全生产事故,较大,,2025-05-03,仓库起火', // good: not kept either
      '没有这个村,安全生产事故,一般,,2025-05-03,',
      '枫林村,信访案件,一般,,2025-05-03,',
      '枫林村,安全生产事故,特大,,2025-05-03,',
      '枫林村,安全生产事故,,9,2025-05-03,',
      '枫林村,安全生产事故,一般,3,2025-13-01,',
      `枫林村,安全生产事故,一般,,2025-05-03,${'长'.repeat(201)}`,
    ].join('\n'));
    const error = await importEvents(db, { periodId: PERIOD, ...file, by: 'leader' }).catch((e: unknown) => e);
    expect(error).to.be.instanceOf(DataInvalid);
    expect((error as DataInvalid).problems.map((p) => [p.row, p.column, p.code])).to.deep.equal([
      [3, '单位', 'EVENT_UNIT_UNKNOWN'], [4, '台账', 'EVENT_INPUT_UNKNOWN'], [5, '等级', 'EVENT_UNKNOWN_LEVEL'], [6, '分值', 'EVENT_POINTS_OUT_OF_RANGE'],
      [7, '分值', 'EVENT_LEVEL_AND_POINTS'], [7, '日期', 'EVENT_DATE_INVALID'], [8, '说明', 'EVENT_NOTE_TOO_LONG'],
    ]);
    expect(await eventsOf(db, PERIOD)).to.deep.equal([]);
    expect(await auditEntries(db, { action: 'events.import' })).to.deep.equal([]);
  });

  it('refuses a sheet without the columns it needs, naming them', async () => {
    const error = await importEvents(db, { periodId: PERIOD, ...(await csv('单位,日期\n枫林村,2025-05-03')), by: 'leader' }).catch((e: unknown) => e);
    expect((error as DataInvalid).problems.map((p) => [p.row, p.code])).to.deep.equal([[1, 'EVENT_COLUMNS_MISSING']]);
    expect((error as DataInvalid).problems[0].message).to.contain('台账').and.contain('等级或分值');
  });

  it('imports a filled-in template (XLSX) whole, leaving out its note row and the units left blank, in one audited step', async () => {
    const template = await eventsTemplateFile(db, PERIOD, 'xlsx', 'leader');
    expect(template.fileName).to.equal('2025年度事件台账模板.xlsx');
    const { default: ExcelJS } = await import('exceljs');
    const book = new ExcelJS.Workbook();
    await book.xlsx.load(template.bytes as unknown as ArrayBuffer);
    const sheet = book.worksheets[0];
    expect(sheet.getRow(1).values).to.deep.equal([undefined, '单位', '台账', '等级', '分值', '日期', '说明']);
    expect(String(sheet.getCell('A3').value)).to.equal('枫林村');
    sheet.getCell('B3').value = '安全生产事故'; sheet.getCell('C3').value = '一般'; sheet.getCell('E3').value = new Date(Date.UTC(2025, 4, 3)); sheet.getCell('F3').value = '=不是公式';
    sheet.getCell('B4').value = 'accidents'; sheet.getCell('D4').value = 2.5; sheet.getCell('E4').value = '2025/6/1';
    const bytes = Buffer.from(await book.xlsx.writeBuffer());
    const result = await importEvents(db, { periodId: PERIOD, table: await readTable(bytes, '2025年度事件台账.xlsx'), fileBytes: bytes, by: 'leader' });
    expect(result).to.deep.equal({ events: 2, blankRows: 16 });
    const events = await eventsOf(db, PERIOD);
    expect(events.map((e) => [e.unit_id, e.level, e.points, e.happened_on, e.note])).to.deep.equal([
      ['v01', '一般', null, '2025-05-03', '=不是公式'], ['v02', null, 2.5, '2025-06-01', ''],
    ]);
    const [entry] = await auditEntries(db, { action: 'events.import' });
    expect(JSON.parse(entry.detail!)).to.include({ period: PERIOD, events: 2 });
  });

  it('leaves an events column of an inputs file out of the inputs, and says so', async () => {
    const text = readFileSync(path.join(DEMO_DIR, 'villages-2023.csv'), 'utf8').split('\n');
    text[0] += ',安全生产事故';
    for (let k = 1; k < text.length; k++) if (text[k]) text[k] += ',较大';
    const bytes = Buffer.from(text.join('\n'));
    const result = await importInputs(db, { periodId: PERIOD, table: parseDataBytes(bytes, 'v.csv'), fileBytes: bytes, by: 'clerk' });
    expect(result.ignoredColumns).to.include('安全生产事故');
    const stored = await db('inputs').where({ period_id: PERIOD, unit_id: 'v01' }).first();
    expect(JSON.parse(stored.input_values)).not.to.have.property('accidents');
  });
});
