import { expect } from 'chai';
import { canonicalHeader, cellOf, letterOf } from '../../src/io/sheet-cells.js';

describe('naming a problem’s cell as Excel does', () => {
  const columnAt = new Map([['id', 2], ['总人口', 6], ['出生人数', 7], ['A', 30]]);

  it('names a column’s letters as Excel shows them', () => {
    expect([1, 6, 26, 27, 52, 53, 702, 703].map(letterOf)).to.deep.equal(['A', 'F', 'Z', 'AA', 'AZ', 'BA', 'ZZ', 'AAA']);
  });

  it('names the cell of a problem by its column’s place in the sheet and its row: F6', () => {
    expect(cellOf({ row: 6, column: '总人口' }, columnAt)).to.equal('F6');
    expect(cellOf({ row: 9, column: 'id' }, columnAt)).to.equal('B9');
  });

  it('names each cell of a check that reads several columns', () => {
    expect(cellOf({ row: 4, column: '总人口、出生人数' }, columnAt)).to.equal('F4、G4');
  });

  it('reads a column named by its letters or its place (the readers’ header problems)', () => {
    expect(cellOf({ row: 1, column: 'AB' })).to.equal('AB1');
    expect(cellOf({ row: 1, column: '第3列' })).to.equal('C1');
    expect(cellOf({ row: 1, column: 'A' }, columnAt)).to.equal('AD1'); // a header named A is that column, not column A
  });

  it('names the row when the problem is the whole row, or its column is not in the sheet', () => {
    expect(cellOf({ row: 7, column: '' }, columnAt)).to.equal('第7行');
    expect(cellOf({ row: 1, column: '未知列' }, columnAt)).to.equal('第1行');
    expect(cellOf({ row: 5, column: '总人口、未知列' }, columnAt)).to.equal('第5行');
  });

  it('reads the Chinese headers of the unit columns as the importer’s own, and nothing inherited', () => {
    expect(['单位编号', '单位名称', '上级单位编号', '总人口', 'constructor', 'id'].map(canonicalHeader))
      .to.deep.equal(['id', 'name', 'parent', '总人口', 'constructor', 'id']);
  });
});
