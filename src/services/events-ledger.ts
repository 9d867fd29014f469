import { type Db, type Tx, inTransaction } from '../db/connection.js';
import { appendAudit } from '../db/queries/audit.js';
import { changeEvent, eventsOf, filesOfEvents, getEvent, insertEvent, insertEventFile, withdrawEvent, type EventRow } from '../db/queries/events.js';
import { createHash } from 'node:crypto';
import { checkEvidence, EVIDENCE_MAX_FILES, EvidenceRefused, type Evidence, type EvidenceUpload } from '../io/evidence.js';
import { ensurePeriod, getPeriod } from '../db/queries/periods.js';
import { getUnit, listEnabledUnits, unitsByIds, unitsUpTo, type UnitRow } from '../db/queries/units.js';
import { MOST_CHOICES, unitTyped } from './choices.js';
import type { CompiledInput } from '../engine/compiled.js';
import type { CompiledRuleSet } from '../engine/index.js';
import { own } from '../engine/own.js';
import { parsePeriod, periodDays, PeriodInvalid, type PeriodSpec } from './period.js';
import { dateInWords, isDate, today } from './review-period.js';
import { compiledVersion, resolveRuleVersion, RuleVersionNotFound } from './rule-versions.js';
import { listAssessments } from './assessments.js';

/**
 * The events ledger (事件台账, RULES.md §7.6): the incidents a township records against a village or a
 * staff member in a period (督查发现的问题、安全事故、信访案件), each under an events input of the rule
 * set the unit's assessment is scored with, by a level or by points. Added, changed and withdrawn
 * (撤回) by the township, each change in the audit log; never deleted. A run reads the standing events
 * of its period (runs.ts pins them in its snapshot); a withdrawn one is not scored.
 */

/** The longest note an event carries (说明). */
export const NOTE_MAX = 200;

/** An events input of the period's rule sets, with the kind of unit it is recorded against. */
export interface LedgerInput {
  /** The input's name in its rule set (what the ledger stores). */
  name: string;
  label: string;
  /** What the events are counted in (起), as the rule set says; their points are always 分. */
  unit?: string;
  /** Villages or staff: the rule set's subject. */
  subject: string;
  levels: Array<{ name: string; points: number }>;
  range?: readonly [number, number];
  rulesetTitle: string;
}

/** A field of an event: as a form names it, and as an imported sheet heads it. */
export const EVENT_COLUMNS = { unit: '单位', input: '台账', level: '等级', points: '分值', date: '日期', note: '说明' } as const;
export type EventField = keyof typeof EVENT_COLUMNS;

/** A problem at a field of the form; `files` for the files sent with it (佐证材料), which no sheet has a column for. */
export interface EventProblem { field: EventField | 'files'; code: string; message: string; }

/** An event refused: each problem at its field, in words. */
export class EventRefused extends Error {
  readonly code = 'EVENT_REFUSED';
  constructor(readonly problems: EventProblem[]) { super(problems.map((p) => `${p.field === 'files' ? '材料' : EVENT_COLUMNS[p.field]}：${p.message}`).join('；')); }
}

/**
 * The rule sets the period's assessments are scored with: the default rule set (its newest stored
 * version) of each assessment that is not disabled, each once.
 */
export async function periodRuleSets(db: Tx, _periodId: string, by: string): Promise<CompiledRuleSet[]> {
  const out = new Map<string, CompiledRuleSet>();
  for (const assessment of await listAssessments(db)) {
    try {
      const rs = (await compiledVersion(db, await resolveRuleVersion(db, undefined, assessment.id, by))).ruleset;
      if (!out.has(rs.id)) out.set(rs.id, rs);
    } catch (e) {
      if (!(e instanceof RuleVersionNotFound)) throw e;
    }
  }
  return [...out.values()];
}

const asLedgerInput = (rs: CompiledRuleSet, i: CompiledInput): LedgerInput => ({
  name: i.name, label: i.label, unit: i.unit, subject: rs.subject, rulesetTitle: rs.title,
  levels: Object.entries(i.levels ?? {}).map(([name, points]) => ({ name, points })), range: i.range,
});

