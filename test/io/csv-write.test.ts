import { expect } from 'chai';
import { toCsv } from '../../src/io/csv-write.js';

describe('writing CSV for spreadsheets', () => {
  it('starts with a BOM and quotes what needs quoting', () => {
    expect(toCsv([['a', 'b,c', 'say "hi"'], [1, null, true]])).to.equal('\uFEFFa,"b,c","say ""hi"""\r\n1,,true\r\n');
  });

  it('makes text that a spreadsheet would run as a formula inert', () => {
    const out = toCsv([['=HYPERLINK("x")', '+1', '-cmd', '@SUM(A1)', '普通']]);
    expect(out).to.equal('\uFEFF"\'=HYPERLINK(""x"")",\'+1,\'-cmd,\'@SUM(A1),普通\r\n');
  });

  it('writes a number in a column given decimals at them, negative ones too, and leaves other columns as they are', () => {
    expect(toCsv([['枫林村', 870, -1.25, 3]], [null, 1, 1])).to.equal('\uFEFF枫林村,870.0,-1.3,3\r\n');
  });

  it('leaves negative numbers as numbers', () => {
    expect(toCsv([[-1.5]])).to.equal('\uFEFF-1.5\r\n');
  });
});
