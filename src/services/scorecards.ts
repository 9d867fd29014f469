import type { Tx } from '../db/connection.js';
import { getUnit, type UnitRow } from '../db/queries/units.js';
import { listRuns, type RunRow } from '../db/queries/runs.js';
import type { CompiledRuleSet } from '../engine/index.js';
import type { UnitResult } from '../report/ranking-sheet.js';
import { compiledVersion } from './rule-versions.js';
import { runResults, withExplanations } from './runs.js';

/**
 * A unit's scorecard (记分卡) for one run: the clause tree with points, score, the figure
 * and the reason; what vetoed it; its rank and the distance to the unit above; its trend
 * over the published runs on record; and the results of the staff who serve it.
 */

export interface ClauseLine {
  id: string; title: string; depth: number; points: number; score: number; kind: 'group' | 'criterion';
  value: number | null; explanation: string; lost: number;
}

export interface Scorecard {
  unit: UnitRow;
  run: RunRow;
  ruleset: CompiledRuleSet;
  result: UnitResult;
  clauses: ClauseLine[];
  adjustments: Array<{ kind: '加分' | '扣分'; title: string; explanation: string }>;
  above: { name: string | null; id: string; total: number; gap: number } | null;
  scopeSize: number;
  trend: Array<{ runId: number; period: string; total: number; rank: number; grade: string | null; vetoed: boolean }>;
  staff: UnitResult[];
  runs: RunRow[];
}

/** Runs a unit appears in, newest first: published and superseded ones always; drafts only for those who may see drafts. */
async function runsOf(db: Tx, track: string, withDrafts: boolean): Promise<RunRow[]> {
  const runs = await listRuns(db, { track });
  return runs.filter((r) => r.status === 'published' || (withDrafts && r.status === 'draft'));
}

export async function scorecardOf(db: Tx, unitId: string, opts: { runId?: number; withDrafts: boolean; track?: string }): Promise<Scorecard | null> {
  const unit = await getUnit(db, unitId);
  if (!unit) return null;
  const track = opts.track ?? (unit.kind === 'staff' ? 'staff' : 'village');
  const runs = await runsOf(db, track, opts.withDrafts);
  const candidates = opts.runId !== undefined ? runs.filter((r) => r.id === opts.runId) : runs;
  for (const run of candidates) {
    const [found] = (await runResults(db, run.id, { unitId })).units;
    if (!found) continue;
    const [result] = await withExplanations(db, run, [found]);
    const { ruleset } = await compiledVersion(db, run.rule_sha256);
    const sameScope = ruleset.ranking.scope === 'parent' && result.parent !== null ? { parentId: result.parent } : {};
    const scope = (await runResults(db, run.id, sameScope)).units;
    const aboveUnit = [...scope].reverse().find((u) => u.rank < result.rank);
    const clauses: ClauseLine[] = ruleset.nodes.map((n) => ({
      id: n.id, title: n.title, depth: n.depth, points: n.points, score: result.scores[n.id], kind: n.kind,
      value: n.kind === 'criterion' ? result.values[n.id] ?? null : null,
      explanation: n.kind === 'criterion' ? result.explanations?.[n.id] ?? '' : '',
      lost: Math.max(0, Math.round((n.points - result.scores[n.id]) * 1e6) / 1e6),
    }));
    const adjustments = [
      ...(ruleset.bonus?.items ?? []).map((i) => ({ kind: '加分' as const, title: i.title, explanation: result.explanations?.[i.id] ?? '' })),
      ...(ruleset.penalty?.items ?? []).map((i) => ({ kind: '扣分' as const, title: i.title, explanation: result.explanations?.[i.id] ?? '' })),
    ];
    const trend = [];
    for (const r of runs.filter((x) => x.status === 'published').reverse()) {
      const [row] = (await runResults(db, r.id, { unitId })).units;
      if (row) trend.push({ runId: r.id, period: r.period_id, total: row.total, rank: row.rank, grade: row.grade, vetoed: row.vetoed });
    }
    const staffRuns = track === 'village' ? (await runsOf(db, 'staff', opts.withDrafts)).filter((r) => r.period_id === run.period_id) : [];
    const staff = staffRuns.length ? (await runResults(db, staffRuns[0].id, { parentId: unitId })).units : [];
    return {
      unit, run, ruleset, result, clauses, adjustments, scopeSize: scope.length, trend, staff, runs,
      above: aboveUnit ? { id: aboveUnit.id, name: aboveUnit.name, total: aboveUnit.total, gap: Math.round((aboveUnit.total - result.total) * 1e6) / 1e6 } : null,
    };
  }
  return null;
}
