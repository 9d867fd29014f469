import type { Knex } from 'knex';

/**
 * The appraisal year (issue 19): 公示 with a deadline, 定稿, discarded drafts, appeals (申诉)
 * with their evidence files, each account's inbox, disabled units, the unit an audit entry
 * concerns, and one label per rule version. Never edited once landed; safe to run twice.
 *
 * A run's states: draft → published (公示中 until `review_until`) → final (定稿); a
 * published or final run becomes superseded when its correction is published; a draft
 * may be discarded. The database refuses every other change to a run that left draft
 * (its results stay frozen, as before), an appeal on a run that is not under 公示, and
 * allows one current (published or final) run per period and track.
 */

const log = (msg: string) => { if (process.env.APPRAISAL_QUIET !== '1') process.stderr.write(`[migration 0003] ${msg}\n`); };

async function addColumn(knex: Knex, table: string, column: string, build: (t: Knex.AlterTableBuilder) => void): Promise<void> {
  if (await knex.schema.hasColumn(table, column)) return;
  await knex.schema.alterTable(table, build);
  log(`added ${table}.${column}`);
}

async function create(knex: Knex, name: string, build: (t: Knex.CreateTableBuilder) => void): Promise<void> {
  if (await knex.schema.hasTable(name)) return;
  await knex.schema.createTable(name, build);
  log(`created table ${name}`);
}

export async function up(knex: Knex): Promise<void> {
  const postgres = knex.client.config.client === 'pg';

  // Runs: the 公示 deadline (a date in China Standard Time, the last day an appeal is taken), 定稿.
  await addColumn(knex, 'runs', 'review_until', (t) => { t.string('review_until', 10).nullable(); });
  await addColumn(knex, 'runs', 'finalized_by', (t) => { t.string('finalized_by', 64).nullable(); });
  await addColumn(knex, 'runs', 'finalized_at', (t) => { t.string('finalized_at', 32).nullable(); });
  await addColumn(knex, 'runs', 'discarded_by', (t) => { t.string('discarded_by', 64).nullable(); });
  await addColumn(knex, 'runs', 'discarded_at', (t) => { t.string('discarded_at', 32).nullable(); });
  await addColumn(knex, 'runs', 'superseded_by', (t) => { t.integer('superseded_by').nullable(); });

  // One current result (under 公示 or final) per period and track.
  await knex.raw('DROP INDEX IF EXISTS runs_one_published');
  await knex.raw(`CREATE UNIQUE INDEX IF NOT EXISTS runs_one_current ON runs (period_id, track) WHERE status IN ('published', 'final')`);

  // Units may be disabled (a village merged away, a staff member who left); what happened stays.
  await addColumn(knex, 'units', 'disabled_at', (t) => { t.string('disabled_at', 32).nullable(); });

  // The unit an audit entry concerns, so the audit page can filter by unit.
  await addColumn(knex, 'audit_log', 'unit_id', (t) => { t.string('unit_id', 64).nullable(); });

  await create(knex, 'appeals', (t) => {
    t.increments('id');
    t.integer('run_id').notNullable().references('id').inTable('runs');
    t.string('unit_id', 64).notNullable();
    t.text('items').notNullable(); // JSON: [{ kind: 'clause' | 'input', id }]
    t.text('reason').notNullable();
    t.string('status', 16).notNullable(); // open → rejected | accepted
    t.text('answer').nullable();
    t.string('filed_by', 64).notNullable();
    t.string('filed_at', 32).notNullable();
    t.string('answered_by', 64).nullable();
    t.string('answered_at', 32).nullable();
    t.integer('correction_run_id').nullable().references('id').inTable('runs');
    t.index(['run_id', 'status']);
    t.index(['unit_id']);
  });
  await create(knex, 'appeal_files', (t) => {
    t.increments('id');
    t.integer('appeal_id').notNullable().references('id').inTable('appeals');
    t.text('file_name').notNullable();
    t.string('media_type', 64).notNullable(); // image/jpeg, image/png, application/pdf: checked by content
    t.integer('size').notNullable();
    t.string('sha256', 64).notNullable();
    t.binary('content').notNullable();
    t.index(['appeal_id']);
  });

  // Each account's inbox. `dedupe` makes a message that must be sent once (a deadline reminder) sent once.
  await create(knex, 'messages', (t) => {
    t.increments('id');
    t.integer('user_id').notNullable().references('id').inTable('users');
    t.string('kind', 32).notNullable(); // review.started, appeal.filed, appeal.answered, run.corrected, review.deadline …
    t.text('title').notNullable();
    t.text('body').nullable();
    t.text('link').nullable();
    t.string('created_at', 32).notNullable();
    t.string('read_at', 32).nullable();
    t.string('dedupe', 200).nullable();
    t.index(['user_id', 'read_at']);
    t.unique(['user_id', 'dedupe']);
  });

  // One label per rule version of a rule set, where the record does not already hold two alike.
  const twice = await knex('rule_versions').select('ruleset_id', 'version').groupBy('ruleset_id', 'version').havingRaw('count(*) > 1');
  if (twice.length === 0) {
    await knex.raw('CREATE UNIQUE INDEX IF NOT EXISTS rule_versions_one_label ON rule_versions (ruleset_id, version)');
  } else {
    log(`${twice.length} rule version label(s) are held by more than one version; new labels are checked by the application`);
  }

  for (const guard of GUARDS) await installGuard(knex, guard, postgres);
  log('guards in place: run states, appeals only under 公示');
}

