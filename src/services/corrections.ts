import type { Db, Tx } from '../db/connection.js';
import { getRuleVersion, listRuleVersions, type RuleVersionRow } from '../db/queries/rule-versions.js';
import type { RunRow } from '../db/queries/runs.js';
import { DataInvalid } from '../engine/index.js';
import { localDate } from '../local-time.js';
import type { UnitResult } from '../report/ranking-sheet.js';
import { notifyUnits, type Message } from './inbox.js';
import { perDatabase } from './per-database.js';
import { periodTitle } from './period.js';
import { compiledVersion } from './rule-versions.js';
import { createRun, diffResults, listRuns, recomputeRun, requireRun, runResults, RunRefused, type UnitChange } from './runs.js';
import { assessmentTitle, unitKindOf } from './assessments.js';

/**
 * 更正: a run under 公示 or final corrected by a new run of the same period and track,
 * with a reason, scored with the run's own rule version unless the leader picks another
 * version of the same rule set. What changed is told apart: by the data (the new inputs
 * scored under the old rules) and by the rules (the same inputs under the new ones).
 * When the correction is published, every unit whose rank, grade, veto or sanction
 * changed is told (`tellCorrection`, called by `publishRun`).
 */

/** The longest reason a correction keeps (a sentence or two, as a leader writes it). */
export const MAX_REASON = 500;

/** Whether a run may be corrected: it is under 公示 (or past it) or final. */
export function mayCorrect(run: Pick<RunRow, 'status'>): boolean {
  return run.status === 'published' || run.status === 'final';
}

/** Why a run cannot be corrected, in words; null when it can. */
export function correctionRefusal(run: Pick<RunRow, 'id' | 'status' | 'superseded_by'>): string | null {
  if (mayCorrect(run)) return null;
  switch (run.status) {
    case 'draft': return `第${run.id}号考核还是草稿，尚未公示：直接修改数据后重新记分即可，不需要更正`;
    case 'superseded': return `第${run.id}号考核已被第${run.superseded_by ?? '?'}号更正，如仍有错误，请更正第${run.superseded_by ?? '?'}号`;
    default: return `第${run.id}号考核已作废，不能更正`;
  }
}

/** The correction drafts of a run not yet published or discarded (a second one is usually a mistake). */
export async function correctionDrafts(db: Tx, run: RunRow): Promise<RunRow[]> {
  return (await listRuns(db, { periodId: run.period_id, track: run.track })).filter((r) => r.supersedes_id === run.id && r.status === 'draft');
}

export interface CorrectionRequest {
  /** The run corrected. */
  runId: number;
  /** Why (required): 黄泥坳村出生人数录入有误. */
  reason: string;
  /** Another version of the run's rule set (its sha256); nothing, or the run's own, keeps the run's. */
  ruleSha?: string;
  by: string;
}

/**
 * The reason as kept: trimmed, required, at most MAX_REASON characters, without control
 * characters, invisible marks or the marks that turn the direction of text (a reason read backwards on a page).
 */
export function correctionReason(text: unknown): string {
  // Invisible marks too: a reason of zero-width spaces alone would be kept as a reason no one can read.
  const reason = typeof text === 'string' ? text.replace(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u061c\u200b-\u200f\u202a-\u202e\u2060-\u2069\ufeff]/g, '').trim() : '';
  if (!reason) throw new RunRefused('CORRECTION_REASON_REQUIRED', '请填写更正原因');
  // Counted in characters as a person counts them (an emoji is one, not two).
  const chars = [...reason].length;
  if (chars > MAX_REASON) throw new RunRefused('CORRECTION_REASON_TOO_LONG', `更正原因最多${MAX_REASON}字，现有${chars}字`);
  return reason;
}

/** Creates the correction as a draft (to be checked and published as any draft is). */
export async function createCorrection(db: Db, req: CorrectionRequest): Promise<RunRow> {
  const old = await requireRun(db, req.runId);
  const refused = correctionRefusal(old);
  if (refused) throw new RunRefused('NOT_CORRECTABLE', refused);
  const reason = correctionReason(req.reason);
  const rules = req.ruleSha && req.ruleSha !== old.rule_sha256 ? await versionOfSameSet(db, old, req.ruleSha) : old.rule_sha256;
  return createRun(db, { periodId: old.period_id, track: old.track, rules, by: req.by, corrects: old.id, note: reason });
}

