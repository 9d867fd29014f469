import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { createApp } from '../../src/http/app.js';
import { parseCsvData } from '../../src/io/data-file.js';
import { resetPassword } from '../../src/services/accounts.js';
import { importInputs } from '../../src/services/import-inputs.js';
import { createRun, publishRun } from '../../src/services/runs.js';
import { openStore } from '../../src/services/store.js';
import { syntheticVillagesCsv } from '../../test/support/synthetic.js';
import { Client } from '../../test/support/web.js';
import { ROOT } from '../../src/paths.js';
import { median } from '../measure.js';
import { performance } from 'node:perf_hooks';

/**
 * Pages under load: the web application on a fresh demo database with a 300-village county
 * (15 townships of 20) imported and its run published, a leader signed in, and autocannon
 * run as a separate process (loopback only) against the ranking page and a scorecard.
 */

const PASSWORD = 'bench-口令-2024-leader';

export interface Cannon { requests: { average: number; mean: number; total: number }; latency: { p50: number; p99: number; average: number; max: number }; errors: number; timeouts: number; non2xx: number; '2xx': number; }

export function autocannon(url: string, cookie: string, connections: number, seconds: number): Promise<Cannon> {
  const bin = path.join(ROOT, 'node_modules', 'autocannon', 'autocannon.js');
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [bin, '-c', String(connections), '-d', String(seconds), '-H', `Cookie=${cookie}`, '--json', url], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '', err = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (err += d));
    child.on('error', reject);
    child.on('close', (code) => {
      if (code !== 0) return reject(new Error(`autocannon exited ${code}: ${err}`));
      try { resolve(JSON.parse(out) as Cannon); } catch { reject(new Error(`autocannon printed no JSON: ${out.slice(0, 200)} ${err.slice(0, 200)}`)); }
    });
  });
}

export async function httpTask(args: { quick: boolean }) {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'appraisal-bench-http-'));
  const db = await openStore({ databaseFile: path.join(dir, 'appraisal.sqlite'), port: 0, seed: 'demo' });
  let server: Server | undefined;
  let inFlight = 0;
  try {
    await resetPassword(db, 'leader', 'bench', PASSWORD);
    const csv = syntheticVillagesCsv(300, { townships: 15 });
    await importInputs(db, { periodId: '2030', table: parseCsvData(csv, 'county.csv'), fileBytes: Buffer.from(csv), by: 'bench' });
    const run = await createRun(db, { periodId: '2030', by: 'bench' });
    await publishRun(db, run.id, 'bench');
    const app = createApp({ db, log: () => {} });
    server = await new Promise<Server>((resolve) => { const s = app.listen(0, '127.0.0.1', () => resolve(s)); });
    server.on('request', (_req, res) => { inFlight++; res.on('close', () => inFlight--); });
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const client = new Client(base);
    const login = await client.login('leader', PASSWORD);
    if (login.status !== 303) throw new Error(`bench: login failed (${login.status})`);
    const pages = { ranking: `/runs/${run.id}`, scorecard: `/units/v0000001?run=${run.id}` };
    for (const [name, p] of Object.entries(pages)) {
      const page = await client.get(p);
      if (page.status !== 200) throw new Error(`bench: ${name} page ${p} answered ${page.status}`);
      if (name === 'ranking' && !page.text.includes('v0000300') && !page.text.includes('第300村')) throw new Error('bench: the ranking page does not list the 300th village');
    }
    // One request at a time first: what a single user waits, even when the load run completes few requests.
    const single: Record<string, number> = {};
    for (const [name, p] of Object.entries(pages)) {
      const times: number[] = [];
      for (let i = 0; i < 7; i++) { const t0 = performance.now(); await client.get(p); times.push(performance.now() - t0); }
      single[name] = Math.round(median(times.slice(2)));
    }
    const seconds = args.quick ? 5 : 20, warm = args.quick ? 2 : 5, connections = 50;
    const out: Record<string, unknown> = { connections, seconds, warmUpSeconds: warm, runId: run.id, villages: 300 };
    for (const [name, p] of Object.entries(pages)) {
      await autocannon(base + p, client.cookie, connections, warm);
      const r = await autocannon(base + p, client.cookie, connections, seconds);
      out[name] = {
        path: p, singleRequestMs: single[name], requestsPerSecond: r.requests.average, p50Ms: r.latency.p50, p99Ms: r.latency.p99, maxMs: r.latency.max,
        requests: r.requests.total, errors: r.errors + r.timeouts + r.non2xx, ok2xx: r['2xx'],
      };
      process.stderr.write(`  [http] ${name} measured\n`);
    }
    return out;
  } finally {
    // Requests autocannon gave up on are still being served: let them finish before the database closes.
    // A response closes with its connection while its handler may still wait for the database: wait for that too.
    const pool = (db.client as { pool?: { numUsed(): number; numPendingAcquires(): number } }).pool;
    const busy = () => inFlight > 0 || (pool ? pool.numUsed() + pool.numPendingAcquires() > 0 : false);
    for (let i = 0; i < 600 && busy(); i++) await new Promise((r) => setTimeout(r, 100));
    if (server) await new Promise((r) => server!.close(r));
    await db.destroy();
    rmSync(dir, { recursive: true, force: true });
  }
}
