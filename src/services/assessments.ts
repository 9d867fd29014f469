import { isTransaction, type Db, type Tx } from '../db/connection.js';
import { listAssessmentRows, insertAssessment, updateAssessment, type AssessmentRow } from '../db/queries/assessments.js';
import { appendAudit } from '../db/queries/audit.js';
import { table } from '../engine/own.js';
import { loadRuleLibrary } from '../io/rule-library.js';
import type { RuleFile } from '../io/rule-file.js';
import { perDatabase } from './per-database.js';
import { UNFIT_MARK } from '../io/text.js';

/**
 * The assessments (考核) a township runs in a period — 村级千分考核, the 专项考核 of 党建 and
 * 安全生产, the 综合考核 that combines them, 双线考核（工作人员）— each scored by a rule set
 * and appraising one kind of unit. They are data (the `assessments` table, migration 0004):
 * the admin adds, renames, reorders and disables them. Inputs, snapshots and runs name
 * their assessment by id (in their `track` column). An id that is no assessment is no
 * assessment, whatever it is called (`constructor` included).
 *
 * The list is read once per database and kept until it changes here; a change made by
 * another process (none of the command line's commands makes one) shows after a restart.
 */

export type { AssessmentRow };
export type UnitKind = AssessmentRow['unit_kind'];

export class AssessmentRefused extends Error {
  constructor(readonly code: string, message: string) { super(message); }
}

/** The kinds of unit an assessment appraises, as a township says them. */
export const UNIT_KIND_TITLES: Readonly<Record<UnitKind, string>> = table({ village: '村（社区）', staff: '工作人员' }) as Record<UnitKind, string>;
/** How an assessment's units are counted: 18个 villages, 26人 staff. */
const COUNT_NOUNS: Readonly<Record<string, string>> = table({ village: '个', staff: '人' });

export const ASSESSMENT_TITLE_MAX_CHARS = 40;

const remembered = perDatabase(() => ({ rows: undefined as AssessmentRow[] | undefined }));

/** Every assessment, disabled ones included, in the township's order. */
export async function allAssessments(db: Tx): Promise<AssessmentRow[]> {
  const memory = remembered(db);
  if (memory.rows) return memory.rows;
  const rows = await listAssessmentRows(db);
  // What a transaction reads may yet be rolled back: not kept.
  if (!isTransaction(db)) memory.rows = rows;
  return rows;
}

/** The assessments in use (not disabled), in order: what navigation, forms and home pages list. */
export async function listAssessments(db: Tx): Promise<AssessmentRow[]> {
  return (await allAssessments(db)).filter((a) => !a.disabled_at);
}

/** An assessment by id, disabled or not; undefined for an id that is none. */
export async function getAssessment(db: Tx, id: string): Promise<AssessmentRow | undefined> {
  return (await allAssessments(db)).find((a) => a.id === id);
}

/** Whether `id` is an assessment in use: what a form may post. */
export async function isAssessment(db: Tx, id: unknown): Promise<boolean> {
  return typeof id === 'string' && (await listAssessments(db)).some((a) => a.id === id);
}

/** Titles by id, disabled assessments included (a run of one keeps its title), for pages that word many rows at once. */
export async function assessmentTitles(db: Tx): Promise<Map<string, string>> {
  return new Map((await allAssessments(db)).map((a) => [a.id, a.title]));
}

/** An assessment's title; undefined for an id that is none (a statistics report's subject). */
export async function assessmentTitle(db: Tx, id: string): Promise<string | undefined> {
  return (await getAssessment(db, id))?.title;
}

/** The kind of unit an assessment appraises (village for an id that is none, as the product always assumed). */
export async function unitKindOf(db: Tx, id: string): Promise<UnitKind> {
  return (await getAssessment(db, id))?.unit_kind ?? 'village';
}

