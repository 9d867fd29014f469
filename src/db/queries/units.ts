import { insertMany } from '../chunks.js';
import type { Knex } from 'knex';
import type { Tx } from '../connection.js';

export interface UnitRow { id: string; name: string; kind: string; parent_id: string | null; role: string | null; created_at: string; disabled_at?: string | null; }

/** Adds units, or updates the name and parent of those already known. */
export async function upsertUnits(db: Tx, rows: UnitRow[]): Promise<void> {
  await insertMany(db, 'units', rows, { upsert: { key: ['id'], merge: ['name', 'parent_id'] } });
}

export async function getUnit(db: Tx, id: string): Promise<UnitRow | undefined> {
  return db('units').where({ id }).first();
}

/** Ids per `IN (…)` list: under every driver's bound-parameter limit. */
const IN_CHUNK = 5000;

/** These units (those the record has), read a chunk of ids at a time: a page asks for the few it names, never the whole tree. */
export async function unitsByIds(db: Tx, ids: Iterable<string | null | undefined>): Promise<UnitRow[]> {
  const wanted = [...new Set([...ids].filter((id): id is string => typeof id === 'string'))];
  const out: UnitRow[] = [];
  for (let i = 0; i < wanted.length; i += IN_CHUNK) out.push(...await db('units').whereIn('id', wanted.slice(i, i + IN_CHUNK)));
  return out;
}

/** Names of these units (those the record has). */
export async function unitNames(db: Tx, ids: Iterable<string | null | undefined>): Promise<Map<string, string>> {
  return new Map((await unitsByIds(db, ids)).map((u) => [u.id, u.name]));
}

/** These units and every unit above them, read a level at a time (a tree is a handful deep; a cycle ends when no new unit is found). */
export async function unitsWithAncestors(db: Tx, ids: Iterable<string | null | undefined>): Promise<UnitRow[]> {
  const found = new Map<string, UnitRow>();
  for (let next = [...ids]; next.length > 0;) {
    const level = await unitsByIds(db, next.filter((id) => typeof id === 'string' && !found.has(id)));
    for (const u of level) found.set(u.id, u);
    next = level.map((u) => u.parent_id).filter((id): id is string => id !== null && !found.has(id));
  }
  return [...found.values()];
}

export async function listUnits(db: Tx, kind?: string): Promise<UnitRow[]> {
  const q = db('units').orderBy('id');
  return kind ? q.where({ kind }) : q;
}

/** The units that are not disabled, of one kind or all: what the entry list, the templates and new runs offer. */
export async function listEnabledUnits(db: Tx, kind?: string): Promise<UnitRow[]> {
  const q = db('units').whereNull('disabled_at').orderBy('id');
  return kind ? q.where({ kind }) : q;
}

export async function insertUnit(db: Tx, row: UnitRow): Promise<void> {
  await db('units').insert(row);
}

export async function updateUnit(db: Tx, id: string, changes: Partial<Pick<UnitRow, 'name' | 'parent_id' | 'disabled_at'>>): Promise<boolean> {
  return (await db('units').where({ id }).update(changes)) === 1;
}

/** The unit whose name is `name` under the same parent (names are told apart within their parent only). */
export async function unitNamed(db: Tx, parentId: string | null, name: string): Promise<UnitRow | undefined> {
  const q = db('units').where({ name });
  return (parentId === null ? q.whereNull('parent_id') : q.where({ parent_id: parentId })).first();
}

/** Whether the unit `id` is disabled (an unknown unit is not). */
export async function unitDisabled(db: Tx, id: string): Promise<boolean> {
  const row = await db('units').where({ id }).whereNotNull('disabled_at').first('id');
  return row !== undefined;
}

/** The units that units of a kind sit under (a village's township), by name: at most `limit`, and how many there are. */
export async function parentsOfKind(db: Tx, kind: string, limit: number): Promise<{ rows: UnitRow[]; total: number }> {
  const ids = db('units').distinct('parent_id').where({ kind }).whereNull('disabled_at').whereNotNull('parent_id');
  const [{ n }] = await db('units').whereIn('id', ids).count({ n: '*' });
  const rows = await db('units').whereIn('id', ids).orderBy([{ column: 'name' }, { column: 'id' }]).limit(limit);
  return { rows, total: Number(n) };
}

/** Narrows a query over `units` to a page's filter: under a parent (a township's villages), and a name or id holding `search`. */
export function unitsFiltered(q: Knex.QueryBuilder, parentId: string | undefined, search: string | undefined): Knex.QueryBuilder {
  if (parentId !== undefined) q.where('units.parent_id', parentId);
  if (search) {
    // LIKE's own characters in what was typed are taken as they are.
    const like = `%${search.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
    q.where((w) => { w.whereRaw("units.name LIKE ? ESCAPE '\\'", [like]).orWhereRaw("units.id LIKE ? ESCAPE '\\'", [like]); });
  }
  return q;
}

/** How many enabled units of a kind a page's filter holds (read from the units_by_kind index). */
export async function countUnitsFiltered(db: Tx, kind: string, parentId: string | undefined, search: string | undefined): Promise<number> {
  const [{ n }] = await unitsFiltered(db('units').where('units.kind', kind).whereNull('units.disabled_at'), parentId, search).count({ n: '*' });
  return Number(n);
}

/** A page of a filter's enabled units of a kind, by id: read from the units_by_kind index, however deep the page. */
export async function unitPage(db: Tx, kind: string, parentId: string | undefined, search: string | undefined, limit: number, offset: number): Promise<Array<Pick<UnitRow, 'id' | 'name' | 'parent_id'>>> {
  if (limit === 0) return [];
  const ids = (await unitsFiltered(db('units').where('units.kind', kind).whereNull('units.disabled_at'), parentId, search)
    .select('units.id').orderBy('units.id').limit(limit).offset(offset) as Array<{ id: string }>).map((r) => r.id);
  if (ids.length === 0) return [];
  const rows = await db('units').whereIn('id', ids).select('id', 'name', 'parent_id');
  return rows.sort((a: UnitRow, b: UnitRow) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}

/** Units of exactly this name (at most `limit`): a name typed where a list of them would be too long. */
export async function unitsNamed(db: Tx, name: string, limit: number): Promise<UnitRow[]> {
  return db('units').where({ name }).whereNull('disabled_at').limit(limit);
}
