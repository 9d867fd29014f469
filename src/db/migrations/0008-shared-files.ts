import type { Knex } from 'knex';

/**
 * One storage for the files people send (issue 21 point 3): an appeal's evidence (申诉材料), a report's
 * 佐证材料 and a ledger event's files are all rows of `stored_files` (bytes, type by content, size, sha256,
 * who sent them, for which unit), each linked from what it backs: `report_files` (0007), `appeal_evidence`
 * and `event_files` here. The appeal files of before (0003's `appeal_files`) move into it, keeping their
 * bytes and hash, and that table goes. A stored file never changes, and one that backs an appeal or an
 * event is never deleted (a draft report's may be taken off): the database refuses it. And two indexes a province's
 * pages need. Never edited once landed; safe to run twice.
 */

const log = (msg: string) => { if (process.env.APPRAISAL_QUIET !== '1') process.stderr.write(`[migration 0008] ${msg}\n`); };

export async function up(knex: Knex): Promise<void> {
  const postgres = knex.client.config.client === 'pg';
  if (!(await knex.schema.hasTable('appeal_evidence'))) {
    await knex.schema.createTable('appeal_evidence', (t) => {
      t.integer('file_id').primary().references('id').inTable('stored_files');
      t.integer('appeal_id').notNullable().references('id').inTable('appeals');
      t.index(['appeal_id']);
    });
    log('created table appeal_evidence');
  }
  if (!(await knex.schema.hasTable('event_files'))) {
    await knex.schema.createTable('event_files', (t) => {
      t.integer('file_id').primary().references('id').inTable('stored_files');
      t.integer('event_id').notNullable().references('id').inTable('events');
      t.index(['event_id']);
    });
    log('created table event_files');
  }
  if (await knex.schema.hasTable('appeal_files')) {
    const rows = await knex('appeal_files').join('appeals', 'appeals.id', 'appeal_files.appeal_id')
      .select('appeal_files.*', 'appeals.unit_id', 'appeals.filed_by', 'appeals.filed_at').orderBy('appeal_files.id');
    for (const r of rows) {
      const [inserted] = await knex('stored_files').insert({
        sha256: r.sha256, media_type: r.media_type, size: r.size, file_name: r.file_name, content: r.content,
        unit_id: r.unit_id, uploaded_by: r.filed_by, uploaded_at: r.filed_at,
      }).returning('id');
      const fileId = typeof inserted === 'object' ? (inserted as { id: number }).id : Number(inserted);
      await knex('appeal_evidence').insert({ file_id: fileId, appeal_id: r.appeal_id });
    }
    await knex.schema.dropTable('appeal_files');
    if (postgres) await knex.raw('DROP FUNCTION IF EXISTS appeal_files_immutable()');
    log(`moved ${rows.length} appeal file(s) into stored_files`);
  }
  const linked = `EXISTS (SELECT 1 FROM appeal_evidence WHERE file_id = OLD.id) OR EXISTS (SELECT 1 FROM event_files WHERE file_id = OLD.id)
    OR EXISTS (SELECT 1 FROM report_files WHERE file_id = OLD.id)`;
  if (postgres) {
    await knex.raw(`CREATE OR REPLACE FUNCTION stored_files_kept() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF TG_OP = 'UPDATE' THEN RAISE EXCEPTION 'a stored file never changes'; END IF;
        IF ${linked} THEN RAISE EXCEPTION 'a file that backs an appeal, an event or a report is kept'; END IF;
        RETURN OLD;
      END $$`);
    await knex.raw('DROP TRIGGER IF EXISTS stored_files_kept ON stored_files');
    await knex.raw('CREATE TRIGGER stored_files_kept BEFORE UPDATE OR DELETE ON stored_files FOR EACH ROW EXECUTE FUNCTION stored_files_kept()');
  } else {
    await knex.raw('DROP TRIGGER IF EXISTS stored_files_kept_update');
    await knex.raw(`CREATE TRIGGER stored_files_kept_update BEFORE UPDATE ON stored_files FOR EACH ROW BEGIN SELECT RAISE(ABORT, 'a stored file never changes'); END`);
    await knex.raw('DROP TRIGGER IF EXISTS stored_files_kept_delete');
    await knex.raw(`CREATE TRIGGER stored_files_kept_delete BEFORE DELETE ON stored_files FOR EACH ROW
      WHEN ${linked} BEGIN SELECT RAISE(ABORT, 'a file that backs an appeal, an event or a report is kept'); END`);
  }
  log('guard in place: stored files never change; a linked one is never deleted');
  // A province's pages (issue 21 point 6): the units of a kind counted from an index, and what was entered after a run found without reading every row.
  await knex.raw('CREATE INDEX IF NOT EXISTS units_by_kind ON units (kind, disabled_at, id)');
  await knex.raw('CREATE INDEX IF NOT EXISTS units_by_kind_and_parent ON units (kind, disabled_at, parent_id, id)');
  await knex.raw('CREATE INDEX IF NOT EXISTS inputs_by_entry ON inputs (period_id, track, entered_at)');
  log('indexes in place: units by kind (and parent), inputs by the time they were entered');
}

export async function down(): Promise<void> {
  throw new Error('the appraisal record is never rolled back');
}
