import type { Knex } from 'knex';

/**
 * Accounts found by their unit: a result published to a province tells every village's accounts (100,000 of
 * them), and each page of a unit names its accounts. Without the index each unit's lookup read every account.
 * Never edited once landed; safe to run twice.
 */

const log = (msg: string) => { if (process.env.APPRAISAL_QUIET !== '1') process.stderr.write(`[migration 0010] ${msg}\n`); };

export async function up(knex: Knex): Promise<void> {
  await knex.raw('CREATE INDEX IF NOT EXISTS users_by_unit ON users (unit_id)');
  log('index in place: accounts by unit');
}

export async function down(): Promise<void> {
  throw new Error('the appraisal record is never rolled back');
}
