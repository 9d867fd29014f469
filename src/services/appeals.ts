import { createHash } from 'node:crypto';
import { inTransaction, type Db, type Tx } from '../db/connection.js';
import { appendAudit } from '../db/queries/audit.js';
import {
  appealCountOf, filesOfAppeals, getAppeal, insertAppeal, insertAppealFile, listAppeals, markAnswered, setCorrectionRun,
  type AppealFileRow, type AppealRow, type AppealStatus,
} from '../db/queries/appeals.js';
import { getRun, lockRun, type RunRow } from '../db/queries/runs.js';
import { getUnit } from '../db/queries/units.js';
import type { Role } from '../db/queries/users.js';
import type { CompiledRuleSet } from '../engine/index.js';
import { table } from '../engine/own.js';
import { checkEvidence, type Evidence, type EvidenceUpload } from '../io/evidence.js';
import { writtenText } from '../io/text.js';
import { faultPoint } from './fault.js';
import { notify } from './inbox.js';
import { periodTitle } from './period.js';
import { dateInWords, runState, STATE_TITLES, takesAppeals } from './review-period.js';
import { compiledVersion } from './rule-versions.js';
import { runResults } from './runs.js';
import { unitKindOf } from './assessments.js';

/**
 * Appeals (申诉): during 公示 a village or staff account objects to its own result — some
 * clauses or inputs, a reason, evidence files — and a leader answers it: 驳回 with a reason,
 * or 采纳, after which the figure is fixed and the run corrected. The process as data: its
 * states, and each step with the state it starts from, the one it leads to, who may take
 * it and the audit entry it writes. Pages ask `answerSteps` what may be done next.
 */

export const APPEAL_STATES = table<AppealStatus, string>({ open: '待答复', rejected: '已驳回', accepted: '已采纳' });

export type AppealStep = 'file' | 'reject' | 'accept';

export const APPEAL_STEPS: Readonly<Record<AppealStep, { from: AppealStatus | null; to: AppealStatus; roles: Role[]; audit: string; title: string }>> = table({
  file: { from: null, to: 'open', roles: ['village', 'staff'], audit: 'appeal.file', title: '提交申诉' },
  reject: { from: 'open', to: 'rejected', roles: ['leader', 'admin'], audit: 'appeal.answer', title: '驳回' },
  accept: { from: 'open', to: 'accepted', roles: ['leader', 'admin'], audit: 'appeal.answer', title: '采纳' },
});

/** The answers a user may give an appeal now. */
export function answerSteps(appeal: Pick<AppealRow, 'status'>, role: Role): AppealStep[] {
  return (['reject', 'accept'] as const).filter((s) => APPEAL_STEPS[s].from === appeal.status && APPEAL_STEPS[s].roles.includes(role));
}

/**
 * Appeals a unit may file on one run: enough to raise each doubt on its own, and a bound on what
 * one account can store (each appeal may carry 50 MB of evidence).
 */
export const APPEALS_PER_RUN = 10;

/** The longest reason or answer taken, in characters. */
export const REASON_MAX_CHARS = 2000;

export class AppealRefused extends Error {
  constructor(readonly code: string, message: string) { super(message); }
}

export interface AppealItem { kind: 'clause' | 'input'; id: string; }

export interface FileAppealRequest {
  runId: number;
  unitId: string;
  /** Criterion ids of the run's rule set, and names of its inputs. */
  items: AppealItem[];
  reason: string;
  files: EvidenceUpload[];
  /** The account filing it. */
  by: string;
  now?: number;
}

/** Why a run takes no appeal now, in words; null when it takes them. */
export function whyNoAppeal(run: Pick<RunRow, 'id' | 'status' | 'review_until'>, now = Date.now()): string | null {
  const state = runState(run, now);
  switch (state) {
    case 'review': return null;
    case 'review-ended': return run.review_until ? `第${run.id}号考核的公示已于${dateInWords(run.review_until)}截止，不再受理申诉` : `第${run.id}号考核未设公示期，不受理申诉`;
    case 'draft': return `第${run.id}号考核尚未公示，不受理申诉`;
    default: return `第${run.id}号考核${STATE_TITLES[state]}，不再受理申诉`;
  }
}

function checkedText(text: unknown, what: string, required: boolean): string {
  const clean = writtenText(text);
  if (required && clean === '') throw new AppealRefused(what === '申诉理由' ? 'REASON_MISSING' : 'ANSWER_MISSING', `请填写${what}`);
  if ([...clean].length > REASON_MAX_CHARS) throw new AppealRefused('TEXT_TOO_LONG', `${what}不超过 ${REASON_MAX_CHARS} 字（现为 ${[...clean].length} 字）`);
  return clean;
}

