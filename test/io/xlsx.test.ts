import { expect } from 'chai';
import zlib from 'node:zlib';
import ExcelJS from 'exceljs';
import { DataInvalid } from '../../src/engine/index.js';
import { DATA_LIMITS } from '../../src/io/limits.js';
import { readXlsxData, writeXlsx, XLSX_LIMITS } from '../../src/io/xlsx.js';
import { tallXlsx, workbookOf } from '../support/large-files.js';

/** The problems a read refuses with, as [code, row, column]; fails the test if it reads. */
async function refused(bytes: Buffer): Promise<Array<[string, number, string]>> {
  try {
    await readXlsxData('upload.xlsx', bytes);
  } catch (e) {
    expect(e).to.be.instanceOf(DataInvalid);
    return (e as DataInvalid).problems.map((p) => [p.code, p.row, p.column]);
  }
  throw new Error('the workbook was read, but should have been refused');
}

/** exceljs types its own Buffer, narrower than Node's. */
async function open(bytes: Buffer): Promise<ExcelJS.Workbook> {
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.load(bytes as unknown as ArrayBuffer);
  return wb;
}

async function workbook(fill: (sheet: ExcelJS.Worksheet) => void): Promise<Buffer> {
  const wb = new ExcelJS.Workbook();
  fill(wb.addWorksheet('数据'));
  return Buffer.from(await wb.xlsx.writeBuffer());
}

/**
 * A hand-made ZIP of deflated entries, each free to declare an uncompressed size it does
 * not have; with zip64, the sizes move to ZIP64 extra fields and records, as large archives keep them.
 */
function zip(entries: Array<{ name: string; data: Buffer; declared?: number }>, zip64 = false): Buffer {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const e of entries) {
    const name = Buffer.from(e.name);
    const packed = zlib.deflateRawSync(e.data);
    const size = e.declared ?? e.data.length;
    const local = Buffer.alloc(30);
    const central = Buffer.alloc(46);
    const extra = Buffer.alloc(zip64 ? 20 : 0);
    local.writeUInt32LE(0x04034b50, 0);
    central.writeUInt32LE(0x02014b50, 0);
    for (const [h, at] of [[local, 8], [central, 10]] as const) {
      h.writeUInt16LE(8, at); // deflate
      h.writeUInt32LE(zlib.crc32(e.data), at + 6);
      h.writeUInt32LE(zip64 ? 0xffffffff : packed.length, at + 10);
      h.writeUInt32LE(zip64 ? 0xffffffff : size, at + 14);
      h.writeUInt16LE(name.length, at + 18);
      h.writeUInt16LE(extra.length, at + 20);
    }
    if (zip64) {
      extra.writeUInt16LE(0x0001, 0);
      extra.writeUInt16LE(16, 2);
      extra.writeBigUInt64LE(BigInt(size), 4);
      extra.writeBigUInt64LE(BigInt(packed.length), 12);
    }
    central.writeUInt32LE(offset, 42);
    locals.push(local, name, extra, packed);
    centrals.push(central, name, extra);
    offset += 30 + name.length + extra.length + packed.length;
  }
  const cd = Buffer.concat(centrals);
  const eocd = Buffer.alloc(22);
  eocd.writeUInt32LE(0x06054b50, 0);
  eocd.writeUInt16LE(zip64 ? 0xffff : entries.length, 8);
  eocd.writeUInt16LE(zip64 ? 0xffff : entries.length, 10);
  eocd.writeUInt32LE(zip64 ? 0xffffffff : cd.length, 12);
  eocd.writeUInt32LE(zip64 ? 0xffffffff : offset, 16);
  if (!zip64) return Buffer.concat([...locals, cd, eocd]);
  const end64 = Buffer.alloc(56);
  end64.writeUInt32LE(0x06064b50, 0);
  end64.writeBigUInt64LE(44n, 4);
  end64.writeBigUInt64LE(BigInt(entries.length), 24);
  end64.writeBigUInt64LE(BigInt(entries.length), 32);
  end64.writeBigUInt64LE(BigInt(cd.length), 40);
  end64.writeBigUInt64LE(BigInt(offset), 48);
  const locator = Buffer.alloc(20);
  locator.writeUInt32LE(0x07064b50, 0);
  locator.writeBigUInt64LE(BigInt(offset + cd.length), 8);
  locator.writeUInt32LE(1, 16);
  return Buffer.concat([...locals, cd, end64, locator, eocd]);
}

