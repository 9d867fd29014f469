import zlib from 'node:zlib';

/**
 * Large data files as an attacker (or a careless export) makes them, built quickly in
 * memory: a CSV whose header has many columns, and an XLSX of many rows whose cells are
 * inline strings and numbers (no shared strings), deflated as Excel would.
 */

export function wideCsv(columns: number): Buffer {
  const header = ['id', 'name', ...Array.from({ length: columns - 2 }, (_, k) => `c${k}`)].join(',');
  return Buffer.from(`${header}\nv1,甲村\n`);
}

/** A deflated ZIP of the given entries (no ZIP64: each under 4 GiB). */
export function zipOf(entries: Array<{ name: string; data: Buffer }>): Buffer {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const e of entries) {
    const name = Buffer.from(e.name);
    const packed = zlib.deflateRawSync(e.data);
    const local = Buffer.alloc(30), central = Buffer.alloc(46);
    local.writeUInt32LE(0x04034b50, 0);
    central.writeUInt32LE(0x02014b50, 0);
    for (const [h, at] of [[local, 4], [central, 6]] as const) {
      h.writeUInt16LE(20, at);
      h.writeUInt16LE(0x0800, at + 2); // names in UTF-8
      h.writeUInt16LE(8, at + 4);
      h.writeUInt32LE(zlib.crc32(e.data) >>> 0, at + 10);
      h.writeUInt32LE(packed.length, at + 14);
      h.writeUInt32LE(e.data.length, at + 18);
      h.writeUInt16LE(name.length, at + 22);
    }
    central.writeUInt32LE(offset, 42);
    locals.push(local, name, packed);
    centrals.push(central, name);
    offset += 30 + name.length + packed.length;
  }
  const cd = Buffer.concat(centrals);
  const eocd = Buffer.alloc(22);
  eocd.writeUInt32LE(0x06054b50, 0);
  eocd.writeUInt16LE(entries.length, 8);
  eocd.writeUInt16LE(entries.length, 10);
  eocd.writeUInt32LE(cd.length, 12);
  eocd.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, cd, eocd]);
}

const NS = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"';
const rels = (r: string) => `<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">${r}</Relationships>`;

/** A one-sheet workbook whose sheetData is the given XML. */
export function workbookOf(sheetData: string | Buffer): Buffer {
  const data = typeof sheetData === 'string' ? Buffer.from(sheetData) : sheetData;
  return zipOf([
    { name: '[Content_Types].xml', data: Buffer.from('<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>') },
    { name: '_rels/.rels', data: Buffer.from(rels('<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/>')) },
    { name: 'xl/worksheets/sheet1.xml', data: Buffer.concat([Buffer.from(`<?xml version="1.0" encoding="UTF-8"?><worksheet ${NS}><sheetData>`), data, Buffer.from('</sheetData></worksheet>')]) },
    { name: 'xl/workbook.xml', data: Buffer.from(`<?xml version="1.0" encoding="UTF-8"?><workbook ${NS}><sheets><sheet name="数据" sheetId="1" r:id="rId1"/></sheets></workbook>`) },
    { name: 'xl/_rels/workbook.xml.rels', data: Buffer.from(rels('<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/>')) },
  ]);
}

/** A workbook of a header (id, name, population) and `rows` villages. */
export function tallXlsx(rows: number): Buffer {
  const parts: string[] = ['<row r="1"><c r="A1" t="inlineStr"><is><t>id</t></is></c><c r="B1" t="inlineStr"><is><t>name</t></is></c><c r="C1" t="inlineStr"><is><t>population</t></is></c></row>'];
  for (let k = 1; k <= rows; k++) {
    const r = k + 1;
    parts.push(`<row r="${r}"><c r="A${r}" t="inlineStr"><is><t>v${k}</t></is></c><c r="B${r}" t="inlineStr"><is><t>第${k}村</t></is></c><c r="C${r}"><v>${1000 + (k % 500)}</v></c></row>`);
  }
  return workbookOf(Buffer.from(parts.join('')));
}
