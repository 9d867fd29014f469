import { inTransaction, type Db, type Tx } from '../db/connection.js';
import { openAppealCount } from '../db/queries/appeals.js';
import { appendAudit } from '../db/queries/audit.js';
import { eventsChangedAfter } from '../db/queries/events.js';
import { inputsEnteredAfter } from '../db/queries/publication.js';
import { discardDraft, getRun, lockRun, markFinal, publishedRun, type RunRow } from '../db/queries/runs.js';
import { table } from '../engine/own.js';
import { localDate, localDateTime } from '../local-time.js';
import { actorNames } from './actors.js';
import { dateInWords, daysBetween, defaultReviewUntil, runState, STATE_TITLES, today, type RunState } from './review-period.js';
import { announceFinal } from './run-notices.js';
import { compiledVersion } from './rule-versions.js';
import { publishRun, requireRun, RunRefused } from './runs.js';

/**
 * A run's life (发布 → 公示 → 定稿, a draft 作废, a result 更正) in one place: its steps as data
 * (from which states, with the guard of each and its audit entry), the steps themselves, and
 * what the pages say of a run's state. Pages ask `nextSteps` what a user may do; they never
 * decide it themselves. The database refuses what must never happen (migration 0003).
 */

export type Step = 'publish' | 'finalize' | 'discard' | 'correct';

export interface StepSpec {
  title: string;
  /** The states the step starts from. */
  from: RunState[];
  /** The states in which the step is shown, refused, with the reason why (定稿 during 公示). */
  shownIn: RunState[];
  audit: string;
}

export const STEPS = table<Step, StepSpec>({
  publish: { title: '发布（开始公示）', from: ['draft'], shownIn: ['draft'], audit: 'run.publish' },
  discard: { title: '作废草稿', from: ['draft'], shownIn: ['draft'], audit: 'run.discard' },
  finalize: { title: '定稿', from: ['review-ended'], shownIn: ['review', 'review-ended'], audit: 'run.finalize' },
  // 更正 is the corrections' (services/corrections.ts, /runs/:id/correct): only offered here.
  correct: { title: '更正', from: ['review', 'review-ended', 'final'], shownIn: ['review', 'review-ended', 'final'], audit: 'run.correct' },
});

export interface StepChoice { step: Step; title: string; allowed: boolean; why: string | null; }

/** Why a run in this state cannot be finalized now, or null when it can (open appeals aside). */
function finalizeBlocked(run: RunRow, state: RunState): string | null {
  if (state === 'review') return `公示截止后（${dateInWords(dayAfter(run.review_until!))}起）才能定稿`;
  if (state !== 'review-ended') return `第${run.id}号考核${STATE_TITLES[state]}，不能定稿`;
  return null;
}