/** The smallest workbook Excel opens, with inline strings as some other writers make them. */
function minimalWorkbook(sheetXml: string, zip64 = false): Buffer {
  return zip(minimalParts(sheetXml), zip64);
}

function minimalParts(sheetXml: string): Array<{ name: string; data: Buffer }> {
  const rels = (r: string) => `<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">${r}</Relationships>`;
  const ns = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"';
  return [
    { name: '[Content_Types].xml', data: Buffer.from('<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>') },
    { name: '_rels/.rels', data: Buffer.from(rels('<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/>')) },
    { name: 'xl/workbook.xml', data: Buffer.from(`<?xml version="1.0" encoding="UTF-8"?><workbook ${ns}><sheets><sheet name="数据" sheetId="1" r:id="rId1"/></sheets></workbook>`) },
    { name: 'xl/_rels/workbook.xml.rels', data: Buffer.from(rels('<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/>')) },
    { name: 'xl/worksheets/sheet1.xml', data: Buffer.from(`<?xml version="1.0" encoding="UTF-8"?><worksheet ${ns}><sheetData>${sheetXml}</sheetData></worksheet>`) },
  ];
}

/** minimalWorkbook's parts with one replaced by `data` (null: left out). */
function withPart(sheetXml: string, name: string, data: string | null): Buffer {
  return zip(minimalParts(sheetXml).flatMap((p) => (p.name !== name ? [p] : data === null ? [] : [{ name, data: Buffer.from(data) }])));
}

const inline = (ref: string, text: string) => `<c r="${ref}" t="inlineStr"><is><t>${text}</t></is></c>`;

