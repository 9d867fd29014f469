import { expect } from 'chai';
import type { Role } from '../../src/db/queries/users.js';
import { ROUTES } from '../../src/http/routes/index.js';
import { auditEntries } from '../../src/db/queries/audit.js';
import { ACCOUNT_OF_ROLE, Client, signedIn, startApp, type TestApp } from '../support/web.js';

/**
 * Every route × every role × own and other record. The table below is the contract:
 * a route that is mounted but missing here (or listed here but gone) fails the first test.
 */

type Who = Role | 'anonymous';
const ALL: Role[] = ['admin', 'leader', 'village', 'staff'];
const MANAGERS: Role[] = ['admin', 'leader'];

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
  'GET /inbox': { roles: ALL },
  'POST /inbox/read': { roles: ALL },
  'GET /audit': { roles: MANAGERS },
  'GET /audit/export.:format': { roles: MANAGERS },
};

/** Values for route parameters: [own record of the village/staff account, another's record]. */
const PARAMS: Record<string, { own: string; other: string }> = {
  id: { own: '1', other: '1' },
  unitId: { own: 'v01', other: 'v02' },
  staffId: { own: 's01', other: 's02' },
  format: { own: 'csv', other: 'csv' },
  period: { own: '2024', other: '2024' },
  track: { own: 'village', other: 'village' },
  rulesetId: { own: 'village-annual', other: 'village-annual' },
  sha: { own: 'latest', other: 'latest' },
  file: { own: '00000000000000000000000000000000.xlsx', other: '00000000000000000000000000000000.xlsx' },
};

function fill(path: string, which: 'own' | 'other'): string {
  return path.replace(/:(\w+)/g, (_m, name: string) => {
    const p = PARAMS[name];
    if (!p) throw new Error(`no sample value for route parameter :${name}: add it to PARAMS`);
    return encodeURIComponent(p[which]);
  });
}

describe('access to every route, by role and by record', function () {
  this.timeout(120_000);
  let app: TestApp;
  const clients = new Map<Who, Client>();
  before(async () => {
    app = await startApp();
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
      expect(!!r.ownUnit, `${r.path} own`).to.equal(!!e.own);
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
          const url = fill(path, which);
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
});
