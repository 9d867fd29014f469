import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { DataInvalid } from '../../src/engine/index.js';
import { parseCsvData, parseDataBytes, parseJsonData, readDataFile } from '../../src/io/data-file.js';
import { DATA_LIMITS } from '../../src/io/limits.js';
import { readTable } from '../../src/io/table.js';
import { decodeText } from '../../src/io/text.js';
import { FIXTURES } from '../helpers.js';
import { wideCsv } from '../support/large-files.js';

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

  it('reads a CSV whose lines end with a carriage return alone (Excel for Mac), however wide its rows', () => {
    const header = ['id', 'name', ...Array.from({ length: 60 }, (_, k) => `c${k}`)];
    const row = (id: string) => [id, `${id}村`, ...header.slice(2).map((_, k) => String(k))].join(',');
    const t = parseCsvData([header.join(','), row('v1'), row('v2'), row('v3'), row('v4'), row('v5'), row('v6'), row('v7'), row('v8'), row('v9')].join('\r') + '\r', 'mac.csv');
    expect(t.rows.map((r) => [r.row, r.cells.id, r.cells.c59])).to.deep.equal(Array.from({ length: 9 }, (_, k) => [k + 2, `v${k + 1}`, '59']));
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

describe('data files within limits, and with nothing hidden in their text (issue 17, items 5 and 6)', () => {
  const codes = (e: unknown) => (e as DataInvalid).problems.map((p) => [p.code, p.row, p.column]);
  const refusal = async (bytes: Buffer, file = 'd.csv') => {
    let sync: unknown, sliced: unknown;
    try { parseDataBytes(bytes, file); } catch (e) { sync = e; }
    try { await readTable(bytes, file); } catch (e) { sliced = e; }
    expect(sync, 'read at once').to.be.instanceOf(DataInvalid);
    expect(sliced, 'read in slices').to.be.instanceOf(DataInvalid);
    expect(codes(sliced)).to.deep.equal(codes(sync));
    return codes(sync);
  };

  it('refuses a header of 200,000 columns by name, at once, and one just past the limit at its first column too many', async () => {
    expect(await refusal(wideCsv(200_000))).to.deep.equal([['TOO_MANY_COLUMNS', 1, `c${DATA_LIMITS.maxColumns - 2}`]]);
    expect(await refusal(wideCsv(DATA_LIMITS.maxColumns + 1))).to.deep.equal([['TOO_MANY_COLUMNS', 1, `c${DATA_LIMITS.maxColumns - 2}`]]);
    const quoted = Buffer.from(`${Array.from({ length: 20_000 }, (_, k) => `"c${k}"`).join(',')}\n`);
    expect(await refusal(quoted)).to.deep.equal([['TOO_MANY_COLUMNS', 1, `c${DATA_LIMITS.maxColumns}`]]);
    const wideRow = Buffer.from(`id,a\nv1,${'1,'.repeat(DATA_LIMITS.maxColumns)}\n`);
    expect(await refusal(wideRow)).to.deep.equal([['TOO_MANY_COLUMNS', 2, `第${DATA_LIMITS.maxColumns + 1}列`]]);
  });

  it('reads a file of exactly the limits, and refuses a row past the last one allowed, naming it', async () => {
    const header = ['id', ...Array.from({ length: DATA_LIMITS.maxColumns - 1 }, (_, k) => `c${k}`)].join(',');
    expect((await readTable(Buffer.from(`${header}\nv1,1\n`), 'd.csv')).columns).to.have.length(DATA_LIMITS.maxColumns);
    const rows = (n: number) => Buffer.from(`id,a\n${Array.from({ length: n }, (_, k) => `v${k},${k}`).join('\n')}\n`);
    expect((await readTable(rows(DATA_LIMITS.maxRows), 'd.csv')).rows).to.have.length(DATA_LIMITS.maxRows);
    expect(await refusal(rows(DATA_LIMITS.maxRows + 1))).to.deep.equal([['TOO_MANY_ROWS', DATA_LIMITS.maxRows + 2, '']]);
    const json = Buffer.from(JSON.stringify(Array.from({ length: DATA_LIMITS.maxRows + 1 }, (_, k) => ({ id: `v${k}` }))));
    expect(await refusal(json, 'd.json')).to.deep.equal([['TOO_MANY_ROWS', DATA_LIMITS.maxRows + 2, '']]);
    const wideJson = Buffer.from(JSON.stringify([Object.fromEntries(Array.from({ length: DATA_LIMITS.maxColumns + 1 }, (_, k) => [`c${k}`, k]))]));
    expect(await refusal(wideJson, 'd.json')).to.deep.equal([['TOO_MANY_COLUMNS', 1, `c${DATA_LIMITS.maxColumns}`]]);
  });

  it('refuses a GB18030 file with invalid bytes at the row and column of the first, importing none of it', async () => {
    const good = readFileSync(path.join(FIXTURES, 'data', 'gb18030.csv'));
    expect(decodeText(good).encoding).to.equal('gb18030');
    // 乙村 in the third row loses the second byte of 乙 (a lone lead byte before the next character), and gains a 0xFF.
    const text = good.toString('latin1');
    const at = text.lastIndexOf('\n', text.length - 2) + 1; // the start of the last row
    const broken = Buffer.concat([good.subarray(0, at), Buffer.from('v2,'), Buffer.from([0xd2, 0x2c]), Buffer.from('7\n')]);
    expect(await refusal(broken)).to.deep.equal([['INVALID_ENCODING', 3, 'name']]);
    const withFF = Buffer.concat([good.subarray(0, good.length - 1), Buffer.from([0xff]), Buffer.from('\n')]);
    expect((await refusal(withFF))[0]).to.deep.equal(['INVALID_ENCODING', 3, '出生人数']);
  });

  it('refuses a UTF-8 file with one broken byte as UTF-8 (never as GB18030 mojibake), at its row and column', async () => {
    const bytes = Buffer.concat([Buffer.from('id,name,出生人数\nv1,甲村,3\nv2,乙'), Buffer.from([0xe6, 0x9d]), Buffer.from(',4\nv3,丙村,5\n')]);
    expect(await refusal(bytes)).to.deep.equal([['INVALID_ENCODING', 3, 'name']]);
  });

  it('reads UTF-16 with its BOM, and refuses a NUL, another control character, a BOM in the middle and a lone surrogate, each at its cell', async () => {
    const utf16 = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('id,name\nv1,甲村\n', 'utf16le')]);
    expect((await readTable(utf16, 'd.csv')).rows[0].cells).to.deep.equal({ id: 'v1', name: '甲村' });
    const withoutBom = Buffer.from('id,name\nv1,甲村\n', 'utf16le');
    expect((await refusal(withoutBom))[0]).to.deep.equal(['CONTROL_CHARACTER', 1, '第1列']);
    expect(await refusal(Buffer.from('id,name\nv1,甲\u0000村\nv2,乙\u0007村\n'))).to.deep.equal([['CONTROL_CHARACTER', 2, 'name'], ['CONTROL_CHARACTER', 3, 'name']]);
    expect(await refusal(Buffer.from('\uFEFFid,name\nv1,甲村\n\uFEFFv2,乙村\n'))).to.deep.equal([['CONTROL_CHARACTER', 3, 'id']]);
    expect(await refusal(Buffer.from('[{"id":"v1","name":"甲\\ud800村"},{"id":"v2","name":"乙\\u0000"},{"id":"v3","name":"\\ud83d\\ude00"}]'), 'd.json'))
      .to.deep.equal([['INVALID_ENCODING', 2, 'name'], ['CONTROL_CHARACTER', 3, 'name']]);
    // Tabs and line breaks in a quoted cell, and characters beyond the BMP, are text.
    expect((await readTable(Buffer.from('id,name\nv1,"甲\t村\r\n东"\nv2,𠀀村\n'), 'd.csv')).rows.map((r) => r.cells.name)).to.deep.equal(['甲\t村\r\n东', '𠀀村']);
  });
});
