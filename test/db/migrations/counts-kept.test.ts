import { expect } from 'chai';
import fc from 'fast-check';
import type { Knex } from 'knex';
import { countUnitsFiltered, unitPage } from '../../../src/db/queries/units.js';
import { stateCounts } from '../../../src/db/queries/reports.js';
import { openStore } from '../../../src/services/store.js';
import { onEachBackend } from '../../support/backends.js';

/**
 * Migration 0009: the counts a province's pages read (units by kind and parent, reports by period and state,
 * inputs by period and assessment) are kept by the database whoever writes, and always equal what counting
 * the rows afresh gives; a search by part of a name finds what LIKE finds; a deep page is the page OFFSET gives.
 */

const at = '2024-12-05T02:00:00.000Z';
const KINDS = ['village', 'staff'];
const PARENTS = ['t1', 't2', 't3', null];
const STATES = ['draft', 'submitted', 'returned', 'approved'];
const PERIODS = ['2024', '2025'];

type Write =
  | { op: 'addUnit'; id: number; kind: number; parent: number; name: number }
  | { op: 'moveUnit'; id: number; parent: number }
  | { op: 'rekindUnit'; id: number; kind: number }
  | { op: 'disableUnit'; id: number; disabled: boolean }
  | { op: 'renameUnit'; id: number; name: number }
  | { op: 'upsertUnit'; id: number; parent: number; name: number }
  | { op: 'deleteUnit'; id: number }
  | { op: 'addReport'; unit: number; period: number; state: number }
  | { op: 'stateReport'; unit: number; period: number; state: number }
  | { op: 'deleteReport'; unit: number; period: number }
  | { op: 'addInput'; unit: number; period: number; track: number }
  | { op: 'deleteInputs'; period: number; track: number };

const NAMES = ['河塘村', '东河村', '西塘村', '新村', 'Abc村', '河西'];
const i = (max: number) => fc.integer({ min: 0, max });
const write: fc.Arbitrary<Write> = fc.oneof(
  fc.record({ op: fc.constant('addUnit' as const), id: i(11), kind: i(1), parent: i(3), name: i(5) }),
  fc.record({ op: fc.constant('moveUnit' as const), id: i(11), parent: i(3) }),
  fc.record({ op: fc.constant('rekindUnit' as const), id: i(11), kind: i(1) }),
  fc.record({ op: fc.constant('disableUnit' as const), id: i(11), disabled: fc.boolean() }),
  fc.record({ op: fc.constant('renameUnit' as const), id: i(11), name: i(5) }),
  fc.record({ op: fc.constant('upsertUnit' as const), id: i(11), parent: i(3), name: i(5) }),
  fc.record({ op: fc.constant('deleteUnit' as const), id: i(11) }),
  fc.record({ op: fc.constant('addReport' as const), unit: i(11), period: i(1), state: i(3) }),
  fc.record({ op: fc.constant('stateReport' as const), unit: i(11), period: i(1), state: i(3) }),
  fc.record({ op: fc.constant('deleteReport' as const), unit: i(11), period: i(1) }),
  fc.record({ op: fc.constant('addInput' as const), unit: i(11), period: i(1), track: i(1) }),
  fc.record({ op: fc.constant('deleteInputs' as const), period: i(1), track: i(1) }),
);

const unitId = (k: number) => `u${String(k).padStart(2, '0')}`;

