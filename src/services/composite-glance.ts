import type { Tx } from '../db/connection.js';
import { listRuns } from '../db/queries/runs.js';
import { listAssessments } from './assessments.js';
import { periodTitle } from './period.js';
import { compiledVersion } from './rule-versions.js';
import { runResults } from './runs.js';
import { sourceRunOf, sourcesOfRun, type RunSourceLine } from './sources.js';
import { stateInWords } from './publication.js';

/**
 * 综合考核 at a glance (issue 20, point 6): for each assessment built from others (its rule set has
 * sources), the ranking of its newest period — the run a source would read (final, else under 公示,
 * else the newest draft) — with each unit's figure from each source beside its total, and where each
 * source was read from. The leaders' first page shows it.
 */

export interface CompositeGlance {
  runId: number;
  heading: string;
  stateTitle: string;
  /** The sources' labels, as the columns beside the total. */
  columns: string[];
  rows: Array<{ rank: number; name: string; total: string; grade: string; sanctions: string; parts: string[]; vetoed: boolean }>;
  sources: RunSourceLine[];
}

export async function compositeGlances(db: Tx): Promise<CompositeGlance[]> {
  const out: CompositeGlance[] = [];
  for (const assessment of await listAssessments(db)) {
    const runs = await listRuns(db, { track: assessment.id });
    const newest = runs.find((r) => r.status !== 'discarded' && r.status !== 'superseded');
    if (!newest) continue;
    const run = sourceRunOf(runs.filter((r) => r.period_id === newest.period_id)) ?? newest;
    const { ruleset } = await compiledVersion(db, run.rule_sha256);
    if (ruleset.sources.length === 0) continue;
    const shown = ruleset.sources.filter((s) => !s.link);
    if (shown.length === 0) continue; // a link (双线考核) reads its village's result: no combination to show
    const fixed = (x: unknown, digits: number) => (typeof x === 'number' && Number.isFinite(x) ? x.toFixed(digits) : '—');
    const { units } = await runResults(db, run.id);
    out.push({
      runId: run.id,
      heading: `${periodTitle(run.period_id)}${assessment.title}`,
      stateTitle: stateInWords(run).title,
      // 计划生育专项考核 → 计划生育: a column of figures is headed short.
      columns: shown.map((s) => s.label.replace(/(专项)?考核$/u, '') || s.label),
      rows: units.map((u) => ({
        rank: u.rank, name: u.name ?? '', total: fixed(u.total, ruleset.precision), grade: u.grade ?? '', vetoed: u.vetoed,
        sanctions: u.sanctions.map((s) => s.label).join('、'),
        // Each source's total as the run read it (pinned in its snapshot): one decimal, as a total is printed.
        parts: shown.map((s) => fixed(u.inputs?.[`${s.name}.total`], 1)),
      })),
      sources: await sourcesOfRun(db, run),
    });
  }
  return out;
}
