import { expect } from 'chai';
import ExcelJS from 'exceljs';
import { DataInvalid } from '../../src/engine/index.js';
import { toCsv } from '../../src/io/csv-write.js';
import { SheetProblems } from '../../src/io/sheet-cells.js';
import { NOTE_ROW_MARK, readTable } from '../../src/io/table.js';

const csv = (rows: Array<Array<string | number | null>>) => Buffer.from(toCsv(rows), 'utf8');

async function xlsx(rows: Array<Array<string | number | null>>): Promise<Buffer> {
  const wb = new ExcelJS.Workbook();
  const sheet = wb.addWorksheet('数据');
  for (const r of rows) sheet.addRow(r);
  return Buffer.from(await wb.xlsx.writeBuffer());
}

describe('reading an uploaded table', () => {
  const header = ['单位名称', '单位编号', '总人口'];
  const note = [`${NOTE_ROW_MARK}：2024年度`, '请勿修改', '整数'];

  for (const [format, make] of [['CSV', async (rows: Array<Array<string | number | null>>) => csv(rows)], ['XLSX', xlsx]] as const) {
    describe(format, () => {
      const file = `t.${format.toLowerCase()}`;

      it('reads 单位编号 and 单位名称 as id and name, and knows where each column stands', async () => {
        const table = await readTable(await make([header, ['枫林村', 'v01', 100]]), file);
        expect(table.columns).to.deep.equal(['name', 'id', '总人口']);
        expect(table.rows[0].cells).to.include({ id: 'v01', name: '枫林村' });
        expect([...table.columnAt!]).to.deep.equal([['name', 1], ['id', 2], ['总人口', 3]]);
        expect(table).to.include({ template: false, blankUnits: 0 });
      });

      it('leaves out a template’s note row and its rows left blank, keeping the rows’ numbers', async () => {
        const table = await readTable(await make([header, note, ['枫林村', 'v01', 100], ['石桥村', 'v02', null], ['青山村', 'v03', 7]]), file);
        expect(table).to.include({ template: true, blankUnits: 1 });
        expect(table.rows.map((r) => [r.row, r.cells.id])).to.deep.equal([[3, 'v01'], [5, 'v03']]);
      });

      it('reads a row that only looks like a note row, anywhere but row 2, as a unit', async () => {
        const table = await readTable(await make([header, ['枫林村', 'v01', 1], note]), file);
        expect(table.template).to.equal(false);
        expect(table.rows.map((r) => r.row)).to.deep.equal([2, 3]);
      });

      it('reads an id or name that a CSV writer made inert (\'=A1) as it was written, and only those columns', async () => {
        // As a CSV writer wrote them (toCsv would give the apostrophes their own, issue 18 hardening).
        const rows = [['单位编号', '单位名称', '备注'], ["'-v01", "'=A1", "'=B2"]];
        const bytes = format === 'CSV' ? Buffer.from(rows.map((r) => r.join(',')).join('\r\n')) : await make(rows);
        const table = await readTable(bytes, file);
        expect(table.rows[0].cells).to.deep.equal({ id: '-v01', name: '=A1', 备注: "'=B2" });
      });
    });
  }

  it('says where each column of a refused CSV stands, so that its cells can be named', async () => {
    try {
      await readTable(Buffer.from('单位编号,总人口\nv01,1\u0001\n'), 'bad.csv');
      expect.fail('read');
    } catch (e) {
      expect(e).to.be.instanceOf(SheetProblems);
      expect((e as DataInvalid).problems.map((p) => [p.row, p.column, p.code])).to.deep.equal([[2, '总人口', 'CONTROL_CHARACTER']]);
      expect((e as SheetProblems).columnAt.get('总人口')).to.equal(2);
    }
  });
});
