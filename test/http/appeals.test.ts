import { expect } from 'chai';
import { filesOfAppeals } from '../../src/db/queries/appeals.js';
import { auditEntries } from '../../src/db/queries/audit.js';
import { messagesOf } from '../../src/db/queries/messages.js';
import { PDF, PNG, postMultipart } from '../support/appeals.js';
import { signedIn, startApp, type Client, type TestApp } from '../support/web.js';

/** Issue 19, point 2: appeals (申诉) through the web application. */

describe('appeals through the web application (issue 19, point 2)', function () {
  this.timeout(60_000);
  let app: TestApp;
  let v01: Client, leader: Client, s01: Client;
  before(async () => {
    app = await startApp();
    v01 = await signedIn(app.url, 'v01');
    leader = await signedIn(app.url, 'leader');
    s01 = await signedIn(app.url, 's01');
  });
  after(async () => { await app?.close(); });

  async function file(fields: Array<[string, string]>, files: Array<{ name: string; bytes: Buffer; type?: string }> = []): Promise<Response> {
    await v01.get('/units/v01/appeals?run=1');
    return postMultipart(v01, '/units/v01/appeals', [['run', '1'], ...fields], files);
  }

  it('shows a village the form for its run under 公示, the clauses grouped as on the scorecard and its inputs', async () => {
    const { status, text } = await v01.get('/units/v01/appeals?run=1');
    expect(status).to.equal(200);
    expect(text).to.contain('对2023年度村级千分考核结果（第1号）提出申诉');
    expect(text).to.match(/<details class="pick-group"[^>]*>\s*<summary><span class="title">一、/);
    expect(text).to.contain('name="clause"').and.to.contain('name="input"');
    expect(text).to.contain('enctype="multipart/form-data"');
  });

  it('offers no form for a draft, or for another track’s run, and says why', async () => {
    for (const url of ['/units/v01/appeals?run=2', '/units/v01/appeals?run=3']) {
      const { status, text } = await v01.get(url);
      expect(status, url).to.equal(200);
      expect(text, url).not.to.contain('name="clause"');
    }
    expect((await v01.get('/units/v01/appeals?run=2')).text).to.contain('没有第2号考核的结果可以申诉');
  });

  it('files an appeal with a PDF: the appeal, its file, the audit entry with the unit and a message to the leader', async () => {
    const res = await file([['clause', 'birth-rate'], ['clause', 'second-policy-rate'], ['input', 'births'], ['reason', '计生合同已补签，见附件']], [{ name: '补签合同.pdf', bytes: PDF, type: 'application/pdf' }]);
    expect(res.status, await res.clone().text()).to.equal(303);
    expect(res.headers.get('location')).to.equal('/units/v01/appeals?run=1');
    const page = await v01.get('/units/v01/appeals?run=1');
    expect(page.text).to.contain('第1号申诉').and.to.contain('待答复').and.to.contain('补签合同.pdf').and.to.contain('计生合同已补签，见附件');
    const [entry] = await auditEntries(app.db, { action: 'appeal.file', limit: 1 });
    expect(entry).to.include({ actor: 'v01', subject: 'appeal 1', unit_id: 'v01' });
    // Each box ticked is an item, however many share a name.
    expect(JSON.parse((await app.db('appeals').where({ id: 1 }).first()).items)).to.deep.equal([
      { kind: 'clause', id: 'birth-rate' }, { kind: 'clause', id: 'second-policy-rate' }, { kind: 'input', id: 'births' },
    ]);
    const leaderId = (await app.db('users').where({ username: 'leader' }).first()).id as number;
    const [message] = await messagesOf(app.db, leaderId);
    expect(message).to.include({ kind: 'appeal.filed', link: '/appeals/1' });
  });

  it('refuses an appeal with no item, with no reason, and with a file that only calls itself a PDF, each saying why, writing nothing', async () => {
    const count = async () => Number((await app.db('appeals').count({ n: '*' }))[0].n);
    const before = await count();
    for (const [fields, files, said] of [
      [[['reason', '有异议']], [], '请至少选择一项'],
      [[['clause', 'birth-rate'], ['reason', '   ']], [], '请填写申诉理由'],
      [[['clause', 'birth-rate'], ['reason', '见附件']], [{ name: '证明.pdf', bytes: Buffer.from('<html><script>alert(1)</script></html>'), type: 'application/pdf' }], '不是 JPEG、PNG 图片或 PDF 文档'],
    ] as Array<[Array<[string, string]>, Array<{ name: string; bytes: Buffer; type?: string }>, string]>) {
      const res = await file(fields, files);
      const text = await res.text();
      expect(res.status, said).to.equal(400);
      expect(text).to.contain(said);
    }
    expect(await count()).to.equal(before);
  });

  it('refuses a sixth file and a file over 10 MB in words', async () => {
    const six = Array.from({ length: 6 }, (_, k) => ({ name: `p${k}.png`, bytes: PNG }));
    const many = await file([['clause', 'birth-rate'], ['reason', '多个文件']], six);
    expect(many.status).to.equal(400);
    expect(await many.text()).to.contain('最多上传 5 个文件');
    const big = await file([['clause', 'birth-rate'], ['reason', '大文件']], [{ name: 'big.pdf', bytes: Buffer.concat([PDF, Buffer.alloc(10 * 1024 * 1024)]) }]);
    expect(big.status).to.equal(413);
    expect(await big.text()).to.contain('每个文件不超过 10 MB');
  });

  it('answers a village’s appeal on another village with 404 and writes the attempt down', async () => {
    await v01.get('/units/v01/appeals');
    const res = await postMultipart(v01, '/units/v02/appeals', [['run', '1'], ['clause', 'birth-rate'], ['reason', 'x']]);
    expect(res.status).to.equal(404);
    const [entry] = await auditEntries(app.db, { action: 'access.denied', limit: 1 });
    expect(entry).to.include({ actor: 'v01', subject: 'POST /units/v02/appeals' });
  });

  it('serves the evidence as a download only, typed by its content, to the leader and the appealing village, and 404 to another', async () => {
    const fileId = (await filesOfAppeals(app.db, [1]))[0].id;
    for (const c of [leader, v01]) {
      const res = await c.request('GET', `/appeals/1/files/${fileId}`);
      expect(res.status).to.equal(200);
      expect(res.headers.get('content-type')).to.equal('application/pdf');
      expect(res.headers.get('content-disposition')).to.match(/^attachment;/);
      expect(res.headers.get('x-content-type-options')).to.equal('nosniff');
      expect(res.headers.get('content-security-policy')).to.equal('sandbox');
      expect(res.headers.get('cross-origin-resource-policy')).to.equal('same-origin');
      expect(Buffer.from(await res.arrayBuffer()).equals(PDF)).to.equal(true);
    }
    expect((await s01.request('GET', `/appeals/1/files/${fileId}`)).status).to.equal(404);
    const [entry] = await auditEntries(app.db, { action: 'access.denied', limit: 1 });
    expect(entry).to.include({ actor: 's01', subject: `GET /appeals/1/files/${fileId}` });
  });

  it('lists the appeal for the leader, open first, and shows the unit’s result for each item appealed', async () => {
    const list = await leader.get('/appeals');
    expect(list.status).to.equal(200);
    expect(list.text).to.contain('待答复（1）').and.to.contain('枫林村');
    const page = await leader.get('/appeals/1');
    expect(page.status).to.equal(200);
    expect(page.text).to.contain('计生合同已补签，见附件').and.to.contain('补签合同.pdf').and.to.contain('name="step"');
  });

  it('refuses a 驳回 without a reason, keeping what was typed', async () => {
    await leader.get('/appeals/1');
    const res = await leader.post('/appeals/1/answer', { step: 'reject', text: '  ', ruleAtFault: '' });
    expect(res.status).to.equal(400);
    expect(await res.text()).to.contain('请填写驳回理由');
  });

  it('采纳 leads to the entry form of the unit and period saying what to fix, tells the village, and answers only once', async () => {
    await leader.get('/appeals/1');
    const res = await leader.post('/appeals/1/answer', { step: 'accept', text: '合同已核实' });
    expect(res.status).to.equal(303);
    expect(res.headers.get('location')).to.equal('/entry/2023/village/v01');
    const entry = await leader.get('/entry/2023/village/v01');
    expect(entry.text).to.contain('已采纳第1号申诉').and.to.contain('第1号考核选择“更正”');
    const v01Id = (await app.db('users').where({ username: 'v01' }).first()).id as number;
    expect((await messagesOf(app.db, v01Id))[0]).to.include({ kind: 'appeal.answered', link: '/units/v01/appeals?run=1' });
    expect((await auditEntries(app.db, { action: 'appeal.answer', limit: 1 }))[0]).to.include({ actor: 'leader', unit_id: 'v01' });
    const page = await leader.get('/appeals/1');
    expect(page.text).not.to.contain('name="step"');
    expect(page.text).to.contain('/runs/1/correct');
    const again = await leader.post('/appeals/1/answer', { step: 'reject', text: '再答' });
    expect(again.status).to.equal(400);
    expect(await again.text()).to.contain('已答复');
    const village = await v01.get('/units/v01/appeals');
    expect(village.text).to.contain('已采纳').and.to.contain('合同已核实');
  });

  it('lets a staff member appeal its own result on its own page, and leads the administrator to the rule editor when the rule is at fault', async () => {
    await s01.get('/staff/s01/appeals');
    const rs = (await app.db('runs').where({ id: 3 }).first()) as { rule_sha256: string };
    const clause = JSON.parse((await app.db('rule_versions').where({ sha256: rs.rule_sha256 }).first()).source) as { items: Array<{ id: string; items?: Array<{ id: string }> }> };
    const first = clause.items[0].items?.[0].id ?? clause.items[0].id;
    const filed = await postMultipart(s01, '/staff/s01/appeals', [['run', '3'], ['clause', first], ['reason', '考勤记录有误']]);
    expect(filed.status, await filed.clone().text()).to.equal(303);
    expect(filed.headers.get('location')).to.equal('/staff/s01/appeals?run=3');
    const id = (await app.db('appeals').where({ unit_id: 's01' }).first()).id as number;
    const admin = await signedIn(app.url, 'admin');
    await admin.get(`/appeals/${id}`);
    const res = await admin.post(`/appeals/${id}/answer`, { step: 'accept', text: '', ruleAtFault: '1' });
    expect(res.status).to.equal(303);
    expect(res.headers.get('location')).to.equal('/rules/staff-annual/edit');
    expect((await admin.get('/rules/staff-annual/edit')).text).to.contain('考核细则有误：请在下面修改并保存新版本');
  });

  it('shows hostile text of an appeal inert: a reason and a file name with markup are escaped', async () => {
    const res = await file([['clause', 'birth-rate'], ['reason', '<script>alert(1)</script>{{x}}\u202E']], [{ name: '<img src=x onerror=alert(1)>.png', bytes: PNG }]);
    expect(res.status).to.equal(303);
    const { id } = await app.db('appeals').where({ unit_id: 'v01' }).orderBy('id', 'desc').first();
    for (const [c, url] of [[v01, '/units/v01/appeals'], [leader, '/appeals'], [leader, `/appeals/${id}`]] as const) {
      const { text } = await c.get(url);
      expect(text, url).not.to.match(/<script>alert|<img src/);
    }
    expect((await leader.get(`/appeals/${id}`)).text).to.contain('&lt;script&gt;alert(1)&lt;/script&gt;');
  });

  it('takes an appeal on the village’s result in a 专项考核 under 公示 (党建), as on the 村级千分考核', async () => {
    const assessments = await app.db('assessments').select('id', 'ruleset_id');
    const party = assessments.find((a) => a.ruleset_id === 'village-party')!.id as string;
    const run = (await app.db('runs').where({ track: party, status: 'published' }).orderBy('id', 'desc').first()) as { id: number };
    const form = await v01.get(`/units/v01/appeals?run=${run.id}`);
    expect(form.text).not.to.contain(`没有第${run.id}号考核的结果可以申诉`);
    expect(form.text).to.contain(`对2023年度村级党建工作专项考核结果（第${run.id}号）提出申诉`);
    const clause = /name="clause" value="([^"]+)"/.exec(form.text)![1];
    const res = await postMultipart(v01, '/units/v01/appeals', [['run', String(run.id)], ['clause', clause], ['reason', '党员大会记录已补交']], []);
    expect(res.status, await res.clone().text()).to.equal(303);
    const appeal = await app.db('appeals').where({ run_id: run.id, unit_id: 'v01' }).first();
    expect(JSON.parse(appeal.items)).to.deep.equal([{ kind: 'clause', id: clause }]);
    // A staff member's run is still no village's to appeal.
    const staffRun = (await app.db('runs').where({ track: 'staff', status: 'published' }).first()) as { id: number };
    expect((await v01.get(`/units/v01/appeals?run=${staffRun.id}`)).text).to.contain(`没有第${staffRun.id}号考核的结果可以申诉`);
  });
});
