import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import ExcelJS from 'exceljs';
import { parse } from 'csv-parse/sync';
import { latestRuleVersion } from '../../src/db/queries/rule-versions.js';
import { ROUTES } from '../../src/http/routes/index.js';
import { parseDataBytes } from '../../src/io/data-file.js';
import { DEMO_DIR } from '../../src/paths.js';
import { importInputs } from '../../src/services/import-inputs.js';
import { createRun, publishRun } from '../../src/services/runs.js';
import { eventsOf } from '../../src/db/queries/events.js';
import { addEvent } from '../../src/services/events-ledger.js';
import { useEventsRules } from '../support/events-rules.js';
import type { Db } from '../../src/db/connection.js';
import { signedIn, startApp, type Client, type TestApp } from '../support/web.js';

/**
 * Issue 7, item 3 (forms and pages): hostile names rendered inert on every page and in
 * every export, and no GET that changes the record. CSRF, foreign Origin, security
 * headers and the error page are pinned in test/http/auth.test.ts; session lifetimes in
 * test/hardening/sessions.test.ts.
 */

/** Names a village or staff member could be given in an imported file, each trying a different way out. */
const VILLAGE_NAMES: Record<string, string> = {
  v01: '<script>alert(1)</script>',
  v02: '"onmouseover=alert(1) x="',
  v03: 'javascript:alert(1)',
  v04: '=HYPERLINK("x")',
  v06: '<svg/onload=alert(1)>',
};
const STAFF_NAMES: Record<string, string> = {
  s01: '<img src=x onerror=alert(1)>',
  s02: "'onfocus=alert(1) autofocus='",
};
const HOSTILE = [...Object.values(VILLAGE_NAMES), ...Object.values(STAFF_NAMES)];

