import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'csv-parse/sync';
import { savableFileName } from '../../src/http/download.js';
import { toCsv } from '../../src/io/csv-write.js';
import { readTable } from '../../src/io/table.js';
import { parseDataBytes } from '../../src/io/data-file.js';
import { numberInWords } from '../../src/engine/expression/words.js';
import { DEMO_DIR } from '../../src/paths.js';
import { importInputs } from '../../src/services/import-inputs.js';
import { createRun, publishRun } from '../../src/services/runs.js';
import { signedIn, startApp, type Client, type TestApp } from '../support/web.js';

/**
 * Issue 18 attacked as the outside attack set does: the ranking finder's query, the 通报 and
 * its Word file, the import templates and upload error reports, export file names, and the
 * scorecard's reasons in words, each fed hostile names, numbers and files.
 */

const csvCell = (s: string) => (/[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s);

/** The demo's villages with some renamed, as CSV bytes. */
function renamed(names: Record<string, string>): Buffer {
  const rows = parse(readFileSync(path.join(DEMO_DIR, 'villages-2024.csv')), { bom: true }) as string[][];
  const [header] = rows;
  const id = header.indexOf('id'), name = header.indexOf('name');
  for (const row of rows.slice(1)) if (names[row[id]] !== undefined) row[name] = names[row[id]];
  return Buffer.from(rows.map((r) => r.map(csvCell).join(',')).join('\n') + '\n');
}

describe('issue 18 under attack', function () {
  this.timeout(60_000);

  describe('names made inert with an apostrophe, and read back', () => {
    it('reads a name that itself begins with an apostrophe and =, written to CSV, as it was', async () => {
      for (const name of ["'=1", "'-x", "''+y", "'@z"]) {
        const csv = Buffer.from(toCsv([['id', 'name'], ['v01', name]]));
        const table = await readTable(csv, 'a.csv');
        expect(table.rows[0].cells.name, name).to.equal(name);
      }
    });

    it('still reads a name a spreadsheet would run, written to CSV, without the apostrophe', async () => {
      for (const name of ['=1', '-x', '+y', '@z']) {
        const table = await readTable(Buffer.from(toCsv([['id', 'name'], ['v01', name]])), 'a.csv');
        expect(table.rows[0].cells.name, name).to.equal(name);
      }
    });
  });

  describe('export file names', () => {
    it('keeps no direction mark or invisible character that could disguise a name’s extension', () => {
      const name = savableFileName('通报\u202Excod.exe\u200B\u2066\u200F.docx');
      expect(name).to.not.match(/[\u200B-\u200F\u202A-\u202E\u2066-\u2069\uFEFF]/);
      expect(name.endsWith('.docx')).to.equal(true);
    });
  });

  describe('numbers in words', () => {
    it('writes very large and very small numbers in digits, never in an exponent', () => {
      expect(numberInWords(1e300, 2)).to.not.match(/e/i);
      expect(numberInWords(1e21, 2)).to.equal('1000000000000000000000');
      expect(numberInWords(-1e22, 2)).to.equal('−10000000000000000000000');
      expect(numberInWords(1e-7)).to.equal('0.0000001');
      expect(numberInWords(-0)).to.equal('0');
    });

    it('says a number that is no number in Chinese, never Infinity or NaN', () => {
      for (const x of [Infinity, -Infinity, NaN]) expect(numberInWords(x, 2), String(x)).to.not.match(/[A-Za-z]/);
    });
  });
});
