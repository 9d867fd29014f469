import type { Knex } from 'knex';

/**
 * A province's pages without counting a province (issue 21 point 6): how many enabled units of a kind stand
 * under each parent (`unit_counts`) and in all (`unit_totals`), how many of their reports of a period stand in
 * each state (`report_counts`, `report_totals`), and how many units have inputs in each period and assessment (`input_counts`), kept by
 * the database itself, row by row, whoever writes (the services, an import, a restore, a hand at the SQL
 * prompt): the board's counts, the entry list's and the review queue's are then a few rows, not a walk over
 * 100,000 units or 10,000 reports. A unit moved, disabled or enabled again takes its reports' counts with it.
 * On SQLite, the units' names and ids are also kept in a trigram index (FTS5, `unit_search`, with
 * `unit_search_rows` naming each unit's row in it), so that a search by part of a name reads the units that
 * hold it; on PostgreSQL the same search is served by pg_trgm's index where the server has the extension.
 * Counted afresh from the record when it runs. Never edited once landed; safe to run twice.
 */

const log = (msg: string) => { if (process.env.APPRAISAL_QUIET !== '1') process.stderr.write(`[migration 0009] ${msg}\n`); };

/** A parent as a key (a unit with none: the empty string), so that it can be part of a primary key. */
const parentKey = (row: string) => `COALESCE(${row}.parent_id, '')`;

/** The statements that keep the counts, each over the row before (OLD) or after (NEW) a change: the same text in SQLite's triggers and PostgreSQL's. */
const KEEP = {
  unitIn: `INSERT INTO unit_counts (kind, parent_key, n) SELECT NEW.kind, ${parentKey('NEW')}, 1 WHERE NEW.disabled_at IS NULL
    ON CONFLICT (kind, parent_key) DO UPDATE SET n = unit_counts.n + 1`,
  unitTotalIn: `INSERT INTO unit_totals (kind, n, changes) SELECT NEW.kind, 1, 1 WHERE NEW.disabled_at IS NULL
    ON CONFLICT (kind) DO UPDATE SET n = unit_totals.n + 1, changes = unit_totals.changes + 1`,
  unitOut: `UPDATE unit_counts SET n = n - 1 WHERE OLD.disabled_at IS NULL AND kind = OLD.kind AND parent_key = ${parentKey('OLD')}`,
  unitTotalOut: 'UPDATE unit_totals SET n = n - 1, changes = changes + 1 WHERE OLD.disabled_at IS NULL AND kind = OLD.kind',
  reportsOfUnitIn: `INSERT INTO report_counts (period_id, kind, parent_key, state, n)
    SELECT r.period_id, NEW.kind, ${parentKey('NEW')}, r.state, COUNT(*) FROM reports r WHERE r.unit_id = NEW.id AND NEW.disabled_at IS NULL GROUP BY r.period_id, r.state
    ON CONFLICT (period_id, kind, parent_key, state) DO UPDATE SET n = report_counts.n + excluded.n`,
  reportTotalsOfUnitIn: `INSERT INTO report_totals (period_id, kind, state, n)
    SELECT r.period_id, NEW.kind, r.state, COUNT(*) FROM reports r WHERE r.unit_id = NEW.id AND NEW.disabled_at IS NULL GROUP BY r.period_id, r.state
    ON CONFLICT (period_id, kind, state) DO UPDATE SET n = report_totals.n + excluded.n`,
  reportsOfUnitOut: `UPDATE report_counts SET n = n - (SELECT COUNT(*) FROM reports r WHERE r.unit_id = OLD.id AND r.period_id = report_counts.period_id AND r.state = report_counts.state)
    WHERE OLD.disabled_at IS NULL AND kind = OLD.kind AND parent_key = ${parentKey('OLD')}`,
  reportTotalsOfUnitOut: `UPDATE report_totals SET n = n - (SELECT COUNT(*) FROM reports r WHERE r.unit_id = OLD.id AND r.period_id = report_totals.period_id AND r.state = report_totals.state)
    WHERE OLD.disabled_at IS NULL AND kind = OLD.kind`,
  reportIn: `INSERT INTO report_counts (period_id, kind, parent_key, state, n)
    SELECT NEW.period_id, u.kind, ${parentKey('u')}, NEW.state, 1 FROM units u WHERE u.id = NEW.unit_id AND u.disabled_at IS NULL
    ON CONFLICT (period_id, kind, parent_key, state) DO UPDATE SET n = report_counts.n + 1`,
  reportTotalIn: `INSERT INTO report_totals (period_id, kind, state, n)
    SELECT NEW.period_id, u.kind, NEW.state, 1 FROM units u WHERE u.id = NEW.unit_id AND u.disabled_at IS NULL
    ON CONFLICT (period_id, kind, state) DO UPDATE SET n = report_totals.n + 1`,
  reportOut: `UPDATE report_counts SET n = n - 1 WHERE period_id = OLD.period_id AND state = OLD.state
    AND kind = (SELECT u.kind FROM units u WHERE u.id = OLD.unit_id AND u.disabled_at IS NULL)
    AND parent_key = (SELECT ${parentKey('u')} FROM units u WHERE u.id = OLD.unit_id AND u.disabled_at IS NULL)`,
  reportTotalOut: `UPDATE report_totals SET n = n - 1 WHERE period_id = OLD.period_id AND state = OLD.state
    AND kind = (SELECT u.kind FROM units u WHERE u.id = OLD.unit_id AND u.disabled_at IS NULL)`,
  inputIn: `INSERT INTO input_counts (period_id, track, n) SELECT NEW.period_id, NEW.track, 1 WHERE true
    ON CONFLICT (period_id, track) DO UPDATE SET n = input_counts.n + 1`,
  inputOut: 'UPDATE input_counts SET n = n - 1 WHERE period_id = OLD.period_id AND track = OLD.track',
};

