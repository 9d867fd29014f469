import { expect } from 'chai';
import { createHash } from 'node:crypto';
import knexFactory, { type Knex } from 'knex';
import * as initial from '../../../src/db/migrations/0001-appraisal-record.js';
import * as accounts from '../../../src/db/migrations/0002-accounts.js';
import * as appraisalYear from '../../../src/db/migrations/0003-appraisal-year.js';
import * as assessments from '../../../src/db/migrations/0004-assessments.js';
import * as events from '../../../src/db/migrations/0005-events.js';
import * as runSources from '../../../src/db/migrations/0006-run-sources.js';
import * as collection from '../../../src/db/migrations/0007-collection.js';
import { appealFile, filesOfAppeals } from '../../../src/db/queries/appeals.js';
import { openStore } from '../../../src/services/store.js';
import type { Config } from '../../../src/config.js';
import { onEachBackend } from '../../support/backends.js';

/** Migration 0008 (one storage for files) on a record whose appeals hold files, and the guard it puts on stored files. */

const before0008: Knex.MigrationSource<[string, Knex.Migration]> = {
  getMigrations: async () => [['0001-appraisal-record', initial], ['0002-accounts', accounts], ['0003-appraisal-year', appraisalYear],
    ['0004-assessments', assessments], ['0005-events', events], ['0006-run-sources', runSources], ['0007-collection', collection]],
  getMigrationName: (m) => m[0],
  getMigration: async (m) => m[1],
};

async function refused(work: Promise<unknown>): Promise<string> {
  try { await work; } catch (e) { return (e as Error).message; }
  return 'not refused';
}

onEachBackend('migration 0008, one storage for files', (backend) => {
  let config: Config;
  let db: Knex;
  const at = '2024-12-05T02:00:00.000Z';
  const pdf = Buffer.from('%PDF-1.4\n合同补签证明\n%%EOF\n');

  before(async () => {
    config = await backend.fresh('none');
    const old = config.databaseUrl
      ? knexFactory({ client: 'pg', connection: config.databaseUrl })
      : knexFactory({ client: 'sqlite3', connection: { filename: config.databaseFile }, useNullAsDefault: true });
    try {
      process.env.APPRAISAL_QUIET = '1';
      await old.migrate.latest({ migrationSource: before0008 });
      await old('periods').insert({ id: '2024', title: '2024年度', kind: 'annual', created_at: at });
      await old('rule_versions').insert({ sha256: 'a'.repeat(64), ruleset_id: 'village-annual', version: '2024.1', title: 't', subject: 'village', source: '{}', imported_by: 'admin', imported_at: at });
      await old('snapshots').insert({ period_id: '2024', track: 'village', sha256: 'c'.repeat(64), row_count: 0, content: Buffer.from([]), created_at: at });
      await old('runs').insert({
        period_id: '2024', track: 'village', rule_sha256: 'a'.repeat(64), snapshot_id: 1, supersedes_id: null, note: null, unit_count: 0, results_sha256: 'd'.repeat(64),
        created_by: 'leader', created_at: at, status: 'published', published_by: 'leader', published_at: at, review_until: '2099-01-01',
      });
      await old('appeals').insert({ run_id: 1, unit_id: 'v01', items: '[]', reason: '有异议', status: 'open', filed_by: 'v01', filed_at: at });
      await old('appeal_files').insert({ appeal_id: 1, file_name: '证明.pdf', media_type: 'application/pdf', size: pdf.length, sha256: createHash('sha256').update(pdf).digest('hex'), content: pdf });
    } finally {
      await old.destroy();
    }
    db = await openStore(config);
  });
  after(async () => { await db?.destroy(); });

  it('moves an appeal’s files into the one storage, bytes and hash as they were, and drops the old table', async () => {
    expect(await db.schema.hasTable('appeal_files')).to.equal(false);
    const [file] = await filesOfAppeals(db, [1]);
    expect(file).to.include({ appeal_id: 1, file_name: '证明.pdf', media_type: 'application/pdf', size: pdf.length, sha256: createHash('sha256').update(pdf).digest('hex') });
    const full = (await appealFile(db, 1, file.id))!;
    expect(Buffer.from(full.content).equals(pdf)).to.equal(true);
    expect(await db('stored_files').where({ id: file.id }).first()).to.include({ unit_id: 'v01', uploaded_by: 'v01', uploaded_at: at });
  });

  it('refuses to change a stored file, or to delete one that backs an appeal', async () => {
    const [file] = await filesOfAppeals(db, [1]);
    expect(await refused(db('stored_files').where({ id: file.id }).update({ file_name: 'x.pdf' }))).to.contain('never changes');
    expect(await refused(db('stored_files').where({ id: file.id }).delete())).to.contain('is kept');
    expect((await filesOfAppeals(db, [1])).length).to.equal(1);
  });
});
