import { expect } from 'chai';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createApp } from '../../src/http/app.js';
import { ABSOLUTE_MS, IDLE_MS } from '../../src/http/middleware/session.js';
import { AccountRefused, resetPassword } from '../../src/services/accounts.js';
import { MAX_LENGTH, MIN_LENGTH } from '../../src/services/passwords.js';
import type { Db } from '../../src/db/connection.js';
import { Client, PASSWORDS, signedIn, startApp, type TestApp } from '../support/web.js';

/**
 * Issue 7, item 2 (sessions and login), what test/http/auth.test.ts does not already pin:
 * idle and absolute timeouts, Secure behind TLS, the throttle surviving a restart, and
 * the password rules. (Renewal at login, HttpOnly/SameSite, logout, disabling, the
 * per-account and per-address locks and a forged X-Forwarded-For are in auth.test.ts.)
 */

/** The session id inside the signed cookie value (`s:<sid>.<signature>`). */
function sidOf(cookie: string): string {
  const value = decodeURIComponent(cookie.slice(cookie.indexOf('=') + 1));
  return value.slice(2, value.lastIndexOf('.'));
}

async function listen(db: Db, trustProxy = false): Promise<{ url: string; close(): Promise<void> }> {
  const app = createApp({ db, trustProxy, log: () => {} });
  const server = await new Promise<Server>((resolve) => { const s = app.listen(0, '127.0.0.1', () => resolve(s)); });
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, close: () => new Promise((r) => server.close(() => r())) };
}

async function refusal(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (e) {
    expect(e).to.be.instanceOf(AccountRefused);
    return (e as AccountRefused).code;
  }
  throw new Error('accepted, but should have been refused');
}

