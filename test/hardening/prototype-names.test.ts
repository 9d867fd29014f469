import { expect } from 'chai';
import path from 'node:path';
import { appraisalSync } from '../support/cli.js';
import { signedIn, startApp, type Client, type TestApp } from '../support/web.js';
import { tempDir } from '../support/temp.js';

/**
 * Issue 17, item 4, in the pages and on the command line: a track (考核类别) spelled as a name
 * every JavaScript object has is no track. Each table of tracks, rule sets, roles and statuses
 * holds only its own names (engine/own.ts `table`), so such a track is refused as any unknown
 * track is, never looked up as `Object` (it reached a knex query as a subquery and answered 500).
 */
const NAMES = ['constructor', 'toString', 'hasOwnProperty', 'valueOf', '__proto__'];

describe('tracks named like Object.prototype members (issue 17, item 4)', function () {
  this.timeout(120_000);
  let app: TestApp;
  let leader: Client;
  before(async () => {
    app = await startApp();
    leader = await signedIn(app.url, 'leader');
  });
  after(async () => { await app?.close(); });

  it('are refused by every page and form that takes a track, never with a 500', async () => {
    for (const track of NAMES) {
      const t = encodeURIComponent(track);
      expect((await leader.get(`/entry?track=${t}`)).status, `/entry?track=${track}`).to.equal(400);
      expect((await leader.get(`/entry/upload?track=${t}`)).status, `/entry/upload?track=${track}`).to.equal(200);
      expect((await leader.get(`/entry/2024/${t}/v01`)).status, `/entry/2024/${track}/v01`).to.equal(404);
      await leader.get('/entry');
      expect((await leader.post(`/entry/2024/${t}/v01`, { population: '1' })).status, `POST /entry/2024/${track}/v01`).to.equal(404);
      await leader.get('/runs');
      expect((await leader.post('/runs', { period: '2024', track })).status, `POST /runs ${track}`).to.equal(400);
    }
  });

  it('are refused by `appraisal run` and `import` with a message, never exit code 70', () => {
    const dir = tempDir('appraisal-proto-tracks-');
    const config = { databaseFile: path.join(dir, 'appraisal.sqlite'), port: 0, seed: 'demo' as const };
    for (const track of NAMES) {
      for (const args of [['run', '2024', '--track', track], ['import', '2024', path.join('data', 'demo', 'villages-2024.csv'), '--track', track]]) {
        const r = appraisalSync(config, args);
        expect(r.code, `${args.join(' ')}: ${r.stderr}`).to.equal(4);
        expect(r.stderr).to.contain(`“${track}”`);
        expect(r.stderr).not.to.match(/内部错误|object Object|function/);
      }
    }
  });
});