/** The rule set an assessment is scored with unless another is named. */
export async function defaultRuleSet(db: Tx, id: string): Promise<string | undefined> {
  return (await getAssessment(db, id))?.ruleset_id;
}

/** How many units, counted as their kind is: 18个, 26人. */
export const countOfKind = (unitKind: string, n: number): string => `${n}${COUNT_NOUNS[unitKind] ?? '个'}`;

/** How many units of an assessment: 18个 villages, 26人 staff. */
export async function countOf(db: Tx, id: string, n: number): Promise<string> {
  return countOfKind(await unitKindOf(db, id), n);
}

/** The assessments in use as a form offers them. */
export async function assessmentOptions(db: Tx, selected?: string): Promise<Array<{ id: string; name: string; selected: boolean }>> {
  return (await listAssessments(db)).map((a) => ({ id: a.id, name: a.title, selected: a.id === selected }));
}

/**
 * The assessment scored by a rule set: the one in use, first in order, whose rule set it
 * is (`"ruleset": "village-fp"` of a version-2 source names its assessment this way). For
 * the version-1 link `village` — the id of the assessment it always meant — that assessment.
 */
export async function assessmentOfRuleSet(db: Tx, rulesetId: string): Promise<AssessmentRow | undefined> {
  const all = await allAssessments(db);
  return all.find((a) => !a.disabled_at && a.ruleset_id === rulesetId) ?? all.find((a) => a.ruleset_id === rulesetId)
    ?? all.find((a) => a.id === rulesetId);
}

// ── The rule sets an assessment may be scored with ──────────────────────────────────────

let library: Map<string, RuleFile> | undefined;

/** The shipped rule sets (rules/*.json) that appraise this kind of unit, by title. */
export function ruleSetChoices(unitKind: string): Array<{ id: string; title: string }> {
  library ??= loadRuleLibrary();
  return [...library.values()].filter((r) => r.ruleset.subject === unitKind)
    .map((r) => ({ id: r.ruleset.id, title: r.ruleset.title })).sort((a, b) => a.title.localeCompare(b.title, 'zh-CN'));
}

// ── Changes (管理员) ─────────────────────────────────────────────────────────────────────


/** A title as it may be stored: trimmed, 1 to 40 characters, nothing invisible, none another assessment has. */
export function checkedTitle(title: unknown): string {
  const trimmed = typeof title === 'string' ? title.trim() : '';
  if (trimmed === '') throw new AssessmentRefused('ASSESSMENT_TITLE_EMPTY', '请填写考核名称');
  if ([...trimmed].length > ASSESSMENT_TITLE_MAX_CHARS) throw new AssessmentRefused('ASSESSMENT_TITLE_TOO_LONG', `考核名称超过 ${ASSESSMENT_TITLE_MAX_CHARS} 个字，请改短`);
  if (UNFIT_MARK.test(trimmed)) throw new AssessmentRefused('ASSESSMENT_TITLE_INVALID', '考核名称含有换行、制表符、看不见的字符或改变文字方向的控制字符，请删去');
  return trimmed;
}

function checkTitleFree(all: AssessmentRow[], title: string, self?: string): void {
  const twin = all.find((a) => a.title === title && a.id !== self);
  if (twin) throw new AssessmentRefused('ASSESSMENT_TITLE_TAKEN', `已有名为“${title}”的考核${twin.disabled_at ? '（已停用）' : ''}，请换一个名称`);
}

/** Runs a change in a transaction and forgets the list kept, whether it was made or not. */
async function changing<T>(db: Db, work: (tx: Tx, all: AssessmentRow[]) => Promise<T>): Promise<T> {
  try {
    return await db.transaction(async (tx) => work(tx, await listAssessmentRows(tx)));
  } finally {
    remembered(db).rows = undefined;
  }
}

function found(all: AssessmentRow[], id: string): AssessmentRow {
  const a = all.find((x) => x.id === id);
  if (!a) throw new AssessmentRefused('ASSESSMENT_NOT_FOUND', '没有这项考核');
  return a;
}

