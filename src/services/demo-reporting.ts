import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { Db } from '../db/connection.js';
import { getReport } from '../db/queries/reports.js';
import { parseDataBytes } from '../io/data-file.js';
import { DEMO_DIR } from '../paths.js';
import { approveReport, openReporting, reportedInputs, returnReport, saveReport } from './collection.js';
import { trackRules } from './entry.js';
import { addWorkingDays, today } from './review-period.js';

/**
 * The demo township's reporting of its newest period (issue 21, point 7), so that the first visit shows the
 * board and a village's form: the 党建 reporting open for ten more working days, the 安全生产 one past its
 * deadline (the villages that did not submit are late); three villages approved, three waiting for review,
 * one returned with a comment, one with a draft; 枫林村 (v01, the demo's village account) has not begun.
 * The figures are those of the demo's 2024 sheets; the files are a small picture (佐证照片).
 */

/** A 1×1 PNG: a photo's stand-in, judged by its content like any other. */
const PHOTO = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAIAAACQd1PeAAAADElEQVR4nGP4z8AAAAMBAQDJ/pLvAAAAAElFTkSuQmCC', 'base64');

const APPROVED = ['v06', 'v07', 'v10'];
const SUBMITTED = ['v02', 'v04', 'v11'];
const RETURNED = 'v05';
const DRAFT = 'v12';

export async function seedDemoReporting(db: Db, periodId: string, party: string, safety: string, by: string): Promise<void> {
  const now = today();
  // The 安全生产 reporting was opened three weeks ago and closed two days ago; the 党建 one runs ten more working days.
  const back = (days: number) => new Date(Date.parse(`${now}T00:00:00Z`) - days * 86_400_000).toISOString().slice(0, 10);
  await openReporting(db, { periodId, assessmentId: safety, deadline: back(2), by, now: back(21) });
  await openReporting(db, { periodId, assessmentId: party, deadline: addWorkingDays(now, 10), by });

  // Each village's figures as its own report would carry them: the unit's columns of the demo's sheets, as text.
  const cells = new Map<string, Record<string, string>>();
  for (const [track, file] of [[party, 'party-2024.csv'], [safety, 'safety-2024.csv']] as const) {
    const types = new Map(reportedInputs((await trackRules(db, track, by)).ruleset).map((i) => [i.name, i.type]));
    for (const { cells: row } of parseDataBytes(readFileSync(path.join(DEMO_DIR, file)), file).rows) {
      const mine = cells.get(String(row.id)) ?? {};
      for (const [k, v] of Object.entries(row)) {
        if (!types.has(k) || v === null || v === undefined || v === '') continue;
        // A yes/no as a village picks it (是/否), a figure as written.
        mine[k] = types.get(k) === 'boolean' ? (String(v) === '1' ? '是' : '否') : String(v);
      }
      cells.set(String(row.id), mine);
    }
  }
  const evidence = (field: string) => ({ field, upload: { name: `${field === 'drills' ? '应急演练' : field === 'hasEmergencyPlan' ? '应急预案' : field === 'heldLifeMeeting' ? '组织生活会' : '民主评议党员'}.png`, content: PHOTO } });
  const files = ['heldLifeMeeting', 'heldMemberReview', 'hasEmergencyPlan', 'drills'].map(evidence);
  // Reported before the 安全生产 deadline.
  const before = back(5);
  for (const unitId of [...APPROVED, ...SUBMITTED, RETURNED]) {
    await saveReport(db, { periodId, unitId, cells: cells.get(unitId) ?? {}, files, submit: true, by: unitId, now: before });
  }
  await saveReport(db, { periodId, unitId: DRAFT, cells: { memberMeetings: cells.get(DRAFT)?.memberMeetings ?? '' }, files: [], submit: false, by: DRAFT, now: before });
  for (const unitId of APPROVED) await approveReport(db, { reportId: (await getReport(db, periodId, unitId))!.id, by: 'leader' });
  await returnReport(db, {
    reportId: (await getReport(db, periodId, RETURNED))!.id, notes: { hazardsFixed: '隐患整改台账只记载了6处已整改，请核对后重新填报' }, by: 'leader',
  });
}
