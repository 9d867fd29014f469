import { expect } from 'chai';
import knexFactory, { type Knex } from 'knex';
import * as initial from '../../../src/db/migrations/0001-appraisal-record.js';
import * as accounts from '../../../src/db/migrations/0002-accounts.js';
import { discardDraft, getRun, markFinal, markSuperseded } from '../../../src/db/queries/runs.js';
import { runState } from '../../../src/services/review-period.js';
import { openStore } from '../../../src/services/store.js';
import type { Config } from '../../../src/config.js';
import { onEachBackend } from '../../support/backends.js';

/** Migration 0003 (the appraisal year) on a record made before it, and the guards it puts in place. */

const before0003: Knex.MigrationSource<[string, Knex.Migration]> = {
  getMigrations: async () => [['0001-appraisal-record', initial], ['0002-accounts', accounts]],
  getMigrationName: (m) => m[0],
  getMigration: async (m) => m[1],
};

async function refused(work: Promise<unknown>): Promise<string> {
  try { await work; } catch (e) { return (e as Error).message; }
  return 'not refused';
}

onEachBackend('migration 0003, the appraisal year', (backend) => {
  let config: Config;
  let db: Knex;
  const at = '2024-01-05T02:00:00.000Z';

  /** A run of 2023 on a record as it was before 0003: published (with no deadline), and a draft. */
  async function oldRecord(): Promise<void> {
    config = await backend.fresh('none');
    const old = config.databaseUrl
      ? knexFactory({ client: 'pg', connection: config.databaseUrl })
      : knexFactory({ client: 'sqlite3', connection: { filename: config.databaseFile }, useNullAsDefault: true });
    try {
      await old.migrate.latest({ migrationSource: before0003 });
      await old('periods').insert({ id: '2023', title: '2023年度', kind: 'annual', created_at: at });
      for (const [sha, label] of [['a'.repeat(64), '2023.1'], ['b'.repeat(64), '2023.1']]) {
        await old('rule_versions').insert({ sha256: sha, ruleset_id: 'village-annual', version: label, title: 't', subject: 'village', source: '{}', imported_by: 'admin', imported_at: at });
      }
      await old('snapshots').insert({ period_id: '2023', track: 'village', sha256: 'c'.repeat(64), row_count: 0, content: Buffer.from([]), created_at: at });
      const run = { period_id: '2023', track: 'village', rule_sha256: 'a'.repeat(64), snapshot_id: 1, supersedes_id: null, note: null, unit_count: 0, results_sha256: 'd'.repeat(64), created_by: 'leader', created_at: at };
      await old('runs').insert({ ...run, status: 'published', published_by: 'leader', published_at: at });
      await old('runs').insert({ ...run, status: 'draft' });
    } finally {
      await old.destroy();
    }
    db = await openStore(config);
  }

  before(oldRecord);
  after(async () => { await db?.destroy(); });

  it('keeps the runs it finds: a run published before 公示 existed reads as past its 公示, with nothing else changed', async () => {
    const run = (await getRun(db, 1))!;
    expect(run.status).to.equal('published');
    expect(run.review_until).to.equal(null);
    expect(runState(run)).to.equal('review-ended');
    expect(run.published_at).to.equal(at);
  });

  it('opens a record that already holds two versions sharing a label, and leaves the label check to the application', async () => {
    const labels = await db('rule_versions').select('version').whereIn('sha256', ['a'.repeat(64), 'b'.repeat(64)]);
    expect(labels.map((r) => r.version)).to.deep.equal(['2023.1', '2023.1']);
    expect((await db('knex_migrations').select('name')).map((m) => m.name)).to.include('0003-appraisal-year');
  });

  it('refuses a second current run of a period: one under 公示 or final at a time', async () => {
    expect(await refused(db('runs').where({ id: 2 }).update({ status: 'published', published_by: 'x', published_at: at, review_until: '2024-01-10' }))).to.match(/unique|UNIQUE|duplicate/);
  });

  it('lets a run under 公示 become final, and then refuses every change but its correction', async () => {
    expect(await markFinal(db, 1, 'leader', at)).to.equal(true);
    expect(await refused(db('runs').where({ id: 1 }).update({ status: 'published' }))).to.contain('never changes');
    expect(await refused(db('runs').where({ id: 1 }).update({ note: '改一下' }))).to.contain('never changes');
    expect(await refused(db('runs').where({ id: 1 }).update({ finalized_by: 'someone-else' }))).to.contain('never changes');
    expect(await refused(db('runs').where({ id: 1 }).delete())).to.contain('never changes');
    expect(await refused(db('runs').where({ id: 1 }).update({ status: 'superseded' })), 'superseded by no run').to.contain('never changes');
    expect((await getRun(db, 1))!.status).to.equal('final');
  });

  it('takes no appeal on a run that is not under 公示, whatever writes it', async () => {
    const appeal = { run_id: 1, unit_id: 'v01', items: '[]', reason: '不服', status: 'open', filed_by: 'v01', filed_at: at };
    expect(await refused(db('appeals').insert(appeal))).to.contain('only taken on a run under 公示');
    expect(await refused(db('appeals').insert({ ...appeal, run_id: 2 })), 'a draft').to.contain('only taken on a run under 公示');
  });

  it('discards a draft, whose run then never changes again', async () => {
    expect(await discardDraft(db, 2, 'leader', at)).to.equal(true);
    expect((await getRun(db, 2))!.status).to.equal('discarded');
    expect(await discardDraft(db, 2, 'leader', at), 'twice').to.equal(false);
    expect(await refused(db('runs').where({ id: 2 }).update({ status: 'draft' }))).to.contain('never changes');
    expect(await markSuperseded(db, 2, 1), 'a discarded run is not superseded').to.equal(false);
  });

  it('lets a final run be superseded by its correction, and nothing after that', async () => {
    const run = (await getRun(db, 1))!;
    const { id: _id, status: _s, superseded_by: _b, finalized_by: _f, finalized_at: _a, review_until: _r, published_by: _p, published_at: _pa, discarded_by: _d, discarded_at: _da, ...pinned } = run;
    const [inserted] = await db('runs').insert({ ...pinned, status: 'draft', supersedes_id: 1 }).returning('id');
    const correction = typeof inserted === 'object' ? (inserted as { id: number }).id : Number(inserted);
    expect(await markSuperseded(db, 1, correction)).to.equal(true);
    expect((await getRun(db, 1))!.superseded_by).to.equal(correction);
    expect(await refused(db('runs').where({ id: 1 }).update({ superseded_by: 2 }))).to.contain('never changes');
  });
});
