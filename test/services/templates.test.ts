import { expect } from 'chai';
import ExcelJS from 'exceljs';
import type { Db } from '../../src/db/connection.js';
import { countInputs, inputOf, inputsOf } from '../../src/db/queries/inputs.js';
import { getUnit, upsertUnits } from '../../src/db/queries/units.js';
import { DataInvalid } from '../../src/engine/index.js';
import { templateCsv, templateXlsx } from '../../src/io/input-template.js';
import { readTable } from '../../src/io/table.js';
import { enteredInputs, trackRules } from '../../src/services/entry.js';
import { importInputs } from '../../src/services/import-inputs.js';
import { listAssessments, renameAssessment } from '../../src/services/assessments.js';
import { openStore } from '../../src/services/store.js';
import { inputTemplate, inputTemplateFile } from '../../src/services/templates.js';
import { onEachBackend } from '../support/backends.js';

/** exceljs types its own Buffer, narrower than Node's. */
async function open(bytes: Buffer): Promise<ExcelJS.Worksheet> {
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.load(bytes as unknown as ArrayBuffer);
  return wb.worksheets[0];
}

async function save(sheet: ExcelJS.Worksheet): Promise<Buffer> {
  return Buffer.from(await sheet.workbook.xlsx.writeBuffer());
}

