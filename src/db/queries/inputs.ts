import { insertMany } from '../chunks.js';
import { isPostgres, type Tx } from '../connection.js';

export interface InputRow {
  period_id: string; track: string; unit_id: string; name: string | null; parent_id: string | null;
  input_values: string; batch_id: number | null; entered_by: string; entered_at: string;
}

export interface BatchRow {
  period_id: string; track: string; file_name: string; file_sha256: string; rule_sha256: string;
  row_count: number; imported_by: string; imported_at: string;
}

export async function insertBatch(db: Tx, row: BatchRow): Promise<number> {
  const [inserted] = await db('import_batches').insert(row).returning('id');
  return typeof inserted === 'object' ? (inserted as { id: number }).id : Number(inserted);
}

/** Adds or replaces the input rows of units for a period and track. */
export async function upsertInputs(db: Tx, rows: InputRow[], progress?: (done: number) => void): Promise<void> {
  await insertMany(db, 'inputs', rows, {
    upsert: { key: ['period_id', 'track', 'unit_id'], merge: ['name', 'parent_id', 'input_values', 'batch_id', 'entered_by', 'entered_at'] },
    progress,
  });
}

export async function deleteInputs(db: Tx, periodId: string, track: string): Promise<void> {
  await db('inputs').where({ period_id: periodId, track }).delete();
}

export async function inputsOf(db: Tx, periodId: string, track: string): Promise<InputRow[]> {
  return db('inputs').where({ period_id: periodId, track }).orderBy('unit_id');
}

/**
 * What a run pins (its snapshot), a page at a time in unit order: each page the UTF-8
 * bytes of a JSON array of { id, name, parent, inputs }, written by the database itself
 * (a 100,000-unit period would otherwise be 100,000 row objects and a string built of them).
 */
export async function* pinnedInputPages(db: Tx, periodId: string, track: string, pageSize: number): AsyncGenerator<{ json: Buffer; count: number }> {
  const pg = isPostgres(db);
  // input_values is JSON the application wrote: it is spliced in as text, not parsed again.
  const quote = (column: string) => (pg ? `to_json(${column})::text` : `json_quote(${column})`);
  const unit = `'{"id":' || ${quote('unit_id')} || ',"name":' || ${quote('name')} || ',"parent":' || ${quote('parent_id')} || ',"inputs":' || input_values || '}'`;
  const list = pg ? `string_agg(${unit}, ',' ORDER BY unit_id)` : `group_concat(${unit}, ',' ORDER BY unit_id)`;
  const doc = `'[' || coalesce(${list}, '') || ']'`;
  const sql = `SELECT ${pg ? `convert_to(${doc}, 'UTF8')` : `CAST(${doc} AS BLOB)`} AS json, max(unit_id) AS last, count(*) AS n
    FROM (SELECT unit_id, name, parent_id, input_values FROM inputs WHERE period_id = ? AND track = ? AND unit_id > ? ORDER BY unit_id LIMIT ?) page`;
  let after = '';
  for (;;) {
    const result = await db.raw(sql, [periodId, track, after, pageSize]);
    const row = (pg ? result.rows[0] : result[0]) as { json: Buffer; last: string | null; n: number | string };
    const count = Number(row.n);
    if (count === 0) return;
    yield { json: Buffer.isBuffer(row.json) ? row.json : Buffer.from(row.json), count };
    if (count < pageSize) return;
    after = row.last!;
  }
}

export async function inputOf(db: Tx, periodId: string, track: string, unitId: string): Promise<InputRow | undefined> {
  return db('inputs').where({ period_id: periodId, track, unit_id: unitId }).first();
}

export async function countInputs(db: Tx, periodId: string, track: string): Promise<number> {
  const row = await db('inputs').where({ period_id: periodId, track }).count({ n: '*' }).first();
  return Number(row?.n ?? 0);
}
