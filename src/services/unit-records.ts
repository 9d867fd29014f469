import type { Db, Tx } from '../db/connection.js';
import { appendAudit } from '../db/queries/audit.js';
import {
  childCounts, childrenPage, getUnit, insertUnit, listUnits, unitNamed, unitNames, unitSearchPage, unitsUpTo, unitsWithAncestors, updateUnit, type UnitRow,
} from '../db/queries/units.js';
import { MOST_CHOICES, quoted, unitTyped } from './choices.js';
import { bumpSessionEpochOfUnit } from '../db/queries/users.js';
import { table } from '../engine/own.js';
import { unitIdProblem, UNIT_NAME_MAX_CHARS } from './unit-ids.js';
import { UNFIT_MARK } from '../io/text.js';

/**
 * The unit tree kept by hand (管理员): add a unit, rename it, move it under another parent,
 * disable and enable a village or a staff member. What already happened stays as it was:
 * a run pins its snapshot of the inputs (names and parents included) and its results carry
 * the name each unit had, so none of these touches a run. A disabled unit is left out of
 * the entry list, the templates and new runs, and its accounts cannot log in.
 */

export const UNIT_KINDS = table<string, string>({ county: '县（区）', township: '乡镇（街道）', village: '村（社区）', group: '村民小组', staff: '工作人员' });
/** The kinds that may be disabled: a village or a staff member, never a part of the tree above them. */
export const DISABLEABLE = new Set(['village', 'staff']);
/** The levels of the tree, the top first; a unit's parent is of a level above its own (staff may sit under any). */
const LEVELS: Readonly<Record<string, number>> = table({ county: 0, township: 1, village: 2, group: 3 });
/** Units of these kinds have no units under them. */
const LEAVES = new Set(['staff']);

export class UnitRefused extends Error {
  constructor(readonly code: string, message: string) { super(message); }
}

export function checkedUnitName(name: string): string {
  const trimmed = name.trim();
  if (trimmed === '') throw new UnitRefused('UNIT_NAME_EMPTY', '请填写单位名称');
  if ([...trimmed].length > UNIT_NAME_MAX_CHARS) throw new UnitRefused('UNIT_NAME_TOO_LONG', `单位名称超过 ${UNIT_NAME_MAX_CHARS} 个字符，请改用简称`);
  if (UNFIT_MARK.test(trimmed)) throw new UnitRefused('UNIT_NAME_INVALID', '单位名称含有换行、制表符、看不见的字符或改变文字方向的控制字符，请删去');
  return trimmed;
}

async function unitOf(db: Tx, id: string): Promise<UnitRow> {
  const unit = await getUnit(db, id);
  if (!unit) throw new UnitRefused('UNIT_NOT_FOUND', '没有这个单位');
  return unit;
}

/**
 * A parent must exist and may not be a staff member; a staff member needs one. `parent` is what the form sent: a
 * unit's id (chosen from a list), or, where the units are too many to list (MOST_CHOICES), its id or name as typed.
 */
async function checkedParent(db: Tx, kind: string, parent: string | null): Promise<UnitRow | null> {
  const text = parent?.trim() ?? '';
  if (!text) {
    if (kind === 'staff' || kind === 'village' || kind === 'group') throw new UnitRefused('PARENT_REQUIRED', `${UNIT_KINDS[kind]}须有上级单位`);
    return null;
  }
  const found = await parentTyped(db, text);
  const refused = leafRefused(found);
  if (refused) throw refused;
  return found;
}

/** The unit a form's parent names: its id, else the one unit (not a staff member) of that name. */
async function parentTyped(db: Tx, text: string): Promise<UnitRow> {
  const meant = await unitTyped(db, text, (u) => u.id === text || !LEAVES.has(u.kind));
  if ('unit' in meant) return meant.unit;
  if (meant.none === 'several') throw new UnitRefused('PARENT_AMBIGUOUS', `有多个单位名为“${quoted(text, 30)}”，请填写上级单位的编号`);
  throw new UnitRefused('PARENT_NOT_FOUND', `没有名称或编号为“${quoted(text, 30)}”的单位`);
}

/** A staff member has no units under it. */
export function leafRefused(parent: Pick<UnitRow, 'kind' | 'name'>): UnitRefused | undefined {
  return LEAVES.has(parent.kind) ? new UnitRefused('PARENT_IS_LEAF', `“${parent.name}”是工作人员，不能作为上级单位`) : undefined;
}

/** The tree goes 县 → 乡镇 → 村 → 组 (DOMAIN.md): a 村 under another 村, or a 乡镇 under a 村, would rank and sanction the wrong units. */
export function levelRefused(kind: string, parent: Pick<UnitRow, 'kind' | 'name'>): UnitRefused | undefined {
  if (LEVELS[kind] !== undefined && LEVELS[parent.kind] !== undefined && LEVELS[parent.kind] >= LEVELS[kind]) {
    return new UnitRefused('PARENT_LEVEL', `${UNIT_KINDS[kind]}不能放在${UNIT_KINDS[parent.kind]}“${parent.name}”之下`);
  }
  return undefined;
}