/** The day after a deadline (定稿 is possible from then on). */
function dayAfter(date: string): string {
  const d = new Date(`${date}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + 1);
  return d.toISOString().slice(0, 10);
}

/** The steps a leader is shown for a run now, each allowed or refused with the reason. */
export async function nextSteps(db: Tx, run: RunRow, now: number = Date.now()): Promise<StepChoice[]> {
  const state = runState(run, now);
  const out: StepChoice[] = [];
  for (const [step, spec] of Object.entries(STEPS) as Array<[Step, StepSpec]>) {
    if (!spec.shownIn.includes(state)) continue;
    let why: string | null = spec.from.includes(state) ? null : step === 'finalize' ? finalizeBlocked(run, state) : `${STATE_TITLES[state]}的考核不能${spec.title}`;
    if (step === 'finalize' && why === null) {
      const open = await openAppealCount(db, run.id);
      if (open > 0) why = `尚有${open}件申诉未答复，答复后才能定稿`;
    }
    out.push({ step, title: spec.title, allowed: why === null, why });
  }
  return out;
}

/**
 * A run's state in words: 草稿 / 公示中，截止2024年12月9日，还剩3天 / 公示期满 / 已定稿 / 已更正 / 已作废;
 * and its 公示 deadline as the run list gives it (2024年12月9日（还剩3天）).
 */
export function stateInWords(run: RunRow, now: number = Date.now()): { state: RunState; title: string; words: string; deadline: string } {
  const state = runState(run, now);
  const title = STATE_TITLES[state];
  const until = run.review_until;
  if (state === 'review') {
    const left = daysBetween(today(now), until!);
    const leftWords = left === 0 ? '今天截止' : `还剩${left}天`;
    return { state, title, words: `公示中，截止${dateInWords(until!)}，${leftWords}`, deadline: `${dateInWords(until!)}（${leftWords}）` };
  }
  const deadline = until ? dateInWords(until) : '';
  if (state === 'review-ended' && until) return { state, title, words: `公示期满（${dateInWords(until)}截止）`, deadline };
  if (state === 'final' && run.finalized_at) return { state, title, words: `已定稿（${dateInWords(localDate(run.finalized_at))}）`, deadline };
  return { state, title, words: title, deadline };
}

/** Publishes a draft: 公示 starts, until `reviewUntil` (default five working days); the ranked units and the leaders are told. */
export async function publish(db: Db, runId: number, by: string, reviewUntil: string = defaultReviewUntil()): Promise<{ run: RunRow; superseded?: RunRow }> {
  return publishRun(db, runId, by, reviewUntil);
}

/**
 * 定稿: once the 公示 deadline has passed and every appeal of the run is answered. Two at
 * once (two leaders, or an appeal filed at the same moment) happen one after the other:
 * the transaction begins with a write (the audit entry, undone if refused), which on SQLite
 * takes the one writer, and locks the run's row (PostgreSQL); the open appeals are counted
 * only then.
 */
export async function finalize(db: Db, runId: number, by: string, now: number = Date.now()): Promise<RunRow> {
  const at = new Date(now).toISOString();
  await requireRun(db, runId);
  return inTransaction(db, async (tx) => {
    await appendAudit(tx, { at, actor: by, action: STEPS.finalize.audit, subject: `run ${runId}`, detail: null });
    const run = (await lockRun(tx, runId))!;
    const state = runState(run, now);
    if (state === 'final') {
      const who = (await actorNames(tx, [run.finalized_by]))(run.finalized_by);
      throw new RunRefused('ALREADY_FINAL', `第${runId}号考核已由${who}于${localDateTime(run.finalized_at!)}定稿，无需再定稿`);
    }
    const blocked = finalizeBlocked(run, state);
    if (blocked) throw new RunRefused(state === 'review' ? 'REVIEW_NOT_OVER' : 'NOT_FINALIZABLE', blocked);
    const open = await openAppealCount(tx, runId);
    if (open > 0) throw new RunRefused('APPEALS_OPEN', `第${runId}号考核尚有${open}件申诉未答复，答复后才能定稿`);
    if (!(await markFinal(tx, runId, by, at))) throw new RunRefused('NOT_FINALIZABLE', `第${runId}号考核不在公示中，不能定稿`);
    const final = (await getRun(tx, runId))!;
    await announceFinal(tx, final);
    return final;
  });
}

/** Discards a draft (作废): its results go, the run stays on record as discarded. */
export async function discard(db: Db, runId: number, by: string): Promise<RunRow> {
  const at = new Date().toISOString();
  await requireRun(db, runId);
  return inTransaction(db, async (tx) => {
    await appendAudit(tx, { at, actor: by, action: STEPS.discard.audit, subject: `run ${runId}`, detail: null });
    const run = (await lockRun(tx, runId))!;
    if (!(await discardDraft(tx, runId, by, at))) {
      throw new RunRefused('NOT_A_DRAFT', `第${runId}号考核${STATE_TITLES[runState(run)]}，只有草稿可以作废`);
    }
    return (await getRun(tx, runId))!;
  });
}

/**
 * What was entered after a run pinned its inputs, for a run under 公示 or final: the entries
 * of its period and track made after the run was created (entered_at > created_at; an
 * import counts as each row it wrote). Null when nothing was.
 */
export async function changedAfterPublication(db: Tx, run: RunRow): Promise<{ count: number; words: string } | null> {
  if (run.status !== 'published' && run.status !== 'final') return null;
  const { count, latest } = await inputsEnteredAfter(db, run.period_id, run.track, run.created_at, 3);
  // The events ledger (事件台账) the run pinned, changed since: said after the inputs.
  const { ruleset } = await compiledVersion(db, run.rule_sha256);
  const eventInputs = ruleset.inputs.filter((i) => i.type === 'events').map((i) => i.name);
  const events = eventInputs.length ? await eventsChangedAfter(db, run.period_id, ruleset.subject, eventInputs, run.created_at) : { count: 0, latest: undefined };
  if (count === 0 && events.count === 0) return null;
  const actor = await actorNames(db, [...latest.map((e) => e.entered_by), events.latest?.by]);
  const parts: string[] = [];
  if (count) {
    const people = [...new Set(latest.map((e) => actor(e.entered_by)))].join('、');
    const names = latest.map((e) => e.name ?? '').filter((n) => n).join('、');
    const what = count > latest.length ? `${names}等${count}个单位` : names || `${count}个单位`;
    parts.push(`${people}于${localDateTime(latest[0].entered_at)}修改了${what}的数据`);
  }
  if (events.latest) parts.push(`${actor(events.latest.by)}于${localDateTime(events.latest.at)}修改了事件台账（${events.count}起事件）`);
  return { count: count + events.count, words: parts.join('；') };
}

/** The current result (under 公示 or final) of a period and track, and the warning a form shows before its data is changed. */
export async function publishedWarning(db: Tx, periodId: string, track: string, now: number = Date.now()): Promise<{ run: RunRow; text: string } | null> {
  const run = await publishedRun(db, periodId, track);
  if (!run) return null;
  const state = runState(run, now);
  const stateText = state === 'final' ? '已定稿' : state === 'review' ? '公示中' : '公示期满';
  return {
    run,
    text: `本期考核结果已于${dateInWords(localDate(run.published_at!))}发布（${stateText}），修改数据不会改变已发布的结果；如需改变结果，请在保存后发起更正`,
  };
}

export { defaultReviewUntil };

/**
 * What a unit's scorecard says of the run's 公示 (the banner): 公示中，截止…（北京时间）；如有异议，可在截止前申诉 /
 * 公示已于…截止 / 已定稿; nothing for a draft, a discarded or a corrected run (the correction says its own).
 */
export function reviewBanner(run: RunRow, now: number = Date.now()): { state: RunState; text: string; appeals: boolean } | null {
  const state = runState(run, now);
  if (state === 'review') return { state, text: `公示中，截止${dateInWords(run.review_until!)}（北京时间）；如有异议，可在截止前申诉`, appeals: true };
  if (state === 'review-ended') {
    return { state, text: run.review_until ? `公示已于${dateInWords(run.review_until)}截止，正在等待定稿` : '已发布，正在等待定稿', appeals: false };
  }
  if (state === 'final') return { state, text: `已定稿${run.finalized_at ? `（${dateInWords(localDate(run.finalized_at))}）` : ''}：本结果不再改变`, appeals: false };
  return null;
}
