import type { Knex } from 'knex';

/**
 * What each run read from other assessments (RULES.md §7.8, issue 20 point 3): for each source of its
 * rule set, the period and assessment it named and the run it resolved to (the final one, else the one
 * under 公示, else the newest draft), with that run's state when it was read; no run for a source that
 * is not required and had none. Written with the run, never changed. Safe to run twice.
 */

const log = (msg: string) => { if (process.env.APPRAISAL_QUIET !== '1') process.stderr.write(`[migration 0006] ${msg}\n`); };

export async function up(knex: Knex): Promise<void> {
  if (await knex.schema.hasTable('run_sources')) return;
  await knex.schema.createTable('run_sources', (t) => {
    t.integer('run_id').notNullable().references('id').inTable('runs');
    t.string('source', 64).notNullable(); // the source's name in the rule file (fp, village …)
    t.text('label').notNullable();
    t.string('period_id', 16).notNullable();
    t.string('track', 32).notNullable(); // the assessment read
    t.integer('source_run_id').nullable().references('id').inTable('runs');
    t.string('source_status', 16).nullable(); // the state of that run when it was read
    t.primary(['run_id', 'source']);
  });
  log('created table run_sources');
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTableIfExists('run_sources');
}
