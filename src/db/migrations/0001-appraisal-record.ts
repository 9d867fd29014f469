import type { Knex } from 'knex';

/**
 * The appraisal record: units, periods, rule versions, inputs, snapshots, runs, results
 * and the audit log. Never edited once landed; safe to run twice (every step checks
 * first). What may never change is refused by the database itself, with triggers:
 * rule versions and snapshots are immutable, the audit log is append-only, and the
 * results of a run that left draft are frozen.
 */

const log = (msg: string) => { if (process.env.APPRAISAL_QUIET !== "1") process.stderr.write(`[migration 0001] ${msg}\n`); };

async function create(knex: Knex, name: string, build: (t: Knex.CreateTableBuilder) => void): Promise<void> {
  if (await knex.schema.hasTable(name)) return;
  await knex.schema.createTable(name, build);
  log(`created table ${name}`);
}

export async function up(knex: Knex): Promise<void> {
  await create(knex, 'units', (t) => {
    t.string('id', 64).primary();
    t.text('name').notNullable();
    t.string('kind', 32).notNullable(); // county, township, village, group, staff …
    t.string('parent_id', 64).nullable().index();
    t.text('role').nullable(); // for staff: 计生专干, 组宣管员 …
    t.string('created_at', 32).notNullable();
  });
  await create(knex, 'periods', (t) => {
    t.string('id', 32).primary(); // 2023, 2024H1 …
    t.text('title').notNullable();
    t.string('kind', 16).notNullable(); // annual, half-year, quarter
    t.string('created_at', 32).notNullable();
  });
  await create(knex, 'rule_versions', (t) => {
    t.string('sha256', 64).primary();
    t.string('ruleset_id', 128).notNullable().index();
    t.text('version').notNullable();
    t.text('title').notNullable();
    t.string('subject', 32).notNullable();
    t.text('source').notNullable();
    t.string('imported_by', 64).notNullable();
    t.string('imported_at', 32).notNullable();
  });
  await create(knex, 'import_batches', (t) => {
    t.increments('id');
    t.string('period_id', 32).notNullable().references('id').inTable('periods');
    t.string('track', 32).notNullable();
    t.text('file_name').notNullable();
    t.string('file_sha256', 64).notNullable();
    t.string('rule_sha256', 64).notNullable().references('sha256').inTable('rule_versions');
    t.integer('row_count').notNullable();
    t.string('imported_by', 64).notNullable();
    t.string('imported_at', 32).notNullable();
  });
  await create(knex, 'inputs', (t) => {
    t.string('period_id', 32).notNullable().references('id').inTable('periods');
    t.string('track', 32).notNullable();
    t.string('unit_id', 64).notNullable();
    t.text('name').nullable();
    t.string('parent_id', 64).nullable();
    t.text('input_values').notNullable(); // JSON: { inputName: value }
    t.integer('batch_id').nullable().references('id').inTable('import_batches');
    t.string('entered_by', 64).notNullable();
    t.string('entered_at', 32).notNullable();
    t.primary(['period_id', 'track', 'unit_id']);
  });
  await create(knex, 'snapshots', (t) => {
    t.increments('id');
    t.string('period_id', 32).notNullable().references('id').inTable('periods');
    t.string('track', 32).notNullable();
    t.string('sha256', 64).notNullable();
    t.integer('row_count').notNullable();
    t.binary('content').notNullable(); // gzip of the JSON rows, exactly as scored
    t.string('created_at', 32).notNullable();
    t.unique(['period_id', 'track', 'sha256']);
  });
  await create(knex, 'runs', (t) => {
    t.increments('id');
    t.string('period_id', 32).notNullable().references('id').inTable('periods');
    t.string('track', 32).notNullable();
    t.string('rule_sha256', 64).notNullable().references('sha256').inTable('rule_versions');
    t.integer('snapshot_id').notNullable().references('id').inTable('snapshots');
    t.string('status', 16).notNullable(); // draft → published → superseded
    t.integer('supersedes_id').nullable().references('id').inTable('runs');
    t.text('note').nullable();
    t.integer('unit_count').notNullable();
    t.string('results_sha256', 64).notNullable();
    t.string('created_by', 64).notNullable();
    t.string('created_at', 32).notNullable();
    t.string('published_by', 64).nullable();
    t.string('published_at', 32).nullable();
    t.index(['period_id', 'track']);
  });
  await knex.raw(`CREATE UNIQUE INDEX IF NOT EXISTS runs_one_published ON runs (period_id, track) WHERE status = 'published'`);
  await create(knex, 'results', (t) => {
    t.integer('run_id').notNullable().references('id').inTable('runs');
    t.string('unit_id', 64).notNullable();
    t.text('name').nullable();
    t.string('parent_id', 64).nullable();
    t.integer('position').notNullable(); // order of the §6 output
    t.integer('rank').notNullable();
    t.double('total').notNullable();
    t.double('bonus').notNullable();
    t.double('penalty').notNullable();
    t.text('grade').nullable();
    t.boolean('vetoed').notNullable();
    t.text('vetoes').notNullable(); // JSON
    t.text('sanctions').notNullable(); // JSON
    t.text('detail').notNullable(); // JSON: { scores, values, metrics, inputs }
    t.primary(['run_id', 'unit_id']);
    t.index(['run_id', 'position']);
  });
  await create(knex, 'parent_results', (t) => {
    t.integer('run_id').notNullable().references('id').inTable('runs');
    t.string('parent_id', 64).notNullable();
    t.text('sanctions').notNullable();
    t.primary(['run_id', 'parent_id']);
  });
  await create(knex, 'audit_log', (t) => {
    t.increments('id');
    t.string('at', 32).notNullable();
    t.string('actor', 64).notNullable();
    t.string('action', 64).notNullable();
    t.text('subject').nullable();
    t.text('detail').nullable();
  });

  const postgres = knex.client.config.client === 'pg';
  for (const guard of GUARDS) {
    if (postgres) {
      // Nested IFs: NEW and OLD are only read in the operations that have them.
      const checks = guard.events.map((e) => {
        const when = guard.when(e, 'pg');
        return `IF TG_OP = '${e}' THEN ${when ? `IF ${when} THEN ` : ''}RAISE EXCEPTION '${guard.message}';${when ? ' END IF;' : ''} END IF;`;
      }).join('\n          ');
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
        const when = guard.when(e, 'sqlite');
        await knex.raw(`CREATE TRIGGER IF NOT EXISTS ${guard.name}_${e.toLowerCase()} BEFORE ${e} ON ${guard.table} FOR EACH ROW
          ${when ? `WHEN ${when}` : ''} BEGIN SELECT RAISE(ABORT, '${guard.message}'); END`);
      }
    }
  }
  log('guards in place: immutable rule versions and snapshots, append-only audit log, frozen published results');
}