/** A version named by its sha256 that belongs to the run's rule set; refused otherwise. */
async function versionOfSameSet(db: Tx, run: RunRow, sha: string): Promise<string> {
  const { row: own } = await compiledVersion(db, run.rule_sha256);
  const row = /^[0-9a-f]{64}$/.test(sha) ? await getRuleVersion(db, sha) : undefined;
  if (!row || row.ruleset_id !== own.ruleset_id) {
    throw new RunRefused('RULE_VERSION_NOT_OF_SET', `所选规则版本不是第${run.id}号考核所用规则集（${own.title}）的版本，请从列表中选择`);
  }
  return sha;
}

/** A rule version as a page names it: its label and the date it was stored. */
export interface VersionLabel { sha256: string; label: string; importedAt: string; title: string }

const labelOf = (row: Pick<RuleVersionRow, 'sha256' | 'version' | 'imported_at' | 'title'>): VersionLabel => ({
  sha256: row.sha256, label: row.version, importedAt: row.imported_at, title: row.title,
});

/** The versions a correction of `run` may use (its rule set's, newest first), the run's own marked. */
export async function correctionVersions(db: Tx, run: RunRow): Promise<Array<VersionLabel & { own: boolean }>> {
  const { row: own } = await compiledVersion(db, run.rule_sha256);
  return (await listRuleVersions(db, own.ruleset_id)).map((v) => ({ ...labelOf(v), own: v.sha256 === run.rule_sha256 }));
}

/** What a correction changed, told apart by cause. */
export interface CorrectionChanges {
  /** The run corrected. */
  corrects: RunRow;
  reason: string | null;
  /** The version the correction was scored with, and the corrected run's. */
  rules: VersionLabel;
  correctedRules: VersionLabel;
  sameRules: boolean;
  /** 因数据变化: the corrected run → the new inputs under the corrected run's rules. */
  byData: UnitChange[];
  /** 因细则变化: the new inputs under the old rules → under the new rules (empty when the version is the same). */
  byRules: UnitChange[];
  /** Why the two could not be told apart (the old rules cannot score the new inputs): byData then holds every change. */
  unsplit: string | null;
}

/** A correction's changes never change (both runs and both versions are pinned): worked out once per run. */
const splitOf = perDatabase(() => new Map<number, CorrectionChanges>());
const MAX_SPLITS = 64;

/** What the correction `run` changed, by the data and by the rules; null for a run that corrects none. */
export async function correctionChanges(db: Tx, run: RunRow): Promise<CorrectionChanges | null> {
  if (run.supersedes_id === null) return null;
  const kept = splitOf(db);
  const hit = kept.get(run.id);
  if (hit) return hit;
  const corrects = await requireRun(db, run.supersedes_id);
  const [mine, theirs] = await Promise.all([compiledVersion(db, run.rule_sha256), compiledVersion(db, corrects.rule_sha256)]);
  const [before, after] = [(await runResults(db, corrects.id)).units, (await runResults(db, run.id)).units];
  const sameRules = run.rule_sha256 === corrects.rule_sha256;
  let byData: UnitChange[], byRules: UnitChange[] = [], unsplit: string | null = null;
  if (sameRules) {
    byData = diffResults(before, after);
  } else {
    try {
      const middle = (await recomputeRun(db, run.id, theirs.ruleset)).units;
      byData = diffResults(before, middle);
      byRules = diffResults(middle, after);
    } catch (e) {
      if (!(e instanceof DataInvalid)) throw e;
      byData = diffResults(before, after);
      unsplit = `第${corrects.id}号考核所用的规则版本（${theirs.row.version}）无法对更正后的数据记分，下表是数据与细则共同造成的全部变化`;
    }
  }
  const changes: CorrectionChanges = {
    corrects, reason: run.note, rules: labelOf(mine.row), correctedRules: labelOf(theirs.row), sameRules, byData, byRules, unsplit,
  };
  if (run.results_sha256 !== '') {
    if (kept.size >= MAX_SPLITS) kept.delete(kept.keys().next().value!);
    kept.set(run.id, changes);
  }
  return changes;
}

// ── telling the units whose result changed ──────────────────────────────────

type Standing = Pick<UnitResult, 'rank' | 'grade' | 'vetoed' | 'sanctions'>;

/** Whether a correction changed what a unit is told of: its rank, grade, veto or sanctions. */
export function standingChanged(before: Standing, after: Standing): boolean {
  const labels = (u: Standing) => u.sanctions.map((s) => s.label).join('、');
  return before.rank !== after.rank || before.grade !== after.grade || before.vetoed !== after.vetoed || labels(before) !== labels(after);
}