const csvCell = (s: string) => (/[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s);

/** A demo data file with some units renamed, as CSV bytes. */
function renamed(file: string, names: Record<string, string>): Buffer {
  const rows = parse(readFileSync(path.join(DEMO_DIR, file)), { bom: true }) as string[][];
  const [header] = rows;
  const id = header.indexOf('id'), name = header.indexOf('name');
  for (const row of rows.slice(1)) if (names[row[id]] !== undefined) row[name] = names[row[id]];
  return Buffer.from(rows.map((r) => r.map(csvCell).join(',')).join('\n') + '\n');
}

async function importCsv(db: Db, period: string, track: 'village' | 'staff', bytes: Buffer): Promise<void> {
  await importInputs(db, { periodId: period, track, table: parseDataBytes(bytes, `${track}.csv`), fileBytes: bytes, by: 'test' });
}

/** What a page must never contain, whatever its data: markup, handlers or script URLs that came from a name. */
function expectInert(html: string, where: string): void {
  expect(html, `${where}: a script element`).not.to.match(/<script/i);
  expect(html, `${where}: an element from a name`).not.to.match(/<img\b|<svg\/onload/i);
  // Inside the tags (text between them is harmless, even when it reads "onmouseover="): no handler, no script URL.
  for (const [tag] of html.matchAll(/<[a-zA-Z][^>]*>/g)) {
    expect(tag, `${where}: an event handler`).not.to.match(/\son\w+\s*=/i);
    expect(tag, `${where}: autofocus from a name`).not.to.match(/\sautofocus\b/i);
    expect(tag, `${where}: a script URL`).not.to.match(/(href|src|action|formaction)\s*=\s*["']?\s*javascript:/i);
  }
  // A quote or bracket from a name ends no attribute and opens no element: each is escaped.
  for (const name of HOSTILE.filter((n) => /[<>"']/.test(n))) expect(html, `${where}: ${name} verbatim`).not.to.contain(name);
}

describe('hostile names on every page and in every export (issue 7, item 3)', function () {
  this.timeout(60_000);
  let app: TestApp;
  let admin: Client;
  const runs: Record<'village' | 'staff', number> = { village: 0, staff: 0 };

  before(async () => {
    app = await startApp();
    await importCsv(app.db, '2026', 'village', renamed('villages-2024.csv', VILLAGE_NAMES));
    await importCsv(app.db, '2026', 'staff', renamed('staff-2024.csv', STAFF_NAMES));
    for (const track of ['village', 'staff'] as const) {
      const run = await createRun(app.db, { periodId: '2026', track, by: 'test' });
      await publishRun(app.db, run.id, 'test');
      runs[track] = run.id;
    }
    admin = await signedIn(app.url, 'admin');
  });
  after(async () => { await app?.close(); });

  it('shows every name escaped on the ranking, scorecard, staff, entry and run pages', async () => {
    const pages = [
      `/runs`, `/runs/${runs.village}`, `/runs/${runs.village}?parent=fenglin`, `/runs/${runs.staff}`,
      // Found by a search its names match: the table sorted by name, and the chart of what was found.
      `/runs/${runs.village}?sort=name&q=${encodeURIComponent('<')}`, `/runs/${runs.village}?q=${encodeURIComponent('"')}&grade=${encodeURIComponent('"><script>')}`,
      ...Object.keys(VILLAGE_NAMES).map((id) => `/units/${id}?run=${runs.village}`),
      ...Object.keys(STAFF_NAMES).map((id) => `/staff/${id}?run=${runs.staff}`),
      '/entry?period=2026&track=village', '/entry?period=2026&track=staff',
      '/entry/2026/village/v01', '/entry/2026/village/v02', '/entry/2026/staff/s01', '/entry/2026/staff/s02',
    ];
    let shown = 0;
    for (const url of pages) {
      const { status, text } = await admin.get(url);
      expect(status, url).to.equal(200);
      expectInert(text, url);
      if (text.includes('&lt;script&gt;alert(1)&lt;/script&gt;') || text.includes('&lt;img src&#x3D;x')) shown++;
    }
    // The names are on the pages (escaped), not merely absent.
    const ranking = (await admin.get(`/runs/${runs.village}`)).text;
    expect(ranking).to.contain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(ranking).to.contain('&quot;onmouseover&#x3D;alert(1) x&#x3D;&quot;');
    expect(ranking).to.contain('javascript:alert(1)'); // as text, never as a link
    expect(shown).to.be.greaterThan(6);
  });

  it('shows them escaped in the rule editor’s preview of who moves', async () => {
    const shipped = (await latestRuleVersion(app.db, 'village-annual'))!;
    await admin.get('/rules/village-annual/edit');
    const res = await admin.post('/rules/village-annual/preview', { source: shipped.source.replace('"target": 8,', '"target": 6,') });
    const text = await res.text();
    expect(res.status).to.equal(200);
    expect(text).to.contain(`以第${runs.village}号考核`);
    // v04 and v06 are among those the lower target moves (as in the demo data): their names are shown, escaped.
    expect(text).to.contain('HYPERLINK(&quot;x&quot;)').and.to.contain('&lt;svg/onload&#x3D;alert(1)&gt;');
    expectInert(text, 'preview');
  });

  it('shows the leader and a village’s own account the same names escaped', async () => {
    const v01 = await signedIn(app.url, 'v01');
    const s01 = await signedIn(app.url, 's01');
    for (const [c, url] of [[v01, '/units/v01'], [s01, '/staff/s01']] as const) {
      const { status, text } = await c.get(url);
      expect(status, url).to.equal(200);
      expectInert(text, url);
    }
  });

  it('writes them as inert text in CSV exports: no cell a spreadsheet would run', async () => {
    for (const url of [
      `/runs/${runs.village}/export.csv`, `/runs/${runs.staff}/export.csv`, `/units/v04/export.csv?run=${runs.village}`, `/staff/s01/export.csv?run=${runs.staff}`,
    ]) {
      const res = await admin.request('GET', url);
      expect(res.status, url).to.equal(200);
      const cells = (parse(Buffer.from(await res.arrayBuffer()), { bom: true, relax_column_count: true }) as string[][]).flat();
      for (const cell of cells) {
        expect(/^[=+@\t\r]/.test(cell) || (/^-/.test(cell) && !/^-\d+(\.\d+)?$/.test(cell)), `${url}: ${cell}`).to.equal(false);
      }
      if (url.includes(`/runs/${runs.village}/`)) {
        expect(cells).to.include(`'=HYPERLINK("x")`);
        expect(cells).to.include('<script>alert(1)</script>'); // text in a CSV, shown as text
      }
    }
  });

  it('writes them as inert text in XLSX exports: strings, never a formula or a link', async () => {
    for (const url of [`/runs/${runs.village}/export.xlsx`, `/units/v04/export.xlsx?run=${runs.village}`, `/staff/s02/export.xlsx?run=${runs.staff}`]) {
      const res = await admin.request('GET', url);
      expect(res.status, url).to.equal(200);
      const wb = new ExcelJS.Workbook();
      await wb.xlsx.load(await res.arrayBuffer());
      const values: unknown[] = [];
      wb.eachSheet((sheet) => sheet.eachRow((row) => row.eachCell((cell) => {
        values.push(cell.value);
        expect(cell.type, `${url} ${cell.address}`).to.be.oneOf([ExcelJS.ValueType.String, ExcelJS.ValueType.Number, ExcelJS.ValueType.Boolean, ExcelJS.ValueType.Null, ExcelJS.ValueType.Merge]);
        if (typeof cell.value === 'string') expect(cell.value, `${url} ${cell.address}`).not.to.match(/^[=+@]/);
      })));
      if (url.startsWith('/runs/') || url.startsWith('/units/v04')) expect(values, url).to.include(`'=HYPERLINK("x")`);
    }
  });

  // Last: it makes the village rule set one with an events ledger.
  it('shows them escaped in the events ledger, its forms and its template, with a hostile note beside each', async () => {
    await useEventsRules(app.db);
    for (const id of Object.keys(VILLAGE_NAMES)) {
      await addEvent(app.db, { periodId: '2026', fields: { unit: id, input: 'accidents', level: '一般', date: '2026-01-05', note: VILLAGE_NAMES[id].slice(0, 200) }, by: 'test' });
    }
    const [first] = await eventsOf(app.db, '2026');
    let shown = 0;
    for (const url of ['/events?period=2026', `/events?period=2026&unit=${Object.keys(VILLAGE_NAMES)[0]}`, `/events/${first.id}`, '/events/upload?period=2026']) {
      const { status, text } = await admin.get(url);
      expect(status, url).to.equal(200);
      expectInert(text, url);
      if (text.includes('&lt;script&gt;alert(1)&lt;/script&gt;')) shown++;
    }
    expect(shown).to.be.at.least(2);
    const csv = await (await admin.request('GET', '/events/template.csv?period=2026')).text();
    for (const line of csv.split('\n').slice(2)) expect(line, 'a template row').not.to.match(/^[=+\-@]/);
  });
});

/** A sample value for each route parameter; a new parameter fails the walk until it is given one here. */
const PARAMS: Record<string, string[]> = {
  id: ['1', '2'],
  unitId: ['v01'],
  staffId: ['s01'],
  format: ['csv', 'xlsx'],
  period: ['2024', '2031'],
  track: ['village', 'staff'],
  assessmentId: ['village', 'staff'],
  rulesetId: ['village-annual', 'staff-annual'],
  sha: ['latest'],
  file: ['00000000000000000000000000000000.xlsx'],
  username: ['v09', 'admin'],
  appealId: ['1'],
  fileId: ['1'],
  reportId: ['1'],
  evidenceId: ['1'],
  eventFileId: ['1'],
};

/** Every way of filling a path's parameters from PARAMS. */
function fillings(route: string): string[] {
  const names = [...route.matchAll(/:(\w+)/g)].map((m) => m[1]);
  let urls = [route];
  for (const name of names) {
    const values = PARAMS[name];
    if (!values) throw new Error(`no sample value for route parameter :${name}: add it to PARAMS in ${import.meta.url}`);
    urls = urls.flatMap((u) => values.map((v) => u.replace(`:${name}`, encodeURIComponent(v))));
  }
  return urls;
}

/** Every table's rows, except those a GET may add to: the audit log (who looked), sessions and the login throttle. */
async function recordState(db: Db): Promise<Record<string, string>> {
  const tables = (await db.raw(`select name from sqlite_master where type = 'table' and name not like 'sqlite_%'`) as Array<{ name: string }>)
    .map((t) => t.name).filter((t) => !['audit_log', 'sessions', 'login_throttle'].includes(t)).sort();
  expect(tables).to.include.members(['runs', 'inputs', 'rule_versions', 'users', 'periods', 'units']);
  const state: Record<string, string> = {};
  for (const t of tables) state[t] = JSON.stringify(await db.raw(`select * from "${t}" order by 1`));
  return state;
}

describe('no GET changes the record (issue 7, item 3)', function () {
  this.timeout(120_000);
  let app: TestApp;
  before(async () => { app = await startApp(); });
  after(async () => { await app?.close(); });

  it('walks every GET route as the admin, with action-like query parameters, and finds every table as it was', async () => {
    const admin = await signedIn(app.url, 'admin');
    const leader = await signedIn(app.url, 'leader');
    const before = await recordState(app.db);
    const gets = ROUTES.filter((r) => r.method === 'get');
    expect(gets.length).to.be.greaterThan(10);
    let visited = 0;
    for (const route of gets) {
      for (const url of fillings(route.path)) {
        for (const query of ['', '?publish=1&_method=POST&action=delete&replace=1&period=2032&track=village&run=2&source=x']) {
          for (const c of [admin, leader]) {
            const { status } = await c.get(url + query);
            expect(status, url + query).to.be.below(500);
            visited++;
          }
        }
      }
    }
    expect(visited).to.be.greaterThan(40);
    const after = await recordState(app.db);
    for (const table of Object.keys(before)) expect(after[table], table).to.equal(before[table]);
    expect(Object.keys(after)).to.deep.equal(Object.keys(before));
  });
});
