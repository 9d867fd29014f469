import { localDate } from '../local-time.js';
import type { RunRow } from '../db/queries/runs.js';
import { table } from '../engine/own.js';

/**
 * The states of a run as a township names them, and the 公示 period's dates. A deadline is a
 * date in China Standard Time (TIME_ZONE): appeals are taken until the end of that day.
 * Working days are Monday to Friday; public holidays are not known to the product, so a
 * leader who publishes before 国庆 sets the deadline by hand.
 */

export type RunState = 'draft' | 'review' | 'review-ended' | 'final' | 'superseded' | 'discarded';

export const STATE_TITLES = table<RunState, string>({
  draft: '草稿', review: '公示中', 'review-ended': '公示期满', final: '已定稿', superseded: '已更正', discarded: '已作废',
});

/** The working days a 公示 lasts unless the leader sets another deadline. */
export const DEFAULT_REVIEW_WORKING_DAYS = 5;

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** Whether text is a real calendar date written YYYY-MM-DD (2024-02-30 is not). */
export function isDate(text: string): boolean {
  const m = DATE.exec(text);
  if (!m) return false;
  const d = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])));
  return d.toISOString().slice(0, 10) === text;
}

/** Today's date where the township is (YYYY-MM-DD). */
export function today(now: number = Date.now()): string {
  return localDate(now);
}

/** The date `n` working days (Monday–Friday) after `from` (YYYY-MM-DD). */
export function addWorkingDays(from: string, n: number): string {
  const d = new Date(`${from}T00:00:00Z`);
  let left = n;
  while (left > 0) {
    d.setUTCDate(d.getUTCDate() + 1);
    const day = d.getUTCDay();
    if (day !== 0 && day !== 6) left--;
  }
  return d.toISOString().slice(0, 10);
}

/** The deadline a 公示 starting now gets by default: five working days from today. */
export function defaultReviewUntil(now: number = Date.now()): string {
  return addWorkingDays(today(now), DEFAULT_REVIEW_WORKING_DAYS);
}

/**
 * The longest 公示 taken, in days from today: a month or two covers any township's holidays;
 * a deadline of 3000-01-01 (a slip of the keyboard, or a leader keeping a result open for
 * appeals forever) would never let the result be finalized.
 */
export const MAX_REVIEW_DAYS = 60;

/** The latest 公示 deadline taken now (YYYY-MM-DD). */
export function latestReviewUntil(now: number = Date.now()): string {
  const d = new Date(`${today(now)}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + MAX_REVIEW_DAYS);
  return d.toISOString().slice(0, 10);
}

/** Whole days from `from` to `to` (both YYYY-MM-DD). */
export function daysBetween(from: string, to: string): number {
  return Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / 86_400_000);
}

/**
 * A run's state now. A run published before 公示 existed (no deadline) counts as past its
 * 公示: it may be finalized, and no appeal is taken on it.
 */
export function runState(run: Pick<RunRow, 'status' | 'review_until'>, now: number = Date.now()): RunState {
  switch (run.status) {
    case 'draft': return 'draft';
    case 'final': return 'final';
    case 'superseded': return 'superseded';
    case 'discarded': return 'discarded';
    case 'published': return run.review_until !== null && today(now) <= run.review_until ? 'review' : 'review-ended';
  }
}

/** Whether an appeal may be filed on the run now: under 公示, on or before its last day. */
export function takesAppeals(run: Pick<RunRow, 'status' | 'review_until'>, now: number = Date.now()): boolean {
  return runState(run, now) === 'review';
}

/** 2024年12月9日 */
export function dateInWords(date: string): string {
  const m = DATE.exec(date);
  return m ? `${Number(m[1])}年${Number(m[2])}月${Number(m[3])}日` : date;
}
