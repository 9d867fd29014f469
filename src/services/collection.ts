import { inTransaction, type Db, type Tx } from '../db/connection.js';
import { appendAudit } from '../db/queries/audit.js';
import { inputOf, upsertInputs } from '../db/queries/inputs.js';
import { ensurePeriod } from '../db/queries/periods.js';
import {
  closeWindow, filesOfReport, getReport, getReportById, getWindow, insertHistory, openWindows, insertReport, linkReportFile,
  putWindow, removeReportFile, setReopened, updateReport, windowsOf, type ReportRow, type ReportState, type WindowRow,
} from '../db/queries/reports.js';
import { insertStoredFile } from '../db/queries/files.js';
import { getUnit, type UnitRow } from '../db/queries/units.js';
import type { Role } from '../db/queries/users.js';
import type { CompiledInput } from '../engine/compiled.js';
import { checkGivenInputs, inputValue, type CompiledRuleSet } from '../engine/index.js';
import { dict, table } from '../engine/own.js';
import { checkEvidence, EVIDENCE_MAX_FILES, EvidenceRefused, type EvidenceUpload } from '../io/evidence.js';
import { withoutMarks } from '../io/text.js';
import { writtenText } from '../io/text.js';
import { sha256 } from '../io/rule-file.js';
import { listAssessments, type AssessmentRow } from './assessments.js';
import { limitsText, trackRules } from './entry.js';
import { faultPoint } from './fault.js';
import { notify } from './inbox.js';
import { newestPeriodsFirst, parsePeriod, type PeriodSpec } from './period.js';
import { dateInWords, daysBetween, isDate, today } from './review-period.js';

/**
 * Data collection (数据填报, issue 21): a leader opens an assessment's reporting for a period with a
 * deadline; each village or staff member reports the inputs its rule sets mark `"reportedBy": "unit"`
 * (RULES.md §7.11) in one report per period — a figure several assessments name is asked once and
 * counts for all of them —, saves a draft, submits; the township approves it (the values become the
 * period's inputs of every assessment that names them) or returns it with a comment on the fields
 * concerned. The process as data: its states, and each step with where it may start, where it leads,
 * who may take it and the audit entry it writes. Pages ask `reportSteps` what may be done next.
 */

export const REPORT_STATES = table<ReportState | 'none', string>({ none: '未填报', draft: '草稿', submitted: '已提交', returned: '已退回', approved: '已审核' });

export type ReportStep = 'save' | 'submit' | 'return' | 'approve';

export const REPORT_STEPS: Readonly<Record<ReportStep, { from: Array<ReportState | 'none'>; to: ReportState | 'same'; roles: Role[]; audit: string; title: string }>> = table({
  save: { from: ['none', 'draft', 'returned'], to: 'same', roles: ['village', 'staff'], audit: 'report.save', title: '保存草稿' },
  submit: { from: ['none', 'draft', 'returned'], to: 'submitted', roles: ['village', 'staff'], audit: 'report.submit', title: '提交审核' },
  return: { from: ['submitted'], to: 'returned', roles: ['leader', 'admin'], audit: 'report.return', title: '退回修改' },
  approve: { from: ['submitted'], to: 'approved', roles: ['leader', 'admin'], audit: 'report.approve', title: '审核通过' },
});

/** The steps a role may take on a report in this state (its own unit's, for a village or staff account). */
export function reportSteps(state: ReportState | 'none', role: Role): ReportStep[] {
  return (Object.keys(REPORT_STEPS) as ReportStep[]).filter((s) => REPORT_STEPS[s].from.includes(state) && REPORT_STEPS[s].roles.includes(role));
}

/** The longest value text a report keeps for one figure; the longest comment. */
export const VALUE_MAX_CHARS = 40;
export const COMMENT_MAX_CHARS = 500;
/** Files one figure may carry (as many as an appeal), and the furthest a deadline may be set ahead. */
export const FILES_PER_FIELD = EVIDENCE_MAX_FILES;
export const MAX_WINDOW_DAYS = 120;

