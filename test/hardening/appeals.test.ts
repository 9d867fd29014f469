import { expect } from 'chai';
import { filesOfAppeals } from '../../src/db/queries/appeals.js';
import { spawn } from 'node:child_process';
import path from 'node:path';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Config } from '../../src/config.js';
import { integrityCheck, isPostgres, type Db } from '../../src/db/connection.js';
import { createApp } from '../../src/http/app.js';
import { resetPassword } from '../../src/services/accounts.js';
import { openStore } from '../../src/services/store.js';
import { ROOT } from '../../src/paths.js';
import { BACKENDS, onEachBackend } from '../support/backends.js';
import { envFor } from '../support/cli.js';
import { PASSWORDS, signedIn } from '../support/web.js';
import { PDF, postMultipart } from '../support/appeals.js';

/**
 * Issue 19, point 9: an appeal killed between its file and its record leaves nothing; two
 * server processes on one PostgreSQL database see each other's appeals at once.
 */

const CHILD = path.join(ROOT, 'dist', 'test', 'support', 'appeal-child.js');

/** Runs the appeal child; SIGKILLs it when its stderr shows `marker` (if given). */
function child(config: Config, args: string[], marker?: RegExp, extra: Record<string, string> = {}): Promise<{ code: number | null; killed: boolean; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const p = spawn(process.execPath, [CHILD, ...args], { env: { ...envFor(config, extra), APPRAISAL_QUIET: '1' }, cwd: ROOT });
    let stdout = '', stderr = '', killed = false;
    p.stdout.on('data', (d) => { stdout += d; });
    p.stderr.on('data', (d) => {
      stderr += d;
      if (marker && !killed && marker.test(stderr)) { killed = true; p.kill('SIGKILL'); }
    });
    p.on('close', (code) => resolve({ code, killed, stdout, stderr }));
  });
}

const count = async (db: Db, table: string) => Number((await db(table).count({ n: '*' }))[0].n);

onEachBackend('an appeal killed between its file and its record (issue 19, point 9)', (backend) => {
  let config: Config;
  before(async function () {
    this.timeout(120_000);
    config = await backend.fresh('demo');
    const db = await openStore(config);
    await db.destroy();
  });

  it('leaves neither the appeal nor its file, and the next appeal lands whole', async function () {
    this.timeout(120_000);
    const killed = await child(config, ['1', 'v01'], /FAULT-POINT appeal/, { APPRAISAL_FAULT_PAUSE: 'appeal' });
    expect(killed.killed, killed.stderr).to.equal(true);
    const db = await openStore(config);
    try {
      if (!isPostgres(db)) expect(await integrityCheck(db)).to.equal('ok');
      // PostgreSQL ends the killed session's transaction when it sees the connection gone.
      for (let k = 0; k < 50 && (await count(db, 'appeal_evidence')) > 0; k++) await new Promise((r) => setTimeout(r, 100));
      expect(await count(db, 'appeals')).to.equal(0);
      expect(await count(db, 'appeal_evidence')).to.equal(0);
      expect(await db('audit_log').where({ action: 'appeal.file' })).to.have.length(0);
      expect(await db('messages').where({ kind: 'appeal.filed' })).to.have.length(0);
    } finally {
      await db.destroy();
    }
    const done = await child(config, ['1', 'v01']);
    expect(done.code, done.stderr).to.equal(0);
    const again = await openStore(config);
    try {
      expect(await count(again, 'appeals')).to.equal(1);
      expect(await count(again, 'appeal_evidence')).to.equal(1);
    } finally {
      await again.destroy();
    }
  });
});

describe('two server processes on one PostgreSQL database (issue 19, point 9)', function () {
  this.timeout(120_000);
  const pg = BACKENDS[1];
  if (!pg.available) {
    it.skip('[PostgreSQL: skipped, TEST_DATABASE_URL not set]');
    return;
  }
  const servers: Array<{ db: Db; server: Server; url: string }> = [];
  before(async () => {
    const config = await pg.fresh('demo');
    for (let k = 0; k < 2; k++) {
      const db = await openStore(config);
      if (k === 0) for (const [user, password] of Object.entries(PASSWORDS)) await resetPassword(db, user, 'test', password);
      const server = await new Promise<Server>((resolve) => { const s = createApp({ db, log: () => {} }).listen(0, '127.0.0.1', () => resolve(s)); });
      servers.push({ db, server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` });
    }
  });
  after(async () => {
    for (const s of servers) { await new Promise((r) => s.server.close(r)); await s.db.destroy(); }
  });

  it('lists on one an appeal filed through the other, at once, with its evidence', async () => {
    const [a, b] = servers;
    const village = await signedIn(a.url, 'v01');
    const leader = await signedIn(b.url, 'leader');
    expect((await leader.get('/appeals')).text).to.contain('待答复（0）');
    await village.get('/units/v01/appeals?run=1');
    const res = await postMultipart(village, '/units/v01/appeals', [['run', '1'], ['clause', 'birth-rate'], ['reason', '在甲服务器上提交']], [{ name: '证明.pdf', bytes: PDF }]);
    expect(res.status).to.equal(303);
    const list = await leader.get('/appeals');
    expect(list.text).to.contain('待答复（1）').and.to.contain('枫林村');
    const page = await leader.get('/appeals/1');
    expect(page.text).to.contain('在甲服务器上提交').and.to.contain('证明.pdf');
    const [stored] = await filesOfAppeals(a.db, [1]);
    const file = await leader.request('GET', `/appeals/1/files/${stored.id}`);
    expect(Buffer.from(await file.arrayBuffer()).equals(PDF)).to.equal(true);
    // And the answer given on the second is seen by the village on the first.
    await leader.get('/appeals/1');
    expect((await leader.post('/appeals/1/answer', { step: 'reject', text: '在乙服务器上驳回' })).status).to.equal(303);
    expect((await village.get('/units/v01/appeals')).text).to.contain('在乙服务器上驳回');
  });
});
