import type { Tx } from '../connection.js';
import type { RunRow } from './runs.js';

/** The reads of the home pages, the audit page's words and the 公示 reminder: names and counts, never whole tables. */

/** The units a track appraises (of its kind), not counting disabled ones. */
export async function countUnitsOfKind(db: Tx, kind: string): Promise<number> {
  const [row] = await db('units').where({ kind }).whereNull('disabled_at').count({ n: '*' });
  return Number((row as { n: number | string }).n);
}

/** Account names of the accounts bound to a unit. */
export async function accountsOfUnit(db: Tx, unitId: string): Promise<string[]> {
  return (await db('users').select('username').where({ unit_id: unitId })).map((r: { username: string }) => r.username);
}

/** Account names with their display name, role and unit. */
export async function accountsByName(db: Tx, usernames: string[]): Promise<Map<string, { display_name: string; role: string; unit_id: string | null }>> {
  if (usernames.length === 0) return new Map();
  const rows: Array<{ username: string; display_name: string; role: string; unit_id: string | null }> =
    await db('users').select('username', 'display_name', 'role', 'unit_id').whereIn('username', [...new Set(usernames)]);
  return new Map(rows.map((r) => [r.username, r]));
}

/** Rule set titles by rule set id (the newest version's title). */
export async function rulesetTitles(db: Tx): Promise<Map<string, string>> {
  const rows: Array<{ ruleset_id: string; title: string; imported_at: string }> = await db('rule_versions').select('ruleset_id', 'title', 'imported_at').orderBy('imported_at');
  return new Map(rows.map((r) => [r.ruleset_id, r.title]));
}

/** The runs under 公示 whose last day lies between these dates (YYYY-MM-DD, both included). */
export async function runsEndingReview(db: Tx, from: string, to: string): Promise<RunRow[]> {
  return db('runs').where({ status: 'published' }).whereNotNull('review_until').whereBetween('review_until', [from, to]).orderBy('id');
}

/** The runs under 公示 or final that have a result for the unit, of these tracks, newest first. */
export async function currentRunsOf(db: Tx, unitId: string, tracks: string[]): Promise<RunRow[]> {
  return db('runs').select('runs.*').join('results', 'results.run_id', 'runs.id')
    .where('results.unit_id', unitId).whereIn('runs.track', tracks).whereIn('runs.status', ['published', 'final'])
    .orderBy('runs.id', 'desc');
}

/** A unit's appeals by state: open, answered (rejected or accepted). */
export async function appealCountsOf(db: Tx, unitId: string): Promise<{ open: number; answered: number }> {
  const rows: Array<{ status: string; n: number | string }> = await db('appeals').select('status').count({ n: '*' }).where({ unit_id: unitId }).groupBy('status');
  let open = 0, answered = 0;
  for (const r of rows) if (r.status === 'open') open += Number(r.n); else answered += Number(r.n);
  return { open, answered };
}

/** Inputs entered per period and track. */
export async function inputCounts(db: Tx): Promise<Array<{ period_id: string; track: string; n: number }>> {
  const rows: Array<{ period_id: string; track: string; n: number | string }> = await db('inputs').select('period_id', 'track').count({ n: '*' }).groupBy('period_id', 'track');
  return rows.map((r) => ({ ...r, n: Number(r.n) }));
}