export class ReportRefused extends Error {
  constructor(readonly code: string, message: string, readonly problems: FieldProblem[] = []) { super(message); }
}

/** A problem of one figure of a report, beside its field. */
export interface FieldProblem { field: string; code: string; message: string; }

// ---- what a unit is asked for in a period ----

/** An assessment's window as it stands for one unit: open for it until its deadline, or until the unit's own reopening. */
export interface UnitWindow {
  assessment: AssessmentRow; window: WindowRow; ruleset: CompiledRuleSet;
  /** The last day this unit may submit (the window's, or the later one the township gave it). */
  deadline: string; open: boolean; overdue: boolean;
}

/** One figure a unit reports: once however many assessments name it. */
export interface ReportField {
  name: string; label: string; unit?: string; limits: string; input: CompiledInput;
  /** The assessments that ask it (their windows), and whether any of them is still open for the unit. */
  askedBy: UnitWindow[]; open: boolean;
  evidence?: 'required' | 'optional';
}

export interface ReportPlan { period: PeriodSpec; unit: UnitRow; windows: UnitWindow[]; fields: ReportField[]; report?: ReportRow; }

/** The inputs of a rule set a unit reports itself. */
export function reportedInputs(rs: CompiledRuleSet): CompiledInput[] {
  return rs.inputs.filter((i) => i.reportedBy === 'unit' && !i.link && i.type !== 'events');
}

/** The windows of a period, not closed, of the assessments in use of a kind of unit, with their rule sets. */
export async function windowsFor(db: Tx, periodId: string, kind: string, by: string): Promise<Array<Omit<UnitWindow, 'deadline' | 'open' | 'overdue'>>> {
  const assessments = (await listAssessments(db)).filter((a) => a.unit_kind === kind);
  const windows = (await windowsOf(db, periodId)).filter((w) => w.closed_at === null);
  const out = [];
  for (const assessment of assessments) {
    const window = windows.find((w) => w.assessment_id === assessment.id);
    if (window) out.push({ assessment, window, ruleset: (await trackRules(db, assessment.id, by)).ruleset });
  }
  return out;
}

/** Whether a window is open for a unit today: its deadline not passed, or the unit's own later one. */
function windowFor(w: Omit<UnitWindow, 'deadline' | 'open' | 'overdue'>, report: ReportRow | undefined, now: string): UnitWindow {
  const reopened = report?.reopened_until ?? null;
  const deadline = reopened !== null && reopened > w.window.deadline ? reopened : w.window.deadline;
  const submitted = report?.state === 'submitted' || report?.state === 'approved';
  return { ...w, deadline, open: now <= deadline, overdue: now > deadline && !submitted };
}

/** What a unit is asked for in a period: the windows open to its kind, the figures they ask (each once), its report. */
export async function reportPlan(db: Tx, periodId: string, unit: UnitRow, by: string, now = today()): Promise<ReportPlan> {
  const period = parsePeriod(periodId);
  const report = await getReport(db, period.id, unit.id);
  const windows = (await windowsFor(db, period.id, unit.kind, by)).map((w) => windowFor(w, report, now));
  const fields = new Map<string, ReportField>();
  for (const w of windows) {
    for (const input of reportedInputs(w.ruleset)) {
      let field = fields.get(input.name);
      if (!field) fields.set(input.name, (field = { name: input.name, label: input.label, unit: input.unit, limits: limitsText(input), input, askedBy: [], open: false }));
      field.askedBy.push(w);
      field.open ||= w.open;
      if (input.evidence === 'required' || (input.evidence === 'optional' && field.evidence === undefined)) field.evidence = input.evidence;
    }
  }
  return { period, unit, windows, fields: [...fields.values()], report };
}

