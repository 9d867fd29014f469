import type { Tx } from '../connection.js';
import { FILE_COLUMNS, insertStoredFile, type StoredFileRow } from './files.js';

/** The events ledger (事件台账): an event is added, changed or withdrawn, never deleted (the database refuses it). */

export interface EventRow {
  id: number; period_id: string; unit_id: string; input: string; level: string | null; points: number | null;
  happened_on: string; note: string; recorded_by: string; recorded_at: string;
  changed_by: string | null; changed_at: string | null; withdrawn_by: string | null; withdrawn_at: string | null;
}

export type NewEvent = Pick<EventRow, 'period_id' | 'unit_id' | 'input' | 'level' | 'points' | 'happened_on' | 'note' | 'recorded_by' | 'recorded_at'>;

/** PostgreSQL gives a double back as a number, SQLite too; a string (a driver's choice) is read as one. */
const fromDb = (r: EventRow): EventRow => ({ ...r, points: r.points === null ? null : Number(r.points) });

export async function insertEvent(db: Tx, row: NewEvent): Promise<number> {
  const [inserted] = await db('events').insert(row).returning('id');
  return typeof inserted === 'object' ? (inserted as { id: number }).id : Number(inserted);
}

export async function insertEvents(db: Tx, rows: NewEvent[]): Promise<void> {
  for (let i = 0; i < rows.length; i += 100) await db('events').insert(rows.slice(i, i + 100));
}

export async function getEvent(db: Tx, id: number): Promise<EventRow | undefined> {
  const row = await db('events').where({ id }).first();
  return row ? fromDb(row) : undefined;
}

export interface EventFilter { unitId?: string; input?: string; withdrawn?: boolean; }

/** A period's events, by unit, input and date (the order the ledger reads), withdrawn ones too unless asked otherwise. */
export async function eventsOf(db: Tx, periodId: string, filter: EventFilter = {}): Promise<EventRow[]> {
  const q = db('events').where({ period_id: periodId }).orderBy([{ column: 'unit_id' }, { column: 'input' }, { column: 'happened_on' }, { column: 'id' }]);
  if (filter.unitId !== undefined) q.where({ unit_id: filter.unitId });
  if (filter.input !== undefined) q.where({ input: filter.input });
  if (filter.withdrawn === false) q.whereNull('withdrawn_at');
  return (await q).map(fromDb);
}

/** Changes a standing event (a withdrawn one stays as it was); false when there is none such. */
export async function changeEvent(db: Tx, id: number, changes: Pick<EventRow, 'unit_id' | 'input' | 'level' | 'points' | 'happened_on' | 'note' | 'changed_by' | 'changed_at'>): Promise<boolean> {
  return (await db('events').where({ id }).whereNull('withdrawn_at').update(changes)) === 1;
}

/** Withdraws a standing event (撤回); false when there is none such. */
export async function withdrawEvent(db: Tx, id: number, by: string, at: string): Promise<boolean> {
  return (await db('events').where({ id }).whereNull('withdrawn_at').update({ withdrawn_by: by, withdrawn_at: at })) === 1;
}

/**
 * The events of a period under these inputs, against units of a kind, recorded, changed or withdrawn
 * after `since` (what a run made then did not read): how many, and the latest change (who and when).
 */
export async function eventsChangedAfter(db: Tx, periodId: string, kind: string, inputs: string[], since: string): Promise<{ count: number; latest?: { by: string; at: string } }> {
  const rows: EventRow[] = await db('events as e').join('units as u', 'u.id', 'e.unit_id').where('e.period_id', periodId).where('u.kind', kind).whereIn('e.input', inputs)
    .where((q) => q.where('e.recorded_at', '>', since).orWhere('e.changed_at', '>', since).orWhere('e.withdrawn_at', '>', since))
    .select('e.*');
  let latest: { by: string; at: string } | undefined;
  for (const r of rows) {
    for (const [by, at] of [[r.recorded_by, r.recorded_at], [r.changed_by, r.changed_at], [r.withdrawn_by, r.withdrawn_at]] as const) {
      if (by && at && at > since && (!latest || at > latest.at)) latest = { by, at };
    }
  }
  return { count: rows.length, latest };
}

export interface EventFileRow extends StoredFileRow { event_id: number; }

/** Stores a file of an event (stored_files, linked by event_files). */
export async function insertEventFile(db: Tx, eventId: number, file: Omit<StoredFileRow, 'id'> & { content: Buffer }): Promise<void> {
  const fileId = await insertStoredFile(db, file);
  await db('event_files').insert({ file_id: fileId, event_id: eventId });
}

/** The files of some events, without their content, oldest first. */
export async function filesOfEvents(db: Tx, eventIds: number[]): Promise<EventFileRow[]> {
  const out: EventFileRow[] = [];
  for (let i = 0; i < eventIds.length; i += 5000) {
    out.push(...await db('event_files').join('stored_files', 'stored_files.id', 'event_files.file_id')
      .select(...FILE_COLUMNS, 'event_files.event_id').whereIn('event_files.event_id', eventIds.slice(i, i + 5000)).orderBy('stored_files.id'));
  }
  return out;
}

/** One file of one event, with its content. */
export async function eventFile(db: Tx, eventId: number, fileId: number): Promise<(EventFileRow & { content: Buffer }) | undefined> {
  return db('event_files').join('stored_files', 'stored_files.id', 'event_files.file_id')
    .select('stored_files.*', 'event_files.event_id').where({ 'event_files.event_id': eventId, 'event_files.file_id': fileId }).first();
}
