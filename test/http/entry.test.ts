import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { auditEntries } from '../../src/db/queries/audit.js';
import { countInputs, inputOf } from '../../src/db/queries/inputs.js';
import { getPeriod } from '../../src/db/queries/periods.js';
import type { CompiledRuleSet } from '../../src/engine/index.js';
import { parseDataBytes } from '../../src/io/data-file.js';
import { letterOf } from '../../src/io/sheet-cells.js';
import { DEMO_DIR } from '../../src/paths.js';
import { trackRules } from '../../src/services/entry.js';
import { Client, signedIn, startApp, type TestApp } from '../support/web.js';

const DEMO_CSV = readFileSync(path.join(DEMO_DIR, 'villages-2024.csv'));

/** A village's row of the demo file, as the form would post it. */
function demoRow(unitId: string): Record<string, string> {
  const row = parseDataBytes(DEMO_CSV, 'villages-2024.csv').rows.find((r) => r.cells.id === unitId)!;
  const { id: _id, name: _name, parent: _parent, ...inputs } = row.cells as Record<string, string>;
  return inputs;
}

/** The block of the form that holds one field, its hint and its messages. */
function fieldBlock(html: string, name: string): string {
  const start = html.indexOf(`id="field-${name}"`);
  expect(start, `field ${name}`).to.be.greaterThan(-1);
  const next = html.indexOf('id="field-', start + 1);
  return html.slice(start, next > 0 ? next : html.indexOf('</form>', start));
}

