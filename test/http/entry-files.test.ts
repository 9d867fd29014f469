import { expect } from 'chai';
import ExcelJS from 'exceljs';
import { countInputs } from '../../src/db/queries/inputs.js';
import { Client, signedIn, startApp, type TestApp } from '../support/web.js';

/** Posts a multipart upload as a browser would: the session cookie, and the CSRF token of the last page in the form. */
async function upload(c: Client, fields: Record<string, string>, file: { name: string; bytes: Uint8Array }): Promise<Response> {
  const form = new FormData();
  form.append('_csrf', c.token);
  for (const [k, v] of Object.entries(fields)) form.append(k, v);
  form.append('file', new Blob([Buffer.from(file.bytes)]), file.name);
  return fetch(`${c.base}/entry/upload`, { method: 'POST', body: form, redirect: 'manual', headers: { cookie: c.cookie } });
}

async function download(c: Client, path: string): Promise<{ res: Response; bytes: Buffer }> {
  const res = await c.request('GET', path);
  return { res, bytes: Buffer.from(await res.arrayBuffer()) };
}

const fileNameOf = (res: Response) => decodeURIComponent(/filename\*=UTF-8''([^;]+)/.exec(res.headers.get('content-disposition') ?? '')?.[1] ?? '');

describe('entry by file: templates, uploads and error reports', function () {
  this.timeout(60_000);
  let app: TestApp;
  let admin: Client;
  let leader: Client;
  before(async () => {
    app = await startApp();
    admin = await signedIn(app.url, 'admin');
    leader = await signedIn(app.url, 'leader');
  });
  after(async () => { await app?.close(); });

  describe('the template', () => {
    it('downloads as XLSX named for its period and track in words', async () => {
      const { res, bytes } = await download(admin, '/entry/template.xlsx?period=2024h1&track=staff');
      expect(res.status).to.equal(200);
      expect(res.headers.get('content-type')).to.match(/spreadsheetml/);
      expect(fileNameOf(res)).to.equal('2024年上半年双线考核（工作人员）数据录入模板.xlsx');
      const wb = new ExcelJS.Workbook();
      await wb.xlsx.load(bytes as unknown as ArrayBuffer);
      expect(wb.worksheets[0].getCell('A3').value).to.equal('郭志强');
    });

    it('downloads as CSV, which uploads unchanged and imports every unit with the values it was given', async () => {
      const { res, bytes } = await download(admin, '/entry/template.csv?period=2024&track=village');
      expect(res.headers.get('content-type')).to.match(/^text\/csv/);
      await admin.get('/entry/upload');
      const posted = await upload(admin, { period: '2030', track: 'village' }, { name: '模板.csv', bytes });
      expect(posted.status).to.equal(303);
      expect(await countInputs(app.db, '2030', 'village')).to.equal(18);
      const { text } = await admin.get('/entry?period=2030&track=village');
      expect(text).to.contain('已从 模板.csv 导入 18 个单位2030年度的数据');
    });

    it('refuses a template with nothing filled in, saying so, and imports nothing', async () => {
      const { bytes } = await download(admin, '/entry/template.csv?period=2031&track=village');
      await admin.get('/entry/upload');
      const posted = await upload(admin, { period: '2031', track: 'village' }, { name: '空模板.csv', bytes });
      expect(posted.status).to.equal(422);
      expect(await posted.text()).to.contain('是录入模板，但其中没有填写任何单位的数据');
      expect(await countInputs(app.db, '2031', 'village')).to.equal(0);
    });

    it('answers a malformed period with 400 and an unknown format with 404', async () => {
      expect((await download(admin, '/entry/template.xlsx?period=2024H3')).res.status).to.equal(400);
      expect((await download(admin, '/entry/template.pdf?period=2024')).res.status).to.equal(404);
    });
  });

  describe('the error report', () => {
    let reportHref: string;
    before(async () => {
      const { bytes } = await download(admin, '/entry/template.csv?period=2024&track=village');
      const lines = bytes.toString('utf8').split('\r\n');
      const cells = lines[4].split(',');
      cells[2] = 'abc'; // 总人口 of the third village: C5
      lines[4] = cells.join(',');
      await admin.get('/entry/upload');
      const posted = await upload(admin, { period: '2024', track: 'village' }, { name: '村级.csv', bytes: Buffer.from(lines.join('\r\n')) });
      expect(posted.status).to.equal(422);
      const html = await posted.text();
      expect(html).to.match(/<tr class="problem" data-row="5" data-column="总人口" data-code="NOT_A_NUMBER">\s*<td>桃花村<\/td><td class="cell" data-cell="C5">C5<\/td><td>总人口<\/td>/);
      reportHref = /href="(\/entry\/report\/[0-9a-f]{32}\.xlsx)" data-report/.exec(html)![1];
    });

    it('downloads as a workbook that names the unit, the cell and the column of each problem', async () => {
      const { res, bytes } = await download(admin, reportHref);
      expect(res.status).to.equal(200);
      expect(fileNameOf(res)).to.equal('村级-错误报告.xlsx');
      const wb = new ExcelJS.Workbook();
      await wb.xlsx.load(bytes as unknown as ArrayBuffer);
      const sheet = wb.worksheets[0];
      expect(sheet.getRow(1).values).to.deep.equal([undefined, '单位', '单元格', '列', '问题']);
      expect((sheet.getRow(2).values as unknown[]).slice(1, 4)).to.deep.equal(['桃花村', 'C5', '总人口']);
      expect(sheet.rowCount).to.equal(2);
    });

    it('is the uploader’s own: another manager, or an unknown report, is sent back to the upload page', async () => {
      for (const href of [reportHref, '/entry/report/ffffffffffffffffffffffffffffffff.xlsx', '/entry/report/..%2F..%2Fetc.xlsx']) {
        const { res } = await download(leader, href);
        expect(res.status, href).to.equal(303);
        expect(res.headers.get('location')).to.equal('/entry/upload');
      }
      const { text } = await leader.get('/entry/upload');
      expect(text).to.contain('这份错误报告已过期，请重新上传文件');
    });
  });

  describe('choosing the period', () => {
    it('offers the periods in words from a list on the upload form, never a box to type in', async () => {
      const { text } = await admin.get('/entry/upload?period=2024&track=village');
      expect(text).to.not.match(/<input[^>]+name="period"/);
      expect(text).to.match(/<select name="period"[^>]*>[\s\S]*<option value="2024" selected>2024年度<\/option>/);
      expect(text).to.match(/<optgroup label="新的考核期">[\s\S]*年上半年<\/option>/);
    });

    it('keeps a period asked for by its link in the list, even one that holds no data yet', async () => {
      const { text } = await admin.get('/entry?period=2019q3&track=village');
      expect(text).to.contain('<option value="2019Q3" selected>2019年第3季度</option>');
    });
  });
});
