import { expect } from 'chai';
import type { Role } from '../../src/db/queries/users.js';
import { ROUTES } from '../../src/http/routes/index.js';
import { auditEntries } from '../../src/db/queries/audit.js';
import { getRun } from '../../src/db/queries/runs.js';
import { fileAppeal } from '../../src/services/appeals.js';
import { compiledVersion } from '../../src/services/rule-versions.js';
import { addEvent } from '../../src/services/events-ledger.js';
import { useEventsRules } from '../support/events-rules.js';
import { openReporting, saveReport } from '../../src/services/collection.js';
import { filesOfReport, getReport } from '../../src/db/queries/reports.js';
import { filesOfEvents, insertEventFile } from '../../src/db/queries/events.js';
import { filesOfAppeals } from '../../src/db/queries/appeals.js';
import { today } from '../../src/services/review-period.js';
import { ACCOUNT_OF_ROLE, Client, signedIn, startApp, type TestApp } from '../support/web.js';

/**
 * Every route × every role × own and other record. The table below is the contract:
 * a route that is mounted but missing here (or listed here but gone) fails the first test.
 */

type Who = Role | 'anonymous';
const ALL: Role[] = ['admin', 'leader', 'village', 'staff'];
const MANAGERS: Role[] = ['admin', 'leader'];
const UNITS: Role[] = ['village', 'staff'];

