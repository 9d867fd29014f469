import type { Knex } from 'knex';

/**
 * Accounts, their sessions and login throttling. Never edited once landed; safe to run
 * twice. Passwords are kept only as argon2id hashes; the throttle lives in the
 * database so that a restart does not reset it.
 */

const log = (msg: string) => { if (process.env.APPRAISAL_QUIET !== "1") process.stderr.write(`[migration 0002] ${msg}\n`); };

export async function up(knex: Knex): Promise<void> {
  if (!(await knex.schema.hasTable('users'))) {
    await knex.schema.createTable('users', (t) => {
      t.increments('id');
      t.string('username', 64).notNullable().unique();
      t.text('display_name').notNullable();
      t.string('role', 16).notNullable(); // admin, leader, village, staff
      t.string('unit_id', 64).nullable(); // the village (or staff member) a village/staff account belongs to
      t.text('password_hash').notNullable();
      t.boolean('disabled').notNullable().defaultTo(false);
      t.integer('session_epoch').notNullable().defaultTo(0); // bumped to end every live session
      t.string('created_at', 32).notNullable();
      t.string('password_changed_at', 32).notNullable();
    });
    log('created table users');
  }
  if (!(await knex.schema.hasTable('login_throttle'))) {
    await knex.schema.createTable('login_throttle', (t) => {
      t.string('key', 200).primary(); // "user:<name>" or "addr:<ip>"
      t.integer('failures').notNullable();
      t.string('window_start', 32).notNullable();
      t.string('locked_until', 32).nullable();
    });
    log('created table login_throttle');
  }
  if (!(await knex.schema.hasTable('sessions'))) {
    // The shape connect-session-knex reads and writes: JSON session data, an expiry timestamp.
    await knex.schema.createTable('sessions', (t) => {
      t.string('sid', 255).primary();
      t.json('sess').notNullable();
      t.timestamp('expired').notNullable().index();
    });
    log('created table sessions');
  }
}

export async function down(): Promise<void> {
  throw new Error('accounts are never rolled back');
}