describe('sessions and login, hardened (issue 7, item 2)', function () {
  this.timeout(60_000);
  let app: TestApp;
  before(async () => { app = await startApp(); });
  after(async () => { await app?.close(); });

  it('keeps a session alive for the idle limit from its last request, and gives the cookie that lifetime', async () => {
    const c = new Client(app.url);
    await c.get('/login');
    const res = await c.post('/login', { username: 'leader', password: PASSWORDS.leader });
    const cookie = res.headers.getSetCookie().find((x) => x.startsWith('appraisal.sid='))!;
    const expires = Date.parse(/Expires=([^;]+)/i.exec(cookie)![1]);
    expect(expires - Date.now()).to.be.within(IDLE_MS - 10_000, IDLE_MS + 1000);
    const row = await app.db('sessions').where({ sid: sidOf(c.cookie) }).first();
    expect(Date.parse(row.expired) - Date.now()).to.be.within(IDLE_MS - 10_000, IDLE_MS + 1000);
  });

  it('ends a session idle longer than the limit', async () => {
    const c = await signedIn(app.url, 'leader');
    expect((await c.get('/runs')).status).to.equal(200);
    // As if the last request were IDLE_MS and one second ago.
    await app.db('sessions').where({ sid: sidOf(c.cookie) }).update({ expired: new Date(Date.now() - 1000).toISOString() });
    const { status, res } = await c.get('/runs');
    expect(status).to.equal(302);
    expect(res.headers.get('location')).to.match(/^\/login/);
  });

  it('ends a session at the absolute limit, however busy it was, and removes it', async () => {
    const c = await signedIn(app.url, 'leader');
    const sid = sidOf(c.cookie);
    const age = async (ms: number) => {
      const row = await app.db('sessions').where({ sid }).first();
      const sess = JSON.parse(row.sess);
      sess.startedAt = Date.now() - ms;
      await app.db('sessions').where({ sid }).update({ sess: JSON.stringify(sess) });
    };
    await age(ABSOLUTE_MS - 60_000);
    expect((await c.get('/runs')).status, 'a minute before the limit').to.equal(200);
    await age(ABSOLUTE_MS + 1000);
    expect((await c.get('/runs')).status, 'a second after it').to.equal(302);
    expect(await app.db('sessions').where({ sid }).first()).to.equal(undefined);
  });

  it('refuses a session whose start time is missing (a session not made by the login)', async () => {
    const c = await signedIn(app.url, 'leader');
    const sid = sidOf(c.cookie);
    const row = await app.db('sessions').where({ sid }).first();
    const { startedAt: _gone, ...sess } = JSON.parse(row.sess);
    await app.db('sessions').where({ sid }).update({ sess: JSON.stringify(sess) });
    expect((await c.get('/runs')).status).to.equal(302);
  });

  it('marks the cookie Secure behind a TLS proxy, and only where the proxy is trusted', async () => {
    const proxied = await listen(app.db, true);
    try {
      const tls = { 'x-forwarded-proto': 'https' };
      const c = new Client(proxied.url);
      const page = await c.request('GET', '/login', undefined, tls);
      const token = /name="_csrf" value="([^"]+)"/.exec(await page.text())![1];
      const res = await c.request('POST', '/login', { _csrf: token, username: 'admin', password: PASSWORDS.admin }, tls);
      expect(res.status).to.equal(303);
      const cookie = res.headers.getSetCookie().find((x) => x.startsWith('appraisal.sid='))!;
      expect(cookie).to.match(/;\s*Secure/i).and.to.match(/HttpOnly/i).and.to.match(/SameSite=Lax/i);
      expect(res.headers.get('strict-transport-security')).to.match(/max-age=\d+/);
    } finally {
      await proxied.close();
    }
    // Not trusted: the header is anyone's to send, and plain HTTP keeps a cookie the browser will send back.
    const direct = new Client(app.url);
    await direct.get('/login');
    const res = await direct.post('/login', { username: 'admin', password: PASSWORDS.admin }, { 'x-forwarded-proto': 'https' });
    const cookie = res.headers.getSetCookie().find((x) => x.startsWith('appraisal.sid='))!;
    expect(cookie).not.to.match(/;\s*Secure/i);
  });

  it('keeps an account locked across a restart of the application', async () => {
    const first = await listen(app.db);
    try {
      const c = new Client(first.url);
      for (let i = 0; i < 5; i++) {
        await c.get('/login');
        await c.post('/login', { username: 'v09', password: `wrong-${i}` });
      }
    } finally {
      await first.close();
    }
    const second = await listen(app.db); // a new process would hold nothing in memory either
    try {
      const c = new Client(second.url);
      await c.get('/login');
      expect((await c.post('/login', { username: 'v09', password: PASSWORDS.v09 })).status).to.equal(429);
    } finally {
      await second.close();
      await app.db('login_throttle').delete();
    }
  });

  it('refuses short, over-long and common passwords, and accepts a long Chinese one', async () => {
    expect(await refusal(resetPassword(app.db, 'v09', 'test', '短口令'))).to.equal('PASSWORD_TOO_SHORT');
    expect(await refusal(resetPassword(app.db, 'v09', 'test', 'a'.repeat(MIN_LENGTH - 1)))).to.equal('PASSWORD_TOO_SHORT');
    expect(await refusal(resetPassword(app.db, 'v09', 'test', '字'.repeat(MAX_LENGTH + 1)))).to.equal('PASSWORD_TOO_LONG');
    for (const common of ['password123', 'Password2024', 'woaini1314', '1234567890', 'qwertyuiop', 'aaaaaaaaaaaa', 'iloveyou99']) {
      expect(await refusal(resetPassword(app.db, 'v09', 'test', common)), common).to.equal('PASSWORD_TOO_COMMON');
    }
    // Length counts characters, not bytes: the longest allowed Chinese passphrase (3 bytes a character) signs in.
    const longest = '山高水长村村通路家家富裕'.repeat(Math.ceil(MAX_LENGTH / 12)).slice(0, MAX_LENGTH);
    await resetPassword(app.db, 'v09', 'test', longest);
    expect((await new Client(app.url).login('v09', longest)).status).to.equal(303);
    expect((await new Client(app.url).login('v09', longest.slice(0, -1))).status).to.equal(401);
    await resetPassword(app.db, 'v09', 'test', PASSWORDS.v09);
  });

  it('ignores role and unit fields posted with a login', async () => {
    const c = new Client(app.url);
    await c.get('/login');
    const res = await c.post('/login', { username: 'v01', password: PASSWORDS.v01, role: 'admin', unit_id: 'v02', userId: '1' });
    expect(res.status).to.equal(303);
    const home = await c.get('/');
    expect(home.status).to.equal(200);
    expect(home.text).to.contain('href="/units/v01');
    expect(home.text).to.contain('枫林村');
    expect((await c.get('/runs')).status).to.equal(404);
    expect((await c.get('/units/v02')).status).to.equal(404);
  });
});