/** When a change to a unit moves it between counts: another kind or parent, or disabled or enabled. */
const UNIT_MOVED = '(OLD.kind IS DISTINCT FROM NEW.kind OR OLD.parent_id IS DISTINCT FROM NEW.parent_id OR (OLD.disabled_at IS NULL) <> (NEW.disabled_at IS NULL))';
const REPORT_MOVED = '(OLD.period_id <> NEW.period_id OR OLD.unit_id <> NEW.unit_id OR OLD.state <> NEW.state)';
const INPUT_MOVED = '(OLD.period_id <> NEW.period_id OR OLD.track <> NEW.track)';

/** The triggers of one table as SQLite writes them: after insert, after delete, after an update that moves the row. */
function sqliteTriggers(table: string, columns: string, moved: string, into: string[], out: string[]): string[] {
  const body = (list: string[]) => list.map((s) => `${s};`).join('\n');
  const name = `${table}_counted`;
  return [
    `DROP TRIGGER IF EXISTS ${name}_insert`, `DROP TRIGGER IF EXISTS ${name}_delete`, `DROP TRIGGER IF EXISTS ${name}_update`,
    `CREATE TRIGGER ${name}_insert AFTER INSERT ON ${table} FOR EACH ROW BEGIN\n${body(into)}\nEND`,
    `CREATE TRIGGER ${name}_delete AFTER DELETE ON ${table} FOR EACH ROW BEGIN\n${body(out)}\nEND`,
    `CREATE TRIGGER ${name}_update AFTER UPDATE OF ${columns} ON ${table} FOR EACH ROW WHEN ${moved.replace(/IS DISTINCT FROM/g, 'IS NOT')} BEGIN\n${body([...out, ...into])}\nEND`,
  ];
}

/** The trigger of one table as PostgreSQL writes it: one function for the three kinds of change. */
function postgresTrigger(table: string, columns: string, moved: string, into: string[], out: string[]): string[] {
  const name = `${table}_counted`;
  const body = (list: string[]) => list.map((s) => `${s};`).join('\n');
  return [
    `CREATE OR REPLACE FUNCTION ${name}() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF TG_OP = 'UPDATE' AND NOT ${moved} THEN RETURN NULL; END IF;
        IF TG_OP IN ('UPDATE', 'DELETE') THEN ${body(out)} END IF;
        IF TG_OP IN ('UPDATE', 'INSERT') THEN ${body(into)} END IF;
        RETURN NULL;
      END $$`,
    `DROP TRIGGER IF EXISTS ${name} ON ${table}`,
    `CREATE TRIGGER ${name} AFTER INSERT OR DELETE OR UPDATE OF ${columns} ON ${table} FOR EACH ROW EXECUTE FUNCTION ${name}()`,
  ];
}