/** The values a report holds, as typed. */
export function reportValues(report: Pick<ReportRow, 'report_values'> | undefined): Record<string, string> {
  const out = dict<string>();
  if (!report) return out;
  const parsed = JSON.parse(report.report_values) as Record<string, unknown>;
  for (const [k, v] of Object.entries(parsed)) if (typeof v === 'string') out[k] = v;
  return out;
}

/** The township's comments on a returned report, by field ('' for the whole report). */
export function fieldNotes(report: Pick<ReportRow, 'field_notes'> | undefined): Record<string, string> {
  const out = dict<string>();
  if (!report?.field_notes) return out;
  for (const [k, v] of Object.entries(JSON.parse(report.field_notes) as Record<string, unknown>)) if (typeof v === 'string') out[k] = v;
  return out;
}

/** A figure as typed, cleaned: no hidden marks, trimmed (its length is checked where it is taken). */
function cleanValue(v: unknown): string {
  return withoutMarks(Array.isArray(v) ? v.map(String).join(',') : String(v ?? '')).trim();
}

/** A comment of the township's as kept (writtenText), or ReportRefused when it is longer than COMMENT_MAX_CHARS. */
function checkedComment(v: unknown): string {
  const text = writtenText(v);
  if ([...text].length > COMMENT_MAX_CHARS) throw new ReportRefused('TEXT_TOO_LONG', `审核意见每条不超过${COMMENT_MAX_CHARS}字（现为${[...text].length}字）`);
  return text;
}

/** The rule sets of every assessment in use of a kind of unit: all that a reported figure may count for. */
export async function kindRuleSets(db: Tx, kind: string, by: string): Promise<Array<{ assessment: AssessmentRow; ruleset: CompiledRuleSet }>> {
  const out = [];
  for (const assessment of (await listAssessments(db)).filter((a) => a.unit_kind === kind)) out.push({ assessment, ruleset: (await trackRules(db, assessment.id, by)).ruleset });
  return out;
}

/** The inputs a period's record holds for a unit, per assessment (those with none: none). */
export async function storedInputs(db: Tx, periodId: string, unitId: string, tracks: string[]): Promise<Map<string, Record<string, unknown>>> {
  const out = new Map<string, Record<string, unknown>>();
  for (const track of tracks) {
    const row = await inputOf(db, periodId, track, unitId);
    if (row) out.set(track, JSON.parse(row.input_values) as Record<string, unknown>);
  }
  return out;
}

/** A period's reporting as a unit's home shows it: where its report stands, the last day, what is still missing. */
export interface ReportingGlance {
  periodId: string; periodTitle: string; state: ReportState | 'none'; stateTitle: string;
  /** Each assessment's reporting: its last day for the unit (its own later day included) in words, days left, and whether it passed unsubmitted. */
  windows: Array<{ title: string; deadline: string; daysLeft: number; open: boolean; overdue: boolean }>;
  /** Figures asked and still blank, and figures that must carry a file and have none. */
  missing: number; missingFiles: number;
}

/** Every period with reporting open to the unit's kind, newest first. */
export async function reportingGlance(db: Tx, unit: UnitRow, by: string, now = today()): Promise<ReportingGlance[]> {
  const kinds = new Set((await listAssessments(db)).filter((a) => a.unit_kind === unit.kind).map((a) => a.id));
  const periods = newestPeriodsFirst([...new Set((await openWindows(db)).filter((w) => kinds.has(w.assessment_id)).map((w) => w.period_id))].map((id) => ({ id })));
  const out: ReportingGlance[] = [];
  for (const { id } of periods) {
    const plan = await reportPlan(db, id, unit, by, now);
    if (plan.fields.length === 0) continue;
    const values = reportValues(plan.report);
    const files = plan.report ? await filesOfReport(db, plan.report.id) : [];
    const state = plan.report?.state ?? 'none';
    const open = plan.fields.filter((f) => f.open);
    out.push({
      periodId: id, periodTitle: plan.period.title, state, stateTitle: REPORT_STATES[state],
      windows: plan.windows.map((w) => ({ title: w.assessment.title, deadline: dateInWords(w.deadline), daysLeft: daysBetween(now, w.deadline), open: w.open, overdue: w.overdue })),
      missing: state === 'submitted' || state === 'approved' ? 0 : open.filter((f) => (values[f.name] ?? '') === '' && f.input.default === undefined).length,
      missingFiles: state === 'submitted' || state === 'approved' ? 0 : open.filter((f) => f.evidence === 'required' && !files.some((x) => x.input_name === f.name)).length,
    });
  }
  return out;
}

