import { IN_CHUNK, insertMany } from '../chunks.js';
import { likeContaining } from '../like.js';
import type { Knex } from 'knex';
import { isTransaction, pageRead, readOnly, type Tx } from '../connection.js';

export interface UnitRow { id: string; name: string; kind: string; parent_id: string | null; role: string | null; created_at: string; disabled_at?: string | null; }

/** Adds units, or updates the name and parent of those already known. */
export async function upsertUnits(db: Tx, rows: UnitRow[]): Promise<void> {
  await insertMany(db, 'units', rows, { upsert: { key: ['id'], merge: ['name', 'parent_id'] } });
}

const unitById = pageRead((db, id: string) => db('units').where({ id }).limit(1));

/** A unit by its id (read by many pages: a statement prepared once). */
export async function getUnit(db: Tx, id: string): Promise<UnitRow | undefined> {
  const [row] = await unitById<UnitRow>(db, id);
  return row;
}


/** A read of these ids (those the record has), a chunk of them a query: each id once, whatever their number. */
async function byIds<T extends object>(db: Tx, ids: Iterable<string | null | undefined>, query: (chunk: string[]) => Knex.QueryBuilder): Promise<T[]> {
  const wanted = [...new Set([...ids].filter((id): id is string => typeof id === 'string'))];
  const out: T[] = [];
  for (let i = 0; i < wanted.length; i += IN_CHUNK) out.push(...await readOnly<T>(db, query(wanted.slice(i, i + IN_CHUNK))));
  return out;
}

/** These units (those the record has): a page asks for the few it names, never the whole tree. */
export async function unitsByIds(db: Tx, ids: Iterable<string | null | undefined>): Promise<UnitRow[]> {
  return byIds<UnitRow>(db, ids, (chunk) => db('units').whereIn('id', chunk));
}

