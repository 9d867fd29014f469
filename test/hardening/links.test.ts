import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'csv-parse/sync';
import type { Db } from '../../src/db/connection.js';
import { urlOf } from '../../src/http/url.js';
import { parseDataBytes } from '../../src/io/data-file.js';
import { DEMO_DIR } from '../../src/paths.js';
import { addUser } from '../../src/services/accounts.js';
import { importInputs } from '../../src/services/import-inputs.js';
import { createRun, publishRun } from '../../src/services/runs.js';
import { Client, signedIn, startApp, type TestApp } from '../support/web.js';

/**
 * Issue 17, item 7: links made from unit ids. A township may number its units any way it
 * likes (a/b, x?y=1, 50%, 村 一 …): every link to a unit, on every page and in every
 * redirect, lands on exactly that unit, for the leader and for the village itself, and
 * every export's file name survives the Content-Disposition header.
 */

/** Demo villages and staff renumbered with ids that a raw link would break, each in its own way. */
const VILLAGE_IDS: Record<string, string> = {
  v01: 'a/b', v02: 'x?y=1', v03: '50%', v04: '<b>', v05: '村 一', v06: 'v01#2', v07: "it's", v08: '%2e%2e', v10: 'a+b&c=d;e', v11: 'v01/../v02',
};
const STAFF_IDS: Record<string, string> = { s01: 's/1', s02: 's?2', s03: '30%', s04: '"q"' };
const HOSTILE = [...Object.values(VILLAGE_IDS), ...Object.values(STAFF_IDS)];
const PASSWORD = 'links-测试口令-2026';