// ---- the township opens and closes a window ----

export interface OpenWindowRequest { periodId: string; assessmentId: string; deadline: string; by: string; now?: string; }

/** Opens (or opens again, with a new deadline) an assessment's reporting for a period, and tells its units. */
export async function openReporting(db: Db, req: OpenWindowRequest): Promise<WindowRow> {
  const period = parsePeriod(req.periodId);
  const now = req.now ?? today();
  const assessment = (await listAssessments(db)).find((a) => a.id === req.assessmentId);
  if (!assessment) throw new ReportRefused('ASSESSMENT_NOT_FOUND', '没有这项考核，或该考核已停用');
  const { ruleset } = await trackRules(db, assessment.id, req.by);
  if (reportedInputs(ruleset).length === 0) throw new ReportRefused('NOTHING_TO_REPORT', `“${assessment.title}”的细则中没有由${assessment.unit_kind === 'staff' ? '工作人员' : '村'}自行填报的指标`);
  const deadline = String(req.deadline ?? '').trim();
  if (!isDate(deadline)) throw new ReportRefused('DEADLINE_INVALID', `截止日期应为真实的日期（如 ${now}），而不是“${[...deadline].slice(0, 20).join('')}”`);
  if (deadline < now) throw new ReportRefused('DEADLINE_PAST', `截止日期不能早于今天（${dateInWords(now)}）`);
  if (daysBetween(now, deadline) > MAX_WINDOW_DAYS) throw new ReportRefused('DEADLINE_TOO_FAR', `截止日期最晚为今天起${MAX_WINDOW_DAYS}天内`);
  const at = new Date().toISOString();
  const row = { period_id: period.id, assessment_id: assessment.id, deadline, opened_by: req.by, opened_at: at };
  await inTransaction(db, async (tx) => {
    await ensurePeriod(tx, period, at);
    await putWindow(tx, row);
    await appendAudit(tx, { at, actor: req.by, action: 'collection.open', subject: `${period.id}/${assessment.id}`, detail: JSON.stringify({ deadline }) });
    await notify(tx, { roles: [assessment.unit_kind] }, {
      kind: 'collection.opened', title: `${period.title}${assessment.title}数据填报已开始，请于${dateInWords(deadline)}前填报提交`,
      link: `/reporting/${period.id}`, dedupe: `collection.opened:${period.id}:${assessment.id}:${deadline}`,
    });
  });
  return { ...row, closed_by: null, closed_at: null };
}

/** Closes a window: its figures are no longer asked of anyone (what was reported stays). */
export async function closeReporting(db: Db, req: { periodId: string; assessmentId: string; by: string }): Promise<void> {
  const period = parsePeriod(req.periodId);
  const at = new Date().toISOString();
  await inTransaction(db, async (tx) => {
    if (!(await closeWindow(tx, period.id, req.assessmentId, req.by, at))) throw new ReportRefused('WINDOW_NOT_OPEN', '该考核的数据填报未开启或已关闭');
    await appendAudit(tx, { at, actor: req.by, action: 'collection.close', subject: `${period.id}/${req.assessmentId}`, detail: null });
  });
}

