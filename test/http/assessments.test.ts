import { expect } from 'chai';
import { allAssessments } from '../../src/services/assessments.js';
import { signedIn, startApp, type Client, type TestApp } from '../support/web.js';

/**
 * The assessments in the browser (issue 20, point 2): /admin/assessments adds, renames, moves and
 * disables them; the managers' menu, the entry page and the runs page list them by title.
 */

/** The titles of the managers' second menu (each assessment), as the page shows them. */
const menuOf = (html: string) => {
  const nav = /<nav class="assessments"[^>]*>([\s\S]*?)<\/nav>/.exec(html)?.[1] ?? '';
  return [...nav.matchAll(/<a href="([^"]*)">([^<]*)<\/a>/g)].map((m) => [m[1].replace(/&#x3D;/g, '='), m[2]]);
};

describe('the assessments pages of the admin', function () {
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

  it('lists the two assessments of the demo township, by title, with the rule set each is scored with', async () => {
    const page = await admin.get('/admin/assessments');
    expect(page.status).to.equal(200);
    expect(page.text).to.contain('村级千分考核').and.to.contain('双线考核（工作人员）');
    expect(page.text).to.contain('工作人员');
    expect(page.text, 'no rule set id shown as text').to.not.match(/>\s*village-annual\s*</);
  });

  it('shows each assessment in the managers’ menu, in order, leading to its runs', async () => {
    expect(menuOf((await leader.get('/')).text)).to.deep.equal([
      ['/runs?assessment=village', '村级千分考核'], ['/runs?assessment=staff', '双线考核（工作人员）'], ['/runs?assessment=a3', '村级党建工作专项考核'],
      ['/runs?assessment=a4', '村级安全生产专项考核'], ['/runs?assessment=a5', '村级年度综合考核'],
    ]);
    expect(menuOf((await (await signedIn(app.url, 'v01')).get('/')).text), 'a village has no such menu').to.deep.equal([]);
  });

  it('adds 安全生产专项考核: in the menu, the entry page’s list and the runs form, and its runs page', async () => {
    await admin.get('/admin/assessments');
    const res = await admin.post('/admin/assessments', { title: '安全生产专项考核', unitKind: 'village', ruleset: 'village-annual' });
    expect(res.status).to.equal(303);
    const added = (await allAssessments(app.db)).find((a) => a.title === '安全生产专项考核')!;
    expect(menuOf((await leader.get('/')).text).map(([, t]) => t)).to.deep.equal(['村级千分考核', '双线考核（工作人员）', '村级党建工作专项考核', '村级安全生产专项考核', '村级年度综合考核', '安全生产专项考核']);
    const entry = (await leader.get(`/entry?track=${added.id}`)).text;
    expect(entry).to.contain(`<option value="${added.id}" selected>安全生产专项考核</option>`);
    expect(entry).to.contain('已录入 <strong data-entered="0">0</strong> / 18 个单位');
    const runs = await leader.get(`/runs?assessment=${added.id}`);
    expect(runs.text).to.contain('<h1>安全生产专项考核 · 考核与排名</h1>');
    expect(runs.text).to.contain('还没有考核');
  });

  it('refuses a hostile or duplicate title with the reason, keeping what was typed, escaped', async () => {
    for (const [title, message] of [
      ['考'.repeat(2000), '考核名称超过 40 个字'],
      ['安全\u202e生产', '改变文字方向的控制字符'],
      ['村级千分考核', '已有名为“村级千分考核”的考核'],
      ['', '请填写考核名称'],
    ] as const) {
      await admin.get('/admin/assessments');
      const res = await admin.post('/admin/assessments', { title, unitKind: 'village', ruleset: 'village-annual' });
      expect(res.status, title.slice(0, 10)).to.equal(400);
      expect(await res.text()).to.contain(message);
    }
    await admin.get('/admin/assessments');
    const res = await admin.post('/admin/assessments', { title: '<script>alert(1)</script>', unitKind: 'staff', ruleset: 'village-annual' });
    expect(res.status).to.equal(400);
    const text = await res.text();
    expect(text).to.contain('请从列表中选择工作人员的考核细则');
    expect(text).to.contain('value="&lt;script&gt;alert(1)&lt;/script&gt;"');
    expect(text).to.not.contain('<script>alert(1)');
  });

  it('renames, moves and disables an assessment; a disabled one leaves the menu and the forms, and is refused when posted', async () => {
    const added = (await allAssessments(app.db)).find((a) => a.title === '安全生产专项考核')!;
    await admin.get(`/admin/assessments/${added.id}`);
    expect((await admin.post(`/admin/assessments/${added.id}/rename`, { title: '安全生产考核' })).status).to.equal(303);
    await admin.get('/admin/assessments');
    expect((await admin.post(`/admin/assessments/${added.id}/move`, { direction: 'up' })).status).to.equal(303);
    expect(menuOf((await leader.get('/')).text).map(([, t]) => t)).to.deep.equal(['村级千分考核', '双线考核（工作人员）', '村级党建工作专项考核', '村级安全生产专项考核', '安全生产考核', '村级年度综合考核']);
    await admin.get(`/admin/assessments/${added.id}`);
    expect((await admin.post(`/admin/assessments/${added.id}/disable`)).status).to.equal(303);
    expect(menuOf((await leader.get('/')).text).map(([, t]) => t)).to.deep.equal(['村级千分考核', '双线考核（工作人员）', '村级党建工作专项考核', '村级安全生产专项考核', '村级年度综合考核']);
    expect((await leader.get(`/entry?track=${added.id}`)).status).to.equal(400);
    await leader.get('/runs');
    expect((await leader.post('/runs', { period: '2024', track: added.id })).status).to.equal(400);
    const list = (await admin.get('/admin/assessments')).text;
    expect(list).to.contain('安全生产考核').and.to.contain('已停用');
    await admin.get(`/admin/assessments/${added.id}`);
    expect((await admin.post(`/admin/assessments/${added.id}/enable`)).status).to.equal(303);
  });

  it('refuses a rename to a title taken on the assessment’s page, and answers an assessment that is none with 404', async () => {
    await admin.get('/admin/assessments/staff');
    const res = await admin.post('/admin/assessments/staff/rename', { title: '村级千分考核' });
    expect(res.status).to.equal(400);
    expect(await res.text()).to.contain('已有名为“村级千分考核”的考核');
    expect((await admin.get('/admin/assessments/constructor')).status).to.equal(404);
    expect((await admin.get('/admin/assessments/nowhere')).status).to.equal(404);
  });

  it('scores the new assessment apart: its run’s scorecard names it, and links to the unit’s other assessments', async () => {
    const added = (await allAssessments(app.db)).find((a) => a.title === '安全生产考核')!;
    for (const r of await app.db('inputs').where({ period_id: '2024', track: 'village' })) await app.db('inputs').insert({ ...r, track: added.id });
    await leader.get(`/runs?assessment=${added.id}`);
    const made = await leader.post('/runs', { period: '2024', track: added.id });
    expect(made.status).to.equal(303);
    const runId = Number(/\/runs\/(\d+)/.exec(made.headers.get('location') ?? '')![1]);
    const card = (await leader.get(`/units/v01?run=${runId}`)).text;
    expect(card).to.contain('<p class="meta">安全生产考核 · ');
    expect(card).to.match(/其他考核：<a href="\/units\/v01\?run=\d+">村级千分考核<\/a>/);
    const village = (await leader.get('/units/v01')).text;
    expect(village).to.contain('<p class="meta">村级千分考核 · ');
    expect(village).to.contain(`<a href="/units/v01?run=${runId}">安全生产考核</a>`);
    // A village sees no draft: not the new assessment's, nor a link to it.
    expect((await (await signedIn(app.url, 'v01')).get('/units/v01')).text).to.not.contain('安全生产考核');
  });

  it('reads the statistics of an assessment of the rule set’s kind of unit, and answers 404 for one that is none or of another kind', async () => {
    for (const asked of ['constructor', 'staff', 'nowhere']) expect((await leader.get(`/report?assessment=${asked}`)).status, asked).to.equal(404);
  });

  it('writes each change to the audit trail in words', async () => {
    const audit = (await admin.get('/audit?action=assessment')).text;
    for (const words of ['新增考核', '考核改名', '调整考核顺序', '停用考核', '启用考核', '考核原名“安全生产专项考核”，改为“安全生产考核”']) expect(audit).to.contain(words);
  });
});