/** Who may use each route. `own` routes are tried by village/staff accounts on their own record and on another's. */
const EXPECTED: Record<string, { roles: Role[] | 'public'; own?: boolean }> = {
  'GET /login': { roles: 'public' },
  'POST /login': { roles: 'public' },
  'POST /logout': { roles: ALL },
  'GET /': { roles: ALL },
  'GET /runs': { roles: MANAGERS },
  'POST /runs': { roles: MANAGERS },
  'GET /runs/:id': { roles: MANAGERS },
  'GET /runs/:id/publish': { roles: MANAGERS },
  'POST /runs/:id/publish': { roles: MANAGERS },
  'POST /runs/:id/finalize': { roles: MANAGERS },
  'POST /runs/:id/discard': { roles: MANAGERS },
  'GET /runs/:id/export.:format': { roles: MANAGERS },
  'GET /runs/:id/notice.docx': { roles: MANAGERS },
  'GET /runs/:id/correct': { roles: MANAGERS },
  'POST /runs/:id/correct': { roles: MANAGERS },
  'GET /units/:unitId': { roles: ['admin', 'leader', 'village'], own: true },
  'GET /units/:unitId/export.:format': { roles: ['admin', 'leader', 'village'], own: true },
  'GET /units/:unitId/ranking': { roles: ['admin', 'leader', 'village'], own: true },
  'GET /staff/:staffId': { roles: ['admin', 'leader', 'staff'], own: true },
  'GET /staff/:staffId/export.:format': { roles: ['admin', 'leader', 'staff'], own: true },
  'GET /staff/:staffId/ranking': { roles: ['admin', 'leader', 'staff'], own: true },
  'GET /rules': { roles: MANAGERS },
  'GET /rules/:rulesetId/v/:sha': { roles: MANAGERS },
  'GET /rules/:rulesetId/diff': { roles: MANAGERS },
  'GET /rules/:rulesetId/edit': { roles: ['admin'] },
  'POST /rules/:rulesetId/preview': { roles: ['admin'] },
  'POST /rules/:rulesetId': { roles: ['admin'] },
  'GET /report': { roles: MANAGERS },
  'GET /report/export.:format': { roles: MANAGERS },
  'GET /entry': { roles: MANAGERS },
  'GET /entry/upload': { roles: MANAGERS },
  'POST /entry/upload': { roles: MANAGERS },
  'GET /entry/template.:format': { roles: MANAGERS },
  'GET /entry/report/:file': { roles: MANAGERS },
  'GET /entry/:period/:track/:unitId': { roles: MANAGERS },
  'POST /entry/:period/:track/:unitId': { roles: MANAGERS },
  'GET /events': { roles: MANAGERS },
  'POST /events': { roles: MANAGERS },
  'GET /events/upload': { roles: MANAGERS },
  'POST /events/upload': { roles: MANAGERS },
  'GET /events/template.:format': { roles: MANAGERS },
  'GET /events/:id': { roles: MANAGERS },
  'POST /events/:id': { roles: MANAGERS },
  'POST /events/:id/withdraw': { roles: MANAGERS },
  'GET /events/:id/files/:eventFileId': { roles: MANAGERS },
  'GET /admin/accounts': { roles: ['admin'] },
  'POST /admin/accounts': { roles: ['admin'] },
  'GET /admin/accounts/:username': { roles: ['admin'] },
  'POST /admin/accounts/:username/rename': { roles: ['admin'] },
  'POST /admin/accounts/:username/disable': { roles: ['admin'] },
  'POST /admin/accounts/:username/enable': { roles: ['admin'] },
  'POST /admin/accounts/:username/reset': { roles: ['admin'] },
  'GET /admin/units': { roles: ['admin'] },
  'POST /admin/units': { roles: ['admin'] },
  'GET /admin/units/:unitId': { roles: ['admin'] },
  'POST /admin/units/:unitId/rename': { roles: ['admin'] },
  'POST /admin/units/:unitId/move': { roles: ['admin'] },
  'POST /admin/units/:unitId/disable': { roles: ['admin'] },
  'POST /admin/units/:unitId/enable': { roles: ['admin'] },
  'GET /admin/assessments': { roles: ['admin'] },
  'POST /admin/assessments': { roles: ['admin'] },
  'GET /admin/assessments/:assessmentId': { roles: ['admin'] },
  'POST /admin/assessments/:assessmentId/rename': { roles: ['admin'] },
  'POST /admin/assessments/:assessmentId/move': { roles: ['admin'] },
  'POST /admin/assessments/:assessmentId/disable': { roles: ['admin'] },
  'POST /admin/assessments/:assessmentId/enable': { roles: ['admin'] },
  'GET /admin/backup': { roles: ['admin'] },
  'GET /admin/backup/download': { roles: ['admin'] },
  'GET /units/:unitId/appeals': { roles: ['admin', 'leader', 'village'], own: true },
  'POST /units/:unitId/appeals': { roles: ['village'], own: true },
  'GET /staff/:staffId/appeals': { roles: ['admin', 'leader', 'staff'], own: true },
  'POST /staff/:staffId/appeals': { roles: ['staff'], own: true },
  'GET /appeals': { roles: MANAGERS },
  'GET /appeals/:appealId': { roles: MANAGERS },
  'POST /appeals/:appealId/answer': { roles: MANAGERS },
  // An appeal's evidence: the managers, and the account of the unit that filed it (looked up, not in the path).
  'GET /appeals/:appealId/files/:fileId': { roles: ALL, own: true },
  'GET /inbox': { roles: ALL },
  'POST /inbox/read': { roles: ALL },
  'GET /audit': { roles: MANAGERS },
  'GET /audit/export.:format': { roles: MANAGERS },
  'GET /entry/statistics': { roles: MANAGERS },
  'POST /entry/statistics': { roles: MANAGERS },
  'GET /entry/statistics.:format': { roles: MANAGERS },
  'GET /collection': { roles: MANAGERS },
  'GET /collection/board.:format': { roles: MANAGERS },
  'POST /collection/open': { roles: MANAGERS },
  'POST /collection/close': { roles: MANAGERS },
  'POST /collection/remind': { roles: MANAGERS },
  'POST /collection/reopen': { roles: MANAGERS },
  'GET /collection/review': { roles: MANAGERS },
  'GET /reports/:reportId': { roles: MANAGERS },
  'POST /reports/:reportId/approve': { roles: MANAGERS },
  'POST /reports/:reportId/return': { roles: MANAGERS },
  'GET /reports/:reportId/files/:evidenceId': { roles: MANAGERS },
  // A unit's own report: the unit is the account's, never named in the path.
  'GET /reporting': { roles: UNITS },
  'GET /reporting/:period': { roles: UNITS },
  'POST /reporting/:period': { roles: UNITS },
  'GET /reporting/:period/files/:evidenceId': { roles: UNITS },
};

/**
 * Values for route parameters: [own record of the village/staff account, another's record];
 * `staff` where the staff account's own record is another (its own appeal).
 */