describe('XLSX workbooks', () => {
  it('reads back what it writes: Chinese text, numbers, empty cells, and a formula-looking name made inert', async () => {
    const bytes = await writeXlsx([{ name: '村级数据', rows: [
      ['id', 'name', '出生人数', '备注'],
      ['v1', '甲村', 12, null],
      ['v2', '=HYPERLINK("http://x","乙村")', 0.5, '-'],
      ['v3', '丙村', undefined, true],
    ] }]);
    const t = await readXlsxData('村级数据.xlsx', bytes);
    expect(t.columns).to.deep.equal(['id', 'name', '出生人数', '备注']);
    expect(t.rows).to.deep.equal([
      { row: 2, cells: { id: 'v1', name: '甲村', 出生人数: 12, 备注: '' } },
      { row: 3, cells: { id: 'v2', name: `'=HYPERLINK("http://x","乙村")`, 出生人数: 0.5, 备注: `'-` } },
      { row: 4, cells: { id: 'v3', name: '丙村', 出生人数: '', 备注: true } },
    ]);
  });

  it('writes a bold, frozen header and never a formula', async () => {
    const wb = await open(await writeXlsx([{ name: '排名', rows: [['名称', '得分'], ['=1+1', 3], ['@SUM(A1)', 4]], widths: [20, 8] }]));
    const sheet = wb.worksheets[0];
    expect(sheet.views[0]).to.include({ state: 'frozen', ySplit: 1 });
    expect(sheet.getCell('A1').font?.bold).to.equal(true);
    expect(sheet.getColumn(1).width).to.equal(20);
    const types: number[] = [];
    sheet.eachRow((row) => row.eachCell((c) => types.push(c.type)));
    expect(types).to.not.include(ExcelJS.ValueType.Formula);
    expect(sheet.getCell('A2').value).to.equal(`'=1+1`);
  });

  it('writes title lines above the header, merged across the table, and freezes below the header', async () => {
    const wb = await open(await writeXlsx([{ name: '排名', title: ['2024年度村级千分考核排名', '第5号考核'], rows: [['单位', '总分'], ['枫林村', 870]] }]));
    const sheet = wb.getWorksheet('排名')!;
    expect(sheet.getCell('A1').value).to.equal('2024年度村级千分考核排名');
    expect(sheet.getCell('B1').isMerged).to.equal(true);
    expect(sheet.getCell('A3').value).to.equal('单位');
    expect(sheet.getRow(3).font).to.include({ bold: true });
    expect(sheet.views[0]).to.include({ state: 'frozen', ySplit: 3 });
    expect(sheet.pageSetup.printTitlesRow).to.equal('3:3');
  });

  it('sizes columns to their text, a Chinese character as two, within bounds, and formats numbers at their decimals', async () => {
    const long = '很'.repeat(100);
    const wb = await open(await writeXlsx([{ name: 's', rows: [['单位', '总分', 'x', '说明'], ['枫林村枫林村', 870.25, 1, long]], decimals: [null, 1] }]));
    const sheet = wb.getWorksheet('s')!;
    expect(sheet.getColumn(1).width).to.equal(14);
    expect(sheet.getColumn(2).numFmt).to.equal('0.0');
    expect(sheet.getColumn(2).width).to.equal(7);
    expect(sheet.getColumn(3).width).to.equal(6);
    expect(sheet.getColumn(4).width).to.equal(60);
    expect(sheet.getCell('B2').value, 'the number itself is kept').to.equal(870.25);
  });

  it('gives sheets names Excel accepts: no []:*?/\\, at most 31 characters, each name once', async () => {
    const wb = await open(await writeXlsx([
      { name: '2023/2024 [排名]: *?', rows: [] },
      { name: '很长的名字'.repeat(8), rows: [] },
      { name: '排名', rows: [] },
      { name: '排名', rows: [] },
      { name: '', rows: [] },
    ]));
    expect(wb.worksheets.map((s) => s.name)).to.deep.equal(['2023_2024 _排名__ __', '很长的名字'.repeat(6) + '很', '排名', '排名(2)', 'Sheet']);
  });

  it('reads the cached result of a formula, rich text as plain text, dates as ISO dates, and skips empty rows', async () => {
    const bytes = await workbook((s) => {
      s.addRow(['id', ' name ', '出生人数', '日期']);
      s.addRow(['v1', { richText: [{ text: '甲' }, { text: '村', font: { bold: true } }] }, { formula: '2*3', result: 6 }, new Date(Date.UTC(2024, 2, 1))]);
      s.addRow([]);
      s.addRow(['v2', { text: '乙村', hyperlink: 'http://example.com' }, { formula: 'A1', result: '七' }, null]);
    });
    const t = await readXlsxData('d.xlsx', bytes);
    expect(t.columns).to.deep.equal(['id', 'name', '出生人数', '日期']);
    expect(t.rows).to.deep.equal([
      { row: 2, cells: { id: 'v1', name: '甲村', 出生人数: 6, 日期: '2024-03-01' } },
      { row: 4, cells: { id: 'v2', name: '乙村', 出生人数: '七', 日期: '' } },
    ]);
  });

  it('reports every error cell with its row and column, together with a duplicate header', async () => {
    const bytes = await workbook((s) => {
      s.addRow(['id', '出生人数', '出生人数', '合格率']);
      s.addRow(['v1', { error: '#DIV/0!' }, 1, 0.9]);
      s.addRow(['v2', 3, 1, { formula: '1/0', result: { error: '#DIV/0!' } }]);
    });
    expect(await refused(bytes)).to.deep.equal([
      ['DUPLICATE_COLUMN', 1, '出生人数'],
      ['DATA_SYNTAX', 2, '出生人数'],
      ['DATA_SYNTAX', 3, '合格率'],
    ]);
  });

  it('refuses a header that names a column twice', async () => {
    const bytes = await workbook((s) => { s.addRow(['id', 'a', 'a ']); s.addRow(['v1', 1, 2]); });
    expect(await refused(bytes)).to.deep.equal([['DUPLICATE_COLUMN', 1, 'a']]);
  });

  it('refuses content to the right of the last header, as the CSV reader does', async () => {
    const bytes = await workbook((s) => { s.addRow(['id', 'a']); s.addRow(['v1', 1, '多余']); });
    expect(await refused(bytes)).to.deep.equal([['DATA_SYNTAX', 2, 'C']]);
  });

  it('refuses a CSV or an old .xls renamed .xlsx, saying it is not an XLSX file', async () => {
    expect(await refused(Buffer.from('id,name\nv1,甲村\n'))).to.deep.equal([['DATA_SYNTAX', 1, '']]);
    expect(await refused(Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1]))).to.deep.equal([['DATA_SYNTAX', 1, '']]);
    expect(await refused(Buffer.alloc(0))).to.deep.equal([['DATA_SYNTAX', 1, '']]);
  });

  it('refuses a truncated or damaged workbook with DATA_SYNTAX, never a crash', async () => {
    const bytes = await writeXlsx([{ name: 's', rows: [['id', 'name'], ['v1', '甲村']] }]);
    for (const length of [4, 100, bytes.length / 2, bytes.length - 30, bytes.length - 1]) {
      expect(await refused(Buffer.from(bytes.subarray(0, Math.floor(length))))).to.deep.equal([['DATA_SYNTAX', 1, '']]);
    }
    const damaged = Buffer.from(bytes);
    damaged.fill(0x55, 200, 260);
    expect(await refused(damaged)).to.deep.equal([['DATA_SYNTAX', 1, '']]);
  });

  it('refuses a sheet cut short inside its rows, its ZIP still whole, naming the part, and reads none of its rows', async () => {
    const rows = Array.from({ length: 20 }, (_, k) => `<row r="${k + 2}">${inline(`A${k + 2}`, `v${k}`)}<c r="B${k + 2}"><v>${k}</v></c></row>`).join('');
    const sheetXml = `<row r="1">${inline('A1', 'id')}${inline('B1', '出生人数')}</row>${rows}`;
    const whole = minimalWorkbook(sheetXml);
    expect((await readXlsxData('whole.xlsx', whole)).rows).to.have.length(20);
    // The same sheet cut inside row 12, stored as a consistent entry of its own (as a tool that stops writing leaves it).
    const sheet = `<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData><row r="1">${inline('A1', 'id')}${inline('B1', '出生人数')}</row>${rows}`;
    const cut = sheet.slice(0, sheet.indexOf('<row r="12">') + 20);
    const err = await readXlsxData('cut.xlsx', withPart(sheetXml, 'xl/worksheets/sheet1.xml', cut)).then(() => null, (e: unknown) => e);
    expect((err as DataInvalid).problems.map((p) => [p.code, p.row, p.message])).to.deep.equal([
      ['DATA_SYNTAX', 1, 'XLSX 文件不完整或已损坏（xl/worksheets/sheet1.xml 在结尾前中断），请重新保存后再上传'],
    ]);
  });

  it('refuses a workbook without its workbook part in words, never with what the library says', async () => {
    const err = await readXlsxData('x.xlsx', withPart('', 'xl/workbook.xml', null)).then(() => null, (e: unknown) => e);
    expect((err as DataInvalid).problems.map((p) => p.message)).to.deep.equal(['XLSX 文件不完整或已损坏（缺少 xl/workbook.xml），请重新保存后再上传']);
    // A cell with no place in its row: exceljs's own words ("A Cell needs a Row") are not shown.
    const err2 = await readXlsxData('y.xlsx', minimalWorkbook(`<row r="1">${inline('A1', 'id')}</row><row r="2"><c r=""><v>1</v></c></row>`)).then(() => null, (e: unknown) => e);
    expect((err2 as DataInvalid).problems.map((p) => p.message)).to.deep.equal(['XLSX 文件的结构不完整或已损坏，无法读取：请在 Excel 或 WPS 中打开，另存为“Excel 工作簿（*.xlsx）”后再上传']);
  });

  it('reads a date cell written as text (t="d") as its text: a figure’s column refuses it, as in CSV, and never as the year', async () => {
    const t = await readXlsxData('d.xlsx', minimalWorkbook(`<row r="1">${inline('A1', 'id')}${inline('B1', '总人口')}</row><row r="2">${inline('A2', 'v1')}<c r="B2" t="d"><v>2024-01-01</v></c></row>`));
    expect(t.rows).to.deep.equal([{ row: 2, cells: { id: 'v1', 总人口: '2024-01-01' } }]);
  });

  it('reads a number cell whose value is no plain number (12abc, 0x10) as its text, never as the number in front of it', async () => {
    const t = await readXlsxData('n.xlsx', minimalWorkbook(`<row r="1">${inline('A1', 'id')}${inline('B1', '总人口')}${inline('C1', '户数')}${inline('D1', '出生')}</row>`
      + `<row r="2">${inline('A2', 'v1')}<c r="B2"><v>12abc</v></c><c r="C2" t="n"><v>0x10</v></c><c r="D2"><v>-1.5E+3</v></c></row>`));
    expect(t.rows).to.deep.equal([{ row: 2, cells: { id: 'v1', 总人口: '12abc', 户数: '0x10', 出生: -1500 } }]);
  });

  it('refuses a zip bomb whose directory declares more than the limit, without inflating it', async () => {
    const bomb = zip([{ name: 'xl/worksheets/sheet1.xml', data: Buffer.from('<x/>'), declared: XLSX_LIMITS.maxUncompressedBytes + 1 }]);
    expect(bomb.length).to.be.below(200);
    expect(await refused(bomb)).to.deep.equal([['DATA_TOO_LARGE', 1, '']]);
  });

  it('refuses an archive that compresses too well, and one whose entry is larger than its header says', async () => {
    const zeros = Buffer.alloc(8 * 1024 * 1024);
    const honest = zip([{ name: 'xl/sharedStrings.xml', data: zeros }]);
    expect(honest.length).to.be.below(20 * 1024);
    expect(await refused(honest)).to.deep.equal([['DATA_TOO_LARGE', 1, '']]);
    expect(await refused(zip([{ name: 'xl/sharedStrings.xml', data: zeros, declared: 100 }]))).to.deep.equal([['DATA_TOO_LARGE', 1, '']]);
  });

  it('counts the ratio against the file, so that entries sharing one compressed stream are refused too', async () => {
    const data = Buffer.alloc(2 * 1024 * 1024); // compresses about 60:1, under the limit on its own
    let seed = 1;
    for (let at = 0; at < data.length; at += 1024) {
      for (let k = 0; k < 12; k++) data[at + k] = (seed = (seed * 1103515245 + 12345) % 2 ** 31) >>> 16;
    }
    const one = zip([{ name: 'xl/a.xml', data }]);
    const cdSize = one.readUInt32LE(one.length - 10);
    const cdOffset = one.readUInt32LE(one.length - 6);
    const eocd = Buffer.from(one.subarray(one.length - 22));
    eocd.writeUInt16LE(5, 8);
    eocd.writeUInt16LE(5, 10);
    eocd.writeUInt32LE(5 * cdSize, 12);
    const central = one.subarray(cdOffset, cdOffset + cdSize);
    const shared = Buffer.concat([one.subarray(0, cdOffset), central, central, central, central, central, eocd]);
    expect(await refused(shared)).to.deep.equal([['DATA_TOO_LARGE', 1, '']]);
  });

  it('refuses an archive with more entries than the limit', async () => {
    const many = zip([{ name: 'a', data: Buffer.from('a') }]);
    many.writeUInt16LE(XLSX_LIMITS.maxEntries + 1, many.length - 12); // the directory's entry count
    expect(await refused(many)).to.deep.equal([['DATA_TOO_LARGE', 1, '']]);
  });

  it('reads a workbook from another writer, stored as ZIP64', async () => {
    const sheet = `<row r="1">${inline('A1', 'id')}${inline('B1', '出生人数')}</row><row r="3">${inline('A3', 'v1')}<c r="B3"><v>7</v></c></row>`;
    for (const zip64 of [false, true]) {
      const t = await readXlsxData('other.xlsx', minimalWorkbook(sheet, zip64));
      expect(t.rows).to.deep.equal([{ row: 3, cells: { id: 'v1', 出生人数: 7 } }]);
    }
  });

  it('refuses a file that cannot be read, with its own code', async () => {
    let caught: unknown;
    try { await readXlsxData('/no/such/file.xlsx'); } catch (e) { caught = e; }
    expect((caught as DataInvalid).problems[0].code).to.equal('DATA_FILE_UNREADABLE');
  });

  it('reads a workbook of 10,000 rows', async () => {
    const rows = [['id', 'name', '出生人数'], ...Array.from({ length: 10000 }, (_, k) => [`v${k}`, `第${k}村`, k])];
    const t = await readXlsxData('big.xlsx', await writeXlsx([{ name: '数据', rows }]));
    expect(t.rows).to.have.length(10000);
    expect(t.rows[9999]).to.deep.equal({ row: 10001, cells: { id: 'v9999', name: '第9999村', 出生人数: 9999 } });
  });
});

