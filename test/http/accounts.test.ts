import { expect } from 'chai';
import { insertMany } from '../../src/db/chunks.js';
import { auditEntries } from '../../src/db/queries/audit.js';
import { upsertUnits } from '../../src/db/queries/units.js';
import { userByName } from '../../src/db/queries/users.js';
import { signedIn, startApp, type Client, type TestApp } from '../support/web.js';

/**
 * /admin/accounts (issue 19, point 5): each refusal answered on the page with its reason in
 * Chinese and the form as it was sent; a new password only in the body of the answer to the
 * POST, never in a header, a link or the next page; every name escaped.
 */

const HOSTILE = '<script>alert(1)</script>{{constructor}}\u202e';

describe('the account pages of the admin', function () {
  this.timeout(60_000);
  let app: TestApp;
  let admin: Client;

  before(async () => {
    app = await startApp();
    admin = await signedIn(app.url, 'admin');
  });
  after(async () => { await app?.close(); });

  async function add(form: Record<string, string>): Promise<{ status: number; text: string; headers: Headers }> {
    await admin.get('/admin/accounts');
    const res = await admin.post('/admin/accounts', form);
    return { status: res.status, text: await res.text(), headers: res.headers };
  }

  it('adds a staff account bound to the staff member chosen, showing its password once and in the body only', async () => {
    const { status, text, headers } = await add({ username: 'li-s02', displayName: '王桂英', role: 'staff', staffUnit: 's02', villageUnit: 'v01' });
    expect(status).to.equal(200);
    const password = /初始密码：<strong class="credential">([^<]+)<\/strong>/.exec(text)![1];
    expect((await userByName(app.db, 'li-s02'))!.unit_id).to.equal('s02');
    expect(headers.get('cache-control')).to.equal('no-store');
    expect(headers.get('location')).to.equal(null);
    expect(JSON.stringify([...headers])).to.not.contain(password);
    expect((await admin.get('/admin/accounts')).text).to.not.contain(password);
    const audit = await auditEntries(app.db, { limit: 5 });
    expect(JSON.stringify(audit)).to.not.contain(password);
  });

  const refused: Array<[string, Record<string, string>, RegExp]> = [
    ['a village account without its village', { username: 'c1', role: 'village' }, /须指定所属单位/],
    ['a staff account bound to a village', { username: 'c2', role: 'staff', staffUnit: 'v02' }, /须属于一个工作人员/],
    ['a name taken in another case', { username: 'ADMIN', role: 'leader' }, /已存在/],
    ['a name with spaces in it', { username: 'wang mishu', role: 'leader' }, /用户名只能由/],
    ['a display name of 101 characters', { username: 'c3', role: 'leader', displayName: '名'.repeat(101) }, /超过 100 个字符/],
    ['an unknown role', { username: 'c4', role: '__proto__' }, /角色应为/],
  ];
  for (const [what, form, message] of refused) {
    it(`refuses ${what} with the reason in Chinese, the form kept as sent, and nothing added`, async () => {
      const { status, text } = await add(form);
      expect(status).to.equal(400);
      expect(text).to.match(message);
      expect(text).to.contain(`name="username" value="${form.username}"`);
      expect(await userByName(app.db, form.username)).to.equal(undefined);
    });
  }

  it('shows a hostile display name as text on the list and the account page', async () => {
    const { status, text } = await add({ username: 'hostile', displayName: '王<script>alert(1)</script>{{constructor}}', role: 'leader' });
    expect(status).to.equal(200);
    for (const page of [text, (await admin.get('/admin/accounts/hostile')).text]) {
      expect(page).to.contain('王&lt;script&gt;alert(1)&lt;/script&gt;{{constructor}}');
      expect(page).to.not.contain('<script>alert(1)');
    }
  });

  it('refuses a display name with a direction mark on rename, keeping the old name', async () => {
    await admin.get('/admin/accounts/v09');
    const res = await admin.post('/admin/accounts/v09/rename', { displayName: HOSTILE });
    expect(res.status).to.equal(400);
    expect(await res.text()).to.contain('改变文字方向');
    expect((await userByName(app.db, 'v09'))!.display_name).to.equal('黄泥坳村村支两委');
  });

  it('renames an account and says so on the page it returns to', async () => {
    await admin.get('/admin/accounts/v09');
    const res = await admin.post('/admin/accounts/v09/rename', { displayName: '黄泥坳村委会' });
    expect(res.status).to.equal(303);
    expect(res.headers.get('location')).to.equal('/admin/accounts/v09');
    expect((await admin.get('/admin/accounts/v09')).text).to.contain('已修改名称');
  });

  it('refuses the admin disabling their own account, on the page, and the account stays enabled', async () => {
    await admin.get('/admin/accounts/admin');
    const res = await admin.post('/admin/accounts/admin/disable');
    expect(res.status).to.equal(400);
    expect(await res.text()).to.contain('不能停用自己正在使用的账号');
    expect((await userByName(app.db, 'admin'))!.disabled).to.equal(false);
  });

  it('answers an account that does not exist with 404', async () => {
    expect((await admin.get('/admin/accounts/nobody')).status).to.equal(404);
    await admin.get('/admin/accounts');
    expect((await admin.post('/admin/accounts/nobody/reset')).status).to.equal(404);
  });

  it('ends the sessions of an account it disables', async () => {
    const leader = await signedIn(app.url, 'leader');
    expect((await leader.get('/runs')).status).to.equal(200);
    await admin.get('/admin/accounts/leader');
    expect((await admin.post('/admin/accounts/leader/disable')).status).to.equal(303);
    expect((await leader.get('/runs')).status).to.equal(302);
    await admin.get('/admin/accounts/leader');
    expect((await admin.post('/admin/accounts/leader/enable')).status).to.equal(303);
  });
});