async function apply(db: Knex, w: Write): Promise<void> {
  switch (w.op) {
    case 'addUnit':
      await db('units').insert({ id: unitId(w.id), name: NAMES[w.name], kind: KINDS[w.kind], parent_id: PARENTS[w.parent], role: null, created_at: at }).onConflict('id').ignore();
      return;
    case 'moveUnit': await db('units').where({ id: unitId(w.id) }).update({ parent_id: PARENTS[w.parent] }); return;
    case 'rekindUnit': await db('units').where({ id: unitId(w.id) }).update({ kind: KINDS[w.kind] }); return;
    case 'disableUnit': await db('units').where({ id: unitId(w.id) }).update({ disabled_at: w.disabled ? at : null }); return;
    case 'renameUnit': await db('units').where({ id: unitId(w.id) }).update({ name: NAMES[w.name] }); return;
    case 'upsertUnit':
      await db('units').insert({ id: unitId(w.id), name: NAMES[w.name], kind: 'village', parent_id: PARENTS[w.parent], role: null, created_at: at })
        .onConflict('id').merge(['name', 'parent_id']);
      return;
    case 'deleteUnit': await db('units').where({ id: unitId(w.id) }).delete(); return;
    case 'addReport':
      await db('reports').insert({
        period_id: PERIODS[w.period], unit_id: unitId(w.unit), state: STATES[w.state], report_values: '{}', field_notes: null, review_comment: null, reopened_until: null,
        updated_by: 'x', updated_at: at, submitted_by: null, submitted_at: null, reviewed_by: null, reviewed_at: null,
      }).onConflict(['period_id', 'unit_id']).ignore();
      return;
    case 'stateReport': await db('reports').where({ period_id: PERIODS[w.period], unit_id: unitId(w.unit) }).update({ state: STATES[w.state] }); return;
    case 'deleteReport': await db('reports').where({ period_id: PERIODS[w.period], unit_id: unitId(w.unit) }).delete(); return;
    case 'addInput':
      await db('inputs').insert({ period_id: PERIODS[w.period], track: KINDS[w.track], unit_id: unitId(w.unit), name: null, parent_id: null, input_values: '{}', batch_id: null, entered_by: 'x', entered_at: at })
        .onConflict(['period_id', 'track', 'unit_id']).ignore();
      return;
    case 'deleteInputs': await db('inputs').where({ period_id: PERIODS[w.period], track: KINDS[w.track] }).delete(); return;
  }
}

/** The kept counts, each as "key=n" with zeros left out, beside the same counted afresh from the rows. */
async function keptAndCounted(db: Knex): Promise<{ kept: string[]; counted: string[] }> {
  const lines = (rows: Array<Record<string, unknown>>, keys: string[]) => rows.filter((r) => Number(r.n) !== 0).map((r) => `${keys.map((k) => r[k]).join('/')}=${Number(r.n)}`).sort();
  const parentKey = "COALESCE(u.parent_id, '')";
  const kept = [
    ...lines(await db('unit_counts').select('*'), ['kind', 'parent_key']).map((l) => `unit ${l}`),
    ...lines(await db('unit_totals').select('*'), ['kind']).map((l) => `unit total ${l}`),
    ...lines(await db('report_counts').select('*'), ['period_id', 'kind', 'parent_key', 'state']).map((l) => `report ${l}`),
    ...lines(await db('report_totals').select('*'), ['period_id', 'kind', 'state']).map((l) => `report total ${l}`),
    ...lines(await db('input_counts').select('*'), ['period_id', 'track']).map((l) => `input ${l}`),
  ].sort();
  const counted = [
    ...lines(await db.raw(`SELECT u.kind, ${parentKey} AS parent_key, COUNT(*) AS n FROM units u WHERE u.disabled_at IS NULL GROUP BY u.kind, ${parentKey}`).then(rowsOf), ['kind', 'parent_key']).map((l) => `unit ${l}`),
    ...lines(await db.raw('SELECT u.kind, COUNT(*) AS n FROM units u WHERE u.disabled_at IS NULL GROUP BY u.kind').then(rowsOf), ['kind']).map((l) => `unit total ${l}`),
    ...lines(await db.raw(`SELECT r.period_id, u.kind, ${parentKey} AS parent_key, r.state, COUNT(*) AS n FROM reports r JOIN units u ON u.id = r.unit_id
      WHERE u.disabled_at IS NULL GROUP BY r.period_id, u.kind, ${parentKey}, r.state`).then(rowsOf), ['period_id', 'kind', 'parent_key', 'state']).map((l) => `report ${l}`),
    ...lines(await db.raw(`SELECT r.period_id, u.kind, r.state, COUNT(*) AS n FROM reports r JOIN units u ON u.id = r.unit_id
      WHERE u.disabled_at IS NULL GROUP BY r.period_id, u.kind, r.state`).then(rowsOf), ['period_id', 'kind', 'state']).map((l) => `report total ${l}`),
    ...lines(await db.raw('SELECT period_id, track, COUNT(*) AS n FROM inputs GROUP BY period_id, track').then(rowsOf), ['period_id', 'track']).map((l) => `input ${l}`),
  ].sort();
  return { kept, counted };
}

const rowsOf = (r: unknown): Array<Record<string, unknown>> => (Array.isArray(r) ? r : (r as { rows: Array<Record<string, unknown>> }).rows);

