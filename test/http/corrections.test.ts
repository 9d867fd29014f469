import { expect } from 'chai';
import { latestRuleVersion } from '../../src/db/queries/rule-versions.js';
import { getRun } from '../../src/db/queries/runs.js';
import { listRuns, publishRun } from '../../src/services/runs.js';
import { Client, signedIn, startApp, type TestApp } from '../support/web.js';

/** 更正 in the browser: the form, the correction draft it makes, and both runs' pages linking to each other. */

describe('the correction pages', function () {
  this.timeout(60_000);
  let app: TestApp;
  let leader: Client;
  let village: Client;
  /** The demo's published 2023 village run, and its 2024 draft. */
  let published: number;
  let draft: number;
  const runsNow = async () => (await listRuns(app.db)).length;

  before(async () => {
    app = await startApp();
    leader = await signedIn(app.url, 'leader');
    village = await signedIn(app.url, 'v01');
    const runs = await listRuns(app.db, { track: 'village' });
    published = runs.find((r) => r.status === 'published')!.id;
    draft = runs.find((r) => r.status === 'draft')!.id;
  });
  after(async () => { await app?.close(); });

  it('offers the 更正 form from a published run’s page, with a required reason and the run’s own rule version chosen', async () => {
    expect((await leader.get(`/runs/${published}`)).text).to.contain(`href="/runs/${published}/correct"`);
    expect((await leader.get(`/runs/${draft}`)).text, 'a draft is not corrected').not.to.contain(`/runs/${draft}/correct`);
    const { status, text } = await leader.get(`/runs/${published}/correct`);
    expect(status).to.equal(200);
    expect(text).to.match(/<textarea id="reason" name="reason"[^>]* required/);
    const own = (await getRun(app.db, published))!.rule_sha256;
    expect(text).to.match(new RegExp(`<option value="${own}" selected>2024\\.2（\\d{4}-\\d{2}-\\d{2}）— 第${published}号考核所用版本</option>`));
    expect(text).to.contain('因数据变化').and.to.contain('因细则变化').and.to.contain('生成更正草稿');
  });

  it('explains, with 409, why a draft cannot be corrected, and offers no form', async () => {
    const { status, text } = await leader.get(`/runs/${draft}/correct`);
    expect(status).to.equal(409);
    expect(text).to.contain('还是草稿').and.not.to.contain('name="reason"');
  });

  it('refuses a correction without a reason, or with a version of another rule set, keeping what was typed, and stores nothing', async () => {
    const before = await runsNow();
    await leader.get(`/runs/${published}/correct`);
    const blank = await leader.post(`/runs/${published}/correct`, { reason: '   ' });
    expect(blank.status).to.equal(422);
    expect(await blank.text()).to.contain('请填写更正原因');
    const staff = (await latestRuleVersion(app.db, 'staff-annual'))!;
    await leader.get(`/runs/${published}/correct`);
    const other = await leader.post(`/runs/${published}/correct`, { reason: '细则<有误>', rules: staff.sha256 });
    const text = await other.text();
    expect(other.status).to.equal(422);
    expect(text).to.contain('不是第').and.to.contain('细则&lt;有误&gt;</textarea>');
    expect(await runsNow()).to.equal(before);
  });

  it('creates the correction draft and shows it: the run it corrects, the version used, and both parts of the change list', async () => {
    await leader.get(`/runs/${published}/correct`);
    const res = await leader.post(`/runs/${published}/correct`, { reason: '复核<script>alert(1)</script>' });
    expect(res.status).to.equal(303);
    const id = Number(/^\/runs\/(\d+)$/.exec(res.headers.get('location')!)![1]);
    const run = (await getRun(app.db, id))!;
    expect(run).to.include({ supersedes_id: published, status: 'draft', rule_sha256: (await getRun(app.db, published))!.rule_sha256 });
    const { text } = await leader.get(`/runs/${id}`);
    expect(text).to.contain(`本次为对<a href="/runs/${published}">第${published}号考核</a>的更正`);
    expect(text).to.contain('更正原因：复核&lt;script&gt;').and.not.to.contain('<script>alert');
    expect(text).to.match(new RegExp(`所用规则版本：2024\\.2（\\d{4}-\\d{2}-\\d{2}），即第${published}号考核所用的版本`));
    expect(text).to.contain('<h3>因数据变化</h3>').and.to.contain('<h3>因细则变化</h3>').and.to.contain('规则版本未变，没有因细则而起的变化');
    expect((await leader.get(`/runs/${published}/correct`)).text, 'the form names the draft already made').to.contain(`<a href="/runs/${id}">第${id}号</a>`);
  });

  it('says on a corrected run’s page that it was corrected, and by which run, once the correction is published', async () => {
    const correction = (await listRuns(app.db)).find((r) => r.supersedes_id === published && r.status === 'draft')!;
    await publishRun(app.db, correction.id, 'leader');
    const { text } = await leader.get(`/runs/${published}`);
    expect(text).to.contain(`本次考核结果已更正，见<a href="/runs/${correction.id}">第${correction.id}号考核</a>`);
    expect(text, 'a corrected run is not corrected again').not.to.contain(`/runs/${published}/correct"`);
    const refused = await leader.get(`/runs/${published}/correct`);
    expect(refused.status).to.equal(409);
    expect(refused.text).to.contain(`已被第${correction.id}号更正`);
  });

  it('lets a village open the corrected result, marked 已更正 with the way to its correction', async () => {
    const correction = (await getRun(app.db, published))!.superseded_by!;
    const { status, text } = await village.get(`/units/v01?run=${published}`);
    expect(status).to.equal(200);
    expect(text).to.contain(`本结果已更正，以<a href="/units/v01?run=${correction}">第${correction}号考核的结果</a>为准`);
    expect(text).to.contain(`第${published}号，已更正`);
    expect((await village.get(`/units/v01?run=${draft}`)).status, 'never a draft').to.equal(404);
  });

  it('names the rule version of every run in the run list', async () => {
    const { text } = await leader.get('/runs');
    expect(text).to.contain('<th class="wide-only">规则版本</th>');
    expect(text).to.match(/<td class="wide-only">2024\.1<\/td>/).and.to.match(/<td class="wide-only">2024\.2<\/td>/);
  });
});
