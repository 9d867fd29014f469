import { expect } from 'chai';
import path from 'node:path';
import type { DataProblem } from '../../src/engine/index.js';
import { readRuleFile } from '../../src/io/rule-file.js';
import { ROOT } from '../../src/paths.js';
import { keepReport, keptReport, reportLines, reportRows, type UploadReport } from '../../src/services/upload-report.js';

describe('an upload’s error report', () => {
  const problem = (row: number, column: string, code = 'OUT_OF_RANGE'): DataProblem => ({ row, column, code, message: '超出范围', file: 'f.xlsx' });
  const table = {
    file: 'f.xlsx', columns: ['name', 'id', 'population', 'births'],
    rows: [{ row: 3, cells: { name: '枫林村', id: 'v01' } }, { row: 4, cells: { name: '', id: 'v02' } }, { row: 5, cells: { id: 'x9' } }],
  };
  const columnAt = new Map([['name', 1], ['id', 2], ['population', 3], ['births', 6]]);
  const unitNames = new Map([['v02', '石桥村']]);

  it('names the unit of each problem, its cell as Excel does and its column by its label', () => {
    const ruleset = ruleSet();
    const lines = reportLines(ruleset, [problem(3, 'population'), problem(4, 'births'), problem(5, 'id', 'DUPLICATE_UNIT_ID'), problem(1, '')], { table, columnAt, unitNames });
    expect(lines.map((l) => [l.unit, l.cell, l.columnText])).to.deep.equal([
      ['枫林村', 'C3', '总人口'], // the name in the file
      ['石桥村', 'F4', '出生人数'], // no name in the file: the record's
      ['x9', 'B5', '单位编号'], // an id the record does not know: as written
      ['', '第1行', ''],
    ]);
  });

  it('shows a name the file wrote without the marks that would turn or hide it', () => {
    const hostile = { ...table, rows: [{ row: 3, cells: { name: '桃花村\u202e)名1第(', id: 'v03' } }, { row: 4, cells: { name: '金\u200b盆村', id: 'v04' } }] };
    const lines = reportLines(ruleSet(), [problem(3, 'name', 'UNIT_NAME_INVALID'), problem(4, 'name', 'UNIT_NAME_INVALID')], { table: hostile, columnAt, unitNames });
    expect(lines.map((l) => l.unit)).to.deep.equal(['桃花村)名1第(', '金盆村']);
  });

  it('lists at most the lines asked for, and its file says how many more there were', () => {
    const ruleset = ruleSet();
    const problems = Array.from({ length: 5 }, (_, k) => problem(3, k % 2 ? 'population' : 'births'));
    const lines = reportLines(ruleset, problems, { table, columnAt, unitNames }, 2);
    expect(lines).to.have.length(2);
    const rows = reportRows({ file: 'f.xlsx', periodTitle: '2024年度', trackName: '村级千分考核', lines, count: 5 });
    expect(rows[0]).to.deep.equal(['单位', '单元格', '列', '问题']);
    expect(rows).to.have.length(4);
    expect(String(rows[3][3])).to.contain('另有 3 处问题未列出');
  });

  it('is kept for the one who uploaded, for an hour, and for no one else', () => {
    const report: UploadReport = { file: 'f.csv', periodTitle: '2024年度', trackName: '', lines: [], count: 0 };
    const now = Date.now();
    const token = keepReport('admin', report, now);
    expect(token).to.match(/^[0-9a-f]{32}$/);
    expect(keptReport('admin', token, now + 1000)).to.equal(report);
    expect(keptReport('leader', token, now + 1000)).to.equal(undefined);
    expect(keptReport('admin', token, now + 61 * 60 * 1000)).to.equal(undefined);
    expect(keptReport('admin', 'f'.repeat(32), now)).to.equal(undefined);
  });
});

const ruleSet = () => readRuleFile(path.join(ROOT, 'rules', 'village-annual.json')).ruleset;