type Event = 'INSERT' | 'UPDATE' | 'DELETE';
interface Guard {
  name: string;
  table: string;
  events: Event[];
  /** The SQL condition under which the operation is refused ('' = always). */
  when: (event: Event, dialect: 'pg' | 'sqlite') => string;
  message: string;
}

const always = () => '';
const runNotDraft = (e: Event) => `(SELECT status FROM runs WHERE id = ${e === 'INSERT' ? 'NEW' : 'OLD'}.run_id) <> 'draft'`;

const GUARDS: Guard[] = [
  { name: 'audit_log_append_only', table: 'audit_log', events: ['UPDATE', 'DELETE'], when: always, message: 'the audit log is append-only' },
  { name: 'rule_versions_immutable', table: 'rule_versions', events: ['UPDATE', 'DELETE'], when: always, message: 'a rule version never changes' },
  { name: 'snapshots_immutable', table: 'snapshots', events: ['UPDATE', 'DELETE'], when: always, message: 'an input snapshot never changes' },
  { name: 'results_frozen', table: 'results', events: ['INSERT', 'UPDATE', 'DELETE'], when: runNotDraft, message: 'the results of a published run never change' },
  { name: 'parent_results_frozen', table: 'parent_results', events: ['INSERT', 'UPDATE', 'DELETE'], when: runNotDraft, message: 'the results of a published run never change' },
  {
    name: 'runs_frozen', table: 'runs', events: ['UPDATE', 'DELETE'],
    // A published run may only become superseded; nothing else about it changes.
    when: (e, dialect) => e === 'DELETE' ? `OLD.status <> 'draft'` : `OLD.status <> 'draft' AND NOT (OLD.status = 'published' AND NEW.status = 'superseded'
        AND NEW.rule_sha256 = OLD.rule_sha256 AND NEW.snapshot_id = OLD.snapshot_id AND NEW.results_sha256 = OLD.results_sha256
        AND NEW.published_at ${dialect === 'pg' ? 'IS NOT DISTINCT FROM' : 'IS'} OLD.published_at)`,
    message: 'a published run never changes',
  },
];

export async function down(): Promise<void> {
  throw new Error('the appraisal record is never rolled back');
}