describe('the unit pages of the admin', function () {
  this.timeout(60_000);
  let app: TestApp;
  let admin: Client;

  before(async () => {
    app = await startApp();
    admin = await signedIn(app.url, 'admin');
  });
  after(async () => { await app?.close(); });

  it('refuses a move that would make a cycle, with the reason on the unit’s page', async () => {
    await admin.get('/admin/units/fenglin');
    const res = await admin.post('/admin/units/fenglin/move', { parent: 'v01' });
    expect(res.status).to.equal(400);
    expect(await res.text()).to.contain('不能把“枫林镇”移到它自己或它的下级单位之下');
  });

  it('adds a unit with a hostile name, shown as text in the tree', async () => {
    await admin.get('/admin/units');
    const res = await admin.post('/admin/units', { id: 'v19', name: '新村<script>alert(1)</script>', kind: 'village', parent: 'fenglin' });
    expect(res.status).to.equal(303);
    expect(res.headers.get('location')).to.equal('/admin/units/v19');
    const tree = (await admin.get('/admin/units')).text;
    expect(tree).to.contain('新村&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(tree).to.not.contain('<script>alert(1)');
  });

  it('refuses a name of 101 characters and an id taken, keeping what was typed', async () => {
    for (const [form, message] of [
      [{ id: 'v20', name: '村'.repeat(101), kind: 'village', parent: 'fenglin' }, '单位名称超过 100 个字符'],
      [{ id: 'v01', name: '又一村', kind: 'village', parent: 'fenglin' }, '单位编号“v01”已被使用'],
    ] as const) {
      await admin.get('/admin/units');
      const res = await admin.post('/admin/units', form);
      expect(res.status).to.equal(400);
      const text = await res.text();
      expect(text).to.contain(message);
      expect(text).to.contain(`name="id" value="${form.id}"`);
    }
  });

  it('answers a unit that does not exist with 404', async () => {
    expect((await admin.get('/admin/units/nowhere')).status).to.equal(404);
  });
});

describe('the account pages of a province: more accounts than a page, more villages than a list', function () {
  this.timeout(120_000);
  let app: TestApp;
  let admin: Client;
  const at = new Date().toISOString();
  before(async () => {
    app = await startApp();
    // As many villages more as the form lists, two of them of one name; an account for 150 of them.
    await upsertUnits(app.db, Array.from({ length: 301 }, (_, k) => ({
      id: `p${String(k).padStart(4, '0')}`, name: k < 2 ? '同名村' : `远方${k}村`, kind: 'village', parent_id: 'hetang', role: null, created_at: at,
    })));
    await insertMany(app.db, 'users', Array.from({ length: 150 }, (_, k) => ({
      username: `p${String(k).padStart(4, '0')}`, display_name: `远方${k}村村委`, role: 'village', unit_id: `p${String(k).padStart(4, '0')}`,
      password_hash: 'x', disabled: false, session_epoch: 0, created_at: at, password_changed_at: at,
    })));
    admin = await signedIn(app.url, 'admin');
  });
  after(async () => { await app?.close(); });

  const rowsOf = (html: string) => [...html.matchAll(/<tr class="(?:disabled)?">/g)].length;

  it('lists a hundred accounts a page, with the way to the next, and finds one by part of its name', async () => {
    const first = (await admin.get('/admin/accounts')).text;
    expect(rowsOf(first)).to.equal(100);
    // Handlebars writes the = of a link as &#x3D;, which a browser reads as =.
    expect(first).to.contain('href="/admin/accounts?page&#x3D;2"');
    const second = (await admin.get('/admin/accounts?page=2')).text;
    expect(rowsOf(second)).to.be.greaterThan(0).and.below(100);
    const found = (await admin.get(`/admin/accounts?q=${encodeURIComponent('远方42村')}`)).text;
    expect(rowsOf(found)).to.equal(1);
    expect(found).to.contain('远方42村村委').and.to.contain('账号共 1 个');
  });

  it('has a field to type the village in, adds an account to the village typed by name, and asks for the number where two share it', async () => {
    const page = (await admin.get('/admin/accounts')).text;
    expect(page).not.to.contain('<select name="villageUnit"');
    expect(page).to.contain('<input name="villageUnit"');
    const made = await admin.post('/admin/accounts', { username: 'far200', displayName: '', role: 'village', villageUnit: '远方200村', staffUnit: '' });
    expect(made.status).to.equal(200);
    expect((await userByName(app.db, 'far200'))!.unit_id).to.equal('p0200');
    await admin.get('/admin/accounts');
    const two = await admin.post('/admin/accounts', { username: 'same1', displayName: '', role: 'village', villageUnit: '同名村', staffUnit: '' });
    expect(two.status).to.equal(400);
    expect(await two.text()).to.contain('有多个村名为“同名村”，请填写单位编号');
    expect(await userByName(app.db, 'same1')).to.equal(undefined);
    await admin.get('/admin/accounts');
    expect((await admin.post('/admin/accounts', { username: 'same1', displayName: '', role: 'village', villageUnit: 'p0001', staffUnit: '' })).status).to.equal(200);
    expect((await userByName(app.db, 'same1'))!.unit_id).to.equal('p0001');
  });
});