/** Reopens a period's reporting for one unit until a later day (补报), whatever the windows' deadlines. */
export async function reopenForUnit(db: Db, req: { periodId: string; unitId: string; until: string; by: string; now?: string }): Promise<void> {
  const period = parsePeriod(req.periodId);
  const now = req.now ?? today();
  const unit = await getUnit(db, req.unitId);
  if (!unit || unit.disabled_at) throw new ReportRefused('UNIT_NOT_FOUND', '没有这个单位，或该单位已停用');
  const until = String(req.until ?? '').trim();
  if (!isDate(until) || until < now || daysBetween(now, until) > MAX_WINDOW_DAYS) throw new ReportRefused('DEADLINE_INVALID', `补报截止日期应为今天至${MAX_WINDOW_DAYS}天内的真实日期`);
  const at = new Date().toISOString();
  await inTransaction(db, async (tx) => {
    let report = await getReport(tx, period.id, unit.id);
    if (report?.state === 'approved') throw new ReportRefused('REPORT_APPROVED', `${unit.name}的报送已审核通过，无需补报`);
    if (!report) {
      const id = await insertReport(tx, { period_id: period.id, unit_id: unit.id, state: 'draft', report_values: '{}', field_notes: null, review_comment: null, reopened_until: until, updated_by: req.by, updated_at: at, submitted_by: null, submitted_at: null, reviewed_by: null, reviewed_at: null });
      report = await getReportById(tx, id);
    } else await setReopened(tx, report.id, until);
    await appendAudit(tx, { at, actor: req.by, action: 'collection.reopen', subject: `report ${report!.id}`, unit_id: unit.id, detail: JSON.stringify({ period: period.id, until }) });
    await notify(tx, { unitIds: [unit.id] }, { kind: 'collection.reopened', title: `${period.title}数据填报已为本单位延长至${dateInWords(until)}，请及时填报提交`, link: `/reporting/${period.id}` });
  });
}

// ---- the unit saves and submits ----

export interface SaveReportRequest {
  periodId: string; unitId: string;
  /** The posted fields; only the names of figures asked and still open are read. */
  cells: Record<string, unknown>;
  /** New files, each for a figure. */
  files: Array<{ field: string; upload: EvidenceUpload }>;
  /** Files of the report to take off (a draft's, or a returned one's). */
  removeFiles?: number[];
  submit: boolean;
  by: string;
  now?: string;
}

/**
 * Saves a unit's report as a draft, or submits it: only figures asked and still open are taken; a
 * submission must hold every figure asked (but those with a default), each a value its input takes,
 * every check of the rule sets over them passed, and a file for each figure that asks one. Nothing
 * of a refused submission is kept (neither its values nor its files). Throws ReportRefused with every
 * problem beside its field.
 */