function checkLevel(kind: string, parent: UnitRow | null): void {
  const refused = parent && levelRefused(kind, parent);
  if (refused) throw refused;
}

/** A name is told apart from its siblings': two 枫林村 under one township would read as one on every page. */
async function checkNameFree(db: Tx, parentId: string | null, name: string, self?: string): Promise<void> {
  const twin = await unitNamed(db, parentId, name);
  if (twin && twin.id !== self) throw new UnitRefused('UNIT_NAME_TAKEN', `同一上级单位下已有名为“${name}”的单位`);
}

export interface NewUnit { id: string; name: string; kind: string; parentId: string | null; }

export async function addUnit(db: Db, u: NewUnit, by: string): Promise<UnitRow> {
  const id = u.id.trim();
  if (id === '') throw new UnitRefused('UNIT_ID_EMPTY', '请填写单位编号');
  const problem = unitIdProblem(id);
  if (problem) throw new UnitRefused(problem.code, problem.message);
  if (!Object.hasOwn(UNIT_KINDS, u.kind)) throw new UnitRefused('UNIT_KIND_INVALID', `单位类别应为 ${Object.values(UNIT_KINDS).join('、')} 之一`);
  const name = checkedUnitName(u.name);
  return db.transaction(async (tx) => {
    if (await getUnit(tx, id)) throw new UnitRefused('UNIT_ID_TAKEN', `单位编号“${id}”已被使用`);
    const parent = await checkedParent(tx, u.kind, u.parentId || null);
    checkLevel(u.kind, parent);
    await checkNameFree(tx, parent?.id ?? null, name);
    const row: UnitRow = { id, name, kind: u.kind, parent_id: parent?.id ?? null, role: null, created_at: new Date().toISOString() };
    await insertUnit(tx, row);
    await appendAudit(tx, { at: row.created_at, actor: by, action: 'unit.add', subject: id, detail: JSON.stringify({ name, kind: u.kind, parent: row.parent_id }), unit_id: id });
    return row;
  });
}

export async function renameUnit(db: Db, id: string, name: string, by: string): Promise<void> {
  const next = checkedUnitName(name);
  await db.transaction(async (tx) => {
    const unit = await unitOf(tx, id);
    if (unit.name === next) return;
    await checkNameFree(tx, unit.parent_id, next, id);
    await updateUnit(tx, id, { name: next });
    await appendAudit(tx, { at: new Date().toISOString(), actor: by, action: 'unit.rename', subject: id, detail: JSON.stringify({ from: unit.name, to: next }), unit_id: id });
  });
}

/** Moves a unit under another parent; a unit can never end up under itself (a cycle). */
export async function moveUnit(db: Db, id: string, parentId: string, by: string): Promise<void> {
  await db.transaction(async (tx) => {
    const unit = await unitOf(tx, id);
    const parent = await checkedParent(tx, unit.kind, parentId || null);
    if ((unit.parent_id ?? null) === (parent?.id ?? null)) return;
    if (parent) {
      const byId = new Map((await unitsWithAncestors(tx, [parent.id])).map((u) => [u.id, u]));
      const seen = new Set<string>();
      for (let at: UnitRow | undefined = parent; at; at = at.parent_id ? byId.get(at.parent_id) : undefined) {
        if (at.id === id) throw new UnitRefused('UNIT_CYCLE', `不能把“${unit.name}”移到它自己或它的下级单位之下`);
        if (seen.has(at.id)) break; // a loop already in the record (not made here): stop walking it
        seen.add(at.id);
      }
    }
    checkLevel(unit.kind, parent);
    await checkNameFree(tx, parent?.id ?? null, unit.name, id);
    await updateUnit(tx, id, { parent_id: parent?.id ?? null });
    await appendAudit(tx, { at: new Date().toISOString(), actor: by, action: 'unit.move', subject: id, detail: JSON.stringify({ from: unit.parent_id, to: parent?.id ?? null }), unit_id: id });
  });
}

/** Disables (or enables) a village or a staff member; disabling ends its accounts' sessions. */
export async function setUnitDisabled(db: Db, id: string, disabled: boolean, by: string): Promise<void> {
  await db.transaction(async (tx) => {
    const unit = await unitOf(tx, id);
    if (!DISABLEABLE.has(unit.kind)) throw new UnitRefused('UNIT_NOT_DISABLEABLE', '只能停用村（社区）或工作人员');
    if (!!unit.disabled_at === disabled) return;
    const at = new Date().toISOString();
    await updateUnit(tx, id, { disabled_at: disabled ? at : null });
    if (disabled) await bumpSessionEpochOfUnit(tx, id);
    await appendAudit(tx, { at, actor: by, action: disabled ? 'unit.disable' : 'unit.enable', subject: id, detail: null, unit_id: id });
  });
}

