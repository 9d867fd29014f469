import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import { mkdirSync, rmSync, statfsSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Config } from '../../src/config.js';
import { DISK_FULL_MESSAGE, integrityCheck, openDatabase, type Db } from '../../src/db/connection.js';
import { countInputs } from '../../src/db/queries/inputs.js';
import { parseDataBytes } from '../../src/io/data-file.js';
import { importInputs } from '../../src/services/import-inputs.js';
import { createRun, listRuns, verifyRun } from '../../src/services/runs.js';
import { openStore } from '../../src/services/store.js';
import { BACKENDS } from '../support/backends.js';
import { appraisalSync } from '../support/cli.js';
import { syntheticVillagesCsv, writeSyntheticVillages } from '../support/synthetic.js';
import { signedIn, startApp, type Client, type TestApp } from '../support/web.js';
import { tempDir } from '../support/temp.js';

/**
 * Issue 7, item 6 (faults): a full disk under the database, during an import and a run.
 * SIGKILL during an import, a run and a publish, and a truncated database file, are in
 * test/cli/record.test.ts ('loses nothing when killed …', 'a damaged database file').
 */

const tmp = tempDir('appraisal-faults-');

/** What must hold after any fault: integrity_check ok, and every published run there and verifying. */
async function lastGoodState(db: Db, published: number[]): Promise<void> {
  expect(await integrityCheck(db)).to.equal('ok');
  const runs = await listRuns(db);
  expect(runs.filter((r) => r.status === 'published').map((r) => r.id).sort()).to.deep.equal([...published].sort());
  for (const id of published) expect((await verifyRun(db, id)).identical, `run ${id} verifies`).to.equal(true);
}

/** The demo's runs under 公示: 2023 of 计生 (1), staff (3), 党建 (5), 安全生产 (6) and the 综合考核 (7). */
const DEMO_PUBLISHED = [1, 3, 5, 6, 7];

const tableCount = async (db: Db, table: string, where = '1 = 1') =>
  Number(((await db.raw(`select count(*) as n from ${table} where ${where}`)) as Array<{ n: number }>)[0].n);

