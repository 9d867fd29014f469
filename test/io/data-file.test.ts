import { expect } from 'chai';
import path from 'node:path';
import { DataInvalid } from '../../src/engine/index.js';
import { parseCsvData, parseJsonData, readDataFile } from '../../src/io/data-file.js';
import { FIXTURES } from '../helpers.js';

describe('reading data files', () => {
  it('reads CSV saved by Excel on Chinese Windows (GB18030)', () => {
    const t = readDataFile(path.join(FIXTURES, 'data', 'gb18030.csv'));
    expect(t.columns).to.deep.equal(['id', 'name', '出生人数']);
    expect(t.rows.map((r) => r.cells.name)).to.deep.equal(['甲村', '乙村']);
  });

  it('reads UTF-8 with a BOM, quoted commas, and numbers rows as a spreadsheet does across a blank line', () => {
    const t = readDataFile(path.join(FIXTURES, 'data', 'bom.csv'));
    expect(t.columns[0]).to.equal('id');
    expect(t.rows.map((r) => [r.row, r.cells.name])).to.deep.equal([[2, '甲村,东'], [4, '乙村']]);
  });

  it('refuses a row with more cells than the header, naming the row', () => {
    let caught: unknown;
    try { parseCsvData('id,a\nv1,1\nv2,2,3\n', 'd.csv'); } catch (e) { caught = e; }
    expect(caught).to.be.instanceOf(DataInvalid);
    expect((caught as DataInvalid).problems.map((p) => [p.code, p.row])).to.deep.equal([['DATA_SYNTAX', 3]]);
  });

  it('refuses a header that names a column twice', () => {
    expect(() => parseCsvData('id,a,a\nv1,1,2\n', 'd.csv')).to.throw(DataInvalid);
  });

  it('reads JSON rows with inputs at the top level or under "inputs"', () => {
    const t = parseJsonData(JSON.stringify([{ id: 'v1', a: 1 }, { id: 'v2', name: '乙', inputs: { a: 2, b: true } }]), 'd.json');
    expect(t.columns).to.deep.equal(['id', 'a', 'name', 'b']);
    expect(t.rows.map((r) => [r.row, r.cells.a])).to.deep.equal([[2, 1], [3, 2]]);
  });

  it('takes every column of JSON rows, whether a row has the keys of the row before or others', () => {
    const rows = [{ id: 'v1', a: 1 }, { id: 'v2', a: 2 }, { id: 'v3', c: 3 }, { id: 'v4', c: 4 }, { a: 5, id: 'v5' }, { id: 'v6', a: 6, d: 7 }];
    expect(parseJsonData(JSON.stringify(rows), 'd.json').columns).to.deep.equal(['id', 'a', 'c', 'd']);
  });

  it('refuses JSON that is not an array of objects', () => {
    expect(() => parseJsonData('{"id": 1}', 'd.json')).to.throw(DataInvalid);
    expect(() => parseJsonData('[1, 2]', 'd.json')).to.throw(DataInvalid);
    expect(() => parseJsonData('[{', 'd.json')).to.throw(DataInvalid);
  });

  it('refuses a file that cannot be read, with its own code', () => {
    let caught: unknown;
    try { readDataFile(path.join(FIXTURES, 'data', 'no-such-file.csv')); } catch (e) { caught = e; }
    expect((caught as DataInvalid).problems[0].code).to.equal('DATA_FILE_UNREADABLE');
  });
});
