import { expect } from 'chai';
import { MAX_FILE_NAME_CHARS, savableFileName } from '../../src/http/download.js';

describe('a download’s file name', () => {
  it('turns what Windows refuses in a file name into _', () => {
    expect(savableFileName('记分卡-a/b:c*d?"e"<f>|g\\h.csv')).to.equal('记分卡-a_b_c_d__e__f__g_h.csv');
  });

  it('cuts a name made from a 2,000-character unit name, keeping its extension and every character whole', () => {
    const name = savableFileName(`${'村'.repeat(1000)}😀${'村'.repeat(1000)}2024年度记分卡.xlsx`);
    expect([...name.slice(0, -5)]).to.have.length(MAX_FILE_NAME_CHARS);
    expect(name).to.match(/…\.xlsx$/);
    expect(name).not.to.match(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])/);
  });

  it('drops the dots and spaces Windows would drop from its end, and never leaves it empty', () => {
    expect(savableFileName('枫林村. .csv')).to.equal('枫林村.csv');
    expect(savableFileName('...xlsx')).to.equal('_.xlsx');
  });
});