export async function up(knex: Knex): Promise<void> {
  const postgres = knex.client.config.client === 'pg';
  if (!(await knex.schema.hasTable('unit_counts'))) {
    await knex.schema.createTable('unit_counts', (t) => {
      t.string('kind', 32).notNullable();
      t.string('parent_key', 64).notNullable();
      t.integer('n').notNullable();
      t.primary(['kind', 'parent_key']);
    });
    log('created table unit_counts');
  }
  if (!(await knex.schema.hasTable('unit_totals'))) {
    await knex.schema.createTable('unit_totals', (t) => {
      t.string('kind', 32).primary();
      t.integer('n').notNullable();
      // How many times a unit of the kind came in or went out: its units in id order are as they were while this is.
      t.integer('changes').notNullable();
    });
    log('created table unit_totals');
  }
  if (!(await knex.schema.hasTable('report_counts'))) {
    await knex.schema.createTable('report_counts', (t) => {
      t.string('period_id', 16).notNullable();
      t.string('kind', 32).notNullable();
      t.string('parent_key', 64).notNullable();
      t.string('state', 16).notNullable();
      t.integer('n').notNullable();
      t.primary(['period_id', 'kind', 'parent_key', 'state']);
    });
    log('created table report_counts');
  }
  if (!(await knex.schema.hasTable('report_totals'))) {
    await knex.schema.createTable('report_totals', (t) => {
      t.string('period_id', 16).notNullable();
      t.string('kind', 32).notNullable();
      t.string('state', 16).notNullable();
      t.integer('n').notNullable();
      t.primary(['period_id', 'kind', 'state']);
    });
    log('created table report_totals');
  }
  if (!(await knex.schema.hasTable('input_counts'))) {
    await knex.schema.createTable('input_counts', (t) => {
      t.string('period_id', 32).notNullable();
      t.string('track', 32).notNullable();
      t.integer('n').notNullable();
      t.primary(['period_id', 'track']);
    });
    log('created table input_counts');
  }
  const triggers = postgres ? postgresTrigger : sqliteTriggers;
  const statements = [
    ...triggers('units', 'kind, parent_id, disabled_at', UNIT_MOVED,
      [KEEP.unitIn, KEEP.unitTotalIn, KEEP.reportsOfUnitIn, KEEP.reportTotalsOfUnitIn], [KEEP.unitOut, KEEP.unitTotalOut, KEEP.reportsOfUnitOut, KEEP.reportTotalsOfUnitOut]),
    ...triggers('reports', 'period_id, unit_id, state', REPORT_MOVED, [KEEP.reportIn, KEEP.reportTotalIn], [KEEP.reportOut, KEEP.reportTotalOut]),
    ...triggers('inputs', 'period_id, track', INPUT_MOVED, [KEEP.inputIn], [KEEP.inputOut]),
  ];
  for (const sql of statements) await knex.raw(sql);
  // Counted afresh, with the triggers already in place: this migration runs in one transaction.
  await knex('unit_counts').delete();
  await knex.raw(`INSERT INTO unit_counts (kind, parent_key, n) SELECT kind, ${parentKey('units')}, COUNT(*) FROM units WHERE disabled_at IS NULL GROUP BY kind, ${parentKey('units')}`);
  await knex('unit_totals').delete();
  await knex.raw('INSERT INTO unit_totals (kind, n, changes) SELECT kind, COUNT(*), 0 FROM units WHERE disabled_at IS NULL GROUP BY kind');
  await knex('report_counts').delete();
  await knex.raw(`INSERT INTO report_counts (period_id, kind, parent_key, state, n)
    SELECT r.period_id, u.kind, ${parentKey('u')}, r.state, COUNT(*) FROM reports r JOIN units u ON u.id = r.unit_id WHERE u.disabled_at IS NULL
    GROUP BY r.period_id, u.kind, ${parentKey('u')}, r.state`);
  await knex('report_totals').delete();
  await knex.raw(`INSERT INTO report_totals (period_id, kind, state, n)
    SELECT r.period_id, u.kind, r.state, COUNT(*) FROM reports r JOIN units u ON u.id = r.unit_id WHERE u.disabled_at IS NULL GROUP BY r.period_id, u.kind, r.state`);
  await knex('input_counts').delete();
  await knex.raw('INSERT INTO input_counts (period_id, track, n) SELECT period_id, track, COUNT(*) FROM inputs GROUP BY period_id, track');
  log('counts kept by the database: units by kind and parent, reports by period and state, inputs by period and assessment');

  // A board in one state, by unit; the review queue, oldest submission first: each a page read in an index's order.
  await knex.raw('CREATE INDEX IF NOT EXISTS reports_by_state ON reports (period_id, state, unit_id)');
  await knex.raw('CREATE INDEX IF NOT EXISTS reports_by_submission ON reports (period_id, state, submitted_at, id)');
  log('indexes in place: reports by state and unit, and by state and submission');

  if (postgres) await searchIndexPostgres(knex);
  else await searchIndexSqlite(knex);
}

