import { mkdtempSync, rmSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { insertMany } from '../../src/db/chunks.js';
import { upsertUnits } from '../../src/db/queries/units.js';
import { createApp } from '../../src/http/app.js';
import { parseCsvData } from '../../src/io/data-file.js';
import { resetPassword } from '../../src/services/accounts.js';
import { hashPassword } from '../../src/services/passwords.js';
import { openReporting } from '../../src/services/collection.js';
import { importInputs } from '../../src/services/import-inputs.js';
import { addWorkingDays, today } from '../../src/services/review-period.js';
import { createRun, publishRun } from '../../src/services/runs.js';
import { openStore } from '../../src/services/store.js';
import { syntheticVillagesCsv } from '../../test/support/synthetic.js';
import { Client } from '../../test/support/web.js';
import { median } from '../measure.js';
import { autocannon } from './http.js';

/**
 * A province's pages (issue 21 point 6): 100,000 villages in 5,000 townships imported, scored and published,
 * every village with its account, the 党建 reporting open with 10,000 reports in every state; then, for each page a township or the province
 * opens — the ranking of a township and a page of the province's, the entry list (a page, a township), the
 * board (a page, a search, the late), the review queue — one request at a time, then autocannon's load
 * (`connections` at once, loopback), its median and 99th percentile.
 */

const PASSWORD = 'bench-口令-2024-leader';

export async function provinceTask(args: { quick: boolean; size?: number; connections?: number }) {
  const size = args.size ?? 100_000;
  const connections = args.connections ?? 10;
  const dir = mkdtempSync(path.join(os.tmpdir(), 'appraisal-bench-province-'));
  const db = await openStore({ databaseFile: path.join(dir, 'appraisal.sqlite'), port: 0, seed: 'demo' });
  let server: Server | undefined;
  const setup: Record<string, number> = {};
  const step = async <T>(name: string, work: () => Promise<T>): Promise<T> => {
    const t0 = performance.now();
    const out = await work();
    setup[name] = Math.round(performance.now() - t0);
    process.stderr.write(`  [province] ${name}: ${setup[name]} ms\n`);
    return out;
  };
  try {
    await resetPassword(db, 'leader', 'bench', PASSWORD);
    // The province's townships as units (a ranking or a list is filtered by one), 20 villages each.
    const townships = size / 20;
    await upsertUnits(db, Array.from({ length: townships }, (_, k) => ({
      id: `t${String(k + 1).padStart(5, '0')}`, name: `第${k + 1}镇`, kind: 'township', parent_id: 'hetang', role: null, created_at: new Date().toISOString(),
    })));
    const csv = syntheticVillagesCsv(size, { townships });
    const at0 = new Date().toISOString();
    await step('import', () => importInputs(db, { periodId: '2030', table: parseCsvData(csv, 'province.csv'), fileBytes: Buffer.from(csv), by: 'bench' }));
    // Every village has its account (its cadres report and read their scorecard), one password hash shared: no page may read them all.
    const hash = await hashPassword('bench-口令-2024-village');
    await step('accounts', () => insertMany(db, 'users', Array.from({ length: size }, (_, k) => {
      const unit = `v${String(k + 1).padStart(7, '0')}`;
      return { username: unit, display_name: `第${k + 1}村村支两委`, role: 'village', unit_id: unit, password_hash: hash, disabled: false, session_epoch: 0, created_at: at0, password_changed_at: at0 };
    })));
    const run = await step('run', () => createRun(db, { periodId: '2030', by: 'bench' }));
    await publishRun(db, run.id, 'bench');
    // The demo's 党建 assessment (a3) opens its reporting; a tenth of the villages have a report, in every state.
    await openReporting(db, { periodId: '2030', assessmentId: 'a3', deadline: addWorkingDays(today(), 5), by: 'bench' });
    const states = ['draft', 'submitted', 'returned', 'approved'] as const;
    const at = new Date().toISOString();
    await step('reports', () => insertMany(db, 'reports', Array.from({ length: size / 10 }, (_, k) => {
      const state = states[k % 4];
      return {
        period_id: '2030', unit_id: `v${String(k * 10 + 1).padStart(7, '0')}`, state, report_values: '{"memberMeetings":"4"}', field_notes: null, review_comment: null,
        reopened_until: null, updated_by: 'bench', updated_at: at, submitted_by: state === 'draft' ? null : 'bench', submitted_at: state === 'draft' ? null : at,
        reviewed_by: null, reviewed_at: null,
      };
    })));
    const app = createApp({ db, log: () => {} });
    server = await new Promise<Server>((resolve) => { const s = app.listen(0, '127.0.0.1', () => resolve(s)); });
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const client = new Client(base);
    const login = await client.login('leader', PASSWORD);
    if (login.status !== 303) throw new Error(`bench: login failed (${login.status})`);
    const last = Math.ceil(size / 500);
    const pages: Record<string, string> = {
      rankingTownship: `/runs/${run.id}?parent=t00042`,
      rankingPage: `/runs/${run.id}?page=${Math.floor(last / 2)}`,
      entryPage: `/entry?period=2030&track=village&page=${Math.floor(size / 100)}`,
      entryTownship: '/entry?period=2030&track=village&parent=t00042',
      board: '/collection?period=2030&assessment=a3',
      boardSearch: `/collection?period=2030&assessment=a3&q=${encodeURIComponent(`第${Math.floor(size / 3)}村`)}`,
      boardSubmitted: '/collection?period=2030&assessment=a3&state=submitted&page=3',
      reviewQueue: '/collection/review?period=2030&page=2',
    };
    for (const [name, p] of Object.entries(pages)) {
      const page = await client.get(p);
      if (page.status !== 200) throw new Error(`bench: ${name} page ${p} answered ${page.status}`);
    }
    const out: Record<string, unknown> = { size, connections, setupMs: setup, runId: run.id };
    const seconds = args.quick ? 2 : 10, warm = args.quick ? 1 : 3;
    for (const [name, p] of Object.entries(pages)) {
      const times: number[] = [];
      for (let i = 0; i < 7; i++) { const t0 = performance.now(); await client.get(p); times.push(performance.now() - t0); }
      await autocannon(base + p, client.cookie, connections, warm);
      const r = await autocannon(base + p, client.cookie, connections, seconds);
      out[name] = {
        path: p, singleRequestMs: Math.round(median(times.slice(2)) * 10) / 10, requestsPerSecond: r.requests.average, p50Ms: r.latency.p50, p99Ms: r.latency.p99,
        maxMs: r.latency.max, requests: r.requests.total, errors: r.errors + r.timeouts + r.non2xx,
      };
      process.stderr.write(`  [province] ${name}: ${JSON.stringify(out[name])}\n`);
    }
    return out;
  } finally {
    if (server) await new Promise((r) => server!.close(r));
    await new Promise((r) => setTimeout(r, 500));
    await db.destroy();
    rmSync(dir, { recursive: true, force: true });
  }
}