/** The items as the rule set names them: each clause a criterion, each input one that is entered (not a linked result). */
function checkedItems(rs: CompiledRuleSet, items: AppealItem[]): AppealItem[] {
  const seen = new Set<string>();
  const out: AppealItem[] = [];
  for (const item of items) {
    const key = `${item.kind}:${item.id}`;
    if (seen.has(key)) continue;
    seen.add(key);
    const known = item.kind === 'clause' ? rs.criteria.some((c) => c.id === item.id) : rs.inputs.some((i) => !i.link && i.name === item.id);
    if (!known) throw new AppealRefused('ITEM_UNKNOWN', `所选的${item.kind === 'clause' ? '考核条款' : '数据项'}不在该次考核的考核细则中，请刷新页面后重新选择`);
    out.push(item);
  }
  if (out.length === 0) throw new AppealRefused('NO_ITEMS', '请至少选择一项有异议的考核条款或数据');
  return out;
}

/** Files an appeal and its evidence in one transaction, and tells the leaders. */
export async function fileAppeal(db: Db, req: FileAppealRequest): Promise<AppealRow> {
  const now = req.now ?? Date.now();
  const run = await getRun(db, req.runId);
  if (!run) throw new AppealRefused('RUN_NOT_FOUND', `没有第${req.runId}号考核`);
  const refusal = whyNoAppeal(run, now);
  if (refusal) throw new AppealRefused('NOT_UNDER_REVIEW', refusal);
  const [result] = (await runResults(db, run.id, { unitId: req.unitId })).units;
  if (!result) throw new AppealRefused('NOT_IN_RUN', `第${run.id}号考核中没有该单位的结果`);
  const { ruleset } = await compiledVersion(db, run.rule_sha256);
  const items = checkedItems(ruleset, req.items);
  const reason = checkedText(req.reason, '申诉理由', true);
  let evidence: Evidence[];
  try {
    evidence = checkEvidence(req.files);
  } catch (e) {
    throw new AppealRefused((e as { code: string }).code ?? 'EVIDENCE', (e as Error).message);
  }
  const at = new Date(now).toISOString();
  return inTransaction(db, async (tx) => {
    // Taken first, so that a 定稿 of this run waits for this appeal or this appeal for it; then asked again.
    const locked = await lockRun(tx, run.id);
    const late = locked ? whyNoAppeal(locked, now) : `没有第${run.id}号考核`;
    if (late) throw new AppealRefused('NOT_UNDER_REVIEW', late);
    if ((await appealCountOf(tx, run.id, req.unitId)) >= APPEALS_PER_RUN) throw new AppealRefused('TOO_MANY_APPEALS', `对第${run.id}号考核最多提交 ${APPEALS_PER_RUN} 次申诉；如有补充，请在答复前联系乡镇`);
    const id = await insertAppeal(tx, {
      run_id: run.id, unit_id: req.unitId, items: JSON.stringify(items), reason, status: 'open', filed_by: req.by, filed_at: at,
    });
    for (const f of evidence) {
      await insertAppealFile(tx, {
        appeal_id: id, file_name: f.name, media_type: f.type, size: f.size, sha256: createHash('sha256').update(f.content).digest('hex'), content: f.content,
        unit_id: req.unitId, uploaded_by: req.by, uploaded_at: at,
      });
    }
    await faultPoint('appeal');
    await appendAudit(tx, {
      at, actor: req.by, action: APPEAL_STEPS.file.audit, subject: `appeal ${id}`, unit_id: req.unitId,
      detail: JSON.stringify({ run: run.id, items, files: evidence.map((f) => ({ name: f.name, type: f.type, size: f.size })) }),
    });
    await notify(tx, { roles: ['leader'] }, {
      kind: 'appeal.filed', title: `${result.name ?? '一个单位'}对${periodTitle(run.period_id)}考核结果提出申诉（第${id}号）`.slice(0, 200),
      body: reason.slice(0, 200), link: `/appeals/${id}`,
    });
    return (await getAppeal(tx, id))!;
  });
}

export interface AnswerRequest { appealId: number; step: 'reject' | 'accept'; text: string; by: string; }