/** 第17名，通报批评: the rank, the grade where it changed, a veto, the sanctions. */
function standing(u: Standing, other: Standing): string {
  const parts = [`第${u.rank}名`];
  // Said once: a grade (不合格（一票否决）) or a sanction (一票否决) may say the veto itself.
  const add = (text: string) => { if (!parts.some((p) => p.includes(text))) parts.push(text); };
  if (u.grade !== other.grade) add(u.grade ?? '无等级');
  if (u.vetoed) add('一票否决');
  for (const s of u.sanctions) add(s.label);
  return parts.join('，');
}

/**
 * 本村结果已于2024年12月3日更正：原第17名，通报批评；现第16名. `withYear` false gives
 * 12月3日 (an inbox line is read the week it is sent).
 */
export function correctionLine(unitKind: string, before: Standing, after: Standing, publishedAt: string, withYear = true): string {
  const [y, m, d] = localDate(publishedAt).split('-').map(Number);
  const when = withYear ? `${y}年${m}月${d}日` : `${m}月${d}日`;
  return `${unitKind === 'staff' ? '本人' : '本村'}结果已于${when}更正：原${standing(before, after)}；现${standing(after, before)}`;
}

/** The page of a unit's result in a run (a path, as the inbox keeps links). */
export function unitResultPath(unitKind: string, unitId: string, runId: number): string {
  return `/${unitKind === 'staff' ? 'staff' : 'units'}/${encodeURIComponent(unitId)}?run=${runId}`;
}

/**
 * Tells the accounts of every unit whose rank, grade, veto or sanction the published
 * `correction` changed from `superseded` (run.corrected), inside the transaction that
 * publishes it; units whose result stood are not told. Returns the units told.
 */
export async function tellCorrection(tx: Tx, correction: RunRow, superseded: RunRow): Promise<string[]> {
  const before = new Map((await runResults(tx, superseded.id)).units.map((u) => [u.id, u]));
  const after = (await runResults(tx, correction.id)).units;
  const at = correction.published_at ?? new Date().toISOString();
  const told: string[] = [];
  const title = (await assessmentTitle(tx, correction.track)) ?? '';
  const kind = await unitKindOf(tx, correction.track);
  const messages: Array<{ unitId: string; message: Message }> = [];
  for (const u of after) {
    const o = before.get(u.id);
    if (!o || !standingChanged(o, u)) continue;
    messages.push({
      unitId: u.id, message: {
        kind: 'run.corrected',
        title: correctionLine(kind, o, u, at, false),
        body: `${periodTitle(correction.period_id)}${title}结果（第${superseded.id}号考核）已由第${correction.id}号考核更正${correction.note ? `，更正原因：${correction.note}` : ''}`,
        link: unitResultPath(kind, u.id, correction.id),
        dedupe: `run.corrected:${correction.id}`,
      },
    });
    told.push(u.id);
  }
  await notifyUnits(tx, messages);
  return told;
}

// ── what a unit's scorecard says of corrections ─────────────────────────────

export interface ScorecardCorrections {
  /** The shown run was corrected: by which run (a unit sees it once it is published). */
  correctedBy: { id: number } | null;
  /** Each published correction up to the shown run that changed the unit's standing: 本村结果已于…更正：原…；现…. */
  lines: string[];
}

/**
 * What a unit's scorecard says of corrections: on a corrected run, that it was corrected and
 * by which; on a correction (and through it on the latest result), each published correction
 * in its line that changed the unit's rank, grade, veto or sanction.
 */
export async function scorecardCorrections(db: Tx, runs: RunRow[], shown: RunRow, unitId: string, withDrafts: boolean): Promise<ScorecardCorrections> {
  const byId = new Map(runs.map((r) => [r.id, r]));
  const next = shown.superseded_by !== null ? byId.get(shown.superseded_by) : undefined;
  const correctedBy = shown.status === 'superseded' && next && (withDrafts || next.status !== 'draft')
    ? { id: next.id } : null;
  const lines: string[] = [];
  // The shown run's own line, then the corrections before it; a corrected run also says what its correction changed.
  const from = correctedBy && next ? next : shown;
  for (let r: RunRow | undefined = from; r && r.supersedes_id !== null && r.published_at !== null; r = byId.get(r.supersedes_id)) {
    const old = byId.get(r.supersedes_id);
    if (!old) break;
    const [[was], [now]] = await Promise.all([runResults(db, old.id, { unitId }), runResults(db, r.id, { unitId })].map((p) => p.then((x) => x.units)));
    if (was && now && standingChanged(was, now)) lines.push(correctionLine(await unitKindOf(db, r.track), was, now, r.published_at));
  }
  return { correctedBy, lines };
}
