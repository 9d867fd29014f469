import { expect } from 'chai';
import type { Knex } from 'knex';
import { listRuns } from '../../../src/db/queries/runs.js';
import { allAssessments, assessmentOfRuleSet } from '../../../src/services/assessments.js';
import { verifyRun } from '../../../src/services/runs.js';
import { openStore } from '../../../src/services/store.js';
import type { Config } from '../../../src/config.js';
import { onEachBackend } from '../../support/backends.js';

/**
 * Migration 0004 (assessments, issue 20 point 2) on a record made before it: the demo township
 * of today, whose runs are keyed by the tracks village and staff, and a track no table names.
 */

onEachBackend('migration 0004, assessments', (backend) => {
  let config: Config;
  let db: Knex;

  /** The demo record as it was before 0004: no assessments table, no 0004 in the migration log; and a run of a track `party`. */
  before(async function () {
    this.timeout(120_000);
    config = await backend.fresh('demo');
    const seeded = await openStore(config);
    try {
      const [village] = (await listRuns(seeded, { track: 'village' })).slice(-1);
      const { id: _id, status: _s, published_by: _p, published_at: _pa, review_until: _r, finalized_by: _f, finalized_at: _fa, superseded_by: _b, discarded_by: _d, discarded_at: _da, ...pinned } = village!;
      // The village run's twin, results and all, filed under a track of its own.
      const [inserted] = await seeded('runs').insert({ ...pinned, track: 'party', status: 'draft', supersedes_id: null }).returning('id');
      const party = typeof inserted === 'object' ? (inserted as { id: number }).id : Number(inserted);
      for (const table of ['results', 'parent_results']) {
        const rows = await seeded(table).where({ run_id: village!.id });
        for (let i = 0; i < rows.length; i += 100) await seeded(table).insert(rows.slice(i, i + 100).map((r: Record<string, unknown>) => ({ ...r, run_id: party })));
      }
      await seeded.schema.dropTable('assessments');
      await seeded('knex_migrations').where({ name: '0004-assessments' }).delete();
    } finally {
      await seeded.destroy();
    }
    db = await openStore(config);
  });
  after(async () => { await db?.destroy(); });

  it('creates the assessments: the two tracks with their titles and rule sets, then every other track found, titled by its id', async () => {
    const rows = (await allAssessments(db)).map(({ id, title, unit_kind, ruleset_id, position, disabled_at }) => ({ id, title, unit_kind, ruleset_id, position, disabled_at }));
    expect(rows).to.deep.equal([
      { id: 'village', title: '村级千分考核', unit_kind: 'village', ruleset_id: 'village-annual', position: 1, disabled_at: null },
      { id: 'staff', title: '双线考核（工作人员）', unit_kind: 'staff', ruleset_id: 'staff-annual', position: 2, disabled_at: null },
      // The demo's 专项 and 综合考核, and `party`: each rule set and kind of unit read from its newest run.
      { id: 'a3', title: 'a3', unit_kind: 'village', ruleset_id: 'village-party', position: 3, disabled_at: null },
      { id: 'a4', title: 'a4', unit_kind: 'village', ruleset_id: 'village-safety', position: 4, disabled_at: null },
      { id: 'a5', title: 'a5', unit_kind: 'village', ruleset_id: 'village-composite', position: 5, disabled_at: null },
      { id: 'party', title: 'party', unit_kind: 'village', ruleset_id: 'village-annual', position: 6, disabled_at: null },
    ]);
    expect((await db('knex_migrations').select('name')).map((m: { name: string }) => m.name)).to.include('0004-assessments');
  });

  it('keeps every run as it was, and every run still verifies', async function () {
    this.timeout(120_000);
    const runs = await listRuns(db);
    expect(runs.map((r) => r.track)).to.include.members(['village', 'staff', 'party']);
    for (const run of runs) {
      const report = await verifyRun(db, run.id);
      expect(report.identical, `run ${run.id} (${run.track})`).to.equal(true);
    }
  });

  it('is safe to run twice: a second run adds nothing and changes nothing', async () => {
    const before = await db('assessments').orderBy('id');
    const { up } = await import('../../../src/db/migrations/0004-assessments.js');
    await up(db);
    expect(await db('assessments').orderBy('id')).to.deep.equal(before);
  });

  it('finds the assessment of a rule set, and the version-1 link `village` still finds the village assessment', async () => {
    expect((await assessmentOfRuleSet(db, 'village-annual'))?.id).to.equal('village');
    expect((await assessmentOfRuleSet(db, 'staff-annual'))?.id).to.equal('staff');
    expect((await assessmentOfRuleSet(db, 'village'))?.id).to.equal('village');
    expect(await assessmentOfRuleSet(db, 'no-such-rules')).to.equal(undefined);
  });
});
