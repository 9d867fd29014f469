import { expect } from 'chai';
import { parse } from 'csv-parse/sync';
import { listRuns } from '../../src/services/runs.js';
import { signedIn, startApp, type Client, type TestApp } from '../support/web.js';

/**
 * Issue 7, item 1 (access), beyond the table of routes × roles × own and other record in
 * test/http/access.test.ts (which fails for a route without an entry) and the extra form
 * fields of test/http/entry.test.ts: a village or staff account changing a run, a period,
 * a query parameter or the spelling of an id to reach what is not its own.
 */

describe('a village or staff account reaching past its own record (issue 7, item 1)', function () {
  this.timeout(60_000);
  let app: TestApp;
  let village: Client;
  let staff: Client;
  const run = { villagePublished: 0, villageDraft: 0, staffPublished: 0, staffDraft: 0 };

  before(async () => {
    app = await startApp();
    village = await signedIn(app.url, 'v01');
    staff = await signedIn(app.url, 's01');
    const runs = await listRuns(app.db);
    const find = (track: string, status: string) => runs.find((r) => r.track === track && r.status === status)!.id;
    Object.assign(run, {
      villagePublished: find('village', 'published'), villageDraft: find('village', 'draft'),
      staffPublished: find('staff', 'published'), staffDraft: find('staff', 'draft'),
    });
  });
  after(async () => { await app?.close(); });

  const status = async (c: Client, url: string) => (await c.get(url)).status;

  it('cannot see a draft (an unpublished period) of its own record by naming its run', async () => {
    for (const url of [`/units/v01?run=${run.villageDraft}`, `/units/v01/export.csv?run=${run.villageDraft}`, `/units/v01/export.xlsx?run=${run.villageDraft}`]) {
      expect(await status(village, url), url).to.equal(404);
    }
    for (const url of [`/staff/s01?run=${run.staffDraft}`, `/staff/s01/export.csv?run=${run.staffDraft}`]) {
      expect(await status(staff, url), url).to.equal(404);
    }
    // Its published record it does see; without a run named, the page never falls back to a draft.
    expect(await status(village, `/units/v01?run=${run.villagePublished}`)).to.equal(200);
    const { text } = await village.get('/units/v01');
    expect(text).not.to.contain(`run=${run.villageDraft}"`);
  });

  it('cannot reach another track’s run, or a run that does not exist, through its own page', async () => {
    for (const url of [`/units/v01?run=${run.staffPublished}`, '/units/v01?run=99999', '/units/v01?run=-1', '/units/v01?run=1e3']) {
      expect([200, 404], url).to.include(await status(village, url));
      const { text } = await village.get(url);
      expect(text, url).not.to.contain('s01').and.not.to.contain('双塘村');
    }
    expect(await status(staff, `/staff/s01?run=${run.villagePublished}`)).to.equal(404);
  });

  it('cannot reach another’s record by spelling its id another way', async () => {
    for (const url of ['/units/%76%30%32', '/units/v01%2F..%2Fv02', '/units/V02', '/units/v02%00', '/units/v02%20', '/units/%20v02', '/units/v01,v02', '/units/v02/export.csv', '/units/v02/export.xlsx']) {
      expect(await status(village, url), url).to.equal(404);
    }
    for (const url of ['/staff/%73%30%32', '/staff/S02', '/staff/s02/export.csv', '/units/v01', '/units/v01/export.csv']) {
      expect(await status(staff, url), url).to.equal(404);
    }
  });

  it('gets its own record whatever other unit a query parameter names', async () => {
    const { status: code, text } = await village.get('/units/v01?unitId=v02&unit_id=v02&parent=fenglin&track=staff&role=admin');
    expect(code).to.equal(200);
    expect(text).to.contain('枫林村 记分卡');
    const res = await village.request('GET', '/units/v01/export.csv?unitId=v02&unit_id=v02&what=ranking');
    expect(res.status).to.equal(200);
    const rows = parse(Buffer.from(await res.arrayBuffer()), { bom: true, relax_column_count: true }) as string[][];
    expect(rows[0][0]).to.equal('单位');
    expect(new Set(rows.slice(1).map((r) => r[0])), 'every line is its own').to.deep.equal(new Set(['枫林村']));
  });

  it('is answered as if another’s record did not exist, with nothing of it in the page', async () => {
    const other = await village.get('/units/v02');
    const missing = await village.get('/units/v99');
    expect(other.status).to.equal(404);
    expect(missing.status).to.equal(404);
    const same = (html: string) => html.replace(/<code>[0-9a-f]{8}<\/code>/, '').replace(/name="_csrf" value="[^"]*"/g, '');
    expect(same(other.text)).to.equal(same(missing.text));
    expect(other.text).not.to.contain('双塘村');
  });
});
