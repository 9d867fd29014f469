import { expect } from 'chai';
import type { Role } from '../../../src/db/queries/users.js';
import { ROUTES } from '../../../src/http/routes/index.js';
import { listRuns } from '../../../src/services/runs.js';
import { ACCOUNT_OF_ROLE, Client, signedIn, startApp, type TestApp } from '../../support/web.js';

/**
 * Issue 17, item 8: nothing the application answers is kept by a browser or a proxy (a
 * shared office PC must not keep another village's scorecard). Every route of the table ×
 * every role, served, refused, redirected or failed; every export; the login page; error
 * pages. Only /static may be cached.
 */

type Who = Role | 'anonymous';
const WHO: Who[] = ['anonymous', 'admin', 'leader', 'village', 'staff'];

/** A sample value for each route parameter, the village and staff account's own where it names a unit. */
const PARAMS: Record<string, string> = {
  id: '1', unitId: 'v01', staffId: 's01', format: 'csv', period: '2024', track: 'village', rulesetId: 'village-annual', sha: 'latest', file: '00000000000000000000000000000000.xlsx', appealId: '1', fileId: '1', assessmentId: 'village', reportId: '1', evidenceId: '1', eventFileId: '1',
  // An account no one signs in with: the walk posts to its reset and disable with a token.
  username: 'no-such-account',
};

function fill(path: string): string {
  return path.replace(/:(\w+)/g, (_m, name: string) => {
    if (PARAMS[name] === undefined) throw new Error(`no sample value for route parameter :${name}: add it to PARAMS`);
    return encodeURIComponent(PARAMS[name]);
  });
}

function expectNoStore(res: Response, where: string): void {
  expect(res.headers.get('cache-control'), `${where}: Cache-Control`).to.equal('no-store');
  expect(res.headers.get('pragma'), `${where}: Pragma`).to.equal('no-cache');
}

describe('Cache-Control: no-store on everything but static files (issue 17, item 8)', function () {
  this.timeout(120_000);
  let app: TestApp;
  const clients = new Map<Who, Client>();
  before(async () => {
    app = await startApp();
    clients.set('anonymous', new Client(app.url));
    for (const role of ['admin', 'leader', 'village', 'staff'] as Role[]) clients.set(role, await signedIn(app.url, ACCOUNT_OF_ROLE[role]));
  });
  after(async () => { await app?.close(); });

  it('is on every route of the table for every role, whether served, redirected or refused', async () => {
    const statuses = new Set<number>();
    for (const route of ROUTES) {
      for (const who of WHO) {
        const client = clients.get(who)!;
        const url = fill(route.path);
        const where = `${route.method.toUpperCase()} ${url} as ${who}`;
        if (route.method === 'get') {
          const { res } = await client.get(url);
          statuses.add(res.status);
          expectNoStore(res, where);
        } else {
          // Without a token (403 or 401 or 404) and with the page's own (served: 200, 303 or 422).
          const refused = await client.request('POST', url, { probe: '1' });
          statuses.add(refused.status);
          expectNoStore(refused, `${where} without a token`);
          const served = await client.post(url, { probe: '1' });
          statuses.add(served.status);
          expectNoStore(served, `${where} with a token`);
          // Signed out by its own token: signed in again for the rest of the walk.
          if (route.path === '/logout' && who !== 'anonymous') clients.set(who, await signedIn(app.url, ACCOUNT_OF_ROLE[who]));
          // The admin's walk disables the village's unit (its accounts' sessions end), then enables it: signed in again.
          if (route.path === '/admin/units/:unitId/enable' && who === 'admin') clients.set('village', await signedIn(app.url, ACCOUNT_OF_ROLE.village));
        }
      }
    }
    // The walk met pages, redirects, refusals and failures alike.
    expect([...statuses]).to.include.members([200, 302, 303, 401, 403, 404]);
  });

  it('is on every export, XLSX and CSV, of runs, scorecards and the report', async () => {
    const leader = clients.get('leader')!;
    const run = (await listRuns(app.db)).find((r) => r.track === 'village' && r.status === 'published')!.id;
    const staffRun = (await listRuns(app.db)).find((r) => r.track === 'staff' && r.status === 'published')!.id;
    const exports: Array<[Client, string]> = [];
    for (const format of ['xlsx', 'csv']) {
      exports.push(
        [leader, `/runs/${run}/export.${format}`], [leader, `/units/v02/export.${format}?run=${run}`],
        [leader, `/staff/s02/export.${format}?run=${staffRun}`], [leader, `/report/export.${format}?period=2024`],
        [clients.get('village')!, `/units/v01/export.${format}`], [clients.get('staff')!, `/staff/s01/export.${format}`],
      );
    }
    for (const [client, url] of exports) {
      const res = await client.request('GET', url);
      expect(res.status, url).to.equal(200);
      expect(res.headers.get('content-disposition'), url).to.match(/^attachment;/);
      expectNoStore(res, url);
    }
  });

  it('is on the login page (it carries a CSRF token), the sign-in redirect and error pages', async () => {
    const anonymous = new Client(app.url);
    expectNoStore((await anonymous.get('/login')).res, 'GET /login');
    const signIn = await anonymous.request('POST', '/login', { _csrf: anonymous.token, username: 'v01', password: 'v01-测试口令-2024' });
    expect(signIn.status).to.equal(303);
    expectNoStore(signIn, 'POST /login');
    const village = clients.get('village')!;
    for (const url of ['/no-such-page', '/units/v02', '/runs', '/static/%E0%A4%A', '/static/no-such-file.css']) {
      const { res, text } = await village.get(url);
      expect(res.status, url).to.be.oneOf([400, 404]);
      expect(text, url).to.match(/找不到页面|请求无效/).and.not.to.contain('错误编号');
      expectNoStore(res, url);
    }
  });

  it('leaves static files cacheable', async () => {
    const res = await fetch(`${app.url}/static/app.css`);
    expect(res.status).to.equal(200);
    expect(res.headers.get('cache-control')).to.match(/max-age=\d+/).and.not.to.match(/no-store/);
  });
});