const PARAMS: Record<string, { own: string; other: string; staff?: string }> = {
  id: { own: '1', other: '1' },
  unitId: { own: 'v01', other: 'v02' },
  staffId: { own: 's01', other: 's02' },
  format: { own: 'csv', other: 'csv' },
  period: { own: '2024', other: '2024' },
  track: { own: 'village', other: 'village' },
  assessmentId: { own: 'village', other: 'village' },
  rulesetId: { own: 'village-annual', other: 'village-annual' },
  sha: { own: 'latest', other: 'latest' },
  file: { own: '00000000000000000000000000000000.xlsx', other: '00000000000000000000000000000000.xlsx' },
  username: { own: 'v09', other: 'v09' },
  // Appeal 1 is v01's, 2 v02's, 3 s01's, each with a file (its id set in before()): filed in before().
  appealId: { own: '1', other: '2', staff: '3' },
  fileId: { own: '', other: '', staff: '' },
  // Event 1's file: set in before().
  eventFileId: { own: '', other: '' },
  // A report and its files (数据填报): set in before(), from the demo's reports and those made there.
  reportId: { own: '', other: '' },
  evidenceId: { own: '', other: '', staff: '' },
};

function fill(path: string, which: 'own' | 'other', who?: Who): string {
  return path.replace(/:(\w+)/g, (_m, name: string) => {
    const p = PARAMS[name];
    if (!p) throw new Error(`no sample value for route parameter :${name}: add it to PARAMS`);
    return encodeURIComponent(which === 'own' && who === 'staff' && p.staff !== undefined ? p.staff : p[which]);
  });
}

const PDF = Buffer.from('%PDF-1.4\n%%EOF\n');