/** The events inputs of a period: those of the rule sets its assessments are scored with, in their order, each name of a kind of unit once. */
export async function ledgerInputs(db: Tx, periodId: string, by: string): Promise<LedgerInput[]> {
  const all = (await periodRuleSets(db, periodId, by)).flatMap((rs) => rs.inputs.filter((i) => i.type === 'events').map((i) => asLedgerInput(rs, i)));
  // One ledger per name and kind of unit: two rule sets reading 安全生产事故 of the villages read the same events.
  return all.filter((i, k) => all.findIndex((j) => j.subject === i.subject && j.name === i.name) === k);
}

/** What the ledger's pages know of units: the period's events inputs, the units to choose from, and the units they name. */
export interface LedgerUnits {
  inputs: LedgerInput[];
  /** The enabled units of the ledger's kinds, to choose from; undefined where there are more than MOST_CHOICES (one is typed then). */
  units: UnitRow[] | undefined;
  /** The units the page names (those listed, their parents, those of the events shown), by id. */
  known: Map<string, UnitRow>;
}

export async function ledgerUnits(db: Tx, periodId: string, by: string): Promise<LedgerUnits> {
  const inputs = await ledgerInputs(db, periodId, by);
  const units = await unitsUpTo(db, MOST_CHOICES, { kinds: [...new Set(inputs.map((i) => i.subject))], enabled: true });
  return { inputs, units, known: new Map((await unitsByIds(db, (units ?? []).flatMap((u) => [u.id, u.parent_id]))).map((u) => [u.id, u])) };
}

/** The unit a filter names (chosen, or typed by name or number where there is no list): one enabled unit of the ledger's kinds, else none. */
export async function filterUnit(db: Tx, d: LedgerUnits, asked: string | undefined): Promise<string | undefined> {
  if (!asked) return undefined;
  if (d.units) return d.units.some((u) => u.id === asked) ? asked : undefined;
  const meant = await unitTyped(db, asked, (u) => !u.disabled_at && d.inputs.some((i) => i.subject === u.kind));
  if (!('unit' in meant)) return undefined;
  d.known.set(meant.unit.id, meant.unit);
  return meant.unit.id;
}

/** Adds to what a page knows the units of these events. */
export async function knowUnitsOf(db: Tx, d: LedgerUnits, events: EventRow[]): Promise<void> {
  for (const u of await unitsByIds(db, events.map((e) => e.unit_id).filter((id) => !d.known.has(id)))) d.known.set(u.id, u);
}

/** The events input a unit of this kind records under this name (or label, as a sheet heads it). */
export function inputFor(inputs: readonly LedgerInput[], subject: string, nameOrLabel: string): LedgerInput | undefined {
  const of = inputs.filter((i) => i.subject === subject);
  return of.find((i) => i.name === nameOrLabel) ?? of.find((i) => i.label === nameOrLabel);
}

/** What an event's points are as a township writes them: the level's (较大，10分) or the figure given (3分). */
export function eventPoints(input: LedgerInput | undefined, e: Pick<EventRow, 'level' | 'points'>): number | undefined {
  if (e.level !== null) return input?.levels.find((l) => l.name === e.level)?.points;
  return e.points ?? undefined;
}

/** What an events input allows, in words: 一般5分、较大10分；或每起2～5分. */
export function allowedText(input: LedgerInput): string {
  const unit = '分'; // an events input's own unit counts the events (起); its points are points
  const levels = input.levels.map((l) => `${l.name}${l.points}${unit}`).join('、');
  const range = input.range ? `每起${input.range[0]}～${input.range[1]}${unit}` : '';
  return [levels && `按等级：${levels}`, range && `或按分值：${range}`].filter(Boolean).join('；').replace(/^或/, '');
}

// ---- checking an event as the township gives it: from a form or a row of a sheet ----

/** Characters that reorder or hide text (RTL and other bidirectional marks, zero-width ones) and control characters. */
const HIDDEN = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u061c\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff]/u;

/** A decimal as a township writes points (3, 2.5): no exponent, no sign, at most 4 decimals. */
const POINTS_TEXT = /^\d{1,6}(\.\d{1,4})?$/;

