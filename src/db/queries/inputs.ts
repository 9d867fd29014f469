import { insertMany } from '../chunks.js';
import { isPostgres, pageRead, readOnly, type Tx } from '../connection.js';
import { countUnitsFiltered, unitPage, unitsFiltered } from './units.js';

export interface InputRow {
  period_id: string; track: string; unit_id: string; name: string | null; parent_id: string | null;
  input_values: string; batch_id: number | null; entered_by: string; entered_at: string;
  /** The unit's report (reports.ts) whose approval wrote the row, if that is where it came from. */
  report_id?: number | null;
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
    upsert: { key: ['period_id', 'track', 'unit_id'], merge: ['name', 'parent_id', 'input_values', 'batch_id', 'report_id', 'entered_by', 'entered_at'] },
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
 * What a run pins (its snapshot), in unit order: each part the UTF-8 bytes of a JSON array
 * of { id, name, parent, inputs }, written by the database itself (a 100,000-unit period
 * would otherwise be 100,000 row objects and a string built of them). One query reads
 * `pageSize` units as parts of `partSize`: a part's text stays small enough for the
 * JavaScript heap's young space, where a page-sized string would be placed in memory
 * mapped afresh for it (a 1 MB page took seven times as long to decode). A disabled unit's
 * inputs stay in the record but are left out of new runs.
 */
export async function* pinnedInputPages(
  db: Tx, periodId: string, track: string, pageSize: number, partSize: number,
): AsyncGenerator<{ json: Buffer; count: number }> {
  const pg = isPostgres(db);
  // input_values is JSON the application wrote: it is spliced in as text, not parsed again.
  // A missing name or parent is JSON null (PostgreSQL's to_json gives SQL NULL, which would drop the unit).
  const quote = (column: string) => (pg ? `coalesce(to_json(${column})::text, 'null')` : `json_quote(${column})`);
  const unit = `'{"id":' || ${quote('unit_id')} || ',"name":' || ${quote('name')} || ',"parent":' || ${quote('parent_id')} || ',"inputs":' || input_values || '}'`;
  const list = pg ? `string_agg(${unit}, ',' ORDER BY unit_id)` : `group_concat(${unit}, ',' ORDER BY unit_id)`;
  const doc = `'[' || ${list} || ']'`;
  const sql = `SELECT ${pg ? `convert_to(${doc}, 'UTF8')` : `CAST(${doc} AS BLOB)`} AS json, max(unit_id) AS last, count(*) AS n
    FROM (SELECT unit_id, name, parent_id, input_values, (row_number() OVER (ORDER BY unit_id) - 1) / ${Math.max(1, Math.floor(partSize))} AS part
      FROM (SELECT unit_id, name, parent_id, input_values FROM inputs WHERE period_id = ? AND track = ? AND unit_id > ?
        AND NOT EXISTS (SELECT 1 FROM units WHERE units.id = inputs.unit_id AND units.disabled_at IS NOT NULL) ORDER BY unit_id LIMIT ?) page) parts
    GROUP BY part ORDER BY part`;
  let after = '';
  for (;;) {
    const result = await db.raw(sql, [periodId, track, after, pageSize]);
    const rows = (pg ? result.rows : result) as Array<{ json: Buffer; last: string; n: number | string }>;
    let count = 0;
    for (const row of rows) {
      count += Number(row.n);
      after = row.last;
      yield { json: Buffer.isBuffer(row.json) ? row.json : Buffer.from(row.json), count: Number(row.n) };
    }
    if (count < pageSize) return;
  }
}

export async function inputOf(db: Tx, periodId: string, track: string, unitId: string): Promise<InputRow | undefined> {
  return db('inputs').where({ period_id: periodId, track, unit_id: unitId }).first();
}

export async function countInputs(db: Tx, periodId: string, track: string): Promise<number> {
  const row = await db('inputs').where({ period_id: periodId, track }).count({ n: '*' }).first();
  return Number(row?.n ?? 0);
}

export interface EntryListRow {
  unit_id: string; unit_name: string; parent_id: string | null;
  entered_by: string | null; entered_at: string | null; batch_id: number | null; report_id: number | null;
}

export interface EntryListFilter { parentId?: string; search?: string; entered?: boolean; limit: number; offset: number; }

// What the entry list counts on every page, without a filter: statements prepared once.
const enteredCounted = pageRead((db, periodId: string, track: string) => db('input_counts').where({ period_id: periodId, track }).sum({ a: 'n' }));
const enteredOfDisabled = pageRead((db, periodId: string, track: string, kind: string) => db('inputs').join('units', 'units.id', 'inputs.unit_id')
  .where({ 'inputs.period_id': periodId, 'inputs.track': track }).where('units.kind', kind).whereNotNull('units.disabled_at').count({ d: '*' }));

/**
 * The enabled units of a kind with whether their inputs of a period and assessment are in (who, when, how), by
 * unit id, a page at a time, and how many match; never the inputs themselves (a province's would be megabytes).
 */
export async function entryList(db: Tx, periodId: string, track: string, kind: string, f: EntryListFilter): Promise<{ rows: EntryListRow[]; total: number; entered: number }> {
  // Counted without the join of every unit: the filter's units from their index, the entered ones from the inputs
  // (with no filter, the period's inputs less those of units disabled since).
  const units = await countUnitsFiltered(db, kind, f.parentId, f.search);
  const ofUnits = () => db('inputs').join('units', 'units.id', 'inputs.unit_id').where({ 'inputs.period_id': periodId, 'inputs.track': track }).where('units.kind', kind);
  let entered: number;
  if (f.parentId === undefined && !f.search) {
    // The period's inputs as the database keeps their count (migration 0009), less those of disabled units.
    const [[{ a }], [{ d }]] = await Promise.all([enteredCounted(db, periodId, track), enteredOfDisabled(db, periodId, track, kind)]);
    entered = Number(a ?? 0) - Number(d);
  } else {
    const [{ e }] = await readOnly(db, unitsFiltered(ofUnits().whereNull('units.disabled_at'), f.parentId, f.search).count({ e: '*' }));
    entered = Number(e);
  }
  const total = f.entered === undefined ? units : f.entered ? entered : units - entered;
  if (f.entered === undefined) {
    // A page of units from their index (however deep), then their entries: never the join of the units before it.
    const page = await unitPage(db, kind, f.parentId, f.search, f.limit, f.offset);
    const entries = page.length ? await readOnly<EntryListRow>(db, db('inputs').where({ period_id: periodId, track }).whereIn('unit_id', page.map((u) => u.id))
      .select('unit_id', 'entered_by', 'entered_at', 'batch_id', 'report_id')) : [];
    const of = new Map(entries.map((r: EntryListRow) => [r.unit_id, r]));
    return {
      rows: page.map((u) => {
        const r = of.get(u.id);
        return { unit_id: u.id, unit_name: u.name, parent_id: u.parent_id, entered_by: r?.entered_by ?? null, entered_at: r?.entered_at ?? null, batch_id: r?.batch_id ?? null, report_id: r?.report_id ?? null };
      }),
      total, entered,
    };
  }
  const q = db('units').leftJoin('inputs', function () {
    this.on('inputs.unit_id', '=', 'units.id').andOn('inputs.period_id', '=', db.raw('?', [periodId])).andOn('inputs.track', '=', db.raw('?', [track]));
  }).where('units.kind', kind).whereNull('units.disabled_at');
  unitsFiltered(q, f.parentId, f.search);
  if (f.entered !== undefined) (f.entered ? q.whereNotNull('inputs.unit_id') : q.whereNull('inputs.unit_id'));
  const rows = f.limit === 0 ? [] : await readOnly<EntryListRow>(db, q.select('units.id as unit_id', 'units.name as unit_name', 'units.parent_id', 'inputs.entered_by', 'inputs.entered_at', 'inputs.batch_id', 'inputs.report_id')
    .orderBy('units.id').limit(f.limit).offset(f.offset));
  return { rows, total, entered };
}
