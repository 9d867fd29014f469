import { expect } from 'chai';
import ExcelJS from 'exceljs';
import { request } from 'node:http';
import { gunzipSync } from 'node:zlib';
import { listRuns } from '../../src/services/runs.js';
import { signedIn, startApp, type Client, type TestApp } from '../support/web.js';

/**
 * The ranking page under many readers: its table is drawn once per run and filter and
 * kept, while the run's status, the reader's name and the reader's form token are the
 * reader's own and as they are now.
 */

/** The kept part of a ranking page: the table, the liabilities and the chart. */
const tableOf = (html: string) => html.slice(html.indexOf('<table class="list ranking-table">'), html.indexOf('</figure>'));
const villagesIn = (html: string) => [...tableOf(html).matchAll(/data-unit="(v\d+)"/g)].map((m) => m[1]);

/** A request as a browser revalidating its copy sends it (fetch would add Cache-Control: no-cache, which forbids 304). */
function revalidate(url: string, cookie: string, etag: string): Promise<{ status: number; body: string }> {
  return raw(url, { cookie, 'if-none-match': etag }).then((r) => ({ status: r.status, body: r.body.toString('utf8') }));
}

/** A request with the headers given and no others, its answer's bytes as they came. */
function raw(url: string, headers: Record<string, string>): Promise<{ status: number; headers: Record<string, unknown>; body: Buffer }> {
  return new Promise((resolve, reject) => {
    request(url, { headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (d: Buffer) => chunks.push(d));
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body: Buffer.concat(chunks) }));
    }).on('error', reject).end();
  });
}