export interface UnitNode { unit: UnitRow; kindName: string; depth: number; parentName: string; }

/** The tree in reading order (township → village → staff), each unit with its depth; units whose parent is unknown come last at the top. */
export async function unitTree(db: Tx): Promise<UnitNode[]> {
  return treeOrder(await listUnits(db));
}

/** Units in the order of their tree (each under its parent, by id), with their depth; those whose parent is not among them at the top. */
function treeOrder(units: UnitRow[]): UnitNode[] {
  const byId = new Map(units.map((u) => [u.id, u]));
  const children = new Map<string | null, UnitRow[]>();
  for (const u of units) {
    const key = u.parent_id && byId.has(u.parent_id) ? u.parent_id : null;
    const list = children.get(key) ?? [];
    list.push(u);
    children.set(key, list);
  }
  const out: UnitNode[] = [];
  const seen = new Set<string>();
  const walk = (parent: string | null, depth: number) => {
    for (const u of children.get(parent) ?? []) {
      if (seen.has(u.id)) continue;
      seen.add(u.id);
      out.push({ unit: u, kindName: UNIT_KINDS[u.kind] ?? u.kind, depth, parentName: u.parent_id ? byId.get(u.parent_id)?.name ?? '' : '' });
      walk(u.id, depth + 1);
    }
  };
  walk(null, 0);
  return out;
}

/** The kinds a unit may sit under: every kind but a staff member. */
const PARENT_KINDS = Object.keys(UNIT_KINDS).filter((k) => !LEAVES.has(k));

/**
 * The units a form offers as a parent, in tree order with their depth (not `except`, the unit being moved); undefined
 * where there are more than MOST_CHOICES, and the parent is typed instead (its name or id).
 */
export async function parentChoices(db: Tx, except?: string): Promise<UnitNode[] | undefined> {
  const units = await unitsUpTo(db, MOST_CHOICES, { kinds: PARENT_KINDS });
  return units && treeOrder(units).filter((n) => n.unit.id !== except);
}

/** Units a page of the unit list shows. */
export const UNITS_PAGE = 100;

export interface UnitLine { unit: UnitRow; kindName: string; parentName: string; children: number }

/**
 * The unit list as the 单位 page shows it. A record of at most MOST_CHOICES units is one tree (`tree`). A larger one (a
 * province's 100,000 villages) is walked a level at a time: the units directly under one (`under`; the top when
 * none), with the path to it and how many units each has under it; or those whose name or id holds `q`. A page of
 * UNITS_PAGE either way.
 */
export type UnitBrowse =
  | { tree: UnitNode[] }
  | { under: UnitRow | null; path: UnitRow[]; lines: UnitLine[]; total: number }
  | { q: string; lines: UnitLine[]; total: number };

export async function browseUnits(db: Tx, ask: { under?: string; q?: string; page: number }): Promise<UnitBrowse | undefined> {
  const offset = (ask.page - 1) * UNITS_PAGE;
  if (ask.q) {
    const { rows, total } = await unitSearchPage(db, ask.q, UNITS_PAGE, offset);
    return { q: ask.q, lines: await linesOf(db, rows), total };
  }
  if (ask.under === undefined) {
    const all = await unitsUpTo(db, MOST_CHOICES);
    if (all) return { tree: treeOrder(all) };
  }
  const under = ask.under === undefined ? null : await getUnit(db, ask.under);
  if (under === undefined) return undefined;
  const path = under ? (await unitsWithAncestors(db, [under.id])) : [];
  const { rows, total } = await childrenPage(db, under?.id ?? null, UNITS_PAGE, offset);
  return { under, path: pathDown(path, under), lines: await linesOf(db, rows), total };
}

/** From the top down to `unit`, by its parents (a loop already in the record ends the path). */
function pathDown(units: UnitRow[], unit: UnitRow | null): UnitRow[] {
  const byId = new Map(units.map((u) => [u.id, u]));
  const out: UnitRow[] = [];
  for (let at = unit; at && !out.includes(at); at = at.parent_id ? byId.get(at.parent_id) ?? null : null) out.unshift(at);
  return out;
}

async function linesOf(db: Tx, rows: UnitRow[]): Promise<UnitLine[]> {
  const [counts, names] = await Promise.all([childCounts(db, rows.map((u) => u.id)), unitNames(db, rows.map((u) => u.parent_id))]);
  return rows.map((u) => ({ unit: u, kindName: UNIT_KINDS[u.kind] ?? u.kind, parentName: u.parent_id ? names.get(u.parent_id) ?? '' : '', children: counts.get(u.id) ?? 0 }));
}