export async function saveReport(db: Db, req: SaveReportRequest): Promise<ReportRow> {
  const now = req.now ?? today();
  const unit = await getUnit(db, req.unitId);
  if (!unit || unit.disabled_at) throw new ReportRefused('UNIT_NOT_FOUND', '没有这个单位，或该单位已停用');
  const plan = await reportPlan(db, req.periodId, unit, req.by, now);
  const step: ReportStep = req.submit ? 'submit' : 'save';
  const state = plan.report?.state ?? 'none';
  if (plan.windows.length === 0) throw new ReportRefused('REPORT_NOT_OPEN', `${plan.period.title}没有开启需要本单位填报的数据`);
  if (!REPORT_STEPS[step].from.includes(state)) throw new ReportRefused('REPORT_STATE', state === 'submitted' ? '本期数据已提交，正在审核，不能再修改' : '本期数据已审核通过，不能再修改');
  const open = plan.fields.filter((f) => f.open);
  if (open.length === 0) throw new ReportRefused('REPORT_CLOSED', `${plan.period.title}数据填报已于${dateInWords(latest(plan.windows))}截止；如需补报，请联系乡镇`);

  const values = reportValues(plan.report);
  for (const f of open) if (Object.hasOwn(req.cells, f.name)) values[f.name] = cleanValue(req.cells[f.name]);
  const problems: FieldProblem[] = [];
  // Files: each for a figure asked and open that takes files, judged by its content.
  const byName = new Map(plan.fields.map((f) => [f.name, f]));
  const kept = plan.report ? await filesOfReport(db, plan.report.id) : [];
  const removing = new Set((req.removeFiles ?? []).filter((id) => kept.some((k) => k.id === id && byName.get(k.input_name)?.open)));
  const added: Array<{ field: string; name: string; type: string; size: number; content: Buffer }> = [];
  for (const [field, uploads] of groupBy(req.files, (f) => f.field)) {
    const f = byName.get(field);
    if (!f || !f.open || !f.evidence) { problems.push({ field, code: 'EVIDENCE_NOT_ASKED', message: '这一项不需要上传佐证材料' }); continue; }
    const count = kept.filter((k) => k.input_name === field && !removing.has(k.id)).length + uploads.length;
    if (count > FILES_PER_FIELD) { problems.push({ field, code: 'EVIDENCE_TOO_MANY', message: `每项最多${FILES_PER_FIELD}个佐证文件` }); continue; }
    try {
      for (const e of checkEvidence(uploads.map((u) => u.upload))) added.push({ field, name: e.name, type: e.type, size: e.size, content: e.content });
    } catch (e) {
      if (!(e instanceof EvidenceRefused)) throw e;
      problems.push({ field, code: e.code, message: e.message });
    }
  }
  // A draft keeps what was typed; only a value too long to be any figure is refused, there as on submission.
  for (const f of open) if ([...(values[f.name] ?? '')].length > VALUE_MAX_CHARS) problems.push({ field: f.name, code: 'VALUE_TOO_LONG', message: `最多${VALUE_MAX_CHARS}个字符` });
  if (req.submit) {
    const sets = await kindRuleSets(db, unit.kind, req.by);
    const stored = await storedInputs(db, plan.period.id, unit.id, sets.map((x) => x.assessment.id));
    const hasFile = (name: string) => kept.some((k) => k.input_name === name && !removing.has(k.id)) || added.some((a) => a.field === name);
    problems.push(...figureProblems(sets.map((x) => ({ ruleset: x.ruleset, stored: stored.get(x.assessment.id) ?? {} })), values, new Set(open.map((f) => f.name))));
    for (const f of open) if (f.evidence === 'required' && !hasFile(f.name)) problems.push({ field: f.name, code: 'EVIDENCE_REQUIRED', message: '请上传佐证材料（照片或PDF）' });
  }
  if (problems.length) throw new ReportRefused('REPORT_INVALID', req.submit ? '提交未成功：请按提示修改后重新提交（本次填写的内容未保存）' : '保存未成功：请按提示修改', problems);

  const at = new Date().toISOString();
  return inTransaction(db, async (tx) => {
    await ensurePeriod(tx, plan.period, at);
    const changes = {
      state: (req.submit ? 'submitted' : state === 'none' ? 'draft' : state) as ReportState,
      report_values: JSON.stringify(values), updated_by: req.by, updated_at: at,
      ...(req.submit ? { submitted_by: req.by, submitted_at: at, field_notes: null, review_comment: null } : {}),
    };
    let id: number;
    if (!plan.report) {
      id = await insertReport(tx, {
        period_id: plan.period.id, unit_id: unit.id, field_notes: null, review_comment: null, reopened_until: null,
        submitted_by: null, submitted_at: null, reviewed_by: null, reviewed_at: null, ...changes,
      });
    } else {
      id = plan.report.id;
      // Another tab or hand may have moved it since it was read: refused, never overwritten.
      if (!(await updateReport(tx, id, REPORT_STEPS[step].from.filter((s): s is ReportState => s !== 'none'), changes))) throw new ReportRefused('REPORT_STATE', '本期数据刚刚已被提交或审核，请刷新页面');
    }
    for (const fileId of removing) await removeReportFile(tx, id, fileId);
    for (const a of added) {
      const fileId = await insertStoredFile(tx, { sha256: sha256(a.content), media_type: a.type, size: a.size, file_name: a.name, content: a.content, unit_id: unit.id, uploaded_by: req.by, uploaded_at: at });
      await linkReportFile(tx, { file_id: fileId, report_id: id, input_name: a.field });
    }
    await faultPoint('report');
    await appendAudit(tx, {
      at, actor: req.by, action: REPORT_STEPS[step].audit, subject: `report ${id}`, unit_id: unit.id,
      detail: JSON.stringify({ period: plan.period.id, fields: open.filter((f) => Object.hasOwn(req.cells, f.name)).length, files: added.length, removed: removing.size }),
    });
    return (await getReportById(tx, id))!;
  });
}