export interface NewAssessment { title: string; unitKind: string; rulesetId: string; }

/** Adds an assessment at the end of the list; its id is made here (a1, a2 …): nobody types or reads it. */
export async function addAssessment(db: Db, input: NewAssessment, by: string): Promise<AssessmentRow> {
  const title = checkedTitle(input.title);
  if (!Object.hasOwn(UNIT_KIND_TITLES, input.unitKind)) throw new AssessmentRefused('ASSESSMENT_KIND_INVALID', '请选择考核对象：村（社区）或工作人员');
  const unitKind = input.unitKind as UnitKind;
  const rule = ruleSetChoices(unitKind).find((r) => r.id === input.rulesetId);
  if (!rule) throw new AssessmentRefused('ASSESSMENT_RULESET_INVALID', `请从列表中选择${UNIT_KIND_TITLES[unitKind]}的考核细则`);
  return changing(db, async (tx, all) => {
    checkTitleFree(all, title);
    const taken = new Set(all.map((a) => a.id));
    let n = all.length + 1;
    while (taken.has(`a${n}`)) n += 1;
    const row: AssessmentRow = {
      id: `a${n}`, title, unit_kind: unitKind, ruleset_id: rule.id, position: Math.max(0, ...all.map((a) => a.position)) + 1, disabled_at: null,
    };
    await insertAssessment(tx, row);
    await appendAudit(tx, { at: new Date().toISOString(), actor: by, action: 'assessment.add', subject: row.id, detail: JSON.stringify({ title, unitKind, ruleset: rule.id }) });
    return row;
  });
}

/** Renames an assessment; its runs keep their results, and read the new title. */
export async function renameAssessment(db: Db, id: string, title: string, by: string): Promise<void> {
  const next = checkedTitle(title);
  await changing(db, async (tx, all) => {
    const a = found(all, id);
    if (a.title === next) return;
    checkTitleFree(all, next, id);
    await updateAssessment(tx, id, { title: next });
    await appendAudit(tx, { at: new Date().toISOString(), actor: by, action: 'assessment.rename', subject: id, detail: JSON.stringify({ from: a.title, to: next }) });
  });
}

/** Moves an assessment one place up (-1) or down (+1) in the list; at either end it stays. */
export async function moveAssessment(db: Db, id: string, step: -1 | 1, by: string): Promise<void> {
  await changing(db, async (tx, all) => {
    const k = all.indexOf(found(all, id));
    const other = all[k + step];
    if (!other) return;
    // Positions renumbered 1…n in the new order, so two equal positions never leave the order to chance.
    const order = [...all];
    [order[k], order[k + step]] = [order[k + step]!, order[k]!];
    for (const [i, a] of order.entries()) if (a.position !== i + 1) await updateAssessment(tx, a.id, { position: i + 1 });
    await appendAudit(tx, { at: new Date().toISOString(), actor: by, action: 'assessment.move', subject: id, detail: JSON.stringify({ title: all[k]!.title, to: k + step + 1 }) });
  });
}

/** Disables (or enables) an assessment: no longer offered for entry or new runs; its runs and results stay. */
export async function setAssessmentDisabled(db: Db, id: string, disabled: boolean, by: string): Promise<void> {
  await changing(db, async (tx, all) => {
    const a = found(all, id);
    if (!!a.disabled_at === disabled) return;
    if (disabled && all.filter((x) => !x.disabled_at).length === 1) throw new AssessmentRefused('ASSESSMENT_LAST', '至少要保留一项考核');
    const at = new Date().toISOString();
    await updateAssessment(tx, id, { disabled_at: disabled ? at : null });
    await appendAudit(tx, { at, actor: by, action: disabled ? 'assessment.disable' : 'assessment.enable', subject: id, detail: JSON.stringify({ title: a.title }) });
  });
}