const csvCell = (s: string) => (/[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s);

/** A demo data file with its ids (and the parents that name them) renumbered; the names of the units, by their new id. */
function renumbered(file: string, ids: Record<string, string>, parents: Record<string, string>): { bytes: Buffer; names: Map<string, string> } {
  const rows = parse(readFileSync(path.join(DEMO_DIR, file)), { bom: true }) as string[][];
  const [header] = rows;
  const id = header.indexOf('id'), name = header.indexOf('name'), parent = header.indexOf('parent');
  const names = new Map<string, string>();
  for (const row of rows.slice(1)) {
    // A unit numbered anew is a new unit beside the demo's: a name of its own, as two 枫林村 under one township are refused.
    if (ids[row[id]] !== undefined && parents[row[parent]] === undefined) row[name] = `新${row[name]}`;
    row[id] = ids[row[id]] ?? row[id];
    row[parent] = parents[row[parent]] ?? row[parent];
    names.set(row[id], row[name]);
  }
  return { bytes: Buffer.from(rows.map((r) => r.map(csvCell).join(',')).join('\n') + '\n'), names };
}

async function importCsv(db: Db, track: 'village' | 'staff', bytes: Buffer): Promise<void> {
  await importInputs(db, { periodId: '2026', track, table: parseDataBytes(bytes, `${track}.csv`), fileBytes: bytes, by: 'test' });
}

const ENTITIES: Record<string, string> = { '&amp;': '&', '&lt;': '<', '&gt;': '>', '&quot;': '"', '&#x27;': "'", '&#39;': "'", '&#x3D;': '=', '&#x60;': '`' };
const unescape = (s: string) => s.replace(/&(amp|lt|gt|quot|#x27|#39|#x3D|#x60);/g, (e) => ENTITIES[e]);
const escape = (s: string) => s.replace(/[&<>"'`=]/g, (c) => Object.keys(ENTITIES).find((e) => ENTITIES[e] === c)!);

/** Every href and action of a page, as a browser reads them; fragments, static files and sign-out left out. */
function linksOf(html: string): string[] {
  return [...html.matchAll(/\s(?:href|action)="([^"]*)"/g)].map((m) => unescape(m[1]))
    .filter((u) => !u.startsWith('#') && !u.startsWith('/static/') && u !== '/logout');
}

/** A link resolved as a browser resolves it against the page it is on, as the path and query the server will see. */
function resolve(base: string, page: string, link: string): string {
  const u = new URL(link, base + page);
  expect(u.origin, link).to.equal(base);
  return u.pathname + u.search;
}

/** The unit links of a ranking table: where each goes, the name it shows and the unit it is for (data-unit). */
function unitLinks(html: string): Array<{ href: string; name: string; id: string }> {
  return [...html.matchAll(/<td(?: class="name")?><a href="([^"]*)" data-unit="([^"]*)">([^<]*)<\/a><\/td>/g)]
    .map((m) => ({ href: unescape(m[1]), name: unescape(m[3]), id: unescape(m[2]) }));
}

/** What an export's Content-Disposition offers a browser to save it as (RFC 6266 with RFC 5987's filename*). */
function savedAs(header: string | null): string {
  expect(header).to.match(/^attachment; filename="[\x20-\x21\x23-\x5b\x5d-\x7e]*"(; filename\*=UTF-8''[A-Za-z0-9!#$&+^_`|~.%-]+)?$/);
  const star = /filename\*=UTF-8''(.+)$/.exec(header!);
  return star ? decodeURIComponent(star[1]) : /filename="(.*)"/.exec(header!)![1];
}

describe('links made from unit ids land on exactly that unit (issue 17, item 7)', function () {
  this.timeout(120_000);
  let app: TestApp;
  let leader: Client;
  let names: Map<string, string>;
  const runs = { village: 0, staff: 0 };

  before(async () => {
    app = await startApp();
    const villages = renumbered('villages-2024.csv', VILLAGE_IDS, {});
    const staff = renumbered('staff-2024.csv', STAFF_IDS, VILLAGE_IDS);
    names = new Map([...villages.names, ...staff.names]);
    await importCsv(app.db, 'village', villages.bytes);
    await importCsv(app.db, 'staff', staff.bytes);
    for (const track of ['village', 'staff'] as const) {
      const run = await createRun(app.db, { periodId: '2026', track, by: 'test' });
      await publishRun(app.db, run.id, 'test');
      runs[track] = run.id;
    }
    await addUser(app.db, { username: 'cun-ab', role: 'village', unitId: 'a/b', password: PASSWORD }, 'test');
    await addUser(app.db, { username: 'cun-hash', role: 'village', unitId: 'v01#2', password: PASSWORD }, 'test');
    await addUser(app.db, { username: 'gz-s1', role: 'staff', unitId: 's/1', password: PASSWORD }, 'test');
    leader = await signedIn(app.url, 'leader');
  });
  after(async () => { await app?.close(); });

  async function signedInAs(username: string): Promise<Client> {
    const c = new Client(app.url);
    expect((await c.login(username, PASSWORD)).status).to.equal(303);
    return c;
  }

  /** Follows every link of a page (GET; a redirect once) and expects each to answer 200; exports are checked for their file name. */
  async function followAll(c: Client, page: string, html: string): Promise<number> {
    let followed = 0;
    for (const link of linksOf(html)) {
      let url = resolve(app.url, page, link);
      let res = await c.request('GET', url);
      // The home link answers with where the account's home is: followed once.
      if (res.status === 302) res = await c.request('GET', (url = resolve(app.url, url, res.headers.get('location')!)));
      expect(res.status, `${page} → ${link}`).to.equal(200);
      if (/\/export\.(csv|xlsx)$/.test(new URL(url, app.url).pathname)) savedAs(res.headers.get('content-disposition'));
      await res.arrayBuffer();
      followed++;
    }
    return followed;
  }

  it('links every unit of the ranking, village and staff, to its own scorecard', async () => {
    for (const [track, base] of [['village', '/units'], ['staff', '/staff']] as const) {
      const page = `/runs/${runs[track]}`;
      const { status, text } = await leader.get(page);
      expect(status).to.equal(200);
      const links = unitLinks(text);
      expect(links.map((l) => l.id)).to.include.members(Object.values(track === 'village' ? VILLAGE_IDS : STAFF_IDS));
      for (const { href, name, id } of links) {
        const url = resolve(app.url, page, href);
        expect(url).to.equal(`${base}/${encodeURIComponent(id).replace(/'/g, '%27')}?run=${runs[track]}`);
        const card = await leader.get(url);
        expect(card.status, `${id}: ${url}`).to.equal(200);
        expect(name).to.equal(names.get(id));
        expect(card.text, `${id}: ${url}`).to.contain(`<h1>${escape(name)}`);
      }
    }
  });

  it('follows every link of each renumbered unit’s scorecard and staff page to a page that answers', async () => {
    let followed = 0;
    for (const [base, ids, run] of [['units', VILLAGE_IDS, runs.village], ['staff', STAFF_IDS, runs.staff]] as const) {
      for (const id of Object.values(ids)) {
        const page = urlOf([base, id], { run });
        const { status, text } = await leader.get(page);
        expect(status, page).to.equal(200);
        expect(text, page).to.contain(`<h1>${escape(names.get(id)!)}`);
        // The run chooser submits to the page itself, and the exports are this unit's.
        expect(linksOf(text), page).to.include(urlOf([base, id])).and.to.include(urlOf([base, id, 'export.csv'], { run }));
        followed += await followAll(leader, page, text);
      }
    }
    expect(followed).to.be.greaterThan(HOSTILE.length * 3);
  });

  it('takes a village and a staff member numbered so to their own page, its menu and exports, and no other', async () => {
    for (const [username, base, id] of [['cun-ab', 'units', 'a/b'], ['cun-hash', 'units', 'v01#2'], ['gz-s1', 'staff', 's/1']] as const) {
      const c = await signedInAs(username);
      // The home page (首页) links to the account's own page, in its menu and beside its result.
      const home = await c.get('/');
      expect(home.status).to.equal(200);
      const own = urlOf([base, id]);
      expect(linksOf(home.text)).to.include(own);
      const { status, text } = await c.get(own);
      expect(status, own).to.equal(200);
      expect(text).to.contain(`<h1>${escape(names.get(id)!)}`);
      expect(await followAll(c, own, text)).to.be.greaterThan(3);
      const csv = await c.request('GET', urlOf([base, id, 'export.csv']));
      expect(csv.status).to.equal(200);
      expect(await csv.text()).to.contain(names.get(id)!);
    }
    // Signed out, the page's link leads through the login page back to exactly that page.
    const anonymous = new Client(app.url);
    const asked = urlOf(['units', 'a/b'], { run: runs.village });
    const toLogin = await anonymous.request('GET', asked);
    expect(toLogin.status).to.equal(302);
    const login = await anonymous.get(resolve(app.url, asked, toLogin.headers.get('location')!));
    const next = unescape(/name="next" value="([^"]*)"/.exec(login.text)![1]);
    const back = await anonymous.post('/login', { username: 'cun-ab', password: PASSWORD, next });
    expect(back.status).to.equal(303);
    expect(resolve(app.url, '/login', back.headers.get('location')!)).to.equal(asked);
    const village = await signedInAs('cun-ab');
    // The raw spellings the old links made lead elsewhere: to another unit's page (404) or none.
    for (const url of ['/units/a/b', '/units/a', '/units/b', '/units/a%2Fb%00', '/units/A%2FB', '/units/x%3Fy%3D1', '/units/v01%232', '/units/v01', '/units/a%2Fb/..%2F..%2Fv02']) {
      expect((await village.get(url)).status, url).to.equal(404);
    }
  });

  it('links each unit of the data entry page to its own form, whose form saves that unit and returns to its row', async () => {
    const page = '/entry?period=2026&track=village';
    const { status, text } = await leader.get(page);
    expect(status).to.equal(200);
    let forms = 0;
    for (const id of Object.values(VILLAGE_IDS)) {
      const row = new RegExp(`<tr id="unit-${escape(id).replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}"[^>]*>[\\s\\S]*?<a href="([^"]*)"`).exec(text);
      expect(row, id).not.to.equal(null);
      const formUrl = resolve(app.url, page, unescape(row![1]));
      expect(formUrl).to.equal(urlOf(['entry', '2026', 'village', id]));
      const form = await leader.get(formUrl);
      expect(form.status, formUrl).to.equal(200);
      expect(form.text).to.contain(`<h1 data-unit="${escape(id)}">`);
      const action = resolve(app.url, formUrl, unescape(/<form method="post" action="([^"]*)" class="entry-form"/.exec(form.text)![1]));
      expect(action).to.equal(formUrl);
      // Every stored value posted back as it is shown: saved, and sent back to this unit's row of the list.
      const values = Object.fromEntries([...form.text.matchAll(/<input id="in-[^"]*" name="([^"]*)"[^>]*value="([^"]*)"/g)].map((m) => [unescape(m[1]), unescape(m[2])]));
      const selects = [...form.text.matchAll(/<select id="in-[^"]*" name="([^"]*)"[\s\S]*?<\/select>/g)]
        .map((m) => [unescape(m[1]), unescape(/<option value="([^"]*)" selected>/.exec(m[0])?.[1] ?? '')]);
      // The period's result is published: the save is confirmed as the form asks (issue 19, point 4).
      const saved = await leader.post(action, { ...values, ...Object.fromEntries(selects), confirmPublished: '1' });
      expect(saved.status, id).to.equal(303);
      expect(saved.headers.get('location')).to.equal(urlOf(['entry'], { period: '2026', track: 'village' }, `unit-${id}`));
      forms++;
    }
    expect(forms).to.equal(Object.keys(VILLAGE_IDS).length);
  });

  it('follows every link of the ranking, report and rules pages to a page that answers', async () => {
    for (const page of [`/runs/${runs.village}`, `/runs/${runs.staff}`, '/runs', '/report?period=2026', '/rules', '/rules/village-annual/v/latest', '/rules/staff-annual/diff', '/entry?period=2026&track=staff']) {
      const { status, text } = await leader.get(page);
      expect(status, page).to.equal(200);
      expect(await followAll(leader, page, text), page).to.be.greaterThan(0);
    }
  });

  it('names each scorecard export after its unit, whatever its id, in a header no id can break', async () => {
    for (const id of ['a/b', 'x?y=1', '50%', '<b>', '村 一', 'v01#2', "it's", 'a+b&c=d;e', '"q"', 's/1']) {
      const base = Object.values(STAFF_IDS).includes(id) ? 'staff' : 'units';
      const run = base === 'staff' ? runs.staff : runs.village;
      for (const format of ['csv', 'xlsx']) {
        const res = await leader.request('GET', urlOf([base, id, `export.${format}`], { run }));
        expect(res.status, id).to.equal(200);
        expect(savedAs(res.headers.get('content-disposition')), id).to.equal(`${names.get(id)}2026年度${base === 'staff' ? '双线考核（工作人员）' : '村级千分考核'}记分卡（第${run}号）.${format}`);
        await res.arrayBuffer();
      }
    }
  });
});