/** Markup as the browser reads it: Handlebars escapes = and & inside attributes. */
const unescape = (html: string) => html.replace(/&#x3D;/g, '=').replace(/&amp;/g, '&');

const codesIn = (html: string) => [...html.matchAll(/class="field-error"[^>]*data-code="([A-Z_]+)"/g)].map((m) => m[1]);

/** Posts a multipart upload as a browser would: the session cookie, and the CSRF token of the last page in the form. */
async function upload(c: Client, fields: Record<string, string>, file: { name: string; bytes: Uint8Array }, token = c.token): Promise<Response> {
  const form = new FormData();
  if (token) form.append('_csrf', token);
  for (const [k, v] of Object.entries(fields)) form.append(k, v);
  form.append('file', new Blob([Buffer.from(file.bytes)]), file.name);
  const res = await fetch(`${c.base}/entry/upload`, { method: 'POST', body: form, redirect: 'manual', headers: { cookie: c.cookie } });
  return res;
}

describe('data entry pages', function () {
  this.timeout(60_000);
  let app: TestApp;
  let admin: Client;
  let leader: Client;
  let village: CompiledRuleSet;
  before(async () => {
    app = await startApp();
    admin = await signedIn(app.url, 'admin');
    leader = await signedIn(app.url, 'leader');
    village = (await trackRules(app.db, 'village', 'test')).ruleset;
  });
  after(async () => { await app?.close(); });

  describe('the list of units', () => {
    it('shows every village of a period with who entered its data and when, each linking to its form', async () => {
      const { status, text } = await admin.get('/entry?period=2024&track=village');
      expect(status).to.equal(200);
      const rows = [...text.matchAll(/<tr id="unit-(\w+)" class="(entered|missing)"/g)];
      expect(rows).to.have.length(18);
      expect(rows.every((r) => r[2] === 'entered')).to.equal(true);
      expect(text).to.contain('href="/entry/2024/village/v01"');
      expect(text, 'who entered it, by name').to.contain('<td>系统</td>').and.not.to.match(/\bsystem\b/);
      expect(unescape(text)).to.contain('href="/entry/upload?period=2024&track=village"');
    });

    it('lists the staff for the second track', async () => {
      const { text } = await admin.get('/entry?period=2024&track=staff');
      expect(text).to.contain('href="/entry/2024/staff/s01"');
      expect(text).to.not.contain('href="/entry/2024/staff/v01"');
    });

    it('accepts a new period typed as 2025h1 and shows its units as not yet entered', async () => {
      const { status, text } = await admin.get('/entry?period=2025h1&track=village');
      expect(status).to.equal(200);
      expect(text).to.contain('href="/entry/2025H1/village/v01"');
      expect(text).to.not.contain('class="entered"');
    });

    it('refuses a period that is not one', async () => {
      const { status, text } = await admin.get('/entry?period=2025H3');
      expect(status).to.equal(400);
      expect(text).to.contain('data-code="PERIOD_INVALID"');
    });
  });

  describe('one unit’s form', () => {
    it('renders every input of the rule set with its label, unit and limits', async () => {
      const { status, text } = await admin.get('/entry/2024/village/v01');
      expect(status).to.equal(200);
      for (const input of village.inputs) {
        const block = fieldBlock(text, input.name);
        expect(block, input.name).to.contain(input.label);
        if (input.unit) expect(block, input.name).to.contain(`<span class="unit">${input.unit}</span>`);
        if (input.type === 'integer' || input.type === 'number') {
          expect(block, input.name).to.contain('type="number"');
          expect(block, input.name).to.contain(`step="${input.type === 'integer' ? '1' : 'any'}"`);
          if (input.min !== undefined) expect(block, input.name).to.contain(`min="${input.min}"`);
          if (input.max !== undefined) expect(block, input.name).to.contain(`max="${input.max}"`);
        } else {
          const choices = input.type === 'boolean' ? ['是', '否'] : input.grades!;
          for (const c of choices) expect(block, input.name).to.contain(`<option value="${c}"`);
        }
      }
    });

    it('is prefilled with the stored values and says who entered them', async () => {
      const { text } = await admin.get('/entry/2024/village/v01');
      expect(fieldBlock(text, 'population')).to.contain('value="3595"');
      expect(fieldBlock(text, 'feeAssessed')).to.contain('value="18900"');
      expect(fieldBlock(text, 'hasOfficer')).to.match(/<option value="是" selected>/);
      expect(fieldBlock(text, 'teamGrade')).to.match(/<option value="好" selected>/);
      expect(text).to.contain('data-entered-by="system"');
    });

    it('answers 404 for a unit the track does not appraise, an unknown track or a malformed period', async () => {
      expect((await admin.get('/entry/2024/village/s01')).status).to.equal(404);
      expect((await admin.get('/entry/2024/village/nobody')).status).to.equal(404);
      expect((await admin.get('/entry/2024/county/v01')).status).to.equal(404);
      expect((await admin.get('/entry/24/village/v01')).status).to.equal(404);
    });

    it('sends back bad values with each message beside its field, the values kept and nothing saved', async () => {
      const before = await inputOf(app.db, '2024', 'village', 'v02');
      await admin.get('/entry/2024/village/v02');
      const res = await admin.post('/entry/2024/village/v02', { ...demoRow('v02'), population: 'abc', births: '600', teamGrade: '优', households: '12.5' });
      expect(res.status).to.equal(422);
      const html = await res.text();
      expect(codesIn(fieldBlock(html, 'population'))).to.deep.equal(['NOT_A_NUMBER']);
      expect(codesIn(fieldBlock(html, 'births'))).to.deep.equal(['OUT_OF_RANGE']);
      expect(codesIn(fieldBlock(html, 'teamGrade'))).to.deep.equal(['UNKNOWN_GRADE_VALUE']);
      expect(codesIn(fieldBlock(html, 'households'))).to.deep.equal(['NOT_AN_INTEGER']);
      expect(codesIn(html)).to.have.length(4);
      expect(fieldBlock(html, 'population')).to.contain('value="abc"');
      expect(fieldBlock(html, 'births')).to.contain('value="600"');
      expect(fieldBlock(html, 'teamGrade')).to.match(/<option value="优" selected>/);
      expect(await inputOf(app.db, '2024', 'village', 'v02')).to.deep.equal(before);
    });

    it('shows a failed check above the form, naming its fields, and saves nothing', async () => {
      const before = await inputOf(app.db, '2024', 'village', 'v02');
      await admin.get('/entry/2024/village/v02');
      const row = demoRow('v02');
      const res = await admin.post('/entry/2024/village/v02', { ...row, boys: String(Number(row.boys) + 1) });
      expect(res.status).to.equal(422);
      const html = await res.text();
      expect(html).to.match(/<li data-code="CHECK_FAILED">[^<]*<small>（涉及：出生男孩数、出生女孩数、出生人数）<\/small>/);
      expect(codesIn(html)).to.deep.equal([]);
      expect(await inputOf(app.db, '2024', 'village', 'v02')).to.deep.equal(before);
    });

    it('saves a good form in a new period, records who and when, and goes back to the list', async () => {
      const started = new Date().toISOString();
      await leader.get('/entry/2025/village/v03');
      const res = await leader.post('/entry/2025/village/v03', { ...demoRow('v03'), population: '3001', promotions: '' });
      expect(res.status).to.equal(303);
      expect(res.headers.get('location')).to.equal('/entry?period=2025&track=village#unit-v03');
      const row = await inputOf(app.db, '2025', 'village', 'v03');
      expect(row).to.include({ entered_by: 'leader', name: '桃花村', parent_id: 'fenglin', batch_id: null });
      expect(row!.entered_at >= started).to.equal(true);
      const values = JSON.parse(row!.input_values);
      expect(values).to.include({ population: 3001, hasOfficer: true, teamGrade: '好', promotions: 0 });
      expect(await getPeriod(app.db, '2025')).to.include({ title: '2025年度' });
      const [entry] = await auditEntries(app.db, { action: 'inputs.entry', limit: 1 });
      expect(entry).to.include({ actor: 'leader', subject: '2025/village/v03' });

      const list = await leader.get('/entry?period=2025&track=village');
      expect(list.text).to.contain('已保存');
      expect(list.text).to.match(/<tr id="unit-v03" class="entered"/);
      expect((await leader.get('/entry/2025/village/v03')).text).to.contain('data-entered-by="leader"');
    });

    it('goes back to the page of the list the unit is on, when the list is longer than a page', async () => {
      const at = new Date().toISOString();
      // 60 villages whose ids come before v03's: v03 is then the 63rd of the list, on its second page (50 a page).
      const extra = Array.from({ length: 60 }, (_, k) => ({ id: `a${String(k).padStart(3, '0')}`, name: `新增村${k}`, kind: 'village', parent_id: 'fenglin', role: null, created_at: at }));
      await app.db('units').insert(extra);
      try {
        await leader.get('/entry/2025/village/v03');
        const res = await leader.post('/entry/2025/village/v03', { ...demoRow('v03'), population: '3002', promotions: '' });
        expect(res.status).to.equal(303);
        expect(res.headers.get('location')).to.equal('/entry?period=2025&track=village&page=2#unit-v03');
        const list = await leader.get('/entry?period=2025&track=village&page=2');
        expect(list.text).to.contain('id="unit-v03"');
      } finally {
        await app.db('units').whereIn('id', extra.map((u) => u.id)).delete();
      }
    });

    it('ignores posted fields that are not inputs: the row saved is the URL’s unit, entered by the one signed in', async () => {
      const other = await inputOf(app.db, '2024', 'village', 'v02');
      await admin.get('/entry/2024/village/v04');
      const res = await admin.post('/entry/2024/village/v04', {
        ...demoRow('v04'), unit_id: 'v02', id: 'v02', name: '冒名村', parent: 'elsewhere', role: 'admin', entered_by: 'someone', entered_at: '2000-01-01',
      });
      expect(res.status).to.equal(303);
      const row = await inputOf(app.db, '2024', 'village', 'v04');
      expect(row).to.include({ unit_id: 'v04', entered_by: 'admin', parent_id: 'fenglin' });
      expect(row!.name).to.not.equal('冒名村');
      expect(Object.keys(JSON.parse(row!.input_values))).to.not.include.members(['unit_id', 'role', 'entered_by']);
      expect(await inputOf(app.db, '2024', 'village', 'v02')).to.deep.equal(other);
    });

    it('refuses a post without the CSRF token and saves nothing', async () => {
      const before = await inputOf(app.db, '2024', 'village', 'v05');
      const res = await admin.request('POST', '/entry/2024/village/v05', { ...demoRow('v05'), population: '1234' });
      expect(res.status).to.equal(403);
      expect(await inputOf(app.db, '2024', 'village', 'v05')).to.deep.equal(before);
    });
  });

  describe('uploads', () => {
    it('says the size limit on the upload page', async () => {
      const { status, text } = await admin.get('/entry/upload?period=2026&track=village');
      expect(status).to.equal(200);
      expect(text).to.contain('不超过 20 MB');
      expect(text).to.contain('value="2026"');
    });

    it('imports the demo CSV, under a Chinese file name, and says how many rows landed', async () => {
      await admin.get('/entry/upload');
      const res = await upload(admin, { period: '2026', track: 'village' }, { name: '村级数据-2024.csv', bytes: DEMO_CSV });
      expect(res.status).to.equal(303);
      expect(res.headers.get('location')).to.equal('/entry?period=2026&track=village');
      expect(await countInputs(app.db, '2026', 'village')).to.equal(18);
      const { text } = await admin.get('/entry?period=2026&track=village');
      expect(text).to.contain('已从 村级数据-2024.csv 导入 18 个单位');
      expect(text).to.contain('data-entered="18"');
    });

    it('imports nothing from a file with 3 bad cells among many rows and reports exactly those 3', async () => {
      const lines = DEMO_CSV.toString('utf8').split('\n');
      const header = lines[0].split(',');
      const spoil = (row: number, column: string, value: string) => {
        const cells = lines[row - 1].split(',');
        cells[header.indexOf(column)] = value;
        lines[row - 1] = cells.join(',');
      };
      spoil(3, 'population', 'abc');
      spoil(9, 'births', '9999');
      spoil(15, 'teamGrade', '优');
      await admin.get('/entry/upload');
      const res = await upload(admin, { period: '2027', track: 'village' }, { name: 'bad.csv', bytes: Buffer.from(lines.join('\n')) });
      expect(res.status).to.equal(422);
      const html = await res.text();
      const problems = [...html.matchAll(/<tr class="problem" data-row="(\d+)" data-column="(\w+)" data-code="(\w+)">[\s\S]*?data-cell="(\w+)"/g)].map((m) => [Number(m[1]), m[2], m[4], m[3]]);
      // Each named as Excel names its cell: the column's letter in the file, then the row.
      const cell = (column: string, row: number) => `${letterOf(header.indexOf(column) + 1)}${row}`;
      expect(problems).to.deep.equal([
        [3, 'population', cell('population', 3), 'NOT_A_NUMBER'], [9, 'births', cell('births', 9), 'OUT_OF_RANGE'],
        [15, 'teamGrade', cell('teamGrade', 15), 'UNKNOWN_GRADE_VALUE'],
      ]);
      expect(html).to.contain('未导入任何数据');
      expect(await countInputs(app.db, '2027', 'village')).to.equal(0);
      expect(await getPeriod(app.db, '2027')).to.equal(undefined);
    });

    it('refuses a PNG named .xlsx with the reader’s message', async () => {
      const png = Buffer.from('89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c489', 'hex');
      await admin.get('/entry/upload');
      const res = await upload(admin, { period: '2028', track: 'village' }, { name: 'data.xlsx', bytes: png });
      expect(res.status).to.equal(422);
      const html = await res.text();
      expect(html).to.match(/data-code="DATA_SYNTAX"/);
      expect(html).to.contain('不是 XLSX 文件');
      expect(await countInputs(app.db, '2028', 'village')).to.equal(0);
    });

    it('refuses a file over the size limit with 413', async () => {
      await admin.get('/entry/upload');
      const res = await upload(admin, { period: '2028', track: 'village' }, { name: 'big.csv', bytes: new Uint8Array(21 * 1024 * 1024) });
      expect(res.status).to.equal(413);
    });

    it('answers a form cut short (a weak connection) as a bad request in words, on each upload route', async () => {
      const cut = '--x\r\nContent-Disposition: form-data; name="period"\r\n\r\n2024\r\n--x\r\nContent-Disp';
      for (const path of ['/entry/upload', '/events/upload', '/entry/statistics']) {
        const res = await fetch(`${admin.base}${path}`, { method: 'POST', body: cut, redirect: 'manual', headers: { cookie: admin.cookie, 'content-type': 'multipart/form-data; boundary=x' } });
        expect(res.status, path).to.equal(400);
        expect(await res.text(), path).to.contain('上传的表单不完整（可能是网络中断）');
      }
    });

    it('refuses an upload without the CSRF token', async () => {
      const res = await upload(admin, { period: '2029', track: 'village' }, { name: 'v.csv', bytes: DEMO_CSV }, '');
      expect(res.status).to.equal(403);
      expect(await countInputs(app.db, '2029', 'village')).to.equal(0);
    });

    it('asks again when no file was chosen or the period is malformed', async () => {
      await admin.get('/entry/upload');
      const form = new FormData();
      form.append('_csrf', admin.token);
      form.append('period', '2029');
      form.append('track', 'village');
      const res = await fetch(`${app.url}/entry/upload`, { method: 'POST', body: form, redirect: 'manual', headers: { cookie: admin.cookie } });
      expect(res.status).to.equal(422);
      await admin.get('/entry/upload');
      expect((await upload(admin, { period: '2029H5', track: 'village' }, { name: 'v.csv', bytes: DEMO_CSV })).status).to.equal(422);
      expect(await countInputs(app.db, '2029', 'village')).to.equal(0);
    });
  });

  describe('who may enter data', () => {
    it('lets a leader use every page', async () => {
      for (const url of ['/entry', '/entry/upload', '/entry/2024/staff/s01']) expect((await leader.get(url)).status, url).to.equal(200);
    });

    it('answers a village account 404 on every page, and on posts', async () => {
      const v = await signedIn(app.url, 'v01');
      for (const url of ['/entry', '/entry/upload', '/entry/2024/village/v01']) expect((await v.get(url)).status, url).to.equal(404);
      expect((await v.post('/entry/2024/village/v01', demoRow('v01'))).status).to.equal(404);
      expect((await upload(v, { period: '2024', track: 'village' }, { name: 'v.csv', bytes: DEMO_CSV })).status).to.equal(404);
    });
  });
});