describe('XLSX workbooks within limits (issue 17, items 5 and 6)', () => {
  it('refuses a workbook of more rows than the limit at the first row past it, reading no further', async () => {
    expect(await refused(tallXlsx(DATA_LIMITS.maxRows + 50))).to.deep.equal([['TOO_MANY_ROWS', DATA_LIMITS.maxRows + 2, '']]);
  });

  it('refuses a header wider than the limit, and reads one of exactly the limit', async () => {
    const header = (n: number) => `<row r="1">${Array.from({ length: n }, (_, k) => `<c r="${letters(k + 1)}1"><v>${k}</v></c>`).join('')}</row>`;
    expect(await refused(workbookOf(header(DATA_LIMITS.maxColumns + 1)))).to.deep.equal([['TOO_MANY_COLUMNS', 1, String(DATA_LIMITS.maxColumns)]]);
    const far = `<row r="1">${inline('A1', 'id')}</row><row r="2">${inline('A2', 'v1')}${inline('SZ2', '多余')}</row>`;
    expect(await refused(workbookOf(far))).to.deep.equal([['TOO_MANY_COLUMNS', 2, `第${DATA_LIMITS.maxColumns + 1}列`]]);
    expect((await readXlsxData('d.xlsx', workbookOf(`${header(DATA_LIMITS.maxColumns)}<row r="2"><c r="A2"><v>1</v></c></row>`))).columns).to.have.length(DATA_LIMITS.maxColumns);
  });

  it('refuses a cell whose text holds U+FFFD, a C1 control character or a BOM, at its row and column', async () => {
    const sheet = `<row r="1">${inline('A1', 'id')}${inline('B1', 'name')}</row>`
      + `<row r="2">${inline('A2', 'v1')}${inline('B2', '甲\uFFFD村')}</row>`
      + `<row r="3">${inline('A3', 'v2')}${inline('B3', '乙村')}</row>`
      + `<row r="4">${inline('A4', 'v3\u0085')}${inline('B4', '\uFEFF丙村')}</row>`;
    expect(await refused(workbookOf(sheet))).to.deep.equal([['INVALID_ENCODING', 2, 'name'], ['CONTROL_CHARACTER', 4, 'id'], ['CONTROL_CHARACTER', 4, 'name']]);
  });
});

function letters(col: number): string {
  let name = '';
  for (let n = col; n > 0; n = Math.floor((n - 1) / 26)) name = String.fromCharCode(65 + ((n - 1) % 26)) + name;
  return name;
}
