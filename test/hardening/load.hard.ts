import { expect } from 'chai';
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import v8 from 'node:v8';
import vm from 'node:vm';
import { countInputs } from '../../src/db/queries/inputs.js';
import { parseDataBytes } from '../../src/io/data-file.js';
import { DEMO_DIR } from '../../src/paths.js';
import { importInputs } from '../../src/services/import-inputs.js';
import { createRun, runResults } from '../../src/services/runs.js';
import { syntheticVillagesCsv } from '../support/synthetic.js';
import { signedIn, startApp, type TestApp } from '../support/web.js';
import type { Plan, Tally } from './load-driver.js';

/**
 * Issue 7, item 7 (load), in `npm run test:hard` (it takes over a minute): 50 connections
 * for 60 s on mixed pages of a leader, a village and a staff member, while a 20,000-row
 * period is imported and run through the services and a leader saves forms through the
 * web. Zero 5xx, no lost write, memory flat.
 */

const CONNECTIONS = 50;
const SECONDS = 60;
const MB = 1024 * 1024;

function drive(plan: Plan): Promise<Tally> {
  const driver = path.join(path.dirname(fileURLToPath(import.meta.url)), 'load-driver.js');
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [driver, JSON.stringify(plan)], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '', err = '';
    child.stdout.on('data', (d) => { out += d; });
    child.stderr.on('data', (d) => { err += d; });
    child.on('close', (code) => {
      if (code !== 0) return reject(new Error(`the load driver exited ${code}: ${err}`));
      try { resolve(JSON.parse(out) as Tally); } catch { reject(new Error(`the load driver printed no JSON: ${out.slice(0, 300)} ${err.slice(0, 300)}`)); }
    });
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Memory after a full garbage collection, so that what is compared is what is kept, not what
 * awaits collection.
 */
v8.setFlagsFromString('--expose-gc');
const gc = vm.runInNewContext('gc') as () => void;
function settledMemory(): NodeJS.MemoryUsage {
  gc();
  return process.memoryUsage();
}

/** In a function of its own, so that the file's bytes and table are garbage once it returns. */
async function importLarge(app: TestApp, periodId: string) {
  const bytes = Buffer.from(syntheticVillagesCsv(20_000, { seed: 11 }));
  return importInputs(app.db, { periodId, track: 'village', table: parseDataBytes(bytes, 'load.csv'), fileBytes: bytes, by: 'load' });
}

/** The demo's 2024 rows of the village file, as the entry form posts them (inputs only). */
function demoForms(): Array<{ id: string; form: Record<string, string> }> {
  return parseDataBytes(readFileSync(path.join(DEMO_DIR, 'villages-2024.csv')), 'villages-2024.csv').rows.map((r) => {
    const { id, name: _name, parent: _parent, ...inputs } = r.cells as Record<string, string>;
    return { id, form: inputs };
  });
}

describe('under load (issue 7, item 7)', function () {
  this.timeout(300_000);
  let app: TestApp;
  before(async () => { app = await startApp(); });
  after(async () => { await app?.close(); });

  it(`serves ${CONNECTIONS} connections for ${SECONDS} s of mixed pages during an import and a run: no 5xx, no lost write, memory flat`, async () => {
    const leader = await signedIn(app.url, 'leader');
    const village = await signedIn(app.url, 'v01');
    const staff = await signedIn(app.url, 's01');
    const writer = await signedIn(app.url, 'leader'); // its own session, so that its flashes are its own
    const requests = [
      { path: '/runs/1', cookie: leader.cookie },
      { path: '/runs', cookie: leader.cookie },
      { path: '/units/v05?run=1', cookie: leader.cookie },
      { path: '/rules/village-annual/v/latest', cookie: leader.cookie },
      // The staff track: the village list would grow to the 20,000 villages imported below, every one on the page.
      { path: '/entry?period=2024&track=staff', cookie: leader.cookie },
      { path: '/units/v01', cookie: village.cookie },
      { path: '/staff/s01', cookie: staff.cookie },
      { path: '/runs/1/export.csv', cookie: leader.cookie },
    ];
    for (const q of requests) {
      const res = await fetch(app.url + q.path, { headers: { cookie: q.cookie }, redirect: 'manual' });
      expect(res.status, q.path).to.equal(200);
      await res.arrayBuffer();
    }
    // The baseline holds one import and run of the same size: the allocator keeps the pages of
    // that peak (RSS does not fall back), so a second one must not add to it, and the JS heap must not grow.
    await importLarge(app, '2029');
    await createRun(app.db, { periodId: '2029', track: 'village', by: 'load' });
    const before = settledMemory();

    const load = drive({ url: app.url, connections: CONNECTIONS, seconds: SECONDS, requests });
    await sleep(5000);

    // The writes, while the pages are being read: a 20,000-row import and its run through the services …
    const imported = await importLarge(app, '2030');
    const run = await createRun(app.db, { periodId: '2030', track: 'village', by: 'load' });
    // … and every village's form saved through the web by a leader.
    const forms = demoForms();
    for (const { id, form } of forms) {
      await writer.get(`/entry/2025/village/${id}`);
      const res = await writer.post(`/entry/2025/village/${id}`, form);
      expect(res.status, `form of ${id}`).to.equal(303);
    }

    const tally = await load;
    await sleep(2000); // the requests still queued when the load stopped
    const after = settledMemory();
    process.stdout.write(`      ${tally.tool}: ${tally.total} requests, ${JSON.stringify(tally.classes)}, errors ${tally.errors}, timeouts ${tally.timeouts}; `
      + `RSS ${Math.round(before.rss / MB)} → ${Math.round(after.rss / MB)} MB, JS heap ${Math.round(before.heapUsed / MB)} → ${Math.round(after.heapUsed / MB)} MB\n`);

    expect(tally.classes['5xx'], '5xx').to.equal(0);
    expect(tally.errors, 'connection errors').to.equal(0);
    expect(tally.timeouts, 'timeouts').to.equal(0);
    expect(tally.classes['3xx'] + tally.classes['4xx'], 'sessions lost or pages refused').to.equal(0);
    expect(tally.classes['2xx']).to.be.greaterThan(SECONDS * 10);

    expect(imported.rows).to.equal(20_000);
    expect(await countInputs(app.db, '2030', 'village')).to.equal(20_000);
    expect((await runResults(app.db, run.id)).units).to.have.length(20_000);
    expect(await countInputs(app.db, '2025', 'village')).to.equal(forms.length);

    expect(after.rss, 'RSS').to.be.at.most(before.rss * 1.5 + 100 * MB);
    expect(after.heapUsed, 'JS heap').to.be.at.most(before.heapUsed * 1.5 + 50 * MB);
  });
});
