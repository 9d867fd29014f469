import { pageRead, type Tx } from '../connection.js';

export interface PeriodRow { id: string; title: string; kind: string; created_at: string; }

export async function ensurePeriod(db: Tx, p: Omit<PeriodRow, 'created_at'>, at: string): Promise<void> {
  await db('periods').insert({ ...p, created_at: at }).onConflict('id').ignore();
}

const periodById = pageRead((db, id: string) => db('periods').where({ id }).limit(1));

/** A period by its id (read by every ranking page: a statement prepared once). */
export async function getPeriod(db: Tx, id: string): Promise<PeriodRow | undefined> {
  return (await periodById<PeriodRow>(db, id))[0];
}

const periodsNewestFirst = pageRead((db) => db('periods').orderBy('id', 'desc'));

/** Every period, the newest id first (read by most pages: a statement prepared once). */
export async function listPeriods(db: Tx): Promise<PeriodRow[]> {
  return periodsNewestFirst<PeriodRow>(db);
}
