import type { Knex } from 'knex';

/**
 * Data collection (issue 21): reporting windows (填报) a leader opens per period and assessment
 * with a deadline; each unit's report of a period (one per unit: a figure is reported once for every
 * assessment that names it) with its states 草稿 → 已提交 → 已退回 / 已审核; the files that back a
 * figure (佐证材料), kept in the record with their sha256; and the history of every unit's inputs
 * (who entered or reported them, from which form, import or report, who approved them). Never edited
 * once landed; safe to run twice.
 */

const log = (msg: string) => { if (process.env.APPRAISAL_QUIET !== '1') process.stderr.write(`[migration 0007] ${msg}\n`); };

async function create(knex: Knex, name: string, build: (t: Knex.CreateTableBuilder) => void): Promise<void> {
  if (await knex.schema.hasTable(name)) return;
  await knex.schema.createTable(name, build);
  log(`created table ${name}`);
}

export async function up(knex: Knex): Promise<void> {
  await create(knex, 'report_windows', (t) => {
    t.string('period_id', 16).notNullable();
    t.string('assessment_id', 32).notNullable();
    t.string('deadline', 10).notNullable(); // YYYY-MM-DD, China Standard Time: the last day a unit may submit
    t.string('opened_by', 64).notNullable();
    t.string('opened_at', 32).notNullable();
    t.string('closed_by', 64).nullable();
    t.string('closed_at', 32).nullable();
    t.primary(['period_id', 'assessment_id']);
  });
  await create(knex, 'reports', (t) => {
    t.increments('id');
    t.string('period_id', 16).notNullable();
    t.string('unit_id', 64).notNullable();
    t.string('state', 16).notNullable(); // draft → submitted → returned | approved
    t.text('report_values').notNullable(); // JSON: { inputName: text as the unit typed it }
    t.text('field_notes').nullable(); // JSON: { inputName: the township's comment } when returned
    t.text('review_comment').nullable();
    t.string('reopened_until', 10).nullable(); // a later deadline for this unit alone (YYYY-MM-DD, CST)
    t.string('updated_by', 64).notNullable();
    t.string('updated_at', 32).notNullable();
    t.string('submitted_by', 64).nullable();
    t.string('submitted_at', 32).nullable();
    t.string('reviewed_by', 64).nullable();
    t.string('reviewed_at', 32).nullable();
    t.unique(['period_id', 'unit_id']);
    t.index(['period_id', 'state']);
  });
  await create(knex, 'stored_files', (t) => {
    t.increments('id');
    t.string('sha256', 64).notNullable();
    t.string('media_type', 32).notNullable(); // judged by the first bytes: image/jpeg, image/png, application/pdf
    t.integer('size').notNullable();
    t.text('file_name').notNullable();
    t.binary('content').notNullable();
    t.string('unit_id', 64).nullable(); // the unit that sent it, or whose record it backs
    t.string('uploaded_by', 64).notNullable();
    t.string('uploaded_at', 32).notNullable();
  });
  await create(knex, 'report_files', (t) => {
    t.integer('file_id').primary().references('id').inTable('stored_files');
    t.integer('report_id').notNullable().references('id').inTable('reports');
    t.string('input_name', 64).notNullable();
    t.index(['report_id']);
  });
  await create(knex, 'input_history', (t) => {
    t.increments('id');
    t.string('period_id', 16).notNullable();
    t.string('track', 32).notNullable();
    t.string('unit_id', 64).notNullable();
    t.text('input_values').notNullable(); // JSON: the unit's inputs as they stood after this change
    t.string('via', 16).notNullable(); // form | import | report
    t.integer('batch_id').nullable();
    t.integer('report_id').nullable();
    t.string('entered_by', 64).notNullable(); // who typed, uploaded or reported the figures
    t.string('entered_at', 32).notNullable();
    t.string('approved_by', 64).nullable(); // for a report: who approved it
    t.string('approved_at', 32).nullable();
    t.index(['period_id', 'track', 'unit_id']);
  });
  if (!(await knex.schema.hasColumn('inputs', 'report_id'))) {
    await knex.schema.alterTable('inputs', (t) => { t.integer('report_id').nullable(); });
    log('added inputs.report_id');
  }
}

export async function down(): Promise<void> {
  throw new Error('the appraisal record is never rolled back');
}