export interface EventFields { unit?: unknown; input?: unknown; level?: unknown; points?: unknown; date?: unknown; note?: unknown; }

export interface CheckedEvent { unit: UnitRow; input: LedgerInput; level: string | null; points: number | null; date: string; note: string; }

const textOf = (v: unknown): string => (v === undefined || v === null ? '' : typeof v === 'string' ? v.trim() : typeof v === 'number' || typeof v === 'boolean' ? String(v) : '\u0000');
const shown = (s: string, n = 30) => ([...s].length > n ? `${[...s].slice(0, n).join('')}…` : s);

/**
 * The units an event may name, by id and by name (a name two units share names neither: the id must
 * be given then). Only units of a kind that has an events input, and not disabled.
 */
export interface UnitIndex { byId: Map<string, UnitRow>; byName: Map<string, UnitRow | null>; }

export async function unitIndex(db: Tx, inputs: readonly LedgerInput[]): Promise<UnitIndex> {
  const kinds = new Set(inputs.map((i) => i.subject));
  const byId = new Map<string, UnitRow>(), byName = new Map<string, UnitRow | null>();
  for (const kind of kinds) {
    for (const u of await listEnabledUnits(db, kind)) {
      byId.set(u.id, u);
      byName.set(u.name, byName.has(u.name) ? null : u);
    }
  }
  return { byId, byName };
}

/**
 * An event checked against the period's events inputs: the unit (by id, or by name where the name is
 * one unit's), an events input of its kind, exactly one of a level (one of the input's) or points
 * (within its range, and only where it has one), a real date not after today (北京时间), a note of at
 * most 200 characters with no hidden marks. Every problem at once; the event when there is none.
 */