onEachBackend('migration 0009, counts kept by the database', (backend) => {
  let db: Knex;

  before(async () => {
    process.env.APPRAISAL_QUIET = '1';
    db = await openStore(await backend.fresh('none'));
    await db('periods').insert(PERIODS.map((id) => ({ id, title: `${id}年度`, kind: 'annual', created_at: at }))).onConflict('id').ignore();
  });
  after(async () => { await db?.destroy(); });

  const clear = async () => {
    for (const table of ['reports', 'inputs', 'units']) await db(table).delete();
  };

  it('keeps every count equal to the rows counted afresh, whatever is written: units added, moved, re-kinded, disabled, enabled, renamed, upserted, deleted; reports and inputs added, changed, deleted', async () => {
    await fc.assert(fc.asyncProperty(fc.array(write, { minLength: 1, maxLength: 40 }), async (writes) => {
      await clear();
      for (const w of writes) await apply(db, w);
      const { kept, counted } = await keptAndCounted(db);
      expect(kept).to.deep.equal(counted);
    }), { numRuns: 25, seed: 20261203 });
  });

  it('answers the board’s counts from them: a township’s units in each state, and all of a kind', async () => {
    await clear();
    const writes: Write[] = [
      ...[0, 1, 2, 3, 4].map((id) => ({ op: 'addUnit' as const, id, kind: 0, parent: id % 2, name: id })),
      { op: 'addReport', unit: 0, period: 0, state: 1 }, { op: 'addReport', unit: 1, period: 0, state: 3 }, { op: 'addReport', unit: 2, period: 0, state: 1 },
      { op: 'disableUnit', id: 2, disabled: true },
    ];
    for (const w of writes) await apply(db, w);
    expect(await stateCounts(db, '2024', 'village')).to.deep.equal({ none: 2, draft: 0, submitted: 1, returned: 0, approved: 1 });
    expect(await stateCounts(db, '2024', 'village', 't1')).to.deep.equal({ none: 1, draft: 0, submitted: 1, returned: 0, approved: 0 });
    expect(await countUnitsFiltered(db, 'village', 't2', undefined)).to.equal(2);
    expect(await countUnitsFiltered(db, 'village', undefined, undefined)).to.equal(4);
  });

  it('finds by part of a name or id what LIKE finds, after renames and deletions, and takes % and _ as they are typed', async () => {
    await clear();
    for (const [k, name] of ['河塘村', '东河村', '西塘村', '新村', 'Abc村', '河_西'].entries()) await apply(db, { op: 'addUnit', id: k, kind: 0, parent: 0, name: 0 }).then(() => db('units').where({ id: unitId(k) }).update({ name }));
    await db('units').where({ id: unitId(1) }).update({ name: '东湖村' });
    await db('units').where({ id: unitId(3) }).delete();
    const found = async (search: string) => (await unitPage(db, 'village', undefined, search, 50, 0)).map((u) => u.name).sort();
    expect(await found('河')).to.deep.equal(['河_西', '河塘村'].sort());
    expect(await found('塘村')).to.deep.equal(['河塘村', '西塘村'].sort());
    expect(await found('东河')).to.deep.equal([]);
    expect(await found('东湖村')).to.deep.equal(['东湖村']);
    expect(await found('新村')).to.deep.equal([]);
    expect(await found('u04')).to.deep.equal(['Abc村']);
    expect(await found('_')).to.deep.equal(['河_西']);
    expect(await found('%')).to.deep.equal([]);
    expect(await countUnitsFiltered(db, 'village', undefined, '塘村')).to.equal(2);
  });

  it('gives a deep page of a kind’s units as OFFSET does, and again after units come and go', async () => {
    await clear();
    const ids = Array.from({ length: 2600 }, (_, k) => `v${String(k * 7 % 2600).padStart(5, '0')}`);
    for (let k = 0; k < ids.length; k += 500) {
      await db('units').insert(ids.slice(k, k + 500).map((id) => ({ id, name: `村${id}`, kind: 'village', parent_id: 't1', role: null, created_at: at })));
    }
    const offsetPage = async (offset: number) => (await db('units').where({ kind: 'village' }).whereNull('disabled_at').orderBy('id').limit(50).offset(offset).select('id')).map((u: { id: string }) => u.id);
    const page = async (offset: number) => (await unitPage(db, 'village', undefined, undefined, 50, offset)).map((u) => u.id);
    for (const offset of [0, 999, 1000, 1001, 1990, 2000, 2575, 2600]) expect(await page(offset), `offset ${offset}`).to.deep.equal(await offsetPage(offset));
    await db('units').where({ id: 'v00003' }).update({ disabled_at: at });
    await db('units').insert({ id: 'v00000a', name: '新村', kind: 'village', parent_id: 't1', role: null, created_at: at });
    for (const offset of [1000, 1990, 2000]) expect(await page(offset), `after changes, offset ${offset}`).to.deep.equal(await offsetPage(offset));
  });
});
