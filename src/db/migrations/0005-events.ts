import type { Knex } from 'knex';

/**
 * The events ledger (事件台账, issue 20 point 4; RULES.md §7.6): the incidents a township records
 * against a village or staff member in a period, each under an events input of the period's rule
 * sets, by a level or by points. An event is edited or withdrawn (撤回), never deleted: the database
 * refuses a DELETE, so what a run once read stays on record. Never edited once landed; safe to run twice.
 */

const log = (msg: string) => { if (process.env.APPRAISAL_QUIET !== '1') process.stderr.write(`[migration 0005] ${msg}\n`); };

export async function up(knex: Knex): Promise<void> {
  const postgres = knex.client.config.client === 'pg';
  if (!(await knex.schema.hasTable('events'))) {
    await knex.schema.createTable('events', (t) => {
      t.increments('id');
      t.string('period_id', 16).notNullable();
      t.string('unit_id', 64).notNullable();
      t.string('input', 64).notNullable(); // the events input's name in the rule set
      t.string('level', 64).nullable();
      t.double('points').nullable();
      t.string('happened_on', 10).notNullable(); // YYYY-MM-DD, China Standard Time
      t.string('note', 200).notNullable().defaultTo('');
      t.string('recorded_by', 64).notNullable();
      t.string('recorded_at', 32).notNullable();
      t.string('changed_by', 64).nullable();
      t.string('changed_at', 32).nullable();
      t.string('withdrawn_by', 64).nullable();
      t.string('withdrawn_at', 32).nullable();
      t.index(['period_id', 'unit_id']);
    });
    log('created table events');
  }
  if (postgres) {
    await knex.raw(`CREATE OR REPLACE FUNCTION events_kept() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN RAISE EXCEPTION 'an event is withdrawn, never deleted'; END $$`);
    await knex.raw('DROP TRIGGER IF EXISTS events_kept ON events');
    await knex.raw('CREATE TRIGGER events_kept BEFORE DELETE ON events FOR EACH ROW EXECUTE FUNCTION events_kept()');
  } else {
    await knex.raw('DROP TRIGGER IF EXISTS events_kept_delete');
    await knex.raw(`CREATE TRIGGER events_kept_delete BEFORE DELETE ON events FOR EACH ROW BEGIN SELECT RAISE(ABORT, 'an event is withdrawn, never deleted'); END`);
  }
  log('guard in place: events are never deleted');
}

export async function down(): Promise<void> {
  throw new Error('the appraisal record is never rolled back');
}