/** SQLite: the units' names and ids in a trigram index, kept by triggers; each unit's row in it named by unit_search_rows. */
async function searchIndexSqlite(knex: Knex): Promise<void> {
  await knex.raw("CREATE VIRTUAL TABLE IF NOT EXISTS unit_search USING fts5(name, code, tokenize = 'trigram')");
  await knex.raw('CREATE TABLE IF NOT EXISTS unit_search_rows (search_row integer PRIMARY KEY, unit_id varchar(64) NOT NULL UNIQUE)');
  const add = ['INSERT INTO unit_search (name, code) VALUES (NEW.name, NEW.id)', 'INSERT INTO unit_search_rows (unit_id, search_row) VALUES (NEW.id, last_insert_rowid())'];
  const remove = ['DELETE FROM unit_search WHERE rowid = (SELECT search_row FROM unit_search_rows WHERE unit_id = OLD.id)', 'DELETE FROM unit_search_rows WHERE unit_id = OLD.id'];
  for (const sql of [
    'DROP TRIGGER IF EXISTS units_searched_insert', 'DROP TRIGGER IF EXISTS units_searched_delete', 'DROP TRIGGER IF EXISTS units_searched_update',
    `CREATE TRIGGER units_searched_insert AFTER INSERT ON units FOR EACH ROW BEGIN ${add.join('; ')}; END`,
    `CREATE TRIGGER units_searched_delete AFTER DELETE ON units FOR EACH ROW BEGIN ${remove.join('; ')}; END`,
    `CREATE TRIGGER units_searched_update AFTER UPDATE OF id, name ON units FOR EACH ROW WHEN OLD.id IS NOT NEW.id OR OLD.name IS NOT NEW.name
      BEGIN ${[...remove, ...add].join('; ')}; END`,
  ]) await knex.raw(sql);
  await knex.raw('DELETE FROM unit_search');
  await knex.raw('DELETE FROM unit_search_rows');
  await knex.raw('INSERT INTO unit_search (rowid, name, code) SELECT rowid, name, id FROM units');
  await knex.raw('INSERT INTO unit_search_rows (unit_id, search_row) SELECT id, rowid FROM units');
  log('units indexed by trigrams of their names and ids');
}

/** PostgreSQL: pg_trgm's index on the units' names and ids, where the server has the extension (a search without it reads every unit). */
async function searchIndexPostgres(knex: Knex): Promise<void> {
  const available = await knex.raw("SELECT 1 FROM pg_available_extensions WHERE name = 'pg_trgm'");
  if (available.rows.length === 0) { log('pg_trgm is not available on this server: a search by name reads every unit'); return; }
  try {
    await knex.raw('SAVEPOINT trgm');
    await knex.raw('CREATE EXTENSION IF NOT EXISTS pg_trgm');
    await knex.raw('RELEASE SAVEPOINT trgm');
  } catch (e) {
    await knex.raw('ROLLBACK TO SAVEPOINT trgm');
    log(`pg_trgm could not be added (${(e as Error).message}): a search by name reads every unit`);
    return;
  }
  await knex.raw('CREATE INDEX IF NOT EXISTS units_name_trgm ON units USING gin (name gin_trgm_ops)');
  await knex.raw('CREATE INDEX IF NOT EXISTS units_id_trgm ON units USING gin (id gin_trgm_ops)');
  log('units indexed by trigrams of their names and ids (pg_trgm)');
}

export async function down(): Promise<void> {
  throw new Error('the appraisal record is never rolled back');
}