onEachBackend('templates to fill in (数据录入模板)', (backend) => {
  let db: Db;
  after(async () => { await db?.destroy(); });
  before(async function () {
    this.timeout(60_000);
    db = await openStore(await backend.fresh('demo'));
  });

  const importOf = (periodId: string, bytes: Buffer, file: string, track = 'village') =>
    readTable(bytes, file).then((table) => importInputs(db, { periodId, track, table, fileBytes: bytes, by: 'test' }));

  it('lists every village by name and id, one column per input headed by its label, with its limits and units in the note row', async () => {
    const { ruleset } = await trackRules(db, 'village', 'test');
    const t = await inputTemplate(db, '2031', 'village', 'test');
    expect(t.columns.map((c) => c.header)).to.deep.equal(['单位名称', '单位编号', ...enteredInputs(ruleset).map((i) => i.label)]);
    expect(t.rows).to.have.length(18);
    expect(t.rows[0].slice(0, 2)).to.deep.equal(['枫林村', 'v01']);
    expect(t.rows[0].slice(2).every((v) => v === null)).to.equal(true); // nothing entered for 2031 yet
    const population = t.columns.find((c) => c.header === '总人口')!;
    expect(population.note).to.equal('整数，1～20000人；必填');
    expect(t.title).to.equal('2031年度 村级千分考核 · 村级人口和计划生育工作千分考核细则');
  });

  it('fills in what is already entered for the period, so that it can be completed', async () => {
    const t = await inputTemplate(db, '2024', 'village', 'test');
    const stored = JSON.parse((await inputOf(db, '2024', 'village', 'v01'))!.input_values) as Record<string, unknown>;
    const at = t.columns.findIndex((c) => c.header === '总人口');
    expect(t.rows[0][at]).to.equal(stored.population);
  });

  it('as XLSX: the headers, the note row, the units, and Excel’s data validation on every input cell', async () => {
    const sheet = await open((await inputTemplateFile(db, '2031', 'village', 'xlsx', 'test')).bytes);
    expect(sheet.getCell('A1').value).to.equal('单位名称');
    expect(sheet.getCell('C1').value).to.equal('总人口');
    expect(String(sheet.getCell('A2').value)).to.match(/^填写说明（本行不导入）：2031年度/);
    expect(sheet.getCell('C2').value).to.equal('整数，1～20000人；必填');
    expect(sheet.getCell('A3').value).to.equal('枫林村');
    expect(sheet.getCell('B20').value).to.equal('v18');
    expect(sheet.getCell('C3').dataValidation).to.include({ type: 'whole', operator: 'between' });
    expect(sheet.getCell('C20').dataValidation.formulae).to.deep.equal([1, 20000]);
    const headers = (sheet.getRow(1).values as unknown[]).map(String);
    const grade = headers.indexOf('队伍建设评定'), yes = headers.indexOf('配备村计生专干'), decimal = headers.indexOf('婚育新风进万家活动评分');
    expect(sheet.getCell(3, grade).dataValidation).to.include({ type: 'list' });
    expect(sheet.getCell(3, grade).dataValidation.formulae).to.deep.equal(['"好,中,差"']);
    expect(sheet.getCell(3, yes).dataValidation.formulae).to.deep.equal(['"是,否"']);
    expect(sheet.getCell(3, decimal).dataValidation).to.include({ type: 'decimal' });
    expect(sheet.getCell('A3').dataValidation).to.equal(undefined);
  });

  it('as XLSX for an assessment whose title holds what a sheet name may not (/ [ ] : * ?), the sheet named as Excel takes it', async () => {
    const safety = (await listAssessments(db)).find((a) => a.ruleset_id === 'village-safety')!;
    const was = safety.title;
    await renameAssessment(db, safety.id, '安全生产/消防[专项]考核:*?', 'admin');
    try {
      const sheet = await open((await inputTemplateFile(db, '2024', safety.id, 'xlsx', 'test')).bytes);
      expect(sheet.name).to.equal('2024年度安全生产_消防_专项_考核___');
    } finally {
      await renameAssessment(db, safety.id, was, 'admin');
    }
  });

  it('as XLSX, filled in with values and uploaded unchanged otherwise, imports every unit with its name and parent kept', async () => {
    const source = await inputTemplate(db, '2024', 'village', 'test'); // the demo's values, to fill an empty template with
    const sheet = await open((await inputTemplateFile(db, '2032', 'village', 'xlsx', 'test')).bytes);
    source.rows.forEach((r, k) => r.slice(2).forEach((v, c) => { sheet.getCell(k + 3, c + 3).value = v ?? null; }));
    const result = await importOf('2032', await save(sheet), '模板.xlsx');
    expect(result.rows).to.equal(18);
    expect(result.ignoredColumns).to.deep.equal([]);
    const [before, after] = await Promise.all([inputsOf(db, '2024', 'village'), inputsOf(db, '2032', 'village')]);
    expect(after.map((r) => JSON.parse(r.input_values))).to.deep.equal(before.map((r) => JSON.parse(r.input_values)));
    expect(after.map((r) => [r.name, r.parent_id])).to.deep.equal(before.map((r) => [r.name, r.parent_id]));
    expect(await getUnit(db, 'v01')).to.include({ name: '枫林村', parent_id: before[0].parent_id });
  });

  it('as CSV, downloaded with the values entered and uploaded unchanged, imports the same values', async () => {
    const csv = (await inputTemplateFile(db, '2024', 'staff', 'csv', 'test')).bytes;
    expect(csv.subarray(0, 3)).to.deep.equal(Buffer.from([0xef, 0xbb, 0xbf]));
    const before = await inputsOf(db, '2024', 'staff');
    await importOf('2033', csv, '模板.csv', 'staff');
    const after = await inputsOf(db, '2033', 'staff');
    expect(after.map((r) => JSON.parse(r.input_values))).to.deep.equal(before.map((r) => JSON.parse(r.input_values)));
  });

  it('leaves out the units left blank in a template, and imports the rest', async () => {
    const source = await inputTemplate(db, '2024', 'village', 'test');
    const t = await inputTemplate(db, '2034', 'village', 'test');
    t.rows[0] = source.rows[0];
    t.rows[5] = source.rows[5];
    const table = await readTable(templateCsv(t), '模板.csv');
    expect(table).to.include({ template: true, blankUnits: 16 });
    expect(table.rows.map((r) => r.row)).to.deep.equal([3, 8]);
    await importInputs(db, { periodId: '2034', track: 'village', table, fileBytes: Buffer.alloc(0), by: 'test' });
    expect(await countInputs(db, '2034', 'village')).to.equal(2);
  });

  it('refuses a filled-in template with a bad cell whole, naming the unit’s row and the column by its label', async () => {
    const source = await inputTemplate(db, '2024', 'village', 'test');
    const t = await inputTemplate(db, '2035', 'village', 'test');
    t.rows = source.rows.map((r) => [...r]);
    t.rows[3][2] = 'abc'; // 总人口 of the fourth village: row 6, column C
    try {
      await importOf('2035', await templateXlsx(t), '模板.xlsx');
      expect.fail('imported');
    } catch (e) {
      expect(e).to.be.instanceOf(DataInvalid);
      expect((e as DataInvalid).problems.map((p) => [p.row, p.column, p.code])).to.deep.equal([[6, '总人口', 'NOT_A_NUMBER']]);
    }
    expect(await countInputs(db, '2035', 'village')).to.equal(0);
  });

  it('refuses a template whose unit id was changed on the way (Excel’s 1.30102E+11), at its cell, and makes no new unit', async () => {
    const t = await inputTemplate(db, '2024', 'village', 'test');
    t.rows[2][1] = '1.30102E+11';
    const table = await readTable(templateCsv(t), '模板.csv');
    try {
      await importInputs(db, { periodId: '2037', track: 'village', table, fileBytes: Buffer.alloc(0), by: 'test', knownUnitsOnly: table.template });
      expect.fail('imported');
    } catch (e) {
      expect(e).to.be.instanceOf(DataInvalid);
      expect((e as DataInvalid).problems.map((p) => [p.row, p.column, p.code])).to.deep.equal([[5, 'id', 'UNIT_UNKNOWN']]);
    }
    expect(await getUnit(db, '1.30102E+11')).to.equal(undefined);
    expect(await countInputs(db, '2037', 'village')).to.equal(0);
  });

  it('keeps a hostile name a name: a text cell in XLSX, inert in CSV, and the same name after either import', async () => {
    const hostile = '=HYPERLINK("http://x","点我")';
    const at = new Date().toISOString();
    await upsertUnits(db, [{ id: '-v99', name: hostile, kind: 'village', parent_id: 'fenglin', role: null, created_at: at }]);
    const source = await inputTemplate(db, '2024', 'village', 'test');
    const values = source.rows.find((r) => r[1] === 'v01')!.slice(2);
    for (const format of ['xlsx', 'csv'] as const) {
      const t = await inputTemplate(db, '2036', 'village', 'test');
      const k = t.rows.findIndex((r) => r[1] === '-v99');
      t.rows[k] = [...t.rows[k].slice(0, 2), ...values];
      const bytes = format === 'xlsx' ? await templateXlsx(t) : templateCsv(t);
      if (format === 'xlsx') {
        const cell = (await open(bytes)).getCell(k + 3, 1);
        expect(cell.type).to.equal(ExcelJS.ValueType.String);
        expect(cell.value).to.equal(hostile);
      } else {
        expect(bytes.toString('utf8')).to.contain(`"'=HYPERLINK(""http://x"",""点我"")",'-v99,`);
      }
      const result = await importOf('2036', bytes, `模板.${format}`);
      expect(result.rows).to.equal(1);
      expect(await getUnit(db, '-v99')).to.include({ name: hostile, parent_id: 'fenglin' });
    }
  });
});
