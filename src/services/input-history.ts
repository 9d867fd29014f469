import type { Tx } from '../db/connection.js';
import { historyOf } from '../db/queries/reports.js';
import type { CompiledRuleSet } from '../engine/index.js';
import { own } from '../engine/own.js';
import { actorNames } from './actors.js';
import { storedText } from './entry.js';

/**
 * The history of a unit's inputs of a period and assessment, as the entry page shows it: each write
 * (表单录入, 文件导入, 单位填报), who entered or reported it and who approved it, and the figures it changed.
 */

export interface HistoryLine { at: string; via: string; by: string; approvedBy?: string; approvedAt?: string; changes: string[]; }

const VIA: Record<string, string> = { form: '表单录入', import: '文件导入', report: '单位填报' };

/** Newest first; each with the figures it changed from the write before (by label: 出生人数 7→8人). */
export async function inputHistory(db: Tx, periodId: string, track: string, unit: { id: string; name: string }, ruleset: CompiledRuleSet): Promise<HistoryLine[]> {
  const rows = await historyOf(db, periodId, track, unit.id);
  const actor = await actorNames(db, rows.flatMap((r) => [r.entered_by, r.approved_by]));
  let before: Record<string, unknown> = {};
  const lines: HistoryLine[] = [];
  for (const row of rows) {
    const now = JSON.parse(row.input_values) as Record<string, unknown>;
    const changes: string[] = [];
    for (const input of ruleset.inputs) {
      const a = storedText(own(before, input.name)), b = storedText(own(now, input.name));
      if (b !== undefined && a !== b) changes.push(`${input.label} ${a ?? '—'}→${b}${input.unit ?? ''}`);
    }
    lines.push({
      at: row.entered_at, via: VIA[row.via] ?? row.via, by: actor(row.entered_by, row.via === 'report' ? unit.name : undefined),
      approvedBy: row.approved_by ? actor(row.approved_by) : undefined, approvedAt: row.approved_at ?? undefined, changes,
    });
    before = now;
  }
  return lines.reverse();
}