/** Names of these units (those the record has): their ids and names alone. */
export async function unitNames(db: Tx, ids: Iterable<string | null | undefined>): Promise<Map<string, string>> {
  return new Map((await byIds<Pick<UnitRow, 'id' | 'name'>>(db, ids, (chunk) => db('units').whereIn('id', chunk).select('id', 'name'))).map((u) => [u.id, u.name]));
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

/**
 * The units, by id, when there are at most `most` (of these kinds, and enabled, where asked); undefined when there are
 * more: a province's are no list to choose from.
 */
export async function unitsUpTo(db: Tx, most: number, f: { kinds?: string[]; enabled?: boolean } = {}): Promise<UnitRow[] | undefined> {
  if (f.kinds?.length === 0) return [];
  const q = db('units').orderBy('id').limit(most + 1);
  if (f.kinds) q.whereIn('kind', f.kinds);
  if (f.enabled) q.whereNull('disabled_at');
  const rows = await readOnly<UnitRow>(db, q);
  return rows.length > most ? undefined : rows;
}

/** The units a typed text may mean, disabled ones too: the one of that id, and those of that name (a few at most). */
export async function unitsByIdOrName(db: Tx, text: string): Promise<UnitRow[]> {
  return readOnly<UnitRow>(db, db('units').where('id', text).orWhere('name', text).orderBy('id').limit(10));
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
  // The parents holding an enabled unit of the kind, from the counts the database keeps (migration 0009): a row a
  // township, not a walk over a province's 100,000 villages.
  const parents = () => db('units').join('unit_counts', 'unit_counts.parent_key', 'units.id').where('unit_counts.kind', kind).where('unit_counts.n', '>', 0);
  const [{ n }] = await readOnly(db, parents().count({ n: '*' }));
  const rows = await readOnly<UnitRow>(db, parents().select('units.*').orderBy([{ column: 'units.name' }, { column: 'units.id' }]).limit(limit));
  return { rows, total: Number(n) };
}

/**
 * Narrows a query over `units` to a page's filter: under a parent (a township's villages), and a name or id holding
 * `search`. On SQLite the units holding it are found in the trigram index of their names and ids (migration 0009),
 * not by reading every unit; what was typed with LIKE's own characters in it (% _ and the backslash) is looked for the slow way,
 * with those characters taken as they are. On PostgreSQL, pg_trgm's index serves the same LIKE where it is installed.
 */
export function unitsFiltered(q: Knex.QueryBuilder, parentId: string | undefined, search: string | undefined): Knex.QueryBuilder {
  if (parentId !== undefined) q.where('units.parent_id', parentId);
  if (search) {
    const postgres = (q as unknown as { client: Knex.Client }).client.config.client === 'pg';
    if (!postgres && !/[\\%_]/.test(search)) {
      const like = `%${search}%`;
      q.whereRaw('units.id IN (SELECT unit_id FROM unit_search_rows WHERE search_row IN (SELECT rowid FROM unit_search WHERE name LIKE ? UNION SELECT rowid FROM unit_search WHERE code LIKE ?))', [like, like]);
    } else {
      // LIKE's own characters in what was typed are taken as they are.
      const like = likeContaining(search);
      q.where((w) => { w.whereRaw("units.name LIKE ? ESCAPE '\\'", [like]).orWhereRaw("units.id LIKE ? ESCAPE '\\'", [like]); });
    }
  }
  return q;
}

// The counts the database keeps (migration 0009), read by most pages: statements prepared once.
const unitsOfKind = pageRead((db, kind: string) => db('unit_totals').where({ kind }).select('n'));
const unitsOfKindUnder = pageRead((db, kind: string, parentId: string) => db('unit_counts').where({ kind, parent_key: parentId }).select('n'));
const unitChanges = pageRead((db, kind: string) => db('unit_totals').where({ kind }).select('changes'));

/** How many enabled units of a kind a page's filter holds: from the counts the database keeps (migration 0009), or with a search, from the units found. */
export async function countUnitsFiltered(db: Tx, kind: string, parentId: string | undefined, search: string | undefined): Promise<number> {
  if (search) {
    const [{ n }] = await readOnly(db, unitsFiltered(db('units').where('units.kind', kind).whereNull('units.disabled_at'), parentId, search).count({ n: '*' }));
    return Number(n);
  }
  const [row] = parentId === undefined ? await unitsOfKind<{ n: number | string }>(db, kind) : await unitsOfKindUnder<{ n: number | string }>(db, kind, parentId);
  return Number(row?.n ?? 0);
}

/** A page of a filter's enabled units of a kind, by id: read from the units_by_kind index, a deep page of all of them from the nearest mark (pageMarks). */
export async function unitPage(db: Tx, kind: string, parentId: string | undefined, search: string | undefined, limit: number, offset: number): Promise<Array<Pick<UnitRow, 'id' | 'name' | 'parent_id'>>> {
  if (limit === 0) return [];
  // The entries skipped are stepped over in the index; only the page's own rows are read from the table.
  const q = unitsFiltered(db('units').where('units.kind', kind).whereNull('units.disabled_at'), parentId, search)
    .select('units.id', 'units.name', 'units.parent_id').orderBy('units.id').limit(limit);
  const mark = parentId === undefined && !search && offset >= MARK_EVERY ? (await pageMarks(db, kind))?.[Math.floor(offset / MARK_EVERY)] : undefined;
  if (mark !== undefined) q.where('units.id', '>=', mark).offset(offset % MARK_EVERY);
  else q.offset(offset);
  return readOnly<Pick<UnitRow, 'id' | 'name' | 'parent_id'>>(db, q);
}

/** Every how many units of a kind, in id order, a page mark is kept. */
const MARK_EVERY = 1000;
const marksKept = new WeakMap<object, Map<string, { changes: number; ids: string[] }>>();

/**
 * The id of every MARK_EVERY-th enabled unit of a kind, in id order, kept while the kind's units are as they were (the
 * changes the database counts, migration 0009): the 500th page of a province's villages is then read from the 499th
 * mark, not by stepping over 49,900 entries of the index. Undefined in a transaction (its changes are its own).
 */
async function pageMarks(db: Tx, kind: string): Promise<string[] | undefined> {
  if (isTransaction(db)) return undefined;
  const [row] = await unitChanges<{ changes: number | string }>(db, kind);
  const now = Number(row?.changes ?? 0);
  let byKind = marksKept.get(db);
  if (!byKind) marksKept.set(db, (byKind = new Map()));
  const kept = byKind.get(kind);
  if (kept && kept.changes === now) return kept.ids;
  const numbered = db('units').where({ kind }).whereNull('disabled_at').select('id', db.raw('ROW_NUMBER() OVER (ORDER BY id) - 1 AS k'));
  const rows = await readOnly<{ id: string }>(db, db.from(numbered.as('numbered')).whereRaw('k % ? = 0', [MARK_EVERY]).select('id').orderBy('id'));
  const ids = rows.map((r) => r.id);
  byKind.set(kind, { changes: now, ids });
  return ids;
}

/** How many enabled units of a kind come before this one in id order: where it stands in a list of them all (0 the first). */
export async function unitPlace(db: Tx, kind: string, id: string): Promise<number> {
  const [{ n }] = await readOnly(db, db('units').where({ kind }).whereNull('disabled_at').where('id', '<', id).count({ n: '*' }));
  return Number(n);
}

/** Units of exactly this name (at most `limit`): a name typed where a list of them would be too long. */
export async function unitsNamed(db: Tx, name: string, limit: number): Promise<UnitRow[]> {
  return db('units').where({ name }).whereNull('disabled_at').limit(limit);
}

/**
 * A page of the units directly under a unit, by name, and how many there are. `parentId` null: the top of the tree,
 * the units with no parent or with one the record does not have (read once, not lost).
 */
export async function childrenPage(db: Tx, parentId: string | null, limit: number, offset: number): Promise<{ rows: UnitRow[]; total: number }> {
  const under = () => (parentId === null
    ? db('units').where((w) => { w.whereNull('units.parent_id').orWhereNotExists(db('units as above').whereRaw('above.id = units.parent_id')); })
    : db('units').where('units.parent_id', parentId));
  const [{ n }] = await readOnly(db, under().count({ n: '*' }));
  const rows = await readOnly<UnitRow>(db, under().select('units.*').orderBy([{ column: 'units.name' }, { column: 'units.id' }]).limit(limit).offset(offset));
  return { rows, total: Number(n) };
}

/** A page of the units whose name or id holds `search` (taken as typed), by name, of every kind; and how many there are. */
export async function unitSearchPage(db: Tx, search: string, limit: number, offset: number): Promise<{ rows: UnitRow[]; total: number }> {
  const [{ n }] = await readOnly(db, unitsFiltered(db('units'), undefined, search).count({ n: '*' }));
  const rows = await readOnly<UnitRow>(db, unitsFiltered(db('units'), undefined, search).select('units.*').orderBy([{ column: 'units.name' }, { column: 'units.id' }]).limit(limit).offset(offset));
  return { rows, total: Number(n) };
}

/** How many units sit directly under each of these units (those with none are left out). */
export async function childCounts(db: Tx, ids: Iterable<string>): Promise<Map<string, number>> {
  const rows = await byIds<{ parent_id: string; n: number | string }>(db, ids, (chunk) => db('units').whereIn('parent_id', chunk).groupBy('parent_id').select('parent_id').count({ n: '*' }));
  return new Map(rows.map((r) => [r.parent_id, Number(r.n)]));
}
