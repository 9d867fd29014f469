import type { Tx } from '../db/connection.js';
import { rankedUnitsWithAccounts } from '../db/queries/publication.js';
import type { RunRow } from '../db/queries/runs.js';
// notice.ts reaches back to runs.ts through rankings.ts; only functions cross, read when called.
import { appraisalSubject } from './notice.js';
import { notify, notifyUnits } from './inbox.js';
import { periodTitle } from './period.js';
import { dateInWords, today } from './review-period.js';
import { compiledVersion } from './rule-versions.js';
import { unitKindOf } from './assessments.js';

/**
 * What a run's steps tell people (through `notify`, inside the step's own transaction):
 * 公示 started, and 定稿. Each ranked unit's accounts get a link to their own scorecard of
 * the run; the leaders get the run's page.
 */

/** 2024年度村级千分考核结果 */
export async function resultTitle(db: Tx, run: RunRow): Promise<string> {
  const { ruleset } = await compiledVersion(db, run.rule_sha256);
  return `${periodTitle(run.period_id)}${appraisalSubject(ruleset.title)}结果`;
}

/** 12月9日 within this year, 2025年1月6日 beyond it. */
export function deadlineInWords(date: string, now: number = Date.now()): string {
  const words = dateInWords(date);
  return date.slice(0, 4) === today(now).slice(0, 4) ? words.replace(/^\d+年/, '') : words;
}

/** A unit's own page of the run: the scorecard of a village, or of a staff member (by the kind of unit the assessment appraises). */
export function unitLink(run: RunRow, unitId: string, unitKind: string): string {
  return `/${unitKind === 'staff' ? 'staff' : 'units'}/${encodeURIComponent(unitId).replace(/'/g, '%27')}?run=${run.id}`;
}

async function tellUnitsAndLeaders(tx: Tx, run: RunRow, message: { kind: string; title: string; body?: string }): Promise<number> {
  const kind = await unitKindOf(tx, run.track);
  let told = await notifyUnits(tx, (await rankedUnitsWithAccounts(tx, run.id)).map((unitId) => ({
    unitId, message: { ...message, link: unitLink(run, unitId, kind), dedupe: `${message.kind}:${run.id}` },
  })));
  told += await notify(tx, { roles: ['leader'] }, { ...message, link: `/runs/${run.id}`, dedupe: `${message.kind}:${run.id}` });
  return told;
}

/** 公示开始：2024年度村级千分考核结果，截止12月9日 — to the ranked units and the leaders. */
export async function announceReview(tx: Tx, run: RunRow, reviewUntil: string): Promise<number> {
  const title = `公示开始：${await resultTitle(tx, run)}，截止${deadlineInWords(reviewUntil)}`;
  return tellUnitsAndLeaders(tx, run, {
    kind: 'review.started', title,
    body: `如对本单位的结果有异议，请在${dateInWords(reviewUntil)}（北京时间）前提出申诉。`,
  });
}

/** 已定稿：2024年度村级千分考核结果 — to the ranked units and the leaders. */
export async function announceFinal(tx: Tx, run: RunRow): Promise<number> {
  return tellUnitsAndLeaders(tx, run, { kind: 'run.finalized', title: `已定稿：${await resultTitle(tx, run)}`, body: '公示期已满，考核结果已定稿，不再改变。' });
}