/** The last day any of these windows is open. */
function latest(windows: UnitWindow[]): string {
  return windows.reduce((d, w) => (w.deadline > d ? w.deadline : d), '');
}

function groupBy<T>(items: T[], key: (t: T) => string): Map<string, T[]> {
  const out = new Map<string, T[]>();
  for (const item of items) {
    const k = key(item);
    out.set(k, [...(out.get(k) ?? []), item]);
  }
  return out;
}

/**
 * What is wrong with a unit's figures under the rule sets that name them: a figure asked that is blank (and has
 * no default), a value its input does not take in any of them, a check of theirs over the unit's figures and what
 * the township entered (`stored`) that fails. Each problem beside every reported figure it concerns; a problem of
 * the township's own figures alone is not the unit's to mend and is left for the scoring.
 */
export function figureProblems(sets: Array<{ ruleset: CompiledRuleSet; stored: Record<string, unknown> }>, values: Record<string, string>, asked: ReadonlySet<string>): FieldProblem[] {
  const problems: FieldProblem[] = [];
  const seen = new Set<string>();
  const reported = (name: string) => asked.has(name) || Object.hasOwn(values, name);
  for (const { ruleset, stored } of sets) {
    const cells = dict<unknown>();
    for (const input of ruleset.inputs) {
      if (input.link || input.type === 'events') continue;
      if (reported(input.name)) cells[input.name] = values[input.name] ?? '';
      else if (Object.hasOwn(stored, input.name) && stored[input.name] !== null) cells[input.name] = stored[input.name];
    }
    for (const p of checkGivenInputs(ruleset, cells, '表单').problems) {
      for (const name of p.column.split('、').filter(reported)) {
        const key = `${name}|${p.message}`;
        if (!seen.has(key)) { seen.add(key); problems.push({ field: name, code: p.code, message: p.message }); }
      }
    }
  }
  return problems;
}

// ---- the township reviews ----

/** A report and its unit, or ReportRefused. */
async function reportOrRefuse(db: Tx, id: number): Promise<{ report: ReportRow; unit: UnitRow }> {
  const report = Number.isSafeInteger(id) ? await getReportById(db, id) : undefined;
  const unit = report && await getUnit(db, report.unit_id);
  if (!report || !unit) throw new ReportRefused('REPORT_NOT_FOUND', '没有这份报送');
  return { report, unit };
}

/** Returns a submitted report with the township's comments, on fields and/or on the whole; the unit is told. */
export async function returnReport(db: Db, req: { reportId: number; notes: Record<string, unknown>; comment?: unknown; by: string }): Promise<void> {
  const { report, unit } = await reportOrRefuse(db, req.reportId);
  const values = reportValues(report);
  const notes = dict<string>();
  for (const [field, text] of Object.entries(req.notes)) {
    const clean = checkedComment(text);
    if (clean && Object.hasOwn(values, field)) notes[field] = clean;
  }
  const comment = checkedComment(req.comment);
  if (Object.keys(notes).length === 0 && !comment) throw new ReportRefused('RETURN_WITHOUT_COMMENT', '退回时请至少对一项数据或整份报送写明意见');
  const at = new Date().toISOString();
  await inTransaction(db, async (tx) => {
    if (!(await updateReport(tx, report.id, ['submitted'], { state: 'returned', field_notes: JSON.stringify(notes), review_comment: comment || null, reviewed_by: req.by, reviewed_at: at }))) {
      throw new ReportRefused('REPORT_STATE', '这份报送已被审核或退回');
    }
    await appendAudit(tx, { at, actor: req.by, action: 'report.return', subject: `report ${report.id}`, unit_id: unit.id, detail: JSON.stringify({ period: report.period_id, fields: Object.keys(notes) }) });
    await notify(tx, { unitIds: [unit.id] }, {
      kind: 'report.returned', title: `${parsePeriod(report.period_id).title}填报的数据已退回，请按审核意见修改后重新提交`,
      body: [comment, ...Object.values(notes)].filter(Boolean).join('\n').slice(0, 1000), link: `/reporting/${report.period_id}`,
    });
  });
}

