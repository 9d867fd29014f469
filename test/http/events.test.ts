import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { auditEntries } from '../../src/db/queries/audit.js';
import { eventsOf } from '../../src/db/queries/events.js';
import { parseDataBytes } from '../../src/io/data-file.js';
import { DEMO_DIR } from '../../src/paths.js';
import { upsertUnits } from '../../src/db/queries/units.js';
import { MOST_CHOICES } from '../../src/services/choices.js';
import { importInputs } from '../../src/services/import-inputs.js';
import { useEventsRules } from '../support/events-rules.js';
import { Client, signedIn, startApp, type TestApp } from '../support/web.js';

const PERIOD = '2025';
const codesIn = (html: string) => [...html.matchAll(/class="field-error"[^>]*data-code="([A-Z_]+)"/g)].map((m) => m[1]);

/** Posts a multipart upload as a browser would, with the CSRF token of the last page read. */
async function upload(c: Client, period: string, name: string, text: string): Promise<Response> {
  const form = new FormData();
  form.append('_csrf', c.token);
  form.append('period', period);
  form.append('file', new Blob([Buffer.from(text)]), name);
  return fetch(`${c.base}/events/upload`, { method: 'POST', body: form, redirect: 'manual', headers: { cookie: c.cookie } });
}

describe('the events ledger pages (事件台账)', function () {
  this.timeout(60_000);
  let app: TestApp;
  let leader: Client;
  const event = { period: PERIOD, unit: 'v01', input: 'accidents', level: '较大', points: '', date: '2025-05-03', note: '<script>alert(1)</script>起火' };
  before(async () => {
    app = await startApp();
    await useEventsRules(app.db);
    const bytes = readFileSync(path.join(DEMO_DIR, 'villages-2024.csv'));
    await importInputs(app.db, { periodId: PERIOD, table: parseDataBytes(bytes, 'villages-2024.csv'), fileBytes: bytes, by: 'test' });
    leader = await signedIn(app.url, 'leader');
  });
  after(async () => { await app?.close(); });

  it('adds an event from the form, escaping its note on the page, and writes who did it to the audit log', async () => {
    await leader.get(`/events?period=${PERIOD}`);
    const res = await leader.post('/events', event);
    expect(res.status).to.equal(303);
    expect(res.headers.get('location')).to.equal(`/events?period=${PERIOD}#ledger`);
    const { text } = await leader.get(`/events?period=${PERIOD}`);
    expect(text).to.contain('&lt;script&gt;alert(1)&lt;/script&gt;起火').and.not.to.contain('<script>alert(1)');
    expect(text).to.contain('2025年5月3日');
    expect((await auditEntries(app.db, { action: 'events.add' }))[0]).to.include({ actor: 'leader', unit_id: 'v01' });
  });

  it('refuses a form without its CSRF token, or from a foreign origin, and adds nothing', async () => {
    const before = (await eventsOf(app.db, PERIOD)).length;
    expect((await leader.request('POST', '/events', event)).status).to.equal(403);
    await leader.get(`/events?period=${PERIOD}`);
    expect((await leader.post('/events', event, { origin: 'https://evil.example' })).status).to.equal(403);
    expect((await eventsOf(app.db, PERIOD)).length).to.equal(before);
  });

  it('shows each problem of a refused event beside its field, keeping what was typed, and adds nothing', async () => {
    await leader.get(`/events?period=${PERIOD}`);
    const before = (await eventsOf(app.db, PERIOD)).length;
    const res = await leader.post('/events', { ...event, level: '特大', date: '2025-02-30', note: '\u202e'.repeat(3) + 'x' });
    expect(res.status).to.equal(422);
    const html = await res.text();
    expect(codesIn(html)).to.deep.equal(['EVENT_UNKNOWN_LEVEL', 'EVENT_DATE_INVALID', 'EVENT_NOTE_HIDDEN']);
    expect(html).to.contain('value="2025-02-30"');
    expect((await eventsOf(app.db, PERIOD)).length).to.equal(before);
  });

  it('lets no village or staff account see or change the ledger', async () => {
    const village = await signedIn(app.url, 'v01');
    expect((await village.get(`/events?period=${PERIOD}`)).status).to.equal(404);
    const [e] = await eventsOf(app.db, PERIOD);
    expect((await village.post(`/events/${e.id}/withdraw`, { confirm: '1' })).status).to.equal(404);
    expect((await eventsOf(app.db, PERIOD))[0].withdrawn_at).to.equal(null);
  });

  it('edits an event and withdraws it only once confirmed; a withdrawn event cannot be changed again', async () => {
    const [e] = await eventsOf(app.db, PERIOD, { unitId: 'v01' });
    await leader.get(`/events/${e.id}`);
    expect((await leader.post(`/events/${e.id}`, { ...event, level: '', points: '4.5' })).status).to.equal(303);
    expect((await eventsOf(app.db, PERIOD, { unitId: 'v01' }))[0]).to.include({ level: null, points: 4.5, changed_by: 'leader' });
    await leader.get(`/events/${e.id}`);
    const unconfirmed = await leader.post(`/events/${e.id}/withdraw`, {});
    expect(unconfirmed.status).to.equal(422);
    expect(await unconfirmed.text()).to.contain('data-code="WITHDRAW_UNCONFIRMED"');
    expect((await leader.post(`/events/${e.id}/withdraw`, { confirm: '1' })).status).to.equal(303);
    expect((await eventsOf(app.db, PERIOD, { unitId: 'v01' }))[0].withdrawn_by).to.equal('leader');
    expect((await leader.post(`/events/${e.id}/withdraw`, { confirm: '1' })).status).to.equal(409);
    expect((await leader.post(`/events/${e.id}`, event)).status).to.equal(409);
    expect((await leader.get('/events/999999')).status).to.equal(404);
    expect((await leader.get('/events/abc')).status).to.equal(404);
  });

  it('imports a sheet all or nothing, listing every bad row at its cell', async () => {
    await leader.get(`/events/upload?period=${PERIOD}`);
    const before = (await eventsOf(app.db, PERIOD)).length;
    const bad = await upload(leader, PERIOD, 'bad.csv', '单位,台账,等级,分值,日期,说明\n枫林村,安全生产事故,一般,,2025-05-03,\n枫林村,安全生产事故,一般,9,2099-01-01,\n');
    expect(bad.status).to.equal(422);
    const html = await bad.text();
    expect([...html.matchAll(/data-cell="([A-Z]+\d+)"/g)].map((m) => m[1])).to.deep.equal(['D3', 'E3']);
    expect((await eventsOf(app.db, PERIOD)).length).to.equal(before);
    const good = await upload(leader, PERIOD, 'good.csv', '单位,台账,等级,分值,日期,说明\n枫林村,安全生产事故,一般,,2025-05-03,\nv02,安全生产事故,,2,2025-05-04,\n');
    expect(good.status).to.equal(303);
    expect((await eventsOf(app.db, PERIOD)).length).to.equal(before + 2);
  });

  it('gives the template of the period as XLSX and CSV, every unit listed', async () => {
    const csv = await leader.request('GET', `/events/template.csv?period=${PERIOD}`);
    expect(csv.status).to.equal(200);
    const text = await csv.text();
    expect(text.split('\n')[0].replace(/^\uFEFF/, '').trim()).to.equal('单位,台账,等级,分值,日期,说明');
    expect(text).to.contain('枫林村').and.to.contain('填写说明（本行不导入）');
    expect(decodeURIComponent(csv.headers.get('content-disposition') ?? '')).to.contain('2025年度事件台账模板.csv');
    expect((await leader.request('GET', `/events/template.xlsx?period=${PERIOD}`)).status).to.equal(200);
    expect((await leader.request('GET', `/events/template.pdf?period=${PERIOD}`)).status).to.equal(404);
  });

  it('leaves the events input out of the entry form and the entry template, pointing to the ledger instead', async () => {
    const form = await leader.get(`/entry/${PERIOD}/village/v01`);
    expect(form.status).to.equal(200);
    expect(form.text).not.to.contain('name="accidents"');
    expect(form.text.replace(/&#x3D;/g, '=')).to.contain(`href="/events?period=${PERIOD}"`);
    const template = await (await leader.request('GET', `/entry/template.csv?period=${PERIOD}&track=village`)).text();
    expect(template.split('\n')[0]).not.to.contain('安全生产事故');
    expect(template.split('\n')[0]).to.contain('总人口');
  });

  it('ignores a filter the form does not offer, and says so; refuses a period that is none', async () => {
    const { text } = await leader.get(`/events?period=${PERIOD}&unit=${'x'.repeat(2000)}`);
    expect(text).to.contain('已忽略该筛选条件');
    const invalid = await leader.get('/events?period=20x5');
    expect(invalid.status).to.equal(400);
    expect(invalid.text).to.contain('data-code="PERIOD_INVALID"');
  });
});

describe('the events ledger of a province: more villages than a list holds', function () {
  this.timeout(120_000);
  let app: TestApp;
  let leader: Client;
  before(async () => {
    app = await startApp();
    await useEventsRules(app.db);
    const bytes = readFileSync(path.join(DEMO_DIR, 'villages-2024.csv'));
    await importInputs(app.db, { periodId: PERIOD, table: parseDataBytes(bytes, 'villages-2024.csv'), fileBytes: bytes, by: 'test' });
    const at = new Date().toISOString();
    // As many villages more as the forms list (MOST_CHOICES), two of them of one name.
    await upsertUnits(app.db, Array.from({ length: MOST_CHOICES }, (_, k) => ({
      id: `p${String(k).padStart(4, '0')}`, name: k < 2 ? '同名村' : `远方${k}村`, kind: 'village', parent_id: 'hetang', role: null, created_at: at,
    })));
    leader = await signedIn(app.url, 'leader');
  });
  after(async () => { await app?.close(); });

  it('has a field to type the unit in, not a list of every village, and adds an event to the unit typed by name', async () => {
    const page = (await leader.get(`/events?period=${PERIOD}`)).text;
    expect(page).not.to.contain('<select name="unit"').and.not.to.contain('远方7村');
    expect(page).to.match(/<input name="unit" value="" maxlength="100" required/);
    const res = await leader.post('/events', { period: PERIOD, unit: '远方7村', input: 'accidents', level: '较大', points: '', date: '2025-05-04', note: '按名称填写' });
    expect(res.status).to.equal(303);
    expect((await eventsOf(app.db, PERIOD)).find((e) => e.note === '按名称填写')).to.include({ unit_id: 'p0007' });
  });

  it('filters by a unit typed by name, or by number where its name is two units’, and says so of one it cannot tell', async () => {
    const byName = (await leader.get(`/events?period=${PERIOD}&unit=${encodeURIComponent('远方7村')}`)).text;
    expect(byName).to.contain('按名称填写').and.to.contain('value="远方7村"');
    await leader.post('/events', { period: PERIOD, unit: 'p0001', input: 'accidents', level: '一般', points: '', date: '2025-05-05', note: '同名之一' });
    const byNumber = (await leader.get(`/events?period=${PERIOD}&unit=p0001`)).text;
    expect(byNumber).to.contain('同名之一').and.not.to.contain('按名称填写');
    const twoOfOneName = (await leader.get(`/events?period=${PERIOD}&unit=${encodeURIComponent('同名村')}`)).text;
    expect(twoOfOneName).to.contain('同名之一').and.to.contain('按名称填写').and.to.contain('几个单位同名的，请填写单位编号');
  });
});
