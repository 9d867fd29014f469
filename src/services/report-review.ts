import type { Tx } from '../db/connection.js';
import { filesOfReport, type ReportFileRow, type ReportRow } from '../db/queries/reports.js';
import type { UnitRow } from '../db/queries/units.js';
import { own } from '../engine/own.js';
import { fieldNotes, figureProblems, kindRuleSets, reportValues, storedInputs } from './collection.js';
import { storedText } from './entry.js';

/**
 * A unit's report as the township reviews it (审核): each figure beside the value it would replace and the same
 * period last year, with what is out of the ordinary marked — a change beyond the usual, a check that fails.
 */

export interface ReviewLine {
  name: string; label: string; unit?: string;
  reported: string; current?: string; lastYear?: string;
  /** What is out of the ordinary, in words (较上年增加85%; 校验未通过：…). */
  flags: string[];
  note?: string;
  files: ReportFileRow[];
}

/** The share of change from last year above which a figure is marked for a second look. */
export const USUAL_CHANGE = 0.3;

/**
 * Each figure of a report beside the value it would replace and last year's (of the first assessment naming it),
 * with what is out of the ordinary; labelled by the rule sets of the unit's kind, whether or not a window is still open.
 */
export async function reviewLines(db: Tx, report: ReportRow, unit: UnitRow, by: string): Promise<ReviewLine[]> {
  const values = reportValues(report);
  const notes = fieldNotes(report);
  const files = await filesOfReport(db, report.id);
  const sets = await kindRuleSets(db, unit.kind, by);
  const tracks = sets.map((x) => x.assessment.id);
  const lastYearId = `${Number(report.period_id.slice(0, 4)) - 1}${report.period_id.slice(4)}`;
  const [now, lastYear] = [await storedInputs(db, report.period_id, unit.id, tracks), await storedInputs(db, lastYearId, unit.id, tracks)];
  const problems = figureProblems(sets.map((x) => ({ ruleset: x.ruleset, stored: now.get(x.assessment.id) ?? {} })), values, new Set());
  const lines: ReviewLine[] = [];
  const done = new Set<string>();
  for (const { assessment, ruleset } of sets) {
    for (const input of ruleset.inputs) {
      if (!Object.hasOwn(values, input.name) || done.has(input.name) || input.link || input.type === 'events') continue;
      done.add(input.name);
      const before = storedText(own(lastYear.get(assessment.id) ?? {}, input.name));
      const flags = problems.filter((p) => p.field === input.name).map((p) => p.message);
      const change = changeWords(values[input.name], before);
      if (change) flags.push(change);
      lines.push({
        name: input.name, label: input.label, unit: input.unit, reported: values[input.name],
        current: storedText(own(now.get(assessment.id) ?? {}, input.name)), lastYear: before, flags, note: notes[input.name],
        files: files.filter((x) => x.input_name === input.name),
      });
    }
  }
  return lines;
}

/** 较上年增加85% when a figure moved by more than the usual share (and by more than a few), else undefined. */
function changeWords(now: string, before: string | undefined): string | undefined {
  const a = Number(now), b = Number(before);
  if (before === undefined || now.trim() === '' || !Number.isFinite(a) || !Number.isFinite(b)) return undefined;
  if (Math.abs(a - b) < 3) return undefined;
  if (b === 0) return `上年为0，本期为${now}`;
  const share = (a - b) / Math.abs(b);
  if (Math.abs(share) <= USUAL_CHANGE) return undefined;
  return `较上年${share > 0 ? '增加' : '减少'}${Math.round(Math.abs(share) * 100)}%`;
}