/**
 * Approves a submitted report: each figure becomes the period's input of every assessment in use of the
 * unit's kind whose rule set names it (report once), each write kept in the inputs' history with who
 * reported and who approved it; the unit is told.
 */
export async function approveReport(db: Db, req: { reportId: number; by: string }): Promise<void> {
  const { report, unit } = await reportOrRefuse(db, req.reportId);
  const values = reportValues(report);
  const writes: Array<{ track: string; title: string; ruleset: CompiledRuleSet; inputs: CompiledInput[] }> = [];
  for (const { assessment, ruleset } of await kindRuleSets(db, unit.kind, req.by)) {
    const inputs = ruleset.inputs.filter((i) => !i.link && i.type !== 'events' && Object.hasOwn(values, i.name));
    if (inputs.length) writes.push({ track: assessment.id, title: assessment.title, ruleset, inputs });
  }
  const at = new Date().toISOString();
  await inTransaction(db, async (tx) => {
    if (!(await updateReport(tx, report.id, ['submitted'], { state: 'approved', reviewed_by: req.by, reviewed_at: at, field_notes: null, review_comment: null }))) {
      throw new ReportRefused('REPORT_STATE', '这份报送已被审核或退回');
    }
    const history = [];
    for (const w of writes) {
      const stored = await inputOf(tx, report.period_id, w.track, unit.id);
      const row = stored ? JSON.parse(stored.input_values) as Record<string, unknown> : dict<unknown>();
      const { values: typed, problems } = checkGivenInputs(w.ruleset, Object.fromEntries(w.inputs.map((i) => [i.name, values[i.name]])), '报送');
      // A figure another rule set takes but this one does not (its limits are narrower) is not written here: said, never silently.
      if (problems.some((p) => p.code !== 'CHECK_FAILED')) throw new ReportRefused('REPORT_INVALID', `报送的数据不符合“${w.title}”的要求，请退回修改`, problems.map((p) => ({ field: p.column, code: p.code, message: p.message })));
      for (const i of w.inputs) row[i.name] = inputValue(w.ruleset, i, typed.get(i.name) ?? NaN);
      const json = JSON.stringify(row);
      await upsertInputs(tx, [{ period_id: report.period_id, track: w.track, unit_id: unit.id, name: unit.name, parent_id: unit.parent_id, input_values: json, batch_id: null, report_id: report.id, entered_by: report.submitted_by ?? req.by, entered_at: at }]);
      history.push({ period_id: report.period_id, track: w.track, unit_id: unit.id, input_values: json, via: 'report' as const, batch_id: null, report_id: report.id, entered_by: report.submitted_by ?? req.by, entered_at: report.submitted_at ?? at, approved_by: req.by, approved_at: at });
    }
    await insertHistory(tx, history);
    await appendAudit(tx, { at, actor: req.by, action: 'report.approve', subject: `report ${report.id}`, unit_id: unit.id, detail: JSON.stringify({ period: report.period_id, assessments: writes.map((w) => w.track) }) });
    await notify(tx, { unitIds: [unit.id] }, { kind: 'report.approved', title: `${parsePeriod(report.period_id).title}填报的数据已审核通过`, link: `/reporting/${report.period_id}` });
  });
}
