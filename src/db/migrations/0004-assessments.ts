import type { Knex } from 'knex';

/**
 * Assessments (考核, issue 20 point 2): a township runs any number of them in a period,
 * each scored by a rule set, where it had two fixed tracks. The `track` columns of inputs,
 * templates, snapshots and runs keep their name and now hold an assessment's id; renaming
 * them would mean rebuilding the tables the guards of 0003 watch. Never edited once landed;
 * safe to run twice; reads and writes plain rows, no model layer.
 */

const log = (msg: string) => { if (process.env.APPRAISAL_QUIET !== '1') process.stderr.write(`[migration 0004] ${msg}\n`); };

/** The two tracks every township had, as they were called; any other track found is titled by its id. */
const KNOWN: ReadonlyArray<{ id: string; title: string; unit_kind: 'village' | 'staff'; ruleset_id: string }> = [
  { id: 'village', title: '村级千分考核', unit_kind: 'village', ruleset_id: 'village-annual' },
  { id: 'staff', title: '双线考核（工作人员）', unit_kind: 'staff', ruleset_id: 'staff-annual' },
];

/** The tables whose `track` column names an assessment. */
const TRACKED = ['inputs', 'import_batches', 'snapshots', 'runs'];

export async function up(knex: Knex): Promise<void> {
  if (!(await knex.schema.hasTable('assessments'))) {
    await knex.schema.createTable('assessments', (t) => {
      t.string('id', 32).primary(); // a slug: village, staff, safety …
      t.text('title').notNullable();
      t.string('unit_kind', 16).notNullable(); // village | staff
      t.string('ruleset_id', 64).notNullable();
      t.integer('position').notNullable();
      t.string('disabled_at', 32).nullable();
    });
    log('created table assessments');
  }

  const have = new Set((await knex('assessments').select('id')).map((r: { id: string }) => r.id));
  const found = new Set<string>();
  for (const table of TRACKED) {
    if (!(await knex.schema.hasTable(table)) || !(await knex.schema.hasColumn(table, 'track'))) continue;
    for (const row of await knex(table).distinct('track')) found.add(String((row as { track: string }).track));
  }
  let position = ((await knex('assessments').max({ p: 'position' }).first()) as { p: number | null } | undefined)?.p ?? 0;
  const seed: Array<{ id: string; title: string; unit_kind: string; ruleset_id: string }> = [...KNOWN];
  for (const id of [...found].sort()) {
    if (!KNOWN.some((k) => k.id === id)) seed.push({ id, title: id, ...(await scoredWith(knex, id)) });
  }
  for (const a of seed) {
    if (have.has(a.id)) continue;
    position += 1;
    await knex('assessments').insert({ ...a, position, disabled_at: null });
    log(`added assessment ${a.id}`);
  }
}

/** The rule set (and so the units) a track found in the record was last scored or imported with. */
async function scoredWith(knex: Knex, track: string): Promise<{ unit_kind: string; ruleset_id: string }> {
  const newest = async (table: string, at: string) => knex(table).join('rule_versions', 'rule_versions.sha256', `${table}.rule_sha256`)
    .where(`${table}.track`, track).orderBy(`${table}.${at}`, 'desc').select('rule_versions.ruleset_id', 'rule_versions.subject').first();
  const rule = (await newest('runs', 'id')) ?? (await newest('import_batches', 'id'));
  return { unit_kind: rule?.subject === 'staff' ? 'staff' : 'village', ruleset_id: rule?.ruleset_id ?? track };
}

export async function down(): Promise<void> {
  throw new Error('the appraisal record is never rolled back');
}