export function checkEvent(fields: EventFields, inputs: readonly LedgerInput[], units: UnitIndex, period: PeriodSpec, now = today()): { event?: CheckedEvent; problems: Array<EventProblem & { field: EventField }> } {
  const problems: Array<EventProblem & { field: EventField }> = [];
  const bad = (field: EventField, code: string, message: string) => problems.push({ field, code, message });
  const unitText = textOf(fields.unit).replace(/^'+(?=[=+\-@])/, '');
  let unit: UnitRow | undefined;
  if (unitText === '') bad('unit', 'EVENT_UNIT_MISSING', '请选择或填写单位');
  else if (HIDDEN.test(unitText) || [...unitText].length > 100) bad('unit', 'EVENT_UNIT_UNKNOWN', '单位名称无效');
  else {
    const named = units.byName.get(unitText);
    unit = units.byId.get(unitText) ?? named ?? undefined;
    if (!unit) bad('unit', named === null ? 'EVENT_UNIT_AMBIGUOUS' : 'EVENT_UNIT_UNKNOWN', named === null
      ? `有多个单位名为“${shown(unitText)}”，请填写单位编号`
      : `没有名为“${shown(unitText)}”的村或工作人员（或该单位已停用，或其考核没有事件台账）`);
  }
  const inputText = textOf(fields.input);
  let input: LedgerInput | undefined;
  if (inputText === '') bad('input', 'EVENT_INPUT_MISSING', '请选择台账');
  else if (unit) {
    input = inputFor(inputs, unit.kind, inputText);
    if (!input) bad('input', 'EVENT_INPUT_UNKNOWN', `“${shown(unit.name)}”的考核细则中没有“${shown(inputText)}”这一事件台账`);
  } else if (!inputs.some((i) => i.name === inputText || i.label === inputText)) {
    bad('input', 'EVENT_INPUT_UNKNOWN', `考核细则中没有“${shown(inputText)}”这一事件台账`);
  }
  const level = textOf(fields.level), pointsText = textOf(fields.points);
  let points: number | null = null;
  if (level !== '' && pointsText !== '') bad('points', 'EVENT_LEVEL_AND_POINTS', '等级和分值只能填一项');
  else if (level === '' && pointsText === '') bad('level', 'EVENT_NO_LEVEL_OR_POINTS', '请填等级或分值（二者填一项）');
  else if (input && level !== '') {
    if (!input.levels.some((l) => l.name === level)) {
      bad('level', 'EVENT_UNKNOWN_LEVEL', input.levels.length
        ? `等级应为${input.levels.map((l) => l.name).join('、')}之一，而不是“${shown(level, 20)}”`
        : `“${input.label}”不分等级，请填分值（${allowedText(input)}）`);
    }
  } else if (input && pointsText !== '') {
    if (!input.range) bad('points', 'EVENT_POINTS_NOT_ALLOWED', `“${input.label}”按等级记，不能填分值（${allowedText(input)}）`);
    else if (!POINTS_TEXT.test(pointsText)) bad('points', 'EVENT_POINTS_NOT_A_NUMBER', `分值应为数字（如 3 或 2.5），而不是“${shown(pointsText, 20)}”`);
    else {
      points = Number(pointsText);
      const [lo, hi] = input.range;
      if (points < lo || points > hi) bad('points', 'EVENT_POINTS_OUT_OF_RANGE', `分值应在 ${lo}～${hi} 之间，而不是 ${pointsText}`);
    }
  }
  const date = textOf(fields.date).replace(/^(\d{4})[/.](\d{1,2})[/.](\d{1,2})$/, (_, y, m, d) => `${y}-${m.padStart(2, '0')}-${d.padStart(2, '0')}`);
  if (date === '') bad('date', 'EVENT_DATE_MISSING', '请填写发生日期');
  else if (!isDate(date)) bad('date', 'EVENT_DATE_INVALID', `日期应为“年-月-日”（如 2024-05-03）的真实日期，而不是“${shown(date, 20)}”`);
  else if (date > now) bad('date', 'EVENT_DATE_FUTURE', `发生日期不能晚于今天（${now}）`);
  else {
    // An incident counts in the period it happened in: one of 1900, or of last year, is no incident of 2024's.
    const days = periodDays(period.id)!;
    if (date < days.first || date > days.last) bad('date', 'EVENT_DATE_OUTSIDE_PERIOD', `发生日期应在${period.title}之内（${days.first}至${days.last}）`);
  }
  const note = textOf(fields.note);
  if (note === '\u0000' || HIDDEN.test(note)) bad('note', 'EVENT_NOTE_HIDDEN', '说明中含有控制字符或改变文字方向的隐藏字符，请删除后重填');
  else if ([...note].length > NOTE_MAX) bad('note', 'EVENT_NOTE_TOO_LONG', `说明最多${NOTE_MAX}个字，现有${[...note].length}个字`);
  if (problems.length || !unit || !input) return { problems };
  return { event: { unit, input, level: level || null, points, date, note }, problems };
}

// ---- the ledger of a period ----

export interface LedgerFilter { unitId?: string; input?: string; }

/** A period's events (withdrawn ones too, marked), by unit, input and date. */
export async function ledgerEvents(db: Tx, periodId: string, filter: LedgerFilter = {}): Promise<EventRow[]> {
  return eventsOf(db, periodId, filter);
}

/**
 * Events are recorded for a period the record has, or for the one going on now (a year's ledger begins in January,
 * before any figures are entered): never for a period typed into a form (9999, 1900), which would join every list of periods.
 */
export async function periodTakesEvents(db: Tx, period: PeriodSpec, now = today()): Promise<void> {
  const days = periodDays(period.id)!;
  if (days.first <= now && now <= days.last) return;
  if (await getPeriod(db, period.id)) return;
  throw new PeriodInvalid(`${period.title}不是已有的考核期，也不是当前的考核期：请从列表中选择考核期`);
}

function periodOrRefuse(periodId: string): PeriodSpec {
  return parsePeriod(periodId); // throws PeriodInvalid with its words
}

/** What an audit entry of the ledger keeps: the period, the input's label and the event as it stands, in words. */
function auditDetail(periodId: string, e: CheckedEvent, extra: Record<string, unknown> = {}): string {
  return JSON.stringify({ period: periodId, input: e.input.name, label: e.input.label, level: e.level, points: e.points, date: e.date, ...extra });
}

export interface EventRequest { periodId: string; fields: EventFields; by: string; /** Files to add to the event (照片、PDF): at most 5 an event in all. */ files?: EvidenceUpload[]; }

/** The files sent with an event, checked by their content; a problem is the form's, at `files`. */
function eventFiles(uploads: EvidenceUpload[] | undefined, already: number, problems: EventProblem[]): Evidence[] {
  if (!uploads?.length) return [];
  if (already + uploads.length > EVIDENCE_MAX_FILES) {
    problems.push({ field: 'files', code: 'EVIDENCE_TOO_MANY', message: `每起事件最多附 ${EVIDENCE_MAX_FILES} 个材料文件（已有 ${already} 个）` });
    return [];
  }
  try {
    return checkEvidence(uploads);
  } catch (e) {
    if (!(e instanceof EvidenceRefused)) throw e;
    problems.push({ field: 'files', code: e.code, message: e.message });
    return [];
  }
}

/** Stores an event's new files in the one storage, for its unit. */
async function storeEventFiles(tx: Tx, eventId: number, unitId: string, files: Evidence[], by: string, at: string): Promise<void> {
  for (const f of files) {
    await insertEventFile(tx, eventId, { sha256: createHash('sha256').update(f.content).digest('hex'), media_type: f.type, size: f.size, file_name: f.name, content: f.content, unit_id: unitId, uploaded_by: by, uploaded_at: at });
  }
}

/** Records an event (新增事件); throws EventRefused with every problem at its field. */
export async function addEvent(db: Db, req: EventRequest): Promise<number> {
  const period = periodOrRefuse(req.periodId);
  const inputs = await ledgerInputs(db, period.id, req.by);
  await periodTakesEvents(db, period);
  const { event, problems: found } = checkEvent(req.fields, inputs, await unitIndex(db, inputs), period);
  const problems: EventProblem[] = [...found];
  const files = eventFiles(req.files, 0, problems);
  if (!event || problems.length) throw new EventRefused(problems);
  const at = new Date().toISOString();
  return inTransaction(db, async (tx) => {
    await ensurePeriod(tx, period, at);
    const id = await insertEvent(tx, {
      period_id: period.id, unit_id: event.unit.id, input: event.input.name, level: event.level, points: event.points,
      happened_on: event.date, note: event.note, recorded_by: req.by, recorded_at: at,
    });
    await storeEventFiles(tx, id, event.unit.id, files, req.by, at);
    await appendAudit(tx, { at, actor: req.by, action: 'events.add', subject: `event ${id}`, unit_id: event.unit.id, detail: auditDetail(period.id, event, files.length ? { files: files.length } : {}) });
    return id;
  });
}

/** The event `id` of the period, standing (not withdrawn); else EventRefused. */
async function standing(db: Tx, periodId: string, id: number): Promise<EventRow> {
  const row = Number.isSafeInteger(id) ? await getEvent(db, id) : undefined;
  if (!row || row.period_id !== periodId) throw new EventMissing('没有这一事件');
  if (row.withdrawn_at !== null) throw new EventMissing('这一事件已撤回，不能再修改');
  return row;
}

/** An event that is not there to change (another period's, withdrawn, never recorded). */
export class EventMissing extends Error {
  readonly code = 'EVENT_MISSING';
}

/** Changes a standing event (修改事件): checked as a new one; the audit entry keeps what it was. */
export async function editEvent(db: Db, req: EventRequest & { id: number }): Promise<void> {
  const period = periodOrRefuse(req.periodId);
  const before = await standing(db, period.id, req.id);
  const inputs = await ledgerInputs(db, period.id, req.by);
  const { event, problems: found } = checkEvent(req.fields, inputs, await unitIndex(db, inputs), period);
  const problems: EventProblem[] = [...found];
  const files = eventFiles(req.files, (await filesOfEvents(db, [req.id])).length, problems);
  if (!event || problems.length) throw new EventRefused(problems);
  const at = new Date().toISOString();
  await inTransaction(db, async (tx) => {
    const changed = await changeEvent(tx, req.id, {
      unit_id: event.unit.id, input: event.input.name, level: event.level, points: event.points, happened_on: event.date, note: event.note,
      changed_by: req.by, changed_at: at,
    });
    if (!changed) throw new EventMissing('这一事件已撤回，不能再修改');
    await storeEventFiles(tx, req.id, event.unit.id, files, req.by, at);
    await appendAudit(tx, {
      at, actor: req.by, action: 'events.edit', subject: `event ${req.id}`, unit_id: event.unit.id,
      detail: auditDetail(period.id, event, { before: { unit: before.unit_id, input: before.input, level: before.level, points: before.points, date: before.happened_on, note: before.note } }),
    });
  });
}

/** Withdraws a standing event (撤回): it stays on record and is no longer scored. */
export async function withdrawLedgerEvent(db: Db, req: { periodId: string; id: number; by: string }): Promise<void> {
  const period = periodOrRefuse(req.periodId);
  const before = await standing(db, period.id, req.id);
  const inputs = await ledgerInputs(db, period.id, req.by);
  const unit = await getUnit(db, before.unit_id);
  const label = (unit && inputFor(inputs, unit.kind, before.input)?.label) ?? before.input;
  const at = new Date().toISOString();
  await inTransaction(db, async (tx) => {
    if (!(await withdrawEvent(tx, req.id, req.by, at))) throw new EventMissing('这一事件已撤回');
    await appendAudit(tx, {
      at, actor: req.by, action: 'events.withdraw', subject: `event ${req.id}`, unit_id: before.unit_id,
      detail: JSON.stringify({ period: period.id, input: before.input, label, level: before.level, points: before.points, date: before.happened_on }),
    });
  });
}

/**
 * A period's standing events as a run pins them: by unit, then by input name, each `{level|points,
 * date, note}` (RULES.md §7.6: the engine scores the level or points; the rest is kept).
 */
export async function pinnedEvents(db: Tx, periodId: string, rs: CompiledRuleSet): Promise<Map<string, Record<string, Array<Record<string, unknown>>>>> {
  const names = new Set(rs.inputs.filter((i) => i.type === 'events').map((i) => i.name));
  const out = new Map<string, Record<string, Array<Record<string, unknown>>>>();
  if (names.size === 0) return out;
  for (const e of await eventsOf(db, periodId, { withdrawn: false })) {
    if (!names.has(e.input)) continue;
    let byInput = out.get(e.unit_id);
    if (!byInput) out.set(e.unit_id, (byInput = Object.create(null) as Record<string, Array<Record<string, unknown>>>));
    (byInput[e.input] ??= []).push({ ...(e.level !== null ? { level: e.level } : { points: e.points }), date: e.happened_on, note: e.note });
  }
  return out;
}

/** An event pinned in a run, as a scorecard shows it. */
export interface PinnedEvent { level?: string; points?: number; date?: string; note?: string; }

/** The events pinned in a unit's inputs, per events input of the rule set (those it has any of). */
export function eventsInInputs(rs: CompiledRuleSet, inputs: Record<string, unknown> | undefined): Array<{ label: string; unit?: string; events: Array<{ date: string; dateWords: string; note: string; what: string }> }> {
  const out = [];
  for (const input of rs.inputs.filter((i) => i.type === 'events')) {
    const raw = inputs ? own(inputs, input.name) : undefined;
    if (!Array.isArray(raw) || raw.length === 0) continue;
    const events = (raw as PinnedEvent[]).filter((e) => e !== null && typeof e === 'object').map((e) => {
      const level = typeof e.level === 'string' ? e.level : undefined;
      const points = level !== undefined ? own(input.levels ?? {}, level) : typeof e.points === 'number' ? e.points : undefined;
      const date = typeof e.date === 'string' ? e.date : '';
      return {
        date, dateWords: isDate(date) ? dateInWords(date) : date, note: typeof e.note === 'string' ? e.note : '',
        what: `${level ?? ''}${points !== undefined ? `${level ? '，' : ''}${points}分` : ''}`,
      };
    }).sort((a, b) => a.date.localeCompare(b.date));
    out.push({ label: input.label, unit: input.unit, events });
  }
  return out;
}
