import type { DataProblem } from '../engine/index.js';
import type { UnitRow } from '../db/queries/units.js';
import { checkedUnitName, leafRefused, levelRefused, UnitRefused, UNIT_KINDS } from './unit-records.js';

/**
 * What a file of figures (an import, a filled-in template) may do to the unit tree: add units of
 * the file's own kind and give a unit a new name or parent, under the rules the 单位 page keeps
 * (unit-records.ts) — a name without control, invisible or direction marks, told apart from its
 * siblings'; a parent that is no staff member and of a level above the unit. A row that names a
 * unit of another kind (the township in a villages' file) is refused: its figures would be
 * another assessment's, and the row would rename and move it. Only what the file changes is
 * judged: a unit the file leaves as the record has it is never refused for how the record is.
 */

/** A unit as a file's row leaves it: its name and parent after the import (the record's where the file gives none). */
export interface UnitAsFiled { id: string; name: string; parent: string | null; row: number }

export interface FileColumns { file: string; hasName: boolean; hasParent: boolean }

/**
 * Every problem of the units a file would add or change, each at its row and column. `record`:
 * every unit the record has (of every kind). A parent the record does not have is taken as the file
 * gives it, as it always was: a file names its townships by their codes before (or without) anyone
 * adding them on the 单位 page, and the tree shows such units at its top.
 */
export function unitChangeProblems(kind: string, filed: UnitAsFiled[], record: UnitRow[], columns: FileColumns): DataProblem[] {
  const problems: DataProblem[] = [];
  const at = (u: UnitAsFiled, column: string, e: { code: string; message: string }) =>
    problems.push({ code: e.code, message: e.message, file: columns.file, row: u.row, column });
  const byId = new Map(record.map((u) => [u.id, u]));
  const inFile = new Map(filed.map((u) => [u.id, u]));
  // Each (parent, name) after the import, and the units that would hold it.
  const holders = new Map<string, string[]>();
  const key = (parent: string | null, name: string) => `${parent ?? ''}\u0000${name}`;
  const hold = (k: string, id: string) => { const ids = holders.get(k); if (ids) ids.push(id); else holders.set(k, [id]); };
  for (const u of record) if (!inFile.has(u.id)) hold(key(u.parent_id, u.name), u.id);
  for (const u of filed) hold(key(u.parent, u.name), u.id);

  for (const u of filed) {
    const was = byId.get(u.id);
    if (was && was.kind !== kind) {
      at(u, 'id', { code: 'UNIT_KIND_MISMATCH', message: `单位编号 “${u.id}” 是${UNIT_KINDS[was.kind] ?? was.kind}“${was.name}”，不是${UNIT_KINDS[kind] ?? kind}：本文件只能填写${UNIT_KINDS[kind] ?? kind}的数据` });
      continue;
    }
    const renamed = !was || was.name !== u.name;
    const moved = !was || (was.parent_id ?? null) !== u.parent;
    if (renamed && columns.hasName) {
      try { checkedUnitName(u.name); } catch (e) { if (e instanceof UnitRefused) at(u, 'name', e); else throw e; }
    }
    if (moved && u.parent !== null) {
      const parent = byId.get(u.parent) ?? (inFile.has(u.parent) ? { kind, name: inFile.get(u.parent)!.name } : undefined);
      if (u.parent === u.id) at(u, 'parent', { code: 'UNIT_CYCLE', message: `单位 “${u.name}” 不能是它自己的上级单位` });
      else if (parent) {
        const refused = leafRefused(parent) ?? levelRefused(kind, parent);
        if (refused) at(u, 'parent', refused);
      }
    }
    if (renamed || moved) {
      const twins = holders.get(key(u.parent, u.name))!.filter((id) => id !== u.id);
      if (twins.length > 0) {
        const twin = byId.get(twins[0]) ?? inFile.get(twins[0])!;
        const where = inFile.has(twin.id) ? `（本文件第${inFile.get(twin.id)!.row}行）` : `（编号 ${twin.id}）`;
        at(u, columns.hasName ? 'name' : 'id', { code: 'UNIT_NAME_TAKEN', message: `同一上级单位下已有名为“${u.name}”的单位${where}` });
      }
    }
  }
  return problems;
}