describe('access to every route, by role and by record', function () {
  this.timeout(120_000);
  let app: TestApp;
  const clients = new Map<Who, Client>();
  before(async () => {
    app = await startApp();
    // The demo's 2023 runs (1 village, 3 staff) are under 公示: one appeal each for v01, v02 and s01, each with a file.
    for (const [runId, unitId, by] of [[1, 'v01', 'v01'], [1, 'v02', 'v02'], [3, 's01', 's01']] as const) {
      const rs = (await compiledVersion(app.db, (await getRun(app.db, runId))!.rule_sha256)).ruleset;
      await fileAppeal(app.db, { runId, unitId, by, items: [{ kind: 'clause', id: rs.criteria[0].id }], reason: '有异议', files: [{ name: 'a.pdf', content: PDF }] });
    }
    // Event 1 of the events ledger (/events/:id), under a village rule set with one.
    await useEventsRules(app.db);
    await addEvent(app.db, { periodId: '2024', fields: { unit: 'v01', input: 'accidents', level: '一般', date: '2024-05-03' }, by: 'leader' });
    // Event 1 (the demo's first) with a file.
    await insertEventFile(app.db, 1, { sha256: '0'.repeat(64), media_type: 'application/pdf', size: PDF.length, file_name: '现场.pdf', content: PDF, unit_id: null, uploaded_by: 'leader', uploaded_at: new Date().toISOString() });
    const [eventFile] = await filesOfEvents(app.db, [1]);
    Object.assign(PARAMS.eventFileId, { own: String(eventFile.id), other: String(eventFile.id) });
    const appealFiles = await filesOfAppeals(app.db, [1, 2, 3]);
    const fileOfAppeal = (id: number) => String(appealFiles.find((f) => f.appeal_id === id)!.id);
    Object.assign(PARAMS.fileId, { own: fileOfAppeal(1), other: fileOfAppeal(2), staff: fileOfAppeal(3) });
    // v01's report of 2024 with a file (the demo's 党建 reporting is open), s01's under the staff reporting opened here;
    // v02's is the demo's (submitted, with its files).
    await openReporting(app.db, { periodId: '2024', assessmentId: 'staff', deadline: today(), by: 'leader' });
    const own = await saveReport(app.db, { periodId: '2024', unitId: 'v01', cells: {}, files: [{ field: 'heldLifeMeeting', upload: { name: '佐证.pdf', content: PDF } }], submit: false, by: 'v01' });
    const staff = await saveReport(app.db, { periodId: '2024', unitId: 's01', cells: {}, files: [{ field: 'hasStudyNotes', upload: { name: '笔记.pdf', content: PDF } }], submit: false, by: 's01' });
    const fileOf = async (reportId: number) => String((await filesOfReport(app.db, reportId))[0].id);
    Object.assign(PARAMS.reportId, { own: String(own.id), other: String(own.id) });
    Object.assign(PARAMS.evidenceId, { own: await fileOf(own.id), other: await fileOf((await getReport(app.db, '2024', 'v02'))!.id), staff: await fileOf(staff.id) });
    clients.set('anonymous', new Client(app.url));
    for (const role of ALL) clients.set(role, await signedIn(app.url, ACCOUNT_OF_ROLE[role]));
  });
  after(async () => { await app?.close(); });

  it('has an entry in the table for every mounted route, and no entry for a route that is gone', () => {
    const mounted = ROUTES.map((r) => `${r.method.toUpperCase()} ${r.path}`).sort();
    expect(mounted).to.deep.equal(Object.keys(EXPECTED).sort());
    for (const r of ROUTES) {
      const e = EXPECTED[`${r.method.toUpperCase()} ${r.path}`];
      expect(r.access, r.path).to.deep.equal(e.roles);
      expect(!!(r.ownUnit || r.owner), `${r.path} own`).to.equal(!!e.own);
    }
  });

  for (const [key, rule] of Object.entries(EXPECTED)) {
    const [method, path] = key.split(' ');
    for (const who of ['anonymous', ...ALL] as Who[]) {
      const allowed = rule.roles === 'public' || (who !== 'anonymous' && rule.roles.includes(who));
      const scoped = rule.own && (who === 'village' || who === 'staff');
      const cases: Array<'own' | 'other'> = scoped ? ['own', 'other'] : ['own'];
      for (const which of cases) {
        const expectation = !allowed ? (who === 'anonymous' ? 'sign-in' : 'not found') : which === 'other' ? 'not found' : 'served';
        it(`${key} as ${who}${scoped ? ` on ${which} record` : ''}: ${expectation}`, async () => {
          const client = clients.get(who)!;
          const url = fill(path, which, who);
          if (method === 'GET') {
            const { status, res } = await client.get(url);
            if (expectation === 'sign-in') {
              expect(status).to.equal(302);
              expect(res.headers.get('location')).to.match(/^\/login/);
            } else if (expectation === 'not found') {
              expect(status).to.equal(404);
            } else {
              expect(status, url).to.be.oneOf([200, 302, 303]);
            }
          } else {
            // Posted without a CSRF token: a route the role may use refuses it as forged (403); one it may not, as missing (404/401).
            const res = await client.request('POST', url, { probe: '1' });
            if (expectation === 'sign-in') expect(res.status).to.equal(path === '/login' ? 403 : 401);
            else if (expectation === 'not found') expect(res.status).to.equal(404);
            else expect(res.status).to.equal(403);
          }
        });
      }
    }
  }

  it('writes a village account’s attempt on another village to the audit log', async () => {
    await clients.get('village')!.get('/units/v02');
    const [entry] = await auditEntries(app.db, { action: 'access.denied', limit: 1 });
    expect(entry).to.include({ actor: 'v01', subject: 'GET /units/v02' });
  });

  it('never gives a village another village’s report or its files, nor the township’s review of its own', async () => {
    const village = clients.get('village')!;
    expect((await village.get(`/reporting/2024/files/${PARAMS.evidenceId.other}`)).status).to.equal(404);
    expect((await village.get(`/reporting/2024/files/${PARAMS.evidenceId.staff}`)).status).to.equal(404);
    expect((await village.get(`/reports/${PARAMS.reportId.own}`)).status).to.equal(404);
    const own = await village.get(`/reporting/2024/files/${PARAMS.evidenceId.own}`);
    expect(own.status).to.equal(200);
    expect(own.res.headers.get('content-disposition')).to.match(/^attachment/);
    expect(own.res.headers.get('x-content-type-options')).to.equal('nosniff');
  });

  it('writes a village account’s attempt on another village’s appeals, or another’s evidence, to the audit log', async () => {
    for (const url of ['/units/v02/appeals', `/appeals/2/files/${PARAMS.fileId.other}`]) {
      expect((await clients.get('village')!.get(url)).status).to.equal(404);
      const [entry] = await auditEntries(app.db, { action: 'access.denied', limit: 1 });
      expect(entry).to.include({ actor: 'v01', subject: `GET ${url}` });
    }
  });
});
