import { expect } from 'chai';
import { columnWidths, noticeDocx, type Notice } from '../../src/report/notice-docx.js';
import { unzip } from '../support/zip.js';

/** The 通报 as a .docx: landscape A4, the header row repeated, every row kept whole, hostile names written as text. */

function notice(over: Partial<Notice> = {}): Notice {
  return {
    title: '关于2024年度村级千分考核结果的通报', status: '', issuer: '枫林镇人民政府', signedOn: '2024年12月2日',
    opening: '根据《村级千分考核细则》（2024.1版），对2个村（社区）2024年度工作进行了考核。现将考核结果通报如下：',
    groups: [{ title: '一、工作指标', points: '500分' }, { title: '二、基础工作', points: '500分' }], rankingHeading: '一、考核排名',
    rows: [
      { rank: 1, name: '枫林村', total: '990.0', groups: ['495.0', '495.0'], grade: '优秀', remarks: ['第一名，表彰'], vetoed: false },
      { rank: 2, name: '石门村', total: '800.0', groups: ['400.0', '400.0'], grade: '不合格（一票否决）', remarks: ['排名最后，一票否决'], vetoed: true },
    ],
    sections: [{ heading: '二、奖惩情况', text: '枫林村：第一名，表彰。' }],
    fileName: '关于2024年度村级千分考核结果的通报.docx',
    ...over,
  };
}

async function documentXml(n: Notice): Promise<string> {
  return unzip(await noticeDocx(n)).get('word/document.xml')!.toString('utf8');
}

/** What Word refuses: a tag the text opened, or a character XML 1.0 cannot hold. */
function expectWellFormedText(xml: string): void {
  expect(xml).not.to.match(/[\u0000-\u0008\u000B\u000C\u000E-\u001F]/);
  expect(xml).not.to.contain('<script>');
}

describe('the 通报 as a Word document', () => {
  it('is a .docx whose one section is A4 landscape', async () => {
    const files = unzip(await noticeDocx(notice()));
    expect([...files.keys()]).to.include.members(['[Content_Types].xml', 'word/document.xml', '_rels/.rels']);
    const xml = files.get('word/document.xml')!.toString('utf8');
    expect(xml).to.match(/<w:pgSz w:w="16838" w:h="11906" w:orient="landscape"\/>/);
  });

  it('fits its table within the landscape text width, three groups or five', () => {
    const text = 16838 - 2 * 1134;
    for (const groups of [1, 3, 5, 8]) {
      const widths = columnWidths(groups);
      expect(widths, `${groups} groups`).to.have.length(groups + 5);
      expect(widths.reduce((a, b) => a + b, 0), `${groups} groups`).to.be.within(text - groups, text);
    }
  });

  it('holds the title, the opening, one table row per unit after the header row, and the signature', async () => {
    const xml = await documentXml(notice());
    for (const text of ['关于2024年度村级千分考核结果的通报', '根据《村级千分考核细则》', '枫林村', '石门村', '排名最后，一票否决', '二、奖惩情况：', '枫林镇人民政府', '2024年12月2日']) {
      expect(xml, text).to.contain(text);
    }
    expect(xml.match(/<w:tr>|<w:tr /g)).to.have.length(3);
    expect(xml.match(/<w:tblHeader\/>/g), 'the header row repeats on every page').to.have.length(1);
    expect(xml.match(/<w:cantSplit\/>/g), 'no row is split across pages').to.have.length(3);
  });

  it('says a draft is a draft under the title', async () => {
    expect(await documentXml(notice({ status: '（草稿，未经发布）' }))).to.contain('（草稿，未经发布）');
    expect(await documentXml(notice())).not.to.contain('草稿');
  });

  it('leaves room for the office to write the issuer when the unit tree names none', async () => {
    expect(await documentXml(notice({ issuer: '' }))).to.contain('（发文单位）');
  });

  it('writes hostile names as text: markup escaped, control characters dropped, long names whole', async () => {
    const long = '长'.repeat(2000);
    const rows = notice().rows.map((r, k) => ({ ...r, name: k === 0 ? '<script>alert(1)</script>&]]>\u0001\u200f村' : long }));
    const xml = await documentXml(notice({ rows, title: '关于<w:p>的通报\u0007' }));
    expectWellFormedText(xml);
    expect(xml).to.contain('&lt;script&gt;alert(1)&lt;/script&gt;&amp;]]&gt;\u200f村');
    expect(xml).to.contain('关于&lt;w:p&gt;的通报');
    expect(xml).to.contain(long);
  });
});