type Event = 'INSERT' | 'UPDATE' | 'DELETE';
interface Guard { name: string; table: string; events: Event[]; when: (event: Event, dialect: 'pg' | 'sqlite') => string; message: string; }

async function installGuard(knex: Knex, guard: Guard, postgres: boolean): Promise<void> {
  if (postgres) {
    const checks = guard.events.map((e) => `IF TG_OP = '${e}' THEN IF ${guard.when(e, 'pg')} THEN RAISE EXCEPTION '${guard.message}'; END IF; END IF;`).join('\n        ');
    await knex.raw(`CREATE OR REPLACE FUNCTION ${guard.name}() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        ${checks}
        IF TG_OP = 'DELETE' THEN RETURN OLD; END IF;
        RETURN NEW;
      END $$`);
    await knex.raw(`DROP TRIGGER IF EXISTS ${guard.name} ON ${guard.table}`);
    await knex.raw(`CREATE TRIGGER ${guard.name} BEFORE ${guard.events.join(' OR ')} ON ${guard.table} FOR EACH ROW EXECUTE FUNCTION ${guard.name}()`);
  } else {
    for (const e of guard.events) {
      await knex.raw(`DROP TRIGGER IF EXISTS ${guard.name}_${e.toLowerCase()}`);
      await knex.raw(`CREATE TRIGGER ${guard.name}_${e.toLowerCase()} BEFORE ${e} ON ${guard.table} FOR EACH ROW
        WHEN ${guard.when(e, 'sqlite')} BEGIN SELECT RAISE(ABORT, '${guard.message}'); END`);
    }
  }
}

/** The columns of a run that never change once it left draft. */
const PINNED = ['period_id', 'track', 'rule_sha256', 'snapshot_id', 'supersedes_id', 'note', 'unit_count', 'results_sha256', 'created_by', 'created_at', 'published_by', 'published_at', 'review_until'];

function same(columns: string[], dialect: 'pg' | 'sqlite'): string {
  const eq = dialect === 'pg' ? 'IS NOT DISTINCT FROM' : 'IS';
  return columns.map((c) => `NEW.${c} ${eq} OLD.${c}`).join(' AND ');
}

const GUARDS: Guard[] = [
  {
    // Replaces 0001's guard of the same name: a run that left draft changes only by these steps.
    name: 'runs_frozen', table: 'runs', events: ['UPDATE', 'DELETE'],
    when: (e, dialect) => {
      if (e === 'DELETE') return `OLD.status <> 'draft'`;
      const pinned = same(PINNED, dialect);
      const fin = same(['finalized_by', 'finalized_at'], dialect);
      const gone = same(['discarded_by', 'discarded_at'], dialect);
      const nul = (c: string) => `NEW.${c} IS NULL`;
      const toFinal = `(OLD.status = 'published' AND NEW.status = 'final' AND NEW.finalized_at IS NOT NULL AND NEW.finalized_by IS NOT NULL AND ${gone} AND ${nul('superseded_by')})`;
      const toSuperseded = `(OLD.status IN ('published', 'final') AND NEW.status = 'superseded' AND NEW.superseded_by IS NOT NULL AND ${fin} AND ${gone})`;
      return `OLD.status <> 'draft' AND NOT (${pinned} AND (${toFinal} OR ${toSuperseded}))`;
    },
    message: 'a run that left draft never changes, but for 定稿 and its correction',
  },
  {
    name: 'appeals_under_review', table: 'appeals', events: ['INSERT'],
    when: () => `(SELECT status FROM runs WHERE id = NEW.run_id) <> 'published'`,
    message: 'an appeal is only taken on a run under 公示',
  },
  {
    name: 'appeal_files_immutable', table: 'appeal_files', events: ['UPDATE', 'DELETE'],
    when: () => '1 = 1',
    message: 'an appeal file never changes',
  },
];

export async function down(): Promise<void> {
  throw new Error('the appraisal record is never rolled back');
}
