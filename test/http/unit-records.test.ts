import { expect } from 'chai';
import { getUnit, upsertUnits } from '../../src/db/queries/units.js';
import { signedIn, startApp, type Client, type TestApp } from '../support/web.js';

/**
 * /admin/units of a province: more units than a page or a list. The tree is walked a level at a
 * time (the units under one, a hundred a page, each with how many are under it) or searched; a
 * parent is typed by name (or number, where several share the name) instead of chosen from a
 * list of 100,000; a unit's page reads its own accounts, not everyone's.
 */

describe('the unit pages of a province', function () {
  this.timeout(120_000);
  let app: TestApp;
  let admin: Client;
  const at = new Date().toISOString();
  const unit = (id: string, name: string, kind: string, parent: string | null) => ({ id, name, kind, parent_id: parent, role: null, created_at: at });

  before(async () => {
    app = await startApp();
    // A second township with 320 villages, two of them of one name (in different townships, as a province has).
    await upsertUnits(app.db, [
      unit('far', '远方镇', 'township', 'hetang'),
      ...Array.from({ length: 320 }, (_, k) => unit(`f${String(k).padStart(4, '0')}`, k === 0 ? '同名村' : `远方${k}村`, 'village', 'far')),
      unit('x-same', '同名村', 'village', 'fenglin'),
    ]);
    admin = await signedIn(app.url, 'admin');
  });
  after(async () => { await app?.close(); });

  const linesOf = (html: string) => [...html.matchAll(/<td class="title"><a href="([^"]+)">([^<]+)<\/a>/g)].map((m) => m[2]);

  it('opens at the top of the tree, each unit with how many are under it, and never lists every unit', async () => {
    const page = await admin.get('/admin/units');
    expect(page.status).to.equal(200);
    expect(linesOf(page.text)).to.deep.equal(['荷塘区']);
    expect(page.text).to.contain('最上一级的单位共 1 个');
    expect(page.text).to.contain('href="/admin/units?under&#x3D;hetang">2个</a>');
    expect(page.text).not.to.contain('远方1村');
  });

  it('shows the units under one a hundred a page, with the path to it and the way to the next page', async () => {
    const first = await admin.get('/admin/units?under=far');
    expect(linesOf(first.text)).to.have.length(100);
    expect(first.text).to.contain('远方镇的下级单位共 320 个，第 1 / 4 页');
    expect(first.text).to.match(/<p class="path"><a href="\/admin\/units">全部单位<\/a> › <a href="[^"]+">荷塘区<\/a> › <a href="[^"]+">远方镇<\/a><\/p>/);
    expect(first.text).to.contain('href="/admin/units?under&#x3D;far&amp;page&#x3D;2"');
    const last = await admin.get('/admin/units?under=far&page=4');
    expect(linesOf(last.text)).to.have.length(20);
    expect((await admin.get('/admin/units?under=nowhere')).status).to.equal(404);
  });

  it('finds units by part of their name or number, of every kind, each with its parent', async () => {
    const found = await admin.get(`/admin/units?q=${encodeURIComponent('同名村')}`);
    expect(linesOf(found.text)).to.deep.equal(['同名村', '同名村']);
    expect(found.text).to.contain('名称或编号含“同名村”的单位共 2 个');
    expect(found.text).to.contain('<td class="name">远方镇</td>').and.to.contain('<td class="name">枫林镇</td>');
    expect(linesOf((await admin.get('/admin/units?q=f0319')).text)).to.deep.equal(['远方319村']);
  });

  it('asks for the parent to be typed, takes a name or a number, and asks for the number where two units share the name', async () => {
    const page = (await admin.get('/admin/units')).text;
    expect(page).not.to.contain('<select name="parent"');
    expect(page).to.contain('<input name="parent"');
    const byName = await admin.post('/admin/units', { id: 'f9000', name: '新设村', kind: 'village', parent: '远方镇' });
    expect(byName.status).to.equal(303);
    expect((await getUnit(app.db, 'f9000'))!.parent_id).to.equal('far');
    await admin.get('/admin/units');
    const two = await admin.post('/admin/units', { id: 's9000', name: '张三', kind: 'staff', parent: '同名村' });
    expect(two.status).to.equal(400);
    expect(await two.text()).to.contain('有多个单位名为“同名村”，请填写上级单位的编号');
    expect(await getUnit(app.db, 's9000')).to.equal(undefined);
    await admin.get('/admin/units');
    expect((await admin.post('/admin/units', { id: 's9000', name: '张三', kind: 'staff', parent: 'x-same' })).status).to.equal(303);
    expect((await getUnit(app.db, 's9000'))!.parent_id).to.equal('x-same');
    await admin.get('/admin/units');
    const none = await admin.post('/admin/units', { id: 's9001', name: '李四', kind: 'staff', parent: '无此村' });
    expect(await none.text()).to.contain('没有名称或编号为“无此村”的单位');
  });

  it('moves a unit under a parent typed on its page, which shows its own accounts and the way to its parent', async () => {
    const page = (await admin.get('/admin/units/v01')).text;
    expect(page).to.contain('<input name="parent"');
    expect(page).to.match(/<a href="\/admin\/accounts\/v01">/);
    expect(page).to.contain('<a href="/admin/units/fenglin">枫林镇</a>');
    const moved = await admin.post('/admin/units/f0005/move', { parent: '枫林镇' });
    expect(moved.status).to.equal(303);
    expect((await getUnit(app.db, 'f0005'))!.parent_id).to.equal('fenglin');
    await admin.get('/admin/units/f0006');
    const refused = await admin.post('/admin/units/f0006/move', { parent: '远方7村' });
    expect(refused.status).to.equal(400);
    expect(await refused.text()).to.contain('村（社区）不能放在村（社区）“远方7村”之下');
  });
});