describe('a full disk under the database (issue 7, item 6)', function () {
  this.timeout(120_000);

  it('refuses an import and a run that do not fit (SQLITE_FULL), leaving the last good state, and accepts them once there is room', async () => {
    // Portable: SQLite's max_page_count caps the file as a full disk would (one connection, so the pragma holds).
    const db = await openStore(await BACKENDS[0].fresh('demo'));
    try {
      const published = (await listRuns(db)).filter((r) => r.status === 'published').map((r) => r.id);
      expect([...published].sort(), 'the demo publishes the 2023 results of its five assessments').to.deep.equal(DEMO_PUBLISHED);
      const inputsBefore = await tableCount(db, 'inputs');
      const runsBefore = await tableCount(db, 'runs');
      const pages = Number(((await db.raw('PRAGMA page_count')) as Array<{ page_count: number }>)[0].page_count);
      await db.raw(`PRAGMA max_page_count = ${pages + 8}`);

      const bytes = Buffer.from(syntheticVillagesCsv(20_000));
      const table = parseDataBytes(bytes, 'big.csv');
      let failure: unknown;
      await importInputs(db, { periodId: '2030', track: 'village', table, fileBytes: bytes, by: 'test' }).catch((e) => { failure = e; });
      expect(failure, 'the import was refused').to.be.instanceOf(Error);
      expect((failure as Error).message).to.match(/SQLITE_FULL/);
      expect(await tableCount(db, 'inputs')).to.equal(inputsBefore);
      expect(await tableCount(db, 'periods', `id = '2030'`)).to.equal(0);

      // A run stores its snapshot and a result per unit: with no page to spare it cannot land either.
      await db.raw(`PRAGMA max_page_count = ${Number(((await db.raw('PRAGMA page_count')) as Array<{ page_count: number }>)[0].page_count)}`);
      failure = undefined;
      await createRun(db, { periodId: '2024', track: 'village', by: 'test' }).catch((e) => { failure = e; });
      expect(failure, 'the run was refused').to.be.instanceOf(Error);
      expect(await tableCount(db, 'runs')).to.equal(runsBefore);
      await lastGoodState(db, published);

      await db.raw('PRAGMA max_page_count = 1073741823');
      const done = await importInputs(db, { periodId: '2030', track: 'village', table, fileBytes: bytes, by: 'test' });
      expect(done.rows).to.equal(20_000);
      await lastGoodState(db, published);
    } finally {
      await db.destroy();
    }
  });

  describe('on a real full file system (a small tmpfs; Linux as root only)', () => {
    const mountPoint = path.join(tmp, 'tmpfs');
    let mounted = false;
    let config: Config;
    before(function () {
      if (process.platform !== 'linux' || process.getuid?.() !== 0) return this.skip();
      mkdirSync(mountPoint, { recursive: true });
      // 96 MB: an import writes each unit's figures twice (its inputs, and their history: migration 0007), within one transaction's WAL.
      const r = spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=96m', 'tmpfs', mountPoint], { encoding: 'utf8' });
      if (r.status !== 0) {
        process.stdout.write(`      (skipped: cannot mount a tmpfs here: ${(r.stderr || r.error?.message || '').trim()})\n`);
        return this.skip();
      }
      mounted = true;
      config = { databaseFile: path.join(mountPoint, 'appraisal.sqlite'), port: 0, seed: 'demo' };
    });
    after(() => {
      if (mounted) spawnSync('umount', ['-l', mountPoint]);
    });

    it('fails the import with a message and an exit code, keeps the published runs, and starts again on the last good state', async () => {
      expect(appraisalSync(config, ['runs']).code).to.equal(0); // creates and seeds the database on the small disk
      const big = writeSyntheticVillages(path.join(tmp, 'big.csv'), 30_000);
      const filler = path.join(mountPoint, 'filler');
      const { bavail, bsize } = statfsSync(mountPoint);
      writeFileSync(filler, Buffer.alloc(Number(bavail) * Number(bsize) - 512 * 1024));

      const r = appraisalSync(config, ['import', '2030', big]);
      expect(r.code, r.stderr).to.equal(6);
      expect(r.stderr, 'says why').to.contain('DISK_FULL');
      expect(r.stderr, 'no stack trace').not.to.match(/\n\s+at .*\.js:\d+/);

      // Still full: the record opens, lists and verifies.
      expect(appraisalSync(config, ['runs']).code).to.equal(0);
      for (const id of DEMO_PUBLISHED) expect(appraisalSync(config, ['verify', String(id)]).code, `verify ${id}`).to.equal(0);

      rmSync(filler);
      const db = await openDatabase(config);
      try {
        await lastGoodState(db, DEMO_PUBLISHED);
        expect(await tableCount(db, 'periods', `id = '2030'`)).to.equal(0);
        expect(await tableCount(db, 'inputs', `period_id = '2030'`)).to.equal(0);
      } finally {
        await db.destroy();
      }
      const again = appraisalSync(config, ['import', '2030', big]);
      expect(again.code, again.stderr).to.equal(0);
    });

  });

  describe('during a web upload, and every other web write (issue 17, item 10)', () => {
    let app: TestApp;
    let admin: Client;
    before(async () => {
      app = await startApp();
      admin = await signedIn(app.url, 'admin');
    });
    after(async () => { await app?.close(); });

    const pageCount = async () => Number(((await app.db.raw('PRAGMA page_count')) as Array<{ page_count: number }>)[0].page_count);
    const inputsOf2024 = () => app.db('inputs').where({ period_id: '2024', track: 'village' }).orderBy('unit_id').select('unit_id', 'input_values', 'entered_at');

    async function upload(accept: string): Promise<Response> {
      await admin.get('/entry/upload');
      const form = new FormData();
      for (const [k, v] of Object.entries({ _csrf: admin.token, period: '2024', track: 'village', replace: '1' })) form.append(k, v);
      form.append('file', new Blob([Buffer.from(syntheticVillagesCsv(20_000))]), '全乡.csv');
      return fetch(`${app.url}/entry/upload`, { method: 'POST', body: form, redirect: 'manual', headers: { cookie: admin.cookie, accept } });
    }

    it('answers 507 with the command line’s message, keeps the period’s data as it was, and serves on', async () => {
      const before = await inputsOf2024();
      expect(before.length).to.be.above(0);
      await app.db.raw(`PRAGMA max_page_count = ${(await pageCount()) + 8}`);
      try {
        const page = await upload('text/html');
        expect(page.status).to.equal(507);
        const html = await page.text();
        expect(html).to.contain(DISK_FULL_MESSAGE);
        expect(html, 'no stack trace').not.to.match(/\n\s+at .*\.js:\d+/);
        const json = await upload('application/json');
        expect(json.status).to.equal(507);
        expect(((await json.json()) as { error: { code: string } }).error.code).to.equal('DISK_FULL');

        // A run needs room for its snapshot and results: the same answer, from the same place.
        await app.db.raw(`PRAGMA max_page_count = ${await pageCount()}`);
        await admin.get('/runs');
        const run = await admin.post('/runs', { period: '2024', track: 'village' }, { accept: 'application/json' });
        expect(run.status).to.equal(507);
        expect(((await run.json()) as { error: { code: string } }).error.code).to.equal('DISK_FULL');

        expect(await inputsOf2024()).to.deep.equal(before);
        expect((await fetch(`${app.url}/login`)).status).to.equal(200);
        expect((await admin.get('/entry?period=2024&track=village')).status).to.equal(200);
      } finally {
        await app.db.raw('PRAGMA max_page_count = 1073741823');
      }
      expect(await integrityCheck(app.db)).to.equal('ok');
      expect((await upload('text/html')).status, 'once there is room').to.equal(303);
      expect(await countInputs(app.db, '2024', 'village')).to.equal(20_000);
    });
  });
});