/** Answers an open appeal (驳回 with its reason, 采纳 with an optional note) and tells the unit's accounts. */
export async function answerAppeal(db: Db, req: AnswerRequest): Promise<{ appeal: AppealRow; run: RunRow }> {
  const step = APPEAL_STEPS[req.step];
  if (!step || step.from !== 'open') throw new AppealRefused('STEP_UNKNOWN', '请选择驳回或采纳');
  const text = checkedText(req.text, req.step === 'reject' ? '驳回理由' : '采纳说明', req.step === 'reject');
  const at = new Date().toISOString();
  return inTransaction(db, async (tx) => {
    const appeal = await getAppeal(tx, req.appealId);
    if (!appeal) throw new AppealRefused('APPEAL_NOT_FOUND', `没有第${req.appealId}号申诉`);
    if (!(await markAnswered(tx, appeal.id, { status: step.to as 'rejected' | 'accepted', answer: text || null, by: req.by, at }))) {
      throw new AppealRefused('ALREADY_ANSWERED', `第${appeal.id}号申诉已答复（${APPEAL_STATES[(await getAppeal(tx, appeal.id))!.status]}），不能再次答复`);
    }
    const run = (await getRun(tx, appeal.run_id))!;
    await appendAudit(tx, {
      at, actor: req.by, action: step.audit, subject: `appeal ${appeal.id}`, unit_id: appeal.unit_id,
      detail: JSON.stringify({ run: run.id, answer: step.to }),
    });
    const base = (await unitKindOf(tx, run.track)) === 'staff' ? 'staff' : 'units';
    await notify(tx, { unitIds: [appeal.unit_id] }, {
      kind: 'appeal.answered', title: `第${appeal.id}号申诉${APPEAL_STATES[step.to]}（${periodTitle(run.period_id)}考核结果）`,
      body: text ? text.slice(0, 200) : undefined,
      link: `/${base}/${encodeURIComponent(appeal.unit_id).replace(/'/g, '%27')}/appeals?run=${run.id}`,
    });
    return { appeal: (await getAppeal(tx, appeal.id))!, run };
  });
}

/**
 * Names the correction of the accepted appeals of a run that have none yet (called by the
 * corrections service in the transaction that creates the correction); how many.
 */
export async function linkAppealsToCorrection(tx: Tx, correctedRunId: number, correctionRunId: number): Promise<number> {
  return setCorrectionRun(tx, correctedRunId, correctionRunId);
}

/** An item as a person reads it: a clause by its title, an input by its label (and its unit). */
export interface ItemView { kind: 'clause' | 'input'; id: string; title: string; }

export function itemViews(rs: CompiledRuleSet, itemsJson: string): ItemView[] {
  const items = JSON.parse(itemsJson) as AppealItem[];
  return items.map((item) => {
    if (item.kind === 'clause') {
      const c = rs.criteria.find((n) => n.id === item.id);
      return { ...item, title: c ? c.title : '（考核细则中已无此条）' };
    }
    const i = rs.inputs.find((n) => n.name === item.id);
    return { ...item, title: i ? i.label : '（考核细则中已无此项）' };
  });
}

export interface AppealView extends AppealRow {
  run: RunRow;
  unitName: string;
  stateName: string;
  periodTitle: string;
  itemList: ItemView[];
  files: AppealFileRow[];
  ruleset: CompiledRuleSet;
}

/** Appeals with what a page shows of them: the run, the unit's name, the items in words, the files. */
export async function appealViews(db: Tx, filter: { unitId?: string; runId?: number; status?: AppealStatus } = {}): Promise<AppealView[]> {
  return viewsOf(db, await listAppeals(db, filter));
}

export async function appealView(db: Tx, id: number): Promise<AppealView | undefined> {
  const appeal = await getAppeal(db, id);
  return appeal ? (await viewsOf(db, [appeal]))[0] : undefined;
}

async function viewsOf(db: Tx, appeals: AppealRow[]): Promise<AppealView[]> {
  const runs = new Map<number, RunRow>();
  const names = new Map<string, string>();
  const files = await filesOfAppeals(db, appeals.map((a) => a.id));
  const out: AppealView[] = [];
  for (const a of appeals) {
    let run = runs.get(a.run_id);
    if (!run) runs.set(a.run_id, (run = (await getRun(db, a.run_id))!));
    let name = names.get(a.unit_id);
    if (name === undefined) names.set(a.unit_id, (name = (await getUnit(db, a.unit_id))?.name ?? a.unit_id));
    const { ruleset } = await compiledVersion(db, run.rule_sha256);
    out.push({
      ...a, run, unitName: name, stateName: APPEAL_STATES[a.status], periodTitle: periodTitle(run.period_id),
      itemList: itemViews(ruleset, a.items), files: files.filter((f) => f.appeal_id === a.id), ruleset,
    });
  }
  return out;
}

/** The unit whose appeal it is (for the check that a village reads only its own). */
export async function appealUnit(db: Tx, id: number): Promise<string | undefined> {
  return (await getAppeal(db, id))?.unit_id;
}

/** The latest run of these assessments (a kind of unit's) that takes appeals now, if any. */
export function latestTakingAppeals(runs: RunRow[], tracks: ReadonlySet<string>, now = Date.now()): RunRow | undefined {
  return runs.filter((r) => tracks.has(r.track) && takesAppeals(r, now)).sort((a, b) => b.id - a.id)[0];
}