describe('the ranking page, drawn once and read by many', function () {
  this.timeout(60_000);
  let app: TestApp;
  let leader: Client;
  let admin: Client;
  let draft: number;

  before(async () => {
    app = await startApp();
    leader = await signedIn(app.url, 'leader');
    admin = await signedIn(app.url, 'admin');
    draft = (await listRuns(app.db)).find((r) => r.track === 'village' && r.status === 'draft')!.id;
  });
  after(async () => { await app?.close(); });

  it('shows names where a reader would see ids: units by name, periods in words, no rule set id (issue 18, item 5)', async () => {
    // The text a reader sees: tags and their attributes (where a data-unit stays for machines) left out.
    const seen = async (path: string) => (await leader.get(path)).text.replace(/<script[\s\S]*?<\/script>|<[^>]*>/g, ' ');
    for (const path of [`/runs/${draft}`, '/entry?period=2024&track=village', '/report', '/rules']) {
      const text = await seen(path);
      expect(text, path).not.to.match(/\bv\d\d\b|\bfenglin\b|\bhetang\b/);
      expect(text, path).not.to.match(/（\d{4}(H\d|Q\d)?）/);
    }
    expect(await seen('/rules')).not.to.match(/village-annual|staff-annual/);
    expect(await seen('/runs')).not.to.match(/（2024）|（2023）/);
    // Who did it, by display name: the product's own work as 系统, never an account name.
    for (const path of ['/runs', '/rules', '/rules/village-annual/v/latest', '/rules/village-annual/diff', '/entry?period=2024&track=village']) {
      const text = await seen(path);
      expect(text, path).not.to.match(/\bsystem\b|\bleader\b|\badmin\b/);
    }
    expect(await seen('/rules')).to.contain('系统');
  });

  it('names its exports as an office files them: the period in words, the assessment, 排名 or 记分卡, the run (issue 18, item 7)', async () => {
    const savedAs = async (url: string) => {
      const res = await leader.request('GET', url);
      await res.arrayBuffer();
      return decodeURIComponent(/filename\*=UTF-8''(.+)$/.exec(res.headers.get('content-disposition')!)![1]);
    };
    expect(await savedAs(`/runs/${draft}/export.xlsx`)).to.equal(`2024年度村级千分考核排名（第${draft}号）.xlsx`);
    expect(await savedAs(`/runs/${draft}/export.csv`)).to.equal(`2024年度村级千分考核排名（第${draft}号）.csv`);
    expect(await savedAs(`/runs/${draft}/export.csv?what=scorecards`)).to.equal(`2024年度村级千分考核记分卡（第${draft}号）.csv`);
  });

  it('exports a ranking that opens well in Excel and WPS: a title, names, widths, scores at precision, a filled 说明 (issue 18, item 7)', async () => {
    const res = await leader.request('GET', `/runs/${draft}/export.xlsx`);
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.load(await res.arrayBuffer());
    expect(workbook.worksheets.map((w) => w.name)).to.deep.equal(['排名', '记分卡', '说明']);
    const sheet = workbook.getWorksheet('排名')!;
    expect(sheet.getCell('A1').value).to.equal('2024年度村级千分考核排名');
    expect(String(sheet.getCell('A2').value)).to.match(/^村级人口和计划生育工作千分考核细则（版本 .+） · 第\d+号考核 · 草稿$/);
    const header = (sheet.getRow(3).values as unknown[]).slice(1);
    expect(header.slice(0, 4)).to.deep.equal(['排名', '单位', '上级单位', '总分']);
    expect(header.join(' '), 'groups by title and points, no clause id').to.match(/（\d+分）/).and.not.to.match(/[（(][a-z][\w-]*[）)]/i);
    expect(sheet.getCell('B4').value).to.match(/村$/);
    expect(sheet.getCell('C4').value).to.match(/镇$/);
    const sanctions = (sheet.getColumn(header.indexOf('奖惩') + 1).values as unknown[]).filter((v) => typeof v === 'string' && v !== '奖惩');
    expect(sanctions, 'each sanction with its reason').to.include('倒数第二名，通报批评');
    expect(sheet.getColumn(4).numFmt, 'the total at the rule set’s one decimal').to.equal('0.0');
    expect(sheet.getColumn(2).width).to.be.at.least(8);
    expect(sheet.views[0]).to.include({ state: 'frozen', ySplit: 3 });
    expect(sheet.pageSetup).to.include({ orientation: 'landscape', paperSize: 9, printTitlesRow: '3:3' });
    const every = JSON.stringify(workbook.worksheets.map((w) => w.getSheetValues()));
    expect(every, 'no unit or rule-file id').not.to.match(/"v\d\d"|"fenglin"|"hetang"|village-annual/);
    const about = Object.fromEntries((workbook.getWorksheet('说明')!.getSheetValues() as unknown[][]).slice(2).map((r) => [r[1], r[2]]));
    expect(about).to.include({ 考核期: '2024年度', 参加考核单位: '18个', 得分精度: '保留1位小数' });
    expect(about.生成).to.match(/^\d{4}-\d\d-\d\d \d\d:\d\d 由系统记分生成$|由.+记分生成$/).and.not.to.match(/system|leader/);
  });

  it('writes scores in CSV at the rule set’s precision, 870.0 and not 870', async () => {
    const res = await leader.request('GET', `/runs/${draft}/export.csv`);
    const lines = (await res.text()).replace(/^\uFEFF/, '').trim().split('\r\n').map((l) => l.split(','));
    const total = lines[0].indexOf('总分');
    for (const line of lines.slice(1, 19)) expect(line[total], line.join(',')).to.match(/^-?\d+\.\d$/);
  });

  it('names a village’s own scorecard export for the village and the period', async () => {
    const res = await leader.request('GET', `/units/v01/export.xlsx?run=${draft}`);
    await res.arrayBuffer();
    const name = decodeURIComponent(/filename\*=UTF-8''(.+)$/.exec(res.headers.get('content-disposition')!)![1]);
    expect(name).to.equal(`枫林村2024年度村级千分考核记分卡（第${draft}号）.xlsx`);
  });

  it('shows the run as it is now: a draft, then published, then superseded by its correction', async () => {
    const asDraft = (await leader.get(`/runs/${draft}`)).text;
    expect(asDraft).to.contain('<span class="badge status draft">草稿</span>').and.to.contain('发布（开始公示）');
    expect(villagesIn(asDraft)).to.include('v01');

    expect((await leader.post(`/runs/${draft}/publish`)).status).to.equal(303);
    const published = (await leader.get(`/runs/${draft}`)).text;
    expect(published).to.contain('<span class="badge status review">公示中</span>').and.not.to.contain('发布（开始公示）');
    expect(tableOf(published)).to.equal(tableOf(asDraft));

    const correct = await leader.post('/runs', { period: '2024', track: 'village', corrects: String(draft), note: '复核更正' });
    expect(correct.status).to.equal(303);
    const correction = Number(/\/runs\/(\d+)$/.exec(correct.headers.get('location')!)![1]);
    await leader.get(`/runs/${correction}`);
    expect((await leader.post(`/runs/${correction}/publish`)).status).to.equal(303);
    const superseded = (await leader.get(`/runs/${draft}`)).text;
    expect(superseded).to.contain('<span class="badge status superseded">已更正</span>');
    const corrected = (await leader.get(`/runs/${correction}`)).text;
    expect(corrected).to.contain('<span class="badge status review">公示中</span>');
    expect(tableOf(corrected)).to.contain(`href="/units/v01?run=${correction}"`).and.not.to.contain(`?run=${draft}"`);
  });

  it('gives each reader their own name and form token around the same table', async () => {
    const run = (await listRuns(app.db)).find((r) => r.track === 'village' && r.status === 'published')!.id;
    const forLeader = (await leader.get(`/runs/${run}`)).text;
    const forAdmin = (await admin.get(`/runs/${run}`)).text;
    expect(forLeader).to.contain('枫林镇领导').and.not.to.contain('系统管理员');
    expect(forAdmin).to.contain('系统管理员').and.not.to.contain('枫林镇领导');
    const token = (html: string) => /name="_csrf" value="([^"]+)"/.exec(html)![1];
    expect(token(forLeader)).to.equal(leader.token).and.not.to.equal(token(forAdmin));
    expect(tableOf(forAdmin)).to.equal(tableOf(forLeader));
  });

  it('lists only the chosen township’s villages when filtered, and all of them otherwise, whichever is read first', async () => {
    const run = (await listRuns(app.db)).find((r) => r.track === 'village' && r.status === 'published')!.id;
    // The demo county has one township (枫林镇, fenglin): the county itself (hetang) has no village of its own.
    const county = villagesIn((await leader.get(`/runs/${run}?parent=hetang`)).text);
    const all = villagesIn((await leader.get(`/runs/${run}`)).text);
    const township = villagesIn((await leader.get(`/runs/${run}?parent=fenglin`)).text);
    expect(county).to.deep.equal([]);
    expect(all).to.have.length(18).and.to.include('v18');
    expect(township).to.deep.equal(all);
    expect(villagesIn((await leader.get(`/runs/${run}?parent=hetang`)).text)).to.deep.equal([]);
  });

  it('answers a reader who has the page already with 304, and HEAD with the headers alone', async () => {
    const run = (await listRuns(app.db)).find((r) => r.track === 'village' && r.status === 'published')!.id;
    const first = await raw(`${app.url}/runs/${run}`, { cookie: leader.cookie });
    const etag = String(first.headers.etag);
    expect(etag).to.match(/^W\/"/);
    expect(Number(first.headers['content-length'])).to.equal(first.body.length);
    expect(await revalidate(`${app.url}/runs/${run}`, leader.cookie, etag)).to.deep.equal({ status: 304, body: '' });
    // Another reader's page differs (their name and token): it is sent whole, with a tag of its own.
    const other = await revalidate(`${app.url}/runs/${run}`, admin.cookie, etag);
    expect(other.status).to.equal(200);
    expect(other.body).to.contain('系统管理员');
    const head = await leader.request('HEAD', `/runs/${run}`);
    expect(head.status).to.equal(200);
    expect(head.headers.get('content-type')).to.equal('text/html; charset=utf-8');
    expect(await head.text()).to.equal('');
  });

  it('sends the same page gzip-compressed to a reader who accepts it, in a fraction of the bytes', async () => {
    const run = (await listRuns(app.db)).find((r) => r.track === 'village' && r.status === 'published')!.id;
    const plain = await raw(`${app.url}/runs/${run}`, { cookie: leader.cookie });
    const gzip = await raw(`${app.url}/runs/${run}`, { cookie: leader.cookie, 'accept-encoding': 'gzip, deflate, br' });
    expect(plain.headers['content-encoding']).to.equal(undefined);
    expect(gzip.headers['content-encoding']).to.equal('gzip');
    expect(gzip.headers.vary).to.equal('Accept-Encoding');
    expect(Number(gzip.headers['content-length'])).to.equal(gzip.body.length).and.to.be.below(plain.body.length / 3);
    expect(gunzipSync(gzip.body).equals(plain.body)).to.equal(true);
    expect(gzip.headers.etag).not.to.equal(plain.headers.etag);
    const again = await raw(`${app.url}/runs/${run}`, { cookie: leader.cookie, 'accept-encoding': 'gzip', 'if-none-match': String(gzip.headers.etag) });
    expect(again.status).to.equal(304);
  });
});
