import { pageRead, readOnly, type Tx } from '../connection.js';

/** What publishing and 定稿 read besides the run itself: who is told, and what was entered after a run pinned its inputs. */

/** The units ranked in a run that an enabled account belongs to (the villages and staff to tell), in unit order. */
export async function rankedUnitsWithAccounts(db: Tx, runId: number): Promise<string[]> {
  const rows = await db('results as r').distinct('r.unit_id')
    .join('users as u', 'u.unit_id', 'r.unit_id')
    .where('r.run_id', runId).where('u.disabled', false)
    .orderBy('r.unit_id');
  return rows.map((r: { unit_id: string }) => r.unit_id);
}

export interface LaterEntry { unit_id: string; name: string | null; entered_by: string; entered_at: string; }

// Asked by every ranking page of a run not yet final: a statement prepared once.
const enteredAfter = pageRead((db, periodId: string, track: string, since: string) => db('inputs').where({ period_id: periodId, track }).where('entered_at', '>', since).count({ n: '*' }));

/**
 * Inputs of a period and track entered (by the form or an import) after `since`, newest
 * first: how many in all, and the first `limit` of them.
 */
export async function inputsEnteredAfter(db: Tx, periodId: string, track: string, since: string, limit = 5): Promise<{ count: number; latest: LaterEntry[] }> {
  const later = () => db('inputs').where({ period_id: periodId, track }).where('entered_at', '>', since);
  const [row] = await enteredAfter<{ n: number | string }>(db, periodId, track, since);
  const count = Number(row.n);
  if (count === 0) return { count, latest: [] };
  const latest = await readOnly<LaterEntry>(db, later().select('unit_id', 'name', 'entered_by', 'entered_at').orderBy('entered_at', 'desc').orderBy('unit_id').limit(limit));
  return { count, latest };
}
