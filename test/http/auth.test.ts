import { expect } from 'chai';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { auditEntries } from '../../src/db/queries/audit.js';
import { createApp } from '../../src/http/app.js';
import { PER_ACCOUNT, setDisabled, resetPassword } from '../../src/services/accounts.js';
import { Client, PASSWORDS, signedIn, startApp, type TestApp } from '../support/web.js';

describe('signing in, sessions and the pages’ safety', function () {
  this.timeout(60_000);
  let app: TestApp;
  before(async () => { app = await startApp(); });

  it('answers the login page while another write holds the database, and keeps the form’s session', async () => {
    let release!: () => void;
    const held = new Promise<void>((r) => { release = r; });
    // As an import of 100,000 rows does on SQLite: the one writer busy for seconds.
    const holding = app.db.transaction(async (trx) => {
      await trx('audit_log').insert({ at: new Date().toISOString(), actor: 'test', action: 'test.hold', subject: 'writer', detail: null });
      await held;
    });
    try {
      await new Promise((r) => setTimeout(r, 50));
      const visitor = new Client(app.url);
      const answer = await Promise.race([visitor.get('/login'), new Promise<'waited'>((r) => setTimeout(() => r('waited'), 3000))]);
      expect(answer, 'the login page answered while the writer was held').not.to.equal('waited');
      expect((answer as { status: number }).status).to.equal(200);
      release();
      await holding;
      // The visitor's session, written once the writer was free, carries the form's token.
      expect((await visitor.post('/login', { username: 'leader', password: PASSWORDS.leader })).status).to.equal(303);
    } finally {
      release();
      await holding.catch(() => undefined);
    }
  });

  it('shows an error page in the frame of every page: its title, the user with their role, and a 退出 that works', async () => {
    const c = await signedIn(app.url, 'leader');
    const page = await c.get('/no-such-page');
    expect(page.status).to.equal(404);
    expect(page.text).to.contain('<title>找不到页面 · 千分考核</title>');
    expect(page.text).to.match(/<span class="who">[^<（]+（乡镇领导）<\/span>/);
    expect((await c.post('/logout')).status).to.equal(303);
    expect((await c.get('/runs')).status).to.equal(302);
  });
  after(async () => { await app?.close(); });

  it('signs a leader in and sends them to their home page, with a new session id', async () => {
    const c = new Client(app.url);
    await c.get('/login');
    const before = c.cookie;
    const res = await c.post('/login', { username: 'leader', password: PASSWORDS.leader });
    expect(res.status).to.equal(303);
    expect(c.cookie).to.not.equal(before);
    const home = await c.get('/');
    expect(home.status).to.equal(200);
    expect(home.text).to.contain('<h1>首页</h1>');
  });

  it('accepts a long Chinese password', async () => {
    const long = '我们村的计划生育工作年年都是全镇第一名'.repeat(3);
    await resetPassword(app.db, 'v09', 'test', long);
    const c = new Client(app.url);
    expect((await c.login('v09', long)).status).to.equal(303);
    await resetPassword(app.db, 'v09', 'test', PASSWORDS.v09);
  });

  it('refuses a wrong password without saying which part was wrong', async () => {
    const c = new Client(app.url);
    await c.get('/login');
    const res = await c.post('/login', { username: 'leader', password: 'wrong-password' });
    expect(res.status).to.equal(401);
    expect(await res.text()).to.contain('用户名或密码不正确');
  });

  it('sets the session cookie HttpOnly and SameSite', async () => {
    const c = new Client(app.url);
    await c.get('/login');
    const res = await c.post('/login', { username: 'admin', password: PASSWORDS.admin });
    const cookie = res.headers.getSetCookie().find((x) => x.startsWith('appraisal.sid='))!;
    expect(cookie).to.match(/HttpOnly/i).and.to.match(/SameSite=Lax/i);
  });

  it('ends the session at logout', async () => {
    const c = await signedIn(app.url, 'leader');
    expect((await c.get('/runs')).status).to.equal(200);
    expect((await c.post('/logout')).status).to.equal(303);
    expect((await c.get('/runs')).status).to.equal(302);
  });

  it('ends the live sessions of an account that is disabled', async () => {
    const c = await signedIn(app.url, 'v09');
    expect((await c.get('/units/v09')).status).to.equal(200);
    await setDisabled(app.db, 'v09', true, 'test');
    expect((await c.get('/units/v09')).status).to.equal(302);
    expect((await new Client(app.url).login('v09')).status).to.equal(401);
    await setDisabled(app.db, 'v09', false, 'test');
  });

  it('locks an account after five failures, even with the right password, and keeps the lock in the database', async () => {
    const c = new Client(app.url);
    for (let i = 0; i < 5; i++) {
      await c.get('/login');
      await c.post('/login', { username: 's01', password: `wrong-${i}` });
    }
    await c.get('/login');
    const locked = await c.post('/login', { username: 's01', password: PASSWORDS.s01 });
    expect(locked.status).to.equal(429);
    const row = await app.db('login_throttle').where({ key: 'user:s01' }).first();
    expect(row.locked_until).to.be.a('string');
  });

  it('shows when a lock ends in China Standard Time, whatever the server’s own time zone', async () => {
    const zone = process.env.TZ;
    process.env.TZ = 'America/New_York';
    try {
      const c = new Client(app.url);
      await c.get('/login');
      const res = await c.post('/login', { username: 's01', password: PASSWORDS.s01 });
      expect(res.status).to.equal(429);
      const row = await app.db('login_throttle').where({ key: 'user:s01' }).first();
      const beijing = new Date(row.locked_until).toLocaleTimeString('zh-CN', { hour12: false, timeZone: 'Asia/Shanghai' });
      expect(/请于北京时间 (\d\d:\d\d:\d\d) 后再试/.exec(await res.text())?.[1]).to.equal(beijing);
    } finally {
      if (zone === undefined) delete process.env.TZ;
      else process.env.TZ = zone;
    }
  });

  it('checks at most five of 100 simultaneous guesses at one account from 100 addresses, and refuses the right password after them', async () => {
    const proxied = createApp({ db: app.db, trustProxy: true, log: () => {} });
    const server = await new Promise<Server>((resolve) => { const s = proxied.listen(0, '127.0.0.1', () => resolve(s)); });
    try {
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      const clients = Array.from({ length: 100 }, () => new Client(url));
      for (const c of clients) await c.get('/login');
      const failedBefore = (await auditEntries(app.db, { action: 'login.fail', limit: 10_000 })).filter((e) => e.actor === 'v01').length;
      const answers = await Promise.all(clients.map((c, k) => c.post('/login', { username: 'v01', password: `wrong-guess-${k}` }, { 'x-forwarded-for': `10.20.${k}.1` })));
      const checked = (await auditEntries(app.db, { action: 'login.fail', limit: 10_000 })).filter((e) => e.actor === 'v01').length - failedBefore;
      expect(checked).to.be.at.most(PER_ACCOUNT.max);
      expect(answers.filter((r) => r.status === 401)).to.have.length(checked);
      expect(answers.filter((r) => r.status === 429)).to.have.length(100 - checked);
      const right = new Client(url);
      await right.get('/login');
      expect((await right.post('/login', { username: 'v01', password: PASSWORDS.v01 }, { 'x-forwarded-for': '10.20.200.1' })).status).to.equal(429);
      expect((await app.db('login_throttle').where({ key: 'user:v01' }).first()).failures).to.equal(101);
    } finally {
      await new Promise((r) => server.close(r));
      await app.db('login_throttle').delete();
    }
  });

  it('does not reset the address lock for a forged X-Forwarded-For', async () => {
    const c = new Client(app.url);
    for (let i = 0; i < 20; i++) {
      await c.get('/login');
      await c.post('/login', { username: `nobody${i}`, password: 'x' }, { 'x-forwarded-for': `10.0.0.${i}` });
    }
    await c.get('/login');
    const res = await c.post('/login', { username: 'admin', password: PASSWORDS.admin }, { 'x-forwarded-for': '10.9.9.9' });
    expect(res.status).to.equal(429);
    await app.db('login_throttle').where('key', 'like', 'addr:%').delete();
  });

  it('refuses a form without a valid CSRF token, and one posted from another site', async () => {
    const c = await signedIn(app.url, 'leader');
    expect((await c.post('/runs', { period: '2024', track: 'village', _csrf: 'forged' })).status).to.equal(403);
    expect((await c.post('/runs', { period: '2024', track: 'village' }, { origin: 'http://evil.example' })).status).to.equal(403);
  });

  it('sends security headers on every response, pages and errors alike', async () => {
    for (const path of ['/login', '/no-such-page', '/static/app.css']) {
      const res = await fetch(app.url + path);
      expect(res.headers.get('content-security-policy'), path).to.contain("script-src 'none'");
      expect(res.headers.get('x-content-type-options'), path).to.equal('nosniff');
      expect(res.headers.get('x-frame-options'), path).to.equal('SAMEORIGIN');
    }
  });

  it('shows an error page headed in words, with no status number, no reference for a mistyped address and no stack trace', async () => {
    const res = await fetch(`${app.url}/no-such-page`);
    const text = await res.text();
    expect(res.status).to.equal(404);
    expect(text).to.contain('<h1>找不到页面</h1>').and.not.to.match(/<h1>404|错误编号/);
    expect(text).to.not.match(/at .*\.js:\d+/);
  });
});
