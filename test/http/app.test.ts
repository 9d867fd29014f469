import { expect } from 'chai';
import { signedIn, startApp, type TestApp } from '../support/web.js';

describe('the error page', function () {
  this.timeout(60_000);
  let app: TestApp;
  before(async () => { app = await startApp(); });
  after(async () => { await app?.close(); });

  it('tells a village what happened in words, with no status number and no reference to pass on', async () => {
    const village = await signedIn(app.url, 'v01');
    const { status, text } = await village.get('/units/v02');
    expect(status).to.equal(404);
    expect(text).to.contain('<h1>找不到页面</h1>').and.not.to.match(/<h1>\d{3}|错误编号|NOT_FOUND/);
  });

  it('gives the administrator the reference of any error, and everyone the reference of the server’s own fault, never its stack', async () => {
    const admin = await signedIn(app.url, 'admin');
    expect((await admin.get('/no-such-page')).text).to.match(/错误编号：<code>[0-9a-f]{8}<\/code>/);
    const leader = await signedIn(app.url, 'leader');
    await app.db.raw('ALTER TABLE runs RENAME TO runs_gone'); // the server's own fault: a table gone from under it
    const { status, text } = await leader.get('/runs');
    expect(status).to.equal(500);
    expect(text).to.contain('<h1>服务器出错了</h1>').and.to.match(/错误编号：<code>[0-9a-f]{8}<\/code>/);
    expect(text).not.to.match(/at .*\.js:\d+|SQLITE|no such table/i);
  });
});
